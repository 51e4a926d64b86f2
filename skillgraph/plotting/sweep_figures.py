"""Figures of a sweep, rebuilt from its store (finished or partial).

Three figures, each from the tidy rows of :mod:`skillgraph.store`, averaged
over replicates (error bars: the standard error across replicates):

* ``emergence``: competent fraction (``1 -`` bad fraction) of skills and of
  ``t``-tuples against scale (training compute when the spec has a ``[scale]``
  table, else ``1 / theta``), one panel per ``beta`` (theory.md §2, §5);
* ``performance_curves``: the performance curve ``beta -> competent fraction``
  per ``theta``, with the guaranteed curve ``1 - alpha_star`` dashed (§1, §3);
* ``bound_vs_empirical``: empirical bad fraction against ``alpha_star`` (and
  against the certified alpha when measured): points under the diagonal
  respect the bound (§3, §4).

matplotlib is imported inside the functions (``skillgraph`` imports stay cheap).
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

__all__ = ["plot_store", "group_means"]

# columns that may distinguish lines; only those that vary in the sweep are used
_LINE_KEYS = (
    "n_skills",
    "n_texts",
    "k",
    "skill_measure",
    "zipf_exponent",
    "replace",
    "failure",
    "law",
    "mapping",
)


def group_means(rows: list[dict], keys: tuple[str, ...]) -> dict[tuple, tuple[float, float, int]]:
    """Mean, standard error and count of ``value`` over rows grouped by ``keys``."""
    groups: dict[tuple, list[float]] = defaultdict(list)
    for row in rows:
        value = row.get("value")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        groups[tuple(row.get(k) for k in keys)].append(float(value))
    out = {}
    for key, values in groups.items():
        n = len(values)
        mean = sum(values) / n
        var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
        out[key] = (mean, math.sqrt(var / n), n)
    return out


def _varying(rows: list[dict], keys) -> tuple[str, ...]:
    return tuple(k for k in keys if len({r.get(k) for r in rows}) > 1)


def _label(keys, values) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True)) or "all"


def plot_store(path, out=None, fmt: str = "png") -> list[str]:
    """Write the figures of the sweep stored in ``path``; return the files written.

    Parameters
    ----------
    path : path-like
        A sweep store (``skillgraph sweep --out DIR``), finished or partial.
    out : path-like, optional
        Output directory; default ``path/figures``.
    fmt : {"png", "pdf", "svg"}

    Raises
    ------
    StoreError
        ``path`` is not a sweep store.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from skillgraph.sweep.store import SweepStore

    store = SweepStore.open(path)
    rows = store.rows()
    if not rows:
        return []
    out = Path(out) if out is not None else store.path / "figures"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    table = _scale_table(rows)
    if table is not None:
        # a scale sweep: the project's publication figure (skillgraph.plots)
        from skillgraph.plotting import figures as plots

        fig = plots.emergence_figure(table, x="compute")
        written += [str(p) for p in plots.save_figure(fig, out / "emergence", formats=(fmt,))]
    for name, fn in (
        ("emergence", _emergence),
        ("performance_curves", _performance_curves),
        ("bound_vs_empirical", _bound_vs_empirical),
    ):
        if name == "emergence" and table is not None:
            continue
        fig = fn(rows, plt)
        if fig is None:
            continue
        target = out / f"{name}.{fmt}"
        fig.savefig(target, dpi=150, bbox_inches="tight")
        plt.close(fig)
        written.append(str(target))
    return written


