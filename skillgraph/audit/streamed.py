"""The targeted adversary on the stream: attack a graph far too large to hold.

A sampled graph is a function of its seed: :class:`~skillgraph.core.streaming.StreamPlan`
regenerates any range of its text pieces exactly, pass after pass, in
O(n_skills) memory.  The targeted adversary (:mod:`skillgraph.audit.targeted`,
:ref:`theory-sharp-lower`) fails the ``m = round(theta n_texts)`` text pieces
with the most slots in a skill set ``S``; on the stream it takes two passes:

1. **Histogram.**  ``X_i`` = slots of text ``i`` in ``S``; the pass counts how
   many texts have each value of ``X``.  From the counts, ``tau`` = the
   ``m``-th largest ``X``: every text with ``X > tau`` fails, and a share of
   the texts with ``X = tau`` (the ties) -- those whose *tie draw*, a uniform
   from the text's own counter-based stream under a key of the adversary's
   seed, is below a cut fixed from the counts.
2. **Count.**  The pass applies that rule to every text and counts each
   skill's failed slots; a skill is bad when they exceed ``beta`` of its degree.

The failure set is a deterministic function of the graph's seed and the
adversary's seed, whatever the threads, chunks or shards.  The tie cut sits
:data:`TIE_SIGMAS` standard deviations below the expected share, so that
``|Y| <= m`` (checked in pass 2; the cut is lowered and the pass repeated in the
rare case it is not): a few ``sqrt(m)`` texts fewer than ``m`` fail, which
can only make the adversary weaker (a lower bound stays a lower bound).
The materialised :func:`~skillgraph.audit.targeted.targeted` starts from the
same top-``m`` fill but gives the ties to the skills of ``S`` still short of
their need and then swaps texts between them; the streamed one does not, and
on large graphs loses at most a few skills to it (tested).

The sets tried are nested, ``S_z`` = the ``z`` skills cheapest to make bad
(``need / mu1``, ties by a seeded draw), and a batch of sizes ``z`` shares
each pass.  Each pass is a sum over shards of the text pieces, run in this
process or on any executor with a ``map`` (a Dask cluster:
:func:`skillgraph.sweep.executors.make_executor`).

Building blocks (also for the streamed tuple adversary): :func:`skill_ranks`,
:func:`run_pass`, :func:`tie_rules` and :func:`attack_sizes`; the adversary
itself is :func:`streamed_targeted`.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np

from skillgraph._executors import DaskExecutor, make_executor
from skillgraph._jit import check_threads, kernels, numba_threads
from skillgraph._rng import as_generator, as_seed_sequence, child_seed, kernel_key
from skillgraph._validation import check_real
from skillgraph.audit.outcome import AdversaryOutcome
from skillgraph.audit.search import UNREACHABLE, need_counts
from skillgraph.audit.targeted import sharp_size
from skillgraph.core.competence import bad_fraction_from_counts
from skillgraph.core.failures import failure_count
from skillgraph.core.streaming import deficit_error_rates

__all__ = [
    "StreamedGraph",
    "StreamedTargeted",
    "TieRule",
    "skill_ranks",
    "run_pass",
    "tie_rules",
    "attack_sizes",
    "streamed_targeted",
    "streamed_graph",
    "streamed_adversaries",
    "executor_for",
    "SKIPPED_NOTE",
    "TIE_SIGMAS",
]

#: the tie cut sits this many standard deviations below the expected share (``|Y| <= m``)
TIE_SIGMAS = 4.0
#: sizes of S tried in the coarse scan (geometric) and, around the sharp size, densely
_COARSE_SIZES = 14
_DENSE = 16
#: at most this many sizes share one pass (per-thread counts are Z x n_skills)
_BATCH = 32
#: the tie draw is compared in units of 2**-53
_TWO53 = 1 << 53
#: what a streamed check says about the adversaries it did not run
SKIPPED_NOTE = (
    "streamed engine: the greedy and exact adversaries need the materialised graph and were "
    "skipped; the targeted adversary ran on the stream (at most round(theta n_texts) failed "
    "texts, ties by a counter-based draw); random and deficit are the streamed failure models "
    "(their number of failed texts varies around theta n_texts)"
)


@dataclass(frozen=True)
class StreamedGraph:
    """What a check needs to know of a streamed graph: sizes, measure and skill degrees.

    Stands in for a :class:`~skillgraph.core.graph.SkillGraph` where the text
    pieces are never held: every text has ``k`` skills (``is_regular``), and
    ``text_degrees`` lists the one text degree there is (not one per text).

    Attributes
    ----------
    plan : StreamPlan
        Regenerates the text pieces.
    degrees : ndarray of int64
        Skill degrees (a pass over the stream).
    """

    plan: object = field(repr=False)
    degrees: np.ndarray = field(repr=False)

    n_skills = property(lambda self: self.plan.n_skills)
    n_texts = property(lambda self: self.plan.n_texts)
    k = property(lambda self: self.plan.k)
    n_edges = property(lambda self: self.plan.n_texts * self.plan.k)
    skill_measure = property(lambda self: self.plan.skill_measure)
    is_regular = True

    @property
    def text_degrees(self) -> np.ndarray:
        """The distinct text degrees: ``[k]`` (every text piece has ``k`` skills)."""
        return np.full(1, self.k, dtype=np.int64)

    def __repr__(self) -> str:
        return f"StreamedGraph(n_skills={self.n_skills}, n_texts={self.n_texts}, k={self.k})"


@dataclass(frozen=True)
class TieRule:
    """How a set ``S_z`` fails its ``m`` texts: ``X > tau``, and ties with a draw below ``cut``.

    Attributes
    ----------
    tau : ndarray of int64, shape (Z,)
        The ``m``-th largest ``X`` (``k + 1`` when ``m = 0``: nothing fails).
    cut : ndarray of uint64, shape (Z,)
        Ties fail when their 53-bit tie draw is below ``cut`` (``2**53``: all).
    above, ties : ndarray of int64, shape (Z,)
        Texts with ``X > tau`` and with ``X = tau``.
    """

    tau: np.ndarray
    cut: np.ndarray
    above: np.ndarray
    ties: np.ndarray


@dataclass(frozen=True)
class StreamedTargeted:
    """The best failure set the streamed targeted adversary found, by its counts.

    Attributes
    ----------
    n_bad : int
        Bad skills (``failed_edges / degree > beta``).
    bad_fraction : float
        Their ``mu1``-mass.
    bad : ndarray of bool
        Which skills are bad.
    failed_edges : ndarray of int64
        Failed slots per skill under the best failure set.
    n_failed : int
        Texts in the failure set (``<= m``, a few ``sqrt(m)`` below).
    size : int
        ``|S|`` of the best set.
    tau, cut : int
        Its rule (:class:`TieRule`).
    details : dict
        Bad count per size tried, passes made, seconds.
    """

    n_bad: int
    bad_fraction: float
    bad: np.ndarray = field(repr=False)
    failed_edges: np.ndarray = field(repr=False)
    n_failed: int
    size: int
    tau: int
    cut: int
    details: dict = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------- passes


def skill_ranks(degrees, skill_measure, beta: float, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """The skills cheapest to make bad first: ``(order, rank)``.

    ``order`` holds the skills that can be bad (degree > 0), by ``need / mu1``
    (failed slots needed per unit of bad mass), ties by a draw of ``seed``;
    ``rank[s]`` (int32) is ``s``'s position in it, ``n_skills`` for the others
    (never in a set).  ``S_z = {s : rank[s] < z}``.
    """
    need = need_counts(np.asarray(degrees, dtype=np.int64), beta)
    idx = np.flatnonzero(need < UNREACHABLE)
    mu = np.asarray(skill_measure, dtype=np.float64)[idx]
    cost = need[idx] / np.maximum(mu, 1e-300)
    order = idx[np.lexsort((as_generator(seed).random(idx.size), cost))]
    rank = np.full(need.size, need.size, dtype=np.int32)
    rank[order] = np.arange(order.size, dtype=np.int32)
    return order, rank


def _pass_shard(task) -> tuple:
    """One shard of a pass (a picklable work item): ``(hist, counts, n_failed)``."""
    plan, tie_key, rank, sizes, tau, cut, start, stop, threads = task
    n_sizes = sizes.size
    hist = np.zeros((n_sizes, plan.k + 1), dtype=np.int64)
    second = tau.size > 0
    counts = np.zeros((n_sizes, plan.n_skills if second else 0), dtype=np.int64)
    n_failed = np.zeros(n_sizes, dtype=np.int64)
    with numba_threads(check_threads(threads)):
        kernels().stream_targeted_pass(
            plan.key, tie_key, start, stop - start, plan.k, plan.packed_alias, plan.use_alias,
            rank, sizes, tau, cut, hist, counts, n_failed,
        )  # fmt: skip
    return hist, counts, n_failed


def run_pass(plan, rank, sizes, rule: TieRule | None = None, *, tie_key=None, executor=None,
             shards: int | None = None, threads: int | None = None) -> tuple:  # fmt: skip
    """One pass over every text piece of ``plan`` for the nested sets of ``sizes``.

    Parameters
    ----------
    plan : StreamPlan
    rank : ndarray of int32
        From :func:`skill_ranks`.
    sizes : sequence of int
        The batch: ``S_z = {s : rank[s] < z}`` for each ``z``.
    rule : TieRule, optional
        None: the first pass (histograms of ``X``).  Else the second (failed
        slots per skill under ``rule``, whose ``tie_key`` must be given).
    executor : object with ``map(fn, items)``, optional
        Runs the shards (default: this process, numba's threads).
    shards : int, optional
        Contiguous ranges of text pieces (default 1 in this process, 4 per
        worker on an executor).
    threads : int, optional
        numba threads per shard.

    Returns
    -------
    hist : ndarray of int64, shape (Z, k + 1)
        First pass: texts with each value of ``X``, per size.
    counts : ndarray of int64, shape (Z, n_skills)
        Second pass: failed slots per skill, per size (``(Z, 0)`` in the first).
    n_failed : ndarray of int64, shape (Z,)
        Second pass: failed texts per size.

    Notes
    -----
    The sums over shards are integer sums: the same for any executor, shard
    count or thread count.  O(threads Z n_skills) memory per shard.
    """
    sizes = np.ascontiguousarray(sizes, dtype=np.int64)
    if rule is None:
        tau = np.zeros(0, dtype=np.int64)
        cut = np.zeros(0, dtype=np.uint64)
        tie_key = np.zeros(2, dtype=np.uint64)
    else:
        if tie_key is None:
            raise ValueError("the second pass needs the tie_key of the adversary's seed")
        tau, cut = rule.tau, rule.cut
    workers = 1 if executor is None else max(1, int(getattr(executor, "workers", 1)))
    n_shards = shards if shards is not None else (1 if executor is None else 4 * workers)
    tasks = [(plan, tie_key, rank, sizes, tau, cut, a, b, threads)
             for a, b in plan.shards(n_shards)]  # fmt: skip
    results = map(_pass_shard, tasks) if executor is None else executor.map(_pass_shard, tasks)
    hist = np.zeros((sizes.size, plan.k + 1), dtype=np.int64)
    counts = np.zeros((sizes.size, plan.n_skills if rule is not None else 0), dtype=np.int64)
    n_failed = np.zeros(sizes.size, dtype=np.int64)
    for h, c, f in results:
        hist += h
        counts += c
        n_failed += f
    return hist, counts, n_failed


def tie_rules(hist: np.ndarray, m: int, sigmas: float = TIE_SIGMAS) -> TieRule:
    """The rule of each size from its histogram of ``X``: ``tau`` and the tie cut.

    ``tau`` = the largest ``v`` with at least ``m`` texts at ``X >= v``; the
    ``need = m - above`` remaining failures go to the ``ties`` texts at
    ``X = tau`` with a share ``(need - sigmas sqrt(need)) / ties`` (all ties
    when ``need = ties``), so that ``above + Binomial(ties, share) <= m``
    except with probability about ``Phi(-sigmas)``.
    """
    hist = np.asarray(hist, dtype=np.int64)
    n_sizes, width = hist.shape
    tau = np.full(n_sizes, width, dtype=np.int64)
    cut = np.zeros(n_sizes, dtype=np.uint64)
    above = np.zeros(n_sizes, dtype=np.int64)
    ties = np.zeros(n_sizes, dtype=np.int64)
    for zi in range(n_sizes):
        at_least = np.cumsum(hist[zi, ::-1])[::-1]  # at_least[v] = texts with X >= v
        if m <= 0:
            continue
        t = int(np.flatnonzero(at_least >= m)[-1])
        tau[zi] = t
        above[zi] = int(at_least[t + 1]) if t + 1 < width else 0
        ties[zi] = int(hist[zi, t])
        need = m - above[zi]
        if need >= ties[zi]:
            cut[zi] = _TWO53
        else:
            share = max(need - sigmas * math.sqrt(need), 0.0) / ties[zi]
            cut[zi] = int(share * _TWO53)
    return TieRule(tau=tau, cut=cut, above=above, ties=ties)


def attack_sizes(plan, rank, sizes, m: int, need, *, tie_key, executor=None,
                 threads=None) -> dict:  # fmt: skip
    """Attack the nested sets of ``sizes``, two passes per batch of up to 32.

    Returns ``{z: (n_bad, counts, n_failed, tau, cut)}``.
    A size whose failure set came out larger than ``m`` (probability about
    ``Phi(-TIE_SIGMAS)``) is attacked again with a lower tie cut.
    """
    out = {}
    sizes = sorted(set(int(z) for z in sizes))
    for lo in range(0, len(sizes), _BATCH):
        batch = np.array(sizes[lo : lo + _BATCH], dtype=np.int64)
        sigmas = TIE_SIGMAS
        hist, _, _ = run_pass(plan, rank, batch, executor=executor, threads=threads)
        while batch.size:
            rule = tie_rules(hist, m, sigmas)
            _, counts, n_failed = run_pass(plan, rank, batch, rule, tie_key=tie_key,
                                           executor=executor, threads=threads)  # fmt: skip
            ok = n_failed <= m
            for zi in np.flatnonzero(ok):
                n_bad = int(np.count_nonzero(counts[zi] >= need))
                out[int(batch[zi])] = (n_bad, counts[zi], int(n_failed[zi]), int(rule.tau[zi]),
                                       int(rule.cut[zi]))  # fmt: skip
            batch, hist, sigmas = batch[~ok], hist[~ok], sigmas + 2.0
    return out


# --------------------------------------------------------------------------- the adversary


def streamed_graph(plan, *, executor=None, threads=None) -> StreamedGraph:
    """The :class:`StreamedGraph` of ``plan``: one pass for the skill degrees."""
    return StreamedGraph(plan=plan, degrees=_model_counts(plan, executor, threads).degrees)


def _counts_shard(task):
    plan, start, stop, threads = task
    return plan.counts(start, stop, threads=threads)


def _model_counts(plan, executor, threads):
    """The plan's counts (degrees and its failure model's failed edges), shard by shard."""
    tasks = [(plan, a, b, threads) for a, b in plan.shards(_n_shards(executor))]
    return sum(_map(executor, _counts_shard, tasks))


def _n_shards(executor) -> int:
    return 1 if executor is None else 4 * max(1, int(getattr(executor, "workers", 1)))


def _map(executor, fn, items):
    return map(fn, items) if executor is None else executor.map(fn, items)


def _model_plan(plan, theta: float, failure: str, seed):
    """``plan``'s graph with the failure model ``failure`` at rate ``theta`` (keys of ``seed``)."""
    import dataclasses


    ss = as_seed_sequence(seed)
    status, partial, fraction = np.zeros(1, dtype=np.uint8), -1, 0.0
    if failure == "deficit":
        order = np.random.default_rng(child_seed(ss, 1)).permutation(plan.n_skills)
        status, partial, fraction = deficit_error_rates(plan.skill_measure, plan.k, theta, order)
    return dataclasses.replace(
        plan, theta=theta, failure=failure, failure_key=kernel_key(child_seed(ss, 0)),
        status=status, partial_skill=int(partial), fraction=float(fraction),
    )  # fmt: skip


