"""What every adversary shares: the result type, the badness arithmetic and the search state.

An adversary chooses a failure set ``Y`` of ``round(theta n_texts)`` text
pieces to make as many skills bad as it can.  :func:`need_counts` says how
many failed edges each skill needs; :class:`SearchContext` holds the counts a
search updates; :func:`make_result` verifies a failure set by recomputing
competence and wraps it in an :class:`AdversaryResult`.  The greedy and exact
adversaries (:mod:`skillgraph.audit.adversary`) and the targeted one
(:mod:`skillgraph.audit.targeted`) are built on these; the two searches
(greedy and targeted) run one skeleton, ``run_search``, from the opened search
to the verified result.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from skillgraph._display import Display
from skillgraph._jit import kernels
from skillgraph._rng import as_generator
from skillgraph._validation import check_real
from skillgraph.core.competence import bad_fraction, failed_edge_counts
from skillgraph.core.failures import failure_count
from skillgraph.core.graph import SkillGraph

__all__ = [
    "AdversaryResult",
    "SearchContext",
    "need_counts",
    "validate_inputs",
    "make_result",
    "top_indices",
    "pad_failures",
    "target_order",
    "UNREACHABLE",
]

#: the need of a skill that cannot be made bad (degree 0, or beta >= 1)
UNREACHABLE = np.iinfo(np.int64).max // 4


@dataclass(frozen=True, repr=False)
class AdversaryResult(Display):
    """A failure set found by an adversary, and what it does.

    Attributes
    ----------
    failed : ndarray of bool, shape (n_texts,)
        The failure set ``Y`` (exactly ``n_failed`` entries True; read-only).
    bad_fraction : float
        ``mu1``-mass of bad skills under ``Y`` (as :func:`skillgraph.core.competence.bad_fraction`).
    n_bad : int
        Number of bad skills.
    n_skills, n_failed : int
        Graph size and ``|Y| = round(theta * n_texts)``.
    theta, beta : float
        The inputs.
    method : str
        ``"greedy"``, ``"exact"`` or ``"targeted"`` (:mod:`skillgraph.audit.targeted`).
    optimal : bool
        ``True`` only for :func:`~skillgraph.audit.milp.exact` when HiGHS proved optimality.
    upper_bound : float or None
        :func:`~skillgraph.audit.milp.exact`: HiGHS's bound on the best achievable
        objective (``mu1``-mass of bad skills); ``None`` for
        :func:`~skillgraph.audit.adversary.greedy`.
    details : dict
        Search statistics (``greedy``: target sizes tried, seconds;
        ``exact``: solver status and message).
    """

    failed: np.ndarray
    bad_fraction: float
    n_bad: int
    n_skills: int
    n_failed: int
    theta: float
    beta: float
    method: str
    optimal: bool = False
    upper_bound: float | None = None
    details: dict = field(default_factory=dict, compare=False)

    @property
    def alpha(self) -> float:
        """``n_bad / n_skills``: the fraction of skills (by count) left bad.

        This is what a certificate (:doc:`/theory/certificates`) bounds; it equals
        ``bad_fraction`` under the uniform skill measure.
        """
        return self.n_bad / self.n_skills

    def __repr__(self) -> str:
        opt = f", optimal={self.optimal}" if self.method == "exact" else ""
        return (
            f"AdversaryResult(method={self.method!r}, bad_fraction={self.bad_fraction:.6g}, "
            f"n_bad={self.n_bad}, n_skills={self.n_skills}, n_failed={self.n_failed}{opt})"
        )


def need_counts(degrees: np.ndarray, beta: float) -> np.ndarray:
    """Failed edges each skill needs to be bad: the least ``f`` with ``f / deg > beta``.

    Evaluated exactly as :mod:`skillgraph.competence` decides badness (the
    float comparison ``f / deg > beta``), so that the integer program and the
    measured bad fraction agree even where ``beta * deg`` is a rounding-error
    away from an integer.  Skills of degree 0 (never bad) and skills that
    cannot be bad (``beta >= 1``) get a huge value.
    """
    beta = check_real("beta", beta, 0.0, 1.0)
    d = np.asarray(degrees)
    if d.dtype.kind not in "iu" or d.ndim != 1:
        raise TypeError(f"degrees must be a 1-D array of integers, got {d.dtype} {d.shape}")
    if np.any(d < 0):
        raise ValueError(f"degrees must be >= 0, got {int(d.min())}")
    d = d.astype(np.int64)
    safe = np.maximum(d, 1).astype(np.float64)
    need = np.floor(beta * d).astype(np.int64) + 1
    for _ in range(2):  # correct a rounding error of one step either way
        lower = need - 1
        need = np.where((lower >= 0) & (lower / safe > beta), lower, need)
        need = np.where(need / safe <= beta, need + 1, need)
    need = np.where((d == 0) | (need > d), UNREACHABLE, need)
    return need


def validate_inputs(graph, theta, beta):
    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    theta = check_real("theta", theta, 0.0, 1.0)
    beta = check_real("beta", beta, 0.0, 1.0, open_high=True)
    return graph, theta, beta


def make_result(graph, failed, theta, beta, method, **extra) -> AdversaryResult:
    failed = np.asarray(failed, dtype=bool).copy()
    failed.setflags(write=False)
    est = bad_fraction(graph, failed, beta)
    return AdversaryResult(
        failed=failed,
        bad_fraction=float(est.value),
        n_bad=int(est.n_bad),
        n_skills=graph.n_skills,
        n_failed=int(failed.sum()),
        theta=theta,
        beta=beta,
        method=method,
        **extra,
    )


# ---------------------------------------------------------------------------
# greedy
# ---------------------------------------------------------------------------


class SearchContext:
    """Arrays shared by the greedy passes (built once per call)."""

    def __init__(self, graph: SkillGraph, m: int, beta: float, rng: np.random.Generator):
        self.graph = graph
        self.m = m
        self.n_texts = graph.n_texts
        self.regular = graph.is_regular and graph.n_edges > 0
        self.slots = graph.text_skills if self.regular else graph.text_indices
        # the CSR arrays as the kernels take them (k > 0: regular, row pointers unread)
        self.csr = (graph.text_indptr, graph.text_indices, graph.k if self.regular else 0)
        self.need = need_counts(graph.degrees, beta)
        self.reachable = self.need < UNREACHABLE
        # Random tie-breaking among texts of equal score, fixed for the call,
        # below the smallest score increment used (weights are multiples of 1/8).
        # The generator's state is kept so that the values can be drawn again.
        self._noise_source = (type(rng.bit_generator), rng.bit_generator.state)
        self.noise = self._draw_noise(rng)
        self._noise_distinct = None  # known once noise_rank is built
        self.evaluations = 0
        #: the skill-side CSR while a search that reads it runs (``skill_texts(cache=False)``)
        self.skill_csr = None

    def _draw_noise(self, rng: np.random.Generator | None = None) -> np.ndarray:
        """The noise values: from ``rng``, or drawn again from the saved state."""
        if rng is None:
            kind, state = self._noise_source
            bits = kind()
            bits.state = state
            rng = np.random.Generator(bits)
        return rng.random(self.n_texts, dtype=np.float64) * 1e-3

    @cached_property
    def noise_rank(self) -> np.ndarray:
        """Rank of each text's ``noise`` (int32, 0 = smallest): ordering by it is ordering by
        ``noise`` (its values are distinct), with integer keys that pack and partition fast."""
        rank = np.empty(self.n_texts, dtype=np.int32)
        self._noise_distinct = bool(kernels().bucket_ranks(self.noise, rank))
        if not self._noise_distinct:  # equal values: argsort's order
            rank[np.argsort(self.noise)] = np.arange(self.n_texts, dtype=np.int32)
        return rank

    @contextlib.contextmanager
    def noise_as_ranks(self):
        """Within: ``noise`` is dropped (80 MB at 1e7 texts) and :meth:`noise_keys` gives the
        ranks, which order texts exactly as the values do when these are distinct (else
        nothing changes); the values are drawn again afterwards."""
        self.noise_rank  # noqa: B018 - built now, and tells whether the values are distinct
        if not self._noise_distinct:
            yield
            return
        self.noise = None
        try:
            yield
        finally:
            self.noise = self._draw_noise()

    def noise_keys(self, texts: np.ndarray) -> np.ndarray:
        """Keys that order ``texts`` as their noise does (the values, or their ranks)."""
        return self.noise_rank[texts] if self.noise is None else self.noise[texts]

    def lowest_ranked(self, mask: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` texts of the boolean ``mask`` of least noise (ascending ids): the
        set ``top_indices(-noise_rank[texts], count)`` picks, without an array of the
        mask's texts (all but a few when the failure set is mostly ties)."""
        return kernels().lowest_ranked(mask, self.noise_rank, count)

    def text_scores(self, weights: np.ndarray, noise: bool = False) -> np.ndarray:
        """``sum`` of ``weights[s]`` (as float32) over each text's slots (with multiplicity),
        plus, with ``noise``, the text's noise.

        One pass over the CSR arrays (no gathered copy of the slots); the sums
        are added slot by slot in float64, the same numbers as a ``bincount``,
        and the noise added to each as ``scores + noise`` would.
        """
        if noise and self.noise is None:  # else the scores would silently lose their ties
            raise RuntimeError(
                "text_scores(noise=True) inside noise_as_ranks(): the noise values are "
                "dropped there; order ties by noise_keys() instead"
            )
        out = np.empty(self.n_texts, dtype=np.float64)
        w = np.ascontiguousarray(weights, dtype=np.float32)
        return kernels().row_sums(*self.csr, w, out, plus=self.noise if noise else None)

    def member_counts(self, members: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Slots of each text (of ``rows``, default all) that hold a skill of the mask
        ``members`` (int32, with multiplicity)."""
        out = np.empty(self.n_texts if rows is None else rows.shape[0], dtype=np.int32)
        member = np.ascontiguousarray(members, dtype=np.int32)
        return kernels().row_sums(*self.csr, member, out, rows)

    def slot_histogram(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(X, counts)``: :meth:`member_counts` of every text, and ``np.bincount(X)``."""
        x = self.member_counts(members)
        return x, kernels().skill_degrees(x, int(x.max(initial=0)) + 1)  # no int64 copy of x

    def slots_of(self, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Skill of every slot of the given texts, and the position in ``texts`` it belongs to."""
        if self.regular:
            k = self.slots.shape[1]
            return self.slots[texts].ravel(), np.repeat(np.arange(texts.size), k)
        g = self.graph
        starts = g.text_indptr[texts]
        lens = g.text_indptr[texts + 1] - starts
        owner = np.repeat(np.arange(texts.size), lens)
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        return g.text_indices[np.repeat(starts, lens) + offsets], owner

    def hits(self, texts: np.ndarray) -> np.ndarray:
        """Failed-edge counts added to each skill by the given texts."""
        rows = np.asarray(texts, dtype=np.int64)
        return kernels().rows_skill_counts(*self.csr, rows, self.graph.n_skills)

    def n_bad(self, failed: np.ndarray) -> int:
        self.evaluations += 1
        counts = failed_edge_counts(self.graph, failed)
        return int(np.count_nonzero(counts >= self.need))


#: below this many scores :func:`top_indices` partitions them all at once
_PRESELECT = 1 << 20


def top_indices(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` largest scores (in no particular order).

    On large arrays the partition runs only on the scores at least a lower
    bound read off an evenly strided subsample (checked to keep at least
    ``count`` of them; else all are partitioned): the same set as partitioning
    all scores whenever the ``count``-th largest is unique, at a fraction of
    the cost when ``count`` is a small share.
    """
    if count >= scores.size:
        return np.arange(scores.size)
    if count <= 0:
        return np.arange(0)
    if scores.size >= _PRESELECT and count <= scores.size // 4:
        sample = scores[:: scores.size // 4096]
        share = min(1.0, 1.5 * count / scores.size + 0.01)
        bound = np.partition(sample, sample.size - int(share * sample.size))[
            sample.size - int(share * sample.size)
        ]
        kept = np.flatnonzero(scores >= bound)
        if kept.size >= count:
            return kept[np.argpartition(-scores[kept], count - 1)[:count]]
    return np.argpartition(-scores, count - 1)[:count]


def pad_failures(ctx: SearchContext, failed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Top ``Y`` up to exactly ``m`` texts (extra failures never make a skill good)."""
    missing = ctx.m - int(failed.sum())
    if missing > 0:
        # prefer texts touching skills that are close to bad
        have = failed_edge_counts(ctx.graph, failed)
        gap = ctx.need - have
        weights = np.where(ctx.reachable & (gap > 0), 1.0 / np.maximum(gap, 1), 0.0)
        scores = ctx.text_scores(weights, noise=True)
        scores[failed] = -np.inf
        failed = failed.copy()
        failed[top_indices(scores, missing)] = True
    return failed


def target_order(ctx: SearchContext, rng: np.random.Generator) -> np.ndarray:
    """Reachable skills, cheapest first: by ``need / mu1`` (cost per unit of bad mass)."""
    idx = np.flatnonzero(ctx.reachable)
    mu = ctx.graph.skill_measure[idx]
    cost = ctx.need[idx] / np.maximum(mu, 1e-300)
    tiebreak = rng.random(idx.size)
    return idx[np.lexsort((tiebreak, cost))]


def open_search(
    graph: SkillGraph, theta: float, beta: float, rng: np.random.Generator
) -> tuple[SearchContext, np.ndarray]:
    """The context of a search for ``Y`` and its targets, cheapest first (:func:`target_order`).

    The adversaries' own opening, not part of the documented API: it trusts
    its inputs, which every caller has passed through :func:`validate_inputs`
    (with its own further checks) before any work.  Every search
    draws from ``rng`` in this order, the texts' tie-breaking noise and then
    the targets' tie-breaks, which is what fixes its numbers for a seed.
    """
    ctx = SearchContext(graph, failure_count(graph.n_texts, theta), beta, rng)
    return ctx, target_order(ctx, rng)


#: what a search adversary runs once its search is open: ``search(ctx, order, rng)``
#: returns a failure set (any size up to ``m``) and its statistics
Search = Callable[[SearchContext, np.ndarray, np.random.Generator], tuple[np.ndarray, dict]]


def run_search(
    method: str, search: Search, graph: SkillGraph, theta: float, beta: float, seed, sizes_key: str
) -> AdversaryResult:
    """A search adversary from validated inputs to its verified result.

    Opens the search (:func:`open_search`), lets ``search`` choose a failure
    set unless there is nothing to target (no failures to place, or no skill
    that can be made bad), tops it up to exactly ``round(theta n_texts)``
    texts (:func:`pad_failures`) and verifies it (:func:`make_result`).  The
    result's ``details`` are the search's statistics and the call's
    ``seconds``; with nothing to target, an empty ``sizes_key`` entry (the
    sizes tried) stands for them.

    Like :func:`open_search` it trusts ``graph``, ``theta`` and ``beta``: the
    public adversaries (:func:`~skillgraph.audit.adversary.greedy`,
    :func:`~skillgraph.audit.targeted.targeted`) check them, and the search's
    own options, before calling it (``seed`` is checked here, before any work).
    """
    started = time.perf_counter()
    rng = as_generator(seed)
    ctx, order = open_search(graph, theta, beta, rng)
    if ctx.m > 0 and order.size > 0:
        failed, details = search(ctx, order, rng)
    else:
        failed, details = np.zeros(graph.n_texts, dtype=bool), {sizes_key: {}}
    failed = pad_failures(ctx, failed, rng)  # a no-op on a set that is full already
    details["seconds"] = time.perf_counter() - started
    return make_result(graph, failed, theta, beta, method, details=details)
