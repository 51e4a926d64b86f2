"""The mechanisms as sweep measurements: ``memory``, ``superposition``, ``induction``.

Each runs the ready-made measurement of its mechanism on one work item, so a
spec in ``sims/`` runs it on the sweep engine (one worker, a process pool or
Dask) with the usual store, seeds and resumption:

``memory``
    The error of an associative memory against its size ``d``
    (:doc:`/theory/memory`), by
    :func:`skillgraph.mechanisms.memory_report.memory_measurement`.  It
    samples no skill graph: its grid axes are the memory's own (``scheme``,
    ``T``, ``n_inputs``, ``n_labels``, ``zipf_exponent``, ``kappa``, ``rho``),
    and its ``[memory]`` table gives the sizes ``d`` (evaluated inside each
    item, on prefixes of one draw of the embeddings) and the ``trials``.
``superposition``
    Tasks in superposition on the item's skill graph and failure set
    (:doc:`/theory/superposition`), by
    :func:`skillgraph.mechanisms.superposition.measure_on_graph`, for each
    tuple size ``grid.t`` and each ``lam`` and ``n_examples`` of its
    ``[superposition]`` table (evaluated inside the item, like ``beta``).
``induction``
    The induction-head testbed (:doc:`/theory/induction`), by
    :func:`skillgraph.mechanisms.induction.induction_measurement`: each work
    item trains one model.  No skill graph: every field of
    :class:`~skillgraph.mechanisms.induction.InductionConfig` (except
    ``seed``), and ``preset``, is a grid axis.

An axis absent from the grid is the mechanism's default (an empty cell in the
table).  Every combination of the grid's values is validated before any work
(the induction configuration as a whole, the memory's ``kappa`` against its
largest ``d``), and a problem names the axis.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence

from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.mechanisms.induction import PRESETS, InductionConfig
from skillgraph.sweep.context import ItemContext
from skillgraph.sweep.cost import SECONDS_PER_ROW, Cost
from skillgraph.sweep.registry import MeasurementSet

__all__ = ["BUILTINS", "MEMORY_AXES", "INDUCTION_AXES", "MAX_COMBINATIONS"]

#: the mechanisms' measurements (registered by ``skillgraph.sweep.builtins.load_builtins``)
BUILTINS = MeasurementSet()

#: the most combinations of a mechanism's grid values that a spec may hold (each is
#: validated by constructing the mechanism's parameters, before any work)
MAX_COMBINATIONS = 10_000


# ---------------------------------------------------------------------------
# shared: lists in tables, combinations of grid values


def _as_list(name: str, value) -> list:
    """A table value as a list (a single value is a one-element list), without repeats."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ValueError(f"{name} must not be an empty list")
    for i, v in enumerate(values):
        if v in values[:i]:
            raise ValueError(f"{name}[{i}] repeats the value {v!r} (each value once)")
    return values


def _refuse_unknown(table: str, raw: Mapping, known: Sequence[str]) -> None:
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(f"unknown keys {unknown} in [{table}]; known: {', '.join(known)}")


def _given(point: Mapping, names) -> dict:
    """The values of ``names`` that ``point`` sets (``None``: absent, the default)."""
    return {name: point[name] for name in names if point.get(name) is not None}


def _combination_problems(
    grid: Mapping, names: Sequence[str], validate: Callable[[dict], object], what: str
) -> list[tuple[str, str]]:
    """``validate`` every combination of the grid's values of ``names``; the problems found.

    A problem's path is the axis its message names first (``grid`` if none);
    the same message is reported once.
    """
    n = math.prod(len(grid[name]) for name in names)
    if n > MAX_COMBINATIONS:
        limit = f"{MAX_COMBINATIONS:,}"
        return [("grid", f"the {what} grid has {n:,} combinations of values, more than the "
                 f"{limit} one spec may hold; split it into several specs")]  # fmt: skip
    problems: dict[str, str] = {}
    for values in itertools.product(*(grid[name] for name in names)):
        point = dict(zip(names, values, strict=True))
        try:
            validate(point)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            if message not in problems:
                given = ", ".join(f"{k} = {v!r}" for k, v in _given(point, names).items())
                problems[message] = f"{what}: {message} (at {given or 'the defaults'})"
    return [(_named_axis(message, names), text) for message, text in problems.items()]


