"""Every paper figure script runs on a small setting, states its claim, uses the public API."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

import paper_figs
from paper_figs.__main__ import main as run_all

NAMES = paper_figs.figure_modules()
ROOT = Path(paper_figs.__file__).resolve().parents[1]


def test_the_required_figures_exist():
    for name in ("performance_curves", "tuple_emergence", "slingshot", "bound_vs_empirical"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_docstring_states_the_claim(name):
    doc = paper_figs.load(name).__doc__ or ""
    assert "docs/theory/" in doc and "laim" in doc, f"paper_figs.{name} must state its claim"
    for page in re.findall(r"docs/theory/(\w+)\.rst", doc):
        assert (ROOT / "docs" / "theory" / f"{page}.rst").exists(), page


def _imported_names(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


@pytest.mark.parametrize("path", sorted(Path(paper_figs.__file__).parent.glob("*.py")),
                         ids=lambda p: p.name)  # fmt: skip
def test_scripts_use_only_the_public_api(path):
    for module, names in _imported_names(path):
        if module.split(".")[0] != "skillgraph":
            continue
        if path.name == "__main__.py" and module == "skillgraph._progress":
            continue  # the runner, not a figure script: its bar is the project's one bar
        private = [part for part in (*module.split("."), *names) if part.startswith("_")]
        assert not private, f"{path.name} imports private names: {module} {names}"


def test_child_seed_is_numpys_spawn():
    """Keyed children equal the spawned ones (numpy's documented spawn_key)."""
    child = paper_figs.child_seed(np.random.SeedSequence(5), 1, 2)
    spawned = np.random.SeedSequence(5).spawn(2)[1].spawn(3)[2]
    assert np.array_equal(child.generate_state(4), spawned.generate_state(4))


@pytest.mark.parametrize("name", NAMES)
def test_figure_script_runs_small(name, tmp_path):
    written = paper_figs.load(name).main(tmp_path, small=True)
    assert written, f"paper_figs.{name}.main wrote nothing"
    for path in written:
        assert path.exists() and path.stat().st_size > 0
        if path.suffix == ".png":
            img = mpimg.imread(path)
            assert img.shape[0] > 100 and img.shape[1] > 100


def test_python_m_paper_figs(tmp_path, capsys):
    status = run_all(
        ["--out", str(tmp_path), "--small", "--only", "slingshot", "performance_curves"]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "slingshot" in out and "performance_curves" in out
    assert (tmp_path / "slingshot_ratio.png").exists()
