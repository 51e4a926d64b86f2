"""The sharp worst case: certificates and adversaries pinch it as the corpus grows.

Claim illustrated (docs/theory/sharp.rst and docs/theory/certificates.rst):
against the number of text pieces ``n_texts`` (log axis) at fixed ``n_skills``,
``k``, ``theta`` and ``beta``, the largest fraction of skills that any failure
set of measure ``theta`` can leave bad is squeezed between

* from above, certificate C (rigorous, probability ``1 - delta_fail`` over the
  random graph), which falls to the sharp limit ``alpha_sharp``, and
* from below, the greedy and targeted adversaries on sampled graphs (each
  point a replicate graph), which rise to it;

while the paper's bound ``alpha_star`` and certificate A, which converges to
it, stay a constant factor (about 2.6 at ``theta = 0.1, beta = 0.5, k = 8``)
above the truth: that factor is the union bound over failure sets.

Past the graphs that fit in memory, the targeted adversary runs on the stream
(:mod:`skillgraph.audit.streamed`: the graph is regenerated pass after pass,
real failure sets, not extrapolated) up to ``n_texts = 1e9`` (the whole figure,
that point included, takes about a minute on two cores); set the environment
variable ``SHARP_CONVERGENCE_MAX_TEXTS`` (for example to ``1e8``) to stop earlier.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import NullFormatter

import skillgraph as sg
from paper_figs import child_seed
from skillgraph.audit.adversary import greedy
from skillgraph.audit.targeted import targeted
from skillgraph.plotting import COLUMN_WIDTH, MARKERS, PALETTE, new_figure, save_figure
from skillgraph.tables import write_table
from skillgraph.theory.sharp import alpha_sharp, certified_sharp

K, THETA, BETA = 8, 0.1, 0.5
DELTA_FAIL = 1e-6
SEED = 20241101
COLUMNS = [
    "n_skills", "k", "theta", "beta", "n_texts", "replicate", "quantity", "value",
    "ci_low", "ci_high", "seed",
]  # fmt: skip


def _row(n_skills, n_texts, quantity, value, replicate=-1) -> dict:
    return dict(
        n_skills=n_skills, k=K, theta=THETA, beta=BETA, n_texts=int(n_texts),
        replicate=replicate, quantity=quantity, value=float(value), ci_low=float("nan"),
        ci_high=float("nan"), seed=SEED,
    )  # fmt: skip


def _bound_rows(n_skills: int, grid: np.ndarray, seed) -> list[dict]:
    """Certificates A and C, alpha_star and alpha_sharp along the ``n_texts`` grid.

    Certificate A is conditional on the skill degrees: they are drawn from the
    multinomial of the random model (cheap at any ``n_texts``).
    """
    rng = np.random.default_rng(seed)
    limits = {
        "alpha_star": sg.alpha_star(THETA, BETA, K),
        "alpha_sharp": alpha_sharp(THETA, BETA, K),
    }
    rows = []
    for n_texts in grid:
        degrees = rng.multinomial(K * n_texts, np.full(n_skills, 1.0 / n_skills))
        cert_a = sg.certified_alpha(n_skills, n_texts, K, THETA, BETA, delta_fail=DELTA_FAIL,
                                    degrees=degrees, method="conditional")  # fmt: skip
        cert_c = certified_sharp(n_skills, n_texts, K, THETA, BETA, delta_fail=DELTA_FAIL)
        rows += [_row(n_skills, n_texts, "certificate_a", cert_a.alpha),
                 _row(n_skills, n_texts, "certificate_c", cert_c.alpha)]  # fmt: skip
        rows += [_row(n_skills, n_texts, name, value) for name, value in limits.items()]
    return rows


def _adversary_rows(n_skills: int, sizes, replicates: int, seed) -> list[dict]:
    """Greedy and targeted adversaries on ``replicates`` sampled graphs per size."""
    rows = []
    for i, n_texts in enumerate(sizes):
        for r in range(replicates):
            graph = sg.sample_graph(n_skills, n_texts, K, seed=child_seed(seed, i, r, 0))
            for j, (name, search) in enumerate((("greedy", greedy), ("targeted", targeted))):
                found = search(graph, THETA, BETA, seed=child_seed(seed, i, r, j + 1))
                rows.append(_row(n_skills, n_texts, name, found.alpha, replicate=r))
    return rows


#: environment variable: the largest n_texts of the streamed adversary (default 1e9)
MAX_TEXTS_ENV = "SHARP_CONVERGENCE_MAX_TEXTS"


def _streamed_rows(n_skills: int, sizes, seed) -> list[dict]:
    """The targeted adversary on the stream, one sampled graph per size."""
    from skillgraph.audit.streamed import streamed_targeted

    rows = []
    for i, n_texts in enumerate(sizes):
        plan = sg.stream_plan(n_skills, n_texts, K, THETA, seed=child_seed(seed, i, 0))
        found = streamed_targeted(plan, THETA, BETA, seed=child_seed(seed, i, 1))
        rows.append(_row(n_skills, n_texts, "targeted_streamed", found.n_bad / n_skills))
    return rows


def _streamed_sizes(small: bool) -> list[int]:
    import os

    if small:
        return [100_000]
    top = float(os.environ.get(MAX_TEXTS_ENV, "1e9"))
    return [n for n in (3_000_000, 10_000_000, 100_000_000, 1_000_000_000) if n <= top]


def rows(small: bool = False) -> list[dict]:
    """The figure's data as tidy rows (fractions of skills, counts over ``n_skills``)."""
    seed = np.random.SeedSequence(SEED)
    if small:
        n_skills, grid = 100, np.geomspace(1e3, 1e7, 5)
        sizes, replicates = [1000, 10_000], 1
    else:
        n_skills, grid = 1000, np.geomspace(1e3, 1e9, 25)
        sizes, replicates = [1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000], 3
    grid = np.unique(np.round(grid).astype(np.int64)).tolist()
    streamed = _streamed_sizes(small)
    grid = sorted(set(grid) | set(streamed))
    out = _bound_rows(n_skills, grid, child_seed(seed, 0))
    out += _adversary_rows(n_skills, sizes, replicates, child_seed(seed, 1))
    return out + _streamed_rows(n_skills, streamed, child_seed(seed, 2))


