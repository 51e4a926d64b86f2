"""Every paper figure script runs on a small setting with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import pytest  # noqa: E402

import paper_figs  # noqa: E402
from paper_figs.__main__ import main as run_all  # noqa: E402

NAMES = paper_figs.figure_modules()


def test_the_required_figures_exist():
    for name in ("performance_curves", "tuple_emergence", "slingshot", "bound_vs_empirical"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_docstring_states_the_claim(name):
    doc = paper_figs.load(name).__doc__ or ""
    assert "theory.md" in doc and "laim" in doc, f"paper_figs.{name} must state its claim"


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
