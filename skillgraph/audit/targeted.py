"""The targeted adversary: fail the text pieces richest in a chosen set of skills.

For a fixed set ``S`` of skills, the failure set that helps ``S`` most is
(nearly) the ``m = round(theta n_texts)`` text pieces with the most slots in
``S``: this is the lower side of the sharp worst case (:doc:`/theory/sharp`).
:func:`targeted` builds that failure set, rebalances it so that every skill of
``S`` crosses ``beta`` when the budget allows, and searches over the size of
``S`` and over which skills it holds.  On large random graphs it reaches the
sharp limit ``alpha_sharp n_skills`` within rounding, the value the greedy
adversary of :mod:`skillgraph.audit.adversary` reaches only by a longer search.

It returns the same :class:`~skillgraph.audit.adversary.AdversaryResult` as the
other adversaries (``method="targeted"``), its bad count measured by
:func:`skillgraph.core.competence.bad_fraction`.
"""

from __future__ import annotations

import functools

import numpy as np

from skillgraph._jit import kernels
from skillgraph._validation import check_int
from skillgraph.audit.search import (
    AdversaryResult,
    SearchContext,
    run_search,
    top_indices,
    validate_inputs,
)
from skillgraph.core.competence import failed_edge_counts
from skillgraph.theory.sharp import alpha_sharp

__all__ = ["targeted"]

#: rounds of the deficit fill and of the swap phase (each a vectorised pass)
_FILL_ROUNDS = 8
_SWAP_ROUNDS = 8
#: sizes of ``S`` tried in the coarse scan (geometric) and around the best one
_COARSE_SIZES = 14
_WINDOW = 3
#: a set whose richest m texts hold below this share of its total need is not rebalanced
_HOPELESS = 0.9


# --------------------------------------------------------------------------- one attack


def _deficits(ctx: SearchContext, members: np.ndarray, have: np.ndarray) -> np.ndarray:
    """Failed edges each member still lacks to be bad (0 for non-members)."""
    return np.where(members, np.maximum(ctx.need - have, 0), 0)


def _claim(ctx, candidates, deficit, budget) -> np.ndarray:
    """Texts among ``candidates`` that cover the deficits, at most ``budget`` of them.

    Each skill in deficit claims its ``deficit`` best candidate texts (most
    slots in skills still in deficit, weighted by the fraction still missing;
    ties by the context's noise, then by position in ``candidates``); the
    union of the claims is taken, cut to the ``budget`` best if larger.
    Candidates without a slot in deficit can never be claimed, so only the
    others are ranked.
    """
    if budget <= 0 or candidates.size == 0:
        return candidates[:0]
    weight = deficit / np.maximum(ctx.need, 1)
    score = np.empty(candidates.size, dtype=np.float64)
    kernels().row_sums(*ctx.csr, weight, score, candidates, positive=True)
    useful = np.flatnonzero(score > 0)
    cand = candidates[useful]
    ranked = cand[kernels().order_by_score(score[useful], ctx.noise_rank[cand])]
    return kernels().quota_pick(*ctx.csr, ranked, deficit, budget)


def _fill(ctx: SearchContext, members: np.ndarray, x: np.ndarray, x_counts: np.ndarray):
    """``Y`` = the ``m`` texts with the most slots in ``S``, ties chosen to cover deficits.

    All texts with ``X > tau`` are taken, ``tau`` the ``m``-th largest ``X``;
    the rest of the budget goes to texts with ``X = tau``, chosen in rounds by
    :func:`_claim` so that it reaches the members still short of ``need``.
    ``x_counts``: how many texts have each value of ``X``.  Returns ``(failed, have)``.
    """
    at_least = np.cumsum(x_counts[::-1])[::-1]  # at_least[v] = #{X >= v}
    tau = int(np.flatnonzero(at_least >= ctx.m)[-1]) if ctx.m > 0 else x_counts.size
    failed = x > tau
    have = failed_edge_counts(ctx.graph, failed)
    budget = ctx.m - int(failed.sum())
    # with tau = 0 the boundary texts hold no member: no claim could pick one
    pool = np.flatnonzero(x == tau) if tau > 0 else np.zeros(0, dtype=np.int64)
    for _ in range(_FILL_ROUNDS):
        deficit = _deficits(ctx, members, have)
        if budget <= 0 or not deficit.any():
            break
        take = _claim(ctx, pool[~failed[pool]], deficit, budget)
        if take.size == 0:
            break
        failed[take] = True
        have += ctx.hits(take)
        budget -= take.size
    if budget > 0:  # the rest of the boundary texts, in random order
        free = x == tau
        free &= ~failed
        take = ctx.lowest_ranked(free, budget)
        failed[take] = True
        have += ctx.hits(take)
    return failed, have


