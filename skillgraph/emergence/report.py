"""What an emergence run reports: the doubling factors, the headline, the summary and the files.

The headline answers one question from the run's own table: how much more
scale does a model need before ``2t``-tuples of skills reach the competence
that ``t``-tuples had?  Under Corollary 2 (:doc:`/theory/tuples`) the bound
gives the same factor at every level; the simulated curves need not.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np

from skillgraph.emergence.config import EmergeConfig
from skillgraph.emergence.result import EmergeResult
from skillgraph.emergence.scales import decades
from skillgraph.emergence.table import COLUMNS, REPLICATE_COLUMNS
from skillgraph.plotting import style
from skillgraph.tables import atomic_write, prepare_output_dir, write_table

__all__ = [
    "MIN_POINTS_PER_DECADE",
    "doubling_factors",
    "grid_notes",
    "headline",
    "summary_table",
    "summary_markdown",
    "write_outputs",
]

#: Grid points per decade of scale below which the doubling factors depend on
#: the grid: the curves are interpolated linearly between grid points, and at
#: the default scale range the bound's factor moves by about 1% at 2 points
#: per decade, 2% at 1 and 15-25% at 0.6 (91x exactly for Chinchilla).
MIN_POINTS_PER_DECADE = 2.0

_SCALE_NAMES = ("compute", "params", "tokens")
#: the sides of the sharp tuple law whose doubling factors the headline gives
_SHARP_SIDES = ("sharp_lower", "sharp_upper")
#: one-letter names of the sources in the summary table
_SHORT = {"bound": "g", "random": "r", "deficit": "d"}
_LEGEND = {"g": "guaranteed by the bound", "r": "simulated, random failures",
           "d": "simulated, deficit failures"}  # fmt: skip


# ----------------------------------------------------------------- doubling factors


def _crossing(logx: np.ndarray, y: np.ndarray, level: float) -> float:
    """The log-scale at which a nondecreasing curve first reaches ``level`` (NaN if never).

    Linear interpolation between the two grid points that bracket the level.
    """
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return math.nan
    j = int(above[0])
    if j == 0:
        return math.nan if y[0] > level else float(logx[0])  # reached before the range
    y0, y1 = y[j - 1], y[j]
    frac = (level - y0) / (y1 - y0) if y1 > y0 else 1.0
    return float(logx[j - 1] + frac * (logx[j] - logx[j - 1]))


def _curve(result: EmergeResult, source: str, beta: float, t: int) -> tuple[dict, np.ndarray]:
    """Log scales (sorted by compute) and the running maximum of one tuple-fraction curve."""
    sel = dict(quantity="tuple_fraction", source=source, beta=beta, t=t)
    logs = {n: np.log10(result.column(n, **sel)) for n in _SCALE_NAMES}
    order = np.argsort(logs["compute"])
    logs = {n: v[order] for n, v in logs.items()}
    # tiny non-monotone noise (sampled tuples) must not create early crossings
    return logs, np.maximum.accumulate(result.column("value", **sel)[order])


def _doubling(result: EmergeResult, source: str, beta: float, t: int, level: float) -> dict:
    """The scale factors between the ``t`` and ``2t`` curves of one source and ``beta``."""
    entry = {"source": source, "beta": beta, "t": t, "level": math.nan}
    curves = {tt: _curve(result, source, beta, tt) for tt in (t, 2 * t)}
    low = max(curves[t][1][0], curves[2 * t][1][0])
    high = min(curves[t][1][-1], curves[2 * t][1][-1])
    factors = dict.fromkeys(_SCALE_NAMES, math.nan)
    if high - low > 0.02:
        margin = 0.1 * (high - low)
        at = float(min(max(level, low + margin), high - margin))
        entry["level"] = at
        cross = {}
        for tt, (logs, y) in curves.items():
            lc = _crossing(logs["compute"], y, at)
            cross[tt] = {
                "compute": lc,
                "params": float(np.interp(lc, logs["compute"], logs["params"])),
                "tokens": float(np.interp(lc, logs["compute"], logs["tokens"])),
            }
        if all(np.isfinite(cross[tt]["compute"]) for tt in cross):
            factors = {n: float(10 ** (cross[2 * t][n] - cross[t][n])) for n in factors}
    entry.update({f"{n}_factor": v for n, v in factors.items()})
    return entry


def _sources(result: EmergeResult) -> list[str]:
    """The bound and the simulated sources of the tuple-fraction curves, in table order.

    The sharp worst case (:data:`SHARP_SOURCES`) is drawn beside them, not as a
    panel of its own; its tuple sides get doubling factors (:func:`doubling_factors`).
    """
    return result.sources


def _sharp_sides(result: EmergeResult) -> list[str]:
    """The sides of the sharp tuple law that the run has rows for."""
    present = {r["source"] for r in result.rows if r["quantity"] == "tuple_fraction"}
    return [s for s in _SHARP_SIDES if s in present]


def doubling_factors(result: EmergeResult, level: float = 0.5) -> list[dict]:
    """How much more scale ``2t``-tuples need to reach the competence ``t``-tuples had.

    For every pair ``(t, 2t)`` of tuple sizes in the run, every ``beta`` and
    every source (the bound, both sides of the sharp tuple law and each
    simulated failure model), the scale at
    which the fraction of competent ``t``-tuples first reaches a level ``L``
    is compared with the scale at which ``2t``-tuples reach it.  Scales are
    interpolated linearly in log scale between the points of the run.

    ``L`` is ``level`` when both curves cross it inside the range of the run;
    otherwise the level nearest to it that both curves cross (kept 10% of
    the way inside the common range).  Under Corollary 2 the bound gives the
    same factor at every level (the ``2t`` curve is the ``t`` curve at half
    the ``theta``); the simulated curves need not.

    Parameters
    ----------
    result : EmergeResult
    level : float
        The preferred fraction of competent tuples at which to compare.

    Returns
    -------
    list of dict
        Keys ``source, beta, t, level, compute_factor, params_factor,
        tokens_factor`` (NaN where the two curves share no level inside the
        range of the run).

    Notes
    -----
    O(rows) per pair.  The factors depend on the grid below
    :data:`MIN_POINTS_PER_DECADE` (see :func:`grid_notes`).
    """
    cfg = result.config
    sources = _sources(result)
    sources = sources[:1] + _sharp_sides(result) + sources[1:]
    return [
        _doubling(result, source, beta, t, level)
        for source, beta, t in itertools.product(sources, cfg.betas, cfg.tuples)
        if 2 * t in cfg.tuples
    ]


def grid_notes(config: EmergeConfig) -> tuple[str, ...]:
    """Caveats about the resolution of the doubling factors of a run, each also warned.

    Returns
    -------
    tuple of str
        One note per grid (bound, simulated) with fewer than
        :data:`MIN_POINTS_PER_DECADE` points per decade of the scale range.
    """
    span = decades(config)
    grids = [("bound_points", "--bound-points", "the headline's factors", config.bound_points)]
    if config.simulated:
        grids.append(("sim_points", "--sim-points", "the simulated factors", config.sim_points))
    notes = []
    for name, flag, what, points in grids:
        if points - 1 < MIN_POINTS_PER_DECADE * span:
            needed = math.ceil(MIN_POINTS_PER_DECADE * span) + 1
            notes.append(
                f"{what} are read off {points} scales over {span:.3g} decades; below "
                f"{MIN_POINTS_PER_DECADE:g} per decade they depend on the grid: use "
                f"{name} >= {needed} ({flag})"
            )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=3)
    return tuple(notes)


# ----------------------------------------------------------------- the headline


def _fmt_factor(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if x >= 1e4:
        return f"{x:.1e}x".replace("e+0", "e").replace("e+", "e")
    return f"{x:.0f}x" if x >= 10 else f"{x:.1f}x"


def _fmt_pair(d: dict) -> str:
    txt = f"{d['t']}->{2 * d['t']}: {_fmt_factor(d['compute_factor'])}"
    if np.isfinite(d["compute_factor"]):
        txt += f" (at {d['level']:.2f})"
    return txt


def headline(result: EmergeResult) -> str:
    """The headline of a run: the median bound factor for ``t -> 2t``, then every pair.

    At the first ``beta`` of the run.  The lines after the first give each
    source's factors; the run's ``notes`` end it.
    """
    cfg = result.config
    beta = cfg.betas[0]
    law = f"{cfg.law} law, {cfg.mapping} theta"
    if cfg.mapping == "anchored":
        law += f" (theta_ref={cfg.theta_ref:g})"
    bound = [d for d in result.doubling if d["source"] == "bound" and d["beta"] == beta]
    finite = [d for d in bound if np.isfinite(d["compute_factor"])]
    if not finite:
        lines = [
            f"Headline ({law}, beta={beta:g}, k={cfg.k}): the guaranteed fraction of competent "
            "t-tuples does not cross 50% for both t and 2t inside the scale range of this run; "
            "widen --compute/--params."
        ]
    else:
        lines = _headline_lines(result, law, beta, bound, finite)
    lines += [f"  (note: {note}.)" for note in result.notes]
    return "\n".join(lines)


def _headline_lines(result: EmergeResult, law: str, beta: float, bound, finite) -> list[str]:
    cfg = result.config
    factor = {n: float(np.median([d[f"{n}_factor"] for d in finite])) for n in _SCALE_NAMES}
    scale_word = "more training compute" if cfg.x_name == "compute" else "more compute"
    lines = [
        f"Headline ({law}, beta={beta:g}, k={cfg.k}): for 2t-tuples of skills to reach the "
        f"guaranteed competence that t-tuples had, a model needs about "
        f"{_fmt_factor(factor['compute'])} {scale_word} ({_fmt_factor(factor['params'])} "
        f"parameters, {_fmt_factor(factor['tokens'])} tokens).",
        "  Bound (Corollary 2), compute factor t -> 2t (at fraction competent): "
        + ", ".join(_fmt_pair(d) for d in bound)
        + ".",
    ]
    lines += _sharp_headline_lines(result, beta, factor["compute"])
    for source in _sources(result)[1:]:
        sim = [d for d in result.doubling if d["source"] == source and d["beta"] == beta]
        if sim:
            lines.append(
                f"  Simulation, {source} failures: {', '.join(_fmt_pair(d) for d in sim)}."
            )
    if any("n/a" in line for line in lines[1:]):
        lines.append("  (n/a: the two curves share no level inside the scale range of the run.)")
    return lines


def _sharp_headline_lines(result: EmergeResult, beta: float, paper: float) -> list[str]:
    """Each side's factors of the sharp tuple law, and whether the paper's factor survives.

    The paper's factor survives when it lies between the two sides' median
    factors (each side read off its own curves, as the bound's).
    """
    lines, medians = [], {}
    for side in _sharp_sides(result):
        entries = [d for d in result.doubling if d["source"] == side and d["beta"] == beta]
        finite = [d["compute_factor"] for d in entries if np.isfinite(d["compute_factor"])]
        if entries:
            lines.append(f"  Sharp tuple law, {side[6:]} side (limit of many text pieces): "
                         + ", ".join(_fmt_pair(d) for d in entries) + ".")  # fmt: skip
        if finite:
            medians[side] = float(np.median(finite))
    if len(medians) < 2 or not np.isfinite(paper):
        return lines
    low, high = sorted(medians.values())
    verdict = (
        "survives: it lies between them" if low <= paper <= high
        else f"does not survive: the sharp law needs {'less' if paper > high else 'more'}"
    )  # fmt: skip
    lower, upper = (_fmt_factor(medians[side]) for side in _SHARP_SIDES)
    lines.append(
        f"  Sharp tuple law, median compute per doubling of t: {lower} (lower side) and "
        f"{upper} (upper side); the paper's {_fmt_factor(paper)} {verdict}."
    )
    return lines


# ----------------------------------------------------------------- the summary table


def _fmt_sci(x: float) -> str:
    return f"{x:.0e}".replace("e+", "e")


def _representative_indices(n: int, count: int) -> list[int]:
    """``count`` indices spread evenly over ``range(n)``, ends included."""
    if n <= count:
        return list(range(n))
    return sorted({int(round(x)) for x in np.linspace(0, n - 1, count)})


def _summary_scales(result: EmergeResult, sources: list, beta: float, max_rows) -> list[float]:
    """The compute values of the summary's rows: the simulated scales, else every tenth."""
    if not result.config.simulated:
        comp = result.scales["compute"]
        return [float(comp[i]) for i in _representative_indices(len(comp), 11)]
    scale_values = sorted(
        {r["compute"] for r in result.rows if r["quantity"] == "tuple_fraction"
         and r["source"] == sources[-1] and r["beta"] == beta}
    )  # fmt: skip
    if max_rows and len(scale_values) > max_rows:
        # keep whole decades when the grid has them, else thin evenly
        decade = [c for c in scale_values if abs(math.log10(c) - round(math.log10(c))) < 1e-6]
        if 2 <= len(decade) <= max_rows:
            return decade
        return [scale_values[i] for i in _representative_indices(len(scale_values), max_rows)]
    return scale_values


def _fraction_at(result: EmergeResult, source: str, t: int, beta: float, compute: float):
    """The competent fraction of one curve at ``compute`` (the bound interpolated in log scale)."""
    rows = [
        r for r in result.rows
        if r["quantity"] == "tuple_fraction" and r["source"] == source and r["t"] == t
        and r["beta"] == beta
    ]  # fmt: skip
    if source == "bound":
        comps = np.array([r["compute"] for r in rows])
        vals = np.array([r["value"] for r in rows])
        order = np.argsort(comps)
        return float(np.interp(np.log(compute), np.log(comps[order]), vals[order]))
    for r in rows:
        if r["compute"] == compute:
            return r["value"]
    return math.nan


def _summary_cells(result: EmergeResult, sources: list, beta: float, compute: float) -> list:
    scales = result.scales
    log_c = np.log(compute)
    theta = float(np.interp(log_c, np.log(scales["compute"]), scales["theta"]))
    params = float(np.exp(np.interp(log_c, np.log(scales["compute"]), np.log(scales["params"]))))
    cells = [_fmt_sci(compute), _fmt_sci(params), f"{theta:.4f}"]
    for t in result.config.tuples:
        cells.append(" ".join(_fmt_fraction(_fraction_at(result, s, t, beta, compute))
                              for s in sources))  # fmt: skip
    return cells


def _fmt_fraction(x: float) -> str:
    """A fraction in four characters (``0.25``, `` n/a``), so that the g/r/d columns align.

    ``round(x, 2) + 0.0`` turns a rounded ``-0.0`` (a round-off below zero) into ``0.0``.
    """
    return " n/a" if math.isnan(x) else f"{round(x, 2) + 0.0:4.2f}"


def summary_table(result: EmergeResult, markdown: bool = False, max_rows: int | None = None) -> str:
    """Guaranteed and simulated fractions of competent ``t``-tuples at a few scales.

    Parameters
    ----------
    result : EmergeResult
    markdown : bool
        A markdown table instead of aligned plain text.
    max_rows : int, optional
        At most this many scales (whole decades when the grid has them).

    Returns
    -------
    str
        For every ``beta`` of the run, a legend line and its table.
    """
    return "\n\n".join(
        _beta_table(result, beta, markdown, max_rows) for beta in result.config.betas
    )


def _beta_table(result: EmergeResult, beta: float, markdown: bool, max_rows) -> str:
    """The legend and table of :func:`summary_table` for one ``beta``."""
    cfg = result.config
    sources = _sources(result)
    short = [_SHORT.get(s, s) for s in sources]
    header = ["compute (FLOPs)", "params", "theta"] + [
        f"t={t} " + "/".join(short) for t in cfg.tuples
    ]
    body = [
        _summary_cells(result, sources, beta, c)
        for c in _summary_scales(result, sources, beta, max_rows)
    ]
    legend = (
        f"Fraction of t-tuples that are {1 - beta:g}-competent (beta={beta:g}, k={cfg.k}): "
        + ", ".join(f"{s} = {_LEGEND.get(s, s)}" for s in short)
    )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return legend + "\n\n" + "\n".join(lines)
    widths = [max(len(h), *(len(b[j]) for b in body)) for j, h in enumerate(header)]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    return legend + "\n" + "\n".join([fmt.format(*header)] + [fmt.format(*b) for b in body])


def summary_markdown(result: EmergeResult, files: list[str]) -> str:
    """The text of ``summary.md``: headline, parameters, summary table, doubling factors, files."""
    doubling = [
        f"| {d['source']} | {d['beta']:g} | {d['t']} -> {2 * d['t']} | {d['level']:.2f} | "
        + " | ".join(_fmt_factor(d[f"{n}_factor"]) for n in _SCALE_NAMES)
        + " |"
        for d in result.doubling
    ]
    return "\n".join([
        "# skillgraph emerge", "", result.headline, "", "## Parameters", "",
        *(f"- `{k}`: {v!r}" for k, v in asdict(result.config).items()), "",
        "## Competent fraction of t-tuples", "", summary_table(result, markdown=True), "",
        "Guaranteed: `1 - alpha_star(t theta, beta, k)` (Corollary 2; documentation page",
        "*Tuples of skills*, docs/theory/tuples.rst).",
        "Sharp worst case, single skills (rows with source `sharp` in `results.csv`):",
        "`1 - alpha_sharp(theta, beta, k)`, the limit of what the worst failure set leaves",
        "(documentation page *The sharp worst case*, docs/theory/sharp.rst).",
        "Sharp worst case, tensor t-tuples (rows with sources `sharp_lower` and `sharp_upper`):",
        "`1 - lower` and `1 - upper` of `sharp_tuple_bound(theta, beta, k, t)`, the band in",
        "which the limit of the worst case lies (documentation page *The sharp worst case for",
        "tuples*, docs/theory/sharp_tuples.rst): the best two-level adversary leaves at most",
        "`1 - lower` competent, every failure set at least `1 - upper`.",
        "Simulated: mean over replicate graphs of the tensor tuple competence; 95% interval",
        "`replicate_t` (skillgraph.core.intervals): the union of a Student-t interval over",
        "the replicates and the Wilson interval of the pooled count.", "",
        "## Scale needed for 2t-tuples to match t-tuples", "",
        "Level: the fraction of competent tuples at which the two curves are compared.", "",
        "| source | beta | t -> 2t | level | compute | params | tokens |",
        "|---|---|---|---|---|---|---|", *doubling, "",
        "## Files", "", *(f"- `{f}`" for f in files), "",
    ])  # fmt: skip


# ----------------------------------------------------------------- files


def write_outputs(result: EmergeResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write the figures, tables and ``summary.md`` of a run into ``out_dir``.

    Files: ``emergence.png``, ``emergence.pdf``, ``performance_curves.png``,
    ``slingshot.png`` (unless the map clipped every ``theta``), ``results.csv``
    (the tidy table, :data:`~skillgraph.emergence.table.COLUMNS`),
    ``replicates.csv`` (one row per replicate, when simulated), ``summary.md``.
    Each is written atomically (a reader sees the old file or the new one),
    tables in the format of :mod:`skillgraph.tables` (NaN as ``nan``).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OSError
        As :func:`skillgraph.tables.prepare_output_dir`.
    """
    out = prepare_output_dir(out_dir)
    rows = result.rows
    written = []
    for name, fig in result.figures().items():
        formats = ("png", "pdf") if name == "emergence" else ("png",)
        written += style.save_figure(fig, out / name, formats=formats)
    written.append(write_table(out / "results.csv", rows, COLUMNS))
    if result.replicate_rows:
        replicates = result.replicate_rows
        written.append(write_table(out / "replicates.csv", replicates, REPLICATE_COLUMNS))
    names = [p.name for p in written] + ["summary.md"]
    atomic_write(out / "summary.md", summary_markdown(result, names))
    return [*written, out / "summary.md"]
