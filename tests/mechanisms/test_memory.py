"""Associative memories: laws, Monte Carlo, coupling into the skill graph, pipeline, CLI.

Reference values come from independent computations: mpmath for the
constants, plain loops for the sums, a straightforward float64 implementation
of the memory (explicit ``d x d`` matrix ``W``) for the vectorised Monte
Carlo, and the binomial law of text failures for the structural coupling.
"""

from __future__ import annotations

import argparse
import json
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from skillgraph.mechanisms import memory as mem

N, M, A = 1000, 5, 2.0


# ---- analytic terms --------------------------------------------------------------------------


def _mp_constant(a: float) -> float:
    """``(1/a) zeta(a)^(-1/a) Gamma(1 - 1/a)`` in mpmath (50 digits)."""
    with mpmath.workdps(50):
        a = mpmath.mpf(a)
        return float(mpmath.zeta(a) ** (-1 / a) * mpmath.gamma(1 - 1 / a) / a)


def test_data_term_constant_at_a2_is_0691():
    # closed form at a = 2: (1/2) (6/pi^2)^(1/2) sqrt(pi) = sqrt(6/pi) / 2
    assert mem.data_term_constant(2.0) == pytest.approx(math.sqrt(6 / math.pi) / 2, rel=1e-12)
    assert round(mem.data_term_constant(2.0), 3) == 0.691


@pytest.mark.parametrize("a", [1.5, 2.0, 3.0, 4.5])
def test_data_term_constant_matches_mpmath(a):
    assert mem.data_term_constant(a) == pytest.approx(_mp_constant(a), rel=1e-12)


@pytest.mark.parametrize("a", [2.0, 3.0])
def test_exact_sum_within_one_percent_of_asymptotic_for_large_T(a):
    # N = 1e7 stands for N = inf: the missing tail is below 1e-4 of E_T here
    T = np.array([1e3, 1e4, 1e5, 1e6])
    exact = mem.data_term(T, n_inputs=10**7, zipf_exponent=a)
    reference = _mp_constant(a) * T ** -(1 - 1 / a)  # independent constant
    np.testing.assert_allclose(exact, reference, rtol=0.01)
    np.testing.assert_allclose(mem.data_term_asymptotic(T, a), reference, rtol=1e-12)


def test_data_term_matches_a_plain_loop():
    n, a = 40, 1.7
    w = [(x + 1) ** -a for x in range(n)]
    p = [v / sum(w) for v in w]
    for T in (1, 7, 250.5):
        loop = sum(px * (1 - px) ** T for px in p)
        assert mem.data_term(T, n_inputs=n, zipf_exponent=a) == pytest.approx(loop, rel=1e-12)


