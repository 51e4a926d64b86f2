"""Tests for skillgraph.theory.sharp (docs/theory/sharp.rst).

Reference values come from independent computations written here: the
top-theta share summed term by term in mpmath and by sorting simulated
binomial samples, alpha_sharp by an mpmath scan and bisection, certificate C
by an mpmath minimisation, exact probabilities by enumerating the slot-count
distribution, and worst cases by enumerating every failure set of tiny graphs.
"""

from __future__ import annotations

import itertools
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph.audit.adversary import greedy
from skillgraph.audit.targeted import targeted
from skillgraph.core.sampling import sample_graph
from skillgraph.theory.bounds import alpha_star
from skillgraph.theory.certificates import Certificate
from skillgraph.theory.sharp import (
    SharpBound,
    alpha_sharp,
    certified_sharp,
    sharp_bound,
    sharp_log_bounds,
    top_share,
)
from tests.brute_force import slot_tail_probability

mp.mp.dps = 25

# ---------------------------------------------------------------------------
# independent implementations
# ---------------------------------------------------------------------------


def mp_pmf(k, a, n=None):
    """Binomial(k, a) pmf, or hypergeometric (k draws, n skills, a * n marked)."""
    if n is None:
        a = mp.mpf(a)
        return [mp.binomial(k, j) * a**j * (1 - a) ** (k - j) for j in range(k + 1)]
    z = int(round(a * n))
    return [
        mp.mpf(math.comb(z, j) * math.comb(n - z, k - j)) / math.comb(n, k) for j in range(k + 1)
    ]


def mp_share(a, theta, k, n=None):
    """G_k(a, theta) / E X with G = min over integer tau of theta tau + E (X - tau)_+."""
    p = mp_pmf(k, a, n)
    mean = sum(j * pj for j, pj in enumerate(p))
    g = min(
        theta * tau + sum((j - tau) * p[j] for j in range(tau + 1, k + 1)) for tau in range(k + 1)
    )
    return g / mean


def mp_alpha_sharp(theta, beta, k):
    """sup {a : share(a) >= beta} by a scan of 400 points and 80 bisection steps."""
    if beta <= theta:
        return 1.0
    theta, beta = mp.mpf(theta), mp.mpf(beta)
    hi = theta / beta
    grid = [hi * i / 400 for i in range(1, 401)]
    ok = [mp_share(a, theta, k) >= beta for a in grid]
    last = max(i for i, v in enumerate(ok) if v)
    if last == len(grid) - 1:
        return float(hi)
    lo, up = grid[last], grid[last + 1]
    for _ in range(80):
        mid = (lo + up) / 2
        lo, up = (mid, up) if mp_share(mid, theta, k) >= beta else (lo, mid)
    return float(lo)


def mp_chernoff(n_skills, n_texts, k, m, beta, z):
    """log C(n, z) + min over tau in {0, 1/8, ..., k} and lam > 0, minimised in mpmath."""
    p = mp_pmf(k, mp.mpf(z) / n_skills)
    best = mp.mpf(0)
    for t8 in range(8 * k + 1):
        tau = mp.mpf(t8) / 8

        def phi(lam, tau=tau):
            mgf = sum(
                pj * mp.exp(lam * (max(j - tau, 0) - beta * j)) for j, pj in enumerate(p) if pj > 0
            )
            return lam * m * tau + n_texts * mp.log(mgf)

        # phi is convex: golden-section on [0, 50]
        lo, hi = mp.mpf(0), mp.mpf(50)
        g = (mp.sqrt(5) - 1) / 2
        for _ in range(60):
            a, b = hi - g * (hi - lo), lo + g * (hi - lo)
            if phi(a) < phi(b):
                hi = b
            else:
                lo = a
        best = min(best, phi((lo + hi) / 2))
    return float(mp.log(mp.binomial(n_skills, z)) + best)


