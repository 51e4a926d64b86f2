"""The emergence figure: the fraction of competent ``t``-tuples against scale, with its panels.

One panel per failure model and ``beta`` (or per value of a facet column): the
guaranteed fraction as a line per ``t``, the sharp worst case as a dashed line
or band beside it, the simulated fraction as markers with their 95% band.  The
table is tidy (:mod:`skillgraph.plotting.tidy`); the other figures are in
:mod:`skillgraph.plotting.figures`.  No pyplot state is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from skillgraph.plotting._marks import SIMULATED, legend_line, simulated_handle, sorted_by
from skillgraph.plotting.style import MARKERS, PALETTE, figure_style, new_figure
from skillgraph.plotting.tidy import rows_of, select, unique

__all__ = ["emergence_figure", "theta_axis", "SOURCE_LABELS"]

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
# the sharp worst case: a dashed line in the colour of its t (a band's edges thinner)
_SHARP = dict(linestyle="--", linewidth=0.9)
_SHARP_BAND_ALPHA = 0.22
#: sources drawn beside the bound in every panel, never as panels of their own
_SHARP_SOURCES = ("sharp", "sharp_lower", "sharp_upper")


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
            ax.plot(*sorted_by(cols, b, x, x, "value"), color=colour, zorder=3)
        _draw_sharp(ax, cols, x, colour, t=t, beta=panel.beta, **where)
        if panel.source is None:
            continue
        e = select(cols, source=panel.source, t=t, beta=panel.beta, **where)
        if not e.any():
            continue
        xs, ys = sorted_by(cols, e, x, x, "value")
        if "ci_low" in cols and "ci_high" in cols:
            low, high = sorted_by(cols, e, x, "ci_low", "ci_high")
            ax.fill_between(xs, low, high, color=colour, alpha=0.2, linewidth=0, zorder=1)
        ax.plot(xs, ys, color=colour, marker=MARKERS[ci % len(MARKERS)], zorder=4, **SIMULATED)


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
        xs, y_low = sorted_by(cols, low, x, x, "value")
        _, y_up = sorted_by(cols, up, x, x, "value")
        ax.fill_between(xs, y_up, y_low, color=colour, alpha=_SHARP_BAND_ALPHA, linewidth=0,
                        zorder=2)  # fmt: skip
        for ys in (y_low, y_up):
            ax.plot(xs, ys, color=colour, zorder=3, **_SHARP)
        return
    sharp = select(cols, source="sharp", **where)
    if sharp.any():  # the sharp worst case of single skills only (docs/theory/sharp.rst)
        ax.plot(*sorted_by(cols, sharp, x, x, "value"), color=colour, zorder=3, **_SHARP)


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
        legend_line(color=PALETTE[ci % len(PALETTE)], label=f"$t = {t}$")
        for ci, t in enumerate(tuples)
    ]
    handles.append(legend_line(color="0.3", label="guaranteed (bound)"))
    if sharp == "band":
        handles.append(Patch(facecolor="0.3", alpha=_SHARP_BAND_ALPHA, edgecolor="0.3",
                             linestyle="--", label="sharp worst case"))  # fmt: skip
    elif sharp == "line":
        handles.append(legend_line(color="0.3", label="sharp worst case ($t = 1$)", **_SHARP))
    if simulated:
        handles.append(simulated_handle())
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