def streamed_adversaries(plan, theta: float, beta: float, master, *, executor=None,
                         threads=None) -> tuple[StreamedGraph, dict]:  # fmt: skip
    """The streamed check's graph and its adversaries, as :func:`skillgraph.audit.report.check`
    reports them: ``(graph, {name: AdversaryOutcome})`` for ``targeted``, ``deficit`` and
    ``random`` (seeds: children 4, 3 and 2 of ``master``, as the materialised check).

    The random model's pass also counts the degrees: four passes in all, plus
    two per further batch of set sizes of the targeted adversary.
    """
    random = _model_counts(_model_plan(plan, theta, "random", child_seed(master, 2)), executor,
                           threads)  # fmt: skip
    graph = StreamedGraph(plan=plan, degrees=random.degrees)
    deficit = _model_counts(_model_plan(plan, theta, "deficit", child_seed(master, 3)), executor,
                            threads)  # fmt: skip
    tg = streamed_targeted(plan, theta, beta, graph=graph, seed=child_seed(master, 4),
                           executor=executor, threads=threads)  # fmt: skip
    outcomes = {}
    for name, counts in (("targeted", tg.failed_edges), ("deficit", deficit.failed_edges),
                         ("random", random.failed_edges)):  # fmt: skip
        est = _bad(graph, counts, beta)
        outcomes[name] = AdversaryOutcome(
            name=name, n_bad=int(est.n_bad), alpha=est.n_bad / graph.n_skills,
            bad_fraction=float(est.value),
        )  # fmt: skip
    return graph, outcomes