# ---------------------------------------------------------------------------
# the top-theta share
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, theta, k",
    [
        (0.01, 0.1, 8),
        (0.0315, 0.1, 8),
        (0.2, 0.05, 8),
        (0.5, 0.3, 3),
        (0.9, 0.01, 16),
        (1.0, 0.1, 8),
    ],
)
def test_share_matches_mpmath(a, theta, k):
    assert top_share(a, theta, k) == pytest.approx(float(mp_share(a, theta, k)), rel=1e-12)


@pytest.mark.parametrize("a, theta, k", [(0.03, 0.1, 8), (0.1, 0.2, 8), (0.3, 0.05, 4)])
def test_share_matches_sorted_binomial_samples(a, theta, k):
    # Law of large numbers: the sum of the top theta N of N samples of X, over N,
    # tends to G; its standard error is below sqrt(E X^2 / N); tolerance 5 of them.
    n = 2_000_000
    x = np.sort(np.random.default_rng(3).binomial(k, a, size=n))[::-1]
    g_hat = x[: round(theta * n)].sum() / n
    g = top_share(a, theta, k) * k * a
    tol = 5 * math.sqrt((k * a * (1 - a) + (k * a) ** 2) / n)
    assert abs(g_hat - g) < tol


def test_share_limits():
    # share 1 while P[X >= 1] <= theta; theta at a = 1; always in [theta, 1]
    a0 = 1 - (1 - 0.1) ** (1 / 8)
    assert top_share(a0 * 0.999, 0.1, 8) == pytest.approx(1.0, abs=1e-14)
    assert top_share(1.0, 0.1, 8) == pytest.approx(0.1, rel=1e-13)
    s = top_share(np.linspace(0.001, 1, 500), 0.1, 8)
    assert np.all((s >= 0.1 - 1e-13) & (s <= 1.0))


@given(
    theta=st.floats(1e-4, 0.95), k=st.integers(1, 40), lo=st.floats(1e-4, 1.0),
    hi=st.floats(1e-4, 1.0),
)  # fmt: skip
def test_share_is_non_increasing(theta, k, lo, hi):
    # the thinning argument of the documentation: G / (k a) is non-increasing in a
    lo, hi = min(lo, hi), max(lo, hi)
    assert top_share(lo, theta, k) >= top_share(hi, theta, k) - 1e-12


def test_hypergeometric_share_matches_enumeration():
    n, k = 20, 4
    for z in (1, 3, 7, 20):
        expect = float(mp_share(z / n, mp.mpf("0.15"), k, n))
        assert top_share(z / n, 0.15, k, replace=False, n_skills=n) == pytest.approx(
            expect, rel=1e-12
        )


# ---------------------------------------------------------------------------
# alpha_sharp
# ---------------------------------------------------------------------------


def test_reference_value():
    # docs: alpha_sharp(0.1, 0.5, 8) = 0.0315 against alpha_star = 0.0832
    assert round(alpha_sharp(0.1, 0.5, 8), 4) == 0.0315
    r = sharp_bound(0.1, 0.5, 8)
    assert round(r.alpha_star, 4) == 0.0832 and r.looseness == pytest.approx(2.64, abs=0.01)


@pytest.mark.parametrize(
    "theta, beta, k",
    [(0.1, 0.5, 8), (0.05, 0.3, 8), (0.01, 0.5, 16), (0.2, 0.25, 4), (0.3, 0.9, 2), (1e-4, 0.5, 8)],
)
def test_alpha_sharp_matches_mpmath_scan(theta, beta, k):
    assert alpha_sharp(theta, beta, k) == pytest.approx(mp_alpha_sharp(theta, beta, k), rel=1e-9)


def test_closed_forms():
    # k = 1: X is Bernoulli(a), share = min(1, theta / a): alpha_sharp = theta / beta
    assert alpha_sharp(0.1, 0.4, 1) == pytest.approx(0.25, rel=1e-12)
    assert sharp_bound(0.1, 0.4, 1).vacuous
    # (theta / beta)^k >= theta: the condition holds at theta / beta
    assert alpha_sharp(0.5, 0.6, 2) == pytest.approx(0.5 / 0.6, rel=1e-15)
    # theta -> 0: only X in {0, 1} matters, alpha_sharp -> theta / (k beta)
    assert alpha_sharp(1e-9, 0.5, 8) == pytest.approx(1e-9 / 4, rel=1e-6)


