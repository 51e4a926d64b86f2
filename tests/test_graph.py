"""Tests of skillgraph.core.graph and .sampling: the sampler, the graph object, conversions."""

import networkx as nx
import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from skillgraph._jit import kernels
from skillgraph.core import graph as graph_module
from skillgraph.core.graph import SkillGraph, skill_measure_array
from skillgraph.core.sampling import sample_graph
from skillgraph.core.streaming import stream_plan

# A chi-square test at a fixed seed fails by chance with probability P_MIN.
P_MIN = 1e-3


def _chi2_pvalue(observed, expected):
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    expected = expected * observed.sum() / expected.sum()
    return stats.chisquare(observed, expected).pvalue


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniform_degrees_match_binomial_means(seed):
    n_skills, n_texts, k = 50, 20_000, 4
    g = sample_graph(n_skills, n_texts, k, seed=seed)
    assert g.degrees.sum() == n_texts * k
    assert _chi2_pvalue(g.degrees, np.full(n_skills, n_texts * k / n_skills)) > P_MIN


def test_uniform_degree_distribution_is_binomial():
    # docs/theory/graph.rst: degrees ~ Binomial(k n_texts, 1/n_skills); pool the histogram
    n_skills, n_texts, k = 2000, 5000, 4
    g = sample_graph(n_skills, n_texts, k, seed=11)
    n, p = n_texts * k, 1 / n_skills
    edges = np.array([0, 4, 6, 8, 9, 10, 11, 12, 14, 16, 100])
    observed = np.histogram(g.degrees, bins=edges)[0]
    cdf = stats.binom.cdf(edges[1:] - 1, n, p) - stats.binom.cdf(edges[:-1] - 1, n, p)
    cdf[-1] = 1 - stats.binom.cdf(edges[-2] - 1, n, p)
    assert _chi2_pvalue(observed, cdf * n_skills) > P_MIN


@pytest.mark.parametrize("exponent", [0.5, 1.0, 2.0])
def test_zipf_degrees_match_multinomial_means(exponent):
    n_skills, n_texts, k = 30, 20_000, 5
    g = sample_graph(n_skills, n_texts, k, skill_measure="zipf", zipf_exponent=exponent, seed=3)
    mu = np.arange(1, n_skills + 1, dtype=float) ** -exponent
    mu /= mu.sum()
    np.testing.assert_allclose(g.skill_measure, mu, rtol=1e-12)
    assert _chi2_pvalue(g.degrees, mu * n_texts * k) > P_MIN


def test_custom_measure_with_zero_weight_is_never_drawn():
    weights = np.array([5.0, 0.0, 1.0, 3.0, 1.0])
    g = sample_graph(5, 20_000, 3, skill_measure=weights, seed=4)
    assert g.degrees[1] == 0
    keep = weights > 0
    assert _chi2_pvalue(g.degrees[keep], weights[keep]) > P_MIN


def test_replace_false_rows_distinct_and_uniform_marginals():
    n_skills, n_texts, k = 12, 20_000, 5
    g = sample_graph(n_skills, n_texts, k, replace=False, seed=5)
    rows = np.sort(g.text_skills, axis=1)
    assert np.all(np.diff(rows, axis=1) > 0)
    assert _chi2_pvalue(g.degrees, np.full(n_skills, 1.0)) > P_MIN


def test_replace_false_successive_sampling_distribution():
    # k=2 of 3 skills without replacement from mu: P(first=i, second=j) = mu_i mu_j / (1 - mu_i)
    mu = np.array([0.6, 0.3, 0.1])
    g = sample_graph(3, 30_000, 2, skill_measure=mu, replace=False, seed=6)
    pairs = g.text_skills[:, 0] * 3 + g.text_skills[:, 1]
    observed = np.bincount(pairs, minlength=9)
    expected = np.array([mu[i] * mu[j] / (1 - mu[i]) if i != j else 0.0
                         for i in range(3) for j in range(3)])
    keep = expected > 0
    assert observed[~keep].sum() == 0
    assert _chi2_pvalue(observed[keep], expected[keep]) > P_MIN


def test_replace_false_extreme_skew_takes_all_skills_without_hanging():
    g = sample_graph(15, 200, 15, skill_measure="zipf", zipf_exponent=30.0, replace=False, seed=7)
    assert np.all(np.sort(g.text_skills, axis=1) == np.arange(15))


def test_seed_reproducible_and_distinct():
    a = sample_graph(100, 500, 3, seed=42)
    b = sample_graph(100, 500, 3, seed=42)
    c = sample_graph(100, 500, 3, seed=43)
    np.testing.assert_array_equal(a.text_skills, b.text_skills)
    assert not np.array_equal(a.text_skills, c.text_skills)
    d = sample_graph(100, 500, 3, seed=np.random.SeedSequence(42))
    np.testing.assert_array_equal(a.text_skills, d.text_skills)


