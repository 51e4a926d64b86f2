"""Tests for skillgraph.plots: figures from tidy tables, sized and coloured as documented."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.colors import to_hex

from skillgraph.plotting import figures as plots

OKABE = {c.lower() for c in plots.OKABE_ITO.values()}


def emergence_rows(betas=(0.5,), sources=("random", "deficit"), tuples=(1, 2, 4)):
    rows = []
    compute = np.geomspace(1e20, 1e26, 7)
    theta = 0.2 * (compute / 1e20) ** -0.15
    for beta in betas:
        for t in tuples:
            guaranteed = np.clip(1 - t * theta / beta, 0, 1)
            for c, th, g in zip(compute, theta, guaranteed, strict=True):
                rows.append(
                    dict(
                        quantity="tuple_fraction",
                        source="bound",
                        compute=c,
                        theta=th,
                        t=t,
                        beta=beta,
                        value=g,
                    )
                )
                for s in sources:
                    v = min(1.0, g + 0.1)
                    rows.append(
                        dict(
                            quantity="tuple_fraction",
                            source=s,
                            compute=c,
                            theta=th,
                            t=t,
                            beta=beta,
                            value=v,
                            ci_low=max(0, v - 0.05),
                            ci_high=min(1, v + 0.05),
                        )
                    )
    return rows


def line_colours(fig):
    out = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            out.add(to_hex(line.get_color()).lower())
    return out


def overlaps(a, b):
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


def assert_legend_outside_axes(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert legends, "figure has no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not overlaps(box, ax.get_window_extent(renderer)), "legend covers an axes"


def test_table_columns_accepts_rows_and_columns():
    rows = [dict(a=1, b="x"), dict(a=2.5, b="y", c=None)]
    cols = plots.table_columns(rows)
    assert np.allclose(cols["a"], [1, 2.5])
    assert list(cols["b"]) == ["x", "y"]
    assert np.isnan(cols["c"]).all()
    cols = plots.table_columns({"a": [1, ""], "b": ["x", "y"]})
    assert np.isnan(cols["a"][1])
    with pytest.raises(TypeError, match="table"):
        plots.table_columns(42)
    with pytest.raises(ValueError, match="no rows"):
        plots.table_columns([])


def test_emergence_figure_layout_and_style(tmp_path):
    fig = plots.emergence_figure(emergence_rows())
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert len(panels) == 2  # random, deficit
    for ax in panels:
        assert ax.get_xscale() == "log"
    assert "FLOPs" in fig.axes[1].get_xlabel()
    assert "competent" in fig.axes[0].get_ylabel()
    assert line_colours(fig) <= OKABE
    assert_legend_outside_axes(fig)
    path = plots.save_figure(fig, tmp_path / "em", formats=("png",))[0]
    img = mpimg.imread(path)
    assert img.shape[1] == round(plots.COLUMN_WIDTH * plots.DPI)


def test_emergence_figure_panels_per_beta_and_bound_only():
    fig = plots.emergence_figure(emergence_rows(betas=(0.3, 0.5)))
    assert len([ax for ax in fig.axes if ax.get_lines()]) == 4
    assert fig.get_figwidth() == pytest.approx(2 * plots.COLUMN_WIDTH)
    fig = plots.emergence_figure(emergence_rows(sources=()), sources=())
    assert len([ax for ax in fig.axes if ax.get_lines()]) == 1
    assert len(fig.axes[0].get_lines()) == 3  # one bound line per t


def test_emergence_figure_errors():
    with pytest.raises(ValueError, match="tuple_fraction"):
        plots.emergence_figure(
            [dict(quantity="slingshot", source="bound", t=1, beta=0.5, value=0.1, compute=1e20)]
        )
    with pytest.raises(ValueError, match="compute"):
        plots.emergence_figure(
            [dict(quantity="tuple_fraction", source="bound", t=1, beta=0.5, value=0.1)]
        )
    with pytest.raises(ValueError, match="x must be"):
        plots.emergence_figure(emergence_rows(), x="value")


def test_performance_curves_figure_forms():
    rows = []
    for form in ("kl", "paper"):
        for theta in (0.1, 0.01):
            for b in np.geomspace(0.5, 0.01, 10):
                rows.append(
                    dict(
                        quantity="performance_curve",
                        form=form,
                        theta=theta,
                        k=8,
                        competence_level=1 - b,
                        value=max(0.0, 1 - theta / b),
                    )
                )
    fig = plots.performance_curves_figure(rows)
    ax = fig.axes[0]
    assert ax.get_xscale() == "logit"
    styles = {line.get_linestyle() for line in ax.get_lines()}
    assert styles == {"-", "--"}
    assert len(ax.get_lines()) == 4
    assert line_colours(fig) <= OKABE
    assert_legend_outside_axes(fig)


def test_slingshot_figure_ratio_and_levels():
    rows = []
    for k in (1, 2, 4, 8):
        rows.append(
            dict(quantity="slingshot", source="bound", theta=0.05, beta=0.5, k=k, value=0.1 / k)
        )
        rows.append(
            dict(quantity="slingshot", source="averaging", theta=0.05, beta=0.5, k=k, value=0.1)
        )
    fig = plots.slingshot_figure(rows, ratio=True)
    ax = fig.axes[0]
    ratio_line = ax.get_lines()[0]
    assert np.allclose(ratio_line.get_ydata(), [1, 0.5, 0.25, 0.125])
    assert ax.get_yscale() == "log"
    fig = plots.slingshot_figure(rows)
    ys = [tuple(np.atleast_1d(line.get_ydata())) for line in fig.axes[0].get_lines()]
    assert (0.1, 0.1) in ys  # the averaging bound as a horizontal line
    assert_legend_outside_axes(fig)


def test_bound_vs_empirical_zero_on_floor():
    rows = [
        dict(quantity="bad_fraction", source="bound", theta=th, value=th / 2) for th in (0.01, 0.1)
    ]
    rows += [
        dict(
            quantity="bad_fraction",
            source="random",
            theta=0.01,
            value=0.0,
            ci_low=0.0,
            ci_high=0.01,
        ),
        dict(
            quantity="bad_fraction",
            source="random",
            theta=0.1,
            value=0.02,
            ci_low=0.01,
            ci_high=0.03,
        ),
    ]
    fig = plots.bound_vs_empirical_figure(rows, floor=1e-3)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == pytest.approx(1e-3)
    markers = {line.get_marker(): line for line in ax.get_lines()}
    assert "v" in markers  # the zero is drawn on the floor, hollow
    assert np.allclose(markers["v"].get_ydata(), [1e-3])


def test_save_figure_formats(tmp_path):
    fig, _ = plots.new_figure()
    paths = plots.save_figure(fig, tmp_path / "f", formats=("png", "pdf"))
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert all(p.stat().st_size > 0 for p in paths)