@given(theta=st.floats(1e-5, 0.95), beta=st.floats(1e-3, 0.999), k=st.integers(1, 64))
def test_never_above_alpha_star(theta, beta, k):
    sharp = alpha_sharp(theta, beta, k)
    assert sharp <= alpha_star(theta, beta, k) * (1 + 1e-12)
    assert sharp <= alpha_star(theta, beta, k, form="paper") * (1 + 1e-12)
    assert sharp <= min(theta / beta, 1.0) * (1 + 1e-15)


@given(theta=st.floats(0.01, 0.99), frac=st.floats(0.01, 1.0), k=st.integers(1, 64))
def test_one_when_beta_not_above_theta(theta, frac, k):
    assert alpha_sharp(theta, theta * frac, k) == 1.0
    assert sharp_bound(theta, theta * frac, k).vacuous


def test_condition_set_is_an_interval_on_a_grid():
    rng = np.random.default_rng(5)
    for theta, beta, k in zip(10 ** rng.uniform(-4, -0.1, 40), rng.uniform(0.05, 0.95, 40),
                              rng.integers(1, 50, 40), strict=True):  # fmt: skip
        assert sharp_bound(float(theta), float(beta), int(k)).condition_is_interval


def test_vectorised_like_alpha_star():
    theta = np.array([[0.05], [0.1]])
    beta = np.array([0.2, 0.5, 0.04])
    out = alpha_sharp(theta, beta, 8)
    assert out.shape == (2, 3)
    for i, j in itertools.product(range(2), range(3)):
        assert out[i, j] == alpha_sharp(float(theta[i, 0]), float(beta[j]), 8)
    assert isinstance(alpha_sharp(0.1, 0.5, 8), float)
    assert isinstance(alpha_sharp([0.1], 0.5, 8), np.ndarray)
    mixed_k = alpha_sharp(0.1, 0.5, [2, 8, 60])
    assert mixed_k[1] == alpha_sharp(0.1, 0.5, 8)
    assert np.all(np.diff(mixed_k) < 0)  # more skills per text: fewer bad skills


def test_without_replacement():
    # brute force over integer z with the hypergeometric share
    n, k, theta, beta = 30, 4, 0.2, 0.5
    expect = max(z for z in range(1, n + 1) if mp_share(z / n, mp.mpf(theta), k, n) >= beta) / n
    assert alpha_sharp(theta, beta, k, replace=False, n_skills=n) == expect
    # many skills: distinct draws hardly differ from draws with replacement
    big = alpha_sharp(0.1, 0.5, 8, replace=False, n_skills=10**9)
    assert big == pytest.approx(alpha_sharp(0.1, 0.5, 8), abs=2e-9)
    assert alpha_sharp(0.1, 0.05, 8, replace=False, n_skills=50) == 1.0
    # theta n_skills < beta: even one skill needs more than the top theta share
    assert alpha_sharp(0.001, 0.5, 2, replace=False, n_skills=100) == 0.0
    assert not sharp_bound(0.001, 0.5, 2, replace=False, n_skills=100).vacuous


