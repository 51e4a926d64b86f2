"""Tests for skillgraph.plotting: figures from tidy tables, sized and coloured as documented."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.colors import to_hex

from skillgraph import plotting as plots
from skillgraph.sweep import figures as sweep_figures

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


# ----------------------------------------------------------------- one implementation, every use


def test_emergence_figure_facets_get_a_row_each():
    rows = []
    for label, shift in (("k=4", 0.0), ("k=8", 0.05)):
        for r in emergence_rows(betas=(0.3, 0.5)):
            rows.append({**r, "value": min(1.0, r["value"] + shift), "shape": label})
    fig = plots.emergence_figure(rows, facet="shape")
    axes = [ax for ax in fig.axes if ax.get_lines()]
    assert len(axes) == 2 * 2 * 2  # 2 shapes x (2 sources x 2 betas)
    assert fig.get_figwidth() == pytest.approx(4 * plots.COLUMN_WIDTH)
    assert {ax.get_title(loc="left") for ax in axes} == {"k=4", "k=8"}
    # each panel's bound lines are its own shape's: k=8 sits 0.05 above k=4
    first = {ax.get_title(loc="left"): ax.get_lines()[0].get_ydata() for ax in axes}
    assert np.allclose(np.minimum(first["k=4"] + 0.05, 1.0), first["k=8"])


def test_emergence_figure_against_theta_puts_larger_models_right():
    fig = plots.emergence_figure(emergence_rows(), x="theta")
    ax = fig.axes[0]
    left, right = ax.get_xlim()
    assert left > right  # theta falls to the right
    thetas = sorted({r["theta"] for r in emergence_rows()})
    assert len(ax.get_xticks()) <= 8 and set(ax.get_xticks()) <= set(thetas)
    assert "larger models" in fig.axes[-1].get_xlabel() or "larger models" in ax.get_xlabel()


def test_performance_curves_figure_draws_simulated_points_beside_the_bound():
    rows = []
    for theta in (0.2, 0.05):
        for b in (0.1, 0.3, 0.5, 0.7):
            rows.append(dict(quantity="performance_curve", source="bound", form="kl", theta=theta,
                             k=8, competence_level=1 - b, value=0.5))  # fmt: skip
            rows.append(dict(quantity="performance_curve", source="random", theta=theta, k=8,
                             competence_level=1 - b, value=0.7, ci_low=0.6,
                             ci_high=0.8))  # fmt: skip
    fig = plots.performance_curves_figure(rows)
    ax = fig.axes[0]
    simulated = [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]
    assert len(simulated) == 2 and all(np.allclose(line.get_ydata(), 0.7) for line in simulated)
    assert ax.get_ylabel().startswith("fraction of skills")
    assert ax.get_xlim()[0] == pytest.approx(0.3)  # below 0.5 when the table has such levels
    assert_legend_outside_axes(fig)


def test_bound_vs_empirical_against_the_bound():
    rows = [
        dict(quantity="bad_fraction", source="random", t=t, value=v, bound=b, bound_name=name)
        for t, v, b, name in ((1, 0.1, 0.3, "alpha_star"), (2, 0.2, 0.5, "alpha_star"),
                              (1, 0.05, 0.4, "certified_alpha"))
    ]  # fmt: skip
    fig = plots.bound_vs_empirical_figure(rows, x="bound")
    points = {(float(x), float(y)) for line in fig.axes[0].get_lines()
              if line.get_linestyle() == "None"
              for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)}  # fmt: skip
    assert points == {(0.3, 0.1), (0.5, 0.2), (0.4, 0.05)}
    assert "diagonal" in fig.axes[0].get_title(loc="right")
    with pytest.raises(ValueError, match="bound_name"):
        plots.bound_vs_empirical_figure([{k: v for k, v in rows[0].items() if k != "bound_name"}],
                                        x="bound")  # fmt: skip


def test_save_figure_is_atomic(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    fig, _ = plots.new_figure()
    plots.save_figure(fig, tmp_path / "f")
    before = (tmp_path / "f.png").read_bytes()

    def half_written(self, f, **kwargs):
        f.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", half_written)
    with pytest.raises(KeyboardInterrupt):
        plots.save_figure(fig, tmp_path / "f")
    assert (tmp_path / "f.png").read_bytes() == before  # the old file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]  # no temporary left


def test_library_never_touches_pyplot(tmp_path):
    code = f"""
import sys
import skillgraph as sg
from skillgraph import plotting
sg.emerge({str(tmp_path / "o")!r}, sim_points=0, bound_points=21)
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported"
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _store_rows():
    """Sweep rows: 2 replicates, 2 thetas, graph shapes k = 4 and 8, random failures."""
    rows = []
    for k in (4, 8):
        for theta in (0.05, 0.2):
            for rep, bad in enumerate((0.1, 0.3)):
                base = dict(k=k, n_skills=100, n_texts=1000, failure="random", theta=theta,
                            replicate=rep, beta=0.5)  # fmt: skip
                rows.append(dict(base, quantity="bad_fraction", t=1, value=bad, n_effective=100.0))
                rows.append(dict(base, quantity="alpha_star", t=1, form="kl", value=0.4))
                rows.append(dict(base, quantity="competent", t=1, value=1 - bad))
    return rows


def test_sweep_tables_average_the_replicates():
    table, x = sweep_figures.emergence_table(_store_rows())
    assert x == "theta"
    sim = [r for r in table if r["source"] == "random"]
    assert len(sim) == 2 * 2 and all(r["value"] == pytest.approx(0.8) for r in sim)
    assert all(r["ci_low"] < 0.8 < r["ci_high"] for r in sim)
    assert {r["panel"] for r in table} == {"k=4", "k=8"}
    bound = [r for r in table if r["source"] == "bound"]
    assert bound and all(r["value"] == pytest.approx(0.6) for r in bound)
    curves = sweep_figures.performance_table(_store_rows())
    guaranteed = [r for r in curves if r["source"] == "bound"]
    from skillgraph.theory.bounds import performance_curve_bound

    for r in guaranteed:  # the adaptor passes the bound through (tested in test_bounds)
        assert r["value"] == pytest.approx(float(performance_curve_bound(r["theta"], r["k"], 0.5)))
    assert {(r["k"], r["theta"]) for r in guaranteed} == {(4, 0.05), (4, 0.2), (8, 0.05), (8, 0.2)}
    pairs = sweep_figures.bound_table(_store_rows())
    assert len(pairs) == 4  # two shapes, two thetas
    assert all(r["bound"] == 0.4 and r["value"] == pytest.approx(0.2) for r in pairs)


def test_sweep_figures_leave_out_shapes_beyond_the_limit_with_a_warning(monkeypatch):
    monkeypatch.setattr(sweep_figures, "MAX_PANEL_ROWS", 1)
    with pytest.warns(UserWarning, match="k=8 left out"):
        table, _ = sweep_figures.emergence_table(_store_rows())
    assert {r["panel"] for r in table} == {"k=4"}
