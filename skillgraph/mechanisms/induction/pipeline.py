"""The ``skillgraph induction`` pipeline: :func:`run` a configuration, :func:`write_outputs`."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from skillgraph.mechanisms.induction.config import (
    BIGRAM_GAP,
    MEMORIES,
    TRANSITION_LEVEL,
    InductionConfig,
)
from skillgraph.mechanisms.induction.result import InductionRun
from skillgraph.mechanisms.induction.training import InductionDivergedError, train_induction
from skillgraph.plotting.style import save_figure
from skillgraph.tables import atomic_write, prepare_output_dir, write_table

__all__ = ["FILES", "run", "write_outputs", "write_diverged", "summary_markdown"]


#: the files :func:`write_outputs` writes, in order
FILES = ("results.csv", "induction.png", "summary.md", "summary.json")


def run(config: InductionConfig | None = None, *, progress: bool = False) -> InductionRun:
    """Train the testbed (no files: see :func:`write_outputs`).

    Parameters
    ----------
    config : InductionConfig, optional
        Default: the reference run
        (:meth:`~skillgraph.mechanisms.induction.config.InductionConfig.from_preset`).
    progress : bool
        Show a progress bar over the training steps.

    Returns
    -------
    InductionRun

    Raises
    ------
    TypeError
        If ``config`` is not an :class:`~skillgraph.mechanisms.induction.config.InductionConfig`
        (which validated its fields when it was built).
    InductionDivergedError
        When training diverges; its ``run`` holds the curves logged until
        then (:func:`write_diverged` writes them).

    Examples
    --------
    >>> config = InductionConfig(n_tokens=12, seq_len=16, dim=16, batch=8, n_triggers=2, steps=5)
    >>> int(run(config).probe_steps[-1])
    5
    """
    config = InductionConfig() if config is None else config
    if not isinstance(config, InductionConfig):
        raise TypeError(f"config must be an InductionConfig, got {type(config).__name__}")
    return train_induction(config, progress=progress)


def write_outputs(result: InductionRun, out_dir: str | os.PathLike) -> list[Path]:
    """Write :data:`FILES` for ``result`` into ``out_dir`` (created if needed; atomic per file).

    Returns
    -------
    list of Path
        The paths written, in the order of :data:`FILES`.
    """
    if not isinstance(result, InductionRun):
        raise TypeError(f"result must be an InductionRun, got {type(result).__name__}")
    out = prepare_output_dir(out_dir)
    paths = [write_table(out / "results.csv", result.rows(), result.columns)]
    for stem, fig in result.figures().items():
        paths += save_figure(fig, out / stem, dpi=200)
    atomic_write(out / "summary.md", summary_markdown(result))
    paths.append(out / "summary.md")
    summary = json.dumps(result.summary(), indent=2, allow_nan=False)
    atomic_write(out / "summary.json", summary + "\n")
    paths.append(out / "summary.json")
    return paths


def write_diverged(error: InductionDivergedError, out_dir) -> InductionDivergedError:
    """Write the curves a diverged run logged; the error again, naming the directory."""
    out = prepare_output_dir(out_dir)
    write_outputs(error.run, out)
    message = f"{error}; the logged curves are in {out}/"
    return InductionDivergedError(message, error.step, error.run)


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
    lines.append(_milestone(
        s["transition_step"],
        f"In-context accuracy never reached {TRANSITION_LEVEL} "
        f"(final {s['final_in_context_accuracy']:.3f})",
        f"In-context accuracy first reached {TRANSITION_LEVEL}",
        f" (logged every {run.config.log_every} steps)",
    ))  # fmt: skip
    floor = f"within {BIGRAM_GAP} nats of its floor {s['bigram_entropy']:.3f}"
    lines.append(_milestone(
        s["bigram_step"], f"Bigram loss never came {floor}", f"Bigram loss first came {floor}"
    ))  # fmt: skip
    verdict = {True: "yes: the bigram statistics were learned before the induction head",
               False: "no: the induction head formed first (or in the same logged step)",
               None: "undecided: one of the two never happened in this run"}
    answer = verdict[s["bigram_before_induction"]]
    lines.append(f"- Bigram learning before the induction head? {answer}.")
    return lines


def _milestone(step: int | None, never: str, first: str, note: str = "") -> str:
    """An event line: ``never`` when ``step`` is None, else ``first`` at ``step`` and ``note``."""
    return f"- {never}." if step is None else f"- {first} at step {step}{note}."


def _fmt(value) -> str:
    if value is None:
        return "never"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return str(value)
