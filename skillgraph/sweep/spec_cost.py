"""The cost of a sweep spec before any work: :func:`estimate`, and why a valid spec is refused.

The cost model and its rates are in :mod:`skillgraph.sweep.cost`; this module
feeds it the distinct points of a spec's grid that set an item's cost (graph
shape, the measurements' own axes) and turns a cost that cannot be paid (too
many rows, an item that would not finish) into problems for
:class:`~skillgraph.sweep.spec_types.SweepTooLarge`.
"""

from __future__ import annotations

import itertools

from skillgraph._resources import ResourceLimitError, check_time
from skillgraph.sweep.builtins import load_builtins
from skillgraph.sweep.cost import MAX_ROWS, MAX_ROWS_PER_ITEM, SweepCost, engine_cost, sweep_cost
from skillgraph.sweep.spec_points import (
    count_items,
    item_settings,
    own_points,
    samples_graph,
    skill_measure_points,
)
from skillgraph.sweep.spec_types import SweepSpec

__all__ = ["estimate"]

_SHAPE_KEYS = ("n_skills", "n_texts", "k", "skill_measure", "zipf_exponent")


def _cost_points(data: dict) -> list[tuple[dict, int]]:
    """The distinct points that set an item's cost (graph shape, own axes) and their counts."""
    grid = data["grid"]
    shapes = [dict.fromkeys(_SHAPE_KEYS)]
    if samples_graph(data["measurements"]):
        product = itertools.product(
            grid["n_skills"], grid["n_texts"], grid["k"], skill_measure_points(grid)
        )
        shapes = [dict(zip(_SHAPE_KEYS, (*shape[:3], *shape[3]), strict=True))
                  for shape in product]  # fmt: skip
    own = own_points(data)
    per_point = count_items(data) // (len(shapes) * len(own))
    return [({**shape, **point}, per_point) for shape in shapes for point in own]


def estimate(spec: SweepSpec) -> SweepCost:
    """The estimated cost of ``spec``: items, rows, seconds, the largest item.

    See :mod:`skillgraph.sweep.cost` for the model and its rates.
    """
    load_builtins()  # the cost model reads the measurements' registered cost functions
    return sweep_cost(_cost_points(spec.data), item_settings(spec.data))


def cost_problems(data: dict) -> list[tuple[str, str]]:
    """Why a valid spec cannot run: too many rows, or an item that cannot finish."""
    settings = item_settings(data)
    cost = sweep_cost(_cost_points(data), settings)
    axes = {f"grid.{key}": len(settings[key]) for key in ("beta", "t", "tuple_mode", "bound_form")}
    axes["options.curve_betas"] = len(settings["curve_betas"])
    widest = max(axes, key=axes.get)
    if cost.item.rows > MAX_ROWS_PER_ITEM:
        return [(widest, f"a work item would write {cost.item.rows:,} table rows, more than the "
                 f"{MAX_ROWS_PER_ITEM:,} one item may hold (the measurement axes multiply: "
                 f"{widest} has {axes[widest]:,} values); use fewer values")]  # fmt: skip
    if cost.rows > MAX_ROWS:
        return [("replicates", f"the sweep would write {cost.rows:,} table rows, more than the "
                 f"{MAX_ROWS:,} one table holds; split it into several specs")]  # fmt: skip
    sampling = settings["samples_graph"] and (
        engine_cost(cost.item_params, settings).seconds >= cost.item.seconds / 2
    )
    hint = (
        "Use fewer text pieces or a smaller k (the time grows with n_texts * k)."
        if sampling
        else "Use fewer values of the measurement axes (beta, t, ...) or cheaper measurements."
    )
    try:
        check_time(cost.item.seconds, _item_label(cost), hint)
    except ResourceLimitError as exc:
        return [("grid.n_texts" if sampling else widest, str(exc))]
    return []


def _item_label(cost: SweepCost) -> str:
    p = cost.item_params
    if p["n_texts"] is None:  # no graph: the measurements' own axes
        own = ", ".join(f"{key} = {value!r}" for key, value in p.items() if key not in _SHAPE_KEYS)
        return f"a work item ({own or 'no parameters'})"
    edges = float(p["n_texts"]) * float(p["k"])
    return (
        f"a work item with n_skills = {p['n_skills']:,}, n_texts = {p['n_texts']:,}, "
        f"k = {p['k']:,} ({edges:.3g} edge slots) and its measurements"
    )