def _named_axis(message: str, names: Sequence[str]) -> str:
    """``grid.<name>`` for the axis that ``message`` mentions first, else ``grid``."""
    found = [(m.start(), name) for name in names
             if (m := re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message))]  # fmt: skip
    return f"grid.{min(found)[1]}" if found else "grid"


def _nan_to_none(value):
    """A number that does not belong to the row (NaN in the mechanism's rows) as an empty cell."""
    return None if isinstance(value, float) and math.isnan(value) else value


# ---------------------------------------------------------------------------
# memory: its own axes, a [memory] table


#: the grid axes of ``memory``, in the order of the table's columns
MEMORY_AXES = ("scheme", "T", "n_inputs", "n_labels", "zipf_exponent", "kappa", "rho")
#: ``grid.T`` value for the population frequencies (no finite data)
POPULATION = "population"
#: seconds per coordinate of drawn embeddings and per product term of the scores (about 3
#: times what was measured: 0.4 s for 20 trials at N = 1000, M = 5, d up to 2048)
_MEMORY_SECONDS_PER_COORDINATE = 1e-8
_MEMORY_SECONDS_PER_TERM = 2e-9


def _memory_T(value):
    if value == POPULATION:
        return value
    if isinstance(value, str):
        raise ValueError(
            f"T must be {POPULATION!r} (population frequencies) or an integer >= 1, got {value!r}"
        )
    return check_int("T", value, 1)


def _memory_scheme(value) -> str:
    from skillgraph.mechanisms.memory import SCHEMES

    return check_choice("scheme", value, SCHEMES)


_MEMORY_AXIS_CHECKS = {
    "scheme": _memory_scheme,
    "T": _memory_T,
    "n_inputs": lambda v: check_int("n_inputs", v, 1, 2**31 - 1),
    "n_labels": lambda v: check_int("n_labels", v, 2),
    "zipf_exponent": lambda v: check_real("zipf_exponent", v, 0.0, 50.0),
    "kappa": lambda v: check_real("kappa", v, 0.0, open_low=True),
    "rho": lambda v: check_real("rho", v, 0.0, open_low=True),
}


def _memory_arguments(point: Mapping) -> dict:
    """Every parameter of ``memory_measurement`` but ``d``, ``trials`` and ``seed``."""
    from skillgraph.mechanisms.memory_report import memory_measurement

    defaults = inspect.signature(memory_measurement).parameters
    args = {name: defaults[name].default for name in MEMORY_AXES}
    args.update(_given(point, MEMORY_AXES))
    if args["T"] == POPULATION:
        args["T"] = None
    return args


def _memory_table(raw: dict) -> dict:
    """``[memory]``: ``d`` (memory sizes, integers >= 1) and ``trials`` (>= 2)."""
    from skillgraph.mechanisms.memory_report import MemoryConfig

    _refuse_unknown("memory", raw, ("d", "trials"))
    defaults = MemoryConfig()
    sizes = _as_list("d", raw.get("d", list(defaults.d)))
    d = [check_int(f"d[{i}]", v, 1) for i, v in enumerate(sizes)]
    trials = check_int("trials", raw.get("trials", defaults.trials), 2)
    return {"d": d, "trials": trials}


def _memory_check(data: dict) -> list[tuple[str, str]]:
    """Thresholding must store an input at the largest ``d``, for every ``kappa`` it meets.

    The one constraint between the memory's parameters (``memory_error``
    checks it again, with the others, when the item runs).
    """
    d_max = max(data["memory"]["d"])

    def validate(point):
        args = _memory_arguments(point)
        if args["scheme"] == "threshold" and math.floor(d_max / args["kappa"]) == 0:
            raise ValueError(
                f"kappa = {args['kappa']:g} makes thresholding store P = floor(d / kappa) = 0 "
                f"inputs at every d (largest d = {d_max}); use kappa <= {d_max}"
            )

    return _combination_problems(data["grid"], MEMORY_AXES, validate, "memory")


