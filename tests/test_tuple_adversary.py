"""Tests for skillgraph.audit.tuple_adversary (the lower side of the sharp tuple law).

Reference values are computed here independently: bad tuple masses by
enumerating every tuple of small graphs from the edge list, the optimum by
enumerating every failure set of tiny graphs.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from skillgraph.audit.tuple_adversary import tuple_adversary, tuple_bad_mass
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph


def brute_bad_mass(degrees, failed_edges, weights, t, beta):
    """Mass of i.i.d. tuples whose product of competences is below 1 - beta, by enumeration."""
    deg = np.asarray(degrees)
    comp = np.where(deg > 0, 1.0 - np.asarray(failed_edges) / np.maximum(deg, 1), np.nan)
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    bad = 0.0
    for tup in itertools.product(range(deg.size), repeat=t):
        c = comp[list(tup)]
        if not np.isnan(c).any() and np.prod(c) < 1.0 - beta:
            bad += float(np.prod(w[list(tup)]))
    return bad


def graph_counts(graph, failed):
    """Degrees and failed-edge counts recomputed from the CSR arrays."""
    text_of_slot = np.repeat(np.arange(graph.n_texts), np.diff(graph.text_indptr))
    skills = graph.text_indices
    deg = np.bincount(skills, minlength=graph.n_skills)
    hit = np.bincount(skills[np.asarray(failed)[text_of_slot]], minlength=graph.n_skills)
    return deg, hit


@pytest.mark.parametrize("t", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_bad_mass_against_enumeration(t, seed):
    rng = np.random.default_rng(seed)
    deg = rng.integers(0, 12, 8)  # degree 0 (undefined competence) included
    hit = np.array([rng.integers(0, d + 1) for d in deg])
    hit[np.argmax(deg)] = deg.max()  # a skill failed on every edge (competence 0)
    w = rng.random(8) + 0.05
    low, high, exact = tuple_bad_mass(deg, hit, w, t, 0.5)
    truth = brute_bad_mass(deg, hit, w, t, 0.5)
    assert exact == (t <= 2)
    assert low - 1e-12 <= truth <= high + 1e-12  # 1e-12: round-off of the enumeration's sum
    assert high - low < (1e-12 if exact else 0.02)


def test_bad_mass_bracket_is_narrow_away_from_ties():
    # shares drawn at random: no tuple sits within the grid step of the threshold
    rng = np.random.default_rng(5)
    deg = rng.integers(200, 400, 7)
    hit = (deg * rng.uniform(0.0, 0.4, 7)).astype(int)
    low, high, _ = tuple_bad_mass(deg, hit, np.ones(7), 4, 0.6)
    truth = brute_bad_mass(deg, hit, np.ones(7), 4, 0.6)
    assert high - low < 1e-8 and low - 1e-12 <= truth <= high + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_never_beats_every_failure_set(seed):
    graph = sample_graph(6, 10, 3, seed=seed)
    theta, beta, t = 0.3, 0.5, 3
    m = round(theta * graph.n_texts)
    best = 0.0
    for subset in itertools.combinations(range(graph.n_texts), m):
        failed = np.zeros(graph.n_texts, dtype=bool)
        failed[list(subset)] = True
        best = max(best, brute_bad_mass(*graph_counts(graph, failed), np.ones(6), t, beta))
    r = tuple_adversary(graph, theta, beta, t, seed=seed)
    truth = brute_bad_mass(*graph_counts(graph, r.failed), np.ones(6), t, beta)
    assert r.n_failed == m == int(np.sum(r.failed))
    assert r.bad_mass - 1e-12 <= truth <= r.bad_mass_high + 1e-12
    assert truth <= best + 1e-12


def test_planted_cluster_is_found():
    """Skills 0 and 1 share 6 private texts, skills 2..7 share 20 others (5 slots each).
    Failing 4 of the 6 gives skills 0 and 1 share 2/3 and no other skill anything, so
    exactly the pairs with a member in {0, 1} are bad at beta = 0.5: mass 1 - (6/8)^2."""
    rows = [[0, 1, 0, 1, 0]] * 6 + [[2, 3, 4, 5, 6 + (i % 2)] for i in range(20)]
    graph = SkillGraph.from_text_skills(np.array(rows))
    r = tuple_adversary(graph, 4 / 26, 0.5, 2, seed=0)
    assert r.bad_mass == pytest.approx(1 - (6 / 8) ** 2, abs=1e-12)


def test_result_and_seed():
    graph = sample_graph(60, 6000, 8, seed=2)
    a = tuple_adversary(graph, 0.05, 0.5, 3, seed=7)
    b = tuple_adversary(graph, 0.05, 0.5, 3, seed=7)
    assert np.array_equal(a.failed, b.failed) and a.bad_mass == b.bad_mass
    assert not a.failed.flags.writeable and a.n_failed == 300
    assert a.strategy in ("two-level", "balanced", "spread") and a.t == 3
    truth_low, truth_high, _ = tuple_bad_mass(*graph_counts(graph, a.failed), np.ones(60), 3, 0.5)
    assert (a.bad_mass, a.bad_mass_high) == pytest.approx((truth_low, truth_high), abs=1e-12)
    assert a.details["by_strategy"]["two-level"] <= a.bad_mass


def test_spread_wins_when_random_failures_make_every_tuple_bad():
    # (1 - 0.3)^2 < 0.5: random failures leave nearly every skill near share 0.3
    graph = sample_graph(20, 20_000, 4, seed=1)
    r = tuple_adversary(graph, 0.3, 0.5, 2, balanced=False, seed=1)
    assert r.bad_mass > 0.9


def test_zipf_measure_reports_mass():
    graph = sample_graph(200, 40_000, 8, skill_measure="zipf", seed=3)
    r = tuple_adversary(graph, 0.05, 0.5, 2, balanced=False, seed=3)
    deg, hit = graph_counts(graph, r.failed)
    comp = np.where(deg > 0, 1 - hit / np.maximum(deg, 1), np.nan)
    w = graph.skill_measure / graph.skill_measure.sum()
    pair_bad = np.nan_to_num(np.outer(comp, comp), nan=1.0) < 0.5
    assert r.bad_mass == pytest.approx(float(w @ pair_bad @ w), abs=1e-12)
    assert r.bad_mass > 0


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"t": 0}, ValueError, "t"),
        ({"beta": 0.0}, ValueError, "beta"),
        ({"theta": 1.5}, ValueError, "theta"),
        ({"balanced": 1}, TypeError, "balanced"),
    ],
)
def test_bad_input(kwargs, exc, words):
    graph = sample_graph(10, 100, 3, seed=0)
    args = {"theta": 0.1, "beta": 0.5, "t": 2, **kwargs}
    with pytest.raises(exc, match=words):
        tuple_adversary(graph, args.pop("theta"), args.pop("beta"), args.pop("t"), **args)
    with pytest.raises(TypeError, match="SkillGraph"):
        tuple_adversary("graph", 0.1, 0.5, 2)