def _bad(graph, counts, beta):
    return bad_fraction_from_counts(graph.degrees, counts, beta, graph.skill_measure)


@contextlib.contextmanager
def executor_for(scheduler):
    """The executor of the shards for ``scheduler``, as a context manager.

    ``None``: this process (yields None).  A string: the address of a Dask
    scheduler (connected, closed afterwards; needs the ``dask`` extra).  A
    ``distributed.Client``: used as is.  Anything with ``map(fn, items)``
    returning the results (an executor of :mod:`skillgraph.sweep.executors`,
    a ``concurrent.futures`` executor): used as is.
    """
    if scheduler is None:
        yield None
        return
    if isinstance(scheduler, str):
        with make_executor(scheduler=scheduler) as executor:
            yield executor
        return
    if hasattr(scheduler, "scheduler_info") and hasattr(scheduler, "gather"):
        yield DaskExecutor(scheduler)
        return
    if not callable(getattr(scheduler, "map", None)):
        raise TypeError(
            "scheduler must be None, a Dask scheduler address, a distributed.Client or an "
            f"executor with map(fn, items); got {type(scheduler).__name__}"
        )
    yield scheduler


def _default_sizes(n_pos: int, z_sharp: int | None) -> list[int]:
    """A geometric scan of ``1 .. n_pos`` and, when the sharp size is known, every size
    from 20% below it up to it (the best streamed size sits just below: ties fail at
    random, so a set needs some slack); then the scan stops at twice the sharp size
    (larger sets are hopeless, and would put most slots in a set: slower passes)."""
    top = n_pos if not z_sharp else min(n_pos, 2 * z_sharp)
    coarse = np.geomspace(1, top, num=min(top, _COARSE_SIZES)).round().astype(int)
    sizes = set(coarse.tolist())
    if z_sharp:
        sizes |= set(np.linspace(max(1, 0.8 * z_sharp), z_sharp + 1, _DENSE).round().astype(int))
    return sorted(z for z in sizes if 1 <= z <= n_pos)


