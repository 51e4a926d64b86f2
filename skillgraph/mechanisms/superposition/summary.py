"""What a ``skillgraph superpose`` run shows, in words computed from the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from skillgraph.mechanisms.superposition.config import DISCLAIMER, TOY_LABEL
from skillgraph.mechanisms.superposition.metrics import TOP_K_TOLERANCE
from skillgraph.mechanisms.superposition.result import SuperposeResult

__all__ = ["SIGNATURE_KL_FACTOR", "SIGNATURE_TASKS_MARGIN", "shows_signature"]


def _fmt_est(row: dict) -> str:
    return f"{row['value']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"


def _trend(first: dict, last: dict) -> str:
    """``falls``/``rises`` when the two 95% intervals do not overlap, else ``stays``."""
    if last["ci_high"] < first["ci_low"]:
        return "falls"
    if last["ci_low"] > first["ci_high"]:
        return "rises"
    return "stays within its interval"


def _trends(result: SuperposeResult, readout: str) -> dict:
    last = len(result.scales["theta"]) - 1
    out = {}
    for quantity in ("kl", "tasks_in_parallel"):
        first_row = result.estimate(quantity, readout, 0)
        last_row = result.estimate(quantity, readout, last)
        out[quantity] = (_trend(first_row, last_row), first_row, last_row)
    return out


def finding_text(result: SuperposeResult, readout: str) -> str:
    """One line: how ``kl`` and ``tasks_in_parallel`` move with scale under ``readout``."""
    parts = []
    for quantity, (trend, first, last) in _trends(result, readout).items():
        parts.append(f"{quantity} {trend} ({_fmt_est(first)} -> {_fmt_est(last)})")
    scales = (
        f"from {result.scale_label(0)} to {result.scale_label(len(result.scales['theta']) - 1)}"
    )
    return f"{readout}: " + "; ".join(parts) + f", {scales}."


#: The signature of the paper, as this run tests it: between the smallest and the largest
#: scale ``kl`` falls at least by this factor (with disjoint 95% intervals) ...
SIGNATURE_KL_FACTOR = 2.0


#: ... and ``tasks_in_parallel`` reaches at least ``K`` minus this at the largest scale.
SIGNATURE_TASKS_MARGIN = 0.5


def shows_signature(result: SuperposeResult, readout: str) -> bool:
    """Whether ``readout`` shows the signature in this run (see :data:`SIGNATURE_KL_FACTOR`)."""
    trends = _trends(result, readout)
    kl_trend, kl_first, kl_last = trends["kl"]
    tip_last = trends["tasks_in_parallel"][2]
    return (
        kl_trend == "falls"
        and kl_last["value"] * SIGNATURE_KL_FACTOR <= kl_first["value"]
        and tip_last["value"] >= result.config.n_tasks - SIGNATURE_TASKS_MARGIN
    )


def _movement(result: SuperposeResult, readout: str) -> str:
    trends = _trends(result, readout)
    kl_first, kl_last = trends["kl"][1:]
    tip_first, tip_last = trends["tasks_in_parallel"][1:]
    return (
        f"under the {readout} readout kl goes from {kl_first['value']:.3g} to "
        f"{kl_last['value']:.3g} and tasks_in_parallel from {tip_first['value']:.2f} to "
        f"{tip_last['value']:.2f} of K = {result.config.n_tasks}"
    )


def headline_text(result: SuperposeResult) -> str:
    """One paragraph computed from the run: where the signature appears."""
    cfg = result.config
    last = len(result.scales["theta"]) - 1
    shown = [ro for ro in cfg.readouts if shows_signature(result, ro)]
    lines = [
        f"Toy model: K = {cfg.n_tasks} tasks, n = {cfg.n_examples} examples per prompt, "
        f"from {result.scale_label(0)} to {result.scale_label(last)}:",
        "; ".join(_movement(result, ro) for ro in cfg.readouts) + ".",
    ]
    criterion = (
        f"(kl falling at least {SIGNATURE_KL_FACTOR:g}-fold and tasks_in_parallel reaching "
        f"K - {SIGNATURE_TASKS_MARGIN:g})"
    )
    if shown:
        lines.append(f"The signature {criterion} appears under: {', '.join(shown)}.")
    else:
        lines.append(f"No readout shows the signature {criterion} in this run.")
    missing = [ro for ro in cfg.readouts if ro not in shown]
    if missing and shown:
        lines.append(f"It does not appear under: {', '.join(missing)}.")
    lines.append(DISCLAIMER)
    return " ".join(lines)


def _sorted_table(result: SuperposeResult) -> list[str]:
    k = result.config.n_tasks
    header = "| readout | scale | " + " | ".join(f"rank {j}" for j in range(1, k + 1))
    lines = [header + " | other |", "|" + "---|" * (k + 3)]
    for ro in result.config.readouts:
        for s in result.curve_indices:
            values = [
                result.estimate("sorted_mean_prob", ro, s, rank=j)["value"] for j in range(1, k + 1)
            ]
            cells = " | ".join(f"{v:.3f}" for v in values)
            lines.append(f"| {ro} | {result.scale_label(s)} | {cells} | {1 - sum(values):.3f} |")
    return lines


def summary_markdown(result: SuperposeResult, files: Sequence[str]) -> str:
    """``summary.md`` of a run: headline, findings and the sorted probabilities."""
    cfg = result.config
    lines = [
        f"# skillgraph superpose ({TOY_LABEL})",
        "",
        f"**{DISCLAIMER}**",
        "",
        result.headline,
        "",
        "## What the run shows",
        "",
        *(f"- {line}" for line in result.findings),
        "",
        "Values are means over prompts and graphs with 95% intervals in brackets "
        "(union of the Student-t intervals over graphs and over all prompts).",
        "`kl` = sum_j lambda_j log(lambda_j / max(r_j, eps)) on the raw answer probabilities "
        f"r (eps = {cfg.eps:g}); `tasks_in_parallel` = number of task answers among the top "
        f"K = {cfg.n_tasks} completions (answer j counts when r_j >= p_K - "
        f"{TOP_K_TOLERANCE:g}).",
        "",
        "## sorted_mean_prob at three scales",
        "",
        "Mean over prompts of the answer probabilities sorted in decreasing order; "
        "`other` = mass on distractor answers.",
        "",
        *_sorted_table(result),
        "",
        "## Parameters",
        "",
        *(f"- `{key}`: {value!r}" for key, value in asdict(cfg).items()),
        "",
        "## Files",
        "",
        *(f"- `{name}`" for name in files),
        "",
    ]
    return "\n".join(lines)
