"""Performance curves guaranteed by Theorem 1, for several failure rates, at ``k = 8``.

Claim illustrated (Theorem 1 and Theorem 1', docs/theory/theorem1.rst; the
performance curve, docs/theory/graph.rst): for a model with failure rate
``theta`` on a random skill graph with ``k`` skills per text piece, *every*
failure set leaves at least
``1 - alpha_star(theta, beta, k)`` of the skills ``(1 - beta)``-competent.
As ``theta`` falls the guaranteed curve moves towards competence levels near
1.  The KL form (solid) is never weaker than the paper's form (dashed):
wherever the paper's condition holds the KL condition holds too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skillgraph.plotting import performance_curves_figure, save_figure
from skillgraph.theory.bounds import performance_curve_bound

THETAS = (0.2, 0.1, 0.05, 0.02, 0.01)
K = 8


def rows(thetas=THETAS, k: int = K, n_betas: int = 150) -> list[dict]:
    """Tidy rows (``quantity = performance_curve``) for both forms."""
    betas = np.geomspace(0.5, 1e-3, n_betas)
    out = []
    for form in ("kl", "paper"):
        for theta in thetas:
            guaranteed = np.asarray(performance_curve_bound(theta, k, betas, form=form))
            out += [
                dict(
                    quantity="performance_curve",
                    source="bound",
                    form=form,
                    theta=theta,
                    k=k,
                    t=1,
                    beta=float(b),
                    competence_level=float(1 - b),
                    value=float(g),
                )
                for b, g in zip(betas, guaranteed, strict=True)
            ]
    return out


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``performance_curves_k8.png`` and ``.pdf`` into ``out_dir``."""
    table = rows(n_betas=40 if small else 150)
    fig = performance_curves_figure(table)
    return save_figure(fig, Path(out_dir) / "performance_curves_k8", formats=("png", "pdf"))


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
