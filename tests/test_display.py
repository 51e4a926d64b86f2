"""Results display themselves: a short repr, an HTML table, figures, quiet progress bars."""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pytest

import skillgraph as sg
from skillgraph._display import MAX_HTML_ROWS, html_table

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def graph():
    return sg.sample_graph(60, 1200, 4, seed=3)


@pytest.fixture(scope="module")
def report(graph):
    return sg.check(graph, 0.1, 0.5, exact=False)


def _cells(html_text: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", html_text)]


def _one_line_repr(obj) -> str:
    text = repr(obj)
    assert "\n" not in text and len(text) < 220, text
    assert text.startswith(type(obj).__name__ + "(")
    return text


def test_one_row_results_show_their_numbers(graph):
    failed = sg.random_failures(graph, 0.1, seed=1)
    results = {
        "bound": (sg.emergence_bound(0.05, 0.5, 8), "value"),
        "sharp": (sg.sharp_bound(0.05, 0.5, 8), "value"),
        "certificate": (sg.certified_alpha(60, 1200, 4, 0.1, 0.5), "alpha"),
        "estimate": (sg.bad_fraction(graph, failed, 0.3), "value"),
    }
    for name, (result, field) in results.items():
        _one_line_repr(result)
        frame = result.to_pandas()
        assert len(frame) == 1, name
        assert frame[field].iloc[0] == getattr(result, field), name
        page = result._repr_html_()
        assert page.startswith('<div class="skillgraph-result">') and "<table" in page, name
        assert f"{getattr(result, field):.6g}" in _cells(page), name


def test_estimate_frame_carries_its_interval(graph):
    est = sg.bad_fraction(graph, sg.random_failures(graph, 0.2, seed=2), 0.2)
    row = est.to_pandas().iloc[0]
    assert (row["ci_low"], row["ci_high"]) == est.ci()
    assert row["n_bad"] == est.n_bad and row["n"] == est.n


def test_check_report_repr_is_short_and_its_table_is_the_printed_one(report):
    text = _one_line_repr(report)
    assert len(text) < 200  # the dataclass repr was ~1,500 characters on one line
    frame = report.to_pandas()
    assert list(frame.columns) == ["row", "source", "bad_fraction", "bad_skills", "holds_for"]
    printed = str(report).splitlines()
    for row in frame.itertuples():
        line = next(ln for ln in printed if ln.strip().startswith(row.row))
        assert f"{row.bad_fraction:.4g}" in line
    best = frame[frame.row.str.endswith(", best")].iloc[0]
    assert best.bad_skills == report.certificate.n_bad_max
    assert best.bad_fraction == report.certificate.alpha
    for name, outcome in report.adversaries.items():
        sources = frame[frame.bad_skills == outcome.n_bad].source.tolist()
        assert ("adversary" if name in ("greedy", "targeted", "exact") else name) in sources
    assert set(frame.source) <= {"bound", "sharp", "averaging", "certificate", "adversary",
                                 "random", "deficit"}  # fmt: skip
    page = report._repr_html_()
    assert html.escape(report.message) in page
    assert len(_cells(page)) == frame.size


def test_performance_curve_is_a_table(graph):
    failed = sg.random_failures(graph, 0.2, seed=4)
    curve = sg.performance_curve(graph, failed, [0.1, 0.3, 0.6])
    _one_line_repr(curve)
    frame = curve.to_pandas()
    np.testing.assert_array_equal(frame["beta"], curve.betas)
    np.testing.assert_array_equal(frame["competent"], curve.competent)


def test_long_tables_show_head_and_tail_only():
    rows = [{"i": i, "x": i / 7} for i in range(100)]
    page = html_table(rows, "t <&> t")
    cells = _cells(page)
    shown = [int(c) for c in cells[::2] if c.isdigit()]
    assert shown[0] == 0 and shown[-1] == 99 and len(shown) == MAX_HTML_ROWS
    assert "t &lt;&amp;&gt; t" in page
    assert f"{100 - MAX_HTML_ROWS} more rows" in page
    assert f"{3 / 7:.6g}" in cells


# tiny grids: the warnings that the headline depends on the grid are expected
COARSE_GRID = "ignore:the .* factors are read off:UserWarning"


@pytest.fixture(scope="module")
def emerge_result():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", COARSE_GRID.split(":")[1], UserWarning)
        return sg.emerge(n_skills=80, n_texts=1500, replicates=2, sim_points=3,
                         bound_points=9, n_tuples=500, tuples=(1, 2), betas=(0.5,),
                         seed=5)  # fmt: skip


@pytest.mark.filterwarnings(COARSE_GRID)
def test_emerge_result_displays_and_returns_figures(emerge_result):
    from matplotlib.figure import Figure

    _one_line_repr(emerge_result)
    frame = emerge_result.to_pandas()
    assert len(frame) == len(emerge_result.rows)
    assert frame["value"].tolist() == pytest.approx(
        [r["value"] for r in emerge_result.rows], nan_ok=True
    )
    assert emerge_result.headline and html.escape(emerge_result.headline) in (
        emerge_result._repr_html_()
    )
    figures = emerge_result.figures()
    assert {"emergence", "performance_curves"} <= set(figures)
    for fig in figures.values():
        assert isinstance(fig, Figure)
        assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figures._repr_html_().count("<img src=\"data:image/png;base64,") == len(figures)


def test_progress_bar_without_ipywidgets_is_the_text_bar(monkeypatch):
    import tqdm

    from skillgraph import _progress

    monkeypatch.setitem(__import__("sys").modules, "ipywidgets", None)  # as if not installed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = _progress.progress_bar(3, desc="x")
        bar.update(3)
        bar.close()
    assert type(bar) is tqdm.std.tqdm


def test_frames_need_pandas_and_say_how_to_get_it(monkeypatch):
    result = sg.emergence_bound(0.05, 0.5, 8)
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)  # import pandas fails
    with pytest.raises(ImportError, match=re.escape("pip install 'skillgraph[pandas]'")):
        result.to_pandas()


MECHANISMS = {
    "memory": dict(trials=2, d=(16, 32, 64), fit_window=(16, 64), T=(10, 100, 1000), T_d=(32,),
                   data_fit_window=(10, 1000), emergence_d=(16, 64), replicates=2,
                   n_texts=2000, tuples=(1,)),
    "superposition": dict(n_scales=3, replicates=2, n_prompts=50, n_skills=100, n_texts=5000,
                          compute=(1e18, 1e26)),
    "induction": dict(n_tokens=12, seq_len=16, dim=16, batch=8, n_triggers=2, steps=4),
}  # fmt: skip


@pytest.mark.parametrize("room", sorted(MECHANISMS))
def test_mechanism_results_display_their_rows_and_figures(room):
    import importlib

    module = importlib.import_module(f"skillgraph.mechanisms.{room}")
    config_class = next(getattr(module, n) for n in dir(module) if n.endswith("Config"))
    result = module.run(config_class(**MECHANISMS[room]))
    _one_line_repr(result)
    rows = result.rows() if callable(result.rows) else result.rows
    frame = result.to_pandas()
    assert len(frame) == len(rows) > 0
    assert frame["value"].tolist() == pytest.approx([r["value"] for r in rows], nan_ok=True)
    page = result._repr_html_()
    assert "<table" in page and f"{len(rows)} rows" in page
    for fig in result.figures().values():
        assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
