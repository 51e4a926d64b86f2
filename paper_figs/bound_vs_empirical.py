"""The bound against simulated bad fractions under random and deficit failures.

Claim illustrated (Theorem 1, docs/theory/theorem1.rst; failure models,
docs/theory/failure_models.rst): Theorem 1 holds for
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

import skillgraph as sg
from paper_figs import child_seed
from skillgraph.core.intervals import replicate_interval
from skillgraph.plotting import bound_vs_empirical_figure, save_figure

BETA = 0.5
K = 8
MODELS = {"random": sg.random_failures, "deficit": sg.deficit_failures}


def _bound_rows(thetas, beta: float, k: int) -> list[dict]:
    """``alpha_star`` and the averaging bound on a fine grid of ``theta``."""
    fine = np.geomspace(min(thetas), max(thetas), 100)
    alpha = np.asarray(sg.alpha_star(fine, beta, k))
    out = [dict(quantity="bad_fraction", source="bound", theta=float(th), beta=beta, k=k,
                value=float(a)) for th, a in zip(fine, alpha, strict=True)]  # fmt: skip
    out += [dict(quantity="bad_fraction", source="averaging", theta=float(th), beta=beta, k=k,
                 value=float(sg.averaging_bound(th, beta))) for th in fine]  # fmt: skip
    return out


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
    root = np.random.SeedSequence(seed)
    values = {m: np.zeros((len(thetas), replicates)) for m in MODELS}
    n_eff = {m: np.zeros((len(thetas), replicates)) for m in MODELS}
    for r in range(replicates):
        graph = sg.sample_graph(n_skills, n_texts, k, seed=child_seed(root, r))
        for i, theta in enumerate(thetas):
            for j, (name, model) in enumerate(MODELS.items()):
                failed = model(graph, float(theta), seed=child_seed(root, r, i, j))
                est = sg.bad_fraction(graph, failed, beta)
                values[name][i, r] = est.value
                n_eff[name][i, r] = est.n_effective
    out = _bound_rows(thetas, beta, k)
    for name in MODELS:
        for i, theta in enumerate(thetas):
            low, high = replicate_interval(values[name][i], n_eff[name][i], rule="replicate_t")
            mean = float(values[name][i].mean())
            out.append(dict(quantity="bad_fraction", source=name, theta=float(theta), beta=beta,
                            k=k, value=mean, ci_low=low, ci_high=high, n_replicates=replicates,
                            n_skills=n_skills, n_texts=n_texts))  # fmt: skip
    return out


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``bound_vs_empirical.png`` and ``.pdf`` into ``out_dir``."""
    if small:
        table = rows(200, 5_000, np.geomspace(0.01, 0.45, 5), replicates=2)
    else:
        table = rows(1000, 100_000, np.geomspace(0.005, 0.45, 13), replicates=5)
    fig = bound_vs_empirical_figure(table)
    return save_figure(fig, Path(out_dir) / "bound_vs_empirical", formats=("png", "pdf"))


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