def test_capacity_and_analytic_terms_match_plain_loops():
    n, m, a, kappa = 50, 4, 2.0, 4
    w = [(x + 1) ** -a for x in range(n)]
    p = [v / sum(w) for v in w]
    for d in (4, 9, 40, 199, 1000):
        P = min(d // kappa, n)
        cap = (1 - 1 / m) * sum(p[P:])
        got = mem.capacity_term(d, n_inputs=n, n_labels=m, zipf_exponent=a, kappa=kappa)
        assert got == pytest.approx(cap, rel=1e-12, abs=1e-15)
        T = 30
        both = (1 - 1 / m) * (sum(p[P:]) + sum(px * (1 - px) ** T for px in p[:P]))
        got = mem.analytic_error(d, T, n_inputs=n, n_labels=m, zipf_exponent=a, kappa=kappa)
        assert got == pytest.approx(both, rel=1e-12)
    # an unbounded memory: no chance factor, the data term itself
    inf = mem.analytic_error(math.inf, 30, n_inputs=n, n_labels=m, zipf_exponent=a)
    assert inf == pytest.approx(sum(px * (1 - px) ** 30 for px in p), rel=1e-12)


def test_theory_slopes():
    assert mem.theory_slope("threshold", 2.0) == -1.0
    assert mem.theory_slope("frequency", 2.0, 1.0) == -0.25
    assert mem.theory_slope("frequency", 3.0, 0.5) == pytest.approx(-2 / 3)
    assert math.isnan(mem.theory_slope("all", 2.0))


@pytest.mark.parametrize("a", [1.35, 2.0, 3.0])
def test_compute_optimal_T_balances_the_marginal_terms(a):
    kappa = 8
    d = np.array([256.0, 4096.0])
    T = mem.compute_optimal_T(d, zipf_exponent=a, kappa=kappa).astype(float)
    # independent constants: A d^-(a-1) with A = c kappa^(a-1) / (a-1), B T^-(1-1/a)
    big_a = kappa ** (a - 1) / (float(mpmath.zeta(a)) * (a - 1))
    big_b = _mp_constant(a)
    alpha, beta = a - 1, 1 - 1 / a
    lhs = alpha * big_a * d**-alpha
    rhs = beta * big_b * T**-beta
    np.testing.assert_allclose(lhs, rhs, rtol=0.02)  # T is rounded up to an integer
    assert math.log(T[1] / T[0]) / math.log(16) == pytest.approx(a, rel=0.01)


def test_fit_slope_recovers_an_exact_power_law():
    d = np.array([16, 32, 64, 128, 256, 512, 1024], dtype=float)
    rng = np.random.default_rng(0)
    errors = 3.0 * d**-0.7 * rng.uniform(0.9, 1.1, size=(10, d.size))
    fit = mem.fit_slope(d, errors, window=(32, 512))
    assert fit.n_points == 5
    assert fit.ci_low < -0.7 < fit.ci_high
    exact = mem.fit_slope(d, 3.0 * d**-0.7, window=(32, 512))
    assert exact.slope == pytest.approx(-0.7, abs=1e-12)
    assert math.isnan(exact.stderr)
    with pytest.raises(ValueError, match="window"):
        mem.fit_slope(d, errors, window=(32, 64))


# ---- the Monte Carlo against an independent implementation ---------------------------------


def _reference_recalled(d_values, T, n, m, a, scheme, kappa, rho, seed, trial):
    """Recalled inputs of trial ``trial``, straight from the definition, in float64.

    The random numbers follow the documented protocol (trial ``i`` is child
    ``i`` of the seed; its grandchildren 0, 1, 2 draw the input embeddings,
    the output embeddings and the data), derived here with ``spawn``.  The
    memory ``W = sum_x q(x) e_x u_f(x)^T`` is formed explicitly.
    """
    x = np.arange(n)
    p = (x + 1.0) ** -a
    p /= p.sum()
    labels = x % m
    trial_seed = np.random.SeedSequence(seed).spawn(trial + 1)[trial]
    kids = trial_seed.spawn(3)
    d_max = int(max(d for d in d_values if math.isfinite(d)))
    zt = np.random.default_rng(kids[0]).standard_normal((d_max, n), dtype=np.float32)
    ug = np.random.default_rng(kids[1]).standard_normal((d_max, m), dtype=np.float32)
    freq, order = p, list(range(n))
    if T is not None:
        rng = np.random.default_rng(kids[2])
        counts = rng.multinomial(T, p)
        tie = rng.random(n)
        order = sorted((i for i in range(n) if counts[i] > 0), key=lambda i: (-counts[i], tie[i]))
        freq = counts / T
    out = []
    for d in d_values:
        if math.isinf(d):
            out.append(freq > 0)
            continue
        d = int(d)
        e = zt[:d].T.astype(np.float64) / math.sqrt(d)
        u = ug[:d].T.astype(np.float64)
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        q = np.zeros(n)
        if scheme == "threshold":
            q[order[: min(int(d // kappa), len(order))]] = 1.0
        elif scheme == "frequency":
            q = freq**rho
        else:
            q = (freq > 0).astype(float)
        w = np.zeros((d, d))
        for i in range(n):
            w += q[i] * np.outer(e[i], u[labels[i]])
        scores = e @ w @ u.T
        recalled = np.array(
            [scores[i, labels[i]] > np.delete(scores[i], labels[i]).max() for i in range(n)]
        )
        out.append(recalled)
    return np.array(out), p


@pytest.mark.parametrize("scheme", mem.SCHEMES)
@pytest.mark.parametrize("T", [None, 60])
def test_vectorised_prefix_monte_carlo_matches_the_definition(scheme, T):
    n, m, a, kappa, rho, seed = 60, 3, 1.5, 3.0, 0.7, 11
    d = [3, 8, 17, 33] + ([math.inf] if T else [])
    curve = mem.memory_error(d, T, n_inputs=n, n_labels=m, zipf_exponent=a, scheme=scheme,
                             kappa=kappa, rho=rho, trials=3, seed=seed)  # fmt: skip
    for trial in range(3):
        recalled, p = _reference_recalled(d, T, n, m, a, scheme, kappa, rho, seed, trial)
        np.testing.assert_allclose(curve.errors[trial], (~recalled) @ p, rtol=1e-9, atol=1e-12)
    recall = mem.memory_recall(d, T, n_inputs=n, n_labels=m, zipf_exponent=a, scheme=scheme,
                               kappa=kappa, rho=rho, seed=seed)  # fmt: skip
    reference, _ = _reference_recalled(d, T, n, m, a, scheme, kappa, rho, seed, 0)
    np.testing.assert_array_equal(recall.unrecalled, ~reference)


def test_a_memory_does_not_depend_on_the_other_sizes_asked_for():
    alone = mem.memory_error([64], trials=3, seed=5)
    together = mem.memory_error([256, 64, 32], trials=3, seed=5)
    # the same recalled sets (only the order of the final float64 sum may differ)
    np.testing.assert_allclose(alone.errors[:, 0], together.errors[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(
        mem.memory_recall([64], seed=5).unrecalled[0],
        mem.memory_recall([256, 64, 32], seed=5).unrecalled[1],
    )
    again = mem.memory_error([256, 64, 32], trials=3, seed=np.random.SeedSequence(5))
    np.testing.assert_array_equal(together.errors, again.errors)
    np.testing.assert_array_equal(together.d, [256, 64, 32])


# ---- the numbers of the issue -----------------------------------------------------------------

WINDOW_D = np.array([32, 45, 64, 91, 128, 181, 256, 362, 512])


def test_thresholding_slope_is_about_minus_one():
    curve = mem.memory_error(WINDOW_D, n_inputs=N, n_labels=M, zipf_exponent=A, kappa=8,
                             trials=20, seed=2023)  # fmt: skip
    fit = curve.fit_slope((32, 512))
    assert -1.15 <= fit.slope <= -0.85, fit
    # and it is the capacity term: within 5% at every d (kappa = 8 recalls what it stores)
    np.testing.assert_allclose(curve.error, mem.capacity_term(WINDOW_D), rtol=0.05)


def test_frequency_scheme_slope_is_about_minus_a_quarter():
    curve = mem.memory_error(WINDOW_D, scheme="frequency", n_inputs=N, n_labels=M,
                             zipf_exponent=A, trials=20, seed=2023)  # fmt: skip
    fit = curve.fit_slope((32, 512))
    assert -0.35 <= fit.slope <= -0.18, fit


def test_threshold_below_frequency_below_all_from_d_64():
    d = np.array([64, 128, 256, 512, 1024])
    errs = {s: mem.memory_error(d, scheme=s, trials=20, seed=7).error for s in mem.SCHEMES}
    assert np.all(errs["threshold"] < errs["frequency"])
    assert np.all(errs["frequency"] < errs["all"])


JOINT_D = np.array([32, 64, 128, 256, 512, 1024])
JOINT_T = [100, 1000, 10_000, 100_000]


@pytest.fixture(scope="module")
def joint_grid():
    return {T: mem.memory_error(JOINT_D, T, trials=20, seed=31) for T in JOINT_T}


def test_error_non_increasing_in_d_within_two_sigma(joint_grid):
    for curve in joint_grid.values():
        diff = np.diff(curve.errors, axis=1)  # paired: the same draw at every d
        se = diff.std(axis=0, ddof=1) / math.sqrt(curve.trials)
        assert np.all(diff.mean(axis=0) <= 2 * se + 1e-12), (curve.T, diff.mean(axis=0), se)


def test_error_non_increasing_in_T_within_two_sigma(joint_grid):
    for small, large in zip(JOINT_T[:-1], JOINT_T[1:], strict=True):
        a, b = joint_grid[small], joint_grid[large]
        se = np.sqrt(a.sem**2 + b.sem**2)
        assert np.all(b.error - a.error <= 2 * se), (small, large)


def test_monte_carlo_within_25_percent_of_the_analytic_sum(joint_grid):
    for T, curve in joint_grid.items():
        big = JOINT_D >= 100
        ratio = curve.error[big] / mem.analytic_error(JOINT_D[big], T)
        assert np.all(np.abs(ratio - 1) <= 0.25), (T, ratio)


@pytest.mark.parametrize("T", [10, 300, 3000])
def test_unbounded_memory_error_is_the_data_term(T):
    curve = mem.memory_error([math.inf, 16], T, trials=200, seed=T)
    expected = mem.data_term(T, n_inputs=N, zipf_exponent=A)  # its exact expectation
    assert abs(curve.error[0] - expected) <= 3.5 * curve.sem[0], (curve.error[0], expected)


# ---- into the skill graph -----------------------------------------------------------------------


def test_memory_theta():
    assert mem.memory_theta(0.1, coupling="drop-in") == 0.1
    assert mem.memory_theta(0.1, k=3) == pytest.approx(1 - 0.9**3, rel=1e-14)
    np.testing.assert_allclose(mem.memory_theta(np.array([0.0, 1.0]), k=8), [0.0, 1.0])


def test_memory_failures_on_a_small_graph_match_a_loop():
    from skillgraph.core.graph import SkillGraph

    rng = np.random.default_rng(3)
    text_skills = rng.integers(0, 12, size=(40, 3))
    graph = SkillGraph.from_text_skills(text_skills, n_skills=12)
    unrecalled = np.zeros(12, dtype=bool)
    unrecalled[[1, 7]] = True
    failed = mem.memory_failures(graph, unrecalled)
    expected = [bool({1, 7} & set(row.tolist())) for row in text_skills]
    assert failed.tolist() == expected
    assert not failed.flags.writeable


@pytest.fixture(scope="module")
def memory_and_graph():
    from skillgraph.core.sampling import sample_graph

    recall = mem.memory_recall([128], 2000, seed=4)
    graph = sample_graph(N, 200_000, 8, skill_measure="zipf", zipf_exponent=A, seed=5)
    return recall, graph


def _within_binomial_ci(failures: int, n: int, theta: float, level: float = 0.999) -> bool:
    low, high = stats.binom.interval(level, n, theta)
    return low <= failures <= high


def test_structural_failure_rate_matches_the_closed_form(memory_and_graph):
    recall, graph = memory_and_graph
    np.testing.assert_allclose(graph.skill_measure, recall.skill_measure, rtol=1e-12)
    failed = mem.memory_failures(graph, recall.unrecalled[0])
    # given the memory, texts fail i.i.d. with probability 1 - (1 - E)^k, E = p(unrecalled)
    theta = mem.memory_theta(recall.error[0], k=8)
    assert 0.05 < theta < 0.95
    assert _within_binomial_ci(int(failed.sum()), graph.n_texts, theta)


def _numpy_loop_reference(unrecalled, n_texts, k, zipf_exponent, seed, chunk_size=2**18):
    """The streamed coupling as 0.2 computed it, with its own numpy loop (the reference).

    Inverse-CDF draws from one numpy generator; ``stream_memory_failures`` now
    runs on the package's streaming engine, whose counter-based draws are
    another random stream: the two agree in distribution, not draw by draw.
    """
    p = mem.zipf_probabilities(unrecalled.shape[0], zipf_exponent)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    n = p.shape[0]
    degrees = np.zeros(n, dtype=np.int64)
    failed_edges = np.zeros(n, dtype=np.int64)
    n_failed = 0
    for start in range(0, n_texts, chunk_size):
        m = min(chunk_size, n_texts - start)
        skills = np.minimum(np.searchsorted(cdf, rng.random(m * k), side="right"), n - 1)
        skills = skills.reshape(m, k)
        failed = unrecalled[skills].any(axis=1)
        degrees += np.bincount(skills.ravel(), minlength=n)
        failed_edges += np.bincount(skills[failed].ravel(), minlength=n)
        n_failed += int(failed.sum())
    return degrees, failed_edges, n_failed


def test_streamed_coupling_equals_the_materialised_graph_of_the_same_seed():
    from skillgraph.core.competence import failed_edge_counts
    from skillgraph.core.sampling import sample_graph

    unrecalled = mem.memory_recall([64], n_inputs=300, seed=1).unrecalled[0]
    for seed in (0, 1, 2):
        streamed = mem.stream_memory_failures(unrecalled, 20_000, 5, seed=seed, chunk_size=3_000)
        graph = sample_graph(300, 20_000, 5, skill_measure="zipf", zipf_exponent=2.0, seed=seed)
        failed = mem.memory_failures(graph, unrecalled)
        assert streamed.n_failed_texts == int(failed.sum())
        np.testing.assert_array_equal(streamed.degrees, graph.degrees)
        np.testing.assert_array_equal(streamed.failed_edges, failed_edge_counts(graph, failed))


def test_streamed_coupling_agrees_with_the_numpy_loop_it_replaced():
    unrecalled = mem.memory_recall([64], n_inputs=300, seed=1).unrecalled[0]
    n_texts, k = 50_000, 5
    for seed in (0, 1, 2):
        new = mem.stream_memory_failures(unrecalled, n_texts, k, seed=seed)
        degrees, failed_edges, n_failed = _numpy_loop_reference(unrecalled, n_texts, k, 2.0, seed)
        # the same totals, and failure counts two independent Binomial(n_texts, theta) draws
        # would give: their difference within 5 standard deviations
        assert new.degrees.sum() == degrees.sum() == n_texts * k
        theta = (n_failed + new.n_failed_texts) / (2 * n_texts)
        sd = math.sqrt(2 * n_texts * theta * (1 - theta))
        assert abs(n_failed - new.n_failed_texts) <= 5 * sd
        # the same skill distribution: two-sample chi-square on the 30 heaviest skills
        table = np.array([new.degrees[:30], degrees[:30]])
        assert stats.chi2_contingency(table).pvalue > 1e-4
        table = np.array([new.failed_edges[:30] + 1, failed_edges[:30] + 1])
        assert stats.chi2_contingency(table).pvalue > 1e-4


def test_streamed_coupling_matches_the_closed_form_and_the_materialised_counts(memory_and_graph):
    recall, graph = memory_and_graph
    unrecalled = recall.unrecalled[0]
    counts = mem.stream_memory_failures(unrecalled, 200_000, 8, seed=6, chunk_size=30_000)
    theta = mem.memory_theta(recall.error[0], k=8)
    assert _within_binomial_ci(counts.n_failed_texts, 200_000, theta)
    assert counts.degrees.sum() == 200_000 * 8
    assert np.all(counts.failed_edges[unrecalled] == counts.degrees[unrecalled])
    again = mem.stream_memory_failures(unrecalled, 200_000, 8, seed=6, chunk_size=7_777)
    np.testing.assert_array_equal(again.failed_edges, counts.failed_edges)
    # the streamed skill draws follow p: chi-square on the degrees of the heaviest skills
    expected = 200_000 * 8 * recall.skill_measure
    top = slice(0, 50)
    chi2 = np.sum((counts.degrees[top] - expected[top]) ** 2 / expected[top])
    assert stats.chi2.sf(chi2, 50) > 1e-4
    # unrecalled skills are never competent; on both engines
    from skillgraph.core.competence import competence

    materialised = competence(graph, mem.memory_failures(graph, unrecalled))
    for comp in (materialised, counts.competence()):
        assert np.all(comp[unrecalled & ~np.isnan(comp)] == 0.0)


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d": 0}, "d must"),
        ({"d": [8, -3]}, "d must"),
        ({"d": [8.5]}, "d must"),
        ({"d": [4, 8], "kappa": 16}, "kappa"),
        ({"d": [64], "n_labels": 1}, "n_labels"),
        ({"d": [64], "T": 0}, "T must"),
        ({"d": [64], "trials": 1}, "trials"),
        ({"d": [64], "scheme": "lru"}, "scheme"),
        ({"d": [64], "rho": 0}, "rho"),
        ({"d": [math.inf]}, "needs a finite amount of data"),
        ({"d": [64], "zipf_exponent": -1}, "zipf_exponent"),
    ],
)
def test_bad_input_is_refused_before_any_work(kwargs, match):
    # a billion inputs would not fit: a ValueError (not a MemoryError) shows the check came first
    with pytest.raises(ValueError, match=match):
        mem.memory_error(**{"n_inputs": 10**9, **kwargs})


def test_bad_types_are_refused():
    with pytest.raises(TypeError, match="d must"):
        mem.memory_error("64")
    with pytest.raises(TypeError, match="T must"):
        mem.memory_error([64], T=10.5)


def test_laws_need_a_above_one():
    for call in (
        lambda: mem.data_term_asymptotic(100, 1.0),
        lambda: mem.data_term_constant(0.8),
        lambda: mem.theory_slope("threshold", 1.0),
        lambda: mem.compute_optimal_T([64], zipf_exponent=1.0),
    ):
        with pytest.raises(ValueError, match="zipf_exponent"):
            call()
    with pytest.raises(ValueError, match="2 rho a > 1"):
        mem.theory_slope("frequency", 2.0, rho=0.2)
    with pytest.raises(ValueError, match="T must"):
        mem.data_term(0.5)


def test_too_large_a_memory_is_refused_with_an_estimate():
    from skillgraph._resources import ResourceLimitError

    with pytest.raises(MemoryError, match="GiB"):
        mem.memory_error([100_000], n_inputs=10**8)
    with pytest.raises(ResourceLimitError, match="trials"):  # days of work, small arrays
        mem.memory_error([8192], trials=10**6)


# ---- pipeline and command line ------------------------------------------------------------------


def _small_config(**kw):
    base = dict(trials=3, d=(16, 32, 64, 128, 256), fit_window=(32, 256), T=(10, 100, 1000),
                T_d=(64, math.inf), data_fit_window=(10, 1000), emergence_d=(32, 128, 512),
                replicates=2, n_texts=5000, tuples=(1, 2))  # fmt: skip
    return mem.MemoryConfig(**{**base, **kw})


def test_pipeline_writes_every_number_it_plots(tmp_path):
    from skillgraph.tables import read_table

    report = mem.run(_small_config())
    written = mem.write_outputs(report, tmp_path / "out")
    assert [p.name for p in written] == list(mem.FILES)
    for name in mem.FILES:
        assert (tmp_path / "out" / name).stat().st_size > 0
    rows = read_table(tmp_path / "out" / "results.csv")
    assert len(rows) == len(report.rows)
    mc = [r for r in rows if r["figure"] == "error_vs_d" and r["quantity"] == "error"]
    assert len(mc) == 3 * 5
    inf_rows = [r for r in rows if r["figure"] == "error_vs_T" and r["d"] == math.inf
                and r["source"] == "monte_carlo"]  # fmt: skip
    assert len(inf_rows) == 3  # the unbounded memory at each T
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["slopes"]["threshold"]["theory_slope"] == -1.0
    assert summary["slopes"]["all"]["theory_slope"] is None
    assert summary["data_term"]["constant"] == pytest.approx(0.691, abs=5e-4)
    assert "threshold P = d/8 errs as d^" in report.headline
    emergence = [r for r in rows if r["figure"] == "emergence" and r["source"] == "bound"]
    assert all(0.0 <= r["value"] <= 1.0 for r in emergence)


def test_deprecated_run_memory_refuses_a_bad_output_directory_before_any_work(tmp_path):
    from skillgraph.mechanisms import run_memory

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.warns(DeprecationWarning, match="memory.run"):
        with pytest.raises(OSError, match="directory"):
            run_memory(_small_config(trials=10**5), out_dir=blocker)


def test_sweep_measurement_rows():
    from skillgraph.mechanisms.memory.sweep_adapter import memory_measurement

    rows = memory_measurement(d=[64, 256], T=1000, trials=3, seed=np.random.SeedSequence(1))
    quantities = [r["quantity"] for r in rows]
    assert quantities.count("memory_error") == 2
    assert quantities.count("analytic_error") == 2
    assert quantities.count("data_term") == 1
    assert all(r["T"] == 1000 and r["scheme"] == "threshold" for r in rows)


def _cli_args(argv):
    from skillgraph.cli import memory as cli

    parser = argparse.ArgumentParser(prog="skillgraph")
    cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--kappa", "0"], "kappa"),
        (["--n-labels", "1"], "n_labels"),
        (["--zipf-exponent", "1"], "zipf_exponent"),
        (["--trials", "1"], "trials"),
    ],
)
def test_cli_refuses_bad_options(tmp_path, argv, match):
    args = _cli_args(["memory", "--out", str(tmp_path / "o"), "--no-progress", *argv])
    with pytest.raises(ValueError, match=match):
        args.func(args)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_cli_default_run_prints_json(tmp_path, capsys):
    args = _cli_args(["memory", "--out", str(tmp_path / "o"), "--json", "--no-progress"])
    assert args.func(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert -1.15 <= summary["slopes"]["threshold"]["fitted_slope"] <= -0.85
    assert -0.35 <= summary["slopes"]["frequency"]["fitted_slope"] <= -0.18
    assert summary["slopes"]["threshold"]["window"] == [32.0, 512.0]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_issue_slopes_hold_across_seeds(seed):
    thr = mem.memory_error(WINDOW_D, trials=20, seed=100 + seed).fit_slope((32, 512))
    frq = mem.memory_error(WINDOW_D, scheme="frequency", trials=20, seed=100 + seed)
    assert -1.15 <= thr.slope <= -0.85
    assert -0.35 <= frq.fit_slope((32, 512)).slope <= -0.18
