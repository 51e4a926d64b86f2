"""The finite-size tuple certificate and certificate C for any skill measure."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from skillgraph import certified_sharp_mass, sample_graph, tuple_certificate
from skillgraph.audit.tuple_adversary import tuple_adversary
from skillgraph.core.competence import tuple_bad_fraction
from skillgraph.core.failures import random_failures
from skillgraph.theory.sharp import alpha_sharp, certified_sharp, chernoff_log_bounds
from skillgraph.theory.sharp_tuples import dominance_from_survival, lattice_thresholds
from tests.brute_force import slot_tail_probability

# --------------------------------------------------------------------------- brute force


def all_failure_sets(n_texts, m):
    return np.array(
        [np.isin(np.arange(n_texts), c) for c in itertools.combinations(range(n_texts), m)]
    )


def random_incidence(rng, n_skills, n_texts, k, weights=None):
    g = rng.choice(n_skills, size=(n_texts, k), p=weights)
    inc = np.zeros((n_texts, n_skills))
    np.add.at(inc, (np.repeat(np.arange(n_texts), k), g.ravel()), 1)
    return inc


def worst_pair_fraction(inc, ys, beta):
    """max over Y of the bad mass of ordered pairs (uniform mu1), by enumeration."""
    deg = inc.sum(axis=0)
    share = np.where(deg > 0, (ys @ inc) / np.maximum(deg, 1), np.nan)  # (Y, skills)
    comp = 1.0 - share
    prod = comp[:, :, None] * comp[:, None, :]
    bad = np.nan_to_num(prod, nan=1.0) < 1.0 - beta  # undefined pairs are never bad
    return bad.mean(axis=(1, 2)).max(), share


def test_tiny_graphs_never_beat_it_beyond_delta():
    # Every failure set of every one of 1500 random graphs, exact tensor pair fractions.
    n_skills, n_texts, k, theta, beta, t, grid, delta = 4, 16, 3, 0.25, 0.6, 2, 3, 0.5
    cert = tuple_certificate(n_skills, n_texts, k, theta, beta, t, grid=grid, delta_fail=delta)
    assert cert.bound < 1.0  # the check would be empty otherwise
    x = cert.thresholds
    ys = all_failure_sets(n_texts, round(theta * n_texts))
    rng = np.random.default_rng(3)
    trials, beaten, counts_broken = 1500, 0, 0
    for _ in range(trials):
        worst, share = worst_pair_fraction(random_incidence(rng, n_skills, n_texts, k), ys, beta)
        beaten += worst > cert.bound + 1e-12
        # the certified counts hold jointly -> the bound must hold (pure combinatorics)
        above = (np.nan_to_num(share, nan=0.0)[:, :, None] > x[None, None, 1:]).mean(axis=1)
        holds = np.all(above <= cert.certified[None, 1:] + 1e-12, axis=1)
        counts_broken += not holds.all()
    assert beaten <= counts_broken  # a beaten bound needs a broken certificate C
    assert counts_broken / trials <= delta + 3 * math.sqrt(delta * (1 - delta) / trials)


def test_the_conversion_is_tight_for_the_extremal_profile():
    # Shares placed exactly on the lattice with the certified counts: the brute-force
    # bad fraction of ordered triples equals the convolution bound.
    beta, grid, n = 0.5, 6, 12
    x = lattice_thresholds(beta, grid)
    counts = np.array([12, 12, 9, 7, 4, 2, 1])  # skills with share > x_g, as a survival
    shares = np.concatenate([[x[g]] * (counts[g - 1] - counts[g]) for g in range(1, grid + 1)]
                            + [[0.9] * counts[-1]])  # fmt: skip
    assert shares.size == n
    comp = 1.0 - shares
    bad = sum(comp[a] * comp[b] * comp[c] < 1.0 - beta
              for a, b, c in itertools.product(range(n), repeat=3))  # fmt: skip
    bound = dominance_from_survival(counts / n, 3)
    assert bad / n**3 <= bound + 1e-12
    assert bad / n**3 == pytest.approx(bound, abs=2e-12)


def test_sampled_graphs_no_adversary_beats_it():
    for n_skills, n_texts, theta, t, seed in [(200, 20_000, 0.05, 2, 1), (100, 50_000, 0.02, 4, 2)]:
        g = sample_graph(n_skills, n_texts, 8, seed=seed)
        cert = tuple_certificate(n_skills, n_texts, 8, theta, 0.5, t, grid=12)
        adv = tuple_adversary(g, theta, 0.5, t, seed=seed)
        assert adv.bad_mass_high <= cert.bound
        rnd = tuple_bad_fraction(g, random_failures(g, theta, seed=seed), t, 0.5, seed=seed)
        assert rnd.value <= cert.bound


def test_converges_towards_the_limit():
    bounds = [tuple_certificate(1000, n, 8, 0.05, 0.5, 2, grid=16).bound
              for n in (10**5, 10**7)]  # fmt: skip
    limit = tuple_certificate(1000, 10**7, 8, 0.05, 0.5, 2, grid=16)
    assert bounds[0] > bounds[1] >= limit.limit_upper - 1e-3
    assert bounds[1] < 1.1 * limit.limit_upper and bounds[1] < limit.paper / 2


def test_certificate_object():
    c = tuple_certificate(1000, 10**6, 8, 0.05, 0.5, 2, grid=8)
    d = json.loads(json.dumps(c.as_dict()))
    assert d["t"] == 2 and d["measure"] == "uniform" and len(d["thresholds"]) == 9
    assert d["n_failed"] == 50_000 and d["n_certified"] == 8
    assert "TupleCertificate(bound=" in repr(c)
    zero = tuple_certificate(1000, 10, 8, 0.01, 0.5, 2, grid=4)  # m = 0: nothing can fail
    assert zero.bound == 0.0


@pytest.mark.parametrize(
    "kwargs, words",
    [(dict(t=0), "t must be"), (dict(grid=1), "grid must be"),
     (dict(delta_fail=0.0), "delta_fail"),
     (dict(skill_measure="zipf", replace=False), "replace=True")],
)  # fmt: skip
def test_bad_input(kwargs, words):
    args = dict(n_skills=100, n_texts=1000, k=8, theta=0.05, beta=0.5, t=2) | kwargs
    with pytest.raises((TypeError, ValueError), match=words):
        tuple_certificate(**args)


# --------------------------------------------------------------------------- any measure


@pytest.mark.parametrize("lo, hi", [(0.2, 0.3), (0.1, 0.45), (0.3, 0.31)])
def test_interval_bound_covers_every_mass_inside(lo, hi):
    # convexity of the moment generating function in the mass: both ends bound the inside
    n_texts, k, m, beta = 9, 2, 3, 0.6
    from scipy.stats import binom

    def lp(a):
        return binom.logpmf(np.arange(k + 1), k, a)[None, :]

    pair = chernoff_log_bounds(lp(lo), n_texts, m, beta, log_weights_high=lp(hi))[0]
    for a in np.linspace(lo, hi, 7):
        exact = slot_tail_probability(n_texts, m, k, a, beta)
        assert exact == 0 or math.log(exact) <= pair + 1e-9


def test_mass_certificate_on_tiny_graphs():
    # Zipf-like weights; every failure set enumerated on 1500 random graphs
    w = np.array([0.4, 0.3, 0.2, 0.1])
    n_skills, n_texts, k, theta, beta, delta = 4, 16, 3, 0.25, 0.6, 0.3
    cert = certified_sharp_mass(n_skills, n_texts, k, theta, beta, w, delta_fail=delta)
    assert cert.mass_max < 0.6  # not vacuous: at most one of the two heavy skills
    ys = all_failure_sets(n_texts, round(theta * n_texts))
    rng = np.random.default_rng(5)
    trials, beaten = 1500, 0
    for _ in range(trials):
        inc = random_incidence(rng, n_skills, n_texts, k, w)
        deg = inc.sum(axis=0)
        bad = (ys @ inc > beta * deg) & (deg > 0)
        beaten += (bad @ w).max() >= cert.mass_max
    assert beaten / trials <= delta + 3 * math.sqrt(delta * (1 - delta) / trials)


def test_mass_certificate_for_uniform_matches_certificate_c():
    for n_texts in (10**5,):
        c = certified_sharp(1000, n_texts, 8, 0.1, 0.5)
        m = certified_sharp_mass(1000, n_texts, 8, 0.1, 0.5, "uniform")
        # bad mass < mass_max means at most ceil(mass_max n) - 1 bad skills: never
        # better than certificate C, and within two cells of it
        assert math.ceil(m.mass_max * 1000 - 1e-9) - 1 >= c.n_bad_max
        assert m.mass_max <= (c.n_bad_max + 1) / 1000 * 1.01**2


def test_zipf_within_a_quarter_of_the_limit():
    c = certified_sharp_mass(1000, 10**7, 8, 0.1, 0.5, "zipf", zipf_exponent=1.0)
    limit = alpha_sharp(0.1, 0.5, 8)
    assert limit < c.mass_max <= 1.25 * limit
    assert not c.vacuous and c.log_fail_prob <= math.log(1e-6)
    assert json.loads(json.dumps(c.as_dict()))["uniform"] is False


def test_zipf_sampled_graph_adversary_stays_below():
    g = sample_graph(300, 30_000, 8, skill_measure="zipf", seed=4)
    c = certified_sharp_mass(300, 30_000, 8, 0.1, 0.5, "zipf")
    adv = tuple_adversary(g, 0.1, 0.5, 1, seed=4)
    assert adv.bad_mass_high < c.mass_max
    cert = tuple_certificate(300, 30_000, 8, 0.05, 0.5, 2, skill_measure="zipf", grid=8)
    assert cert.measure == "weights"
    assert tuple_adversary(g, 0.05, 0.5, 2, seed=4).bad_mass_high <= cert.bound


def test_measure_weights_are_the_samplers():
    from skillgraph.core.graph import skill_measure_array
    from skillgraph.theory.sharp_measure import measure_weights

    for measure in ("uniform", "zipf", [3.0, 1.0, 0.0, 2.0, 2.0]):
        np.testing.assert_allclose(
            measure_weights(5, measure, 1.3), skill_measure_array(5, measure, 1.3), rtol=1e-15
        )
    with pytest.raises(ValueError, match="skill_measure"):
        measure_weights(5, "pareto")


def test_mass_certificate_edge_cases_and_bad_input():
    none = certified_sharp_mass(100, 10, 8, 0.01, 0.5, "zipf")  # m = 0
    assert none.mass_max == 0.0 and not none.vacuous
    full = certified_sharp_mass(100, 1000, 8, 0.6, 0.5, "zipf")  # m >= beta n: nothing certified
    assert full.mass_max == 1.0 and full.vacuous
    for kwargs, words in [(dict(theta=0.0), "theta"), (dict(n_texts=0), "n_texts"),
                          (dict(skill_measure=[1.0, -1.0]), "skill_measure"),
                          (dict(delta_fail=1.5), "delta_fail")]:  # fmt: skip
        args = dict(n_skills=2, n_texts=100, k=2, theta=0.1, beta=0.5) | kwargs
        with pytest.raises((TypeError, ValueError), match=words):
            certified_sharp_mass(**args)
