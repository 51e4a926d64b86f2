"""One implementation of each figure: emergence against scale, performance curves, the
slingshot, bound against simulation.

Every figure function takes a tidy table (rows, columns or a DataFrame; see
:mod:`skillgraph.plotting.tidy`), selects its rows by the ``quantity`` column
(so one table can feed every figure) and returns a
:class:`matplotlib.figure.Figure` in the package's style
(:mod:`skillgraph.plotting.style`).  ``skillgraph emerge`` writes such tables;
``skillgraph plot`` builds them from a sweep store
(:mod:`skillgraph.sweep.figures`); the scripts of ``paper_figs``
build their own.  No pyplot state is touched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

# The style's names stay importable from here: ``skillgraph.plots`` (the module's
# name before 0.2) resolves to this module for one more release.
from skillgraph.plotting.style import (  # noqa: F401
    COLUMN_WIDTH,
    DPI,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    figure_style,
    new_figure,
    save_figure,
)
from skillgraph.plotting.tidy import rows_of, select, table_columns, unique

#: the name of :func:`~skillgraph.plotting.style.figure_style` before 0.2
style = figure_style

__all__ = [
    "emergence_figure",
    "performance_curves_figure",
    "slingshot_figure",
    "bound_vs_empirical_figure",
    "table_columns",
    "SOURCE_LABELS",
    "theta_axis",
]

_X_LABELS = {
    "compute": "training compute $C = 6ND$ (FLOPs)",
    "params": "parameters $N$",
    "tokens": "training tokens $D$",
    "theta": r"failure rate $\theta$",
}
#: How a ``source`` (failure model) is named in titles and legends.
SOURCE_LABELS = {
    "random": "random failures",
    "deficit": "deficit failures",
    "adversarial": "adversarial failures",
    "mask": "given failures",
}
_FORM_NAMES = {"kl": "KL form (Thm 1)", "paper": "paper form (Thm 1')"}
_FORM_DASHES = {"kl": "-", "paper": "--"}
# the sharp worst case: a dashed line in the colour of its t (a band's edges thinner)
_SHARP = dict(linestyle="--", linewidth=0.9)
_SHARP_BAND_ALPHA = 0.22
#: sources drawn beside the bound in every panel, never as panels of their own
_SHARP_SOURCES = ("sharp", "sharp_lower", "sharp_upper")
# the simulated series: a marker per point, joined by a thin dotted line
_SIMULATED = dict(linestyle=":", linewidth=0.8, markerfacecolor="white", markeredgewidth=0.9)


def _fmt_num(x: float) -> str:
    """A short label for a number: 0.05, 1e+20 -> 10^20 in mathtext."""
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    if abs(exponent) < 3:
        return f"{x:.3g}"
    mantissa = x / 10**exponent
    if abs(mantissa - 1) < 1e-9:
        return rf"$10^{{{exponent}}}$"
    return rf"${mantissa:.2g}\times10^{{{exponent}}}$"


def _theta_label(cols: dict, theta: float) -> str:
    """``theta = 0.18 (10^20 FLOPs)``: the scale is given when the table has it."""
    label = rf"$\theta = {theta:.2g}$"
    if "compute" in cols:
        c = cols["compute"][select(cols, theta=theta)]
        if np.isfinite(c).any():
            label += f" ({_fmt_num(float(c[np.isfinite(c)][0]))} FLOPs)"
    return label


def _legend_line(**kwargs):
    from matplotlib.lines import Line2D

    return Line2D([], [], **kwargs)


def _simulated_handle():
    return _legend_line(color="0.3", linestyle=":", linewidth=0.8, marker="o",
                        markerfacecolor="white", label="simulated (95% CI)")  # fmt: skip


def _sorted_by(cols: dict, mask: np.ndarray, key: str, *names: str) -> list[np.ndarray]:
    """Columns ``names`` of the rows in ``mask``, sorted by column ``key``."""
    order = np.argsort(cols[key][mask])
    return [cols[n][mask][order] for n in names]


# ----------------------------------------------------------------- emergence


def theta_axis(ax, x: np.ndarray, theta: np.ndarray) -> None:
    """Add a top axis to ``ax`` giving theta at the scale below (theta falls as scale grows).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        An axes with scale ``x`` on a log axis.
    x, theta : ndarray
        The scale of each point and its failure rate.
    """
    order = np.argsort(x)
    lx, th = np.log10(x[order]), theta[order]
    ok = np.isfinite(lx) & np.isfinite(th) & (th > 0)
    lx, th = lx[ok], th[ok]
    if lx.size < 2:
        return
    candidates = np.array(
        [0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005, 0.003, 0.002, 0.001, 5e-4, 2e-4, 1e-4]
    )
    lo, hi = th.min(), th.max()
    chosen = [c for c in candidates if lo <= c <= hi]
    if len(chosen) > 6:
        chosen = [c for c in chosen if str(c).rstrip("0")[-1] in "125"][:6]
    # log theta is monotone in log scale: interpolate the scale where theta = c
    pos = [10 ** float(np.interp(np.log(c), np.log(th[::-1]), lx[::-1])) for c in chosen]
    top = ax.secondary_xaxis("top")
    top.set_xticks(pos, [f"{c:g}" for c in chosen])
    top.set_xticks([], minor=True)
    top.set_xlabel(r"failure rate $\theta$")


class _Panel(NamedTuple):
    """One panel of the emergence figure: its place in the grid and what it shows."""

    row: int
    col: int
    facet: str | None
    source: str | None
    beta: float


def _emergence_grid(cols, sources, betas, facet) -> tuple[list[_Panel], tuple[int, int]]:
    """The panels, column by column, and the grid's shape.

    Without a facet: one row per source, one column per ``beta``.  With one:
    one row per facet value, one column per ``(source, beta)``.
    """
    sources = list(sources) or [None]
    if facet is None:
        rows, columns = [None], [(s, b) for b in betas for s in sources]
        shape = (len(sources), len(betas))
        place = {(s, b): (sources.index(s), betas.index(b)) for s, b in columns}
    else:
        rows, columns = unique(cols[facet]), [(s, b) for s in sources for b in betas]
        shape = (len(rows), len(columns))
        place = {c: (0, j) for j, c in enumerate(columns)}
    panels = [
        _Panel(i + place[(s, b)][0], place[(s, b)][1], f, s, b)
        for i, f in enumerate(rows)
        for s, b in columns
    ]
    return sorted(panels, key=lambda p: (p.col, p.row)), shape


def _draw_emergence_panel(ax, cols, x, panel: _Panel, tuples) -> None:
    where = {} if panel.facet is None else {"_facet": panel.facet}
    for ci, t in enumerate(tuples):
        colour = PALETTE[ci % len(PALETTE)]
        b = select(cols, source="bound", t=t, beta=panel.beta, **where)
        if b.any():
            ax.plot(*_sorted_by(cols, b, x, x, "value"), color=colour, zorder=3)
        _draw_sharp(ax, cols, x, colour, t=t, beta=panel.beta, **where)
        if panel.source is None:
            continue
        e = select(cols, source=panel.source, t=t, beta=panel.beta, **where)
        if not e.any():
            continue
        xs, ys = _sorted_by(cols, e, x, x, "value")
        if "ci_low" in cols and "ci_high" in cols:
            low, high = _sorted_by(cols, e, x, "ci_low", "ci_high")
            ax.fill_between(xs, low, high, color=colour, alpha=0.2, linewidth=0, zorder=1)
        ax.plot(xs, ys, color=colour, marker=MARKERS[ci % len(MARKERS)], zorder=4, **_SIMULATED)


def _draw_sharp(ax, cols, x, colour, **where) -> None:
    """The sharp worst case in the colour of its ``t``: the band of the tuple law, dashed edges.

    Between ``sharp_upper`` (every failure set leaves at least this competent)
    and ``sharp_lower`` (the best adversary leaves at most this), see
    docs/theory/sharp_tuples.rst; where the two sides meet (``t = 1``), or
    with only the single-skill rows (``sharp``), a dashed line.
    """
    low = select(cols, source="sharp_lower", **where)
    up = select(cols, source="sharp_upper", **where)
    if low.any() and up.any():
        xs, y_low = _sorted_by(cols, low, x, x, "value")
        _, y_up = _sorted_by(cols, up, x, x, "value")
        ax.fill_between(xs, y_up, y_low, color=colour, alpha=_SHARP_BAND_ALPHA, linewidth=0,
                        zorder=2)  # fmt: skip
        for ys in (y_low, y_up):
            ax.plot(xs, ys, color=colour, zorder=3, **_SHARP)
        return
    sharp = select(cols, source="sharp", **where)
    if sharp.any():  # the sharp worst case of single skills only (docs/theory/sharp.rst)
        ax.plot(*_sorted_by(cols, sharp, x, x, "value"), color=colour, zorder=3, **_SHARP)


def _emergence_title(panel: _Panel, shape: tuple[int, int], n_betas: int) -> str:
    title = SOURCE_LABELS.get(panel.source, panel.source) if panel.source else "bound"
    if n_betas > 1:
        title += rf", $\beta = {panel.beta:g}$"
    if shape[0] * shape[1] > 1:
        title = f"({_panel_letter(panel.row * shape[1] + panel.col)}) {title}"
    # a lone bound panel needs no title
    return "" if panel.source is None and shape == (1, 1) else title


def _panel_letter(index: int) -> str:
    """a, b, ..., z, aa, ab, ...: panel labels for any number of panels."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(97 + rest) + letters
    return letters


