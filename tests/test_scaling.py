"""Tests for skillgraph.theory.scaling (docs/theory/loss_to_theta.rst).

Reference numbers are recomputed here by hand (plain arithmetic or mpmath from
the published constants, docs/theory/loss_to_theta.rst), never read back from
the code under test.
"""

from __future__ import annotations

import dataclasses
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph.theory.scaling import (
    CHINCHILLA,
    EPOCH,
    KAPLAN,
    LAWS,
    REFERENCE_MODEL,
    ScalingLaw,
    theta_from_excess,
)

N_REF, D_REF = 70e9, 1.4e12

# the published fits, verbatim (docs/theory/loss_to_theta.rst)
CHIN = {"E": 1.69, "A": 406.4, "B": 410.7, "a": 0.34, "b": 0.28}
EPO = {"E": 1.82, "A": 482.01, "B": 2085.43, "a": 0.3478, "b": 0.3658}
KAP = {"a_N": 0.076, "a_D": 0.095, "N_c": 8.8e13, "D_c": 5.4e13}


def mp_excess(p, N, D):
    with mp.workdps(30):
        return p["A"] / mp.mpf(N) ** mp.mpf(p["a"]) + p["B"] / mp.mpf(D) ** mp.mpf(p["b"])


def mp_compute_optimal(p, C):
    """The closed form of docs/theory/loss_to_theta.rst, evaluated in mpmath."""
    with mp.workdps(30):
        a, b, A, B = (mp.mpf(p[x]) for x in ("a", "b", "A", "B"))
        G = (a * A / (b * B)) ** (1 / (a + b))
        c6 = mp.mpf(C) / 6
        return G * c6 ** (b / (a + b)), c6 ** (a / (a + b)) / G


# --------------------------------------------------------------------------- constants


def test_constants_match_theory():
    assert (CHINCHILLA.E, CHINCHILLA.A, CHINCHILLA.B) == (1.69, 406.4, 410.7)
    assert (CHINCHILLA.a_exp, CHINCHILLA.b_exp) == (0.34, 0.28)
    assert (EPOCH.E, EPOCH.A, EPOCH.B, EPOCH.a_exp, EPOCH.b_exp) == (
        1.82, 482.01, 2085.43, 0.3478, 0.3658,
    )  # fmt: skip
    assert (KAPLAN.a_n, KAPLAN.a_d, KAPLAN.n_c, KAPLAN.d_c) == (0.076, 0.095, 8.8e13, 5.4e13)
    assert KAPLAN.irreducible == 0.0
    for law in (CHINCHILLA, EPOCH, KAPLAN):
        assert LAWS[law.name] is law
        assert "20" in law.source  # a year: each law cites its source
        assert not hasattr(law, "alpha") and not hasattr(law, "beta")
    assert REFERENCE_MODEL == (N_REF, D_REF)


def test_law_is_frozen_and_validated():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CHINCHILLA.E = 0.0
    with pytest.raises(ValueError, match="form"):
        ScalingLaw(name="x", source="y", form="power")
    with pytest.raises(ValueError, match="A"):
        ScalingLaw(name="x", source="y", form="chinchilla", E=1.0, B=1.0, a_exp=0.3, b_exp=0.3)
    with pytest.raises(ValueError, match="a_exp"):
        ScalingLaw.chinchilla_form("x", "y", E=1.0, A=1.0, B=1.0, a_exp=-0.3, b_exp=0.3)
    with pytest.raises(ValueError, match="E"):
        ScalingLaw.chinchilla_form("x", "y", E=math.nan, A=1.0, B=1.0, a_exp=0.3, b_exp=0.3)
    with pytest.raises(ValueError, match="n_c"):
        ScalingLaw(name="x", source="y", form="kaplan", E=1.0, d_c=1.0, a_n=0.1, a_d=0.1)
    with pytest.raises(ValueError, match="E"):
        ScalingLaw(name="x", source="y", form="kaplan", E=1.0, n_c=1, d_c=1.0, a_n=0.1, a_d=0.1)
    with pytest.raises(TypeError, match="d_c"):
        ScalingLaw.kaplan_form("x", "y", n_c=1.0, d_c="1", a_n=0.1, a_d=0.1)


