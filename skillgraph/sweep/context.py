"""What a measurement sees of its work item: the per-skill counts, the seeds, the graph.

Both engines end in one :class:`~skillgraph.core.counts.SkillCounts` (per-skill
degrees and failed-edge counts), and every measurement that needs nothing more
reads ``ctx.counts``, whichever engine made them.  With ``engine = "graph"``
the context also holds the sampled graph and the failure mask, for the
measurements that need the graph itself (co-occurrence tuples, adversaries);
with ``engine = "stream"`` those are ``None``.

Seeds (the layout every version of the sweep engine keeps): item ``i`` of a
spec with master seed ``s`` has ``seed = child_seed(SeedSequence(s), i)``; its
graph comes from ``child_seed(seed, 0)``, its failure set from
``child_seed(seed, 1)`` and each random measurement from
``child_seed(seed, 2, tag, *key)`` (:meth:`ItemContext.seed_for`).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import numpy as np

from skillgraph._rng import child_seed
from skillgraph.core.counts import SkillCounts
from skillgraph.core.engine import get_engine
from skillgraph.core.graph import SkillGraph
from skillgraph.sweep.registry import get_failure_model

__all__ = ["WorkItem", "ItemContext", "item_context", "item_seed"]


@dataclass(frozen=True)
class WorkItem:
    """One grid point x replicate: everything a worker needs, as plain data.

    Made by :func:`skillgraph.sweep.spec_points.expand`.  ``params`` holds the item's
    value of every column in :data:`skillgraph.sweep.spec_points.PARAMETER_COLUMNS`;
    ``settings`` the measurement axes and options shared by all items
    (``measurements``, ``beta``, ``t``, ``tuple_mode``, ``bound_form``,
    ``engine``, ``curve_betas``, ``n_tuples``, ``delta_fail``, ``bernoulli``
    and the measurements' own tables).  The item's randomness is
    ``child_seed(SeedSequence(seed), index)``.
    """

    index: int
    seed: int
    params: dict
    settings: dict


@dataclass(frozen=True, eq=False)
class ItemContext:
    """One work item's data, as every measurement receives it.

    Attributes
    ----------
    item : WorkItem
        The item: ``item.params`` (its grid point) and ``item.settings`` (the
        measurement axes and options shared by all items).
    counts : SkillCounts or None
        Per-skill degrees and failed-edge counts, from either engine (``None``
        when no measurement of the spec samples a graph).
    seed : numpy.random.SeedSequence
        The item's seed; measurements take theirs from :meth:`seed_for`.
    graph : SkillGraph or None
        The sampled graph (``None`` with ``engine = "stream"``).
    failed : ndarray of bool or None
        The failure mask of the text pieces (``None`` with ``engine = "stream"``).
    """

    item: WorkItem
    counts: SkillCounts | None
    seed: np.random.SeedSequence
    graph: SkillGraph | None = None
    failed: np.ndarray | None = None

    @property
    def params(self) -> dict:
        """The item's grid point (``n_skills``, ``theta``, ...)."""
        return self.item.params

    @property
    def settings(self) -> dict:
        """Measurement axes (``beta``, ``t``, ...) and options shared by every item."""
        return self.item.settings

    @property
    def streamed(self) -> bool:
        """Whether the counts were streamed (no graph held)."""
        return self.graph is None

    def require_graph(self, what: str) -> SkillGraph:
        """The graph, or a ``ValueError`` saying that ``what`` needs it."""
        if self.graph is None:
            raise ValueError(f"{what} needs the materialised graph (options.engine = 'graph')")
        return self.graph

    def seed_for(self, name: str, *key: int) -> np.random.SeedSequence:
        """A seed for measurement ``name`` (and sub-key), independent of every other one."""
        tag = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
        return child_seed(self.seed, 2, tag, *key)

    def measure_seed(self, name: str, *key: int) -> np.random.SeedSequence:
        """Deprecated alias of :meth:`seed_for`."""
        warnings.warn(
            "ItemContext.measure_seed is now seed_for; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.seed_for(name, *key)

    def row(self, quantity: str, **values) -> dict:
        """A table row: the item's parameters, ``quantity``, then the measurement's columns.

        ``source`` (where the number comes from, as in :mod:`skillgraph.tables`)
        is the item's failure model unless ``values`` says otherwise: a bound's
        row passes ``source="bound"``.
        """
        return {**self.item.params, "quantity": quantity, "source": self.item.params["failure"],
                **values}

    def performance_curve(self, betas):
        """``beta -> competent fraction`` at each of ``betas`` (a ``PerformanceCurve``).

        :meth:`skillgraph.core.counts.SkillCounts.performance_curve`: one
        implementation, the same numbers whichever engine made the counts.
        """
        return self.counts.performance_curve(betas)


def item_seed(item: WorkItem) -> np.random.SeedSequence:
    """The seed of work item ``item``: ``child_seed(SeedSequence(item.seed), item.index)``."""
    return child_seed(np.random.SeedSequence(item.seed), item.index)


def zipf_exponent_of(params: dict) -> float:
    """The item's Zipf exponent: uniform items carry none (``None``), the samplers take 1."""
    return params["zipf_exponent"] if params["zipf_exponent"] is not None else 1.0


def item_context(item: WorkItem) -> ItemContext:
    """Sample the item's graph (or stream its counts) and fail its text pieces.

    Parameters
    ----------
    item : WorkItem
        Its ``settings["engine"]`` chooses the engine (``"graph"`` or ``"stream"``);
        with ``settings["samples_graph"]`` false nothing is sampled.

    Returns
    -------
    ItemContext

    Notes
    -----
    The streaming engine draws the same skills for every text piece as
    ``sample_graph`` from the same seed, but its own failure sets (random:
    i.i.d. Bernoulli(theta); deficit: expected rate theta), so its numbers
    differ from the graph engine's exact-count failure sets.
    """
    p = item.params
    seed = item_seed(item)
    if not item.settings["samples_graph"]:  # measurements of their own models
        return ItemContext(item, None, seed)
    model = get_failure_model(p["failure"])
    sim = get_engine(item.settings["engine"]).simulate(
        (p["n_skills"], p["n_texts"], p["k"]), p["theta"],
        failure=p["failure"],
        fail=lambda graph: model(graph, p["theta"], child_seed(seed, 1), item.settings),
        skill_measure=p["skill_measure"], zipf_exponent=zipf_exponent_of(p), replace=p["replace"],
        graph_seed=child_seed(seed, 0),
    )  # fmt: skip
    return ItemContext(item, sim.counts, seed, sim.graph, sim.failed)
