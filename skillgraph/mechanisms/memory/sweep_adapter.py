"""The memory as a sweep measurement: plain functions and a description of what it measures.

``memory`` samples no skill graph: its grid axes are the memory's own
(:data:`AXES`), and its ``[memory]`` table gives the sizes ``d`` (evaluated
inside each item, on prefixes of one draw of the embeddings) and the
``trials``.  Nothing here knows the sweep engine; ``skillgraph.sweep``
registers :data:`DESCRIPTION` and these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from skillgraph._validation import check_int
from skillgraph.mechanisms._grid import as_list, combination_problems, given, refuse_unknown
from skillgraph.mechanisms.memory.config import MemoryConfig
from skillgraph.mechanisms.memory.inputs import PARAMETER_CHECKS
from skillgraph.mechanisms.memory.laws import data_term
from skillgraph.mechanisms.memory.model import MEMORY_ERROR_DEFAULTS, memory_error
from skillgraph.mechanisms.memory.pipeline import size_cell

__all__ = [
    "AXES",
    "POPULATION",
    "DESCRIPTION",
    "AXIS_CHECKS",
    "parse_table",
    "check",
    "cost",
    "measure",
    "memory_measurement",
]

#: the grid axes of ``memory``, in the order of the table's columns
AXES = ("scheme", "T", "n_inputs", "n_labels", "zipf_exponent", "kappa", "rho")
#: ``grid.T`` value for the population frequencies (no finite data)
POPULATION = "population"
#: the measurement as the sweep registry needs it, as plain data
DESCRIPTION = {
    "name": "memory",
    "needs_graph": False,
    "samples_graph": False,
    "columns": ("d",),
}
#: seconds per coordinate of drawn embeddings and per product term of the scores (about 3
#: times what was measured: 0.4 s for 20 trials at N = 1000, M = 5, d up to 2048)
_SECONDS_PER_COORDINATE = 1e-8
_SECONDS_PER_TERM = 2e-9


def _check_T(value):
    if value == POPULATION:
        return value
    if isinstance(value, str):
        raise ValueError(
            f"T must be {POPULATION!r} (population frequencies) or an integer >= 1, got {value!r}"
        )
    return check_int("T", value, 1)


#: axis -> ``check(value) -> value``: each grid value, checked on its own
AXIS_CHECKS: dict[str, Callable] = {
    axis: _check_T if axis == "T" else PARAMETER_CHECKS[axis] for axis in AXES
}


def _arguments(point: Mapping) -> dict:
    """The grid point's memory parameters (:data:`AXES`), defaults from ``memory_error``."""
    args = {name: MEMORY_ERROR_DEFAULTS[name] for name in AXES}
    args.update(given(point, AXES))
    if args["T"] == POPULATION:
        args["T"] = None
    return args


def parse_table(raw: dict) -> dict:
    """``[memory]``: ``d`` (memory sizes, integers >= 1) and ``trials`` (>= 2)."""
    refuse_unknown("memory", raw, ("d", "trials"))
    defaults = MemoryConfig()
    sizes = as_list("d", raw.get("d", list(defaults.d)))
    d = [check_int(f"d[{i}]", v, 1) for i, v in enumerate(sizes)]
    trials = check_int("trials", raw.get("trials", defaults.trials), 2)
    return {"d": d, "trials": trials}


def check(data: dict) -> list[tuple[str, str]]:
    """Thresholding must store an input at the largest ``d``, for every ``kappa`` it meets.

    The one constraint between the memory's parameters (``memory_error``
    checks it again, with the others, when the item runs).
    """
    d_max = max(data["memory"]["d"])

    def validate(point):
        args = _arguments(point)
        if args["scheme"] == "threshold" and math.floor(d_max / args["kappa"]) == 0:
            raise ValueError(
                f"kappa = {args['kappa']:g} makes thresholding store P = floor(d / kappa) = 0 "
                f"inputs at every d (largest d = {d_max}); use kappa <= {d_max}"
            )

    return combination_problems(data["grid"], AXES, validate, "memory")