def _theta_ticks(ax, thetas: list[float]) -> None:
    """Ticks at the table's own theta values (plain numbers), at most eight."""
    step = -(-len(thetas) // 8)
    ticks = thetas[::step]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.set_xticks([], minor=True)


def _label_emergence_panel(ax, cols, x, panel: _Panel, shape, n_betas, draw_theta_axis) -> None:
    ax.set_xscale("log")
    if x == "theta":  # larger models (smaller theta) to the right, as on a scale axis
        _theta_ticks(ax, unique(cols["theta"]))
        ax.xaxis.set_inverted(True)  # idempotent, unlike invert_xaxis on shared axes
    ax.set_ylim(-0.03, 1.03)
    # lower right: every curve has risen to near 1 by the largest scales
    ax.text(
        0.97, 0.06, _emergence_title(panel, shape, n_betas),
        transform=ax.transAxes, ha="right", va="bottom",
        bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1.5),
    )  # fmt: skip
    if panel.facet is not None:
        ax.set_title(panel.facet, loc="left")
    if panel.col == 0:
        ax.set_ylabel(
            "fraction of $t$-tuples\n" rf"$\geq {1 - panel.beta:g}$-competent"
            if n_betas == 1
            else "fraction of $t$-tuples\ncompetent"
        )
    if panel.row == shape[0] - 1:
        label = _X_LABELS[x] + (r" (larger models $\rightarrow$)" if x == "theta" else "")
        ax.set_xlabel(label)
    # the theta of a scale, on top (not when a facet's title is there)
    top_panel = panel.row == 0 and panel.facet is None
    if top_panel and draw_theta_axis and x != "theta" and "theta" in cols:
        b = select(cols, source="bound", beta=panel.beta)
        if b.any():
            theta_axis(ax, cols[x][b], cols["theta"][b])


