"""Tests for skillgraph.theory.bounds (docs/theory/theorem1.rst, docs/theory/tuples.rst).

Reference values come from an independent solver written here from the
conditions as the documentation states them (mpmath, 30 digits, plain
bisection on the condition), never from the code under test.
"""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.stats import binom

from skillgraph.theory.bounds import (
    BoundResult,
    alpha_star,
    averaging_bound,
    emergence_bound,
    entropy,
    is_vacuous,
    kl,
    performance_curve_bound,
    tuple_alpha_star,
)

RTOL = 1e-9  # the solver promises 1e-10 relative; leave room for the float condition

# --------------------------------------------------------------------------- independent solver


def mp_entropy(p):
    p = mp.mpf(p)
    if p == 0 or p == 1:
        return mp.mpf(0)
    return -p * mp.log(p) - (1 - p) * mp.log1p(-p)


def mp_kl(q, p):
    q, p = mp.mpf(q), mp.mpf(p)
    first = 0 if q == 0 else q * mp.log(q / p)
    second = 0 if q == 1 else (1 - q) * (mp.log1p(-q) - mp.log1p(-p))
    return first + second


def mp_condition(theta, beta, k, a, form):
    """Theorem 1 / 1' of docs/theory/theorem1.rst at alpha = a, literally.

    The Chernoff step needs q > alpha (docs/theory/theorem1.rst): with q <= alpha the
    KL exponent bounds nothing, so the condition is taken to fail there.
    """
    q = min(beta * a / theta, 1)  # q <= 1 on (0, theta/beta]; clamp rounding at the end
    if q <= a:
        return False
    if form == "kl":
        return mp_entropy(theta) < k * theta * mp_kl(q, a)
    return mp_entropy(theta) + k * theta * mp_entropy(q) - k * beta * a * mp.log(1 / a) < 0


def ref_alpha_star(theta, beta, k, form="kl"):
    """Smallest alpha in (0, min(theta/beta, 1)] satisfying the condition, by bisection."""
    with mp.workdps(30):
        th, be = mp.mpf(float(theta)), mp.mpf(float(beta))
        hi = min(th / be, mp.mpf(1))
        if not mp_condition(th, be, int(k), hi, form):
            return float(hi)  # vacuous
        lo = mp.mpf(0)  # the condition fails as alpha -> 0 (margin -> -H(theta))
        for _ in range(110):
            mid = (lo + hi) / 2
            if mp_condition(th, be, int(k), mid, form):
                hi = mid
            else:
                lo = mid
        return float(hi)


def float_condition(theta, beta, k, a, form):
    """The condition in float64 numpy, vectorised over a (for the up-interval check)."""
    a = np.asarray(a, dtype=float)
    q = np.minimum(beta * a / theta, 1.0)
    h_theta = -theta * np.log(theta) - (1 - theta) * np.log1p(-theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        hq = np.where(q < 1, -q * np.log(q) - (1 - q) * np.log1p(-q), 0.0)
        kl_qa = q * np.log(q / a) + np.where(q < 1, (1 - q) * (np.log1p(-q) - np.log1p(-a)), 0.0)
    if form == "kl":
        return h_theta < k * theta * kl_qa
    return h_theta + k * theta * hq - k * beta * a * np.log(1 / a) < 0


# --------------------------------------------------------------------------- strategies

thetas = st.floats(1e-4, 0.3)
betas = st.floats(0.05, 0.9)
ks = st.integers(1, 64)
forms = st.sampled_from(["kl", "paper"])

GRID_THETA = [1e-4, 1e-3, 0.01, 0.05, 0.12, 0.3]
GRID_BETA = [0.05, 0.1, 0.2, 0.35, 0.6, 0.9]
GRID_K = [1, 3, 8, 64]


# --------------------------------------------------------------------------- import hygiene


def test_import_does_not_pull_numba():
    code = (
        "import sys, skillgraph.theory.bounds, skillgraph.theory.scaling, "
        "skillgraph.theory.certificates; "
        "sys.exit(1 if 'numba' in sys.modules else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or "numba was imported"


# --------------------------------------------------------------------------- entropy and KL


@given(st.floats(0, 1))
def test_entropy_matches_mpmath(p):
    with mp.workdps(40):
        expected = float(mp_entropy(p))
    assert entropy(p) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@given(st.floats(0, 1), st.floats(1e-12, 1 - 1e-12))
def test_kl_matches_mpmath(q, p):
    with mp.workdps(40):
        expected = float(mp_kl(q, p))
    assert kl(q, p) == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert kl(q, p) >= 0


def test_kl_and_entropy_endpoints():
    assert entropy([0.0, 1.0, 0.5]).tolist() == [0.0, 0.0, pytest.approx(math.log(2))]
    np.testing.assert_array_equal(kl([0, 1, 0.3, 0.5, 0.5], [0, 1, 0.3, 0, 1]),
                                  [0, 0, 0, np.inf, np.inf])  # fmt: skip
    assert kl(0.0, 0.5) == pytest.approx(math.log(2))
    assert kl(1.0, 0.5) == pytest.approx(math.log(2))
    assert isinstance(kl(0.2, 0.1), float) and isinstance(entropy(0.2), float)


# --------------------------------------------------------------------------- the reference table

TABLE = {  # docs/theory/theorem1.rst, KL form: (theta, k) -> {beta: alpha_star}
    (0.05, 8): {0.5: 0.0320, 0.3: 0.0721, 0.2: 0.1431},
    (0.01, 8): {0.5: 0.0046, 0.3: 0.0091, 0.2: 0.0158},
    (0.01, 16): {0.5: 0.0023, 0.3: 0.0047, 0.2: 0.0082},
}


@pytest.mark.parametrize(
    ("theta", "k", "beta", "expected"),
    [(th, k, b, v) for (th, k), row in TABLE.items() for b, v in row.items()],
)
def test_reference_table(theta, k, beta, expected):
    independent = ref_alpha_star(theta, beta, k, "kl")
    # The spec's table is the independent solver rounded to 4 decimals ...
    assert round(independent, 4) == expected
    # ... and the library agrees with both.
    got = alpha_star(theta, beta, k)
    assert got == pytest.approx(independent, rel=RTOL)
    assert abs(got - expected) <= 5e-5


def test_certificate_section_reference_value():
    # docs/theory/theorem1.rst quotes alpha_star(0.1, 0.5, 8) = 0.0832.
    assert round(ref_alpha_star(0.1, 0.5, 8), 4) == 0.0832
    assert alpha_star(0.1, 0.5, 8) == pytest.approx(ref_alpha_star(0.1, 0.5, 8), rel=RTOL)


# --------------------------------------------------------------------------- independent solver


@pytest.mark.parametrize("form", ["kl", "paper"])
def test_grid_against_independent_solver(form):
    th, be, kk = np.meshgrid(GRID_THETA, GRID_BETA, GRID_K, indexing="ij")
    got = alpha_star(th, be, kk, form=form)  # one vectorised call over the whole grid
    expected = np.vectorize(lambda a, b, c: ref_alpha_star(a, b, c, form))(th, be, kk)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
    # the grid exercises both regimes
    vac = is_vacuous(th, be, kk, form=form)
    assert vac.any() and (~vac).any()
    np.testing.assert_array_equal(vac, expected == np.minimum(th / be, 1.0))


@given(thetas, betas, ks, forms)
def test_hypothesis_against_independent_solver(theta, beta, k, form):
    assert alpha_star(theta, beta, k, form=form) == pytest.approx(
        ref_alpha_star(theta, beta, k, form), rel=RTOL
    )


@given(st.floats(1e-12, 1e-4), st.floats(0.01, 0.99), st.integers(1, 10_000), forms)
def test_small_theta_and_large_k_against_independent_solver(theta, beta, k, form):
    assert alpha_star(theta, beta, k, form=form) == pytest.approx(
        ref_alpha_star(theta, beta, k, form), rel=RTOL
    )


# --------------------------------------------------------------------------- properties


@given(thetas, betas, st.integers(1, 200), forms)
def test_condition_set_is_an_up_interval(theta, beta, k, form):
    hi = min(theta / beta, 1.0)
    grid = np.unique(np.concatenate([np.geomspace(hi * 1e-9, hi, 1500), np.linspace(0, hi, 1501)]))
    grid = grid[grid > 0]
    holds = float_condition(theta, beta, k, grid, form)
    if beta <= theta:
        # docs/theory/theorem1.rst: the Chernoff step needs q > alpha; the paper form never
        # holds here anyway, and the library reports the bound as vacuous.
        if form == "paper":
            assert not holds.any()
        assert alpha_star(theta, beta, k, form=form) == 1.0
        return
    # up-interval: once the condition holds it keeps holding up to theta/beta
    first = np.argmax(holds) if holds.any() else len(holds)
    assert holds[first:].all()
    a_star = alpha_star(theta, beta, k, form=form)
    below = grid < a_star * (1 - 1e-8)
    above = grid > a_star * (1 + 1e-8)
    assert not holds[below].any()
    assert holds[above].all()


@given(thetas, thetas, betas, ks, forms)
def test_increasing_in_theta(t1, t2, beta, k, form):
    lo, hi = sorted((t1, t2))
    assert alpha_star(lo, beta, k, form=form) <= alpha_star(hi, beta, k, form=form) * (1 + RTOL)


@given(thetas, betas, ks, ks, forms)
def test_decreasing_in_k(theta, beta, k1, k2, form):
    lo, hi = sorted((k1, k2))
    assert alpha_star(theta, beta, hi, form=form) <= alpha_star(theta, beta, lo, form=form) * (
        1 + RTOL
    )


@given(thetas, betas, betas, ks, forms)
def test_decreasing_in_beta(theta, b1, b2, k, form):
    lo, hi = sorted((b1, b2))
    assert alpha_star(theta, hi, k, form=form) <= alpha_star(theta, lo, k, form=form) * (1 + RTOL)


@given(thetas, betas, ks, forms)
def test_never_above_averaging_bound(theta, beta, k, form):
    a = alpha_star(theta, beta, k, form=form)
    assert 0 < a <= min(theta / beta, 1.0)
    assert a <= averaging_bound(theta, beta)
    if is_vacuous(theta, beta, k, form=form):
        assert a == averaging_bound(theta, beta)
    else:
        assert a < averaging_bound(theta, beta)


@given(thetas, betas, ks)
def test_kl_form_never_above_paper_form(theta, beta, k):
    assert alpha_star(theta, beta, k, form="kl") <= alpha_star(theta, beta, k, form="paper") * (
        1 + RTOL
    )


def test_kl_form_strictly_better_somewhere():
    assert alpha_star(0.05, 0.2, 8, form="kl") < 0.95 * alpha_star(0.05, 0.2, 8, form="paper")


@given(st.integers(1, 2000), st.floats(1e-3, 0.99), st.floats(0, 1))
def test_binomial_tail_below_chernoff(n, p, u):
    q = p + (1 - p) * u  # q >= p
    tail = binom.sf(math.ceil(q * n) - 1, n, p)  # P[X >= q n]
    assert tail <= math.exp(-n * kl(q, p)) * (1 + 1e-9) + 1e-300


def test_chernoff_does_not_apply_below_the_mean():
    # Why beta <= theta is vacuous: for q < p the KL exponent is positive but the
    # tail P[X >= q n] is close to 1, far above exp(-n KL(q || p)).
    n, p, q = 1000, 0.3, 0.05
    assert binom.sf(math.ceil(q * n) - 1, n, p) > 0.99
    assert math.exp(-n * kl(q, p)) < 1e-50


@pytest.mark.parametrize("form", ["kl", "paper"])
def test_beta_at_or_below_theta_is_vacuous(form):
    theta = np.array([0.3, 0.3, 0.1])
    beta = np.array([0.05, 0.3, 0.1])
    np.testing.assert_array_equal(alpha_star(theta, beta, 64, form=form), 1.0)
    assert is_vacuous(theta, beta, 64, form=form).all()


@given(thetas, betas, ks, st.integers(1, 8), forms)
def test_tensorization(theta, beta, k, t, form):
    got = tuple_alpha_star(theta, beta, k, t, form=form)
    if t * theta < 1:
        assert got == alpha_star(t * theta, beta, k, form=form)
        assert got == ref_alpha_star(t * theta, beta, k, form) or got == pytest.approx(
            ref_alpha_star(t * theta, beta, k, form), rel=RTOL
        )
    else:
        assert got == 1.0
    assert got >= alpha_star(theta, beta, k, form=form) * (1 - RTOL)


def test_tuple_saturated_and_vectorised():
    assert tuple_alpha_star(0.3, 0.5, 8, 4) == 1.0  # t theta = 1.2 >= 1
    assert tuple_alpha_star(0.25, 0.5, 8, 4) == 1.0  # exactly 1
    got = tuple_alpha_star(0.05, 0.5, 8, np.array([1, 2, 3, 20, 30]))
    expected = [alpha_star(0.05, 0.5, 8), alpha_star(0.1, 0.5, 8), alpha_star(0.15, 0.5, 8), 1, 1]
    np.testing.assert_array_equal(got, expected)
    assert tuple_alpha_star(0.05, 0.5, 8, 1) == alpha_star(0.05, 0.5, 8)


# --------------------------------------------------------------------------- vectorisation


@pytest.mark.parametrize("form", ["kl", "paper"])
def test_broadcast_equals_scalar_loop(form):
    theta = np.array([1e-3, 0.02, 0.1]).reshape(3, 1, 1)
    beta = np.array([0.05, 0.15, 0.4, 0.8]).reshape(1, 4, 1)
    k = np.array([2, 16]).reshape(1, 1, 2)
    got = alpha_star(theta, beta, k, form=form)
    assert isinstance(got, np.ndarray) and got.shape == (3, 4, 2)
    vac = is_vacuous(theta, beta, k, form=form)
    assert vac.dtype == bool and vac.shape == (3, 4, 2)
    for i, j, m in np.ndindex(got.shape):
        args = (float(theta[i, 0, 0]), float(beta[0, j, 0]), int(k[0, 0, m]))
        assert got[i, j, m] == alpha_star(*args, form=form)
        assert vac[i, j, m] == is_vacuous(*args, form=form)
    perf = performance_curve_bound(theta, k, beta, form=form)
    np.testing.assert_array_equal(perf, 1 - got)


def test_scalar_and_array_return_types():
    assert type(alpha_star(0.05, 0.5, 8)) is float
    assert type(alpha_star(np.float32(0.05), np.float64(0.5), np.int16(8))) is float
    assert type(is_vacuous(0.05, 0.5, 8)) is bool
    assert type(averaging_bound(0.05, 0.5)) is float
    assert type(performance_curve_bound(0.05, 8, 0.5)) is float
    out = alpha_star([0.05], 0.5, 8)
    assert isinstance(out, np.ndarray) and out.shape == (1,)
    assert alpha_star(np.empty((0, 2)), 0.5, 8).shape == (0, 2)
    assert alpha_star(0.05, 0.5, 8.0) == alpha_star(0.05, 0.5, 8)  # integral float k


def test_performance_curve_bound():
    betas = np.linspace(0.06, 0.95, 30)
    curve = performance_curve_bound(0.05, 8, betas)
    np.testing.assert_array_equal(curve, 1 - alpha_star(0.05, betas, 8))
    assert np.all(np.diff(curve) >= -1e-12)  # more lenient threshold, more competent skills
    assert np.all((curve >= 0) & (curve <= 1))


def test_averaging_bound_values():
    np.testing.assert_array_equal(averaging_bound([0.05, 0.3, 0.5], [0.5, 0.2, 0.5]), [0.1, 1, 1])


# --------------------------------------------------------------------------- result object


def test_emergence_bound_result():
    r = emergence_bound(0.05, 0.5, 8)
    assert isinstance(r, BoundResult)
    assert r.value == alpha_star(0.05, 0.5, 8)
    assert r.form == "kl" and not r.vacuous and r.t == 1 and r.k == 8
    assert r.averaging == pytest.approx(0.1)
    assert r.slingshot_ratio == pytest.approx(r.value / (0.05 / 0.5))
    assert r.guaranteed_competent == 1 - r.value
    text = repr(r)
    assert "BoundResult(" in text and "0.0319766" in text and "'kl'" in text
    d = r.as_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["value"] == r.value and d["vacuous"] is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 0.0


def test_emergence_bound_tuples_and_vacuous():
    r = emergence_bound(0.05, 0.5, 8, t=2, form="paper")
    assert r.value == tuple_alpha_star(0.05, 0.5, 8, 2, form="paper")
    assert r.theta_effective == pytest.approx(0.1) and r.averaging == pytest.approx(0.2)
    v = emergence_bound(0.3, 0.2, 8)
    assert v.vacuous and v.value == 1.0 and v.slingshot_ratio == 1.0 and "vacuous" in repr(v)
    s = emergence_bound(0.4, 0.5, 8, t=3)
    assert s.vacuous and s.value == 1.0 and s.theta_effective == 1.0


# --------------------------------------------------------------------------- bad input

not_a_probability = st.one_of(
    st.floats(max_value=0.0),
    st.floats(min_value=1.0),
    st.sampled_from([math.nan, math.inf, -math.inf, "0.1", None, True, 1j, [0.1, math.nan]]),
    st.just([[0.1, 0.2], [0.3]]),  # ragged
)
not_a_k = st.one_of(
    st.integers(max_value=0),
    st.floats(0.01, 100).filter(lambda x: not x.is_integer()),
    st.sampled_from([math.nan, math.inf, "8", None, True, 2j, [8, 0], np.array([1.5])]),
)


def _call_all(theta=0.05, beta=0.3, k=8, t=2, form="kl"):
    calls = [
        lambda: alpha_star(theta, beta, k, form=form),
        lambda: is_vacuous(theta, beta, k, form=form),
        lambda: tuple_alpha_star(theta, beta, k, t, form=form),
        lambda: performance_curve_bound(theta, k, beta, form=form),
        lambda: emergence_bound(theta, beta, k, t=t, form=form),
    ]
    return calls


def _assert_rejects(call, name):
    with pytest.raises((ValueError, TypeError)) as info:
        result = call()
        # never reached for bad input; if it were, at least it must not be NaN
        assert not np.isnan(result).any()
    assert name in str(info.value)


@given(not_a_probability)
def test_bad_theta(value):
    for call in _call_all(theta=value):
        _assert_rejects(call, "theta")
    _assert_rejects(lambda: averaging_bound(value, 0.5), "theta")


@given(not_a_probability)
def test_bad_beta(value):
    for call in _call_all(beta=value):
        _assert_rejects(call, "beta")
    _assert_rejects(lambda: averaging_bound(0.1, value), "beta")


@given(not_a_k)
def test_bad_k_and_t(value):
    for call in _call_all(k=value):
        _assert_rejects(call, "k")
    _assert_rejects(lambda: tuple_alpha_star(0.05, 0.5, 8, value), "t")
    _assert_rejects(lambda: emergence_bound(0.05, 0.5, 8, t=value), "t")


@given(st.one_of(st.text(), st.none(), st.integers()))
def test_bad_form(value):
    assume(value not in ("kl", "paper"))
    for call in _call_all(form=value):
        _assert_rejects(call, "form")


def test_bad_probability_in_kl_and_entropy():
    for bad in (-0.1, 1.1, math.nan, "x", [0.5, 2.0]):
        _assert_rejects(lambda bad=bad: entropy(bad), "p")
        _assert_rejects(lambda bad=bad: kl(bad, 0.5), "q")
        _assert_rejects(lambda bad=bad: kl(0.5, bad), "p")


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="theta"):
        alpha_star(np.full(3, 0.05), np.full(4, 0.5), 8)
    with pytest.raises(ValueError, match="beta"):
        averaging_bound(np.full(3, 0.05), np.full(4, 0.5))
    with pytest.raises(ValueError, match=r"t \(4,\)"):
        tuple_alpha_star(np.full(3, 0.05), 0.5, 8, np.ones(4, dtype=int))
    with pytest.raises(TypeError, match="theta"):
        emergence_bound(np.array([0.05, 0.1]), 0.5, 8)


@given(
    st.floats(5e-324, 1.0, exclude_max=True),
    st.floats(5e-324, 1.0, exclude_max=True),
    st.integers(1, 10**6),
    forms,
)
def test_never_nan_on_valid_extremes(theta, beta, k, form):
    a = alpha_star(theta, beta, k, form=form)
    assert math.isfinite(a) and 0 < a <= 1
    assert a <= min(theta / beta, 1.0)
    r = emergence_bound(theta, beta, k, form=form)
    assert all(math.isfinite(x) for x in (r.value, r.averaging, r.slingshot_ratio))
