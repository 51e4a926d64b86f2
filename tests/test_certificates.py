"""Tests for skillgraph.theory.certificates (docs/theory/certificates.rst).

Reference values come from an independent mpmath implementation written here
from the formulas of docs/theory/certificates.rst, from reference values
computed independently when the certificates were specified, and from exact
tail probabilities (scipy.stats) and brute force on tiny graphs.
"""

from __future__ import annotations

import itertools
import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

from skillgraph.theory.certificates import (
    Certificate,
    certified_alpha,
    conditional_log_bounds,
    unconditional_log_bounds,
)

# ---------------------------------------------------------------------------
# independent mpmath implementation (docs/theory/certificates.rst, convention: the certificate
# is z / n_skills for the smallest z whose bound for sets of size z + 1 is
# <= log(delta_fail))
# ---------------------------------------------------------------------------


def mp_logC(n, r):
    return mp.loggamma(n + 1) - mp.loggamma(r + 1) - mp.loggamma(n - r + 1)


def mp_kl(q, p):
    out = mp.mpf(0)
    if q > 0:
        out += q * mp.log(q / p)
    if q < 1:
        out += (1 - q) * mp.log((1 - q) / (1 - p))
    return out


def mp_cert_a(degrees, n_texts, k, theta, beta, delta):
    m = int(round(theta * n_texts))
    d = sorted(int(x) for x in degrees if x > 0)
    n_pos = len(d)
    total = mp.mpf(k * n_texts)
    n = mp.mpf(k * m)
    log_y = mp_logC(n_texts, m)
    cum = 0
    for j in range(1, n_pos + 1):
        cum += d[j - 1]
        p = cum / total
        q = mp.mpf(beta) * cum / n
        if q >= 1:
            bound = -mp.inf
        elif q > p:
            bound = log_y + mp_logC(n_pos, j) - n * mp_kl(q, p)
        else:
            bound = mp.inf
        if bound <= mp.log(delta):
            return (j - 1) / len(degrees)
    return n_pos / len(degrees)


def mp_log_m(lam, a, b, p, beta):
    return a * mp.log(1 - p + p * mp.exp(lam * (1 - beta))) + b * mp.log(
        1 - p + p * mp.exp(-lam * beta)
    )


def mp_min_log_m(a, b, p, beta):
    # golden-section search on the convex function lam -> log M(lam) over [0, hi]
    hi = mp.mpf(1)
    while mp_log_m(2 * hi, a, b, p, beta) < mp_log_m(hi, a, b, p, beta):
        hi *= 2
    lo, hi = mp.mpf(0), 2 * hi
    g = (mp.sqrt(5) - 1) / 2
    for _ in range(120):
        c = hi - g * (hi - lo)
        d = lo + g * (hi - lo)
        if mp_log_m(c, a, b, p, beta) < mp_log_m(d, a, b, p, beta):
            hi = d
        else:
            lo = c
    return min(mp_log_m((lo + hi) / 2, a, b, p, beta), mp.mpf(0))


def mp_cert_b(n_skills, n_texts, k, theta, beta, delta):
    m = int(round(theta * n_texts))
    a, b = mp.mpf(k * m), mp.mpf(k * (n_texts - m))
    log_y = mp_logC(n_texts, m)
    for j in range(1, n_skills):
        p = mp.mpf(j) / n_skills
        bound = log_y + mp_logC(n_skills, j) + mp_min_log_m(a, b, p, beta)
        if bound <= mp.log(delta):
            return (j - 1) / n_skills
    # j = n_skills: all skills in Z; all bad iff m / n_texts >= beta
    if m / n_texts < beta:
        return (n_skills - 1) / n_skills
    return 1.0


def mp_alpha_star(theta, beta, k):
    theta, beta = mp.mpf(theta), mp.mpf(beta)

    def gap(alpha):
        h = -theta * mp.log(theta) - (1 - theta) * mp.log(1 - theta)
        return h - k * theta * mp_kl(beta * alpha / theta, alpha)

    return float(mp.findroot(gap, (mp.mpf("1e-6"), theta / beta), solver="anderson"))


# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_skills, n_texts, k, theta, beta, delta, seed",
    [
        (40, 2000, 4, 0.1, 0.5, 1e-6, 0),
        (60, 5000, 8, 0.05, 0.3, 1e-3, 1),
        (30, 300, 3, 0.2, 0.6, 1e-2, 2),
        (50, 10**6, 8, 0.1, 0.5, 1e-6, 3),
    ],
)
def test_matches_independent_mpmath(n_skills, n_texts, k, theta, beta, delta, seed):
    mp.mp.dps = 30
    rng = np.random.default_rng(seed)
    degrees = rng.multinomial(k * n_texts, np.full(n_skills, 1.0 / n_skills))
    want_a = mp_cert_a(degrees, n_texts, k, theta, beta, delta)
    want_b = mp_cert_b(n_skills, n_texts, k, theta, beta, delta)
    got = certified_alpha(n_skills, n_texts, k, theta, beta, delta_fail=delta, degrees=degrees)
    assert got.candidates["conditional"] == pytest.approx(want_a, abs=1e-12)
    assert got.candidates["unconditional"] == pytest.approx(want_b, abs=1e-12)
    assert got.alpha == min(want_a, want_b)
    assert got.log_fail_prob <= math.log(delta)
    assert isinstance(got, Certificate)


# Reference values computed independently when the certificates were specified:
# ~0.112, 0.090, 0.086, 0.084 (alpha_star = 0.0832).  Those
# values take the smallest z whose bound for |Z| = z is below delta; we
# certify "at most z" through |Z| = z + 1, which is 1 / n_skills smaller.
@pytest.mark.parametrize(
    "n_texts, reference", [(10**4, 0.112), (10**5, 0.090), (10**6, 0.086), (10**7, 0.084)]
)
def test_theory_reference_values(n_texts, reference):
    for seed in range(3):
        rng = np.random.default_rng(seed)
        degrees = rng.multinomial(8 * n_texts, np.full(1000, 1e-3))
        cert = certified_alpha(1000, n_texts, 8, 0.1, 0.5, degrees=degrees)
        a = cert.candidates["conditional"]
        assert reference - 0.0025 <= a <= reference + 1e-12
        assert cert.alpha == min(cert.candidates.values())


def test_decreases_toward_alpha_star():
    star = mp_alpha_star(0.1, 0.5, 8)
    assert star == pytest.approx(0.0832, abs=1e-4)
    rng = np.random.default_rng(7)
    alphas = []
    for n_texts in [10**4, 10**5, 10**6, 10**8, 10**10, 10**12]:
        degrees = rng.multinomial(8 * n_texts, np.full(1000, 1e-3))
        cert = certified_alpha(1000, n_texts, 8, 0.1, 0.5, degrees=degrees)
        assert np.isfinite(cert.log_fail_prob)
        alphas.append(cert.alpha)
    assert all(a >= b for a, b in zip(alphas[:-1], alphas[1:], strict=True))
    assert alphas[0] > alphas[-1] + 0.015
    # at 1e12 texts certificate A has converged to alpha_star (to the 1/n_skills grid)
    assert star - 1e-3 - 1e-12 <= alphas[-1] <= star + 1e-3