_LINES = {
    # quantity: (label, colour index, linestyle)
    "alpha_star": (r"$\alpha^*$ (the paper, Theorem 1)", 0, "--"),
    "certificate_a": (r"certificate A ($\to \alpha^*$)", 0, "-"),
    "certificate_c": (r"certificate C ($\to \alpha_{\mathrm{sharp}}$)", 1, "-"),
    "alpha_sharp": (r"$\alpha_{\mathrm{sharp}}$ (the sharp limit)", 6, "--"),
}
_POINTS = {"greedy": ("greedy adversary", 2, MARKERS[0]),
           "targeted": ("targeted adversary", 3, MARKERS[1]),
           "targeted_streamed": ("targeted adversary, streamed", 4, MARKERS[2])}  # fmt: skip


def _draw(ax, table: list[dict]) -> None:
    for quantity, (label, colour, ls) in _LINES.items():
        pts = sorted((r["n_texts"], r["value"]) for r in table if r["quantity"] == quantity)
        x, y = np.array(pts).T
        ax.plot(x, y, ls, color=PALETTE[colour], label=label)
    for shift, (quantity, (label, colour, marker)) in zip((0.93, 1.07, 1.0), _POINTS.items(),
                                                          strict=True):  # fmt: skip
        pts = np.array([(r["n_texts"], r["value"]) for r in table if r["quantity"] == quantity])
        ax.plot(pts[:, 0] * shift, pts[:, 1], marker, color=PALETTE[colour], label=label,
                markerfacecolor="none", markeredgewidth=0.9, linestyle="none")  # fmt: skip
    star = next(r["value"] for r in table if r["quantity"] == "alpha_star")
    sharp = next(r["value"] for r in table if r["quantity"] == "alpha_sharp")
    x_right = max(r["n_texts"] for r in table)
    ax.annotate("", xy=(x_right * 0.6, sharp), xytext=(x_right * 0.6, star),
                arrowprops=dict(arrowstyle="<->", color="0.35", linewidth=0.7))  # fmt: skip
    ax.text(x_right * 0.45, np.sqrt(star * sharp), f"×{star / sharp:.2f}\nunion\nover Y",
            ha="right", va="center", fontsize=7, color="0.25")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_yticks([0.02, 0.03, 0.05, 0.1, 0.2, 0.3], ["0.02", "0.03", "0.05", "0.1", "0.2", "0.3"])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0.02, 0.32)
    ax.set_xlabel("text pieces n_texts")
    ax.set_ylabel(f"largest fraction of skills bad (β = {BETA:g})")


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``sharp_convergence.png``/``.pdf`` and the tidy ``sharp_convergence.csv``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = rows(small=small)
    n_skills = table[0]["n_skills"]
    fig, axes = new_figure(1, 1, height=2.9, width=2 * COLUMN_WIDTH)
    ax = axes[0][0]
    _draw(ax, table)
    ax.set_title(f"n_skills = {n_skills}, k = {K}, θ = {THETA:g}; δ_fail = {DELTA_FAIL:g}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right center")
    written = save_figure(fig, out_dir / "sharp_convergence", formats=("png", "pdf"))
    return [*written, write_table(out_dir / "sharp_convergence.csv", table, COLUMNS)]


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