# --------------------------------------------------------------------------- arithmetic


def test_chinchilla_excess_at_reference_and_ten_times():
    by_hand = 406.4 / N_REF**0.34 + 410.7 / D_REF**0.28
    delta = CHINCHILLA.excess(N_REF, D_REF)
    assert delta == pytest.approx(by_hand, rel=1e-14)
    assert delta == pytest.approx(float(mp_excess(CHIN, N_REF, D_REF)), rel=1e-13)
    assert round(delta, 3) == 0.247  # docs/theory/loss_to_theta.rst: "about 0.2466"
    delta10 = CHINCHILLA.excess(10 * N_REF, 10 * D_REF)
    assert round(delta10, 3) == 0.124  # "about 0.124"
    assert round(delta / delta10, 1) == 2.0  # "a factor of about 2"
    assert CHINCHILLA.loss(N_REF, D_REF) == pytest.approx(1.69 + by_hand, rel=1e-14)


def test_ten_times_divides_each_term():
    assert round(10**0.34, 2) == 2.19 and round(10**0.28, 2) == 1.91  # loss_to_theta.rst
    n_term = 406.4 / N_REF**0.34
    d_term = 410.7 / D_REF**0.28
    # Scaling N alone removes (1 - 10^-0.34) of the N term; D alone, of the D term.
    drop_n = CHINCHILLA.excess(N_REF, D_REF) - CHINCHILLA.excess(10 * N_REF, D_REF)
    drop_d = CHINCHILLA.excess(N_REF, D_REF) - CHINCHILLA.excess(N_REF, 10 * D_REF)
    assert n_term / (n_term - drop_n) == pytest.approx(10**0.34, rel=1e-10)
    assert d_term / (d_term - drop_d) == pytest.approx(10**0.28, rel=1e-10)


def test_epoch_and_kaplan_by_hand():
    N = np.array([1e8, 1e10, 1e12])
    D = np.array([1e10, 1e12, 1e13])
    epoch = 1.82 + 482.01 / N**0.3478 + 2085.43 / D**0.3658
    np.testing.assert_allclose(EPOCH.loss(N, D), epoch, rtol=1e-14)
    kaplan = ((8.8e13 / N) ** (0.076 / 0.095) + 5.4e13 / D) ** 0.095
    np.testing.assert_allclose(KAPLAN.loss(N, D), kaplan, rtol=1e-14)
    np.testing.assert_array_equal(KAPLAN.excess(N, D), KAPLAN.loss(N, D))
    np.testing.assert_allclose(EPOCH.loss(N, D) - EPOCH.excess(N, D), 1.82, rtol=1e-12)


@pytest.mark.parametrize("law", [CHINCHILLA, EPOCH, KAPLAN], ids=lambda law: law.name)
def test_vectorised_equals_scalar_loop(law):
    N = np.geomspace(1e7, 1e13, 4).reshape(4, 1)
    D = np.geomspace(1e9, 1e15, 3).reshape(1, 3)
    loss = law.loss(N, D)
    theta = law.theta(N, D)
    assert loss.shape == (4, 3) and theta.shape == (4, 3)
    for i, j in np.ndindex(loss.shape):
        # numpy's array and scalar pow may differ in the last bit
        assert loss[i, j] == pytest.approx(law.loss(float(N[i, 0]), float(D[0, j])), rel=1e-14)
        assert theta[i, j] == pytest.approx(law.theta(float(N[i, 0]), float(D[0, j])), rel=1e-14)
    assert type(law.loss(1e9, 1e11)) is float
    n_opt, d_opt = law.compute_optimal([1e20, 1e22])
    assert n_opt.shape == d_opt.shape == (2,)
    assert n_opt[1] == law.compute_optimal(1e22)[0]
    # monotone: more parameters or more data never hurts
    assert np.all(np.diff(loss, axis=0) < 0) and np.all(np.diff(loss, axis=1) < 0)


# --------------------------------------------------------------------------- compute-optimal