def test_no_overflow_at_1e12_texts():
    n_texts = 10**12
    degrees = np.full(1000, 8 * n_texts // 1000)
    for method in ("conditional", "unconditional", "best"):
        cert = certified_alpha(1000, n_texts, 8, 0.05, 0.3, degrees=degrees, method=method)
        assert 0 < cert.alpha < 0.05 / 0.3
        assert np.isfinite(cert.log_fail_prob) and cert.log_fail_prob <= math.log(1e-6)
    cert = certified_alpha(10**5, n_texts, 16, 0.01, 0.5)
    assert 0 < cert.alpha < 0.02 and np.isfinite(cert.log_fail_prob)


def test_unconditional_limit_differs_from_alpha_star():
    # B's large-deviation rate is not Theorem 1's: at small theta it pays for
    # the fluctuation of deg(Z) and stays above alpha_star; at larger theta it
    # gains from the finite-population effect that Theorem 1's binomial step
    # (and Hoeffding's comparison in A) ignores, and certifies below it.
    star = mp_alpha_star(0.1, 0.5, 8)
    assert certified_alpha(1000, 10**9, 8, 0.1, 0.5, method="unconditional").alpha > star + 0.005
    star = mp_alpha_star(0.3, 0.5, 8)
    assert star == pytest.approx(0.5086, abs=1e-4)
    assert certified_alpha(1000, 10**9, 8, 0.3, 0.5, method="unconditional").alpha < star - 0.02


# ---------------------------------------------------------------------------
# the probability inequalities the certificates rest on, on tiny cases
# ---------------------------------------------------------------------------


def test_binomial_and_hypergeometric_tails_under_chernoff():
    for n, p in itertools.product([5, 12, 40], [0.05, 0.2, 0.5]):
        for x in range(n + 1):
            q = x / n
            if q <= p:
                continue
            chernoff = math.exp(-n * float(mp_kl(mp.mpf(q), mp.mpf(p))))
            assert stats.binom.sf(x - 1, n, p) <= chernoff * (1 + 1e-9)
    # Hoeffding: hypergeometric (population N, K successes, n draws) has the same bound
    for total, good, draws in [(20, 4, 6), (50, 10, 20), (60, 30, 12), (30, 3, 29)]:
        p = good / total
        for x in range(draws + 1):
            q = x / draws
            if q <= p:
                continue
            chernoff = math.exp(-draws * float(mp_kl(mp.mpf(q), mp.mpf(p))))
            assert stats.hypergeom.sf(x - 1, total, good, draws) <= chernoff * (1 + 1e-9)


@pytest.mark.parametrize(
    "n_skills, n_texts, k, m, beta", [(4, 10, 2, 3, 0.5), (6, 12, 3, 2, 0.4), (5, 10, 3, 4, 0.5)]
)
def test_unconditional_bound_dominates_exact_probability(n_skills, n_texts, k, m, beta):
    # For each |Z| = j the bound minus the union terms must dominate the exact
    # P[(1 - beta) X - beta W >= 0], X ~ Bin(k m, p), W ~ Bin(k (n - m), p).
    log_y = float(mp_logC(n_texts, m))
    bounds = unconditional_log_bounds(n_skills, n_texts, k, m, beta, log_y)
    for j in range(1, n_skills):
        p = j / n_skills
        px = stats.binom.pmf(np.arange(k * m + 1), k * m, p)
        pw = stats.binom.pmf(np.arange(k * (n_texts - m) + 1), k * (n_texts - m), p)
        xs, ws = np.meshgrid(np.arange(k * m + 1), np.arange(k * (n_texts - m) + 1), indexing="ij")
        exact = float(np.sum(np.outer(px, pw)[(1 - beta) * xs - beta * ws >= -1e-12]))
        mgf = bounds[j - 1] - log_y - float(mp_logC(n_skills, j))
        assert math.log(exact) <= mgf + 1e-9


def test_conditional_bound_dominates_exact_hypergeometric():
    degrees = np.array([0, 3, 5, 2, 6, 4])  # 20 slots, e.g. 10 texts of degree 2
    n_slots, n_draws, beta = 20, 6, 0.5
    bounds = conditional_log_bounds(degrees, n_draws, n_slots, 0.0, beta)
    d = np.sort(degrees[degrees > 0])
    n_pos = d.size
    assert bounds.shape == (n_pos,)
    for j in range(1, n_pos + 1):
        for subset in itertools.combinations(range(n_pos), j):
            deg_z = int(d[list(subset)].sum())
            # P[X > beta deg(Z)] for X hypergeometric
            exact = stats.hypergeom.sf(math.floor(beta * deg_z), n_slots, deg_z, n_draws)
            per_set = bounds[j - 1] - float(mp_logC(n_pos, j))
            if exact > 0:
                assert math.log(exact) <= per_set + 1e-9


def _all_texts(n_skills, k):
    return list(itertools.product(range(n_skills), repeat=k))


def test_certificate_holds_by_brute_force_on_tiny_graphs():
    # P[max over Y of #bad > alpha n_skills] <= delta_fail, estimated over
    # 3000 random graphs with every Y enumerated.
    n_skills, n_texts, k, theta, beta, delta = 3, 10, 2, 0.2, 0.55, 0.3
    m = round(theta * n_texts)
    cert = certified_alpha(n_skills, n_texts, k, theta, beta, delta_fail=delta)
    limit = cert.alpha * n_skills
    assert limit < n_skills  # the check would be empty otherwise
    rng = np.random.default_rng(11)
    combos = itertools.combinations(range(n_texts), m)
    ys = np.array([np.isin(np.arange(n_texts), c) for c in combos])
    exceed = 0
    trials = 3000
    for _ in range(trials):
        g = rng.integers(0, n_skills, size=(n_texts, k))
        inc = np.zeros((n_texts, n_skills))
        np.add.at(inc, (np.repeat(np.arange(n_texts), k), g.ravel()), 1)
        deg = inc.sum(axis=0)
        failed = ys @ inc  # (n_Y, n_skills)
        bad = (failed > beta * deg) & (deg > 0)
        if bad.sum(axis=1).max() > limit:
            exceed += 1
    assert exceed / trials <= delta


# ---------------------------------------------------------------------------
# edge cases and bad input
# ---------------------------------------------------------------------------


def test_beta_not_above_theta_is_vacuous():
    cert = certified_alpha(100, 10**5, 8, 0.3, 0.2)
    assert cert.vacuous and cert.alpha == 1.0
    degrees = np.zeros(100, dtype=int)
    degrees[:50] = 8 * 10**5 // 50
    cert = certified_alpha(100, 10**5, 8, 0.3, 0.2, degrees=degrees, method="conditional")
    assert cert.vacuous and cert.alpha == 0.5  # degree-0 skills are never bad


def test_zero_size_failure_set():
    cert = certified_alpha(100, 10, 8, 0.01, 0.5)
    assert cert.n_failed == 0 and cert.alpha == 0.0 and cert.log_fail_prob == -math.inf


def test_result_object_fields():
    cert = certified_alpha(200, 10**5, 8, 0.05, 0.3, delta_fail=1e-3)
    assert cert.inputs == {
        "n_skills": 200,
        "n_texts": 10**5,
        "k": 8,
        "theta": 0.05,
        "beta": 0.3,
        "delta_fail": 1e-3,
        "degrees_given": False,
    }
    assert cert.method == "unconditional" and cert.n_failed == 5000
    assert cert.n_bad_max == round(cert.alpha * 200)
    assert "Certificate(alpha=" in repr(cert)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(n_skills=0), ValueError, "n_skills"),
        (dict(n_texts=-3), ValueError, "n_texts"),
        (dict(k=2.5), TypeError, "k"),
        (dict(theta=1.5), ValueError, "theta"),
        (dict(theta=0.0), ValueError, "theta"),
        (dict(beta=1.0), ValueError, "beta"),
        (dict(delta_fail=0.0), ValueError, "delta_fail"),
        (dict(method="exact"), ValueError, "method"),
        (dict(method="conditional"), ValueError, "degrees"),
        (dict(degrees=[1, 2, 3]), ValueError, "degrees"),
        (dict(degrees=np.full(10, 7)), ValueError, "sum"),
        (dict(degrees=np.r_[-1, np.full(9, 9)]), ValueError, "non-negative"),
        (dict(degrees=np.full(10, 8.5)), ValueError, "integer"),
    ],
)
def test_bad_input(kwargs, exc, words):
    args = dict(n_skills=10, n_texts=10, k=8, theta=0.1, beta=0.5)
    args.update(kwargs)
    with pytest.raises(exc, match=words):
        certified_alpha(**args)
