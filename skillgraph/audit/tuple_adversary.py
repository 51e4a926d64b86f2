"""The tuple adversary: a failure set that leaves as many tensor ``t``-tuples bad as it can.

A tensor tuple ``(s_1, ..., s_t)`` (components i.i.d. from ``mu1``) is bad
when ``prod_j (1 - f_{s_j}) < 1 - beta``, ``f_s`` the failure share of skill
``s`` (:ref:`theory-tuple-tensor`).  The bad mass of tuples is a function of
the per-skill failure shares alone, so :func:`tuple_bad_mass` computes it from
the failed-edge counts: exactly for ``t <= 2`` (by
:func:`skillgraph.core.competence.tuple_bad_fraction_from_counts`), as a
rigorous bracket for ``t >= 3`` (the ``t``-fold convolution of the law of
``-log(1 - f)``, rounded down and up on a fine grid).

:func:`tuple_adversary` builds real failure sets on the graph and keeps the
one with the most bad mass:

* ``two-level`` -- the lower side of the sharp tuple law: a skill set ``S``
  (cheapest skills first), the ``m = round(theta n_texts)`` text pieces with
  the most slots in ``S`` failed (ties by a seeded draw), searched over
  ``|S|``;
* ``balanced`` -- the targeted adversary of :mod:`skillgraph.audit.targeted`
  run at the single-skill threshold ``beta_eff`` that a member of ``S`` needs
  for a tuple with one member in ``S`` to be bad; it evens out the members'
  shares, which the plain top-``m`` rule leaves scattered;
* ``spread`` -- random failures: every skill near ``theta``.

Each is a lower bound on the true worst case of the graph.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_int
from skillgraph.audit.search import (
    SearchContext,
    open_search,
    pad_failures,
    top_indices,
    validate_inputs,
)
from skillgraph.audit.targeted import targeted
from skillgraph.core.competence import (
    competence_from_counts,
    failed_edge_counts,
    tuple_bad_fraction_from_counts,
)
from skillgraph.core.failures import random_failures

__all__ = ["TupleAdversaryResult", "tuple_adversary", "tuple_bad_mass"]

#: grid steps of ``-log(1 - beta)`` for the bracket of ``t >= 3``
GRID_STEPS = 8192
#: geometric sizes of ``S`` in the coarse scan, and the points of each refinement
_COARSE_SIZES = 24
_REFINE_POINTS = 9
#: targeted attacks at shrunk thresholds ``beta_eff * (1 + step)`` (members pushed past it)
_BALANCE_STEPS = (0.02, 0.05, 0.1)
#: absolute round-off allowed in a truncated FFT power (far above ~1e-16 t log(size))
_FFT_SLACK = 1e-9
#: relative fuzz of ``-log(1 - f)`` on the conservative side of each end of the bracket
_FUZZ = 1e-12


@dataclass(frozen=True)
class TupleAdversaryResult:
    """A failure set found by :func:`tuple_adversary`, and the bad tuple mass it reaches.

    Attributes
    ----------
    failed : ndarray of bool, shape (n_texts,)
        The failure set ``Y`` (exactly ``n_failed`` entries True; read-only).
    bad_mass : float
        ``mu1``-mass of the bad tensor ``t``-tuples under ``Y`` (for ``t >= 3``
        the lower end of the bracket: ``Y`` reaches at least this).
    bad_mass_high : float
        Upper end of the bracket (equal to ``bad_mass`` when ``exact``).
    exact : bool
        Whether the bad mass is exact (``t <= 2``).
    strategy : str
        ``"two-level"``, ``"balanced"`` or ``"spread"``: which construction won.
    t : int
        Tuple size.
    theta, beta : float
        The inputs.
    n_failed : int
        ``|Y| = round(theta n_texts)``.
    details : dict
        Best bad mass per strategy, the best ``|S|`` and ``beta_eff``, seconds.
    """

    failed: np.ndarray = field(repr=False)
    bad_mass: float
    bad_mass_high: float
    exact: bool
    strategy: str
    t: int
    theta: float
    beta: float
    n_failed: int
    details: dict = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------- the bad mass


def _truncated_power(p: np.ndarray, t: int) -> float:
    """``P[I_1 + ... + I_t <= len(p) - 1]``, ``I_j`` i.i.d. with (sub-)probabilities ``p``.

    One real FFT of length ``>= t len(p)`` raised to the ``t``-th power: no
    wrap-around below ``len(p)``.  The round-off (about ``1e-16 t log(len)``
    relative to the total mass, at most 1) is returned separately so that the
    caller widens the bracket by it.
    """
    size = 1 << int(math.ceil(math.log2(t * p.size)))
    q = np.fft.irfft(np.fft.rfft(p, size) ** t, size)[: p.size]
    return math.fsum(np.clip(q, 0.0, None))


def _good_mass_bracket(h: np.ndarray, w: np.ndarray, t: int, c0: float) -> tuple[float, float]:
    """Bounds on ``P[all t defined and sum_j h_j <= c0]`` (``h`` of the defined skills).

    ``h`` rounded down to the grid ``c0 / GRID_STEPS`` can only make more
    tuples good, rounded up only fewer: the two truncated convolutions bracket
    the good mass.
    """
    step = c0 / GRID_STEPS
    out = []
    for rounding, fuzz in ((np.ceil, 1.0 + _FUZZ), (np.floor, 1.0 - _FUZZ)):
        with np.errstate(invalid="ignore", over="ignore"):
            idx = rounding(h * fuzz / step)
        keep = np.isfinite(idx) & (idx <= GRID_STEPS)
        p = np.bincount(idx[keep].astype(np.int64), weights=w[keep], minlength=GRID_STEPS + 1)
        out.append(_truncated_power(p, t))
    return out[0] - _FFT_SLACK, out[1] + _FFT_SLACK


def tuple_bad_mass(degrees, failed_edges, skill_measure, t: int, beta: float):
    """``mu1``-mass of bad tensor ``t``-tuples from per-skill counts: ``(low, high, exact)``.

    Parameters
    ----------
    degrees, failed_edges : array_like of int, shape (n_skills,)
        Edge counts and failed-edge counts per skill.
    skill_measure : array_like, shape (n_skills,)
        ``mu1`` (normalised here).
    t : int
        Tuple size, ``>= 1``.
    beta : float
        Threshold in ``(0, 1)``: a tuple is bad when ``prod_j (1 - f_j) < 1 - beta``.

    Returns
    -------
    tuple of (float, float, bool)
        ``low <= true bad mass <= high`` and whether they are equal by
        construction (``t <= 2``: the exact computation of
        :func:`skillgraph.core.competence.tuple_bad_fraction_from_counts`).
        Tuples with a skill of degree 0 (competence undefined) are never bad.

    Notes
    -----
    For ``t >= 3`` a tuple is bad iff ``sum_j h(f_j) > c0``, ``h(f) = -log(1 - f)``,
    ``c0 = -log(1 - beta)``; ``h`` is rounded down (``high``) and up (``low``)
    to multiples of ``c0 / 8192`` and the law of the sum is a ``t``-fold
    convolution (one FFT) truncated at ``c0``.  The bracket is about the mass of tuples
    within ``t c0 / 8192`` of the threshold, widened by 1e-9 for the round-off
    of the FFT.  Cost O(n_skills + t 8192 log(t 8192)).
    """
    t = check_int("t", t, 1)
    if t <= 2:
        est = tuple_bad_fraction_from_counts(degrees, failed_edges, skill_measure, t, beta)
        return float(est.value), float(est.value), True
    comp = competence_from_counts(degrees, failed_edges)
    w = np.asarray(skill_measure, dtype=np.float64)
    w = w / w.sum()
    defined = ~np.isnan(comp)
    with np.errstate(divide="ignore"):
        h = -np.log(comp[defined])
    wd = w[defined]
    total = math.fsum(wd) ** t
    good_low, good_high = _good_mass_bracket(h, wd, t, -math.log1p(-beta))
    low = max(0.0, total - good_high)
    return low, min(total, max(low, total - good_low)), False


# --------------------------------------------------------------------------- the search


class _Scorer:
    """Evaluates failure sets by bad tuple mass and remembers the best one."""

    def __init__(self, graph, t: int, beta: float):
        self.graph, self.t, self.beta = graph, t, beta
        self.best = (-1.0, 1.0, True, None, "")  # (low, high, exact, failed, strategy)
        self.by_strategy: dict[str, float] = {}

    def __call__(self, failed: np.ndarray, strategy: str) -> tuple[float, np.ndarray]:
        g = self.graph
        counts = failed_edge_counts(g, failed)
        low, high, exact = tuple_bad_mass(g.degrees, counts, g.skill_measure, self.t, self.beta)
        self.by_strategy[strategy] = max(self.by_strategy.get(strategy, 0.0), low)
        if low > self.best[0]:
            self.best = (low, high, exact, failed, strategy)
        return low, counts


def _two_level(ctx: SearchContext, order: np.ndarray, z: int) -> np.ndarray:
    """Fail the ``m`` texts with the most slots in ``S = order[:z]`` (ties: ``ctx.noise``)."""
    members = np.zeros(ctx.graph.n_skills, dtype=np.float32)
    members[order[:z]] = 1.0
    failed = np.zeros(ctx.n_texts, dtype=bool)
    failed[top_indices(ctx.text_scores(members, noise=True), ctx.m)] = True
    return failed


def _scan_sizes(ctx, order, score) -> tuple[int, dict]:
    """Coarse geometric scan of ``|S|``, then refinements around the best size."""
    n_pos = order.size
    tried: dict[int, float] = {}

    def run(z: int) -> None:
        if z not in tried:
            tried[z] = score(_two_level(ctx, order, z), "two-level")[0]

    for z in np.unique(np.geomspace(1, n_pos, min(n_pos, _COARSE_SIZES)).round().astype(int)):
        run(int(z))
    for _ in range(3):  # each pass zooms in between the neighbours of the best size
        sizes = sorted(tried)
        i = sizes.index(max(sizes, key=lambda s: (tried[s], -s)))
        lo, hi = sizes[max(i - 1, 0)], sizes[min(i + 1, len(sizes) - 1)]
        for z in np.unique(np.linspace(lo, hi, _REFINE_POINTS).round().astype(int)):
            run(int(z))
    best = max(sorted(tried), key=lambda s: tried[s])
    return best, tried


def _balanced_thresholds(graph, counts, members, t: int, beta: float) -> list[float]:
    """``beta_eff``: the share a member needs for a tuple with one member in ``S`` to be bad.

    With the other ``t - 1`` components at the median share ``f_out`` of the
    skills outside ``S``: ``(1 - beta_eff)(1 - f_out)^(t - 1) = 1 - beta``.
    """
    outside = ~members & (graph.degrees > 0)
    if not outside.any():
        return []
    f_out = float(np.median(counts[outside] / graph.degrees[outside]))
    base = 1.0 - (1.0 - beta) / (1.0 - f_out) ** (t - 1)
    return [base * (1.0 + s) for s in _BALANCE_STEPS if 0.0 < base * (1.0 + s) < 1.0]


def tuple_adversary(
    graph, theta: float, beta: float, t: int, *, balanced: bool = True, seed=None
) -> TupleAdversaryResult:
    """The tuple adversary: the failure set of ``m`` text pieces with the most bad tuple mass.

    Parameters
    ----------
    graph : SkillGraph
        A sampled graph or the user's own (any skill measure, ragged text degrees).
    theta : float
        Failure rate in ``[0, 1]``; ``Y`` has exactly ``round(theta n_texts)`` texts.
    beta : float
        Threshold in ``(0, 1)``: a tuple is bad when its competence
        ``prod_j (1 - f_{s_j})`` is below ``1 - beta``.
    t : int
        Tuple size, ``>= 1``.
    balanced : bool, default True
        Also run the targeted adversary at the thresholds ``beta_eff`` derived
        from the best two-level set (a few seconds at ``n_texts = 1e6``).
    seed : int, SeedSequence, Generator or None
        Ties among texts and skills, random failures (independent streams).

    Returns
    -------
    TupleAdversaryResult
        The best failure set over the strategies, its bad tuple mass (a lower
        bound on the worst case of this graph) and per-strategy details.

    Raises
    ------
    TypeError, ValueError
        A graph that is not a ``SkillGraph``, ``theta``/``beta``/``t`` out of range.

    Notes
    -----
    :ref:`theory-sharp-tuples`.  Two-level: ``S`` = the cheapest skills
    (lowest ``need / mu1``, :func:`skillgraph.audit.search.target_order`),
    ``|S|`` scanned geometrically and refined three times around the best;
    each attack is one pass over the edges plus the bad mass (O(n_edges +
    t 8192 log)).  Balanced: :func:`skillgraph.audit.targeted.targeted` at
    three thresholds slightly above ``beta_eff``.  Spread:
    :func:`skillgraph.core.failures.random_failures`.

    Examples
    --------
    >>> from skillgraph.core.sampling import sample_graph
    >>> g = sample_graph(100, 20000, 8, seed=1)
    >>> r = tuple_adversary(g, 0.05, 0.5, 2, seed=1)
    >>> r.n_failed, round(r.bad_mass, 6)  # one skill of 100 bad: 1 - 0.99**2 of the pairs
    (1000, 0.0199)
    """
    graph, theta, beta = validate_inputs(graph, theta, beta)
    if not beta > 0.0:
        raise ValueError(f"beta must be in (0, 1), got {beta!r}")
    t = check_int("t", t, 1)
    if not isinstance(balanced, bool):
        raise TypeError(f"balanced must be True or False, got {balanced!r}")
    started = time.perf_counter()
    master = as_seed_sequence(seed)
    rng = np.random.default_rng(child_seed(master, 0))
    ctx, order = open_search(graph, theta, beta, rng)
    score = _Scorer(graph, t, beta)
    score(random_failures(graph, theta, seed=child_seed(master, 1)), "spread")
    details: dict = {}
    if ctx.m > 0 and order.size:
        z, tried = _scan_sizes(ctx, order, score)
        details.update(best_size=z, sizes=dict(sorted(tried.items())))
        if balanced:
            members = np.zeros(graph.n_skills, dtype=bool)
            members[order[:z]] = True
            counts = failed_edge_counts(graph, _two_level(ctx, order, z))
            for i, beta_eff in enumerate(_balanced_thresholds(graph, counts, members, t, beta)):
                found = targeted(graph, theta, beta_eff, seed=child_seed(master, 2 + i))
                score(np.asarray(found.failed), f"balanced (beta_eff={beta_eff:.4g})")
    low, high, exact, failed, strategy = score.best
    failed = pad_failures(ctx, failed, rng)
    failed.setflags(write=False)
    details.update(by_strategy=score.by_strategy, seconds=time.perf_counter() - started)
    return TupleAdversaryResult(
        failed=failed, bad_mass=low, bad_mass_high=high, exact=exact,
        strategy=strategy.split(" (")[0], t=t, theta=theta, beta=beta,
        n_failed=int(failed.sum()), details=details,
    )  # fmt: skip
