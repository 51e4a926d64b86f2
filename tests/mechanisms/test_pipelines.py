"""The three mechanisms share one shape: rooms that never import each other or the sweep
engine, a frozen config in, ``run(config)`` giving a frozen result that draws its own
figures, ``write_outputs(result, out_dir)``; the 0.2 entry points still work, with a warning."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import skillgraph.mechanisms
from skillgraph.mechanisms import induction, memory, superposition

ROOT = Path(skillgraph.mechanisms.__file__).parent
ROOMS = ("memory", "induction", "superposition")


def _imports(path: Path):
    """(module imported, at module top level?) for every import of ``path``."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, id(node) in top
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top


@pytest.mark.parametrize("room", ROOMS)
def test_rooms_never_import_each_other_nor_the_sweep_engine(room):
    others = [f"skillgraph.mechanisms.{r}" for r in ROOMS if r != room]
    for path in (ROOT / room).rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith("skillgraph.sweep"), f"{path.name} imports {module}"
            assert not any(module.startswith(o) for o in others), f"{path.name} imports {module}"


def test_no_deferred_imports_of_the_package_inside_mechanisms():
    for path in ROOT.rglob("*.py"):
        deferred = [m for m, top in _imports(path) if not top and m.startswith("skillgraph")]
        assert not deferred, f"{path.relative_to(ROOT)} imports {deferred} inside a function"


def test_no_module_over_600_lines():
    for path in ROOT.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 600, path.relative_to(ROOT)


SMALL_MEMORY = dict(trials=2, d=(16, 32, 64), fit_window=(16, 64), T=(10, 100, 1000),
                    T_d=(32,), data_fit_window=(10, 1000), emergence_d=(16, 64), replicates=2,
                    n_texts=2000, tuples=(1,))  # fmt: skip
SMALL_SUPERPOSE = dict(n_scales=3, replicates=2, n_prompts=50, n_skills=100, n_texts=5000,
                       compute=(1e18, 1e26))  # fmt: skip
SMALL_INDUCTION = dict(n_tokens=12, seq_len=16, dim=16, batch=8, n_triggers=2, steps=4)

CASES = {
    "memory": (memory, lambda: memory.MemoryConfig(**SMALL_MEMORY)),
    "superposition": (superposition, lambda: superposition.SuperposeConfig(**SMALL_SUPERPOSE)),
    "induction": (induction, lambda: induction.InductionConfig(**SMALL_INDUCTION)),
}


@pytest.mark.parametrize("room", sorted(CASES))
def test_one_pipeline_shape(room, tmp_path):
    module, make_config = CASES[room]
    config = make_config()
    assert dataclasses.is_dataclass(config) and config.__dataclass_params__.frozen
    result = module.run(config)
    assert result.__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.config = config
    figures = result.figures()
    assert figures and all(isinstance(fig, Figure) for fig in figures.values())
    written = module.write_outputs(result, tmp_path)
    assert sorted(p.name for p in written) == sorted(module.FILES)
    assert {f"{stem}.png" for stem in figures} <= {p.name for p in written}
    with pytest.raises(TypeError, match="config"):
        module.run(object())


def test_deprecated_entry_points_warn_and_still_work(tmp_path):
    from skillgraph.mechanisms import induction_report, run_memory, run_superpose

    with pytest.warns(DeprecationWarning, match="superposition.run"):
        result = run_superpose(superposition.SuperposeConfig(**SMALL_SUPERPOSE))
    assert isinstance(result, superposition.SuperposeResult)
    with pytest.warns(DeprecationWarning, match="induction.run"):
        run, paths = induction_report(tmp_path / "i", **SMALL_INDUCTION)
    assert isinstance(run, induction.InductionRun)
    assert [p.name for p in paths] == list(induction.FILES)
    with pytest.warns(DeprecationWarning, match="memory.run"):
        report = run_memory(memory.MemoryConfig(**SMALL_MEMORY), out_dir=tmp_path / "m")
    assert (tmp_path / "m" / "results.csv").is_file() and len(report.rows) > 0
