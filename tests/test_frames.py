"""Tables as DataFrames: numpy cells, reading back, one ``source`` vocabulary for every pipeline."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from skillgraph.tables import (
    BOUND_SOURCES,
    format_cell,
    parse_cell,
    read_frame,
    read_table,
    write_table,
)

ROOT = Path(__file__).resolve().parents[1]

NUMPY_CELLS = [
    (np.float64(0.25), "0.25", 0.25),
    (np.float64(1 / 3), "0.3333333333333333", 1 / 3),
    (np.float32(0.1), "0.10000000149011612", 0.10000000149011612),  # the double it equals
    (np.int64(7), "7", 7),
    (np.int32(-3), "-3", -3),
    (np.uint8(200), "200", 200),
    (np.bool_(True), "true", True),
    (np.bool_(False), "false", False),
]


@pytest.mark.parametrize(("value", "text", "back"), NUMPY_CELLS)
def test_numpy_scalars_are_written_as_numbers_and_read_back_as_python(value, text, back):
    assert format_cell(value) == text
    parsed = parse_cell(text)
    assert parsed == back and type(parsed) is type(back)


def test_numpy_nan_and_python_values_keep_their_spelling():
    assert format_cell(np.float64("nan")) == "nan" and math.isnan(parse_cell("nan"))
    assert [format_cell(v) for v in (0.5, 3, True, None, "deficit")] == [
        "0.5", "3", "true", "", "deficit"
    ]


def test_write_and_read_a_table_with_numpy_cells(tmp_path):
    rows = [
        {"beta": np.float64(0.25), "n": np.int64(4), "exact": np.bool_(True), "source": "bound"},
        {"beta": np.float64("nan"), "n": None, "exact": False, "source": "random"},
    ]
    path = write_table(tmp_path / "t.csv", rows, ["beta", "n", "exact", "source", "extra"])
    assert path.read_text().splitlines() == [
        "beta,n,exact,source,extra", "0.25,4,true,bound,", "nan,,false,random,"
    ]
    back = read_table(path)
    assert back[0] == {"beta": 0.25, "n": 4, "exact": True, "source": "bound", "extra": None}
    assert math.isnan(back[1]["beta"]) and back[1]["n"] is None  # 'nan' -> NaN, '' -> None

    pytest.importorskip("pandas")  # the DataFrame half needs the optional extra
    frame = read_frame(path)
    assert list(frame.columns) == ["beta", "n", "exact", "source", "extra"]
    assert frame["beta"].dtype.kind == "f" and frame["n"].dtype.kind == "f"
    assert frame["beta"].isna().tolist() == [False, True]
    assert frame["n"].tolist()[0] == 4 and math.isnan(frame["n"].tolist()[1])
    assert frame["source"].tolist() == ["bound", "random"]
    assert frame["extra"].isna().all()


def test_read_frame_without_pandas_names_the_extra(tmp_path, monkeypatch):
    path = write_table(tmp_path / "t.csv", [{"a": 1}], ["a"])
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(ImportError, match=re.escape("pip install 'skillgraph[pandas]'")):
        read_frame(path)
    assert read_table(path) == [{"a": 1}]  # the plain reader needs no pandas


def test_pandas_is_an_optional_extra():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("pandas") for d in project["optional-dependencies"]["pandas"])
    assert not any(d.startswith("pandas") for d in project["dependencies"])


SWEEP = """
name = "frames"
seed = 7
replicates = 1
measures = ["bad_fraction", "bound", "certificate", "sharp_tuples", "tuple_certificate"]
[grid]
n_skills = 40
n_texts = 400
k = 4
failure = ["random", "deficit"]
theta = [0.1, 0.2]
beta = [0.3]
t = [2]
"""


@pytest.fixture(scope="module")
def sweep_frame(tmp_path_factory):
    pytest.importorskip("pandas")
    from skillgraph.sweep.runner import parse_spec, run_sweep

    summary = run_sweep(parse_spec(SWEEP), tmp_path_factory.mktemp("s") / "out", progress=False)
    assert summary.ok
    return summary, summary.to_pandas()


def test_sweep_table_says_where_each_number_comes_from(sweep_frame):
    from skillgraph.theory.bounds import averaging_bound, emergence_bound

    summary, frame = sweep_frame
    assert len(frame) == summary.rows
    expected_source = {"alpha_star": "bound", "averaging_bound": "averaging",
                       "certified_alpha": "certificate", "sharp_tuple_lower": "sharp_lower",
                       "sharp_tuple_upper": "sharp_upper", "tuple_certified_mass": "certificate",
                       "tuple_adversary_bad_mass": "adversary"}  # fmt: skip
    assert set(expected_source) - {"tuple_adversary_bad_mass"} <= set(frame.quantity)
    for row in frame.itertuples():
        source = expected_source.get(row.quantity, row.failure)  # simulations: the failure model
        assert row.source == source, (row.quantity, row.source)
        if row.quantity == "alpha_star":
            assert row.value == emergence_bound(row.theta, row.beta, row.k, form=row.form).value
        if row.quantity == "averaging_bound":
            assert row.value == pytest.approx(averaging_bound(row.theta, row.beta), rel=1e-15)


def _bound_vs_simulation(frame, simulated_quantity):
    """The same pivot on either pipeline: bound and simulated value side by side."""
    bound = frame[frame.source == "bound"]
    simulated = frame[~frame.source.isin(BOUND_SOURCES) & (frame.quantity == simulated_quantity)]
    return bound, simulated


@pytest.mark.filterwarnings("ignore:the .* factors are read off:UserWarning")  # tiny grids
def test_one_pivot_works_on_sweep_and_emerge_tables(sweep_frame):
    import skillgraph as sg

    _, sweep = sweep_frame
    emerge = sg.emerge(n_skills=60, n_texts=1200, replicates=2, sim_points=3, bound_points=5,
                       tuples=(1,), betas=(0.3,), n_tuples=300, seed=2).to_pandas()  # fmt: skip
    for frame, quantity in ((sweep, "bad_fraction"), (emerge, "tuple_fraction")):
        bound, simulated = _bound_vs_simulation(frame, quantity)
        assert len(bound) and len(simulated)
        assert set(simulated.source) == {"random", "deficit"}
        table = frame[frame.quantity.isin([quantity, "alpha_star"])].pivot_table(
            index="theta", columns="source", values="value", aggfunc="mean"
        )
        assert {"bound", "random", "deficit"} <= set(table.columns)
