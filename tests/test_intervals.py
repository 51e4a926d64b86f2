"""The one interval type: ConfidenceInterval, ``ci(confidence_level)`` everywhere, one t rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from skillgraph.core.competence import default_tuple_count
from skillgraph.core.intervals import (
    ConfidenceInterval,
    replicate_interval,
    t_interval,
    wilson_interval,
)
from skillgraph.mechanisms.memory import fit_slope, memory_error
from skillgraph.mechanisms.superposition import MeanEstimate


def test_t_interval_matches_scipy_t_interval():
    values = np.array([0.3, 0.7, 0.2, 0.9, 0.4])
    ref = stats.t.interval(0.9, values.size - 1, loc=values.mean(), scale=stats.sem(values))
    ci = t_interval(values, 0.9)
    assert isinstance(ci, ConfidenceInterval)
    assert (ci.low, ci.high) == pytest.approx(ref, rel=1e-12)
    # a 2-D array gives one interval per column
    both = t_interval(np.column_stack([values, 2 * values]), 0.9)
    assert both.high[1] == pytest.approx(2 * ref[1], rel=1e-12)


def test_intervals_unpack_and_compare_as_tuples():
    ci = wilson_interval(0.3, 100)
    low, high = ci
    assert ci == (low, high) and ci.low == low and ci.high == high
    with pytest.raises(AttributeError):
        ci.low = 0.0  # frozen


def test_level_keyword_is_a_deprecated_alias():
    values = [0.2, 0.3, 0.4]
    with pytest.warns(DeprecationWarning, match="confidence_level"):
        old = replicate_interval(values, level=0.9)
    assert old == replicate_interval(values, confidence_level=0.9)
    with pytest.warns(DeprecationWarning):
        assert wilson_interval(0.3, 50, level=0.8) == wilson_interval(0.3, 50, 0.8)
    with pytest.warns(DeprecationWarning):
        assert default_tuple_count(0.01, level=0.9) == default_tuple_count(0.01, 0.9)
    # Wald's n = z^2 p (1 - p) / h^2 at p = 1/2, rounded up, computed here independently
    assert default_tuple_count(0.01, 0.9) == math.ceil(stats.norm.ppf(0.95) ** 2 * 0.25 / 1e-4)


def test_mean_estimate_ci_at_any_level_equals_a_fresh_estimate():
    rng = np.random.default_rng(3)
    samples = rng.random((4, 30))
    est = MeanEstimate.from_samples(samples)
    assert est.ci() == (est.ci_low, est.ci_high)
    fresh = MeanEstimate.from_samples(samples, confidence_level=0.8)
    assert est.ci(0.8) == (fresh.ci_low, fresh.ci_high)
    # the union of the pooled and the replicate-mean t intervals, computed independently
    pooled = stats.t.interval(
        0.8, samples.size - 1, loc=samples.mean(), scale=stats.sem(samples.ravel())
    )
    means = samples.mean(axis=1)
    rep = stats.t.interval(0.8, 3, loc=means.mean(), scale=stats.sem(means))
    assert est.ci(0.8).low == pytest.approx(min(pooled[0], rep[0]), rel=1e-12)
    assert est.ci(0.8).high == pytest.approx(max(pooled[1], rep[1]), rel=1e-12)


def test_memory_curve_and_slope_fit_ci():
    curve = memory_error([32, 64, 128, 256], trials=4, seed=2, n_inputs=200)
    ci = curve.ci(0.9)
    sem = curve.errors.std(axis=0, ddof=1) / math.sqrt(4)
    ref_low = curve.error - stats.t.ppf(0.95, 3) * sem
    np.testing.assert_allclose(ci.low, ref_low, rtol=1e-12)
    np.testing.assert_array_equal(curve.ci().low, curve.ci_low)
    fit = fit_slope(curve.d, curve.errors, window=(32, 256))
    assert fit.ci() == (fit.ci_low, fit.ci_high)
    assert fit.ci(0.5).high - fit.slope == pytest.approx(stats.t.ppf(0.75, 3) * fit.stderr)