def _emergence_legend(fig, tuples, simulated: bool, n_columns: int, sharp: str) -> None:
    from matplotlib.patches import Patch

    handles = [
        _legend_line(color=PALETTE[ci % len(PALETTE)], label=f"$t = {t}$")
        for ci, t in enumerate(tuples)
    ]
    handles.append(_legend_line(color="0.3", label="guaranteed (bound)"))
    if sharp == "band":
        handles.append(Patch(facecolor="0.3", alpha=_SHARP_BAND_ALPHA, edgecolor="0.3",
                             linestyle="--", label="sharp worst case"))  # fmt: skip
    elif sharp == "line":
        handles.append(_legend_line(color="0.3", label="sharp worst case ($t = 1$)", **_SHARP))
    if simulated:
        handles.append(_simulated_handle())
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 3 if n_columns == 1 else 6),
        columnspacing=1.2,
        handlelength=1.8,
    )


def emergence_figure(
    table,
    *,
    x: str = "compute",
    sources: Sequence[str] | None = None,
    betas: Sequence[float] | None = None,
    theta_axis: bool = True,
    facet: str | None = None,
):
    """Fraction of competent ``t``-tuples against scale: bound lines, simulated points.

    One panel per failure model (rows) and per ``beta`` (columns).  Each
    ``t`` has one colour: the guaranteed fraction ``1 - alpha_star(t theta,
    beta, k)`` (Corollary 2, :doc:`/theory/tuples`) is a line, the simulated
    mean a marker with its 95% interval as a band.

    Parameters
    ----------
    table
        Tidy rows with ``quantity == "tuple_fraction"`` and the columns
        ``source, t, beta, value`` and ``x`` (``ci_low, ci_high, theta``
        optional).  ``source`` is ``"bound"`` for the guaranteed fraction.
    x : {"compute", "params", "tokens", "theta"}
        Scale column of the log x axis.  ``theta`` runs right to left, so that
        larger models are to the right.
    sources : sequence of str, optional
        Failure models to show, one panel row each (default: all in the table).
        With none, a single panel shows the bound.
    betas : sequence of float, optional
        Thresholds, one panel column each (default: all in the table).
    theta_axis : bool
        Label the top axis of each top panel with ``theta`` (not with ``x="theta"``).
    facet : str, optional
        A column that splits the panel rows further (e.g. a label of the graph's
        shape): one row of panels per value and failure model, the bound rows
        matched by that value too.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        A needed column is missing, no row has the quantity, or ``x`` is unknown.
    """
    if x not in _X_LABELS:
        raise ValueError(f"x must be one of {', '.join(map(repr, _X_LABELS))}, got {x!r}")
    needs = ("quantity", "source", "t", "beta", "value", x, *((facet,) if facet else ()))
    cols = rows_of(table, "tuple_fraction", needs, "emergence_figure")
    if facet:
        cols["_facet"] = cols[facet]
    if sources is None:
        sources = [s for s in unique(cols["source"]) if s != "bound" and s not in _SHARP_SOURCES]
    betas = unique(cols["beta"]) if betas is None else [float(b) for b in betas]
    tuples = [int(t) for t in unique(cols["t"])]
    panels, shape = _emergence_grid(cols, sources, betas, facet)
    fig, axes = new_figure(*shape, height=0.6 + 2.1 * shape[0], sharex=True, sharey=True)
    with figure_style():
        for panel in panels:
            ax = axes[panel.row, panel.col]
            _draw_emergence_panel(ax, cols, x, panel, tuples)
            _label_emergence_panel(ax, cols, x, panel, shape, len(betas), theta_axis)
        sharp = "band" if select(cols, source="sharp_upper").any() else (
            "line" if select(cols, source="sharp").any() else ""
        )
        _emergence_legend(fig, tuples, bool(sources), shape[1], sharp)
    return fig


