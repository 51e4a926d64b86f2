"""The figures besides emergence: performance curves, the slingshot, bound against simulation.

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

import numpy as np

from skillgraph.plotting import style as _style
from skillgraph.plotting._marks import SIMULATED, legend_line, simulated_handle, sorted_by

# The emergence figure has its own module; its names stay importable from here.
from skillgraph.plotting.emergence import SOURCE_LABELS, emergence_figure, theta_axis
from skillgraph.plotting.style import MARKERS, OKABE_ITO, PALETTE, figure_style, new_figure
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


def __getattr__(name: str):
    # Every name of the style stays readable from here: ``skillgraph.plots`` (this
    # module's name before 0.2, which held them) resolves to this module for one release.
    if name in _style.__all__:
        return getattr(_style, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_FORM_NAMES = {"kl": "KL form (Thm 1)", "paper": "paper form (Thm 1')"}
_FORM_DASHES = {"kl": "-", "paper": "--"}


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


# ----------------------------------------------------------------- performance curves


def _draw_curves(ax, cols, thetas, forms, simulated) -> None:
    """The curves of one panel: guaranteed lines per form, simulated points per theta."""
    bound = select(cols, source="bound") if "source" in cols else np.isfinite(cols["theta"])
    for ci, theta in enumerate(thetas):
        colour = PALETTE[ci % len(PALETTE)]
        for form in forms:
            sel = bound & select(cols, theta=theta, form=form)
            if sel.any():
                levels, values = sorted_by(cols, sel, "competence_level", "competence_level",
                                           "value")  # fmt: skip
                ax.plot(levels, values, color=colour, linestyle=_FORM_DASHES.get(form, ":"))
        sel = ~bound & select(cols, theta=theta)
        if simulated and sel.any():
            levels, values = sorted_by(cols, sel, "competence_level", "competence_level", "value")
            if "ci_low" in cols and "ci_high" in cols:
                low, high = sorted_by(cols, sel, "competence_level", "ci_low", "ci_high")
                ax.vlines(levels, low, high, color=colour, linewidth=0.7)
            ax.plot(levels, values, color=colour, marker=MARKERS[ci % len(MARKERS)], **SIMULATED)


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
        legend_line(color=PALETTE[ci % len(PALETTE)], label=_theta_label(cols, theta))
        for ci, theta in enumerate(thetas)
    ]
    if len(forms) > 1:
        handles += [
            legend_line(color="0.3", linestyle=_FORM_DASHES.get(f, ":"),
                        label=_FORM_NAMES.get(f, f"{f} form"))
            for f in forms
        ]  # fmt: skip
    if simulated:
        handles += [
            legend_line(color="0.3", label="guaranteed (bound)"),
            simulated_handle(),
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
            ks, alpha = sorted_by(cols, sel_b, "k", "k", "value")
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
            handles.append(legend_line(color=colour, label=label))
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
                legend_line(color="0.3", label=r"$\alpha^*$ (emergence bound)"),
                legend_line(color="0.3", linestyle="--", label=r"$\theta/\beta$ (averaging)"),
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
    xs, ys = sorted_by(cols, sel, "theta", "theta", "value")
    colour, marker = PALETTE[ci % len(PALETTE)], MARKERS[ci % len(MARKERS)]
    pos = ys > 0
    if "ci_low" in cols and "ci_high" in cols:
        low, high = sorted_by(cols, sel, "theta", "ci_low", "ci_high")
        low = np.maximum(low, floor)
        ok = np.isfinite(high)
        ax.vlines(xs[ok], low[ok], np.maximum(high, floor)[ok], color=colour, linewidth=0.7)
    ax.plot(xs[pos], ys[pos], linestyle="none", marker=marker, color=colour)
    if (~pos).any():
        ax.plot(xs[~pos], np.full((~pos).sum(), floor), linestyle="none", marker="v",
                markerfacecolor="white", color=colour, clip_on=False)  # fmt: skip
    label = SOURCE_LABELS.get(source, source)
    line = legend_line(color=colour, marker=marker, linestyle="none", label=label)
    return line, bool((~pos).any())


def _against_theta(ax, cols, sources, floor) -> list:
    handles = []
    for name, style_kw, label in _BOUND_STYLES:
        sel = select(cols, source=name)
        if sel.any():
            ax.plot(*sorted_by(cols, sel, "theta", "theta", "value"), **style_kw)
            handles.append(legend_line(label=label, **style_kw))
    any_zero = False
    for ci, source in enumerate(sources):
        if select(cols, source=source).any():
            line, zero = _draw_simulated_points(ax, cols, source, ci, floor)
            handles.append(line)
            any_zero |= zero
    if any_zero:
        handles.append(legend_line(color="0.3", marker="v", markerfacecolor="white",
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
                handles.append(legend_line(label=f"{label}, $t = {t}$", **kw))
    ax.plot([0, 1], [0, 1], color="0.55", linestyle=":", linewidth=0.9)
    handles.append(legend_line(color="0.55", linestyle=":", label="bound = simulated"))
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
