"""Tests of skillgraph.stream: streamed counts against materialised graphs and closed forms."""

from __future__ import annotations

import pickle

import numba
import numpy as np
import pytest
from scipy import stats

import skillgraph
from skillgraph.core import competence as comp
from skillgraph.core import failures
from skillgraph.core.graph import skill_measure_array
from skillgraph.core.sampling import sample_graph
from skillgraph.core.streaming import StreamResult, deficit_error_rates, stream, stream_plan

MEASURES = [("uniform", 1.0), ("zipf", 1.0)]


def random_failure_mask(plan, n_texts):
    """The random model's failure set, recomputed in numpy from the documented rule.

    Text ``i`` fails when ``(splitmix64_output(failure_key, i) >> 11) * 2**-53 < theta``,
    the output being ``mix(key0 + (i + 1) * gamma) ^ key1``.  numpy uint64
    arithmetic wraps modulo 2**64 like the kernel's.
    """
    key0, key1 = (np.uint64(x) for x in plan.failure_key)
    z = key0 + (np.arange(n_texts, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = (z ^ (z >> np.uint64(31))) ^ key1
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 < plan.theta


@pytest.mark.parametrize(("measure", "exponent"), MEASURES)
def test_stream_is_the_materialised_graph(measure, exponent):
    """Same seed: the same graph, hence the same degrees; same failure set: same competence."""
    n_skills, n_texts, k, theta = 300, 20_000, 5, 0.1
    kw = dict(skill_measure=measure, zipf_exponent=exponent, seed=77)
    r = stream(n_skills, n_texts, k, theta, **kw)
    g = sample_graph(n_skills, n_texts, k, **kw)
    np.testing.assert_array_equal(r.degrees, g.degrees)
    mask = random_failure_mask(r.plan, n_texts)
    assert r.n_failed_texts == mask.sum()
    # the materialised Bernoulli model applies the same rule to the stream's failure key
    child = np.random.SeedSequence(77).spawn(1)[0]
    np.testing.assert_array_equal(failures.random_failures(g, theta, exact=False, seed=child), mask)
    np.testing.assert_array_equal(r.failed_edges, comp.failed_edge_counts(g, mask))
    np.testing.assert_array_equal(r.competence(), comp.competence(g, mask))
    for beta in (0.0, 0.1, 0.3):
        streamed, materialised = r.bad_fraction(beta), comp.bad_fraction(g, mask, beta)
        assert streamed.n_bad == materialised.n_bad
        assert streamed.value == pytest.approx(materialised.value, rel=1e-12)
    np.testing.assert_allclose(
        r.performance_curve([0.05, 0.2]).bad, comp.performance_curve(g, mask, [0.05, 0.2]).bad
    )


@pytest.mark.parametrize(("measure", "exponent"), MEASURES)
def test_stream_statistics_match_materialised(measure, exponent):
    """Independent seeds: stream and materialised graph + failures.random_failures agree in law."""
    n_skills, n_texts, k, theta = 200, 200_000, 8, 0.05
    mu = skill_measure_array(n_skills, measure, exponent)
    r = stream(n_skills, n_texts, k, theta, skill_measure=measure, zipf_exponent=exponent, seed=1)
    g = sample_graph(n_skills, n_texts, k, skill_measure=measure, zipf_exponent=exponent, seed=2)
    mask = failures.random_failures(g, theta, exact=False, seed=3)
    # degrees: a multinomial(n_texts k, mu) each; chi-square against mu and against each other
    assert stats.chisquare(r.degrees, n_texts * k * mu).pvalue > 1e-3
    table = np.vstack([r.degrees, g.degrees])
    assert stats.chi2_contingency(table[:, table.min(axis=0) > 0]).pvalue > 1e-3
    # failed edges: every slot of a failed text, so k * (failed texts) ...
    assert r.failed_edges.sum() == k * r.n_failed_texts
    # ... and the failed texts' skills are i.i.d. mu too
    assert stats.chisquare(r.failed_edges, r.failed_edges.sum() * mu).pvalue > 1e-3
    # failed-edge fraction: Binomial(n_texts, theta) / n_texts, theta inside its CI,
    # and the materialised fraction inside the stream's 99.9% CI (two samples of one law)
    frac = r.failed_edges.sum() / r.degrees.sum()
    ci = stats.binomtest(r.n_failed_texts, n_texts, theta).proportion_ci(0.999)
    assert ci.low <= theta <= ci.high
    se = np.sqrt(2 * theta * (1 - theta) / n_texts)
    assert abs(frac - mask.mean()) < 3.3 * se


@pytest.mark.parametrize("failure", ["random", "deficit"])
@pytest.mark.parametrize(("measure", "exponent"), MEASURES)
def test_counts_identical_for_threads_and_chunks(failure, measure, exponent):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs 2 numba threads")
    kw = dict(failure=failure, skill_measure=measure, zipf_exponent=exponent, seed=123)
    base = stream(500, 30_001, 6, 0.07, threads=1, **kw)
    for threads, chunk in [(2, None), (1, 1), (2, 777), (2, 4096), (1, 30_001)]:
        r = stream(500, 30_001, 6, 0.07, threads=threads, chunk_size=chunk, **kw)
        np.testing.assert_array_equal(r.degrees, base.degrees)
        np.testing.assert_array_equal(r.failed_edges, base.failed_edges)
        assert r.n_failed_texts == base.n_failed_texts
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS  # restored


def test_shards_add_up_to_one_run():
    plan = stream_plan(100, 50_000, 4, 0.2, failure="deficit", skill_measure="zipf", seed=9)
    whole = plan.counts()
    plan = pickle.loads(pickle.dumps(plan))  # as shipped to a worker
    parts = [plan.counts(a, b) for a, b in plan.shards(7)]
    total = sum(parts[::-1])  # any order
    assert isinstance(total, StreamResult) and total.complete and not parts[0].complete
    np.testing.assert_array_equal(total.degrees, whole.degrees)
    np.testing.assert_array_equal(total.failed_edges, whole.failed_edges)
    assert total.n_failed_texts == whole.n_failed_texts and total.n_texts == 50_000
    with pytest.raises(ValueError, match="overlap"):
        parts[0] + plan.counts(0, 10)
    other = stream_plan(100, 50_000, 4, 0.2, failure="deficit", skill_measure="zipf", seed=10)
    with pytest.raises(ValueError, match="different stream plans"):
        parts[0] + other.counts(40_000, 50_000)


def test_deficit_error_rates_closed_form():
    mu = np.array([0.5, 0.3, 0.2])
    # k = 1: the per-slot failure probability is theta itself; order 2, 0, 1:
    # skill 2 (0.2) unlearned, skill 0 fails on 0.4 / 0.5 of its slots
    status, partial, fraction = deficit_error_rates(mu, 1, 0.6, np.array([2, 0, 1]))
    assert list(status) == [2, 0, 1] and partial == 0 and fraction == pytest.approx(0.8)
    # k = 2, theta = 0.64: 1 - (1 - q)^2 = 0.64 -> q = 0.4: skill 1 whole, skill 2 half
    status, partial, fraction = deficit_error_rates(mu, 2, 0.64, np.array([1, 2, 0]))
    assert list(status) == [0, 1, 2] and partial == 2 and fraction == pytest.approx(0.5)
    assert deficit_error_rates(mu, 3, 0.0, np.arange(3))[0].sum() == 0
    assert list(deficit_error_rates(mu, 3, 1.0, np.arange(3))[0]) == [1, 1, 1]


@pytest.mark.parametrize(("measure", "exponent"), MEASURES)
def test_deficit_failure_rate_is_theta(measure, exponent):
    n_skills, n_texts, k, theta = 400, 200_000, 8, 0.05
    r = stream(
        n_skills, n_texts, k, theta, failure="deficit", skill_measure=measure,
        zipf_exponent=exponent, seed=4,
    )  # fmt: skip
    plan = r.plan
    mu = plan.skill_measure
    p = (plan.status == 1).astype(float)
    if plan.partial_skill >= 0:
        p[plan.partial_skill] = plan.fraction
    # the calibration: 1 - (1 - sum_s mu_s p_s)^k = theta (docs/theory/failure_models.rst)
    assert 1 - (1 - mu @ p) ** k == pytest.approx(theta, rel=1e-9)
    ci = stats.binomtest(r.n_failed_texts, n_texts, theta).proportion_ci(0.999)
    assert ci.low <= theta <= ci.high
    unlearned = plan.unlearned
    assert unlearned.size > 0
    np.testing.assert_array_equal(r.failed_edges[unlearned], r.degrees[unlearned])
    # composition is costly: a learned skill fails only through co-occurring ones,
    # at rate ~ 1 - (1 - q)^(k - 1) < theta
    learned = plan.status == 0
    rate = r.failed_edges[learned].sum() / r.degrees[learned].sum()
    assert abs(rate - (1 - (1 - mu @ p) ** (k - 1))) < 0.01


def test_stream_is_a_function_whatever_is_imported():
    import importlib
    import inspect

    r = skillgraph.stream(10, 100, 2, 0.5, seed=1)
    importlib.import_module("skillgraph.core.streaming")  # importing the module changes nothing

    assert inspect.isfunction(skillgraph.stream)
    r2 = skillgraph.stream(10, 100, 2, 0.5, seed=1)
    np.testing.assert_array_equal(r.degrees, r2.degrees)


def test_theta_edges_and_repr():
    assert stream(10, 1000, 3, 0.0, seed=1).n_failed_texts == 0
    r = stream(10, 1000, 3, 1.0, seed=1)
    assert r.n_failed_texts == 1000 and np.array_equal(r.failed_edges, r.degrees)
    d = stream(10, 1000, 3, 1.0, failure="deficit", seed=1)
    assert d.n_failed_texts == 1000
    assert "failure='random'" in repr(r) and r.failure_rate == 1.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(n_skills=0), ValueError, "n_skills"),
        (dict(n_texts=0), ValueError, "n_texts"),
        (dict(k=0), ValueError, "k must be"),
        (dict(theta=1.5), ValueError, "theta"),
        (dict(failure="adversarial"), ValueError, "failure"),
        (dict(threads=0), ValueError, "threads"),
        (dict(threads=10_000), ValueError, "threads"),
        (dict(chunk_size=0), ValueError, "chunk_size"),
        (dict(skill_measure="pareto"), ValueError, "skill_measure"),
        (dict(n_texts=1.5), TypeError, "n_texts"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(n_skills=10, n_texts=100, k=2, theta=0.1) | kwargs
    with pytest.raises(exc, match=match):
        stream(**args)


def test_counts_range_validation():
    plan = stream_plan(10, 100, 2, 0.1, seed=1)
    with pytest.raises(ValueError, match="stop"):
        plan.counts(50, 20)
    with pytest.raises(ValueError, match="start"):
        plan.counts(101)
    assert plan.counts(30, 30).n_texts == 0
