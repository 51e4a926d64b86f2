"""The sharp tuple law: both sides against an independent plain-Python implementation."""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from skillgraph import sharp_tuple_bound
from skillgraph.theory.bounds import alpha_star
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_tuples import (
    dominance_from_survival,
    tuple_lower,
    tuple_upper,
    two_level_profile,
)

# --------------------------------------------------------------------------- reference
# Plain Python on a different path: G from the pmf by a loop over tau, alpha_sharp by
# bisection alone (the share is monotone, proven in the docs), the two-level mass by a
# scan of its own grid, and the dominance integral on a uniform grid of shares with
# rounding up AND down (a bracket), convolved on a lattice of its own.


def ref_g(a, theta, k):
    p = [math.comb(k, j) * a**j * (1 - a) ** (k - j) for j in range(k + 1)]
    return min(theta * tau + sum(p[j] * (j - tau) for j in range(tau + 1, k + 1))
               for tau in range(k + 1))  # fmt: skip


@functools.cache
def ref_alpha_sharp(theta, beta, k):
    if beta <= theta:
        return 1.0
    lo, hi = 0.0, theta / beta
    if ref_g(hi, theta, k) >= beta * k * hi:
        return hi
    for _ in range(45):
        mid = (lo + hi) / 2
        if mid == 0 or ref_g(mid, theta, k) >= beta * k * mid:
            lo = mid
        else:
            hi = mid
    return lo


def ref_lower(theta, beta, k, t):
    c = -math.log1p(-beta)
    if t * -math.log1p(-theta) >= c:
        return 1.0
    best = 0.0
    for i in range(1, t + 1):

        def bad(a, i=i):
            f_in = ref_g(a, theta, k) / (k * a)
            f_out = (theta - a * f_in) / (1 - a)
            h_in = math.inf if f_in >= 1 else -math.log1p(-f_in)
            return i * h_in - (t - i) * math.log1p(-max(f_out, 0.0)) >= c

        grid = [10 ** (-6 + 6 * j / 1500) * 0.999 for j in range(1501)]
        ok = [a for a in grid if bad(a)]
        if not ok:
            continue
        lo = max(ok)
        hi = min([a for a in grid if a > lo], default=lo)
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if bad(mid) else (lo, mid)
        best = max(best, sum(math.comb(t, j) * lo**j * (1 - lo) ** (t - j)
                             for j in range(i, t + 1)))  # fmt: skip
    return best


def ref_dominance_bracket(theta, beta, k, t, n_f=240, lattice=3000):
    """[down, up] around P[sum h(F_j) > c], F with survival alpha_sharp(theta, ., k).

    F lives in [theta, 1]; its law on (theta, beta] is cut into n_f uniform cells,
    each cell's mass put at its right end (up) or left end (down), and h rounded up
    (down) to a lattice of step c / lattice.
    """
    c = -math.log1p(-beta)
    xs = [theta + (beta - theta) * i / n_f for i in range(n_f + 1)]
    surv = [1.0] + [ref_alpha_sharp(theta, x, k) for x in xs[1:]]
    tail = surv[-1]  # share above beta: bad on its own
    up = np.zeros(lattice + 1)
    dn = np.zeros(lattice + 1)
    for i in range(1, n_f + 1):
        m = surv[i - 1] - surv[i]
        up[min(lattice, math.ceil(-math.log1p(-xs[i]) / c * lattice - 1e-9))] += m
        dn[math.floor(-math.log1p(-xs[i - 1]) / c * lattice + 1e-9)] += m
    out = []
    for p in (dn, up):
        good = p.copy()
        for _ in range(t - 1):
            good = np.convolve(good, p)[: lattice + 1]
        # up: a bad tuple has its sum of ceilings > lattice; down: a sum of floors > lattice
        # makes a tuple bad (the share above beta is in neither array: bad in both)
        out.append(1.0 - good.sum() if t > 1 else tail)
    return out[0], out[1]


# Section 12's table (beta 0.5, k 8): the spec's lower and upper sides
TABLE = [
    (0.05, 2, 0.0290, 0.0332),
    (0.05, 4, 0.0639, 0.1233),
    (0.02, 4, 0.0217, 0.0256),
    (0.02, 8, 0.0468, 0.0807),
    (0.01, 8, 0.0211, 0.0264),
]


@pytest.mark.parametrize("theta, t, lower, upper", TABLE)
def test_table_reproduced_and_matched_by_reference(theta, t, lower, upper):
    r = sharp_tuple_bound(theta, 0.5, 8, t)
    ref = ref_lower(theta, 0.5, 8, t)
    assert r.lower == pytest.approx(ref, rel=2e-4)
    # the spec's two-level values were found by a coarser search: ours is at least as high
    assert r.lower >= lower - 5e-5
    down, up = ref_dominance_bracket(theta, 0.5, 8, t)
    assert down <= r.dominance <= up + 2e-4  # rigorous direction: never below the exact integral
    # the spec's upper came from a coarser rounding-up grid: ours is at least as tight
    assert r.upper <= upper + 5e-5
    assert r.lower <= r.upper
    assert r.paper == pytest.approx(float(alpha_star(t * theta, 0.5, 8)), rel=1e-12)


@pytest.mark.parametrize("theta, beta, k, t", [(0.1, 0.5, 8, 2), (0.03, 0.3, 4, 3),
                                               (0.05, 0.7, 16, 5)])  # fmt: skip
