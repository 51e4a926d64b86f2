"""Tasks in superposition as a sweep measurement: plain functions and a description.

``superposition`` runs on the item's skill graph and failure set
(:func:`~skillgraph.mechanisms.superposition.measure.measure_on_graph`), for
each tuple size ``grid.t`` and each ``lam`` and ``n_examples`` of its
``[superposition]`` table (evaluated inside the item, like ``beta``).
Nothing here knows the sweep engine; ``skillgraph.sweep`` registers
:data:`DESCRIPTION` and these functions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from skillgraph._validation import check_int
from skillgraph.mechanisms._grid import as_list, nan_to_none, refuse_unknown
from skillgraph.mechanisms.superposition.measure import (
    PROMPT_DEFAULTS,
    check_measure_params,
    measure_on_graph,
)
from skillgraph.mechanisms.superposition.prompts import parse_lambda
from skillgraph.mechanisms.superposition.readout import OPTION_DEFAULTS
from skillgraph.mechanisms.superposition.tasks import available_tuples

__all__ = ["DESCRIPTION", "AXIS_CHECKS", "parse_table", "check", "cost", "measure"]

#: the measurement as the sweep registry needs it, as plain data
DESCRIPTION = {
    "name": "superposition",
    "needs_graph": True,
    "samples_graph": True,
    "columns": ("lam", "n_examples", "readout", "rank", "clipped_fraction"),
}
#: no axes of its own: it runs on the graph axes of the sweep
AXIS_CHECKS: dict[str, Callable] = {}
#: keys of ``[superposition]`` that hold lists evaluated inside each work item
_LISTS = ("lam", "n_examples")
#: seconds per (prompt x task x readout), and its sorting part per log2(K) (about the
#: measured rates, rounded up: 0.5 s for 2e5 prompts of 3 tasks and 3 readouts)
_SECONDS_PER_PROMPT_TASK = 3e-7
_SECONDS_PER_SORT = 3e-8
_SECONDS = 5e-3  # per readout: the distractors, the intervals


def _keys() -> tuple[str, ...]:
    return (*(key for key in PROMPT_DEFAULTS if key != "t"), *OPTION_DEFAULTS)


def parse_table(raw: dict) -> dict:
    """``[superposition]``: lists ``lam`` (strings) and ``n_examples``; the other options."""
    if "t" in raw:
        raise ValueError("t is not a key of [superposition]: the tuple sizes are grid.t")
    keys = _keys()
    refuse_unknown("superposition", raw, keys)
    out = {key: raw.get(key, {**PROMPT_DEFAULTS, **OPTION_DEFAULTS}[key]) for key in keys}
    out["lam"] = as_list("lam", out["lam"])
    for i, lam in enumerate(out["lam"]):
        if not isinstance(lam, str):
            raise TypeError(
                f"lam[{i}] must be a string, 'uniform:K' or comma-separated proportions "
                f"such as '0.5,0.3,0.2', got {type(lam).__name__} {lam!r}"
            )
    n_examples = as_list("n_examples", out["n_examples"])
    out["n_examples"] = [check_int(f"n_examples[{i}]", n, 1) for i, n in enumerate(n_examples)]
    readouts = out["readouts"]
    out["readouts"] = list(readouts) if isinstance(readouts, (list, tuple)) else [readouts]
    for lam, n_examples in itertools.product(out["lam"], out["n_examples"]):
        check_measure_params({**out, "lam": lam, "n_examples": n_examples}, graph=False)
    for key in ("n_prompts", "n_distractors"):
        out[key] = int(out[key])
    for key in ("smoothing", "tau", "noise", "zipf_exponent", "eps"):
        out[key] = float(out[key])
    return out


def check(data: dict) -> list[tuple[str, str]]:
    """Each ``lam`` needs as many distinct ``t``-tuples of skills as it has tasks."""
    n_skills = min(data["grid"]["n_skills"])
    problems = []
    for t in data["grid"]["t"]:
        for lam in data["superposition"]["lam"]:
            n_tasks, available = parse_lambda(lam).size, available_tuples(n_skills, t)
            if n_tasks > available:
                problems.append(("grid.t", f"superposition: lam = {lam!r} has {n_tasks} tasks, "
                                 f"each a distinct {t}-tuple of skills, but n_skills = {n_skills} "
                                 f"has only C({n_skills}, {t}) = {available}"))  # fmt: skip
    return problems


def cost(params: dict, settings: dict) -> list[tuple[int, float, float]]:
    """``[(rows, seconds, bytes)]``, one per measurement of the item (work only, no rows)."""
    table = settings["superposition"]
    n_readouts, n_prompts = len(table["readouts"]), table["n_prompts"]
    repeats = len(settings["t"]) * len(table["n_examples"])
    pieces = []
    for lam in table["lam"]:
        k = parse_lambda(lam).size
        per_readout = _SECONDS + n_prompts * k * (
            _SECONDS_PER_PROMPT_TASK + _SECONDS_PER_SORT * math.log2(max(k, 2))
        )
        rows = n_readouts * (2 + k) + k
        # about 8 float64 arrays of (n_prompts, 2K) in flight while one readout is scored
        pieces += [(rows, n_readouts * per_readout, 128 * n_prompts * k)] * repeats
    return pieces


def _row(row: dict, lam: str) -> dict:
    """A row of ``measure_on_graph`` as a sweep row (``lam`` as the spec writes it)."""
    n_prompts = nan_to_none(row["n_prompts"])
    return {
        "quantity": row["quantity"], "t": row["t"], "lam": lam, "n_examples": row["n_examples"],
        "readout": row["readout"] or None, "rank": nan_to_none(row["rank"]),
        "value": row["value"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
        "n": None if n_prompts is None else int(n_prompts),
        "clipped_fraction": row.get("clipped_fraction"),
    }  # fmt: skip


def measure(
    params: dict, settings: dict, seed_for: Callable, graph=None, failed=None
) -> list[dict]:
    """Tasks in superposition on the item's ``graph`` and ``failed``, per ``(t, lam, n_examples)``.

    Rows (``quantity`` first, then the columns): ``kl``, ``tasks_in_parallel``
    and ``sorted_mean_prob`` (per ``rank``) for each readout, with 95%
    intervals over the prompts (``n`` = prompts), and one
    ``task_competence`` row per task (``rank`` = task index + 1).
    ``seed_for("superposition", ti, li, ni)`` seeds each measurement.
    """
    table = settings["superposition"]
    options = {key: value for key, value in table.items() if key not in _LISTS}
    rows = []
    for ti, t in enumerate(settings["t"]):
        for li, lam in enumerate(table["lam"]):
            for ni, n_examples in enumerate(table["n_examples"]):
                point = {**options, "t": t, "lam": lam, "n_examples": n_examples}
                seed = seed_for("superposition", ti, li, ni)
                measured = measure_on_graph(graph, failed, point, seed=seed)
                rows.extend(_row(row, lam) for row in measured)
    return rows
