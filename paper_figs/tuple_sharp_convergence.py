"""The sharp worst case for tuples: the certificate and the adversary pinch it as n_texts grows.

Claim illustrated (docs/theory/sharp_tuples.rst): for tensor ``t``-tuples, the
largest mass of tuples that a failure set of measure ``theta`` can leave bad
is squeezed, as ``n_texts`` grows at fixed ``n_skills``, between

* from above, the tuple certificate (rigorous, probability ``1 - delta_fail``
  over the random graph: certificate C at a lattice of thresholds, then the
  dominance convolution), which falls towards the upper side of the sharp
  tuple law, and
* from below, the tuple adversary on sampled graphs (two-level, balanced and
  spread failure sets, bad mass counted exactly), which rises to its lower side;

while the paper's ``alpha_star(t theta, beta, k)`` (Corollary 2) stays 2-3x
above both.  Two panels: ``theta = 0.05, t = 2`` and ``theta = 0.02, t = 4``
(``beta = 0.5, k = 8``, ``n_skills = 1000``).  At finite ``n_skills`` the truth is
granular: the adversary fails whole skills (its bad mass moves in steps of
about ``t / n_skills``; ``theta = 0.02, t = 4`` asks for 5.5 skills), and the
certificate, which counts whole skills too, may end below the limit's lower side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import skillgraph as sg
from paper_figs import child_seed
from skillgraph.audit.tuple_adversary import tuple_adversary
from skillgraph.plotting import COLUMN_WIDTH, MARKERS, PALETTE, new_figure, save_figure
from skillgraph.tables import write_table
from skillgraph.theory.bounds import tuple_alpha_star
from skillgraph.theory.tuple_certificate import tuple_certificate

K, BETA = 8, 0.5
CASES = ((0.05, 2), (0.02, 4))
DELTA_FAIL = 1e-6
SEED = 20241206
COLUMNS = ["n_skills", "k", "theta", "beta", "t", "n_texts", "replicate", "quantity", "value",
           "seed"]  # fmt: skip


def _row(n_skills, theta, t, n_texts, quantity, value, replicate=-1) -> dict:
    return dict(n_skills=n_skills, k=K, theta=theta, beta=BETA, t=t, n_texts=int(n_texts),
                replicate=replicate, quantity=quantity, value=float(value), seed=SEED)  # fmt: skip


def _bound_rows(n_skills: int, theta: float, t: int, grid) -> list[dict]:
    """The tuple certificate along ``grid``, and the limits (the same at every ``n_texts``)."""
    law = sg.sharp_tuple_bound(theta, BETA, K, t)
    limits = {"limit_lower": law.lower, "limit_upper": law.upper,
              "paper": tuple_alpha_star(theta, BETA, K, t)}  # fmt: skip
    rows = []
    for n_texts in grid:
        cert = tuple_certificate(n_skills, n_texts, K, theta, BETA, t, delta_fail=DELTA_FAIL)
        rows.append(_row(n_skills, theta, t, n_texts, "certificate", cert.bound))
        rows += [_row(n_skills, theta, t, n_texts, q, v) for q, v in limits.items()]
    return rows


def _adversary_rows(n_skills, theta, t, sizes, replicates, seed) -> list[dict]:
    """The tuple adversary on ``replicates`` sampled graphs per size."""
    rows = []
    for i, n_texts in enumerate(sizes):
        for r in range(replicates):
            graph = sg.sample_graph(n_skills, n_texts, K, seed=child_seed(seed, i, r, 0))
            found = tuple_adversary(graph, theta, BETA, t, seed=child_seed(seed, i, r, 1))
            rows.append(_row(n_skills, theta, t, n_texts, "adversary", found.bad_mass, r))
    return rows


def rows(small: bool = False) -> list[dict]:
    """The figure's data as tidy rows (bad masses of tensor tuples)."""
    seed = np.random.SeedSequence(SEED)
    if small:
        n_skills, ratios, grid_points, replicates = 50, (10, 100), 3, 1
    else:
        n_skills, ratios, grid_points, replicates = 1000, (10, 100, 1000), 5, 1
    sizes = [n_skills * r for r in ratios]
    grid = np.unique(np.geomspace(10 * n_skills, 1e5 * n_skills, grid_points).round())
    out = []
    for c, (theta, t) in enumerate(CASES):
        out += _bound_rows(n_skills, theta, t, grid.astype(np.int64).tolist())
        out += _adversary_rows(n_skills, theta, t, sizes, replicates, child_seed(seed, c))
    return out


_LINES = {
    # quantity: (label, colour index, linestyle)
    "paper": (r"$\alpha^*(t\theta)$ (the paper, Corollary 2)", 0, ":"),
    "certificate": ("tuple certificate", 1, "-"),
    "limit_upper": ("sharp tuple law, upper side", 6, "--"),
    "limit_lower": ("sharp tuple law, lower side", 2, "--"),
}


def _draw(ax, table: list[dict], theta: float, t: int) -> None:
    mine = [r for r in table if r["theta"] == theta and r["t"] == t]
    for quantity, (label, colour, ls) in _LINES.items():
        pts = sorted((r["n_texts"], r["value"]) for r in mine if r["quantity"] == quantity)
        x, y = np.array(pts).T
        ax.plot(x, y, ls, color=PALETTE[colour], label=label)
    pts = np.array([(r["n_texts"], r["value"]) for r in mine if r["quantity"] == "adversary"])
    ax.plot(pts[:, 0], pts[:, 1], MARKERS[0], color=PALETTE[3], label="tuple adversary",
            markerfacecolor="none", markeredgewidth=0.9, linestyle="none")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("text pieces n_texts")
    ax.set_title(f"θ = {theta:g}, t = {t}", loc="left")


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``tuple_sharp_convergence.png``/``.pdf`` and the tidy ``.csv``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = rows(small=small)
    fig, axes = new_figure(1, len(CASES), height=2.6, width=2 * COLUMN_WIDTH)
    for ax, (theta, t) in zip(axes[0], CASES, strict=True):
        _draw(ax, table, theta, t)
    axes[0][0].set_ylabel(f"worst bad tuple mass (β = {BETA:g})")
    fig.suptitle(f"n_skills = {table[0]['n_skills']}, k = {K}; δ_fail = {DELTA_FAIL:g}")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    written = save_figure(fig, out_dir / "tuple_sharp_convergence", formats=("png", "pdf"))
    return [*written, write_table(out_dir / "tuple_sharp_convergence.csv", table, COLUMNS)]


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
