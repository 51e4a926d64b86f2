"""Tests of skillgraph.competence against hand computations and brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph import _kernels
from skillgraph.core import competence, failures
from skillgraph.core.competence import tuple_bad_fraction, wilson_interval
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph
from skillgraph.testing import failure_masks, skill_graphs

# texts: t0 uses {0, 1}, t1 {0, 2}, t2 {1, 1} (multiplicity 2), t3 {2, 2}
HAND = np.array([[0, 1], [0, 2], [1, 1], [2, 2]])
HAND_FAILED = np.array([True, False, False, True])


def hand_graph(measure=None):
    return SkillGraph.from_text_skills(HAND, n_skills=3, skill_measure=measure)


def test_competence_by_hand():
    # degrees: s0 = 2, s1 = 3, s2 = 3; failed slots: s0 1 (t0), s1 1 (t0), s2 2 (t3 twice)
    c = competence.competence(hand_graph(), HAND_FAILED)
    np.testing.assert_allclose(c, [1 / 2, 2 / 3, 1 / 3])
    np.testing.assert_array_equal(competence.failed_edge_counts(hand_graph(), HAND_FAILED),
                                  [1, 1, 2])


def test_bad_fraction_by_hand_uniform_and_weighted():
    est = competence.bad_fraction(hand_graph(), HAND_FAILED, 0.4)  # bad: s0 (1/2), s2 (2/3)
    assert est.value == pytest.approx(2 / 3)
    assert est.n_bad == 2 and est.n == 3 and est.n_undefined == 0
    est = competence.bad_fraction(hand_graph([0.5, 0.25, 0.25]), HAND_FAILED, 0.4)
    assert est.value == pytest.approx(0.75)
    # strict inequality: fail(s0) = 0.5 is not > 0.5
    assert competence.bad_fraction(hand_graph(), HAND_FAILED, 0.5).value == pytest.approx(1 / 3)


def test_edgeless_skill_is_undefined_never_bad():
    g = SkillGraph.from_text_skills(HAND, n_skills=5)
    c = competence.competence(g, HAND_FAILED)
    assert np.isnan(c[3]) and np.isnan(c[4])
    est = competence.bad_fraction(g, HAND_FAILED, 0.0)
    assert est.n_undefined == 2 and est.undefined_mass == pytest.approx(0.4)
    assert est.value == pytest.approx(3 / 5)
    assert est.conditional == pytest.approx(1.0)


def _networkx_competence(graph, failed):
    G = graph.to_networkx()
    out = []
    for s in range(graph.n_skills):
        total = fails = 0
        for _, (_, t), data in G.edges(("s", s), data=True):
            total += data["multiplicity"]
            fails += data["multiplicity"] * bool(failed[t])
        out.append(1 - fails / total if total else np.nan)
    return np.array(out)


@given(data=st.data(), graph=skill_graphs(max_skills=8, max_texts=25))
def test_competence_agrees_with_networkx(data, graph):
    failed = data.draw(failure_masks(graph))
    np.testing.assert_allclose(competence.competence(graph, failed),
                               _networkx_competence(graph, failed), equal_nan=True)


@given(data=st.data(), graph=skill_graphs(max_skills=8, max_texts=25))
def test_performance_curve_matches_pointwise_bad_fraction(data, graph):
    failed = data.draw(failure_masks(graph))
    betas = np.array([0.0, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.9, 1.0])
    curve = competence.performance_curve(graph, failed, betas)
    expected = [competence.bad_fraction(graph, failed, b).value for b in betas]
    np.testing.assert_allclose(curve.bad, expected, atol=1e-12)
    np.testing.assert_allclose(curve.competent, 1 - np.asarray(expected), atol=1e-12)
    assert np.all(np.diff(curve.bad) <= 1e-12)


def _brute_tuple_mass(graph, failed, t, beta):
    c = competence.competence(graph, failed)
    w = graph.skill_measure
    bad = 0.0
    for tup in itertools.product(range(graph.n_skills), repeat=t):
        vals = c[list(tup)]
        if np.isnan(vals).any():
            continue
        if np.prod(vals) < 1 - beta:
            bad += np.prod(w[list(tup)])
    return bad


@given(data=st.data(), graph=skill_graphs(max_skills=7, max_texts=20),
       beta=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 5 / 9, 1.0]))
def test_exact_pair_fraction_matches_enumeration(data, graph, beta):
    failed = data.draw(failure_masks(graph))
    est = tuple_bad_fraction(graph, failed, 2, beta)
    assert est.exact
    assert est.value == pytest.approx(_brute_tuple_mass(graph, failed, 2, beta), abs=1e-12)


def test_exact_pair_fraction_at_ties():
    # competences 1/2 and 1; threshold 1 - beta = 1/4: the pair (1/2, 1/2) is not < 1/4
    g = SkillGraph.from_text_skills(np.array([[0], [0], [1]]), n_skills=2)
    failed = np.array([True, False, False])
    assert tuple_bad_fraction(g, failed, 2, 0.75).value == 0.0
    assert tuple_bad_fraction(g, failed, 2, 0.5).value == pytest.approx(0.25)


def test_single_tuple_equals_bad_fraction():
    g = sample_graph(100, 1000, 4, seed=1)
    failed = failures.deficit_failures(g, 0.1, seed=2)
    assert tuple_bad_fraction(g, failed, 1, 0.3).value == competence.bad_fraction(
        g, failed, 0.3).value


@pytest.mark.parametrize("t", [2, 3])
def test_sampled_tensor_fraction_matches_exact_within_ci(t):
    # docs/theory/tuples.rst: the tensor curve matches a direct Monte Carlo over sampled tuples
    g = sample_graph(12, 120, 3, skill_measure="zipf", seed=5)
    failed = failures.deficit_failures(g, 0.15, seed=6)
    exact = _brute_tuple_mass(g, failed, t, 0.3)
    est = tuple_bad_fraction(g, failed, t, 0.3, n_tuples=40_000, seed=7)
    low, high = est.ci(0.999)
    assert low <= exact <= high
    assert not est.exact and est.n == 40_000


def test_default_tuple_count_gives_small_ci():
    g = sample_graph(50, 500, 3, seed=1)
    est = tuple_bad_fraction(g, failures.random_failures(g, 0.2, seed=1), 3, 0.3, seed=2)
    low, high = est.ci()
    assert (high - low) / 2 < 0.002


def _brute_cooccur(graph, failed, tup):
    texts = [i for i, row in enumerate(graph.text_skills.tolist()) if set(tup) <= set(row)]
    return len(texts), sum(bool(failed[i]) for i in texts)


@given(data=st.data(), graph=skill_graphs(max_skills=6, max_texts=25, k=3),
       t=st.integers(1, 3))
def test_cooccurrence_kernel_against_brute_force(data, graph, t):
    failed = data.draw(failure_masks(graph))
    tuples = np.array(list(itertools.product(range(graph.n_skills), repeat=t)), dtype=np.int64)
    indptr, indices = graph.skill_texts()
    total, n_failed = _kernels.cooccurrence_counts(indptr, indices, tuples, failed)
    for r, tup in enumerate(tuples.tolist()):
        assert (total[r], n_failed[r]) == _brute_cooccur(graph, failed, tup)


def test_cooccur_fraction_against_enumeration():
    g = sample_graph(6, 300, 3, seed=3)
    failed = failures.random_failures(g, 0.2, seed=4)
    bad = undefined = 0.0
    for tup in itertools.product(range(6), repeat=2):
        total, fails = _brute_cooccur(g, failed, tup)
        if total == 0:
            undefined += 1 / 36
        elif fails / total > 0.25:
            bad += 1 / 36
    est = tuple_bad_fraction(g, failed, 2, 0.25, mode="cooccur", n_tuples=40_000, seed=5)
    low, high = est.ci(0.999)
    assert low <= bad <= high
    assert est.undefined_mass == pytest.approx(undefined, abs=0.02)


def test_cooccur_reports_tuples_without_texts():
    g = SkillGraph.from_text_skills(np.array([[0, 1], [2, 3]]), n_skills=4)
    est = tuple_bad_fraction(g, np.array([True, False]), 2, 0.5, mode="cooccur",
                             n_tuples=4000, seed=1)
    # only pairs within {0,1} or within {2,3} co-occur: 8 of 16 ordered pairs
    assert est.undefined_mass == pytest.approx(0.5, abs=0.04)
    assert est.value == pytest.approx(0.25, abs=0.04)  # pairs within {0, 1}: all fail


def test_wilson_interval_against_closed_form():
    low, high = wilson_interval(0.3, 100, 0.95)
    z = 1.959963984540054
    center = (0.3 + z**2 / 200) / (1 + z**2 / 100)
    half = z * np.sqrt(0.3 * 0.7 / 100 + z**2 / 40000) / (1 + z**2 / 100)
    assert (low, high) == pytest.approx((center - half, center + half))
    assert wilson_interval(0.0, 50)[0] == 0.0 and wilson_interval(1.0, 50)[1] == 1.0


def test_bad_inputs_name_the_parameter():
    g = hand_graph()
    with pytest.raises(ValueError, match="beta"):
        competence.bad_fraction(g, HAND_FAILED, 1.5)
    with pytest.raises(TypeError, match="failed"):
        competence.competence(g, np.array([1, 0, 0, 1]))
    with pytest.raises(ValueError, match="failed"):
        competence.competence(g, np.array([True, False]))
    with pytest.raises(ValueError, match="t must"):
        tuple_bad_fraction(g, HAND_FAILED, 0, 0.2)
    with pytest.raises(ValueError, match="mode"):
        tuple_bad_fraction(g, HAND_FAILED, 2, 0.2, mode="pairs")
    with pytest.raises(ValueError, match="n_tuples"):
        tuple_bad_fraction(g, HAND_FAILED, 2, 0.2, n_tuples=0)
    with pytest.raises(ValueError, match="betas"):
        competence.performance_curve(g, HAND_FAILED, [0.1, float("nan")])
    with pytest.raises(ValueError, match="level"):
        competence.bad_fraction(g, HAND_FAILED, 0.2).ci(confidence_level=1.0)
    with pytest.raises(ValueError, match="failed_edges"):
        competence.competence_from_counts(np.array([1, 2]), np.array([2, 0]))


@given(beta=st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1 + 1e-9),
                      st.just(float("nan")), st.none(), st.text(max_size=2)))
def test_bad_beta_rejected_everywhere(beta):
    g = hand_graph()
    for call in (
        lambda: competence.bad_fraction(g, HAND_FAILED, beta),
        lambda: tuple_bad_fraction(g, HAND_FAILED, 2, beta),
    ):
        with pytest.raises((ValueError, TypeError), match="beta"):
            call()


@given(data=st.data(), graph=skill_graphs(max_skills=8, max_texts=25))
def test_the_curve_from_counts_is_the_curve_from_the_graph(data, graph):
    from skillgraph.core.counts import SkillCounts

    failed = data.draw(failure_masks(graph))
    betas = [0.0, 0.2, 0.5, 1.0]
    from_graph = competence.performance_curve(graph, failed, betas)
    from_counts = SkillCounts.from_graph(graph, failed).performance_curve(betas)
    np.testing.assert_array_equal(from_counts.bad, from_graph.bad)  # one implementation
    assert from_counts.undefined_mass == from_graph.undefined_mass