def test_same_graph_for_any_thread_count():
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sample_graph(1000, 50_000, 8, skill_measure="zipf", seed=9)
        numba.set_num_threads(max(2, before) if numba.config.NUMBA_NUM_THREADS >= 2 else 1)
        two = sample_graph(1000, 50_000, 8, skill_measure="zipf", seed=9)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one.text_skills, two.text_skills)


def test_prefix_of_larger_graph_is_the_smaller_graph():
    # counter-based streams: text i's skills depend on the seed and i only
    small = sample_graph(100, 1000, 4, seed=12)
    large = sample_graph(100, 5000, 4, seed=12)
    np.testing.assert_array_equal(small.text_skills, large.text_skills[:1000])


def test_graph_is_immutable():
    g = sample_graph(10, 20, 2, seed=1)
    with pytest.raises(ValueError):
        g.text_skills[0, 0] = 3
    with pytest.raises(ValueError):
        g.degrees[0] = 3
    with pytest.raises(AttributeError):
        g.n_skills = 5
    assert g.text_skills.dtype == np.int32
    assert g.text_skills.shape == (20, 2)


def test_skill_texts_csr_against_brute_force():
    g = sample_graph(7, 40, 3, seed=2)
    indptr, indices = g.skill_texts()
    for s in range(7):
        expected = [t for t in range(40) for x in g.text_skills[t] if x == s]
        assert list(indices[indptr[s]:indptr[s + 1]]) == expected


def test_skill_texts_without_cache_builds_the_same_csr_and_keeps_nothing():
    g = sample_graph(7, 40, 3, seed=2)
    indptr, indices = g.skill_texts(cache=False)
    assert "_skill_csr" not in g.__dict__  # not kept on the graph
    cached_indptr, cached_indices = g.skill_texts()
    np.testing.assert_array_equal(indptr, cached_indptr)
    np.testing.assert_array_equal(indices, cached_indices)
    assert g.skill_texts(cache=False)[1] is cached_indices  # a kept CSR is reused
    with pytest.raises(TypeError, match="cache must be True or False"):
        g.skill_texts(cache=1)


def test_ragged_graph_from_edges():
    g = SkillGraph.from_edges([0, 0, 1, 2, 2, 2], [1, 2, 0, 1, 1, 3], n_skills=5)
    assert g.k is None and not g.is_regular
    assert g.n_texts == 3 and g.n_edges == 6
    np.testing.assert_array_equal(g.degrees, [1, 3, 1, 1, 0])
    with pytest.raises(ValueError, match="ragged"):
        _ = g.text_skills


def test_networkx_round_trip_keeps_multiplicity_and_measure():
    text_skills = np.array([[0, 0, 1], [2, 1, 1], [3, 3, 3]])
    mu = np.array([0.1, 0.2, 0.3, 0.4])
    g = SkillGraph.from_text_skills(text_skills, skill_measure=mu)
    G = g.to_networkx()
    assert nx.is_bipartite(G)
    assert {d["bipartite"] for _, d in G.nodes(data=True)} == {0, 1}
    assert G.edges[("s", 3), ("t", 2)]["multiplicity"] == 3
    h = SkillGraph.from_networkx(G)
    np.testing.assert_array_equal(h.degrees, g.degrees)
    np.testing.assert_allclose(h.skill_measure, mu)
    for t in range(3):
        assert sorted(h.text_skills[t]) == sorted(g.text_skills[t])


def test_from_networkx_rejects_unlabelled_nodes():
    G = nx.Graph()
    G.add_edge("a", "b")
    with pytest.raises(ValueError, match="bipartite"):
        SkillGraph.from_networkx(G)
    with pytest.raises(TypeError, match="networkx"):
        SkillGraph.from_networkx([1, 2])


def test_from_text_skills_validation():
    with pytest.raises(TypeError, match="text_skills"):
        SkillGraph.from_text_skills(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="text_skills"):
        SkillGraph.from_text_skills(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="out of range"):
        SkillGraph.from_text_skills(np.array([[0, 5]]), n_skills=3)
    with pytest.raises(ValueError, match="skill_ids"):
        SkillGraph.from_text_skills(np.array([[0, -1]]))


def test_too_large_graph_refused_before_allocation():
    with pytest.raises(MemoryError, match=r"GiB.*stream"):
        sample_graph(1000, 10**13, 8, seed=0)


