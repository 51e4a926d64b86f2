"""The ``skillgraph induction`` pipeline: train the testbed, draw its curves, summarise the run.

:func:`induction_report` checks the output directory, trains with
:func:`~skillgraph.mechanisms.induction.train_induction` and writes

``results.csv``
    the tidy table (every parameter, ``step``, ``quantity``, ``value``,
    ``ci_low``, ``ci_high``, ``seed``);
``induction.png``
    accuracy, losses, memory recall and previous-token attention against the
    training step, with the transition and the shortcut baselines marked;
``summary.md`` and ``summary.json``
    when each memory formed, when the in-context accuracy crossed 0.5, and
    whether the bigram statistics were learned before the induction head, all
    computed from the run.

A run that diverges still writes what it logged, then raises.  See the
documentation page *The induction-head testbed* (docs/theory/induction.rst).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from skillgraph.mechanisms.induction import (
    BIGRAM_GAP,
    MEMORIES,
    TRANSITION_LEVEL,
    InductionConfig,
    InductionDivergedError,
    InductionRun,
    train_induction,
)
from skillgraph.plotting.style import save_figure
from skillgraph.tables import atomic_write, prepare_output_dir, write_table

__all__ = ["FILES", "induction_report", "induction_figure", "summary_markdown", "write_outputs"]

#: the files :func:`write_outputs` writes, in order
FILES = ("results.csv", "induction.png", "summary.md", "summary.json")


def induction_report(
    out_dir: str | os.PathLike,
    config: InductionConfig | None = None,
    *,
    progress: bool = False,
    **overrides,
) -> tuple[InductionRun, list[Path]]:
    """Train the testbed and write the table, the figure and the summaries into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Output directory, created if needed; checked (creatable, writable)
        before any training.
    config : InductionConfig, optional
        Default: the reference run.  Keyword ``overrides`` replace its fields.
    progress : bool
        Show a progress bar over the training steps.

    Returns
    -------
    run : InductionRun
    paths : list of pathlib.Path
        The files written (:data:`FILES`).

    Raises
    ------
    ValueError, TypeError
        For invalid parameters or an unusable ``out_dir``, before any work.
    InductionDivergedError
        When training diverges; the curves logged until then are written
        first, and the message names the step and the directory.

    Examples
    --------
    >>> import tempfile
    >>> run, paths = induction_report(tempfile.mkdtemp(), n_tokens=12, seq_len=16, dim=16,
    ...                               batch=8, n_triggers=2, steps=5)
    >>> [p.name for p in paths]
    ['results.csv', 'induction.png', 'summary.md', 'summary.json']
    """
    import dataclasses

    config = dataclasses.replace(config or InductionConfig(), **overrides)
    out = prepare_output_dir(out_dir)
    try:
        run = train_induction(config, progress=progress)
    except InductionDivergedError as exc:
        write_outputs(exc.run, out)
        raise InductionDivergedError(
            f"{exc}; the logged curves are in {out}/", exc.step, exc.run
        ) from None
    return run, write_outputs(run, out)


def write_outputs(run: InductionRun, out_dir: str | os.PathLike) -> list[Path]:
    """Write :data:`FILES` for ``run`` into ``out_dir`` (created if needed; atomic per file)."""
    out = prepare_output_dir(out_dir)
    paths = [write_table(out / "results.csv", run.rows(), run.columns)]
    paths += save_figure(induction_figure(run), out / "induction", dpi=200)
    atomic_write(out / "summary.md", summary_markdown(run))
    paths.append(out / "summary.md")
    atomic_write(out / "summary.json", json.dumps(run.summary(), indent=2) + "\n")
    paths.append(out / "summary.json")
    return paths


# -- the figure ------------------------------------------------------------------------------


def induction_figure(run: InductionRun):
    """Four panels against the training step: accuracy, losses, memory recall, attention.

    The transition (first logged in-context accuracy ``>= 0.5``) is a dashed
    vertical line in every panel; the shortcut baselines, the loss floor and
    uniform attention are horizontal lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from skillgraph.plotting.figures import new_figure, style

    with style():
        fig, axes = new_figure(2, 2, width=7.0, height=4.8, sharex=True)
        _accuracy_panel(axes[0, 0], run)
        _loss_panel(axes[0, 1], run)
        _recall_panel(axes[1, 0], run)
        _attention_panel(axes[1, 1], run)
        _mark_transition(axes, run.transition_step())
        fig.suptitle(_figure_title(run))
    return fig


