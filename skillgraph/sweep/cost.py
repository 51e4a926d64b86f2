"""What a sweep will cost, estimated before any work: rows, seconds and bytes.

Every work item samples a graph (or streams its counts) and takes its
measurements.  The estimate of one item is the engine's part (proportional to
the ``n_texts * k`` edge slots and to ``n_skills``) plus each measurement's
part, given by the ``cost`` function it was registered with
(:func:`skillgraph.sweep.registry.register_measurement`).  The measurement axes
(``beta``, ``t``, ``tuple_mode``, ``bound_form``, ``options.curve_betas``) are
counted here: a single work item with 100,000 thresholds is as much work as
100,000 items.

The rates below were measured on a 2-core machine (``sample_graph`` with
``n_skills = 1000, n_texts = 1e6, k = 8`` samples, fails and counts 8e6 edge
slots in about 0.08 s) and rounded up: the estimates are meant to tell a
minute from a year, not to schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from skillgraph.core.engine import get_engine
from skillgraph.sweep.registry import get_measurement

__all__ = [
    "Cost",
    "SweepCost",
    "engine_cost",
    "item_cost",
    "sweep_cost",
    "MAX_ROWS_PER_ITEM",
    "MAX_ROWS",
    "SECONDS_PER_EDGE",
    "SECONDS_PER_SKILL",
    "SECONDS_PER_ROW",
]

#: seconds per edge slot to sample, fail and count (either engine)
SECONDS_PER_EDGE = 2e-8
#: seconds per skill for one pass over the per-skill counts (one bad fraction)
SECONDS_PER_SKILL = 1e-7
#: seconds of Python overhead per table row
SECONDS_PER_ROW = 1e-4
#: bytes per edge slot of a materialised graph (int32 skill ids) ...
GRAPH_BYTES_PER_EDGE = 4
#: ... per text piece (offsets, the failure mask, sampling buffers) and per skill
GRAPH_BYTES_PER_TEXT = 24
GRAPH_BYTES_PER_SKILL = 48
#: the skill-side index of a graph (for co-occurrence tuples and adversaries), per edge slot
SKILL_INDEX_BYTES_PER_EDGE = 12
#: an engine that keeps no graph (streaming) holds per-skill and per-thread scratch counts only
STREAM_BYTES_PER_SKILL = 64
#: the largest number of table rows one work item may produce (its shard is held in memory)
MAX_ROWS_PER_ITEM = 100_000
#: the largest table a sweep may produce (``results.csv`` is assembled in memory)
MAX_ROWS = 5_000_000


@dataclass(frozen=True)
class Cost:
    """Rows, seconds and bytes of (part of) one work item.

    Attributes
    ----------
    rows : int
        Table rows produced.
    seconds : float
        Estimated time on one core of a 2-core machine.
    nbytes : float
        Estimated peak memory, in bytes.
    """

    rows: int = 0
    seconds: float = 0.0
    nbytes: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        # times add up; peaks do not (a measurement's arrays come after the sampling buffers),
        # so the larger one counts, on top of the graph that both hold
        return Cost(self.rows + other.rows, self.seconds + other.seconds,
                    max(self.nbytes, other.nbytes))  # fmt: skip

    def with_memory(self, nbytes: float) -> Cost:
        """This cost with ``nbytes`` more of memory held throughout."""
        return Cost(self.rows, self.seconds, self.nbytes + nbytes)


@dataclass(frozen=True)
class SweepCost:
    """The estimate of a whole sweep (see :func:`sweep_cost`).

    Attributes
    ----------
    n_items : int
        Work items.
    rows : int
        Rows of the finished table.
    seconds : float
        Single-core time of all items together.
    item : Cost
        The most expensive item (largest time; its memory is the largest too
        for the built-in measurements).
    item_params : dict
        Its grid point (``n_skills``, ``n_texts``, ``k``).
    """

    n_items: int
    rows: int
    seconds: float
    item: Cost
    item_params: dict

    def describe(self, workers: int = 1) -> str:
        """One line: items, rows, time on ``workers`` workers, the largest item."""
        return (
            f"{self.n_items:,} work items, {self.rows:,} table rows, about "
            f"{_duration(self.seconds / max(workers, 1))} on {workers} worker(s); "
            f"the largest item about {_duration(self.item.seconds)} and "
            f"{self.item.nbytes / 2**30:.3g} GiB"
        )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.3g} hours"
    years = seconds / (365.25 * 86400)
    return f"{seconds / 86400:.3g} days" if years < 1 else f"{years:.3g} years"


def edge_slots(params: dict) -> int:
    """``n_texts * k``: the edge slots of the item's graph."""
    return int(params["n_texts"]) * int(params["k"])


def engine_cost(params: dict, settings: dict) -> Cost:
    """Sampling (or streaming) one item's graph and failing its texts; one failure-rate row."""
    edges = edge_slots(params)
    n_skills = int(params["n_skills"])
    seconds = SECONDS_PER_EDGE * edges + SECONDS_PER_SKILL * n_skills + SECONDS_PER_ROW
    if not get_engine(settings["engine"]).keeps_graph:
        return Cost(1, seconds, STREAM_BYTES_PER_SKILL * n_skills)
    nbytes = (
        GRAPH_BYTES_PER_EDGE * edges
        + GRAPH_BYTES_PER_TEXT * int(params["n_texts"])
        + GRAPH_BYTES_PER_SKILL * n_skills
    )
    return Cost(1, seconds, nbytes)


def item_cost(params: dict, settings: dict) -> Cost:
    """The whole cost of one work item: the engine's and every measurement's.

    Parameters
    ----------
    params : dict
        The item's grid point (at least ``n_skills``, ``n_texts``, ``k``).
    settings : dict
        The measurement axes and options (``settings["measurements"]``...).
    """
    base = engine_cost(params, settings) if settings["samples_graph"] else Cost()
    total = Cost(base.rows, base.seconds, 0.0)
    for name in settings["measurements"]:
        estimate = get_measurement(name).cost
        total = total + (estimate(params, settings) if estimate is not None else Cost(rows=1))
    return total.with_memory(base.nbytes)


def sweep_cost(points: Iterable[tuple[dict, int]], settings: dict) -> SweepCost:
    """The estimate of a sweep from its distinct graph shapes.

    Parameters
    ----------
    points : iterable of (dict, int)
        Each distinct grid point that matters for the cost (``n_skills``,
        ``n_texts``, ``k``) and the number of work items at it.
    settings : dict
        As in :func:`item_cost`.
    """
    n_items = rows = 0
    seconds = 0.0
    worst, worst_params = Cost(), {}
    for params, count in points:
        cost = item_cost(params, settings)
        n_items += count
        rows += count * cost.rows
        seconds += count * cost.seconds
        if (cost.seconds, cost.nbytes) >= (worst.seconds, worst.nbytes):
            worst, worst_params = cost, params
    return SweepCost(n_items, rows, seconds, worst, worst_params)


def n_log_n(n: int) -> float:
    """``n log2 n`` (a sort), at least ``n``."""
    return n * max(1.0, math.log2(max(n, 2)))
