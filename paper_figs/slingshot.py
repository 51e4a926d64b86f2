"""The slingshot: how far the emergence bound falls below the averaging bound as ``k`` grows.

Claim illustrated ("The averaging bound and the slingshot",
docs/theory/theorem1.rst): counting
edges alone, a failure rate ``theta`` can leave up to ``theta / beta`` of the
skills bad; on a random skill graph Theorem 1 caps the bad fraction at
``alpha_star(theta, beta, k)``, and the ratio ``alpha_star / (theta / beta)``
falls as the number ``k`` of skills per text piece grows: a model that errs
on ``theta`` of the text is competent on far more than ``1 - theta / beta`` of
the skills.  The ratio is 1 (no gain) at ``k = 1``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import skillgraph as sg
from skillgraph.plotting import save_figure, slingshot_figure

THETAS = (0.2, 0.05, 0.01)
BETA = 0.5


def rows(thetas=THETAS, beta: float = BETA, k_max: int = 256) -> list[dict]:
    """Tidy rows (``quantity = slingshot``): ``alpha_star`` and the averaging bound per ``k``."""
    ks = 2 ** np.arange(0, int(np.log2(k_max)) + 1)
    out = []
    for theta in thetas:
        alpha = np.asarray(sg.alpha_star(theta, beta, ks))
        avg = float(sg.averaging_bound(theta, beta))
        for k, a in zip(ks, alpha, strict=True):
            out.append(
                dict(
                    quantity="slingshot",
                    source="bound",
                    form="kl",
                    theta=theta,
                    beta=beta,
                    k=int(k),
                    value=float(a),
                )
            )
            out.append(
                dict(
                    quantity="slingshot",
                    source="averaging",
                    form="",
                    theta=theta,
                    beta=beta,
                    k=int(k),
                    value=avg,
                )
            )
    return out


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``slingshot_ratio.png`` and ``.pdf`` into ``out_dir``."""
    table = rows(k_max=32 if small else 256)
    fig = slingshot_figure(table, ratio=True)
    return save_figure(fig, Path(out_dir) / "slingshot_ratio", formats=("png", "pdf"))


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