def _scale_table(rows: list[dict]) -> list[dict] | None:
    """Rows in the layout of :func:`skillgraph.plots.emergence_figure`, or None.

    Only for sweeps over model scale (a ``[scale]`` table with ``compute``)
    with one graph shape (``n_skills``, ``n_texts``, ``k``, skill measure),
    when ``skillgraph.plots`` is installed: the competent fraction of single
    skills and of tensor ``t``-tuples, mean over replicates with a normal 95%
    interval, per failure model (``source``), beside ``1 - alpha_star`` (KL
    form; ``source = "bound"``).
    """
    import importlib.util

    if importlib.util.find_spec("skillgraph.plots") is None:
        return None
    if not rows or any(r.get("compute") is None for r in rows):
        return None
    shape = ("n_skills", "n_texts", "k", "skill_measure", "zipf_exponent", "replace")
    if _varying(rows, shape):
        return None
    empirical = [
        r
        for r in rows
        if r["measure"] == "bad_fraction"
        or (r["measure"] == "tuple_bad_fraction" and r.get("tuple_mode") == "tensor")
    ]
    bound = [r for r in rows if r["measure"] == "alpha_star" and r.get("form") == "kl"]
    if not empirical:
        return None
    keys = ("failure", "beta", "t", "compute", "params", "tokens", "theta")
    table = []
    for (failure, beta, t, compute, params, tokens, theta), (mean, se, n) in group_means(
        empirical, keys
    ).items():
        value = 1.0 - mean
        table.append(
            {
                "quantity": "tuple_fraction",
                "source": failure,
                "form": "tensor",
                "t": t,
                "beta": beta,
                "compute": compute,
                "params": params,
                "tokens": tokens,
                "theta": theta,
                "value": value,
                "ci_low": max(0.0, value - 1.96 * se),
                "ci_high": min(1.0, value + 1.96 * se),
                "n_replicates": n,
            }
        )
    ts = {row["t"] for row in table}
    for (beta, t, compute, params, tokens, theta), (mean, _, _) in group_means(
        bound, ("beta", "t", "compute", "params", "tokens", "theta")
    ).items():
        if t in ts:
            table.append(
                {
                    "quantity": "tuple_fraction",
                    "source": "bound",
                    "form": "kl",
                    "t": t,
                    "beta": beta,
                    "compute": compute,
                    "params": params,
                    "tokens": tokens,
                    "theta": theta,
                    "value": 1.0 - mean,
                }
            )
    return table


