"""Into the skill graph: the unrecalled associations as failed skills, on a graph or streamed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillgraph._validation import check_bool_array, check_choice, check_int
from skillgraph.core.competence import (
    competence_from_counts,
    tuple_bad_fraction_from_counts,
)
from skillgraph.core.failures import as_mask
from skillgraph.core.graph import SkillGraph
from skillgraph.core.streaming import stream_plan

__all__ = ["memory_theta", "memory_failures", "MemoryStreamCounts", "stream_memory_failures"]


def memory_theta(error, *, coupling: str = "structural", k: int = 8):
    """The failure rate ``theta`` a memory error ``E`` gives the skill graph.

    ``"drop-in"``: ``theta = E`` replaces ``theta`` from a scaling law.
    ``"structural"``: the unrecalled associations are the unlearned skills
    and a text piece fails when one of its ``k`` skills (i.i.d. from ``p``) is
    unlearned, so ``theta = 1 - (1 - E) ** k`` (in expectation over the text
    pieces, given the memory).

    Parameters
    ----------
    error : float or array_like
        ``E`` in [0, 1].
    coupling : {"structural", "drop-in"}
    k : int
        Skills per text piece, >= 1.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(memory_theta(0.01, k=8), 6)
    0.077255
    """
    coupling = check_choice("coupling", coupling, ("structural", "drop-in"))
    k = check_int("k", k, 1)
    e = np.asarray(error, dtype=np.float64)
    if not np.all((e >= 0) & (e <= 1)):
        raise ValueError(f"error must be in [0, 1], got {error!r}")
    with np.errstate(divide="ignore"):  # E = 1: log1p(-1) = -inf, and theta = 1 exactly
        out = e if coupling == "drop-in" else -np.expm1(k * np.log1p(-e))
    return float(out) if out.ndim == 0 else out


def memory_failures(graph, unrecalled) -> np.ndarray:
    """Structural coupling on a materialised graph: a text fails when it uses an unrecalled skill.

    Parameters
    ----------
    graph : SkillGraph
        Skills are the memory's inputs (``graph.n_skills == N``); for the
        closed form of :func:`memory_theta` the skill measure must be ``p``
        (``sample_graph(N, n_texts, k, skill_measure="zipf", zipf_exponent=a)``).
    unrecalled : ndarray of bool, shape (n_skills,)
        The unlearned skills, e.g. ``memory_recall(...).unrecalled[i]``.

    Returns
    -------
    ndarray of bool, shape (n_texts,)
        Read-only failure mask (the ``deficit`` model of the failure models,
        with the unlearned set given by the memory instead of calibrated);
        feed it to :func:`skillgraph.competence` or
        :func:`skillgraph.tuple_bad_fraction`.

    Notes
    -----
    O(n_edges).  Text pieces without skills never fail.
    """
    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    unrecalled = check_bool_array("unrecalled", unrecalled, graph.n_skills)
    failed = np.zeros(graph.n_texts, dtype=bool)
    nonempty = graph.text_degrees > 0
    if graph.n_edges:
        starts = graph.text_indptr[:-1][nonempty]
        failed[nonempty] = np.logical_or.reduceat(unrecalled[graph.text_indices], starts)
    return as_mask(graph, failed)


@dataclass(frozen=True, eq=False)
class MemoryStreamCounts:
    """Per-skill counts of a streamed graph under the memory failure model.

    Attributes
    ----------
    degrees, failed_edges : ndarray of int64, shape (n_skills,)
        Edge slots per skill, and those in failed text pieces.
    n_failed_texts, n_texts, k : int
    skill_measure : ndarray of float64
        ``p``.
    """
    degrees: np.ndarray = field(repr=False)
    failed_edges: np.ndarray = field(repr=False)
    n_failed_texts: int
    n_texts: int
    k: int
    skill_measure: np.ndarray = field(repr=False)

    @property
    def failure_rate(self) -> float:
        """Fraction of text pieces that failed."""
        return self.n_failed_texts / self.n_texts

    def competence(self) -> np.ndarray:
        """Competence per skill (NaN without edges), as on the materialised graph."""
        return competence_from_counts(self.degrees, self.failed_edges)

    def tuple_bad_fraction(self, t: int, beta: float, *, n_tuples=None, seed=None):
        """Bad fraction of ``t``-tuples (tensor definition), see ``tuple_bad_fraction``."""
        return tuple_bad_fraction_from_counts(
            self.degrees, self.failed_edges, self.skill_measure, t, beta,
            n_tuples=n_tuples, seed=seed,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"MemoryStreamCounts(n_skills={self.skill_measure.size}, n_texts={self.n_texts}, "
            f"k={self.k}, failure_rate={self.failure_rate:.6g})"
        )


def stream_memory_failures(
    unrecalled,
    n_texts: int,
    k: int,
    *,
    zipf_exponent: float = 2.0,
    seed=None,
    chunk_size: int | None = None,
) -> MemoryStreamCounts:
    """Structural coupling, streamed: per-skill counts without holding the graph.

    Each of ``n_texts`` text pieces draws ``k`` skills i.i.d. from ``p`` (Zipf
    over ``len(unrecalled)`` skills), fails when one of them is unrecalled, and
    adds its edges to per-skill counts; memory is O(N).

    Parameters
    ----------
    unrecalled : ndarray of bool, shape (N,)
    n_texts : int
        >= 1.
    k : int
        Skills per text piece, >= 1.
    zipf_exponent : float
        ``a`` of the skill measure ``p``, in [0, 50].
    seed : int, SeedSequence, Generator or None
        The counts do not depend on ``chunk_size`` nor on the number of threads.
    chunk_size : int, optional
        Text pieces per kernel call (see :meth:`~skillgraph.core.streaming.StreamPlan.counts`).

    Returns
    -------
    MemoryStreamCounts

    Notes
    -----
    The streaming engine of :func:`skillgraph.stream_plan` with the deficit
    failure model and the memory's unrecalled skills as its unlearned set:
    the counts equal those of :func:`memory_failures` on the graph that
    :func:`skillgraph.sample_graph` draws from the same seed (skill measure
    ``"zipf"``).  O(n_texts k) time.
    """
    unrecalled = np.asarray(unrecalled)
    if unrecalled.ndim != 1:
        raise ValueError(f"unrecalled must be 1-D, got shape {unrecalled.shape}")
    unrecalled = check_bool_array("unrecalled", unrecalled, unrecalled.shape[0])
    n_skills = unrecalled.shape[0]
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size, 1)
    # theta only labels the plan: the unrecalled set, not a calibration, decides the failures
    plan = stream_plan(
        n_skills, n_texts, k, 0.0, failure="deficit", skill_measure="zipf",
        zipf_exponent=zipf_exponent, seed=seed, unlearned=unrecalled,
    )  # fmt: skip
    counts = plan.counts(chunk_size=chunk_size)
    return MemoryStreamCounts(
        degrees=counts.degrees, failed_edges=counts.failed_edges,
        n_failed_texts=counts.n_failed_texts, n_texts=counts.n_texts, k=plan.k,
        skill_measure=counts.skill_measure,
    )  # fmt: skip
