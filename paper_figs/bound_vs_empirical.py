"""The bound against simulated bad fractions under random and deficit failures.

Claim illustrated (theory.md §3, Theorem 1, and §6): Theorem 1 holds for
*every* failure set ``Y`` of measure ``theta``, so on a large random skill
graph the fraction of skills with failure rate above ``beta`` stays below
``alpha_star(theta, beta, k)`` whatever the failure model; typical failure
sets do far better.  Random failures spread errors over all skills and leave
almost none bad until ``theta`` nears ``beta``; deficit failures (unlearned
skills) concentrate them and leave about ``theta / k`` bad, still below the
bound, which itself sits well below the averaging bound ``theta / beta``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph.core.competence import bad_fraction
from skillgraph.core.failures import deficit, random
from skillgraph.core.sampling import sample_graph
from skillgraph.emergence.run import _replicate_interval
from skillgraph.plotting import figures as plots
from skillgraph.theory.bounds import alpha_star, averaging_bound

BETA = 0.5
K = 8


def rows(
    n_skills: int,
    n_texts: int,
    thetas,
    replicates: int,
    seed: int = 0,
    beta: float = BETA,
    k: int = K,
) -> list[dict]:
    """Tidy rows (``quantity = bad_fraction``): bounds on a fine grid, simulations at ``thetas``."""
    fine = np.geomspace(min(thetas), max(thetas), 100)
    out = [
        dict(
            quantity="bad_fraction", source="bound", theta=float(th), beta=beta, k=k, value=float(a)
        )
        for th, a in zip(fine, np.asarray(alpha_star(fine, beta, k)), strict=True)
    ]
    out += [
        dict(
            quantity="bad_fraction",
            source="averaging",
            theta=float(th),
            beta=beta,
            k=k,
            value=float(averaging_bound(th, beta)),
        )
        for th in fine
    ]
    root = as_seed_sequence(seed)
    values = {m: np.zeros((len(thetas), replicates)) for m in ("random", "deficit")}
    n_eff = {m: np.zeros((len(thetas), replicates)) for m in ("random", "deficit")}
    for r in range(replicates):
        graph = sample_graph(n_skills, n_texts, k, seed=child_seed(root, r))
        for i, theta in enumerate(thetas):
            for j, (name, model) in enumerate((("random", random), ("deficit", deficit))):
                failed = model(graph, float(theta), seed=child_seed(root, r, i, j))
                est = bad_fraction(graph, failed, beta)
                values[name][i, r] = est.value
                n_eff[name][i, r] = est.n_effective
    for name in values:
        for i, theta in enumerate(thetas):
            lo, hi = _replicate_interval(values[name][i], n_eff[name][i])
            out.append(
                dict(
                    quantity="bad_fraction",
                    source=name,
                    theta=float(theta),
                    beta=beta,
                    k=k,
                    value=float(values[name][i].mean()),
                    ci_low=lo,
                    ci_high=hi,
                    n_replicates=replicates,
                    n_skills=n_skills,
                    n_texts=n_texts,
                )
            )
    return out


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``bound_vs_empirical.png`` and ``.pdf`` into ``out_dir``."""
    if small:
        table = rows(200, 5_000, np.geomspace(0.01, 0.45, 5), replicates=2)
    else:
        table = rows(1000, 100_000, np.geomspace(0.005, 0.45, 13), replicates=5)
    fig = plots.bound_vs_empirical_figure(table)
    return plots.save_figure(fig, Path(out_dir) / "bound_vs_empirical", formats=("png", "pdf"))


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
