"""The figures of a sweep: its store's rows turned into the tables the figures read.

A sweep store (``skillgraph sweep --out DIR``, finished or partial) holds one
tidy row per measurement and replicate.  This module averages the replicates
(interval: ``replicate_t`` of :func:`skillgraph.core.intervals.replicate_interval`)
and lays the results out as the tables of the figures of :mod:`skillgraph.plotting`,
which draws them; it draws nothing itself.

* ``emergence``: competent fraction (``1 -`` bad fraction) of skills and of
  ``t``-tuples against scale (training compute when the spec has a
  ``[scale]`` table, else ``theta``), beside the guaranteed fraction;
* ``performance_curves``: the simulated performance curves per ``theta``,
  beside the guaranteed curves ``1 - alpha_star``;
* ``bound_vs_empirical``: each simulated bad fraction against its bound
  (``alpha_star`` and the certificate when measured).

When the graph's shape (``n_skills``, ``k``, skill measure...) varies in the
sweep, each shape gets its own panels, labelled.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph.core.intervals import replicate_interval
from skillgraph.plotting import figures
from skillgraph.plotting.style import save_figure
from skillgraph.sweep.spec import PARAMETER_COLUMNS
from skillgraph.sweep.store import SweepStore
from skillgraph.tables import missing
from skillgraph.theory.bounds import performance_curve_bound

__all__ = [
    "plot_store",
    "store_figures",
    "emergence_table",
    "performance_table",
    "bound_table",
    "FACET_KEYS",
    "MAX_PANEL_ROWS",
]

#: Columns whose variation in a sweep splits the figures into panels (one per graph shape
#: or law): the work items' parameters but for the failure model (a panel's source), the
#: scale (the x axis) and the item's and replicate's indices.
FACET_KEYS = tuple(
    c for c in PARAMETER_COLUMNS
    if c not in ("item", "replicate", "failure", "theta", "compute", "params", "tokens")
)  # fmt: skip
#: At most this many panel rows (emergence) or panels (performance curves) per
#: figure: graph shapes beyond are left out of the figure, with a warning.
MAX_PANEL_ROWS = 12
_SCALE = ("compute", "params", "tokens", "theta")


def _varying(rows: list[dict], keys) -> tuple[str, ...]:
    return tuple(k for k in keys if len({r.get(k) for r in rows}) > 1)


def _groups(rows: list[dict], keys: tuple) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if not missing(row.get("value")):
            groups[tuple(row.get(k) for k in keys)].append(row)
    return groups


def _means(rows: list[dict], keys: tuple) -> dict[tuple, float]:
    """Mean ``value`` of the rows grouped by ``keys``."""
    return {key: float(np.mean([r["value"] for r in group]))
            for key, group in _groups(rows, keys).items()}  # fmt: skip


def _summaries(rows: list[dict], keys: tuple, *, complement: bool) -> list[dict]:
    """One row per group: ``keys``, then the mean value (``1 -`` it) and its interval."""
    out = []
    for key, group in _groups(rows, keys).items():
        values = np.array([r["value"] for r in group], dtype=float)
        if complement:
            values = 1.0 - values
        n_eff = [r.get("n_effective") for r in group]
        n_eff = np.array(n_eff, dtype=float) if not any(missing(v) for v in n_eff) else None
        low, high = replicate_interval(values, n_eff)
        summary = dict(zip(keys, key, strict=True))
        summary.update(value=float(values.mean()), ci_low=low, ci_high=high,
                       n_replicates=len(group))  # fmt: skip
        out.append(summary)
    return out


def _panel_label(row: dict, keys: tuple) -> str:
    """``k=2, skill_measure=zipf`` (unset parameters left out), two per line."""
    items = [f"{k}={row[k]}" for k in keys if row.get(k) is not None]
    return "\n".join(", ".join(items[i : i + 2]) for i in range(0, len(items), 2))


def _keep_panels(table: list[dict], keep: int, figure: str) -> list[dict]:
    """Keep the first ``keep`` graph shapes (``panel`` values) of ``table``, warning if any go."""
    panels = list(dict.fromkeys(r["panel"] for r in table))
    keep = max(1, keep)
    if len(panels) <= keep:
        return table
    warnings.warn(
        f"{figure}: the sweep has {len(panels)} graph shapes; the figure shows the first "
        f"{keep} ({', '.join(panels[keep:])} left out; every number is in results.csv)",
        UserWarning,
        stacklevel=3,
    )
    kept = set(panels[:keep])
    return [r for r in table if r["panel"] in kept]


def emergence_table(rows: list[dict]) -> tuple[list[dict], str] | None:
    """The sweep's rows as the ``tuple_fraction`` rows of the emergence figure.

    The figure is :func:`skillgraph.plotting.emergence.emergence_figure`.

    Single skills (``bad_fraction``, ``t = 1``) and tuples (``tensor`` mode,
    or ``cooccur`` when the sweep has no tensor tuples) per failure model
    (``source``) and graph shape (``panel``), beside ``1 - alpha_star`` (KL
    form, ``source = "bound"``).

    Returns
    -------
    (list of dict, str) or None
        The table and the scale column (``compute`` or ``theta``); ``None``
        when the sweep measured no bad fractions.
    """
    tuples = [r for r in rows if r["quantity"] == "tuple_bad_fraction"]
    mode = "tensor" if any(r.get("tuple_mode") == "tensor" for r in tuples) else "cooccur"
    empirical = [r for r in rows if r["quantity"] == "bad_fraction"]
    empirical += [r for r in tuples if r.get("tuple_mode") == mode]
    if not empirical:
        return None
    x = "compute" if not any(missing(r.get("compute")) for r in empirical) else "theta"
    facets = _varying(empirical, FACET_KEYS)
    scale = _SCALE if x == "compute" else ("theta",)
    table = []
    for s in _summaries(empirical, ("failure", *facets, "beta", "t", *scale), complement=True):
        table.append({**s, "quantity": "tuple_fraction", "source": s["failure"], "form": mode,
                      "panel": _panel_label(s, facets)})  # fmt: skip
    ts = {row["t"] for row in table}
    bound = [r for r in rows if r["quantity"] == "alpha_star" and r.get("form") == "kl"]
    keys = (*facets, "beta", "t", *scale)
    for key, mean in _means(bound, keys).items():
        row = dict(zip(keys, key, strict=True))
        if row["t"] in ts:
            table.append({**row, "quantity": "tuple_fraction", "source": "bound", "form": "kl",
                          "value": 1.0 - mean, "panel": _panel_label(row, facets)})  # fmt: skip
    n_sources = len({r["source"] for r in table if r["source"] != "bound"})
    return _keep_panels(table, MAX_PANEL_ROWS // max(1, n_sources), "emergence"), x


def _guaranteed_curves(table: list[dict]) -> list[dict]:
    """``1 - alpha_star(theta, beta, k)`` (KL form) at the ``beta`` of each simulated curve."""
    out = []
    curves = dict.fromkeys((r["panel"], r["k"], r["theta"], r.get("compute")) for r in table)
    for panel, k, theta, compute in curves:
        betas = sorted({r["beta"] for r in table if r["panel"] == panel and 0 < r["beta"] < 1})
        if not 0 < theta < 1 or not betas:
            continue
        guaranteed = np.atleast_1d(performance_curve_bound(theta, k, betas))
        out += [
            {"quantity": "performance_curve", "source": "bound", "form": "kl", "k": k,
             "theta": theta, "compute": compute, "beta": beta, "competence_level": 1.0 - beta,
             "value": float(g), "panel": panel}
            for beta, g in zip(betas, guaranteed, strict=True)
        ]  # fmt: skip
    return out


def performance_table(rows: list[dict]) -> list[dict] | None:
    """The sweep's ``competent`` rows as ``performance_curve`` rows, with the guaranteed curves.

    One panel per failure model and graph shape that vary; the guaranteed
    curve ``1 - alpha_star(theta, beta, k)`` (KL form) at the sweep's ``beta``.
    ``None`` when the sweep measured no performance curves.
    """
    curve = [r for r in rows if r["quantity"] == "competent"]
    if not curve:
        return None
    facets = _varying(curve, (*FACET_KEYS, "failure"))
    # the scale of each theta, when the sweep has one (legends then give it)
    scale = ("compute",) if not any(missing(r.get("compute")) for r in curve) else ()
    keys = tuple(dict.fromkeys(("failure", *facets, "k", "theta", *scale, "beta")))
    table = [
        {**s, "quantity": "performance_curve", "source": s["failure"],
         "competence_level": 1.0 - s["beta"], "panel": _panel_label(s, facets)}
        for s in _summaries(curve, keys, complement=False)
    ]  # fmt: skip
    return _keep_panels(table + _guaranteed_curves(table), MAX_PANEL_ROWS, "performance_curves")


def bound_table(rows: list[dict]) -> list[dict] | None:
    """Each simulated bad fraction (mean over replicates) beside its bounds.

    Rows for :func:`~skillgraph.plotting.figures.bound_vs_empirical_figure` with ``x="bound"``:
    ``value`` the simulated mean, ``bound`` the ``alpha_star`` (KL form) or
    certified alpha of the same item, ``bound_name`` which.  ``None`` when
    the sweep has no simulated bad fractions or no bounds.
    """
    keys = (*FACET_KEYS, "failure", "theta", "beta", "t")
    simulated = _means(
        [r for r in rows if r["quantity"] == "bad_fraction"
         or (r["quantity"] == "tuple_bad_fraction" and r.get("tuple_mode") == "tensor")],
        keys,
    )  # fmt: skip
    bounds = {
        "alpha_star": _means(
            [r for r in rows if r["quantity"] == "alpha_star" and r.get("form") == "kl"], keys
        ),
        "certified_alpha": _means([r for r in rows if r["quantity"] == "certified_alpha"], keys),
    }
    table = []
    for name, bound in bounds.items():
        for key, value in simulated.items():
            if key in bound:
                row = dict(zip(keys, key, strict=True))
                table.append({**row, "quantity": "bad_fraction", "source": row["failure"],
                              "value": value, "bound": bound[key], "bound_name": name})  # fmt: skip
    return table or None


def plot_store(path, out=None, fmt: str = "png", *, progress: bool = False) -> list[str]:
    """Write the figures of the sweep stored in ``path``; return the files written.

    Parameters
    ----------
    path : path-like
        A sweep store (``skillgraph sweep --out DIR``), finished or partial.
    out : path-like, optional
        Output directory; default ``path/figures``.  Created before any
        figure is drawn.
    fmt : {"png", "pdf", "svg"}
    progress : bool
        A bar on stderr over the three stages: read the rows, draw, save.

    Returns
    -------
    list of str
        The files written (none when the store holds no finished item).

    Raises
    ------
    StoreError
        ``path`` is not a sweep store.
    ValueError
        ``fmt`` is not a known format.
    OSError
        ``out`` is a file or cannot be created (checked before drawing; the
        command line checks that it is writable before it calls this).

    Warns
    -----
    UserWarning
        When a figure leaves out graph shapes (more than :data:`MAX_PANEL_ROWS`
        rows of panels).
    """
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"fmt must be one of 'png', 'pdf', 'svg', got {fmt!r}")
    store = SweepStore.open(path)
    with progress_bar(3, enabled=progress, desc="plot", unit="stage") as bar:
        rows = store.rows()
        bar.update(1)
        if not rows:
            return []
        target = Path(out) if out is not None else store.path / "figures"
        target.mkdir(parents=True, exist_ok=True)  # OSError here, before any figure is drawn
        drawn = store_figures(rows)
        bar.update(1)
        written = [str(p) for name, fig in drawn.items()
                   for p in save_figure(fig, target / name, (fmt,))]  # fmt: skip
        bar.update(1)
    return written


def store_figures(rows: list[dict]) -> dict:
    """The figures of a sweep's rows by file stem (those :func:`plot_store` writes).

    ``emergence``, ``performance_curves`` and ``bound_vs_empirical``, each
    only when the rows hold its quantities.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
    """
    drawn = {}
    emergence = emergence_table(rows)
    if emergence is not None:
        table, x = emergence
        facet = "panel" if any(r["panel"] for r in table) else None
        drawn["emergence"] = figures.emergence_figure(table, x=x, facet=facet)
    curves = performance_table(rows)
    if curves is not None:
        drawn["performance_curves"] = figures.performance_curves_figure(
            curves, facet="panel" if any(r["panel"] for r in curves) else None)  # fmt: skip
    bounds = bound_table(rows)
    if bounds is not None:
        drawn["bound_vs_empirical"] = figures.bound_vs_empirical_figure(bounds, x="bound")
    return drawn
