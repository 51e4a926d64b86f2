"""Emergence of skill tuples against model size: 10x scale, about 2x tuple size (Corollary 2).

Claim illustrated (Corollary 2, docs/theory/tuples.rst, with the Chinchilla
arithmetic of docs/theory/loss_to_theta.rst): at failure rate ``theta`` at
most ``alpha_star(t theta, beta, k)`` of ``t``-tuples of skills are below
competence ``1 - beta``, so when the excess
loss falls from ``delta`` to ``delta / 2`` the guaranteed curve of
``2t``-tuples equals the old curve of ``t``-tuples.  Under Chinchilla's law a
model 10x larger in parameters and data (at 20 tokens per parameter) roughly
halves ``delta``: each 10x in scale roughly doubles the size of the skill
tuples it is guaranteed to handle.  The arrows give the factor measured on
the curves (``skillgraph.emergence.doubling_factors``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skillgraph.emergence import EmergeConfig, run_emerge
from skillgraph.plotting import PALETTE, emergence_figure, save_figure


def config(small: bool = False) -> EmergeConfig:
    """Bound only (no simulation), parameters 1e8 to 1e15 at 20 tokens per parameter."""
    return EmergeConfig(
        params=(1e8, 1e15),
        tokens_per_param=20.0,
        tuples=(1, 2, 4, 8),
        betas=(0.5,),
        k=8,
        failure_models=(),
        sim_points=0,
        bound_points=30 if small else 141,
    )


def _arrow(ax, result, d: dict, colour) -> None:
    """An arrow from the ``t`` curve to the ``2t`` curve at the level of ``d``, with its factor."""
    level = d["level"]
    sel = dict(quantity="tuple_fraction", source="bound", beta=d["beta"])
    xs = {}
    for t in (d["t"], 2 * d["t"]):
        n = result.column("params", **sel, t=t)
        y = np.maximum.accumulate(result.column("value", **sel, t=t))
        xs[t] = 10 ** float(np.interp(level, y + np.arange(y.size) * 1e-12, np.log10(n)))
    ax.annotate(
        "",
        xy=(xs[2 * d["t"]], level),
        xytext=(xs[d["t"]], level),
        arrowprops=dict(arrowstyle="->", color=colour, lw=0.9),
    )
    ax.text(
        np.sqrt(xs[d["t"]] * xs[2 * d["t"]]),
        level + 0.03,
        f"{d['params_factor']:.2g}x",
        ha="center",
        va="bottom",
        fontsize=6.5,
        color=colour,
    )


def main(out_dir, small: bool = False) -> list[Path]:
    """Write ``tuple_emergence.png`` and ``.pdf`` into ``out_dir``."""
    result = run_emerge(config(small))
    fig = emergence_figure(result.rows, x="params", sources=())
    ax = fig.axes[0]
    colours = {t: PALETTE[i] for i, t in enumerate(result.config.tuples)}
    for d in result.doubling:
        if d["source"] == "bound" and np.isfinite(d["params_factor"]):
            _arrow(ax, result, d, colours[2 * d["t"]])
    ax.text(
        0.03,
        0.97,
        "Chinchilla law, $D = 20N$,\n"
        r"anchored $\theta$, $\beta = 0.5$, $k = 8$",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=6.5,
    )
    return save_figure(fig, Path(out_dir) / "tuple_emergence", formats=("png", "pdf"))


if __name__ == "__main__":
    from paper_figs import run_module_cli

    run_module_cli(main, __doc__.splitlines()[0])