# ----------------------------------------------------------------- performance curves


def _draw_curves(ax, cols, thetas, forms, simulated) -> None:
    """The curves of one panel: guaranteed lines per form, simulated points per theta."""
    bound = select(cols, source="bound") if "source" in cols else np.isfinite(cols["theta"])
    for ci, theta in enumerate(thetas):
        colour = PALETTE[ci % len(PALETTE)]
        for form in forms:
            sel = bound & select(cols, theta=theta, form=form)
            if sel.any():
                levels, values = _sorted_by(cols, sel, "competence_level", "competence_level",
                                            "value")  # fmt: skip
                ax.plot(levels, values, color=colour, linestyle=_FORM_DASHES.get(form, ":"))
        sel = ~bound & select(cols, theta=theta)
        if simulated and sel.any():
            levels, values = _sorted_by(cols, sel, "competence_level", "competence_level", "value")
            if "ci_low" in cols and "ci_high" in cols:
                low, high = _sorted_by(cols, sel, "competence_level", "ci_low", "ci_high")
                ax.vlines(levels, low, high, color=colour, linewidth=0.7)
            ax.plot(levels, values, color=colour, marker=MARKERS[ci % len(MARKERS)], **_SIMULATED)


def _curve_axes(ax, levels: np.ndarray, simulated: bool, *, left: bool, bottom: bool) -> None:
    ax.set_xscale("logit")
    lo, hi = max(np.nanmin(levels), 0.001), min(np.nanmax(levels), 0.9995)
    ax.set_xlim(lo, hi)
    ticks = [
        v for v in (0.1, 0.2, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999) if lo <= v <= hi
    ]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.set_xticks([], minor=True)
    ax.set_ylim(-0.02, 1.02)
    if bottom:
        ax.set_xlabel(r"competence level $1 - \beta$")
    if left:
        what = "fraction of skills" if simulated else "guaranteed fraction of skills"
        ax.set_ylabel(f"{what}\nat least this competent")