def _removable(ctx, members, failed, have, x) -> np.ndarray:
    """Failed texts that can leave ``Y`` without any member falling below ``need``.

    Candidates are taken in order of fewest slots in ``S`` (least loss); a text
    qualifies when, for each member it holds, the slots of that member in the
    qualifying texts ranked so far stay within the member's surplus.  Counting
    rejected texts too makes the test conservative: removing all qualifying
    texts at once never breaks a member.  Texts holding a member in deficit
    never qualify.
    """
    ys = np.flatnonzero(failed)
    keys = (x[ys].astype(np.uint64) << np.uint64(32)) | ctx.noise_rank[ys].astype(np.uint64)
    ys = ys[kernels().order_by_key(keys)]  # by x, then noise (distinct keys: a unique order)
    surplus = np.where(members, have - ctx.need, 0)
    broken = kernels().over_surplus(*ctx.csr, ys, members.astype(np.uint8), surplus)
    return ys[~broken]


def _swap(ctx, members, failed, have, x):
    """Trade failed texts of members with a surplus for texts of members in deficit."""
    for _ in range(_SWAP_ROUNDS):
        deficit = _deficits(ctx, members, have)
        if not deficit.any():
            break
        spare = _removable(ctx, members, failed, have, x)
        add = _claim(ctx, np.flatnonzero(~failed & (x > 0)), deficit, spare.size)
        if add.size == 0:
            break
        drop = spare[: add.size]  # fewest slots in S first
        failed[drop] = False
        failed[add] = True
        have += ctx.hits(add) - ctx.hits(drop)
    return failed, have


def _attack(ctx: SearchContext, members: np.ndarray):
    """One targeted failure set for the skill set ``members``: ``(failed, have, n_bad)``.

    When even the ``m`` texts richest in ``S`` hold far fewer slots of ``S``
    than its members need in total (below :data:`_HOPELESS`), ``S`` is far
    from all bad: the plain top-``m`` fill is counted without rebalancing
    (the search only needs to see the count collapse there).
    """
    # X_i: slots of text i that hold a skill of S (with multiplicity), and its histogram
    x, x_counts = ctx.slot_histogram(members)
    if _top_sum(x_counts, ctx.m) < _HOPELESS * int(ctx.need[members].sum()):
        failed = np.zeros(ctx.n_texts, dtype=bool)
        failed[top_indices(x + ctx.noise, ctx.m)] = True
        have = failed_edge_counts(ctx.graph, failed)
    else:
        failed, have = _fill(ctx, members, x, x_counts)
        failed, have = _swap(ctx, members, failed, have, x)
    return failed, have, int(np.count_nonzero(ctx.reachable & (have >= ctx.need)))


def _top_sum(x_counts: np.ndarray, m: int) -> int:
    """Sum of the ``m`` largest entries of a non-negative integer array with
    ``x_counts[v]`` entries ``v``."""
    counts = x_counts[::-1]  # how many texts hold v slots, v from the top down
    before = np.cumsum(counts) - counts
    taken = np.clip(m - before, 0, counts)
    return int(np.dot(taken, np.arange(counts.size)[::-1]))


# --------------------------------------------------------------------------- the search


def sharp_size(graph, theta: float, beta: float, n_pos: int) -> int | None:
    """``alpha_sharp n_pos`` when the sharp law applies (regular graph, uniform ``mu1``)."""
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if not (graph.is_regular and uniform) or not 0.0 < theta < beta:
        return None
    return max(1, int(round(alpha_sharp(theta, beta, graph.k) * n_pos)))


def _revise(ctx, members, have, rng) -> np.ndarray:
    """Swap the members left short for the non-members closest to bad.

    When every member is bad, the set grows by the non-member closest to bad.
    """
    short = np.flatnonzero(members & (have < ctx.need))
    n_add = max(short.size, 1)
    revised = members.copy()
    revised[short] = False
    outside = np.flatnonzero(ctx.reachable & ~members & (have < ctx.need))
    closeness = have[outside] / ctx.need[outside] + rng.random(outside.size) * 1e-9
    revised[outside[np.argsort(-closeness)[:n_add]]] = True
    return revised


def _checked_sizes(sizes) -> list[int] | None:
    """The distinct ``sizes`` of ``S`` to try, ascending (None: the search chooses)."""
    if sizes is None:
        return None
    arr = np.atleast_1d(np.asarray(sizes))
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise TypeError(f"sizes must be a non-empty 1-D sequence of integers, got {sizes!r}")
    if arr.min() < 1:
        raise ValueError(f"sizes must be >= 1 (sizes of skill sets), got {int(arr.min())}")
    return sorted({int(z) for z in arr})


