"""Streaming: competence of huge skill graphs in O(n_skills) memory (:ref:`theory-streaming`).

For failure models local to a text piece (``random``, ``deficit``), a text's
contribution to the per-skill counts depends on that text alone.  The numba
kernel ``skillgraph._kernels.stream_counts`` therefore draws text pieces in
blocks, decides each one's failure, adds its ``k`` edges to per-skill counts
and forgets it: the graph is never held, memory is O(n_skills) whatever
``n_texts`` is, and ``n_texts = 1e9`` or more fits on a laptop.

Randomness is counter based (``skillgraph._kernels``): text piece ``i``'s skills
and its failure depend only on the seed and on ``i``.  So

* the counts are identical for any number of threads and any chunk size;
* ``stream(..., seed=s)`` streams exactly the graph ``sample_graph(..., seed=s)``
  materialises (same skills for every text piece);
* one huge graph can be sharded: :func:`stream_plan` fixes everything random
  up front in a small picklable :class:`StreamPlan`; any worker computes the
  counts of a range of text pieces with :meth:`StreamPlan.counts`, and the
  partial :class:`StreamResult` objects add up (``sum(parts)``) to exactly the
  result of one call.

Examples
--------
>>> from skillgraph import stream, stream_plan
>>> r = stream(1000, 100_000, 4, 0.05, seed=1)
>>> r.n_edges
400000
>>> plan = stream_plan(1000, 100_000, 4, 0.05, seed=1)
>>> parts = [plan.counts(a, a + 25_000) for a in range(0, 100_000, 25_000)]
>>> bool((sum(parts).degrees == r.degrees).all())
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from skillgraph._jit import check_threads, kernels, numba_threads
from skillgraph._resources import check_memory, check_time
from skillgraph._rng import as_seed_sequence, child_seed, kernel_key
from skillgraph._validation import check_bool_array, check_choice, check_int, check_probability
from skillgraph.core.counts import SkillCounts
from skillgraph.core.graph import GraphShape
from skillgraph.core.sampling import sampler_tables

__all__ = [
    "STREAM_FAILURES",
    "stream",
    "stream_plan",
    "StreamPlan",
    "StreamResult",
    "deficit_error_rates",
]

#: failure models the streaming engine implements (the others need the graph)
STREAM_FAILURES = ("random", "deficit")

# Per-thread scratch counts are uint32: a kernel call adds at most chunk * k < 2**32 to any.
_MAX_CHUNK_EDGES = 2**32 - 1
# text pieces per kernel call: ~0.1 s at k = 8 on 2 cores; long enough that the
# thread barrier per call is negligible.  Each call also zeroes and sums O(threads
# n_skills) per-thread counts, serially: a call covers at least _SETUP_SHARE times as
# many edges, so that this stays under a per cent or so however many skills there are.
_DEFAULT_CHUNK = 2**25
_SETUP_SHARE = 256
# spawn keys of the seed's children (the skill draws use the seed itself, as sample_graph)
_FAILURE_STREAM = 0
_DEFICIT_ORDER = 1


def deficit_error_rates(
    skill_measure, k: int, theta: float, order
) -> tuple[np.ndarray, int, float]:
    """Per-skill error rates ``p_s`` of the streaming deficit model.

    The derivation is on the documentation page :ref:`theory-failure-deficit-stream`.

    Skills are marked unlearned (``p_s = 1``) in the given ``order`` while the
    per-slot failure probability ``q = sum_s mu1(s) p_s`` stays at most
    ``q* = 1 - (1 - theta) ** (1 / k)``; the next skill in the order is learned
    in part, ``p_s = (q* - q) / mu1(s)``; the others are learned (``p_s = 0``).
    A text piece fails when one of its ``k`` slots fails, a slot holding skill
    ``s`` failing with probability ``p_s`` independently, so a text fails
    with probability ``1 - prod_slots (1 - p_s)``, whose expectation over the
    i.i.d. slots is ``1 - (1 - q*) ** k = theta`` exactly.

    Parameters
    ----------
    skill_measure : ndarray of float64, shape (n_skills,)
        ``mu1``.
    k : int
    theta : float
        Target expected failure rate of a text piece, in [0, 1].
    order : ndarray of int, shape (n_skills,)
        A permutation of the skills: the order in which they become unlearned.

    Returns
    -------
    status : ndarray of uint8, shape (n_skills,)
        0 learned, 1 unlearned, 2 learned in part (at most one skill).
    partial : int
        The skill learned in part, or -1.
    fraction : float
        Its error rate ``p_s``, in [0, 1).
    """
    mu = np.asarray(skill_measure, dtype=np.float64)
    n = mu.shape[0]
    status = np.zeros(n, dtype=np.uint8)
    if theta <= 0.0:
        return status, -1, 0.0
    if theta >= 1.0:
        status[:] = kernels().UNLEARNED
        return status, -1, 0.0
    target = -np.expm1(np.log1p(-theta) / k)  # 1 - (1 - theta)^(1/k), accurate for small theta
    cumulative = np.cumsum(mu[order])
    n_full = int(np.searchsorted(cumulative, target, side="right"))  # whole skills fitting in q*
    status[order[:n_full]] = kernels().UNLEARNED
    if n_full == n:
        return status, -1, 0.0
    used = float(cumulative[n_full - 1]) if n_full else 0.0
    partial = int(order[n_full])
    fraction = min(max((target - used) / mu[partial], 0.0), 1.0)
    if fraction >= 1.0:
        status[partial] = kernels().UNLEARNED
        return status, -1, 0.0
    if fraction > 0.0:
        status[partial] = kernels().PARTIAL
        return status, partial, fraction
    return status, -1, 0.0


@dataclass(frozen=True, eq=False)
class StreamResult(SkillCounts):
    """Per-skill counts of a streamed graph (or of a range of its text pieces).

    A :class:`~skillgraph.core.counts.SkillCounts` (``degrees``,
    ``failed_edges``, ``skill_measure``, ``n_failed_texts``, ``n_texts`` and the
    measurements on them) that also knows what was streamed, so that counts of
    disjoint ranges of the same plan add up (``sum(results)``).

    Attributes
    ----------
    ranges : tuple of (start, stop)
        The ranges of text pieces counted, sorted and disjoint.
    plan : StreamPlan
        What was streamed (sizes, measure, keys, failure model).
    """

    ranges: tuple = ()
    plan: StreamPlan = field(default=None, repr=False)

    @property
    def n_edges(self) -> int:
        """Edge slots counted (``k * n_texts``)."""
        return self.n_texts * self.plan.k

    @property
    def complete(self) -> bool:
        """True when every text piece of the plan has been counted."""
        return self.ranges == ((0, self.plan.n_texts),)

    def __add__(self, other):
        if isinstance(other, int) and other == 0:  # sum() starts from 0
            return self
        if not isinstance(other, StreamResult):
            return NotImplemented
        if other.plan.fingerprint != self.plan.fingerprint:
            raise ValueError("cannot add counts of different stream plans (sizes, seed or model)")
        return self.plan.result(
            self.degrees + other.degrees,
            self.failed_edges + other.failed_edges,
            self.n_failed_texts + other.n_failed_texts,
            _merge_ranges(self.ranges + other.ranges),
        )

    __radd__ = __add__

    def __repr__(self) -> str:
        p = self.plan
        return (
            f"StreamResult(n_skills={p.n_skills}, n_texts={self.n_texts}/{p.n_texts}, k={p.k}, "
            f"failure={p.failure!r}, theta={p.theta}, failure_rate={self.failure_rate:.6g})"
        )


def _merge_ranges(ranges) -> tuple:
    """Sort and join ranges of text pieces; overlapping ranges would double count."""
    out: list[list[int]] = []
    for start, stop in sorted(ranges):
        if out and start < out[-1][1]:
            raise ValueError(
                f"text ranges overlap: [{start}, {stop}) and [{out[-1][0]}, {out[-1][1]}) "
                "would be counted twice"
            )
        if out and start == out[-1][1]:
            out[-1][1] = stop
        else:
            out.append([start, stop])
    return tuple((a, b) for a, b in out)


@dataclass(frozen=True, eq=False)
class StreamPlan:
    """Everything random about a streamed graph, fixed up front; small and picklable.

    Build one with :func:`stream_plan`.  Send it to workers and call
    :meth:`counts` on disjoint ranges of text pieces; add the results.

    Attributes
    ----------
    n_skills, n_texts, k : int
    theta : float
    failure : {"random", "deficit"}
    skill_measure : ndarray of float64
        ``mu1``.
    key, failure_key : ndarray of uint64, shape (2,)
        Keys of the skill draws (as :func:`skillgraph.sample_graph`) and of the
        failure draws.
    use_alias : bool
        Non-uniform measure: skills are drawn with Walker's alias method.
    packed_alias : ndarray of uint64
        Alias table, ``threshold | alias << 33`` per skill.
    status : ndarray of uint8
        Deficit model: 0 learned, 1 unlearned, 2 learned in part.
    partial_skill : int
        Deficit model: the skill learned in part (or -1).
    fraction : float
        Deficit model: its per-slot error rate.
    """

    n_skills: int
    n_texts: int
    k: int
    theta: float
    failure: str
    skill_measure: np.ndarray = field(repr=False)
    key: np.ndarray = field(repr=False)
    failure_key: np.ndarray = field(repr=False)
    use_alias: bool
    packed_alias: np.ndarray = field(repr=False)
    status: np.ndarray = field(repr=False)
    partial_skill: int
    fraction: float

    @property
    def fingerprint(self) -> tuple:
        """What two partial results must share to be added."""
        return (
            self.n_skills,
            self.n_texts,
            self.k,
            self.theta,
            self.failure,
            tuple(int(x) for x in self.key),
            tuple(int(x) for x in self.failure_key),
        )

    @property
    def unlearned(self) -> np.ndarray:
        """Deficit model: ids of the unlearned skills (empty for ``random``)."""
        return np.flatnonzero(self.status == kernels().UNLEARNED)

    def counts(
        self, start: int = 0, stop: int | None = None, *, threads=None, chunk_size=None
    ) -> StreamResult:
        """Counts of text pieces ``start .. stop - 1`` (default: all).

        Parameters
        ----------
        start, stop : int
            ``0 <= start <= stop <= n_texts``.
        threads : int, optional
            numba threads (default: numba's setting); the counts do not depend on it.
        chunk_size : int, optional
            Text pieces per kernel call (default ``2**25``, more when ``threads *
            n_skills`` is large; capped so that ``chunk_size * k < 2**32``); the
            counts do not depend on it.

        Returns
        -------
        StreamResult

        Notes
        -----
        O((stop - start) k) time, O(threads n_skills) memory.
        """
        start = check_int("start", start, 0, self.n_texts)
        stop = self.n_texts if stop is None else check_int("stop", stop, start, self.n_texts)
        threads = check_threads(threads)
        if chunk_size is not None:
            chunk_size = check_int("chunk_size", chunk_size, 1)
        return self._count(start, stop, threads, chunk_size)

    def _count(self, start: int, stop: int, threads, chunk_size) -> StreamResult:
        """:meth:`counts` of checked arguments."""
        degrees = np.zeros(self.n_skills, dtype=np.int64)
        failed_edges = np.zeros(self.n_skills, dtype=np.int64)
        n_failed = 0
        with numba_threads(threads) as parts:
            chunk = _chunk(chunk_size, self.k, self.n_skills, parts)
            # one scratch row per numba thread (the kernel indexes them by thread id);
            # alias draws with random failures are counted per column, in 64-bit pairs
            # the kernel allocates, and need no uint32 rows
            per_column = self.use_alias and self.failure == "random"
            check_memory(
                _count_bytes(self.n_skills, parts, per_column), "the streaming counts",
                _FEWER_SKILLS,
            )  # fmt: skip
            width = 0 if per_column else self.n_skills
            local_degrees = np.empty((parts, width), dtype=np.uint32)
            local_failed = np.empty((parts, width), dtype=np.uint32)
            mode = kernels().MODE_RANDOM if self.failure == "random" else kernels().MODE_DEFICIT
            for first in range(start, stop, chunk):
                n = min(chunk, stop - first)
                n_failed += int(
                    kernels().stream_counts(
                        self.key,
                        self.failure_key,
                        first,
                        n,
                        self.k,
                        self.packed_alias,
                        self.use_alias,
                        mode,
                        self.theta,
                        self.status,
                        self.fraction,
                        local_degrees,
                        local_failed,
                        degrees,
                        failed_edges,
                    )
                )
        return self.result(
            degrees, failed_edges, n_failed, ((start, stop),) if stop > start else ()
        )

    def result(self, degrees, failed_edges, n_failed_texts: int, ranges: tuple) -> StreamResult:
        """The :class:`StreamResult` of these counts over ``ranges`` of this plan's text pieces."""
        return StreamResult(
            degrees=degrees,
            failed_edges=failed_edges,
            skill_measure=self.skill_measure,
            n_failed_texts=int(n_failed_texts),
            n_texts=sum(stop - start for start, stop in ranges),
            ranges=ranges,
            plan=self,
        )

    def shards(self, n_shards: int) -> list[tuple[int, int]]:
        """``n_shards`` contiguous ranges covering all text pieces, for :meth:`counts`."""
        n_shards = check_int("n_shards", n_shards, 1)
        edges = np.linspace(0, self.n_texts, n_shards + 1).round().astype(np.int64)
        return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def _chunk(chunk_size, k: int, n_skills: int, threads: int) -> int:
    """Text pieces per kernel call: ``chunk_size``, or a default from the thread count and
    ``n_skills``; capped so that ``chunk * k < 2**32`` (the per-thread counts are uint32)."""
    cap = _MAX_CHUNK_EDGES // k
    if chunk_size is None:
        return min(max(_DEFAULT_CHUNK, _SETUP_SHARE * threads * n_skills // k), cap)
    return min(chunk_size, cap)


def _count_bytes(n_skills: int, threads: int, per_column: bool) -> int:
    """Memory of the counts of one ``counts`` call: int64 totals and per-thread rows."""
    return n_skills * (16 + (16 if per_column else 8) * threads)


_FEWER_SKILLS = "Streaming needs O(threads * n_skills) memory: use fewer skills or threads."
#: a conservative rate of the streaming engine on a slow 2-core machine, for estimates
STREAM_SLOTS_PER_SECOND = 2e8


def stream_bytes(n_skills: int) -> int:
    """Memory of a stream plan and its counts: tables, totals and per-thread scratch rows.

    Counted for as many threads as the machine has cores, the most numba starts.
    """
    return n_skills * 48 + _count_bytes(n_skills, os.cpu_count() or 1, per_column=True)


def stream_plan(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    *,
    failure: str = "random",
    skill_measure="uniform",
    zipf_exponent: float = 1.0,
    seed=None,
    unlearned=None,
) -> StreamPlan:
    """Fix the randomness of a streamed graph up front (see :func:`stream` for the parameters).

    ``unlearned`` (array of bool, shape ``(n_skills,)``, deficit model only)
    gives the unlearned skills instead of calibrating them to ``theta``: a text
    piece then fails exactly when it holds one of them (a mechanism, such as
    an associative memory, decides which skills are learned).

    Returns
    -------
    StreamPlan
        Picklable, O(n_skills) in size: ship it to workers (Dask, processes)
        and add the results of :meth:`StreamPlan.counts` on disjoint ranges.
    """
    shape = GraphShape.check(n_skills, n_texts, k, skill_measure, zipf_exponent)
    return _plan(shape, *_checked_failure(shape, theta, failure, unlearned), seed)


def _checked_failure(shape: GraphShape, theta, failure, unlearned) -> tuple:
    """``(theta, failure, unlearned)`` of a stream, checked."""
    theta = check_probability("theta", theta, open_low=False, open_high=False)
    failure = check_choice("failure", failure, STREAM_FAILURES)
    if unlearned is not None:
        if failure != "deficit":
            raise ValueError(f"unlearned needs failure='deficit', got failure={failure!r}")
        unlearned = check_bool_array("unlearned", unlearned, shape.n_skills)
    n_skills = shape.n_skills
    check_memory(stream_bytes(n_skills), f"streaming counts of {n_skills:,} skills", _FEWER_SKILLS)
    return theta, failure, unlearned


def _plan(shape: GraphShape, theta: float, failure: str, unlearned, seed) -> StreamPlan:
    """The plan of checked parameters (what :func:`stream_plan` returns)."""
    n_skills, n_texts, k = shape.n_skills, shape.n_texts, shape.k
    probs = shape.probs()
    seed_sequence = as_seed_sequence(seed)
    use_alias, threshold, alias = sampler_tables(shape.skill_measure, shape.zipf_exponent, probs)
    packed = kernels().pack_alias(threshold, alias, use_alias)
    partial, fraction = -1, 0.0
    if unlearned is not None:
        status = unlearned.astype(np.uint8)  # UNLEARNED where True
    elif failure == "deficit":
        order = np.random.default_rng(child_seed(seed_sequence, _DEFICIT_ORDER)).permutation(
            n_skills
        )
        status, partial, fraction = deficit_error_rates(probs, k, theta, order)
    else:
        status = np.zeros(1, dtype=np.uint8)  # unused by the random model
    for array in (probs, packed, status):
        array.setflags(write=False)
    return StreamPlan(
        n_skills=n_skills,
        n_texts=n_texts,
        k=k,
        theta=theta,
        failure=failure,
        skill_measure=probs,
        key=kernel_key(seed_sequence),
        failure_key=kernel_key(child_seed(seed_sequence, _FAILURE_STREAM)),
        use_alias=use_alias,
        packed_alias=packed,
        status=status,
        partial_skill=partial,
        fraction=float(fraction),
    )


def stream(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    *,
    failure: str = "random",
    skill_measure="uniform",
    zipf_exponent: float = 1.0,
    seed=None,
    threads: int | None = None,
    chunk_size: int | None = None,
) -> StreamResult:
    """Stream the paper's random graph and a failure set; keep only per-skill counts.

    Each of ``n_texts`` text pieces draws ``k`` skills i.i.d. from ``mu1``
    (with replacement, :ref:`theory-graph-model`), fails or not, and adds its edges to the
    per-skill degree and failed-edge counts; the graph is never stored.

    Parameters
    ----------
    n_skills : int
        Number of skills, 1 to 2**31 - 1.
    n_texts : int
        Number of text pieces, >= 1 (1e9 and more are fine: memory does not grow).
    k : int
        Skills per text piece, 1 to 2**20.
    theta : float
        Failure rate, in [0, 1].
    failure : {"random", "deficit"}
        ``"random"``: each text piece fails independently with probability
        ``theta`` (Bernoulli, :ref:`theory-failure-random`; the count varies).  ``"deficit"``:
        some skills are unlearned, chosen up front in a random order, and a
        text fails through them with expected rate exactly ``theta`` (see
        :func:`deficit_error_rates`; the materialised
        :func:`skillgraph.core.failures.deficit_failures` instead fails exactly
        ``round(theta n_texts)`` texts, which needs the whole graph).
    skill_measure : {"uniform", "zipf"} or array_like
        ``mu1``, see :func:`skillgraph.core.graph.skill_measure_array`.
    zipf_exponent : float
        Exponent of the Zipf measure, in [0, 50] (checked whatever the measure).
    seed : int, SeedSequence, Generator or None
        The same seed streams the same graph as
        :func:`skillgraph.sample_graph` (same skills per text piece).
    threads : int, optional
        numba threads; the counts are identical for any value.
    chunk_size : int, optional
        Text pieces per kernel call; the counts are identical for any value.

    Returns
    -------
    StreamResult
        ``degrees``, ``failed_edges``, ``competence()``, ``bad_fraction(beta)``,
        ``performance_curve(betas)``.

    Raises
    ------
    ValueError, TypeError
        On invalid parameters, before any work.

    Notes
    -----
    O(n_texts k) time, O(threads n_skills) memory.  Throughput on 2 cores:
    see the README's Performance section and ``benchmarks/bench_stream.py``.
    To shard one graph across workers use :func:`stream_plan` and
    :meth:`StreamPlan.counts`.

    Examples
    --------
    >>> r = stream(10_000, 1_000_000, 8, 0.05, seed=0)
    >>> r.n_edges
    8000000
    >>> round(r.failure_rate, 2)
    0.05
    """
    threads = check_threads(threads)  # validate everything before any work
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size, 1)
    shape = GraphShape.check(n_skills, n_texts, k, skill_measure, zipf_exponent)
    checked = _checked_failure(shape, theta, failure, None)
    slots = shape.n_texts * shape.k
    check_time(
        slots / STREAM_SLOTS_PER_SECOND,
        f"streaming {slots:,} edge slots",
        "Use fewer text pieces, or shard the plan across workers (stream_plan, StreamPlan.counts).",
    )
    plan = _plan(shape, *checked, seed)
    return plan._count(0, shape.n_texts, threads, chunk_size)
