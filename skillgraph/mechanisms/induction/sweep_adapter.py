"""The testbed as a sweep measurement: plain functions and a description of what it measures.

``induction`` trains one model per work item.  No skill graph: every field of
:class:`~skillgraph.mechanisms.induction.config.InductionConfig` (except
``seed``), and ``preset``, is a grid axis (:data:`AXES`).  Nothing here knows
the sweep engine; ``skillgraph.sweep`` registers :data:`DESCRIPTION` and
these functions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

from skillgraph._rng import as_seed_sequence
from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.mechanisms._grid import combination_problems, given
from skillgraph.mechanisms.induction.config import (
    MEMORIES,
    PRESETS,
    InductionConfig,
    memory_estimate,
)
from skillgraph.mechanisms.induction.training import train_induction

__all__ = [
    "SWEEP_QUANTITIES",
    "AXES",
    "DESCRIPTION",
    "AXIS_CHECKS",
    "check",
    "cost",
    "measure",
    "induction_measurement",
]

#: the measurement as the sweep registry needs it, as plain data
DESCRIPTION = {
    "name": "induction",
    "needs_graph": False,
    "samples_graph": False,
    "columns": (),
}
#: seconds per training sequence and step: attention (per T^2) and the memories (per
#: T d (d + N)); measured 20 ms per step at B = 32, T = 64, d = 64, N = 65 (with the
#: evaluations of log_every = 10), rounded up
_SECONDS_PER_ATTENTION = 1.2e-7
_SECONDS_PER_MEMORY = 3.5e-10


def _axis_check(field: dataclasses.Field) -> Callable:
    """A value check of one field's axis, by the type of its default (ranges come later)."""
    name, default = field.name, field.default
    if isinstance(default, str):

        def check_string(value):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
            return value

        return check_string
    if isinstance(default, int):
        return lambda value: check_int(name, value)
    return lambda value: check_real(name, value)  # floats, and concentration (None: N)


#: the grid axes of ``induction``: ``preset``, then the fields of InductionConfig but ``seed``
AXES = ("preset", *(f.name for f in dataclasses.fields(InductionConfig) if f.name != "seed"))

#: axis -> ``check(value) -> value``: each grid value, checked on its own
AXIS_CHECKS: dict[str, Callable] = {
    "preset": lambda value: check_choice("preset", value, PRESETS),
    **{f.name: _axis_check(f) for f in dataclasses.fields(InductionConfig)
       if f.name != "seed"},
}  # fmt: skip


def _config(point: Mapping) -> InductionConfig:
    """The configuration of a grid point (absent axes: the preset's values, then the defaults)."""
    values = given(point, AXES)
    return InductionConfig.from_preset(values.pop("preset", "reference"), **values)


def check(data: dict) -> list[tuple[str, str]]:
    """Every combination of the grid's values, by constructing its configuration."""
    return combination_problems(data["grid"], AXES, _config, "induction")


def cost(params: dict, settings: dict) -> list[tuple[int, float, float]]:
    """``[(rows, seconds, bytes)]`` of one item (seconds of the work, not of writing rows)."""
    config = _config(params)
    t, d, n = config.seq_len, config.dim, config.n_tokens
    per_sequence = (_SECONDS_PER_ATTENTION * t * t
                    + _SECONDS_PER_MEMORY * t * d * (d + n))  # fmt: skip
    if config.dtype == "float64":
        per_sequence *= 2
    # training, and every log_every steps a forward pass on two evaluation batches
    sequences = config.steps * (config.batch + 2 * config.eval_sequences / (3 * config.log_every))
    rows = len(SWEEP_QUANTITIES) + 2 * len(MEMORIES)
    return [(rows, sequences * per_sequence, memory_estimate(config))]


def measure(
    params: dict, settings: dict, seed_for: Callable, graph=None, failed=None
) -> list[dict]:
    """Train the testbed with the item's parameters; the run's numbers as rows.

    Rows (``quantity`` first): the quantities of :data:`SWEEP_QUANTITIES`,
    then ``memory_step_<W>`` (the step at which memory ``W`` reaches half
    recall) and ``memory_rank_<W>`` (its place in the order of formation, 0
    first); NaN for a step never reached.  ``seed_for("induction")`` seeds it.
    """
    rows = induction_measurement(given(params, AXES), seed_for("induction"))
    return [{"quantity": r["quantity"], "value": r["value"], "ci_low": r["ci_low"],
             "ci_high": r["ci_high"]} for r in rows]  # fmt: skip


#: the per-run numbers a sweep item reports (keys of
#: :meth:`~skillgraph.mechanisms.induction.result.InductionRun.summary`)
SWEEP_QUANTITIES = (
    "bigram_entropy",
    "final_bigram_loss",
    "final_in_context_accuracy",
    "final_ood_in_context_accuracy",
    "copy_baseline_accuracy",
    "frequency_baseline_accuracy",
    "final_previous_token_attention",
    "transition_step",
    "bigram_step",
)


def induction_measurement(item: Mapping, seed) -> list[dict]:
    """One sweep work item: train with the item's parameters and report the run's numbers.

    Parameters
    ----------
    item : mapping
        Any fields of :class:`~skillgraph.mechanisms.induction.config.InductionConfig` (except
        ``seed``), plus optionally ``preset``; unknown keys are refused.
    seed : int or SeedSequence
        The replicate's seed (a ``SeedSequence`` is reduced to one 32-bit int).

    Returns
    -------
    list of dict
        Tidy rows: the item's parameters, ``quantity``, ``value``, ``ci_low``,
        ``ci_high`` (NaN), ``seed``; quantities are :data:`SWEEP_QUANTITIES`, the
        half-recall steps ``memory_step_W_O2`` (...) and ``memory_rank_W_O2`` (...)
        (position in the order of formation, 0 first).  A step never reached is NaN.

    Examples
    --------
    >>> rows = induction_measurement({"n_tokens": 12, "seq_len": 16, "dim": 16,
    ...                               "batch": 8, "n_triggers": 2, "steps": 4}, seed=0)
    >>> sorted({r["quantity"] for r in rows})[:2]
    ['bigram_entropy', 'bigram_step']
    """
    fields = {f.name for f in dataclasses.fields(InductionConfig)} - {"seed"}
    unknown = sorted(set(item) - fields - {"preset"})
    if unknown:
        raise ValueError(
            f"unknown induction parameters {unknown}; valid: preset, {', '.join(sorted(fields))}"
        )
    if not isinstance(seed, int):
        seed = int(as_seed_sequence(seed).generate_state(1)[0])
    params = {k: v for k, v in item.items() if k != "preset"}
    config = InductionConfig.from_preset(item.get("preset", "reference"), **params, seed=seed)
    summary = train_induction(config).summary()
    values = {name: summary[name] for name in SWEEP_QUANTITIES}
    order = summary["memory_order"]
    for name in MEMORIES:
        values[f"memory_step_{name}"] = summary["memory_steps"][name]
        values[f"memory_rank_{name}"] = order.index(name)
    base = {**item, "seed": seed}
    return [
        {**base, "quantity": name, "value": math.nan if value is None else float(value),
         "ci_low": math.nan, "ci_high": math.nan}
        for name, value in values.items()
    ]