def test_result_object():
    r = sharp_bound(0.1, 0.5, 8)
    assert isinstance(r, SharpBound)
    assert r.value == alpha_sharp(0.1, 0.5, 8) and not r.vacuous and r.averaging == 0.2
    assert r.inputs == {"theta": 0.1, "beta": 0.5, "k": 8, "replace": True, "n_skills": None}
    assert "SharpBound(value=0.0315" in repr(r) and "looseness=2.639" in repr(r)
    assert r.as_dict()["alpha_star"] == r.alpha_star
    with pytest.raises(AttributeError):
        r.value = 0.5


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: alpha_sharp(0.0, 0.5, 8), ValueError, ["theta", "(0, 1)"]),
        (lambda: alpha_sharp(0.1, 1.5, 8), ValueError, ["beta", "1.5"]),
        (lambda: alpha_sharp(0.1, 0.5, 0), ValueError, ["k", ">= 1"]),
        (lambda: alpha_sharp(0.1, 0.5, 2.5), TypeError, ["k", "2.5"]),
        (lambda: alpha_sharp("x", 0.5, 8), TypeError, ["theta"]),
        (lambda: alpha_sharp(float("nan"), 0.5, 8), ValueError, ["theta", "NaN"]),
        (lambda: alpha_sharp([0.1, 0.2], [0.5, 0.6, 0.7], 8), ValueError, ["broadcast"]),
        (lambda: alpha_sharp(0.1, 0.5, 8, replace=False), TypeError, ["n_skills"]),
        (lambda: alpha_sharp(0.1, 0.5, 8, n_skills=100), TypeError, ["n_skills", "replace"]),
        (
            lambda: alpha_sharp(0.1, 0.5, 8, replace=False, n_skills=5),
            ValueError,
            ["k", "n_skills"],
        ),
        (lambda: alpha_sharp(0.1, 0.5, 8, replace="no"), TypeError, ["replace"]),
        (lambda: top_share(0.0, 0.1, 8), ValueError, ["a"]),
        (
            lambda: top_share(0.015, 0.1, 8, replace=False, n_skills=100),
            ValueError,
            ["a * n_skills"],
        ),
        (lambda: sharp_bound([0.1], 0.5, 8), TypeError, ["theta"]),
    ],
)
def test_bad_input(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value)


# ---------------------------------------------------------------------------
# certificate C
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n_skills, n_texts, z", [(1000, 10**4, 61), (50, 500, 7)])
def test_log_bound_matches_mpmath(n_skills, n_texts, z):
    k, theta, beta = 8, 0.1, 0.5
    m = round(theta * n_texts)
    ours = sharp_log_bounds(n_skills, n_texts, k, m, beta, [z])[0]
    ref = mp_chernoff(n_skills, n_texts, k, m, beta, z)
    # ours adds a safety slack and may stop short of the exact minimum: never below it
    assert ref <= ours <= ref + 1e-6 * abs(ref) + 1e-3


@pytest.mark.parametrize("n_texts, reference", [(10**4, 61), (10**5, 36), (10**6, 33), (10**7, 32)])
def test_reference_values(n_texts, reference):
    # docs: n_skills = 1000, k = 8, theta = 0.1, beta = 0.5, delta_fail = 1e-6: "about" these
    cert = certified_sharp(1000, n_texts, 8, 0.1, 0.5)
    assert abs(cert.n_bad_max - reference) <= 1
    assert cert.log_fail_prob <= math.log(1e-6)


def test_converges_to_alpha_sharp():
    limit = alpha_sharp(0.1, 0.5, 8) * 1000
    at_1e7 = certified_sharp(1000, 10**7, 8, 0.1, 0.5).n_bad_max
    assert abs(at_1e7 - limit) <= 0.1 * limit
    counts = [certified_sharp(1000, 10**e, 8, 0.1, 0.5).n_bad_max for e in range(4, 13)]
    assert counts[-1] == math.floor(limit)  # 31 at 1e12: the largest z below the limit
    assert all(c >= math.floor(limit) for c in counts)


@pytest.mark.parametrize(
    "n_texts, k, theta, beta", [(10, 2, 0.2, 0.5), (12, 3, 0.25, 0.6), (9, 2, 0.3, 0.7)]
)
def test_chernoff_step_dominates_exact_probability(n_texts, k, theta, beta):
    n_skills = 5
    m = round(theta * n_texts)
    bounds = sharp_log_bounds(n_skills, n_texts, k, m, beta, range(1, n_skills))
    for z in range(1, n_skills):
        exact = slot_tail_probability(n_texts, m, k, z / n_skills, beta)
        per_set = bounds[z - 1] - math.log(math.comb(n_skills, z))
        if exact > 0:
            assert math.log(exact) <= per_set + 1e-9