def streamed_targeted(plan, theta: float, beta: float, *, graph: StreamedGraph | None = None,
                      sizes=None, seed=None, executor=None,
                      threads: int | None = None) -> StreamedTargeted:  # fmt: skip
    """The targeted adversary on a streamed graph (two passes per batch of set sizes).

    Parameters
    ----------
    plan : StreamPlan
        The graph (:func:`skillgraph.core.streaming.stream_plan`; its own
        ``theta`` and failure model are not used).
    theta : float
        Failure rate in [0, 1]; at most ``m = round(theta n_texts)`` texts fail.
    beta : float
        Threshold in [0, 1): a skill is bad when ``fail(s) > beta``.
    graph : StreamedGraph, optional
        The plan's degrees if already counted (else one more pass).
    sizes : sequence of int, optional
        Sizes of ``S`` to try; default a geometric scan plus the 20% below
        ``alpha_sharp n_skills`` (regular graph, uniform ``mu1``), then the
        neighbours of the best.
    seed : int, SeedSequence, Generator or None
        The skill order's tie-breaks and the tie draws: with the plan, it
        fixes the failure set.
    executor : object with ``map(fn, items)``, optional
        Runs each pass's shards (e.g. a Dask cluster); default this process.
    threads : int, optional
        numba threads per shard.

    Returns
    -------
    StreamedTargeted

    Notes
    -----
    Passes: one for the degrees (unless ``graph`` is given), then two per
    batch of up to 32 sizes: the default search makes two batches (six
    passes with the degrees), each pass about the cost of one
    :func:`skillgraph.stream` call: the same draws, a table look-up per slot
    instead of a count, and further work only for the texts with a slot in
    a set of the batch (the second pass: those that can fail).
    """
    theta = check_real("theta", theta, 0.0, 1.0)
    beta = check_real("beta", beta, 0.0, 1.0, open_high=True)
    started = time.perf_counter()
    graph = graph if graph is not None else streamed_graph(plan, executor=executor, threads=threads)
    ss = as_seed_sequence(seed)
    order_seed, tie_seed = child_seed(ss, 0), child_seed(ss, 1)
    m = failure_count(plan.n_texts, theta)
    need = need_counts(graph.degrees, beta)
    order, rank = skill_ranks(graph.degrees, plan.skill_measure, beta, order_seed)
    tie_key = kernel_key(tie_seed)
    n_pos = order.size
    if m == 0 or n_pos == 0:
        zero = np.zeros(plan.n_skills, dtype=np.int64)
        return _result(graph, beta, zero, 0, 0, plan.k + 1, 0, {"sizes": {}})
    attack = lambda zs: attack_sizes(plan, rank, zs, m, need, tie_key=tie_key,  # noqa: E731
                                     executor=executor, threads=threads)  # fmt: skip
    if sizes is not None:
        tried = attack([min(max(int(z), 1), n_pos) for z in np.atleast_1d(sizes)])
    else:
        tried = attack(_default_sizes(n_pos, sharp_size(graph, theta, beta, n_pos)))
        z_best = max(tried, key=lambda z: (tried[z][0], -z))
        near = range(max(1, z_best - 3), min(n_pos, z_best + 3) + 1)
        window = [z for z in near if z not in tried]
        if window:
            tried.update(attack(window))
    z_best = max(tried, key=lambda z: (tried[z][0], -z))
    n_bad, counts, n_failed, tau, cut = tried[z_best]
    details = {
        "sizes": {z: tried[z][0] for z in sorted(tried)},
        "m": m,
        "seconds": time.perf_counter() - started,
    }
    return _result(graph, beta, counts, n_failed, z_best, tau, cut, details)


def _result(graph, beta, counts, n_failed, size, tau, cut, details) -> StreamedTargeted:
    est = _bad(graph, counts, beta)
    # the rule of bad_fraction: failed / degree > beta, edgeless skills never bad
    bad = (graph.degrees > 0) & (counts / np.maximum(graph.degrees, 1) > beta)
    return StreamedTargeted(
        n_bad=int(est.n_bad), bad_fraction=float(est.value), bad=bad, failed_edges=counts,
        n_failed=int(n_failed), size=int(size), tau=int(tau), cut=int(cut), details=details,
    )  # fmt: skip