BAD_SIZES = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True).filter(lambda x: not float(x).is_integer() or x <= 0),
    st.text(max_size=3),
    st.none(),
    st.just(True),
)


@given(bad=BAD_SIZES, which=st.sampled_from(["n_skills", "n_texts", "k"]))
def test_bad_sizes_rejected_naming_the_parameter(bad, which):
    args = {"n_skills": 10, "n_texts": 10, "k": 2}
    args[which] = bad
    with pytest.raises((ValueError, TypeError), match=which):
        sample_graph(**args, seed=0)


@given(
    measure=st.one_of(
        st.text(max_size=5).filter(lambda s: s not in ("uniform", "zipf")),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=6),
    )
)
def test_bad_skill_measure_rejected(measure):
    arr = measure if isinstance(measure, str) else np.asarray(measure)
    valid = (
        not isinstance(measure, str)
        and arr.shape == (4,)
        and np.all(np.isfinite(arr))
        and np.all(arr >= 0)
        and arr.sum() > 0
        and np.isfinite(arr.sum())
    )
    if valid:
        return
    with pytest.raises((ValueError, TypeError), match="skill_measure"):
        sample_graph(4, 10, 2, skill_measure=measure, seed=0)


@given(
    exponent=st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=50.000001),
                       st.just(float("nan")), st.just(np.inf)),  # fmt: skip
    measure=st.sampled_from(["zipf", "uniform", [1.0, 2.0, 3.0, 4.0]]),
)
def test_bad_zipf_exponent_rejected_whatever_the_measure(exponent, measure):
    # only the Zipf measure uses the exponent, but a bad one is never silently ignored
    with pytest.raises(ValueError, match="zipf_exponent"):
        sample_graph(4, 10, 2, skill_measure=measure, zipf_exponent=exponent, seed=0)
    with pytest.raises(ValueError, match="zipf_exponent"):
        stream_plan(4, 10, 2, 0.5, skill_measure=measure, zipf_exponent=exponent, seed=0)


def test_replace_false_with_k_above_support_rejected():
    with pytest.raises(ValueError, match="k must be <="):
        sample_graph(5, 10, 6, replace=False, seed=0)
    with pytest.raises(ValueError, match="k must be <="):
        sample_graph(3, 10, 3, skill_measure=[1.0, 0.0, 1.0], replace=False, seed=0)


def test_bad_seed_and_replace_rejected():
    with pytest.raises(ValueError, match="seed"):
        sample_graph(5, 10, 2, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        sample_graph(5, 10, 2, seed="x")
    with pytest.raises(TypeError, match="replace"):
        sample_graph(5, 10, 2, replace="no", seed=0)


def test_skill_measure_array_normalises():
    np.testing.assert_allclose(skill_measure_array(4, [1, 1, 2, 0]), [0.25, 0.25, 0.5, 0])
    np.testing.assert_allclose(skill_measure_array(3, "zipf", 0.0), [1 / 3] * 3)


@given(
    n_skills=st.integers(1, 40),
    skills=st.lists(st.integers(0, 39), min_size=1, max_size=300),
    per_text=st.integers(1, 5),
)
def test_serial_paths_of_small_graphs_equal_the_parallel_kernels(n_skills, skills, per_text):
    skills = np.array([s % n_skills for s in skills], dtype=np.int32)
    graph = SkillGraph.from_edges(np.arange(skills.size) // per_text, skills, n_skills=n_skills)
    assert graph.n_edges < graph_module._PARALLEL_FROM  # the serial paths
    degrees = kernels().skill_degrees(graph.text_indices, n_skills)
    assert graph.degrees.dtype == degrees.dtype == np.int64
    np.testing.assert_array_equal(graph.degrees, degrees)
    np.testing.assert_array_equal(graph.degrees, [np.sum(skills == s) for s in range(n_skills)])
    indptr, indices = kernels().counting_sort_by_skill(
        graph.text_indptr, graph.text_indices, n_skills
    )
    got = graph.skill_texts()
    assert got[0].dtype == indptr.dtype and got[1].dtype == indices.dtype
    np.testing.assert_array_equal(got[0], indptr)
    np.testing.assert_array_equal(got[1], indices)


def test_large_graphs_take_the_parallel_kernels_with_the_same_numbers(monkeypatch):
    serial = sample_graph(50, 2000, 3, seed=4)
    monkeypatch.setattr(graph_module, "_PARALLEL_FROM", 0)
    parallel = sample_graph(50, 2000, 3, seed=4)
    np.testing.assert_array_equal(parallel.degrees, serial.degrees)
    for a, b in zip(parallel.skill_texts(), serial.skill_texts(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(serial.degrees, np.bincount(serial.text_indices, minlength=50))