def _panels(n: int, plt, width=4.5, height=3.6, ncols_max=4):
    ncols = min(n, ncols_max)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _emergence(rows, plt):
    # single skills and tensor tuples (cooccur only when no tensor rows exist)
    tuples = [r for r in rows if r["measure"] == "tuple_bad_fraction"]
    mode = "tensor" if any(r.get("tuple_mode") == "tensor" for r in tuples) else "cooccur"
    empirical = [r for r in rows if r["measure"] == "bad_fraction"] + [
        r for r in tuples if r.get("tuple_mode") == mode
    ]
    if not empirical:
        return None
    scaled = any(r.get("compute") is not None for r in empirical)
    xkey = "compute" if scaled else "theta"
    panel_keys = ("failure", "beta")
    line_keys = tuple(k for k in _varying(empirical, _LINE_KEYS) if k != "failure") + ("t",)
    panels = sorted({tuple(r.get(k) for k in panel_keys) for r in empirical}, key=str)[:12]
    bound = group_means(
        [r for r in rows if r["measure"] == "alpha_star" and r.get("form") == "kl"],
        ("beta",) + line_keys + (xkey,),
    )
    fig, axes = _panels(len(panels), plt)
    for ax, panel in zip(axes, panels, strict=True):
        sub = [r for r in empirical if tuple(r.get(k) for k in panel_keys) == panel]
        means = group_means(sub, line_keys + (xkey,))
        lines = defaultdict(list)
        for key, (mean, se, _) in means.items():
            lines[key[:-1]].append((key[-1], mean, se))
        for i, (key, pts) in enumerate(sorted(lines.items(), key=lambda kv: str(kv[0]))):
            pts.sort()
            xs = [p[0] if scaled else 1.0 / p[0] for p in pts]
            color = f"C{i % 10}"
            ax.errorbar(
                xs,
                [1.0 - p[1] for p in pts],
                yerr=[p[2] for p in pts],
                color=color,
                marker="o",
                ms=3,
                capsize=2,
                label=_label(line_keys, key),
            )
            guaranteed = [
                (x, bound.get((panel[1],) + key + (p[0],))) for x, p in zip(xs, pts, strict=True)
            ]
            guaranteed = [(x, 1.0 - b[0]) for x, b in guaranteed if b is not None]
            if guaranteed:
                ax.plot(*zip(*guaranteed, strict=True), color=color, ls="--", lw=1)
        ax.set_xscale("log")
        ax.set_xlabel("training compute C (FLOPs)" if scaled else "1 / theta (larger models ->)")
        ax.set_ylabel("competent fraction")
        ax.set_title(f"failure={panel[0]}, beta={panel[1]:g} ({mode} tuples)", fontsize=9)
        ax.set_ylim(-0.02, 1.02)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(
        "emergence: competent fraction of skills (t=1) and t-tuples; "
        "dashed: guaranteed by Theorem 1 / Corollary 2",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _performance_curves(rows, plt):
    curve = [r for r in rows if r["measure"] == "competent"]
    if not curve:
        return None
    from skillgraph.theory import bounds

    panel_keys = _varying(curve, _LINE_KEYS)
    panels = sorted({tuple(r.get(k) for k in panel_keys) for r in curve}, key=str)[:12]
    fig, axes = _panels(len(panels), plt)
    for ax, panel in zip(axes, panels, strict=True):
        sub = [r for r in curve if tuple(r.get(k) for k in panel_keys) == panel]
        means = group_means(sub, ("theta", "beta"))
        thetas = sorted({key[0] for key in means})
        for i, theta in enumerate(thetas):
            pts = sorted((b, m[0], m[1]) for (th, b), m in means.items() if th == theta)
            color = f"C{i % 10}"
            ax.errorbar(
                [p[0] for p in pts],
                [p[1] for p in pts],
                yerr=[p[2] for p in pts],
                color=color,
                marker="o",
                ms=3,
                capsize=2,
                label=f"theta={theta:.3g}",
            )
            ks = {r["k"] for r in sub}
            guaranteed = [p[0] for p in pts if 0 < p[0] < 1]
            if len(ks) == 1 and guaranteed:
                g = bounds.performance_curve_bound(theta, ks.pop(), guaranteed)
                ax.plot(guaranteed, list(g), color=color, ls="--", lw=1)
        ax.set_xlabel("beta (bad: fail > beta)")
        ax.set_ylabel("fraction of skills (1 - beta)-competent")
        ax.set_title(
            _label(panel_keys, panel) + "\n(dashed: guaranteed, 1 - alpha_star)", fontsize=8
        )
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def _bound_vs_empirical(rows, plt):
    keys = (
        "n_skills",
        "n_texts",
        "k",
        "skill_measure",
        "zipf_exponent",
        "replace",
        "failure",
        "theta",
        "beta",
        "t",
    )
    emp_rows = [
        r
        for r in rows
        if r["measure"] == "bad_fraction"
        or (r["measure"] == "tuple_bad_fraction" and r.get("tuple_mode") == "tensor")
    ]
    bound_rows = [r for r in rows if r["measure"] == "alpha_star" and r.get("form") == "kl"]
    cert_rows = [r for r in rows if r["measure"] == "certified_alpha"]
    if not emp_rows or not (bound_rows or cert_rows):
        return None
    empirical = group_means(emp_rows, keys)
    fig, ax = plt.subplots(figsize=(5, 5))
    for label, brows, marker in (
        ("alpha_star (KL form)", bound_rows, "o"),
        ("certified alpha", cert_rows, "^"),
    ):
        bound = group_means(brows, keys)
        pairs = [(bound[key][0], empirical[key][0], key[-1]) for key in empirical if key in bound]
        if not pairs:
            continue
        for t in sorted({p[2] for p in pairs}):
            sel = [p for p in pairs if p[2] == t]
            ax.scatter(
                [p[0] for p in sel],
                [p[1] for p in sel],
                marker=marker,
                s=14,
                label=f"{label}, t={t}",
            )
    ax.plot([0, 1], [0, 1], color="gray", lw=1, ls=":")
    ax.set_xlabel("bound on the bad fraction")
    ax.set_ylabel("empirical bad fraction (mean over replicates)")
    ax.set_title("bound vs empirical (below the diagonal: bound holds)", fontsize=9)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
