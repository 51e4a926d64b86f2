"""The one choice between the two engines: materialise the graph, or stream its counts.

``"graph"`` samples the whole graph (:func:`~skillgraph.core.sampling.sample_graph`)
and applies a failure model to it: exact failure counts, every measurement.
``"stream"`` draws text pieces chunk by chunk and keeps only per-skill counts
(:func:`skillgraph.stream`): O(n_skills) memory, for failure models local to a
text piece.  Both return a :class:`~skillgraph.core.counts.SkillCounts`, and the
same seed gives both engines the same graph.  Every pipeline (``simulate``,
``emerge``, sweeps) resolves its engine here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skillgraph._validation import check_choice
from skillgraph.core.counts import SkillCounts
from skillgraph.core.failures import FAILURE_MODELS
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph
from skillgraph.core.streaming import STREAM_FAILURES, stream

__all__ = [
    "ENGINES",
    "ENGINE_ALIASES",
    "STREAM_ABOVE_EDGES",
    "STREAM_FAILURES",
    "Simulation",
    "resolve_engine",
    "simulate",
    "simulate_counts",
]

#: the engines, by the name every interface uses
ENGINES = ("graph", "stream")
#: older spellings still accepted (sweep specs of 0.1 wrote ``graph_mode = "materialize"``)
ENGINE_ALIASES = {"materialize": "graph", "materialise": "graph"}
#: ``engine="auto"`` streams above this many edge slots (``n_texts * k``)
STREAM_ABOVE_EDGES = 50_000_000


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
    engine = ENGINE_ALIASES.get(engine, engine)
    engine = check_choice("engine", engine, ("auto", *ENGINES))
    if engine == "auto":
        return "stream" if replace and n_texts * k > STREAM_ABOVE_EDGES else "graph"
    if engine == "stream" and not replace:
        raise ValueError(
            "engine 'stream' draws skills with replacement; use engine 'graph' for replace=False"
        )
    return engine


@dataclass(frozen=True)
class Simulation:
    """What :func:`simulate` returns: the per-skill counts, and the graph when it was materialised.

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


def simulate(
    engine: str,
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
    """Run engine ``engine`` (``"graph"`` or ``"stream"``, already resolved) on one graph.

    The one place where a pipeline's choice of engine becomes work.

    Parameters
    ----------
    engine : {"graph", "stream"}
        From :func:`resolve_engine`.
    shape : (n_skills, n_texts, k)
    theta : float
    failure : str
        The failure model: a name of :data:`~skillgraph.core.streaming.STREAM_FAILURES` for
        ``stream``; with ``graph`` one of :data:`~skillgraph.core.failures.FAILURE_MODELS` unless
        ``fail`` is given.
    fail : callable, optional
        ``fail(graph) -> bool mask`` replaces the failure model with ``graph``
        (a sweep's registered model with its settings).
    skill_measure, zipf_exponent, replace, graph_seed, failure_seed
        As in :func:`simulate_counts`.
    """
    n_skills, n_texts, k = shape
    if engine == "stream":
        counts = stream(
            n_skills, n_texts, k, theta, failure=failure, skill_measure=skill_measure,
            zipf_exponent=zipf_exponent, seed=graph_seed,
        )  # fmt: skip
        return Simulation(counts)
    graph = sample_graph(
        n_skills, n_texts, k, skill_measure=skill_measure, zipf_exponent=zipf_exponent,
        replace=replace, seed=graph_seed,
    )  # fmt: skip
    if fail is None:
        failed = FAILURE_MODELS[failure](graph, theta, seed=failure_seed)
    else:
        failed = fail(graph)
    return Simulation(SkillCounts.from_graph(graph, failed), graph, failed)


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
    return simulate(
        engine, (n_skills, n_texts, k), theta, failure=failure, skill_measure=skill_measure,
        zipf_exponent=zipf_exponent, replace=replace, graph_seed=graph_seed,
        failure_seed=failure_seed,
    ).counts