def _accuracy_panel(ax, run: InductionRun) -> None:
    from skillgraph.plotting.figures import PALETTE

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


def _loss_panel(ax, run: InductionRun) -> None:
    from skillgraph.plotting.figures import PALETTE

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


def _recall_panel(ax, run: InductionRun) -> None:
    from skillgraph.plotting.figures import PALETTE

    for i, name in enumerate(MEMORIES):
        ax.plot(run.probe_steps, run.probes[name], color=PALETTE[i], lw=1.0,
                label=f"$W_{{{name[2]}}}^{{{name[3]}}}$")
    ax.set(xlabel="training step", ylabel="recall", ylim=(-0.02, 1.02), title="Memory recall")
    ax.legend(loc="best")


def _attention_panel(ax, run: InductionRun) -> None:
    from skillgraph.plotting.figures import PALETTE

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


def _figure_title(run: InductionRun) -> str:
    c = run.config
    return (
        f"Induction-head testbed: N={c.n_tokens}, K={c.n_triggers} {c.trigger_mode} triggers, "
        f"T={c.seq_len}, d={c.dim}, B={c.batch}, lr={c.lr:g}, seed {c.seed}"
    )


# -- the summary -----------------------------------------------------------------------------


def summary_markdown(run: InductionRun) -> str:
    """``summary.md``: the run's headline numbers and the order of events, from the curves."""
    s = run.summary()
    lines = [f"# Induction-head testbed, seed {run.config.seed}", ""]
    if run.diverged_at is not None:
        lines += [f"**Training diverged at step {run.diverged_at}**: the curves stop at step "
                  f"{s['steps']}.", ""]
    lines += _events(run, s)
    lines += ["", "| quantity | value |", "|---|---|"]
    for key in ("bigram_entropy", "final_bigram_loss", "final_in_context_accuracy",
                "final_ood_in_context_accuracy", "copy_baseline_accuracy",
                "frequency_baseline_accuracy", "final_previous_token_attention",
                "uniform_previous_token_attention", "seconds_per_step"):
        lines.append(f"| {key} | {_fmt(s[key])} |")
    lines += ["", "Parameters: " + ", ".join(f"{k}={v}" for k, v in s["config"].items()), ""]
    return "\n".join(lines)


def _events(run: InductionRun, s: dict) -> list[str]:
    steps = s["memory_steps"]
    order = ", then ".join(f"{name} (step {_fmt(steps[name])})" for name in s["memory_order"])
    lines = [f"- Memories formed (recall first at half its final value): {order}."]
    if s["memory_order"] == list(MEMORIES):
        lines.append("  This is the top-down order of the paper.")
    transition = s["transition_step"]
    if transition is None:
        lines.append(f"- In-context accuracy never reached {TRANSITION_LEVEL} "
                     f"(final {s['final_in_context_accuracy']:.3f}).")
    else:
        lines.append(f"- In-context accuracy first reached {TRANSITION_LEVEL} at step "
                     f"{transition} (logged every {run.config.log_every} steps).")
    bigram = s["bigram_step"]
    if bigram is None:
        lines.append(f"- Bigram loss never came within {BIGRAM_GAP} nats of its floor "
                     f"{s['bigram_entropy']:.3f}.")
    else:
        lines.append(f"- Bigram loss first came within {BIGRAM_GAP} nats of its floor "
                     f"{s['bigram_entropy']:.3f} at step {bigram}.")
    verdict = {True: "yes: the bigram statistics were learned before the induction head",
               False: "no: the induction head formed first (or in the same logged step)",
               None: "undecided: one of the two never happened in this run"}
    answer = verdict[s["bigram_before_induction"]]
    lines.append(f"- Bigram learning before the induction head? {answer}.")
    return lines


def _fmt(value) -> str:
    if value is None:
        return "never"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return str(value)
