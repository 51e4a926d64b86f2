"""The two figures of ``skillgraph superpose`` (matplotlib's object-oriented API only)."""

from __future__ import annotations

import numpy as np

from skillgraph.mechanisms.superposition.config import DISCLAIMER
from skillgraph.plotting.figures import (
    COLUMN_WIDTH,
    MARKERS,
    PALETTE,
    new_figure,
    style,
    theta_axis,
)

__all__ = ["scale_figure", "sorted_probs_figure"]


def _footer(fig) -> None:
    """The disclaimer under the panels (constrained layout makes room for it)."""
    fig.supxlabel(DISCLAIMER, fontsize=6, style="italic")


def _series(result, quantity: str, readout: str, rank=None):
    rows = [result.estimate(quantity, readout, s, rank) for s in range(result.scales["theta"].size)]
    return (np.array([r[key] for r in rows]) for key in ("value", "ci_low", "ci_high"))


def scale_figure(result):
    """``kl`` and ``tasks_in_parallel`` against training compute, one line per readout.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = result.config
    fig, axes = new_figure(1, 2, height=3.0, width=2 * COLUMN_WIDTH)
    with style():
        for ax, quantity in zip(axes[0], ("kl", "tasks_in_parallel"), strict=True):
            _scale_panel(ax, result, quantity)
        axes[0, 0].set_yscale("log")
        axes[0, 0].set_ylabel(r"kl $= \sum_j \lambda_j \log(\lambda_j / r_j)$")
        axes[0, 0].legend(title="readout", loc="center right")
        axes[0, 1].set_ylabel(f"tasks_in_parallel (answers in top {cfg.n_tasks})")
        axes[0, 1].set_ylim(0, cfg.n_tasks + 0.3)
        axes[0, 1].axhline(cfg.n_tasks, color="0.5", linewidth=0.6, linestyle="--")
        lam = ", ".join(f"{x:.2g}" for x in cfg.lam)
        fig.suptitle(
            f"Toy model: K = {cfg.n_tasks} tasks, n = {cfg.n_examples} examples, "
            rf"$\lambda$ = ({lam}); mean and 95% interval"
        )
        _footer(fig)
    return fig


_LINESTYLES = ("-", "--", "-.", ":")


def _scale_panel(ax, result, quantity: str) -> None:
    x = result.scales["compute"]
    for i, ro in enumerate(result.config.readouts):
        value, low, high = _series(result, quantity, ro)
        ax.plot(x, value, color=PALETTE[i], marker=MARKERS[i], linestyle=_LINESTYLES[i], label=ro)
        ax.fill_between(x, low, high, color=PALETTE[i], alpha=0.25, linewidth=0)
    ax.set_xscale("log")
    ax.set_xlabel("training compute (FLOPs), compute-optimal models")
    theta_axis(ax, x, result.scales["theta"])


def sorted_probs_figure(result):
    """``sorted_mean_prob`` at the curve scales, one panel per readout.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = result.config
    n = len(cfg.readouts)
    fig, axes = new_figure(1, n, height=2.8, width=max(2, n) * COLUMN_WIDTH * 0.7, sharey=True)
    ranks = np.arange(1, cfg.n_tasks + 1)
    offsets = 0.1 * (np.arange(len(result.curve_indices)) - (len(result.curve_indices) - 1) / 2)
    with style():
        for ax, ro in zip(axes[0], cfg.readouts, strict=True):
            for i, s in enumerate(result.curve_indices):
                rows = [result.estimate("sorted_mean_prob", ro, s, rank=j) for j in ranks]
                value = np.array([r["value"] for r in rows])
                err = np.array(
                    [[r["value"] - r["ci_low"], r["ci_high"] - r["value"]] for r in rows]
                )
                ax.errorbar(
                    ranks + offsets[i],
                    value,
                    yerr=err.T,
                    color=PALETTE[i],
                    marker=MARKERS[i],
                    capsize=2,
                    label=result.scale_label(s),
                )
            ax.axhline(1 / cfg.n_tasks, color="0.5", linewidth=0.6, linestyle="--")
            ax.set_xticks(ranks)
            ax.set_xlabel("rank within the prompt")
            ax.set_title(f"readout: {ro}")
            ax.set_ylim(0, 1)
        axes[0, 0].set_ylabel("sorted_mean_prob")
        axes[0, -1].legend(loc="upper right", title="scale")
        fig.suptitle(
            "Toy model: sorted_mean_prob, mean of the sorted answer probabilities (dashed: 1/K)"
        )
        _footer(fig)
    return fig