def test_certificate_holds_by_brute_force_on_tiny_graphs():
    # For every size z with a bound below 0: the frequency, over 2000 random
    # graphs with every Y enumerated, of "some Y leaves >= z skills bad" stays
    # below exp(bound) plus three binomial standard errors.
    n_skills, n_texts, k, theta, beta = 4, 16, 3, 0.25, 0.6
    m = round(theta * n_texts)
    bounds = sharp_log_bounds(n_skills, n_texts, k, m, beta, range(1, n_skills + 1))
    assert (bounds < 0).sum() >= 2  # the check would be empty otherwise
    ys = np.array(
        [np.isin(np.arange(n_texts), c) for c in itertools.combinations(range(n_texts), m)]
    )
    rng = np.random.default_rng(12)
    trials = 2000
    worst = np.empty(trials, dtype=int)
    for i in range(trials):
        g = rng.integers(0, n_skills, size=(n_texts, k))
        inc = np.zeros((n_texts, n_skills))
        np.add.at(inc, (np.repeat(np.arange(n_texts), k), g.ravel()), 1)
        deg = inc.sum(axis=0)
        bad = (ys @ inc > beta * deg) & (deg > 0)
        worst[i] = bad.sum(axis=1).max()
    for z in range(1, n_skills + 1):
        p = min(math.exp(bounds[z - 1]), 1.0)
        freq = np.mean(worst >= z)
        assert freq <= p + 3 * math.sqrt(max(p * (1 - p), 1e-4) / trials)
    cert = certified_sharp(n_skills, n_texts, k, theta, beta, delta_fail=0.3)
    assert np.mean(worst > cert.n_bad_max) <= 0.3


def test_no_adversary_beats_it_on_sampled_graphs():
    for n_skills, n_texts, seed in [(200, 20_000, 1), (100, 100_000, 2)]:
        g = sample_graph(n_skills, n_texts, 8, seed=seed)
        cert = certified_sharp(n_skills, n_texts, 8, 0.1, 0.5)
        assert targeted(g, 0.1, 0.5, seed=seed).n_bad <= cert.n_bad_max


@pytest.mark.slow
def test_greedy_does_not_beat_it_either():
    for n_skills, n_texts, seed in [(200, 20_000, 1), (1000, 10**5, 2)]:
        g = sample_graph(n_skills, n_texts, 8, seed=seed)
        cert = certified_sharp(n_skills, n_texts, 8, 0.1, 0.5)
        assert greedy(g, 0.1, 0.5, seed=seed).n_bad <= cert.n_bad_max


def test_certificate_edge_cases():
    assert certified_sharp(100, 10**5, 8, 0.3, 0.2).vacuous  # m / n_texts >= beta
    zero = certified_sharp(100, 4, 8, 0.1, 0.5)  # m = round(0.4) = 0
    assert zero.n_bad_max == 0 and zero.log_fail_prob == -math.inf and not zero.vacuous
    weights = np.arange(1, 101, dtype=float)
    skewed = certified_sharp(100, 10**5, 8, 0.1, 0.5, skill_measure=weights)
    assert skewed.vacuous and skewed.candidates == {"sharp": None}
    assert certified_sharp(100, 10**5, 8, 0.1, 0.5, skill_measure="zipf").vacuous
    uniform = certified_sharp(100, 10**5, 8, 0.1, 0.5, skill_measure=np.ones(100))
    assert uniform == certified_sharp(100, 10**5, 8, 0.1, 0.5)
    distinct = certified_sharp(1000, 10**6, 8, 0.1, 0.5, replace=False)
    assert abs(distinct.n_bad_max - 33) <= 1


