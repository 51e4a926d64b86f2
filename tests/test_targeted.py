"""Tests for skillgraph.audit.targeted (docs/theory/sharp.rst, the lower side).

Optima come from hand computation on planted instances and from enumerating
every failure set of tiny graphs; bad counts are recomputed here from the
edge list; the sharp limit comes from its own tests (tests/test_sharp.py).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from skillgraph.audit.adversary import AdversaryResult
from skillgraph.audit.targeted import targeted
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph
from skillgraph.theory.sharp import alpha_sharp, certified_sharp


def count_bad(graph, failed, beta):
    """Independent bad count from the CSR arrays: failed slots / slots > beta."""
    text_of_slot = np.repeat(np.arange(graph.n_texts), np.diff(graph.text_indptr))
    skills = graph.text_indices
    deg = np.bincount(skills, minlength=graph.n_skills)
    hit = np.bincount(skills[failed[text_of_slot]], minlength=graph.n_skills)
    return int(np.sum((deg > 0) & (hit > beta * deg)))


def brute_force_best(graph, m, beta):
    best = 0
    for subset in itertools.combinations(range(graph.n_texts), m):
        failed = np.zeros(graph.n_texts, dtype=bool)
        failed[list(subset)] = True
        best = max(best, count_bad(graph, failed, beta))
    return best


def planted_pairs():
    """Six two-skill clusters with 4, 4, 6, 8, 10, 12 private texts; at beta = 0.5
    they need 3, 3, 4, 5, 6, 7 failed texts; a budget of 10 buys 3 + 3 + 4: 6 bad."""
    rows = []
    for c, n in enumerate([4, 4, 6, 8, 10, 12]):
        rows += [[2 * c, 2 * c + 1]] * n
    return SkillGraph.from_text_skills(np.array(rows)), 10 / len(rows), 0.5, 6


def planted_knapsack():
    """A 3-skill cluster with 8 texts (need 5) and three 1-skill clusters with 3
    texts each (need 2); budget 7: the big cluster and one small one, 4 bad."""
    rows = [[0, 1, 2]] * 8
    for w in (3, 4, 5):
        rows += [[w, w, w]] * 3
    return SkillGraph.from_text_skills(np.array(rows)), 7 / len(rows), 0.5, 4


@pytest.mark.parametrize("make", [planted_pairs, planted_knapsack])
def test_planted_instances(make):
    graph, theta, beta, optimum = make()
    r = targeted(graph, theta, beta, seed=1)
    assert r.n_bad == optimum == count_bad(graph, np.asarray(r.failed), beta)


@pytest.mark.parametrize("seed", range(4))
def test_tiny_graphs_against_enumeration(seed):
    graph = sample_graph(8, 14, 3, seed=seed)
    theta, beta = 0.25, 0.5
    m = round(theta * 14)
    r = targeted(graph, theta, beta, seed=seed)
    assert r.n_failed == m == int(np.sum(r.failed))
    assert r.n_bad == count_bad(graph, np.asarray(r.failed), beta)
    assert r.n_bad <= brute_force_best(graph, m, beta)


def test_outcome_object():
    graph = sample_graph(100, 20_000, 8, seed=4)
    r = targeted(graph, 0.1, 0.5, seed=4)
    assert isinstance(r, AdversaryResult) and r.method == "targeted"
    assert r.n_failed == 2000 and r.failed.sum() == 2000 and not r.failed.flags.writeable
    assert r.n_bad == count_bad(graph, np.asarray(r.failed), 0.5)
    assert r.alpha == r.n_bad / 100 and r.bad_fraction == pytest.approx(r.alpha, rel=1e-12)
    assert r.details["best_size"] in r.details["sizes"]
    assert "method='targeted'" in repr(r)


def test_same_seed_same_failure_set():
    graph = sample_graph(100, 20_000, 8, seed=5)
    a = targeted(graph, 0.1, 0.5, seed=7)
    b = targeted(graph, 0.1, 0.5, seed=np.random.default_rng(7))
    c = targeted(graph, 0.1, 0.5, seed=7)
    assert np.array_equal(a.failed, c.failed) and a.n_bad == c.n_bad
    assert b.n_failed == a.n_failed


@pytest.mark.parametrize("n_skills, seed", [(100, 1), (200, 2)])
def test_reaches_the_sharp_limit(n_skills, seed):
    # n_texts / n_skills = 1000: at least 90% of alpha_sharp n_skills, and never
    # above certificate C (a violation at delta_fail = 1e-6 is a bug)
    n_texts = 1000 * n_skills
    graph = sample_graph(n_skills, n_texts, 8, seed=seed)
    r = targeted(graph, 0.1, 0.5, seed=seed)
    assert r.n_bad >= 0.9 * alpha_sharp(0.1, 0.5, 8) * n_skills
    assert r.n_bad <= certified_sharp(n_skills, n_texts, 8, 0.1, 0.5).n_bad_max


@pytest.mark.slow
def test_reaches_the_sharp_limit_at_scale():
    graph = sample_graph(1000, 10**6, 8, seed=11)
    r = targeted(graph, 0.1, 0.5, seed=11)
    assert 0.9 * alpha_sharp(0.1, 0.5, 8) * 1000 <= r.n_bad
    assert r.n_bad <= certified_sharp(1000, 10**6, 8, 0.1, 0.5).n_bad_max


def test_ragged_graph_and_skewed_measure():
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 6, size=3000)
    texts = np.repeat(np.arange(3000), lengths)
    skills = rng.integers(0, 40, size=texts.size)
    graph = SkillGraph.from_edges(texts, skills, n_skills=40)
    r = targeted(graph, 0.1, 0.5, seed=3)
    assert r.n_failed == 300 and r.n_bad == count_bad(graph, np.asarray(r.failed), 0.5)
    zipf = sample_graph(50, 5000, 4, skill_measure="zipf", seed=3)
    r = targeted(zipf, 0.1, 0.5, seed=3)
    assert r.n_bad == count_bad(zipf, np.asarray(r.failed), 0.5) and r.n_bad > 0


def test_sizes_and_trivial_budget():
    graph = sample_graph(100, 20_000, 8, seed=6)
    r = targeted(graph, 0.1, 0.5, sizes=[2, 3], restarts=0, seed=6)
    assert set(r.details["sizes"]) == {2, 3} and r.n_bad >= 2
    none = targeted(graph, 0.0, 0.5, seed=6)
    assert none.n_failed == 0 and none.n_bad == 0


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"graph": "edges"}, TypeError, ["graph", "SkillGraph"]),
        ({"theta": 1.5}, ValueError, ["theta", "1.5"]),
        ({"beta": 1.0}, ValueError, ["beta"]),
        ({"sizes": [0, 3]}, ValueError, ["sizes", ">= 1"]),
        ({"sizes": [1.5]}, TypeError, ["sizes"]),
        ({"restarts": -1}, ValueError, ["restarts", ">= 0"]),
        ({"seed": "x"}, TypeError, ["seed"]),
    ],
)
def test_bad_input(kwargs, exc, words):
    args = {"graph": sample_graph(10, 100, 2, seed=1), "theta": 0.1, "beta": 0.5} | kwargs
    with pytest.raises(exc) as info:
        targeted(args.pop("graph"), args.pop("theta"), args.pop("beta"), **args)
    for w in words:
        assert w in str(info.value)


def test_check_prints_the_sandwich():
    # n_texts / n_skills = 1000: best adversary <= worst case <= certificate, within 15%
    from skillgraph.audit.report import check

    graph = sample_graph(100, 100_000, 8, seed=21)
    report = check(graph, 0.1, 0.5, seed=21, sampled=True)
    lower, upper = report.sandwich
    assert "targeted" in report.adversaries and report.certificate.method == "sharp"
    assert lower == max(a.n_bad for a in report.adversaries.values())
    assert 0 < lower <= upper <= 1.15 * lower and not report.violated
    assert set(report.certificate.candidates) == {"conditional", "unconditional", "sharp"}
    assert report.alpha_sharp == alpha_sharp(0.1, 0.5, 8)
    d = report.as_dict()["sandwich"]
    assert (d["lower"], d["upper"], d["upper_by"]) == (lower, upper, "sharp")
    assert d["alpha_star_over_alpha_sharp"] == pytest.approx(2.6389, abs=1e-4)
    text = str(report)
    for words in ["sandwich (bad skills)", "targeted adversary", "certificate C (sharp), best",
                  "alpha_sharp n_skills = 3.154", "2.64x alpha_sharp"]:  # fmt: skip
        assert words in text


def test_check_without_the_sharp_law():
    # non-uniform mu1: certificate C and alpha_sharp do not apply, and the report says so
    from skillgraph.audit.report import check

    graph = sample_graph(60, 6000, 4, skill_measure="zipf", seed=22)
    report = check(graph, 0.1, 0.5, seed=22)
    assert report.alpha_sharp is None and report.certificate.method == "conditional"
    assert "sharp" not in report.certificate.candidates
    assert report.as_dict()["sandwich"]["alpha_sharp_skills"] is None
    assert "alpha_sharp is not defined here" in str(report)