def cost(params: dict, settings: dict) -> list[tuple[int, float, float]]:
    """``[(rows, seconds, bytes)]`` of one item (seconds of the work, not of writing rows)."""
    table, args = settings["memory"], _arguments(params)
    d, n, m = table["d"], args["n_inputs"], args["n_labels"]
    per_trial = (_SECONDS_PER_COORDINATE * n * max(d)
                 + _SECONDS_PER_TERM * n * m * sum(set(d)))  # fmt: skip
    rows = len(d) * (2 if args["scheme"] == "threshold" else 1) + (args["T"] is not None)
    nbytes = 4 * n * max(d) + 8 * n * (m + 4)  # float32 embeddings of one trial, then scores
    return [(rows, table["trials"] * per_trial, nbytes)]


def measure(
    params: dict, settings: dict, seed_for: Callable, graph=None, failed=None
) -> list[dict]:
    """The memory error at the table's sizes ``d``, and the analytic terms (no skill graph).

    Rows (``quantity`` first, then the columns): ``memory_error`` per ``d``
    (mean over ``trials`` draws, with its 95% interval; ``n`` = trials),
    ``analytic_error`` (finite ``T``) or ``capacity_term`` (``T =
    "population"``) per ``d`` for thresholding, and one ``data_term`` row with
    finite ``T``.  ``seed_for("memory")`` seeds the draws.
    """
    table = settings["memory"]
    rows = memory_measurement(d=table["d"], trials=table["trials"], seed=seed_for("memory"),
                              **_arguments(params))  # fmt: skip
    return [
        {"quantity": r["quantity"], "d": r["d"], "value": r["value"], "ci_low": r["ci_low"],
         "ci_high": r["ci_high"],
         **({"n": table["trials"]} if r["quantity"] == "memory_error" else {})}
        for r in rows
    ]  # fmt: skip


#: the parameters every row of an item carries, in the order of its columns
_ROW_PARAMETERS = ("n_inputs", "n_labels", "zipf_exponent", "scheme", "kappa", "rho", "trials", "T")


def memory_measurement(*, d, seed=None, **options) -> list[dict]:
    """One sweep work item: the memory error at sizes ``d`` and the analytic terms, as tidy rows.

    Parameters
    ----------
    d : int or array_like of int
        Memory sizes, as in :func:`skillgraph.mechanisms.memory.memory_error`.
    seed : SeedSequence, int, Generator or None
        The work item's seed.
    **options
        ``T``, ``n_inputs``, ``n_labels``, ``zipf_exponent``, ``scheme``,
        ``kappa``, ``rho``, ``trials``: the keywords of
        :func:`~skillgraph.mechanisms.memory.memory_error`, with its defaults
        (any other name is a ``TypeError`` there).

    Returns
    -------
    list of dict
        Per ``d``: ``quantity = "memory_error"`` (Monte Carlo mean and 95%
        interval), and for thresholding ``"analytic_error"`` (and, with
        population frequencies, ``"capacity_term"``); with ``T``, one
        ``"data_term"`` row.  Every row carries the parameters.
    """
    curve = memory_error(d, seed=seed, **options)
    params = {name: options.get(name, MEMORY_ERROR_DEFAULTS[name]) for name in _ROW_PARAMETERS}
    scheme, T = params["scheme"], params["T"]
    nan = {"ci_low": math.nan, "ci_high": math.nan}
    rows = []
    analytic = curve.analytic() if scheme == "threshold" else None
    for i, dv in enumerate(curve.d):
        cell = size_cell(dv)
        ci = {"ci_low": float(curve.ci_low[i]), "ci_high": float(curve.ci_high[i])}
        rows.append({**params, "d": cell, "quantity": "memory_error",
                     "value": float(curve.error[i]), **ci})  # fmt: skip
        if analytic is not None:
            name = "capacity_term" if T is None else "analytic_error"
            rows.append({**params, "d": cell, "quantity": name, "value": float(analytic[i]), **nan})
    if T is not None:
        value = data_term(T, n_inputs=params["n_inputs"], zipf_exponent=params["zipf_exponent"])
        rows.append({**params, "d": None, "quantity": "data_term", "value": value, **nan})
    return rows
