"""The figure of ``skillgraph induction``: accuracy, losses, memory recall and attention."""

from __future__ import annotations

from skillgraph.mechanisms.induction.config import BIGRAM_GAP, MEMORIES
from skillgraph.plotting.figures import PALETTE, new_figure, style

__all__ = ["induction_figure"]


def induction_figure(run):
    """Four panels against the training step: accuracy, losses, memory recall, attention.

    The transition (first logged in-context accuracy ``>= 0.5``) is a dashed
    vertical line in every panel; the shortcut baselines, the loss floor and
    uniform attention are horizontal lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    with style():
        fig, axes = new_figure(2, 2, width=7.0, height=4.8, sharex=True)
        _accuracy_panel(axes[0, 0], run)
        _loss_panel(axes[0, 1], run)
        _recall_panel(axes[1, 0], run)
        _attention_panel(axes[1, 1], run)
        _mark_transition(axes, run.transition_step())
        fig.suptitle(_figure_title(run))
    return fig


def _accuracy_panel(ax, run) -> None:
    steps, curves, const = run.steps, run.curves, run.constants
    ax.plot(steps, curves["in_context_accuracy"], color=PALETTE[0], label="in-context")
    if "ood_in_context_accuracy" in curves:
        ax.plot(steps, curves["ood_in_context_accuracy"], color=PALETTE[3], ls="-.",
                label="in-context, held-out outputs")
    ax.axhline(const["copy_baseline_accuracy"], color=PALETTE[1], ls=":",
               label="baseline: copy current token")
    ax.axhline(const["frequency_baseline_accuracy"], color=PALETTE[2], ls=":",
               label="baseline: most frequent so far")
    ax.set(ylabel="accuracy", ylim=(-0.02, 1.02), title="In-context accuracy")
    ax.legend(loc="best")


def _loss_panel(ax, run) -> None:
    steps, curves = run.steps, run.curves
    ax.plot(steps, curves["bigram_loss"], color=PALETTE[0], label="bigram positions")
    ax.plot(steps, curves["in_context_loss"], color=PALETTE[1], label="in-context positions")
    ax.axhline(run.constants["bigram_entropy"], color=PALETTE[6], ls=":",
               label="bigram entropy (floor)")
    bigram = run.bigram_step()
    if bigram is not None:
        ax.axvline(bigram, color=PALETTE[0], ls=":", lw=0.9,
                   label=f"bigram within {BIGRAM_GAP} of floor (step {bigram})")
    ax.set(ylabel="loss (nats)", title="Loss")
    ax.legend(loc="best")


def _recall_panel(ax, run) -> None:
    for i, name in enumerate(MEMORIES):
        ax.plot(run.probe_steps, run.probes[name], color=PALETTE[i], lw=1.0,
                label=f"$W_{{{name[2]}}}^{{{name[3]}}}$")
    ax.set(xlabel="training step", ylabel="recall", ylim=(-0.02, 1.02), title="Memory recall")
    ax.legend(loc="best")


def _attention_panel(ax, run) -> None:
    ax.plot(run.steps, run.curves["previous_token_attention"], color=PALETTE[0],
            label="model")
    ax.axhline(run.constants["uniform_previous_token_attention"], color=PALETTE[6], ls=":",
               label="uniform attention")
    ax.set(xlabel="training step", ylabel="attention on position t - 1",
           title="Layer-1 previous-token attention")
    ax.legend(loc="best")


def _mark_transition(axes, step: int | None) -> None:
    if step is None:
        return
    for ax in axes.flat:
        ax.axvline(step, color="0.4", ls="--", lw=0.8)
    axes[0, 0].annotate(
        f"transition (step {step})", xy=(step, 0.08), xytext=(4, 0),
        textcoords="offset points", fontsize=7, color="0.3",
    )


def _figure_title(run) -> str:
    c = run.config
    return (
        f"Induction-head testbed: N={c.n_tokens}, K={c.n_triggers} {c.trigger_mode} triggers, "
        f"T={c.seq_len}, d={c.dim}, B={c.batch}, lr={c.lr:g}, seed {c.seed}"
    )
