"""The one choice between the two engines: materialise the graph, or stream its counts.

``"graph"`` samples the whole graph (:func:`~skillgraph.core.sampling.sample_graph`)
and applies a failure model to it: exact failure counts, every measurement.
``"stream"`` draws text pieces chunk by chunk and keeps only per-skill counts
(:func:`skillgraph.stream`): O(n_skills) memory, for failure models local to a
text piece.  Both return a :class:`~skillgraph.core.counts.SkillCounts`, and the
same seed gives both engines the same graph.  Every pipeline (``simulate``,
``emerge``, sweeps) resolves its engine here and gets its work from
:func:`get_engine`: what the engine runs, what it costs, whether it keeps the graph.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from skillgraph._validation import check_choice
from skillgraph.core.counts import SkillCounts
from skillgraph.core.failures import FAILURE_MODELS, nested_failure_sets
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import GRAPH_SLOTS_PER_SECOND, sample_graph
from skillgraph.core.streaming import STREAM_FAILURES, STREAM_SLOTS_PER_SECOND, stream, stream_bytes

__all__ = [
    "ENGINES",
    "ENGINE_ALIASES",
    "STREAM_ABOVE_EDGES",
    "STREAM_FAILURES",
    "Engine",
    "Simulation",
    "engine_name",
    "get_engine",
    "resolve_engine",
    "simulate_counts",
]

#: the engines, by the name every interface uses
ENGINES = ("graph", "stream")
#: older spellings still accepted (sweep specs of 0.1 wrote ``graph_mode = "materialize"``)
ENGINE_ALIASES = {"materialize": "graph", "materialise": "graph"}
#: ``engine="auto"`` streams above this many edge slots (``n_texts * k``)
STREAM_ABOVE_EDGES = 50_000_000


def engine_name(name: str, *, auto: bool = False) -> str:
    """``name`` checked, its alias (:data:`ENGINE_ALIASES`) replaced by the engine's name.

    Parameters
    ----------
    name : str
        A name of :data:`ENGINES`, an alias, or with ``auto`` also ``"auto"``.
    auto : bool
        Whether ``"auto"`` is accepted (and returned as is).

    Raises
    ------
    ValueError
        For any other name.
    """
    allowed = ("auto", *ENGINES) if auto else ENGINES
    if isinstance(name, str):  # anything else is refused by name below, not by a dict lookup
        name = ENGINE_ALIASES.get(name, name)
    return check_choice("engine", name, allowed)


def resolve_engine(engine: str, n_texts: int, k: int, *, replace: bool = True) -> str:
    """The engine to use: ``"graph"`` or ``"stream"``.

    Parameters
    ----------
    engine : {"auto", "graph", "stream"} or an alias of :data:`ENGINE_ALIASES`
        ``"auto"`` streams above :data:`STREAM_ABOVE_EDGES` edge slots, when
        the skills are drawn with replacement (the streaming engine's model).
    n_texts, k : int
        The graph's size.
    replace : bool
        Whether text pieces draw their skills with replacement.

    Raises
    ------
    ValueError
        For an unknown engine, or ``"stream"`` with ``replace=False``.
    """
    engine = engine_name(engine, auto=True)
    if engine == "auto":
        return "stream" if replace and n_texts * k > STREAM_ABOVE_EDGES else "graph"
    if engine == "stream" and not replace:
        raise ValueError(
            "engine 'stream' draws skills with replacement; use engine 'graph' for replace=False"
        )
    return engine


@dataclass(frozen=True)
class Simulation:
    """What :meth:`Engine.simulate` returns: the per-skill counts, and the graph if it was kept.

    Attributes
    ----------
    counts : SkillCounts
    graph : SkillGraph or None
        ``None`` with the streaming engine.
    failed : ndarray of bool or None
        The failure mask of the text pieces; ``None`` with the streaming engine.
    """

    counts: SkillCounts
    graph: SkillGraph | None = None
    failed: np.ndarray | None = None


class Engine(ABC):
    """One way of turning a graph's shape and seeds into per-skill counts: :func:`get_engine`.

    Attributes
    ----------
    name : str
        Its name in :data:`ENGINES`.
    failures : tuple of str
        The failure models it runs.
    keeps_graph : bool
        Whether its counts come with the materialised graph and failure mask,
        which graph-level measurements need.
    """

    name: ClassVar[str]
    failures: ClassVar[tuple[str, ...]]
    keeps_graph: ClassVar[bool]

    @abstractmethod
    def simulate(
        self,
        shape: tuple[int, int, int],
        theta: float,
        *,
        failure: str = "random",
        fail: Callable[[SkillGraph], np.ndarray] | None = None,
        skill_measure="uniform",
        zipf_exponent: float = 1.0,
        replace: bool = True,
        graph_seed=None,
        failure_seed=None,
    ) -> Simulation:
        """Sample one graph of ``shape`` and fail its text pieces at rate ``theta``.

        Parameters
        ----------
        shape : (n_skills, n_texts, k)
        theta : float
        failure : str
            The failure model, a name of ``failures``.
        fail : callable, optional
            ``fail(graph) -> bool mask`` replaces the failure model when the
            engine keeps the graph (a sweep's registered model with its settings).
        skill_measure, zipf_exponent, replace, graph_seed, failure_seed
            As in :func:`simulate_counts`.
        """

    @abstractmethod
    def failure_sets(
        self, shape: tuple[int, int, int], models, thetas, graph_seed, failure_seeds
    ) -> Iterator[tuple[int, int, SkillCounts]]:
        """The counts of one graph under every failure model at every rate, nested in the rate.

        One graph drawn from ``graph_seed`` serves every model and rate, and
        each model's failure sets grow with ``theta`` (common random numbers:
        differences between rates are not drowned by independent noise).

        Parameters
        ----------
        shape : (n_skills, n_texts, k)
        models : sequence of str
            Names of ``failures``.
        thetas : sequence of float
        graph_seed : SeedSequence
        failure_seeds : sequence of SeedSequence
            One per model, for the engines that draw failures apart from the graph.

        Yields
        ------
        (int, int, SkillCounts)
            The model's index, the rate's index and the counts, model by model.
        """

    @abstractmethod
    def cost(self, shape: tuple[int, int, int], sets_per_graph: int) -> tuple[float, float]:
        """Peak bytes and seconds of :meth:`failure_sets` with ``sets_per_graph`` failure sets."""


class _GraphEngine(Engine):
    """Materialise the graph (:func:`~skillgraph.core.sampling.sample_graph`): exact failures."""

    name = "graph"
    failures = tuple(FAILURE_MODELS)
    keeps_graph = True

    def simulate(self, shape, theta, *, failure="random", fail=None, skill_measure="uniform",
                 zipf_exponent=1.0, replace=True, graph_seed=None, failure_seed=None):  # fmt: skip
        graph = sample_graph(
            *shape, skill_measure=skill_measure, zipf_exponent=zipf_exponent, replace=replace,
            seed=graph_seed,
        )  # fmt: skip
        if fail is None:
            failed = FAILURE_MODELS[failure](graph, theta, seed=failure_seed)
        else:
            failed = fail(graph)
        return Simulation(SkillCounts.from_graph(graph, failed), graph, failed)

    def failure_sets(self, shape, models, thetas, graph_seed, failure_seeds):
        # exactly round(theta n_texts) failures, nested (nested_failure_sets)
        graph = sample_graph(*shape, seed=graph_seed)
        for mi, (model, seed) in enumerate(zip(models, failure_seeds, strict=True)):
            for si, failed in enumerate(nested_failure_sets(graph, model, thetas, seed)):
                yield mi, si, SkillCounts.from_graph(graph, failed)

    def cost(self, shape, sets_per_graph):
        slots = shape[1] * shape[2]
        # edges (int32) + edge texts (int64) + skill-side CSR (int64), roughly; one pass to
        # sample the graph and one per failure set
        return 24 * slots, (1 + sets_per_graph) * slots / GRAPH_SLOTS_PER_SECOND


class _StreamEngine(Engine):
    """Stream the counts (:func:`skillgraph.stream`): O(n_skills) memory, Bernoulli failures."""

    name = "stream"
    failures = STREAM_FAILURES
    keeps_graph = False

    def simulate(self, shape, theta, *, failure="random", fail=None, skill_measure="uniform",
                 zipf_exponent=1.0, replace=True, graph_seed=None, failure_seed=None):  # fmt: skip
        # a stream fixes its failures with its skills: all from graph_seed
        counts = stream(
            *shape, theta, failure=failure, skill_measure=skill_measure,
            zipf_exponent=zipf_exponent, seed=graph_seed,
        )  # fmt: skip
        return Simulation(counts)

    def failure_sets(self, shape, models, thetas, graph_seed, failure_seeds):
        # text i's failure depends on the seed and i only, so the sets are nested in theta
        for (mi, model), (si, theta) in itertools.product(enumerate(models), enumerate(thetas)):
            yield mi, si, stream(*shape, float(theta), failure=model, seed=graph_seed)

    def cost(self, shape, sets_per_graph):
        n_skills, n_texts, k = shape
        return stream_bytes(n_skills), sets_per_graph * n_texts * k / STREAM_SLOTS_PER_SECOND


_ENGINES = {engine.name: engine for engine in (_GraphEngine(), _StreamEngine())}


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (``"graph"`` or ``"stream"``, from :func:`resolve_engine`).

    Raises
    ------
    ValueError
        For a name not in :data:`ENGINES`.
    """
    return _ENGINES[check_choice("engine", name, ENGINES)]


def simulate_counts(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    *,
    failure: str = "random",
    skill_measure="uniform",
    zipf_exponent: float = 1.0,
    replace: bool = True,
    engine: str = "auto",
    graph_seed=None,
    failure_seed=None,
) -> SkillCounts:
    """Sample a graph, fail a fraction ``theta`` of its text pieces, return the per-skill counts.

    Parameters
    ----------
    n_skills, n_texts, k, skill_measure, zipf_exponent, replace
        The graph, as in :func:`~skillgraph.core.sampling.sample_graph`.
    theta : float
        Failure rate, in [0, 1].
    failure : str
        A name of :data:`skillgraph.core.failures.FAILURE_MODELS`.
    engine : {"auto", "graph", "stream"}
        See :func:`resolve_engine`.
    graph_seed, failure_seed : seed-like
        The graph's randomness and the failure set's.  The streaming engine
        draws both from ``graph_seed`` (a stream fixes its failures with its
        skills); ``failure_seed`` is then unused.

    Returns
    -------
    SkillCounts
        With ``graph``: exactly ``round(theta n_texts)`` failed text pieces
        for ``random``.  With ``stream``: Bernoulli failures (see
        :func:`skillgraph.stream`).
    """
    check_choice("failure", failure, tuple(FAILURE_MODELS))
    engine = resolve_engine(engine, n_texts, k, replace=replace)
    return get_engine(engine).simulate(
        (n_skills, n_texts, k), theta, failure=failure, skill_measure=skill_measure,
        zipf_exponent=zipf_exponent, replace=replace, graph_seed=graph_seed,
        failure_seed=failure_seed,
    ).counts