def _targeted_search(ctx: SearchContext, order: np.ndarray, rng, *, theta, beta, sizes, restarts):
    """The targeted search for ``Y`` (``order``: the targets, cheapest first) and its statistics."""
    graph, n_pos = ctx.graph, order.size
    tried: dict[int, int] = {}
    best = (-1, None, 0)  # (n_bad, failed, size)

    def members_of(z: int) -> np.ndarray:
        out = np.zeros(graph.n_skills, dtype=bool)
        out[order[:z]] = True
        return out

    done: dict[bytes, np.ndarray] = {}  # an attack is a function of S: each S once

    def attack(members: np.ndarray):
        nonlocal best
        key = members.tobytes()
        if key in done:  # its count is in tried and best already
            return done[key]
        z = int(members.sum())
        failed, have, n_bad = _attack(ctx, members)
        tried[z] = max(tried.get(z, 0), n_bad)
        if n_bad > best[0]:
            best = (n_bad, failed, z)
        done[key] = have
        return have

    if sizes is None:
        coarse = np.geomspace(1, n_pos, num=min(n_pos, _COARSE_SIZES)).round().astype(int)
        z_sharp = sharp_size(graph, theta, beta, n_pos)
        sizes = sorted(set(coarse.tolist()) | ({z_sharp} if z_sharp else set()))
        for z in sizes:
            attack(members_of(z))
        z_best = best[2]
        sizes = range(max(1, z_best - _WINDOW), min(n_pos, z_best + _WINDOW) + 1)
    else:  # a size above the skills with edges would try them all again
        sizes = sorted({min(z, n_pos) for z in sizes})
    for z in sizes:
        if z not in tried:
            attack(members_of(z))
    # revisions of the best sets: drop the members left short, take the closest outsiders
    for z in sorted(tried, key=lambda s: (-tried[s], s))[:2]:
        members = members_of(z)
        for _ in range(restarts):
            have = attack(members)
            members = _revise(ctx, members, have, rng)
    details = {"sizes": dict(sorted(tried.items())), "best_size": int(best[2])}
    return best[1], details


def targeted(
    graph, theta: float, beta: float, *, sizes=None, restarts: int = 4, seed=None
) -> AdversaryResult:
    """The targeted adversary: a worst-case failure set built around a skill set.

    Parameters
    ----------
    graph : SkillGraph
        Any graph (ragged text degrees and any skill measure are accepted; the
        automatic choice of sizes uses the sharp law only for regular graphs
        with uniform ``mu1``).
    theta : float
        Failure rate in [0, 1]; ``Y`` has exactly ``round(theta * n_texts)`` texts.
    beta : float
        Threshold in [0, 1): a skill is bad when ``fail(s) > beta``.
    sizes : sequence of int, optional
        Sizes of the skill set ``S`` to try (each ``>= 1``; capped at the
        number of skills with edges).  Default: a geometric scan, ``alpha_sharp
        n_skills`` when the sharp law applies, and a window around the best.
    restarts : int, default 4
        Revisions of ``S`` at the best sizes: members left short are swapped
        for the non-members closest to bad, and the set is re-attacked.
    seed : int, SeedSequence, Generator or None
        Breaks ties among equally good texts and skills.

    Returns
    -------
    AdversaryResult
        ``method="targeted"``; ``failed`` has exactly ``m`` texts; ``n_bad`` and
        ``bad_fraction`` are recomputed from the failure set by
        :func:`skillgraph.core.competence.bad_fraction`; ``details`` has the
        bad count per size tried, the best size and the seconds spent.  A lower
        bound on the true worst case.

    Raises
    ------
    TypeError, ValueError
        A graph that is not a ``SkillGraph``, ``theta``/``beta`` out of range,
        bad ``sizes`` or ``restarts``.

    Notes
    -----
    :ref:`theory-sharp-lower`.  One attack on ``S``:

    1. ``X_i`` = slots of text ``i`` in ``S``; ``tau`` = the ``m``-th largest
       ``X``.  Every text with ``X > tau`` fails.
    2. The rest of the budget goes to texts with ``X = tau`` (all equally good
       for ``S`` as a whole), chosen in rounds so that each member of ``S``
       short of its ``need`` (about ``beta deg``) claims its missing texts.
    3. Swaps: failed texts whose members all have a surplus (fewest slots in
       ``S`` first) are traded for texts holding members in deficit.

    The search scans the size of ``S`` (the members are the skills of lowest
    ``need / mu1``, i.e. lowest degree for uniform ``mu1``), then revises the
    best sets.  Every pass is a vectorised sweep over the edges, O(n_edges);
    an attack costs a few of them (about 0.1 s at ``n_texts = 1e6, k = 8``),
    the whole search a few seconds there.

    Examples
    --------
    >>> from skillgraph.core.sampling import sample_graph
    >>> g = sample_graph(100, 20000, 8, seed=1)
    >>> r = targeted(g, 0.1, 0.5, seed=1)
    >>> r.method, r.n_failed, r.n_bad >= 3
    ('targeted', 2000, True)
    """
    graph, theta, beta = validate_inputs(graph, theta, beta)
    restarts = check_int("restarts", restarts, 0)
    sizes = _checked_sizes(sizes)
    search = functools.partial(
        _targeted_search, theta=theta, beta=beta, sizes=sizes, restarts=restarts
    )
    return run_search("targeted", search, graph, theta, beta, seed, "sizes")
