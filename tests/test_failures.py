"""Tests of skillgraph.core.failures."""

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph.core import failures
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph
from skillgraph.testing import skill_graphs


@pytest.fixture(scope="module")
def graph():
    return sample_graph(200, 5000, 4, seed=1)


@pytest.mark.parametrize("theta", [0.0, 0.013, 0.5, 1.0])
def test_random_exact_count(graph, theta):
    mask = failures.random_failures(graph, theta, seed=2)
    assert mask.dtype == np.bool_ and mask.shape == (5000,)
    assert mask.sum() == round(theta * 5000)


def test_random_bernoulli_rate_within_tolerance(graph):
    mask = failures.random_failures(graph, 0.3, exact=False, seed=3)
    # 5 standard deviations of Binomial(5000, 0.3)
    assert abs(mask.sum() - 1500) < 5 * np.sqrt(5000 * 0.3 * 0.7)


def test_random_bernoulli_same_for_any_thread_count():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs 2 numba threads")
    g = sample_graph(50, 100_003, 2, seed=0)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = failures.random_failures(g, 0.2, exact=False, seed=9)
        numba.set_num_threads(2)
        two = failures.random_failures(g, 0.2, exact=False, seed=9)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(one, failures.random_failures(g, 0.2, exact=False, seed=10))


def test_random_bernoulli_texts_independent_and_uniform():
    g = sample_graph(5, 10, 1, seed=0)
    masks = np.array([failures.random_failures(g, 0.3, exact=False, seed=s) for s in range(3000)])
    counts = masks.sum(axis=0)
    assert np.all(np.abs(counts - 900) < 5 * np.sqrt(3000 * 0.3 * 0.7))
    # neighbouring texts are independent: P(both fail) = 0.09
    both = (masks[:, :-1] & masks[:, 1:]).sum(axis=0)
    assert np.all(np.abs(both - 270) < 5 * np.sqrt(3000 * 0.09 * 0.91))


def test_random_is_uniform_over_texts():
    g = sample_graph(5, 10, 1, seed=0)
    counts = sum(failures.random_failures(g, 0.3, seed=s).astype(int) for s in range(3000))
    # each text fails with probability 3/10 in each of 3000 draws
    assert np.all(np.abs(counts - 900) < 5 * np.sqrt(3000 * 0.3 * 0.7))


def test_seeds_reproduce(graph):
    np.testing.assert_array_equal(failures.random_failures(graph, 0.1, seed=5),
                                  failures.random_failures(graph, 0.1, seed=5))
    np.testing.assert_array_equal(failures.deficit_failures(graph, 0.1, seed=5),
                                  failures.deficit_failures(graph, 0.1, seed=5))
    assert not np.array_equal(failures.random_failures(graph, 0.1, seed=5),
                              failures.random_failures(graph, 0.1, seed=6))


def _deficit_brute_force(text_skills, n_skills, theta, order):
    """Add unlearned skills in `order` one by one (as docs/theory/failure_models.rst defines)."""
    n = len(text_skills)
    m = round(theta * n)
    unlearned = set()
    failing = set()
    for s in order:
        new = {t for t in range(n) if s in text_skills[t] and t not in failing}
        if len(failing) + len(new) >= m:
            return failing, new, m - len(failing)
        unlearned.add(s)
        failing |= new
    return failing, set(range(n)) - failing, m - len(failing)


@given(graph=skill_graphs(max_skills=8, max_texts=30), theta=st.floats(0, 1),
       seed=st.integers(0, 99))
def test_deficit_matches_sequential_definition(graph, theta, seed):
    mask = failures.deficit_failures(graph, theta, seed=seed)
    # deficit draws the order of skills first from the seed's generator
    order = np.random.default_rng(seed).permutation(graph.n_skills)
    rows = [set(r) for r in graph.text_skills.tolist()]
    certain, partial, need = _deficit_brute_force(rows, graph.n_skills, theta, order)
    failed = set(np.flatnonzero(mask).tolist())
    assert len(failed) == round(theta * graph.n_texts)
    assert certain <= failed
    assert failed - certain <= partial
    assert len(failed - certain) == need


def test_deficit_fails_whole_skills(graph):
    mask = failures.deficit_failures(graph, 0.2, seed=4)
    assert mask.sum() == 1000
    # every failed text but those of the last (partial) skill uses a skill all of whose texts fail
    fully_failed = [s for s in range(graph.n_skills)
                    if mask[np.any(graph.text_skills == s, axis=1)].all()
                    and graph.degrees[s] > 0]
    covered = np.any(np.isin(graph.text_skills, fully_failed), axis=1)
    assert (mask & ~covered).sum() < graph.degrees.max()


def test_deficit_uses_edgeless_texts_last():
    g = SkillGraph.from_edges([0, 1], [0, 0], n_texts=4, n_skills=2)
    mask = failures.deficit_failures(g, 0.75, seed=0)
    assert mask.sum() == 3 and mask[0] and mask[1]


def test_as_mask():
    g = sample_graph(5, 4, 2, seed=0)
    out = failures.as_mask(g, [True, False, False, True])
    assert out.dtype == np.bool_ and not out.flags.writeable
    with pytest.raises(TypeError, match="mask"):
        failures.as_mask(g, [1, 0, 0, 1])
    with pytest.raises(ValueError, match="mask"):
        failures.as_mask(g, [True, False])


@given(theta=st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1 + 1e-9),
                       st.just(float("nan")), st.text(max_size=2), st.none()),
       model=st.sampled_from([failures.random_failures, failures.deficit_failures]))
def test_bad_theta_rejected(theta, model):
    g = sample_graph(5, 4, 2, seed=0)
    with pytest.raises((ValueError, TypeError), match="theta"):
        model(g, theta, seed=0)


def test_graph_type_checked():
    with pytest.raises(TypeError, match="graph"):
        failures.random_failures(np.zeros((3, 2), dtype=int), 0.1)
