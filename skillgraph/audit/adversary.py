"""Adversarial failure sets: search for the ``Y`` that makes the most skills bad.

The mathematics is on the documentation page :ref:`theory-adversaries`.

The theorems hold for *every* failure set ``Y`` of measure ``theta``; a random
``Y`` says little about them.  This module searches for bad ones:

* :func:`greedy`, a fast heuristic for graphs of any size (``n_texts = 1e6``,
  ``k = 8`` in a few seconds): a lower bound on the true worst case;
* :func:`~skillgraph.audit.milp.exact` (in :mod:`skillgraph.audit.milp`), the integer
  program of :ref:`theory-adversary-exact` solved with :func:`scipy.optimize.milp`
  (HiGHS), for tiny graphs: the worst case itself when optimality is proven,
  otherwise a solution and an upper bound.

Both return an :class:`~skillgraph.audit.search.AdversaryResult` whose bad fraction is measured by
:func:`skillgraph.core.competence.bad_fraction` (bad: ``fail(s) > beta``
strictly, edgeless skills never bad).  Failure sets have exactly
``round(theta * n_texts)`` text pieces: adding a text to ``Y`` never makes a
bad skill good, so "at most" and "exactly" give the same worst case.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from skillgraph.audit.milp import exact
from skillgraph.audit.search import (
    AdversaryResult,
    SearchContext,
    pad_failures,
    run_search,
    top_indices,
    validate_inputs,
)
from skillgraph.audit.search import (
    need_counts as need_counts,
)
from skillgraph.core.competence import failed_edge_counts
from skillgraph.core.graph import SkillGraph

# AdversaryResult and need_counts live in skillgraph.audit.search, exact in
# skillgraph.audit.milp (imported above for compatibility:
# `from skillgraph.audit.adversary import exact, AdversaryResult` keeps working)
__all__ = ["greedy", "exact"]

#: from this many texts the skill-by-skill search holds the noise's ranks, not its values
_RANKED_NOISE_TEXTS = 1 << 20


def _static_fill(ctx: SearchContext, targets: np.ndarray) -> np.ndarray:
    """``Y`` = the ``m`` texts with the most slots in the target skills."""
    scores = ctx.text_scores(targets.astype(np.float32), noise=True)
    failed = np.zeros(ctx.n_texts, dtype=bool)
    failed[top_indices(scores, ctx.m)] = True
    return failed


def _adaptive_fill(ctx: SearchContext, targets: np.ndarray, start=None) -> np.ndarray:
    """Fill ``Y`` in rounds, each taking the texts with most slots in unfinished targets.

    A target stops attracting texts once it has its ``need`` failed edges, so
    no budget is spent over-satisfying it; targets close to finishing weigh a
    little more (a nudge, weights in [1, 2]).  Rounds take a quarter of the
    remaining budget (at least m/40 texts), so a fill costs about 15 passes
    over the edges; with ``m <= 400`` it takes one text per round (plain greedy).
    """
    failed = np.zeros(ctx.n_texts, dtype=bool) if start is None else start.copy()
    have = failed_edge_counts(ctx.graph, failed)
    budget = ctx.m - int(failed.sum())
    floor = 1 if ctx.m <= 400 else math.ceil(ctx.m / 40)
    need = np.where(targets, ctx.need, 0)
    while budget > 0:
        rem = need - have
        open_ = targets & (rem > 0)
        if not open_.any():
            break
        weights = np.zeros(ctx.graph.n_skills, dtype=np.float32)
        frac_done = have[open_] / np.maximum(need[open_], 1)
        weights[open_] = 1.0 + frac_done.astype(np.float32)
        scores = ctx.text_scores(weights, noise=True)
        scores[failed] = -np.inf
        batch = min(budget, max(floor, math.ceil(budget / 4)))
        pick = top_indices(scores, batch)
        pick = pick[np.isfinite(scores[pick]) & (scores[pick] >= 1.0)]
        if pick.size == 0:
            break
        failed[pick] = True
        have += ctx.hits(pick)
        budget -= pick.size
    return failed


def _skill_greedy(
    ctx: SearchContext, failed: np.ndarray, have: np.ndarray, noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Make skills bad one at a time, cheapest completion first (partial multicover greedy).

    From the state ``(failed, have)``, repeatedly take the skill that is not
    yet bad with the least remaining need per unit of ``mu1``, and complete
    it with its free texts, preferring texts of high multiplicity and then
    texts that also carry other not-yet-bad skills (weighted by
    ``1 / remaining need``: skills close to bad count more), so completions
    cluster and later skills get cheaper.  Stops when no skill can be
    completed within the remaining budget.  One step costs
    O(n_skills + deg(s) k).
    """
    g = ctx.graph
    indptr, indices = ctx.skill_csr
    mu = g.skill_measure
    budget = ctx.m - int(failed.sum())
    blocked = ~ctx.reachable
    while budget > 0:
        rem = ctx.need - have
        open_ = ~blocked & (rem > 0) & (rem <= budget * max(g.k or 1, 1))
        if not open_.any():
            break
        cost = np.where(open_, rem / np.maximum(mu, 1e-300) * (1.0 + noise), np.inf)
        s = int(np.argmin(cost))
        texts, mult = _runs(indices[indptr[s] : indptr[s + 1]])
        free = ~failed[texts]
        texts, mult = texts[free], mult[free]
        # texts are taken by multiplicity first, so how many it takes is known before
        # the finer order (most skills are found out of reach here, and skip it)
        cum = np.cumsum(np.sort(mult)[::-1])
        n_take = int(np.searchsorted(cum, rem[s])) + 1
        if n_take > min(budget, texts.size) or cum[-1] < rem[s]:
            blocked[s] = True  # cannot be completed within the budget
            continue
        weights = np.where(~blocked & (rem > 0), 1.0 / np.maximum(rem, 1), 0.0)
        weights[s] = 0.0
        skills, owner = ctx.slots_of(texts)
        co = np.bincount(owner, weights=weights[skills], minlength=texts.size)
        order = np.lexsort((ctx.noise_keys(texts), -co, -mult))
        take = texts[order[:n_take]]
        failed[take] = True
        have += ctx.hits(take)
        budget -= n_take
    return failed, have