def test_certificate_object():
    cert = certified_sharp(1000, 10**6, 8, 0.1, 0.5)
    assert isinstance(cert, Certificate) and cert.method == "sharp"
    assert cert.alpha == cert.n_bad_max / 1000 and cert.n_failed == 10**5
    assert cert.candidates == {"sharp": cert.alpha} and not cert.degrees_given
    assert "method='sharp'" in repr(cert)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"n_skills": 0}, ValueError, ["n_skills", ">= 1"]),
        ({"n_texts": 1.5}, TypeError, ["n_texts"]),
        ({"theta": 1.0}, ValueError, ["theta"]),
        ({"beta": -0.1}, ValueError, ["beta"]),
        ({"delta_fail": 0.0}, ValueError, ["delta_fail"]),
        ({"replace": 1}, TypeError, ["replace"]),
        ({"replace": False, "k": 2000}, ValueError, ["k", "n_skills"]),
        ({"skill_measure": "power"}, ValueError, ["skill_measure"]),
        ({"skill_measure": np.ones(3)}, ValueError, ["skill_measure", "1000"]),
    ],
)
def test_certificate_bad_input(kwargs, exc, words):
    args = {"n_skills": 1000, "n_texts": 10**5, "k": 8, "theta": 0.1, "beta": 0.5} | kwargs
    with pytest.raises(exc) as info:
        certified_sharp(**args)
    for w in words:
        assert w in str(info.value)


# ---------------------------------------------------------------------------
# where the sharp law is used: emerge rows and sweep measurements
# ---------------------------------------------------------------------------


def test_emerge_draws_the_sharp_curve_for_single_skills():
    import skillgraph as sg

    result = sg.emerge(sim_points=0, tuples=(1, 2), betas=(0.3, 0.5), bound_points=21)
    sharp = [r for r in result.rows if r["source"] == "sharp"]
    assert len(sharp) == 2 * 21 and {r["t"] for r in sharp} == {1}
    for r in sharp:
        assert r["quantity"] == "tuple_fraction"
        expect = 1.0 - alpha_sharp(r["theta"], r["beta"], r["k"]) if 0 < r["theta"] < 1 else None
        if expect is not None:
            assert r["value"] == pytest.approx(expect, rel=1e-12)
        # the sharp worst case leaves at least the paper's guarantee competent
        bound = next(b for b in result.rows if b["source"] == "bound" and b["t"] == 1
                     and b["beta"] == r["beta"] and b["compute"] == r["compute"])  # fmt: skip
        assert r["value"] >= bound["value"] - 1e-12
    assert all(d["source"] != "sharp" for d in result.doubling)


def test_sweep_measurements(tmp_path):
    from skillgraph.sweep.runner import run_sweep
    from skillgraph.sweep.spec import parse_spec
    from skillgraph.tables import read_table

    spec = parse_spec(
        'name = "sharp_test"\nseed = 3\nreplicates = 1\n'
        'measures = ["sharp", "sharp_certificate", "targeted"]\n'
        '[grid]\nn_skills = 50\nn_texts = 20000\nk = [4, 8]\nfailure = "random"\n'
        "theta = 0.1\nbeta = [0.3, 0.5]\n[options]\ndelta_fail = 1e-6\n"
    )
    run_sweep(spec, tmp_path / "out", progress=False)
    rows = read_table(tmp_path / "out" / "results.csv")
    for r in rows:
        if r["quantity"] == "failure_rate":
            continue
        k, beta = int(r["k"]), float(r["beta"])
        if r["quantity"] == "alpha_sharp":
            assert float(r["value"]) == alpha_sharp(0.1, beta, k)
        elif r["quantity"] == "alpha_star_over_sharp":
            assert float(r["value"]) == pytest.approx(
                alpha_star(0.1, beta, k) / alpha_sharp(0.1, beta, k), rel=1e-12
            )
        elif r["quantity"] == "certified_alpha":
            assert r["method"] == "sharp"
            assert float(r["value"]) == certified_sharp(50, 20000, k, 0.1, beta).alpha
    adversaries = [r for r in rows if r["quantity"] == "adversary_bad_fraction"]
    assert len(adversaries) == 4 and {r["method"] for r in adversaries} == {"targeted"}
    certified = {(r["k"], r["beta"]): int(r["n_bad"]) for r in rows
                 if r["quantity"] == "certified_alpha"}  # fmt: skip
    assert all(int(r["n_bad"]) <= certified[(r["k"], r["beta"])] for r in adversaries)
