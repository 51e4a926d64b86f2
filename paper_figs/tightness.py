"""How tight are the bounds?  Certificates against the strongest adversaries we can build.

Claim illustrated (docs/theory/certificates.rst and
docs/theory/failure_models.rst): on a random skill graph, no failure
set of measure ``theta`` leaves more than the finite-size certificate of bad
skills (with probability ``1 - delta_fail``), and the certificate converges
to Theorem 1's ``alpha_star`` as the graph grows; the adversaries show how
much of that room a real worst case uses.  Against ``theta``:

* left, a tiny graph, where the exact worst case is computable (the integer
  program of the exact adversary): the exact optimum, the greedy adversary,
  ``deficit`` and ``random`` failures, beside the certificate, ``alpha_star`` and the
  averaging bound ``theta / beta``;
* right, a large graph (``n_texts >> n_skills``): the same without the exact
  adversary.  The gap between the certificate and the greedy adversary is the
  room left by the union bound (or by the adversary).

Bad fractions are counts of bad skills over ``n_skills`` (uniform ``mu1``),
which is what the certificate bounds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import skillgraph as sg
from paper_figs import child_seed
from skillgraph.audit import adversary
from skillgraph.plotting import COLUMN_WIDTH, PALETTE, figure_style, new_figure, save_figure
from skillgraph.tables import write_table

BETA = 0.5
DELTA_FAIL = 1e-6
SEED = 20240601


def _panel_rows(graph, thetas, beta, *, with_exact: bool, time_limit: float, seed) -> list[dict]:
    """One row per (theta, curve): the value of each curve at each theta."""
    rows = []
    n = graph.n_skills
    for i, theta in enumerate(thetas):
        cert = sg.certified_alpha(
            n, graph.n_texts, graph.k, theta, beta, delta_fail=DELTA_FAIL, degrees=graph.degrees
        )
        values = {
            "certificate": cert.alpha,
            "alpha_star": float(sg.alpha_star(theta, beta, graph.k)),
            "averaging": float(sg.averaging_bound(theta, beta)),
        }
        if with_exact:
            ex = adversary.exact(graph, theta, beta, time_limit=time_limit)
            values["exact"] = ex.n_bad / n
            values["exact_optimal"] = float(ex.optimal)
        gr = adversary.greedy(graph, theta, beta, seed=child_seed(seed, i, 0))
        values["greedy"] = gr.n_bad / n
        dfc = sg.deficit_failures(graph, theta, seed=child_seed(seed, i, 1))
        values["deficit"] = sg.bad_fraction(graph, dfc, beta).n_bad / n
        rnd = sg.random_failures(graph, theta, seed=child_seed(seed, i, 2))
        values["random"] = sg.bad_fraction(graph, rnd, beta).n_bad / n
        for curve, value in values.items():
            rows.append(
                dict(
                    panel=f"n_skills={n}, n_texts={graph.n_texts}, k={graph.k}",
                    theta=float(theta),
                    beta=beta,
                    curve=curve,
                    value=float(value),
                )
            )
    return rows


_STYLE = {
    # curve: (label, colour index, marker, linestyle)
    "averaging": ("averaging bound θ/β", 6, None, ":"),
    "certificate": ("certificate (δ=1e-6)", 1, None, "-"),
    "alpha_star": ("α* (Theorem 1)", 0, None, "--"),
    "exact": ("exact worst case (MILP)", 3, "D", "-"),
    "greedy": ("greedy adversary", 2, "o", "-"),
    "deficit": ("deficit failures", 4, "s", "-"),
    "random": ("random failures", 5, "^", "-"),
}


def _draw(ax, rows, title):
    for curve, (label, colour, marker, ls) in _STYLE.items():
        pts = [(r["theta"], r["value"]) for r in rows if r["curve"] == curve]
        if not pts:
            continue
        x, y = np.array(pts).T
        extra = {}
        if curve == "exact":  # hollow and larger: visible where greedy reaches it
            extra = dict(markersize=6, markerfacecolor="none", markeredgewidth=1.0)
        elif marker:
            extra = dict(markersize=3)
        ax.plot(x, y, ls, color=PALETTE[colour], marker=marker, label=label, **extra)
    ax.set_xlabel("failure rate θ")
    ax.set_title(title)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(0, None)


def rows(small: bool = False) -> list[dict]:
    """The data of both panels (tidy rows)."""
    seed = np.random.SeedSequence(SEED)
    if small:
        tiny = sg.sample_graph(12, 60, 3, seed=child_seed(seed, 0))
        tiny_thetas = np.array([0.05, 0.1, 0.2, 0.3])
        large = sg.sample_graph(200, 20_000, 8, seed=child_seed(seed, 1))
        large_thetas = np.array([0.05, 0.1, 0.2, 0.3])
        limit = 10.0
    else:
        tiny = sg.sample_graph(20, 120, 4, seed=child_seed(seed, 0))
        tiny_thetas = np.linspace(0.025, 0.3, 12)
        large = sg.sample_graph(1000, 1_000_000, 8, seed=child_seed(seed, 1))
        large_thetas = np.linspace(0.025, 0.4, 16)
        limit = 60.0
    out = _panel_rows(tiny, tiny_thetas, BETA, with_exact=True, time_limit=limit,
                      seed=child_seed(seed, 2))
    out += _panel_rows(large, large_thetas, BETA, with_exact=False, time_limit=limit,
                       seed=child_seed(seed, 3))
    return out


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``tightness.png``, ``tightness.pdf`` and ``tightness.csv`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = rows(small=small)
    panels = list(dict.fromkeys(r["panel"] for r in table))
    fig, axes = new_figure(1, 2, height=2.9, width=2 * COLUMN_WIDTH, sharey=True)
    with figure_style():
        for ax, panel in zip(axes[0], panels, strict=True):
            _draw(ax, [r for r in table if r["panel"] == panel], panel)
        axes[0][0].set_ylabel(f"fraction of skills bad (β = {BETA:g})")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right center")
    written = save_figure(fig, out_dir / "tightness", formats=("png", "pdf"))
    return [*written, write_table(out_dir / "tightness.csv", table, list(table[0]))]


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