def test_points_off_the_table(theta, beta, k, t):
    r = sharp_tuple_bound(theta, beta, k, t)
    assert r.lower == pytest.approx(ref_lower(theta, beta, k, t), rel=2e-4)
    down, up = ref_dominance_bracket(theta, beta, k, t, n_f=120, lattice=2000)
    assert down <= r.dominance <= up + 5e-4


def test_two_level_profile_by_hand():
    a, theta, k = 0.03, 0.05, 8
    f_in, f_out = two_level_profile(a, theta, k)
    assert f_in == pytest.approx(ref_g(a, theta, k) / (k * a), rel=1e-12)
    assert a * f_in + (1 - a) * f_out == pytest.approx(theta, rel=1e-12)


@given(
    theta=st.floats(0.005, 0.3),
    beta=st.floats(0.1, 0.9),
    k=st.integers(1, 12),
)
@example(theta=0.1, beta=0.10000000000000002, k=1)  # the supremum sits above 1 - 1e-7
@settings(max_examples=25, deadline=None)
def test_t1_is_alpha_sharp(theta, beta, k):
    r = sharp_tuple_bound(theta, beta, k, 1)
    a = alpha_sharp(theta, beta, k)
    assert r.upper == a
    assert r.lower == pytest.approx(a, rel=1e-9, abs=1e-12)


@given(
    theta=st.floats(0.005, 0.2),
    dtheta=st.floats(0.001, 0.05),
    beta=st.floats(0.2, 0.8),
    k=st.sampled_from([2, 4, 8]),
    t=st.integers(1, 6),
)
@settings(max_examples=20, deadline=None)
def test_ordered_and_monotone(theta, dtheta, beta, k, t):
    r = sharp_tuple_bound([theta, theta + dtheta, theta], beta, k, [t, t, t + 1], grid=256)
    low, up = r.lower, r.upper
    assert np.all(low <= up + 1e-12)
    tol = 1e-9
    assert up[1] >= up[0] - tol and up[2] >= up[0] - tol
    assert low[2] >= low[0] - tol  # in t: the same construction keeps its bad tuples
    # in theta the two-level value is monotone wherever we have looked; the theory only
    # guarantees the true worst case is (more failures never help a skill)
    assert low[1] >= low[0] - 1e-6


def test_spread_and_vacuous():
    # (1 - theta)^t <= 1 - beta: random failures make every tuple bad
    r = sharp_tuple_bound(0.2, 0.5, 8, 4)
    assert r.lower == 1.0 and r.lower_construction == "spread" and r.vacuous
    assert r.upper == pytest.approx(1.0)


def test_dominance_from_survival_by_enumeration():
    # 3-point lattice law, t = 2: enumerate the pairs by hand
    surv = np.array([1.0, 0.5, 0.2, 0.05])  # L = 3
    p = [0.0, 0.5, 0.3, 0.15]  # mass at index 0..3, 0.05 above beta
    bad = 1 - sum(p[i] * p[j] for i in range(4) for j in range(4) if i + j <= 3)
    assert dominance_from_survival(surv, 2) == pytest.approx(bad, abs=2e-13)
    assert dominance_from_survival(surv, 1) == 0.05


def test_vectorised_equals_scalar():
    th = np.array([[0.02], [0.05]])
    t = np.array([1, 2, 3])
    r = sharp_tuple_bound(th, 0.5, 8, t, grid=128)
    assert r.lower.shape == (2, 3)
    one = sharp_tuple_bound(0.05, 0.5, 8, 3, grid=128)
    assert r.lower[1, 2] == one.lower and r.upper[1, 2] == one.upper
    low, _, _, _ = tuple_lower(0.05, 0.5, 8, 3)
    up, dom = tuple_upper(0.05, 0.5, 8, 3, grid=128)
    assert float(low) == one.lower and float(up) == one.upper and float(dom) == one.dominance


def test_without_replacement_tends_to_with():
    a = sharp_tuple_bound(0.05, 0.5, 8, 2, grid=256)
    b = sharp_tuple_bound(0.05, 0.5, 8, 2, replace=False, n_skills=100_000, grid=256)
    assert b.lower == pytest.approx(a.lower, rel=2e-3)
    assert b.upper == pytest.approx(a.upper, rel=2e-3)


def test_result_object():
    r = sharp_tuple_bound(0.05, 0.5, 8, 4)
    d = json.loads(json.dumps(r.as_dict()))
    assert d["t"] == 4 and d["lower_construction"] == "two-level"
    assert d["ratio"] == pytest.approx(r.upper / r.lower)
    assert d["looseness"] == pytest.approx(r.paper / r.upper)
    assert "lower=0.06559 (two-level)" in repr(r)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(t=0), ValueError, "t must be"),
        (dict(theta=1.0), ValueError, "theta must be"),
        (dict(k=2.5), (TypeError, ValueError), "k must be"),
        (dict(grid=1), ValueError, "grid must be"),
        (dict(replace=False), TypeError, "n_skills"),
        (dict(n_skills=10), TypeError, "n_skills"),
    ],
)
def test_bad_input(kwargs, exc, words):
    args = dict(theta=0.05, beta=0.5, k=8, t=2) | kwargs
    with pytest.raises(exc, match=words):
        sharp_tuple_bound(**args)