@pytest.mark.parametrize("C", [1e18, 1e20, 5.88e23, 1e26, 1e28])
@pytest.mark.parametrize("law", [CHINCHILLA, EPOCH, KAPLAN], ids=lambda law: law.name)
def test_compute_optimal_minimises_on_the_constraint(law, C):
    N, D = law.compute_optimal(C)
    assert 6 * N * D == pytest.approx(C, rel=1e-12)
    # brute force: the loss along 6 N D = C over 4 decades either side
    grid = N * np.geomspace(1e-4, 1e4, 40001)
    losses = law.loss(grid, C / (6 * grid))
    best = grid[np.argmin(losses)]
    step = grid[1] / grid[0]
    assert best / N == pytest.approx(1.0, abs=2 * (step - 1))
    assert law.loss(N, D) <= losses.min() + 1e-12


@pytest.mark.parametrize("C", [1e20, 1e24, 1e28])
def test_chinchilla_compute_optimal_closed_form(C):
    N, D = CHINCHILLA.compute_optimal(C)
    n_ref, d_ref = mp_compute_optimal(CHIN, C)
    assert N == pytest.approx(float(n_ref), rel=1e-12)
    assert D == pytest.approx(float(d_ref), rel=1e-12)


def test_kaplan_allocation_exponent():
    # Optimum of eq. 1.5 on 6ND = C: N ∝ C^(a_D / (a_N + a_D)).
    (n1, n2), _ = KAPLAN.compute_optimal([1e20, 1e24])
    assert math.log10(n2 / n1) / 4 == pytest.approx(0.095 / (0.076 + 0.095), rel=1e-10)


# --------------------------------------------------------------------------- delta -> theta


def test_anchored_gives_theta_ref_at_reference():
    assert CHINCHILLA.theta(N_REF, D_REF) == 0.05
    assert EPOCH.theta(N_REF, D_REF) == 0.05
    assert KAPLAN.theta(N_REF, D_REF, theta_ref=0.1) == 0.1
    assert CHINCHILLA.theta(1e9, 1e10, reference=(1e9, 1e10), theta_ref=0.3) == 0.3
    assert theta_from_excess(CHINCHILLA.excess(N_REF, D_REF)) == 0.05
    assert theta_from_excess(EPOCH.excess(N_REF, D_REF), law=EPOCH) == 0.05
    assert theta_from_excess(0.5, delta_ref=0.25, theta_ref=0.1) == pytest.approx(0.2)


# The anchored map (docs/theory/loss_to_theta.rst): compute-optimal Chinchilla
# models run from theta about 0.19 at
# 1e20 FLOPs to about 0.02 at 1e26 and about 0.01 at 1e28.
SPEC_THETA = {1e20: 0.19, 1e26: 0.02, 1e28: 0.01}


@pytest.mark.parametrize("C", sorted(SPEC_THETA))
def test_anchored_theta_along_compute_optimal_frontier(C):
    N, D = CHINCHILLA.compute_optimal(C)
    theta = CHINCHILLA.theta(N, D)
    n_ref, d_ref = mp_compute_optimal(CHIN, C)
    with mp.workdps(30):
        expected = 0.05 * mp_excess(CHIN, n_ref, d_ref) / mp_excess(CHIN, N_REF, D_REF)
    assert theta == pytest.approx(float(expected), rel=1e-10)
    # "about": the independent values are 0.1844, 0.0221, 0.0109
    assert abs(theta - SPEC_THETA[C]) < 0.01


def test_ten_times_halves_theta():
    # Corollary 2's premise: 10x N and D halve delta, hence theta (anchored).
    ratio = CHINCHILLA.theta(N_REF, D_REF) / CHINCHILLA.theta(10 * N_REF, 10 * D_REF)
    assert ratio == pytest.approx(0.24664547055871733 / 0.12378768457910755, rel=1e-9)


def test_linear_and_pinsker_maps():
    assert theta_from_excess(0.3, mapping="linear") == 0.3
    assert theta_from_excess(0.3, mapping="linear", c=2.0) == pytest.approx(0.6)
    assert theta_from_excess(0.8, mapping="linear", c=2.0) == 1.0  # clipped
    assert theta_from_excess(0.0, mapping="linear") == 0.0
    assert theta_from_excess(0.08, mapping="pinsker") == pytest.approx(0.4)
    assert theta_from_excess(0.04, mapping="pinsker", c=2.0) == pytest.approx(0.4)
    assert theta_from_excess(0.5, mapping="pinsker") == 1.0  # sqrt(1) = 1
    assert theta_from_excess(3.0, mapping="pinsker") == 1.0  # clipped
    delta = np.array([0.0, 0.01, 0.1, 0.4])
    np.testing.assert_allclose(theta_from_excess(delta, mapping="pinsker"),
                               np.minimum(np.sqrt(2 * delta), 1.0), rtol=1e-15)  # fmt: skip
    np.testing.assert_allclose(theta_from_excess(delta, mapping="anchored", delta_ref=0.2),
                               0.05 * delta / 0.2, rtol=1e-15)  # fmt: skip
    # via the law
    d = CHINCHILLA.excess(1e9, 2e10)
    assert CHINCHILLA.theta(1e9, 2e10, mapping="linear") == pytest.approx(min(d, 1.0))
    assert CHINCHILLA.theta(1e12, 2e13, mapping="pinsker") == pytest.approx(
        math.sqrt(2 * CHINCHILLA.excess(1e12, 2e13))
    )


@given(st.floats(0, 1e6), st.sampled_from(["anchored", "linear", "pinsker"]))
def test_theta_in_unit_interval(delta, mapping):
    theta = theta_from_excess(delta, mapping=mapping)
    assert 0.0 <= theta <= 1.0


@given(st.floats(1e3, 1e16), st.floats(1e3, 1e16))
def test_theta_monotone_in_size(N, D):
    assert CHINCHILLA.theta(2 * N, D) <= CHINCHILLA.theta(N, D)
    assert CHINCHILLA.theta(N, 2 * D) <= CHINCHILLA.theta(N, D)


# --------------------------------------------------------------------------- bad input

not_positive = st.one_of(
    st.floats(max_value=0.0),
    st.sampled_from([math.nan, math.inf, -math.inf, "1e9", None, True, 1j, [1e9, -1.0]]),
    st.just([[1e9, 1e9], [1e9]]),
)


def _rejects(call, name):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert name in str(info.value)


@given(not_positive)
def test_bad_sizes(value):
    for law in (CHINCHILLA, KAPLAN):
        _rejects(lambda law=law: law.loss(value, 1e12), "N")
        _rejects(lambda law=law: law.excess(1e9, value), "D")
        _rejects(lambda law=law: law.theta(value, 1e12), "N")
        _rejects(lambda law=law: law.compute_optimal(value), "C")


@given(st.one_of(st.floats(max_value=-1e-300), st.sampled_from([math.nan, math.inf, "x", None])))
def test_bad_delta(value):
    _rejects(lambda: theta_from_excess(value), "delta")


def test_bad_options():
    _rejects(lambda: theta_from_excess(0.1, mapping="log"), "mapping")
    _rejects(lambda: theta_from_excess(0.1, c=0.0, mapping="linear"), "c")
    _rejects(lambda: theta_from_excess(0.1, c=math.nan), "c")
    _rejects(lambda: theta_from_excess(0.1, theta_ref=0.0), "theta_ref")
    _rejects(lambda: theta_from_excess(0.1, theta_ref=1.5), "theta_ref")
    _rejects(lambda: theta_from_excess(0.1, delta_ref=-1.0), "delta_ref")
    _rejects(lambda: theta_from_excess(0.1, law="chinchilla"), "law")
    _rejects(lambda: CHINCHILLA.theta(1e9, 1e10, reference=(0.0, 1e10)), "reference")
    _rejects(lambda: CHINCHILLA.theta(1e9, 1e10, reference=1e9), "reference")
    _rejects(lambda: CHINCHILLA.loss(np.ones(3) * 1e9, np.ones(4) * 1e10), "N")