def _curves_legend(fig, cols, thetas, forms, simulated: bool) -> None:
    handles = [
        _legend_line(color=PALETTE[ci % len(PALETTE)], label=_theta_label(cols, theta))
        for ci, theta in enumerate(thetas)
    ]
    if len(forms) > 1:
        handles += [
            _legend_line(color="0.3", linestyle=_FORM_DASHES.get(f, ":"),
                         label=_FORM_NAMES.get(f, f"{f} form"))
            for f in forms
        ]  # fmt: skip
    if simulated:
        handles += [
            _legend_line(color="0.3", label="guaranteed (bound)"),
            _simulated_handle(),
        ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, columnspacing=1.0,
               handlelength=1.5)  # fmt: skip


def performance_curves_figure(table, *, forms: Sequence[str] | None = None, facet=None):
    """Fraction of skills against the competence level, one colour per ``theta``.

    The paper's performance curve (:doc:`/theory/graph`): at competence level
    ``1 - beta`` at least ``1 - alpha_star(theta, beta, k)`` of skills are
    ``(1 - beta)``-competent (Theorem 1, :doc:`/theory/theorem1`).  The
    guaranteed curves are lines (the KL form solid, the paper's form dashed);
    simulated curves, when the table has them, are markers with their 95%
    intervals.  The competence axis is on a logit scale so that thresholds
    ``beta`` spanning decades are spread out.

    Parameters
    ----------
    table
        Rows with ``quantity == "performance_curve"`` and columns ``theta,
        competence_level, value``; optional: ``form``, ``compute``, ``k``, and
        ``source`` (``"bound"`` for the guaranteed curves, else simulated,
        with ``ci_low``/``ci_high``).  Without ``source`` every row is a bound.
    forms : sequence of str, optional
        Forms of the bound to draw (default: all in the table).
    facet : str, optional
        A column whose values get one panel each (e.g. a label of the graph's shape).

    Returns
    -------
    matplotlib.figure.Figure
    """
    needs = ("quantity", "theta", "competence_level", "value", *((facet,) if facet else ()))
    cols = rows_of(table, "performance_curve", needs, "performance_curves_figure")
    if "form" not in cols:
        cols["form"] = np.array(["kl"] * len(cols["value"]), dtype=object)
    forms = unique(cols["form"]) if forms is None else list(forms)
    thetas = sorted(unique(cols["theta"]), reverse=True)
    simulated = "source" in cols and bool(np.any(cols["source"] != "bound"))
    panels = unique(cols[facet]) if facet else [None]
    ncols = min(len(panels), 2)
    nrows = -(-len(panels) // ncols)
    fig, axes = new_figure(nrows, ncols, height=0.6 + 2.1 * nrows if facet else 2.7)
    with figure_style():
        for index, (ax, panel) in enumerate(zip(axes.flat, panels, strict=False)):
            sub = cols if panel is None else {k: v[select(cols, **{facet: panel})]
                                              for k, v in cols.items()}  # fmt: skip
            _draw_curves(ax, sub, thetas, forms, simulated)
            _curve_axes(ax, cols["competence_level"], simulated, left=index % ncols == 0,
                        bottom=index + ncols >= len(panels))  # fmt: skip
            if panel is not None:
                ax.set_title(str(panel), loc="left")
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        k = unique(cols["k"]) if "k" in cols else []
        if len(k) == 1 and facet is None:
            axes[0, 0].set_title(rf"performance curves, $k = {int(k[0])}$", loc="left")
        _curves_legend(fig, cols, thetas, forms, simulated)
    return fig


# ----------------------------------------------------------------- slingshot


def _draw_slingshot(ax, cols, thetas, betas, ratio: bool) -> list:
    handles = []
    ci = 0
    for beta in betas:
        for theta in thetas:
            sel_b = select(cols, theta=theta, beta=beta, source="bound")
            sel_a = select(cols, theta=theta, beta=beta, source="averaging")
            if not sel_b.any():
                continue
            colour = PALETTE[ci % len(PALETTE)]
            ci += 1
            ks, alpha = _sorted_by(cols, sel_b, "k", "k", "value")
            label = _theta_label(cols, theta)
            if len(betas) > 1:
                label += rf", $\beta = {beta:g}$"
            if ratio:
                ax.plot(ks, alpha / (theta / beta), color=colour, marker="o", markersize=2.5)
            else:
                ax.plot(ks, alpha, color=colour)
                if sel_a.any():
                    avg = float(np.nanmean(cols["value"][sel_a]))
                    ax.axhline(avg, color=colour, linestyle="--", linewidth=0.9)
            handles.append(_legend_line(color=colour, label=label))
    return handles


def slingshot_figure(table, *, ratio: bool = False):
    """The slingshot: ``alpha_star`` falls below the averaging bound ``theta / beta`` as k grows.

    See :doc:`/theory/theorem1`.  ``ratio=False``: ``alpha_star`` (lines) and
    ``min(theta / beta, 1)`` (dashed, same colour) against ``k``, log-log.
    ``ratio=True``: the ratio ``alpha_star / (theta / beta)`` against ``k``.

    Parameters
    ----------
    table
        Rows with ``quantity == "slingshot"`` and columns ``source`` (``bound``
        or ``averaging``), ``theta, beta, k, value``.
    ratio : bool
        Draw the ratio instead of the two bounds.

    Returns
    -------
    matplotlib.figure.Figure
    """
    needs = ("quantity", "source", "theta", "beta", "k", "value")
    cols = rows_of(table, "slingshot", needs, "slingshot_figure")
    thetas = sorted(unique(cols["theta"]), reverse=True)
    betas = unique(cols["beta"])
    fig, axes = new_figure(1, 1, height=2.7)
    ax = axes[0, 0]
    with figure_style():
        handles = _draw_slingshot(ax, cols, thetas, betas, ratio)
        ax.set_xscale("log", base=2)
        kticks = [
            v
            for v in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
            if np.nanmin(cols["k"]) <= v <= np.nanmax(cols["k"])
        ]
        ax.set_xticks(kticks, [str(v) for v in kticks])
        ax.set_xticks([], minor=True)
        ax.set_xlabel("skills per text piece $k$")
        ax.set_yscale("log")
        if ratio:
            ax.set_ylabel(r"slingshot ratio $\alpha^* / (\theta/\beta)$")
            ax.axhline(1.0, color="0.5", linewidth=0.6)
        else:
            ax.set_ylabel(r"fraction of bad skills $\alpha$")
            handles += [
                _legend_line(color="0.3", label=r"$\alpha^*$ (emergence bound)"),
                _legend_line(color="0.3", linestyle="--", label=r"$\theta/\beta$ (averaging)"),
            ]
        if len(betas) == 1:
            ax.set_title(rf"$\beta = {betas[0]:g}$", loc="left")
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


# ----------------------------------------------------------------- bound against simulation

_BOUND_STYLES = (
    ("bound", dict(color=OKABE_ITO["black"]), r"bound $\alpha^*(\theta, \beta, k)$"),
    ("averaging", dict(color="0.55", linestyle="--", linewidth=0.9), r"averaging $\theta/\beta$"),
)
_BOUND_MARKERS = {
    "alpha_star": ("o", r"$\alpha^*$ (KL form)"),
    "certified_alpha": ("^", "certified"),
}


#: the columns a table needs for ``bound_vs_empirical_figure(..., x="bound")``
_SCATTER_COLUMNS = ("bound", "bound_name", "t")


def _draw_simulated_points(ax, cols, source, ci, floor) -> tuple[object, bool]:
    """One failure model's points (zeros on the floor); returns its legend line and any zero."""
    sel = select(cols, source=source)
    xs, ys = _sorted_by(cols, sel, "theta", "theta", "value")
    colour, marker = PALETTE[ci % len(PALETTE)], MARKERS[ci % len(MARKERS)]
    pos = ys > 0
    if "ci_low" in cols and "ci_high" in cols:
        low, high = _sorted_by(cols, sel, "theta", "ci_low", "ci_high")
        low = np.maximum(low, floor)
        ok = np.isfinite(high)
        ax.vlines(xs[ok], low[ok], np.maximum(high, floor)[ok], color=colour, linewidth=0.7)
    ax.plot(xs[pos], ys[pos], linestyle="none", marker=marker, color=colour)
    if (~pos).any():
        ax.plot(xs[~pos], np.full((~pos).sum(), floor), linestyle="none", marker="v",
                markerfacecolor="white", color=colour, clip_on=False)  # fmt: skip
    label = SOURCE_LABELS.get(source, source)
    line = _legend_line(color=colour, marker=marker, linestyle="none", label=label)
    return line, bool((~pos).any())


def _against_theta(ax, cols, sources, floor) -> list:
    handles = []
    for name, style_kw, label in _BOUND_STYLES:
        sel = select(cols, source=name)
        if sel.any():
            ax.plot(*_sorted_by(cols, sel, "theta", "theta", "value"), **style_kw)
            handles.append(_legend_line(label=label, **style_kw))
    any_zero = False
    for ci, source in enumerate(sources):
        if select(cols, source=source).any():
            line, zero = _draw_simulated_points(ax, cols, source, ci, floor)
            handles.append(line)
            any_zero |= zero
    if any_zero:
        handles.append(_legend_line(color="0.3", marker="v", markerfacecolor="white",
                                    linestyle="none", label="none bad (drawn at the floor)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xlabel(r"failure rate $\theta$")
    ax.set_ylabel("fraction of bad skills")
    return handles


def _against_bound(ax, cols, sources) -> list:
    """Each simulated mean against its own bound: below the diagonal, the bound holds."""
    handles = []
    simulated = np.isin(cols["source"], list(sources))
    for name, (marker, label) in _BOUND_MARKERS.items():
        for ci, t in enumerate(int(t) for t in unique(cols["t"])):
            sel = simulated & select(cols, bound_name=name, t=t)
            if sel.any():
                kw = dict(color=PALETTE[ci % len(PALETTE)], marker=marker, linestyle="none")
                if marker == "^":  # hollow: the certificate's points show through
                    kw["markerfacecolor"] = "none"
                ax.plot(cols["bound"][sel], cols["value"][sel], **kw)
                handles.append(_legend_line(label=f"{label}, $t = {t}$", **kw))
    ax.plot([0, 1], [0, 1], color="0.55", linestyle=":", linewidth=0.9)
    handles.append(_legend_line(color="0.55", linestyle=":", label="bound = simulated"))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("bound on the bad fraction")
    ax.set_ylabel("simulated bad fraction\n(mean over replicates)")
    ax.set_title("below the diagonal: the bound holds", loc="right")
    return handles


def bound_vs_empirical_figure(
    table,
    *,
    sources: Sequence[str] | None = None,
    floor: float | None = None,
    x: str = "theta",
):
    """Simulated bad fractions held against the bound.

    Theorem 1 holds for every failure set (:doc:`/theory/theorem1`), so the
    simulated points sit below the bound up to finite-size effects.  Rows
    with ``quantity == "bad_fraction"``: ``source == "bound"`` rows give
    ``alpha_star(theta, beta, k)``, ``source == "averaging"`` rows
    ``min(theta / beta, 1)``; other sources are failure models (markers, one
    colour each, with ``ci_low``/``ci_high`` bars).

    Parameters
    ----------
    table
        Tidy rows, see above; with ``x="bound"`` also the columns ``bound``
        (the bound for the row's parameters) and ``bound_name``
        (``"alpha_star"`` or ``"certified_alpha"``).
    sources : sequence of str, optional
        Failure models to show (default: all but the bounds).
    floor : float, optional
        ``x="theta"`` only: bottom of the log y axis.  A simulated fraction of
        exactly 0 cannot sit on a log axis: it is drawn on the floor as a
        hollow downward triangle.  Default: a third of the smallest positive
        value shown.
    x : {"theta", "bound"}
        ``"theta"``: log-log against ``theta``, the bounds as lines.
        ``"bound"``: each simulated mean against its own bound (one marker per
        bound, one colour per ``t``) with the diagonal, for tables whose rows
        differ in ``k``, ``beta`` or ``t`` (a sweep).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if x not in ("theta", "bound"):
        raise ValueError(f"x must be 'theta' or 'bound', got {x!r}")
    needs = ("quantity", "source", "value", *(("theta",) if x == "theta" else _SCATTER_COLUMNS))
    cols = rows_of(table, "bad_fraction", needs, "bound_vs_empirical_figure")
    if sources is None:
        sources = [s for s in unique(cols["source"]) if s not in ("bound", "averaging")]
    fig, axes = new_figure(1, 1, height=2.9)
    ax = axes[0, 0]
    with figure_style():
        if x == "bound":
            handles = _against_bound(ax, cols, sources)
        else:
            if floor is None:
                positive = cols["value"][np.isfinite(cols["value"]) & (cols["value"] > 0)]
                floor = float(positive.min()) / 3 if positive.size else 1e-4
            handles = _against_theta(ax, cols, sources, floor)
        title = []
        for name, sym in (("beta", r"\beta"), ("k", "k")):
            vals = unique(cols[name]) if name in cols else []
            if len(vals) == 1:
                title.append(rf"${sym} = {vals[0]:g}$")
        if title:
            ax.set_title(", ".join(title), loc="left")
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig
