"""Figures: emergence against scale, performance curves, the slingshot, bound against simulation.

Every figure function takes a tidy table (a list of row dicts, a dict of
columns or a pandas DataFrame) with the columns of
:data:`skillgraph.emerge.COLUMNS` and returns a :class:`matplotlib.figure.Figure`
sized for one journal column (:data:`COLUMN_WIDTH` inches), drawn with the
Okabe-Ito colour-blind-safe palette.  The rows are selected by the
``quantity`` column, so one table can feed every figure; ``skillgraph emerge``
and ``skillgraph plot`` write such tables.

matplotlib is imported lazily and only the object-oriented API is used
(no pyplot state), so these functions are safe in scripts and servers.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "COLUMN_WIDTH",
    "DPI",
    "style",
    "new_figure",
    "table_columns",
    "emergence_figure",
    "performance_curves_figure",
    "slingshot_figure",
    "bound_vs_empirical_figure",
    "save_figure",
]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under the
#: common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order of use: the strongest contrasts on white first, yellow last.
PALETTE = tuple(
    OKABE_ITO[c]
    for c in (
        "blue",
        "vermillion",
        "bluish_green",
        "reddish_purple",
        "orange",
        "sky_blue",
        "black",
        "yellow",
    )
)
#: Width of one journal column, inches.
COLUMN_WIDTH = 3.5
#: Resolution of saved raster figures.
DPI = 300
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

_RC = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "legend.frameon": False,
    "lines.linewidth": 1.3,
    "lines.markersize": 3.5,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "savefig.dpi": DPI,
    "figure.dpi": 100,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by journals
}


@contextlib.contextmanager
def style():
    """A context in which matplotlib uses the package's figure style."""
    import matplotlib as mpl

    with mpl.rc_context(_RC):
        yield


def new_figure(
    nrows: int = 1, ncols: int = 1, *, height: float = 2.6, width: float | None = None, **kwargs
):
    """A figure with constrained layout, one column wide by default.

    Returns ``(fig, axes)`` with ``axes`` a 2-d array (``squeeze=False``).
    """
    from matplotlib.figure import Figure

    width = COLUMN_WIDTH * ncols if width is None else width
    with style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def table_columns(table) -> dict[str, np.ndarray]:
    """Normalise a tidy table into a dict of numpy columns.

    Accepts a list of row mappings, a mapping of columns, or any object with
    ``to_dict("list")`` (a pandas DataFrame).  Empty cells (``None``, ``""``)
    in numeric columns become NaN.
    """
    if hasattr(table, "to_dict") and not isinstance(table, Mapping):
        table = table.to_dict("list")
    if isinstance(table, Mapping):
        cols = {k: list(v) for k, v in table.items()}
    elif isinstance(table, Sequence) and not isinstance(table, (str, bytes)):
        if not table:
            raise ValueError("table has no rows")
        if not all(isinstance(r, Mapping) for r in table):
            raise TypeError("table must be a list of row dicts, a dict of columns or a DataFrame")
        keys = list(dict.fromkeys(k for r in table for k in r))
        cols = {k: [r.get(k) for r in table] for k in keys}
    else:
        raise TypeError(
            "table must be a list of row dicts, a dict of columns or a DataFrame, "
            f"got {type(table).__name__}"
        )
    out = {}
    for k, v in cols.items():
        out[k] = _as_column(v)
    return out


def _as_column(values: list) -> np.ndarray:
    cleaned = [math.nan if (v is None or v == "") else v for v in values]
    try:
        return np.asarray(cleaned, dtype=float)
    except (TypeError, ValueError):
        return np.asarray(
            ["" if (isinstance(v, float) and math.isnan(v)) else str(v) for v in cleaned],
            dtype=object,
        )


def _select(cols: dict, **where) -> np.ndarray:
    n = len(next(iter(cols.values())))
    mask = np.ones(n, dtype=bool)
    for key, value in where.items():
        if key not in cols:
            raise ValueError(f"table has no column {key!r} (columns: {', '.join(cols)})")
        col = cols[key]
        if col.dtype == object:
            mask &= col == value
        else:
            mask &= np.isclose(col, value, rtol=1e-12, atol=0.0)
    return mask


def _require(cols: dict, names: Iterable[str], what: str) -> None:
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError(
            f"{what} needs the columns {', '.join(missing)}; table has {', '.join(cols)}"
        )


def _unique(col: np.ndarray) -> list:
    if col.dtype == object:
        return list(dict.fromkeys(v for v in col if v != ""))
    return sorted(float(v) for v in np.unique(col[np.isfinite(col)]))


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


_X_LABELS = {
    "compute": "training compute $C = 6ND$ (FLOPs)",
    "params": "parameters $N$",
    "tokens": "training tokens $D$",
    "theta": r"failure rate $\theta$",
}
_SOURCE_LABELS = {
    "random": "random failures",
    "deficit": "deficit failures",
    "adversarial": "adversarial failures",
    "mask": "given failures",
}


def _theta_label(cols: dict, theta: float) -> str:
    """``theta = 0.18 (10^20 FLOPs)``: the scale is given when the table has it."""
    label = rf"$\theta = {theta:.2g}$"
    if "compute" in cols:
        c = cols["compute"][_select(cols, theta=theta)]
        if np.isfinite(c).any():
            label += f" ({_fmt_num(float(c[np.isfinite(c)][0]))} FLOPs)"
    return label


def _theta_axis(ax, x: np.ndarray, theta: np.ndarray) -> None:
    """A top axis giving theta at the scale below (theta falls as scale grows)."""
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


def emergence_figure(
    table,
    *,
    x: str = "compute",
    sources: Sequence[str] | None = None,
    betas: Sequence[float] | None = None,
    theta_axis: bool = True,
):
    """Fraction of competent ``t``-tuples against scale: bound lines, simulated points.

    One panel per failure model (rows) and per ``beta`` (columns).  Each
    ``t`` has one colour: the guaranteed fraction ``1 - alpha_star(t theta,
    beta, k)`` (Corollary 2, theory.md §5) is a line, the simulated mean a
    marker with its 95% interval as a band.

    Parameters
    ----------
    table
        Tidy rows with ``quantity == "tuple_fraction"`` and the columns ``source,
        t, beta, value, ci_low, ci_high, theta`` and ``x``.
    x : str
        Scale column for the log x axis (``compute``, ``params`` or ``tokens``).
    sources : sequence of str, optional
        Failure models to show, one panel row each (default: all in the table).
        With none, a single panel shows the bound.
    betas : sequence of float, optional
        Thresholds, one panel column each (default: all in the table).
    theta_axis : bool
        Label the top axis of each top panel with ``theta``.
    """
    cols = table_columns(table)
    _require(cols, ("quantity", "source", "t", "beta", "value", x), "emergence_figure")
    if x not in _X_LABELS:
        raise ValueError(f"x must be one of {', '.join(map(repr, _X_LABELS))}, got {x!r}")
    rows = _select(cols, quantity="tuple_fraction")
    if not rows.any():
        raise ValueError("table has no rows with quantity 'tuple_fraction'")
    cols = {k: v[rows] for k, v in cols.items()}
    if sources is None:
        sources = [s for s in _unique(cols["source"]) if s != "bound"]
    betas = _unique(cols["beta"]) if betas is None else [float(b) for b in betas]
    tuples = [int(t) for t in _unique(cols["t"])]
    panels = list(sources) or [None]
    fig, axes = new_figure(
        len(panels), len(betas), height=0.6 + 2.1 * len(panels), sharex=True, sharey=True
    )
    with style():
        from matplotlib.lines import Line2D

        for j, beta in enumerate(betas):
            for i, source in enumerate(panels):
                ax = axes[i, j]
                for ci, t in enumerate(tuples):
                    colour = PALETTE[ci % len(PALETTE)]
                    b = _select(cols, source="bound", t=t, beta=beta)
                    if b.any():
                        order = np.argsort(cols[x][b])
                        ax.plot(cols[x][b][order], cols["value"][b][order], color=colour, zorder=3)
                    if source is None:
                        continue
                    e = _select(cols, source=source, t=t, beta=beta)
                    if e.any():
                        order = np.argsort(cols[x][e])
                        xs, ys = cols[x][e][order], cols["value"][e][order]
                        if "ci_low" in cols and "ci_high" in cols:
                            ax.fill_between(
                                xs,
                                cols["ci_low"][e][order],
                                cols["ci_high"][e][order],
                                color=colour,
                                alpha=0.2,
                                linewidth=0,
                                zorder=1,
                            )
                        ax.plot(
                            xs,
                            ys,
                            linestyle=":",
                            linewidth=0.8,
                            color=colour,
                            marker=MARKERS[ci % len(MARKERS)],
                            markerfacecolor="white",
                            markeredgewidth=0.9,
                            zorder=4,
                        )
                ax.set_xscale("log")
                ax.set_ylim(-0.03, 1.03)
                title = _SOURCE_LABELS.get(source, source) if source else "bound"
                if len(betas) > 1:
                    title += rf", $\beta = {beta:g}$"
                if len(panels) * len(betas) > 1:
                    title = f"({chr(97 + i * len(betas) + j)}) {title}"
                # lower right: every curve has risen to near 1 by the largest scales
                if source is None and len(betas) == 1:
                    title = ""
                ax.text(
                    0.97,
                    0.06,
                    title,
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1.5),
                )
                if j == 0:
                    ax.set_ylabel(
                        f"fraction of $t$-tuples\n"
                        rf"$\geq {1 - beta:g}$-competent"
                        if len(betas) == 1
                        else "fraction of $t$-tuples\ncompetent"
                    )
                if i == len(panels) - 1:
                    ax.set_xlabel(_X_LABELS[x])
                if i == 0 and theta_axis and "theta" in cols:
                    b = _select(cols, source="bound", beta=beta)
                    if b.any():
                        _theta_axis(ax, cols[x][b], cols["theta"][b])
        handles = [
            Line2D([], [], color=PALETTE[ci % len(PALETTE)], label=f"$t = {t}$")
            for ci, t in enumerate(tuples)
        ]
        handles.append(Line2D([], [], color="0.3", label="guaranteed (bound)"))
        if sources:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="0.3",
                    linestyle=":",
                    linewidth=0.8,
                    marker="o",
                    markerfacecolor="white",
                    label="simulated (95% CI)",
                )
            )
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 3 if len(betas) == 1 else 6),
            columnspacing=1.2,
            handlelength=1.8,
        )
    return fig


def performance_curves_figure(table, *, forms: Sequence[str] | None = None):
    """Guaranteed fraction of skills against the competence level, one line per ``theta``.

    The paper's performance curve (theory.md §1): at competence level
    ``1 - beta`` at least ``1 - alpha_star(theta, beta, k)`` of skills are
    ``(1 - beta)``-competent (Theorem 1, §3).  The competence axis is on a
    logit scale so that thresholds ``beta`` spanning decades are spread out.
    With several ``form`` values the KL form is solid and the paper form dashed.

    Parameters
    ----------
    table
        Rows with ``quantity == "performance_curve"`` and columns ``theta,
        competence_level, value`` (``form``, ``compute``, ``k`` optional).
    forms : sequence of str, optional
        Forms to draw (default: all in the table).
    """
    cols = table_columns(table)
    _require(cols, ("quantity", "theta", "competence_level", "value"), "performance_curves_figure")
    rows = _select(cols, quantity="performance_curve")
    if not rows.any():
        raise ValueError("table has no rows with quantity 'performance_curve'")
    cols = {k: v[rows] for k, v in cols.items()}
    if "form" not in cols:
        cols["form"] = np.array(["kl"] * rows.sum(), dtype=object)
    forms = _unique(cols["form"]) if forms is None else list(forms)
    dashes = {"kl": "-", "paper": "--"}
    thetas = sorted(_unique(cols["theta"]), reverse=True)
    fig, axes = new_figure(1, 1, height=2.7)
    ax = axes[0, 0]
    with style():
        from matplotlib.lines import Line2D

        for ci, theta in enumerate(thetas):
            colour = PALETTE[ci % len(PALETTE)]
            for form in forms:
                sel = _select(cols, theta=theta, form=form)
                if not sel.any():
                    continue
                order = np.argsort(cols["competence_level"][sel])
                ax.plot(
                    cols["competence_level"][sel][order],
                    cols["value"][sel][order],
                    color=colour,
                    linestyle=dashes.get(form, ":"),
                )
        ax.set_xscale("logit")
        levels = cols["competence_level"]
        lo, hi = max(np.nanmin(levels), 0.5), min(np.nanmax(levels), 0.9995)
        ax.set_xlim(lo, hi)
        ticks = [v for v in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999) if lo <= v <= hi]
        ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
        ax.set_xticks([], minor=True)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(r"competence level $1 - \beta$")
        ax.set_ylabel("guaranteed fraction of skills\nat least this competent")
        k = _unique(cols["k"]) if "k" in cols else []
        if len(k) == 1:
            ax.set_title(rf"performance curves, $k = {int(k[0])}$", loc="left")
        handles = [
            Line2D([], [], color=PALETTE[ci % len(PALETTE)], label=_theta_label(cols, theta))
            for ci, theta in enumerate(thetas)
        ]
        if len(forms) > 1:
            names = {"kl": "KL form (Thm 1)", "paper": "paper form (Thm 1')"}
            handles += [
                Line2D(
                    [],
                    [],
                    color="0.3",
                    linestyle=dashes.get(f, ":"),
                    label=names.get(f, f"{f} form"),
                )
                for f in forms
            ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=2,
            columnspacing=1.0,
            handlelength=1.5,
        )
    return fig


def slingshot_figure(table, *, ratio: bool = False):
    """The slingshot: ``alpha_star`` falls below the averaging bound ``theta / beta`` as k grows.

    theory.md §3.  ``ratio=False``: ``alpha_star`` (lines) and ``min(theta /
    beta, 1)`` (dashed, same colour) against ``k``, log-log.  ``ratio=True``:
    the ratio ``alpha_star / (theta / beta)`` against ``k``.

    Parameters
    ----------
    table
        Rows with ``quantity == "slingshot"`` and columns ``source`` (``bound``
        or ``averaging``), ``theta, beta, k, value``.
    """
    cols = table_columns(table)
    _require(cols, ("quantity", "source", "theta", "beta", "k", "value"), "slingshot_figure")
    rows = _select(cols, quantity="slingshot")
    if not rows.any():
        raise ValueError("table has no rows with quantity 'slingshot'")
    cols = {k: v[rows] for k, v in cols.items()}
    thetas = sorted(_unique(cols["theta"]), reverse=True)
    betas = _unique(cols["beta"])
    fig, axes = new_figure(1, 1, height=2.7)
    ax = axes[0, 0]
    with style():
        from matplotlib.lines import Line2D

        handles = []
        ci = 0
        for beta in betas:
            for theta in thetas:
                sel_b = _select(cols, theta=theta, beta=beta, source="bound")
                sel_a = _select(cols, theta=theta, beta=beta, source="averaging")
                if not sel_b.any():
                    continue
                colour = PALETTE[ci % len(PALETTE)]
                ci += 1
                order = np.argsort(cols["k"][sel_b])
                ks, alpha = cols["k"][sel_b][order], cols["value"][sel_b][order]
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
                handles.append(Line2D([], [], color=colour, label=label))
        ax.set_xscale("log", base=2)
        kticks = [
            v
            for v in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
            if np.nanmin(cols["k"]) <= v <= np.nanmax(cols["k"])
        ]
        ax.set_xticks(kticks, [str(v) for v in kticks])
        ax.set_xticks([], minor=True)
        ax.set_xlabel("skills per text piece $k$")
        if ratio:
            ax.set_yscale("log")
            ax.set_ylabel(r"slingshot ratio $\alpha^* / (\theta/\beta)$")
            ax.axhline(1.0, color="0.5", linewidth=0.6)
        else:
            ax.set_yscale("log")
            ax.set_ylabel(r"fraction of bad skills $\alpha$")
            handles += [
                Line2D([], [], color="0.3", label=r"$\alpha^*$ (emergence bound)"),
                Line2D([], [], color="0.3", linestyle="--", label=r"$\theta/\beta$ (averaging)"),
            ]
        if len(betas) == 1:
            ax.set_title(rf"$\beta = {betas[0]:g}$", loc="left")
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


def bound_vs_empirical_figure(
    table, *, sources: Sequence[str] | None = None, floor: float | None = None
):
    """Empirical bad fractions against the bound, as ``theta`` varies.

    Rows with ``quantity == "bad_fraction"``: ``source == "bound"`` rows give
    ``alpha_star(theta, beta, k)`` (solid line), ``source == "averaging"`` rows
    ``min(theta / beta, 1)`` (dashed); other sources are failure models
    (markers with ``ci_low``/``ci_high`` error bars).  Log-log axes, one colour
    per failure model.  theory.md §3: Theorem 1 holds for every failure set,
    so the simulated points sit below the line up to finite-size effects.

    Parameters
    ----------
    floor : float, optional
        Bottom of the y axis.  A simulated fraction of exactly 0 cannot sit on a
        log axis: it is drawn on the floor as a hollow downward triangle.
        Default: a third of the smallest positive value shown.
    """
    cols = table_columns(table)
    _require(cols, ("quantity", "source", "theta", "value"), "bound_vs_empirical_figure")
    rows = _select(cols, quantity="bad_fraction")
    if not rows.any():
        raise ValueError("table has no rows with quantity 'bad_fraction'")
    cols = {k: v[rows] for k, v in cols.items()}
    if sources is None:
        sources = [s for s in _unique(cols["source"]) if s not in ("bound", "averaging")]
    positive = cols["value"][np.isfinite(cols["value"]) & (cols["value"] > 0)]
    if floor is None:
        floor = float(positive.min()) / 3 if positive.size else 1e-4
    fig, axes = new_figure(1, 1, height=2.9)
    ax = axes[0, 0]
    with style():
        from matplotlib.lines import Line2D

        handles = []
        for name, style_kw, label in (
            ("bound", dict(color=OKABE_ITO["black"]), r"bound $\alpha^*(\theta, \beta, k)$"),
            (
                "averaging",
                dict(color="0.55", linestyle="--", linewidth=0.9),
                r"averaging $\theta/\beta$",
            ),
        ):
            sel = _select(cols, source=name)
            if sel.any():
                order = np.argsort(cols["theta"][sel])
                ax.plot(cols["theta"][sel][order], cols["value"][sel][order], **style_kw)
                handles.append(Line2D([], [], label=label, **style_kw))
        any_zero = False
        for ci, source in enumerate(sources):
            sel = _select(cols, source=source)
            if not sel.any():
                continue
            order = np.argsort(cols["theta"][sel])
            xs, ys = cols["theta"][sel][order], cols["value"][sel][order]
            colour = PALETTE[ci % len(PALETTE)]
            marker = MARKERS[ci % len(MARKERS)]
            pos = ys > 0
            if "ci_low" in cols and "ci_high" in cols:
                lo, hi = cols["ci_low"][sel][order], cols["ci_high"][sel][order]
                lo = np.maximum(lo, floor)
                ax.vlines(
                    xs[np.isfinite(hi)],
                    lo[np.isfinite(hi)],
                    np.maximum(hi, floor)[np.isfinite(hi)],
                    color=colour,
                    linewidth=0.7,
                )
            ax.plot(xs[pos], ys[pos], linestyle="none", marker=marker, color=colour)
            if (~pos).any():
                any_zero = True
                ax.plot(
                    xs[~pos],
                    np.full((~pos).sum(), floor),
                    linestyle="none",
                    marker="v",
                    markerfacecolor="white",
                    color=colour,
                    clip_on=False,
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    marker=marker,
                    linestyle="none",
                    label=_SOURCE_LABELS.get(source, source),
                )
            )
        if any_zero:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="0.3",
                    marker="v",
                    markerfacecolor="white",
                    linestyle="none",
                    label="none bad (drawn at the floor)",
                )
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel(r"failure rate $\theta$")
        ax.set_ylabel("fraction of bad skills")
        title = []
        for name, sym in (("beta", r"\beta"), ("k", "k")):
            vals = _unique(cols[name]) if name in cols else []
            if len(vals) == 1:
                title.append(rf"${sym} = {vals[0]:g}$")
        if title:
            ax.set_title(", ".join(title), loc="left")
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


def save_figure(
    fig, stem: str | os.PathLike, formats: Sequence[str] = ("png",), dpi: int = DPI
) -> list[Path]:
    """Save ``fig`` as ``stem.<format>`` for each format; returns the paths.

    The figure keeps its size (no tight bounding box), so a one-column figure
    is ``COLUMN_WIDTH * dpi`` pixels wide.
    """
    stem = Path(stem)
    paths = []
    with style():
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path, dpi=dpi, metadata=_metadata(fmt))
            paths.append(path)
    return paths


def _metadata(fmt: str) -> dict | None:
    # no creation dates: the same run gives byte-identical PNGs/PDFs
    if fmt == "png":
        return {"Software": "skillgraph"}
    if fmt == "pdf":
        return {"Creator": "skillgraph", "CreationDate": None}
    return None
