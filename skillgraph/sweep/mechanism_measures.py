"""The mechanisms as sweep measurements: ``memory``, ``superposition``, ``induction``.

Each mechanism describes its measurement in its own ``sweep_adapter`` module,
with plain data and plain functions and without knowing the sweep engine
(:mod:`skillgraph.mechanisms.memory.sweep_adapter`,
:mod:`skillgraph.mechanisms.superposition.sweep_adapter`,
:mod:`skillgraph.mechanisms.induction.sweep_adapter`); this module registers
them (into :data:`BUILTINS`, which ``skillgraph.sweep.builtins.load_builtins``
installs), so a spec in ``sims/`` runs them on the sweep engine (one worker, a
process pool or Dask) with the usual store, seeds and resumption:

``memory``
    The error of an associative memory against its size ``d``
    (:doc:`/theory/memory`).  It samples no skill graph: its grid axes are
    the memory's own, and its ``[memory]`` table gives the sizes ``d`` and the
    ``trials``.
``superposition``
    Tasks in superposition on the item's skill graph and failure set
    (:doc:`/theory/superposition`), for each tuple size ``grid.t`` and each
    ``lam`` and ``n_examples`` of its ``[superposition]`` table.
``induction``
    The induction-head testbed (:doc:`/theory/induction`): each work item
    trains one model; every field of its configuration (except ``seed``), and
    ``preset``, is a grid axis.

An axis absent from the grid is the mechanism's default (an empty cell in the
table).  Every combination of the grid's values is validated before any work,
and a problem names the axis.
"""

from __future__ import annotations

import functools
from types import ModuleType

from skillgraph.mechanisms._grid import MAX_COMBINATIONS
from skillgraph.mechanisms.induction import sweep_adapter as induction_adapter
from skillgraph.mechanisms.memory import sweep_adapter as memory_adapter
from skillgraph.mechanisms.superposition import sweep_adapter as superposition_adapter
from skillgraph.sweep.context import ItemContext
from skillgraph.sweep.cost import SECONDS_PER_ROW, Cost
from skillgraph.sweep.registry import MeasurementSet

__all__ = ["BUILTINS", "MEMORY_AXES", "INDUCTION_AXES", "MAX_COMBINATIONS", "ADAPTERS"]

#: the mechanisms' measurements (registered by ``skillgraph.sweep.builtins.load_builtins``)
BUILTINS = MeasurementSet()

#: the grid axes of ``memory`` and of ``induction`` (their adapters' ``AXES``)
MEMORY_AXES = memory_adapter.AXES
INDUCTION_AXES = induction_adapter.AXES
#: the adapters registered here, in order
ADAPTERS = (memory_adapter, superposition_adapter, induction_adapter)


def _cost(adapter: ModuleType, params: dict, settings: dict) -> Cost:
    """The adapter's ``(rows, seconds, bytes)`` pieces as one Cost, with the rows' writing."""
    total = Cost()
    for rows, seconds, nbytes in adapter.cost(params, settings):
        total = total + Cost(rows, seconds + rows * SECONDS_PER_ROW, nbytes)
    return total


def _measure(adapter: ModuleType, ctx: ItemContext) -> list[dict]:
    """Run the adapter on the item; its rows (``quantity`` first) as sweep rows.

    ``source`` (:mod:`skillgraph.tables`): the item's failure model when the
    mechanism runs on the item's graph and failures, else the mechanism's name.
    """
    spec = adapter.DESCRIPTION
    graph = ctx.require_graph(f"the {spec['name']} measurement") if spec["needs_graph"] else None
    rows = adapter.measure(ctx.params, ctx.settings, ctx.seed_for, graph=graph, failed=ctx.failed)
    source = ctx.params["failure"] if graph is not None else spec["name"]
    return [ctx.row(row.pop("quantity"), **{"source": source, **row}) for row in rows]


def _declare(adapter: ModuleType) -> None:
    """Declare one adapter's measurement (its description, checks, cost and rows)."""
    spec = adapter.DESCRIPTION
    BUILTINS.measurement(
        spec["name"],
        needs_graph=spec["needs_graph"],
        samples_graph=spec["samples_graph"],
        columns=spec["columns"],
        table=getattr(adapter, "parse_table", None),
        check=adapter.check,
        axes=adapter.AXIS_CHECKS,
        cost=functools.partial(_cost, adapter),
    )(functools.partial(_measure, adapter))


for _adapter in ADAPTERS:
    _declare(_adapter)