def _memory_cost(params: dict, settings: dict) -> Cost:
    table, args = settings["memory"], _memory_arguments(params)
    d, n, m = table["d"], args["n_inputs"], args["n_labels"]
    per_trial = (_MEMORY_SECONDS_PER_COORDINATE * n * max(d)
                 + _MEMORY_SECONDS_PER_TERM * n * m * sum(set(d)))  # fmt: skip
    rows = len(d) * (2 if args["scheme"] == "threshold" else 1) + (args["T"] is not None)
    nbytes = 4 * n * max(d) + 8 * n * (m + 4)  # float32 embeddings of one trial, then scores
    return Cost(rows, table["trials"] * per_trial + rows * SECONDS_PER_ROW, nbytes)


@BUILTINS.measurement(
    "memory", samples_graph=False, columns=("d",), table=_memory_table, check=_memory_check,
    axes=_MEMORY_AXIS_CHECKS, cost=_memory_cost,
)  # fmt: skip
def memory(ctx: ItemContext) -> list[dict]:
    """The memory error at the table's sizes ``d``, and the analytic terms (no skill graph).

    Rows: ``memory_error`` per ``d`` (mean over ``trials`` draws, with its 95%
    interval; ``n`` = trials), ``analytic_error`` (finite ``T``) or
    ``capacity_term`` (``T = "population"``) per ``d`` for thresholding, and
    one ``data_term`` row with finite ``T``.
    """
    from skillgraph.mechanisms.memory_report import memory_measurement

    table = ctx.settings["memory"]
    rows = memory_measurement(d=table["d"], trials=table["trials"], seed=ctx.seed_for("memory"),
                              **_memory_arguments(ctx.params))  # fmt: skip
    return [
        ctx.row(r["quantity"], d=r["d"], value=r["value"], ci_low=r["ci_low"],
                ci_high=r["ci_high"],
                **({"n": table["trials"]} if r["quantity"] == "memory_error" else {}))
        for r in rows
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# superposition: on the item's graph, a [superposition] table

#: keys of ``[superposition]`` that hold lists evaluated inside each work item
_SUPERPOSITION_LISTS = ("lam", "n_examples")
#: seconds per (prompt x task x readout), and its sorting part per log2(K) (about the
#: measured rates, rounded up: 0.5 s for 2e5 prompts of 3 tasks and 3 readouts)
_SUPERPOSITION_SECONDS_PER_PROMPT_TASK = 3e-7
_SUPERPOSITION_SECONDS_PER_SORT = 3e-8
_SUPERPOSITION_SECONDS = 5e-3  # per readout: the distractors, the intervals


def _superposition_keys() -> tuple[str, ...]:
    from skillgraph.mechanisms.superposition import OPTION_DEFAULTS, PROMPT_DEFAULTS

    return (*(key for key in PROMPT_DEFAULTS if key != "t"), *OPTION_DEFAULTS)


def _superposition_table(raw: dict) -> dict:
    """``[superposition]``: lists ``lam`` (strings) and ``n_examples``; the other options."""
    from skillgraph.mechanisms import superposition as sp

    if "t" in raw:
        raise ValueError("t is not a key of [superposition]: the tuple sizes are grid.t")
    keys = _superposition_keys()
    _refuse_unknown("superposition", raw, keys)
    out = {key: raw.get(key, {**sp.PROMPT_DEFAULTS, **sp.OPTION_DEFAULTS}[key]) for key in keys}
    out["lam"] = _as_list("lam", out["lam"])
    for i, lam in enumerate(out["lam"]):
        if not isinstance(lam, str):
            raise TypeError(
                f"lam[{i}] must be a string, 'uniform:K' or comma-separated proportions "
                f"such as '0.5,0.3,0.2', got {type(lam).__name__} {lam!r}"
            )
    n_examples = _as_list("n_examples", out["n_examples"])
    out["n_examples"] = [check_int(f"n_examples[{i}]", n, 1) for i, n in enumerate(n_examples)]
    readouts = out["readouts"]
    out["readouts"] = list(readouts) if isinstance(readouts, (list, tuple)) else [readouts]
    for lam, n_examples in itertools.product(out["lam"], out["n_examples"]):
        sp.check_measure_params({**out, "lam": lam, "n_examples": n_examples}, graph=False)
    for key in ("n_prompts", "n_distractors"):
        out[key] = int(out[key])
    for key in ("smoothing", "tau", "noise", "zipf_exponent", "eps"):
        out[key] = float(out[key])
    return out


def _superposition_check(data: dict) -> list[tuple[str, str]]:
    """Each ``lam`` needs as many distinct ``t``-tuples of skills as it has tasks."""
    from skillgraph.mechanisms.superposition import available_tuples, parse_lambda

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


def _superposition_cost(params: dict, settings: dict) -> Cost:
    from skillgraph.mechanisms.superposition import parse_lambda

    table = settings["superposition"]
    n_readouts, n_prompts = len(table["readouts"]), table["n_prompts"]
    repeats = len(settings["t"]) * len(table["n_examples"])
    total = Cost()
    for lam in table["lam"]:
        k = parse_lambda(lam).size
        per_readout = _SUPERPOSITION_SECONDS + n_prompts * k * (
            _SUPERPOSITION_SECONDS_PER_PROMPT_TASK
            + _SUPERPOSITION_SECONDS_PER_SORT * math.log2(max(k, 2))
        )
        rows = n_readouts * (2 + k) + k
        # about 8 float64 arrays of (n_prompts, 2K) in flight while one readout is scored
        one = Cost(rows, n_readouts * per_readout + rows * SECONDS_PER_ROW, 128 * n_prompts * k)
        for _ in range(repeats):
            total = total + one
    return total


def _superposition_row(ctx: ItemContext, row: dict, lam: str) -> dict:
    """A row of ``measure_on_graph`` as a sweep row.

    ``lam`` as the spec writes it (``"uniform:3"``); ``n`` is the number of
    prompts behind the value.
    """
    n_prompts = _nan_to_none(row["n_prompts"])
    return ctx.row(
        row["quantity"], t=row["t"], lam=lam, n_examples=row["n_examples"],
        readout=row["readout"] or None, rank=_nan_to_none(row["rank"]), value=row["value"],
        ci_low=row["ci_low"], ci_high=row["ci_high"],
        n=None if n_prompts is None else int(n_prompts),
        clipped_fraction=row.get("clipped_fraction"),
    )  # fmt: skip


@BUILTINS.measurement(
    "superposition", needs_graph=True,
    columns=("lam", "n_examples", "readout", "rank", "clipped_fraction"),
    table=_superposition_table, check=_superposition_check, cost=_superposition_cost,
)  # fmt: skip
def superposition(ctx: ItemContext) -> list[dict]:
    """Tasks in superposition on the item's graph, per ``(t, lam, n_examples)``.

    Rows: ``kl``, ``tasks_in_parallel`` and ``sorted_mean_prob`` (per
    ``rank``) for each readout, with 95% intervals over the prompts, and one
    ``task_competence`` row per task (``rank`` = task index + 1).  The realised
    failure rate is the item's ``failure_rate`` row.
    """
    from skillgraph.mechanisms.superposition import measure_on_graph

    graph = ctx.require_graph("the superposition measurement")
    table = ctx.settings["superposition"]
    options = {key: value for key, value in table.items() if key not in _SUPERPOSITION_LISTS}
    rows = []
    for ti, t in enumerate(ctx.settings["t"]):
        for li, lam in enumerate(table["lam"]):
            for ni, n_examples in enumerate(table["n_examples"]):
                params = {**options, "t": t, "lam": lam, "n_examples": n_examples}
                seed = ctx.seed_for("superposition", ti, li, ni)
                measured = measure_on_graph(graph, ctx.failed, params, seed=seed)
                rows.extend(_superposition_row(ctx, row, lam) for row in measured)
    return rows


# ---------------------------------------------------------------------------
# induction: every field of InductionConfig is a grid axis

#: seconds per training sequence and step: attention (per T^2) and the memories (per
#: T d (d + N)); measured 20 ms per step at B = 32, T = 64, d = 64, N = 65 (with the
#: evaluations of log_every = 10), rounded up
_INDUCTION_SECONDS_PER_ATTENTION = 1.2e-7
_INDUCTION_SECONDS_PER_MEMORY = 3.5e-10


def _induction_axis_check(field: dataclasses.Field) -> Callable:
    """A value check of one field's axis, by the type of its default (ranges come later)."""
    name, default = field.name, field.default
    if isinstance(default, str):

        def check(value):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
            return value

        return check
    if isinstance(default, int):
        return lambda value: check_int(name, value)
    return lambda value: check_real(name, value)  # floats, and concentration (None: N)


#: the grid axes of ``induction``: ``preset``, then the fields of InductionConfig but ``seed``
INDUCTION_AXES = ("preset", *(f.name for f in dataclasses.fields(InductionConfig)
                              if f.name != "seed"))  # fmt: skip

_INDUCTION_AXIS_CHECKS = {
    "preset": lambda value: check_choice("preset", value, PRESETS),
    **{f.name: _induction_axis_check(f) for f in dataclasses.fields(InductionConfig)
       if f.name != "seed"},
}  # fmt: skip


def _induction_config(point: Mapping) -> InductionConfig:
    """The configuration of a grid point (absent axes: the preset's values, then the defaults)."""
    given = _given(point, INDUCTION_AXES)
    return InductionConfig.from_preset(given.pop("preset", "reference"), **given)


def _induction_check(data: dict) -> list[tuple[str, str]]:
    """Every combination of the grid's values, by constructing its configuration."""
    return _combination_problems(data["grid"], INDUCTION_AXES, _induction_config, "induction")


def _induction_cost(params: dict, settings: dict) -> Cost:
    from skillgraph.mechanisms.induction import MEMORIES, SWEEP_QUANTITIES, memory_estimate

    config = _induction_config(params)
    t, d, n = config.seq_len, config.dim, config.n_tokens
    per_sequence = (_INDUCTION_SECONDS_PER_ATTENTION * t * t
                    + _INDUCTION_SECONDS_PER_MEMORY * t * d * (d + n))  # fmt: skip
    if config.dtype == "float64":
        per_sequence *= 2
    # training, and every log_every steps a forward pass on two evaluation batches
    sequences = config.steps * (config.batch + 2 * config.eval_sequences / (3 * config.log_every))
    rows = len(SWEEP_QUANTITIES) + 2 * len(MEMORIES)
    return Cost(rows, sequences * per_sequence + rows * SECONDS_PER_ROW, memory_estimate(config))


@BUILTINS.measurement(
    "induction", samples_graph=False, axes=_INDUCTION_AXIS_CHECKS, check=_induction_check,
    cost=_induction_cost,
)  # fmt: skip
def induction(ctx: ItemContext) -> list[dict]:
    """Train the induction-head testbed with the item's parameters; report the run's numbers.

    Rows: the quantities of
    :data:`skillgraph.mechanisms.induction.SWEEP_QUANTITIES`, then
    ``memory_step_<W>`` (the step at which memory ``W`` reaches half recall)
    and ``memory_rank_<W>`` (its place in the order of formation, 0 first);
    NaN for a step never reached.
    """
    from skillgraph.mechanisms.induction import induction_measurement

    rows = induction_measurement(_given(ctx.params, INDUCTION_AXES), ctx.seed_for("induction"))
    return [ctx.row(r["quantity"], value=r["value"], ci_low=r["ci_low"], ci_high=r["ci_high"])
            for r in rows]  # fmt: skip