def _runs(sorted_texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(sorted_texts, return_counts=True)`` of an ascending array, without sorting."""
    if sorted_texts.size == 0:
        return sorted_texts, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.diff(sorted_texts, prepend=sorted_texts[0] - 1))
    return sorted_texts[starts], np.diff(starts, append=sorted_texts.size)


def _prune(
    ctx: SearchContext, failed: np.ndarray, have: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Remove texts of ``Y`` that no bad skill needs (the budget they hold is wasted).

    A text can go when every bad skill it touches keeps its ``need`` without
    it.  Texts touching no bad skill go at once; the others are tried one by
    one (in random order), updating the slack of the bad skills.
    """
    bad = ctx.reachable & (have >= ctx.need)
    members = np.flatnonzero(failed)
    touches = ctx.member_counts(bad, members) > 0
    failed = failed.copy()
    have = have.copy()
    idle = members[~touches]
    failed[idle] = False
    have -= ctx.hits(idle)
    slack = np.where(bad, have - ctx.need, 0)
    busy = members[touches]
    if busy.size > 20000:  # sequential pass only where it is cheap
        return failed, have
    busy = busy[np.argsort(ctx.noise_keys(busy))]
    for t in busy:
        sk, _ = ctx.slots_of(np.array([t]))
        hit = np.bincount(sk, minlength=ctx.graph.n_skills)
        touched = np.flatnonzero(hit)
        if np.all(~bad[touched] | (slack[touched] >= hit[touched])):
            failed[t] = False
            have -= hit
            slack[touched] -= np.where(bad[touched], hit[touched], 0)
    return failed, have


def _skill_greedy_search(ctx: SearchContext, rng: np.random.Generator, restarts: int):
    """Skill-by-skill greedy with restarts and prune/refill rounds; best ``Y``.

    With ``restarts >=`` the number of skills that can be bad, restart ``i``
    forces the ``i``-th such skill to be completed first (the cheapest skill
    is often not part of the best cluster); otherwise restarts differ in
    their random tie-breaking.
    """
    best_bits, best_bad = None, -1  # the best Y as bits: the skill-side CSR is alive here
    firsts = np.flatnonzero(ctx.reachable)
    forced = firsts.size <= restarts
    for i in range(min(restarts, firsts.size) if forced else restarts):
        noise = rng.random(ctx.graph.n_skills) * 1e-6
        if forced:
            noise[firsts[i]] = -1.0  # zero cost: completed first
        failed = np.zeros(ctx.n_texts, dtype=bool)
        have = np.zeros(ctx.graph.n_skills, dtype=np.int64)
        failed, have = _skill_greedy(ctx, failed, have, noise)
        for _round in range(3):
            n_bad = int(np.count_nonzero(ctx.reachable & (have >= ctx.need)))
            if n_bad > best_bad:
                best_bad, best_bits = n_bad, np.packbits(failed)
            pruned, have2 = _prune(ctx, failed, have)
            if pruned.sum() == failed.sum():
                break
            failed, have = _skill_greedy(ctx, pruned, have2, rng.random(ctx.graph.n_skills) * 1e-6)
    if best_bits is None:
        return None, best_bad
    return np.unpackbits(best_bits, count=ctx.n_texts).astype(bool), best_bad


def _ruin_and_recreate(
    ctx: SearchContext, failed: np.ndarray, rng: np.random.Generator, iterations: int
) -> np.ndarray:
    """Iterated local search: free the texts of one or two bad skills, refill, keep if not worse.

    The refill is :func:`_skill_greedy` with fresh tie-breaking followed by a
    prune/refill round, so each move can re-route budget from a completed skill
    to a cheaper combination.  Moves that keep the count are accepted (plateau
    walks); the best ``Y`` seen is returned.
    """
    g = ctx.graph
    indptr, indices = ctx.skill_csr
    have = failed_edge_counts(g, failed)
    cur_bad = int(np.count_nonzero(ctx.reachable & (have >= ctx.need)))
    best_failed, best_bad = failed.copy(), cur_bad
    for _ in range(iterations):
        bad = np.flatnonzero(ctx.reachable & (have >= ctx.need))
        trial = failed.copy()
        if bad.size:
            victims = rng.choice(bad, size=min(bad.size, int(rng.integers(1, 3))), replace=False)
            for v in victims:
                trial[indices[indptr[v] : indptr[v + 1]]] = False
        else:
            trial[:] = False
        t_have = failed_edge_counts(g, trial)
        trial, t_have = _skill_greedy(ctx, trial, t_have, rng.random(g.n_skills) * 1e-6)
        pruned, p_have = _prune(ctx, trial, t_have)
        trial, t_have = _skill_greedy(ctx, pruned, p_have, rng.random(g.n_skills) * 1e-6)
        n_bad = int(np.count_nonzero(ctx.reachable & (t_have >= ctx.need)))
        if n_bad >= cur_bad:
            failed, have, cur_bad = trial, t_have, n_bad
            if n_bad > best_bad:
                best_failed, best_bad = trial.copy(), n_bad
    return best_failed


def _first_targets(ctx: SearchContext, order: np.ndarray, z: int) -> np.ndarray:
    """Return the mask of the first ``z`` skills of ``order`` (the ``z`` cheapest targets)."""
    targets = np.zeros(ctx.graph.n_skills, dtype=bool)
    targets[order[:z]] = True
    return targets


def _scan_target_counts(ctx: SearchContext, order: np.ndarray) -> dict[int, int]:
    """Return the bad count of the static fill for every target count tried."""
    n_pos = order.size
    tried: dict[int, int] = {}

    def static(z: int) -> None:
        if z not in tried:
            tried[z] = ctx.n_bad(_static_fill(ctx, _first_targets(ctx, order, z)))

    # a coarse geometric scan of the target count, then a local refinement
    # (the curve "bad count vs target count" rises, peaks and collapses once
    # the budget is spread too thin).
    grid = np.unique(np.geomspace(1, n_pos, num=min(n_pos, 16)).round().astype(int))
    for z in grid:
        static(int(z))
    for _ in range(3):
        zs = sorted(tried)
        z_best = max(zs, key=lambda z: (tried[z], -z))
        i = zs.index(z_best)
        lo = zs[i - 1] if i > 0 else 1
        hi = zs[i + 1] if i + 1 < len(zs) else n_pos
        for z in np.unique(np.linspace(lo, hi, 6).round().astype(int)):
            static(int(z))
    return tried


def _revised_targets(
    ctx: SearchContext, order: np.ndarray, targets: np.ndarray, z: int, failed: np.ndarray
) -> np.ndarray | None:
    """Return the targets for the next adaptive fill after ``failed``, or None if none remain."""
    have = failed_edge_counts(ctx.graph, failed)
    done = ctx.reachable & (have >= ctx.need)
    unfinished = np.flatnonzero(targets & ~done)
    if unfinished.size == 0:
        # every target finished: try more targets, the next cheapest ones
        extra = order[~targets[order]][: max(1, z // 4)]
        if extra.size == 0:
            return None
        targets = targets.copy()
        targets[extra] = True
        return targets
    # drop the half of unfinished targets furthest from finishing,
    # add as many non-targets that are closest to bad
    progress = have[unfinished] / ctx.need[unfinished]
    drop = unfinished[np.argsort(progress)[: max(1, unfinished.size // 2)]]
    targets = targets.copy()
    targets[drop] = False
    outside = np.flatnonzero(ctx.reachable & ~targets & ~done)
    if outside.size:
        closeness = have[outside] / ctx.need[outside]
        add = outside[np.argsort(-closeness)[: drop.size // 2]]
        targets[add] = True
    targets |= done
    return targets


def _adaptive_search(
    ctx: SearchContext, order: np.ndarray, ranked: list[int], rng: np.random.Generator
) -> tuple[int, np.ndarray]:
    """Return the best ``(n_bad, failed)`` of the revised adaptive fills for the best counts."""
    large = ctx.graph.n_edges > 2_000_000
    best_bad, best_failed = 0, np.zeros(ctx.n_texts, dtype=bool)
    for z in ranked[: 1 if large else 3]:
        targets = _first_targets(ctx, order, z)
        for _revision in range(2 if large else 4):
            failed = pad_failures(ctx, _adaptive_fill(ctx, targets), rng)
            n_bad = ctx.n_bad(failed)
            if n_bad > best_bad:
                best_bad, best_failed = n_bad, failed
            targets = _revised_targets(ctx, order, targets, z, failed)
            if targets is None:
                break
    return best_bad, best_failed


def _skill_by_skill(ctx: SearchContext, rng: np.random.Generator) -> np.ndarray:
    """Return the padded failure set of the skill-by-skill search (restarts, local search)."""
    small, medium = ctx.graph.n_edges <= 20_000, ctx.graph.n_edges <= 200_000
    restarts = 64 if small else (2 if medium else 1)
    # the skill-side CSR lives for this search only (unless the graph caches one): at
    # n_texts = 1e7, k = 8 it is 320 MB, and the padding below is done without it; on
    # large graphs the texts' noise gives way to its ranks meanwhile (half the memory)
    large = ctx.n_texts >= _RANKED_NOISE_TEXTS
    with ctx.noise_as_ranks() if large else contextlib.nullcontext():
        ctx.skill_csr = ctx.graph.skill_texts(cache=False)
        try:
            failed, _ = _skill_greedy_search(ctx, rng, restarts)
            # iterated local search where a move is cheap (tiny and small graphs)
            iterations = 300 if small else (10 if medium else 0)
            if iterations:
                failed = _ruin_and_recreate(ctx, failed, rng, iterations)
        finally:
            ctx.skill_csr = None
    return pad_failures(ctx, failed, rng)


def _greedy_search(ctx: SearchContext, order: np.ndarray, rng: np.random.Generator):
    """The greedy search for ``Y`` (``order``: the targets, cheapest first) and its statistics."""
    # A. targets by cost: static fills rank the target counts, adaptive fills refine the best
    tried = _scan_target_counts(ctx, order)
    ranked = sorted(tried, key=lambda z: (-tried[z], z))
    best_bad, best_failed = _adaptive_search(ctx, order, ranked, rng)
    # a static fill may beat the adaptive ones on some structures
    z_static = ranked[0]
    static_failed = pad_failures(ctx, _static_fill(ctx, _first_targets(ctx, order, z_static)), rng)
    n_bad = ctx.n_bad(static_failed)
    if n_bad > best_bad:
        best_bad, best_failed = n_bad, static_failed
    # kept as bits while B holds the skill-side CSR (the peak of a check on a large graph)
    best_bits = np.packbits(best_failed)
    del best_failed, static_failed

    # B. skill by skill (strong on small and clustered graphs; cheap everywhere)
    sg_failed = _skill_by_skill(ctx, rng)
    skill_greedy_bad = ctx.n_bad(sg_failed)
    if skill_greedy_bad > best_bad:
        best_failed = sg_failed
    else:
        best_failed = np.unpackbits(best_bits, count=ctx.n_texts).astype(bool)

    details = {
        "skill_greedy_n_bad": skill_greedy_bad,
        "target_sizes": dict(sorted(tried.items())),
        "best_static_target_size": int(z_static),
        "evaluations": ctx.evaluations,
    }
    return best_failed, details


def greedy(graph: SkillGraph, theta: float, beta: float, *, seed=None) -> AdversaryResult:
    """A strong heuristic worst-case failure set (:ref:`theory-adversary-greedy`).

    Parameters
    ----------
    graph : SkillGraph
        Any graph (ragged text degrees are fine).
    theta : float
        Failure rate in [0, 1]; ``Y`` has exactly ``round(theta * n_texts)`` texts.
    beta : float
        Threshold in [0, 1): a skill is bad when ``fail(s) > beta``.
    seed : int, SeedSequence, Generator or None
        Breaks ties among equally good texts and skills.

    Returns
    -------
    AdversaryResult
        ``failed`` mask, bad fraction reached, and ``details`` with the search
        statistics; a lower bound on the true worst case.

    Notes
    -----
    Skill ``s`` is bad once ``Y`` holds ``need(s)`` of its edges
    (:func:`~skillgraph.audit.search.need_counts`, about ``beta deg(s)``).  Two searches run and the
    better ``Y`` wins:

    A. **Targets by cost, then fill** (strong on large random graphs).

       1. Order the skills by ``need / mu1`` (cheapest bad mass first).  For a
          target count ``z`` take the first ``z`` and score it by the *static*
          fill: ``Y`` = the ``m`` texts with the most slots in the targets.
          Scan ``z`` on a geometric grid and refine around the best (about 30
          static fills: the bad count rises with ``z``, peaks, and collapses
          once the budget is spread too thin).
       2. For the best ``z`` (best 3 on graphs up to 2e6 edges) fill ``Y``
          adaptively: rounds take the texts with most slots in still-unfinished
          targets, so budget stops flowing to targets that already have their
          ``need``.
       3. Revise: targets left unfinished wasted their edges; drop the half
          of them furthest from finishing, add non-targets closest to bad, and
          refill (1 to 3 revisions).

    B. **Skill by skill** (strong on small and clustered graphs): repeatedly
       complete the not-yet-bad skill with the least remaining need per unit
       ``mu1``, using its free texts of highest multiplicity that also carry
       other nearly-bad skills; then prune texts no bad skill needs and refill
       (``_prune``).  Restarts: on graphs up to 2e4 edges one per skill
       (up to 64), each forcing a different skill to be completed first; 2 up
       to 2e5 edges; and on those graphs iterated local search (ruin the texts
       of one or two bad skills and recreate; 300 resp. 10 moves).

    Finally ``Y`` is padded to exactly ``m`` texts with texts touching skills
    closest to bad (extra failures never make a skill good).

    It finds the optimum of planted instances with disjoint clusters and
    private texts (a knapsack of cluster costs) in the tests, and comes
    within 0-1 skills of the exact MILP optimum on random graphs of 60-100
    texts.  Passes are vectorised sweeps over the edges, O(n_edges +
    n_texts); on large graphs search A dominates, about 5 s at
    ``n_skills = 1000, n_texts = 1e6, k = 8`` on one core.

    Examples
    --------
    >>> from skillgraph import sample_graph
    >>> g = sample_graph(50, 2000, 4, seed=1)
    >>> r = greedy(g, 0.1, 0.5, seed=1)
    >>> r.n_failed, r.bad_fraction > 0
    (200, True)
    """
    graph, theta, beta = validate_inputs(graph, theta, beta)
    return run_search("greedy", _greedy_search, graph, theta, beta, seed, "target_sizes")
