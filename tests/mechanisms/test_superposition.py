"""Tests of the tasks-in-superposition toy (skillgraph.mechanisms.superposition).

Reference values are computed independently: the multinomial sampling KL by
enumerating every count vector (scipy.stats.multinomial), the single-task
posterior by direct likelihood products in mpmath, the top-K rule and the
one-task-per-prompt readout by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math

import mpmath
import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import multinomial

from skillgraph.mechanisms import superposition as sp

SKEWED = (0.5, 0.3, 0.2)
UNIFORM = (1 / 3, 1 / 3, 1 / 3)


def _bernoulli_failures(graph, theta, seed):
    """Random failures, Bernoulli(theta) per text: one seed nests the sets across theta."""
    from skillgraph.core.failures import random_failures

    return random_failures(graph, theta, exact=False, seed=seed)


# ---------------------------------------------------------------------------
# readout (a): mixture


def test_mixture_with_full_competence_gives_counts_over_n():
    counts = sp.prompt_counts(SKEWED, 60, 500, seed=1)
    r = sp.answer_probabilities(counts, np.ones(3), "mixture", smoothing=0.0)
    np.testing.assert_allclose(r, counts / 60, rtol=0, atol=1e-15)


def test_mixture_kl_is_zero_when_counts_match_lambda():
    r = sp.answer_probabilities([[30, 18, 12]], np.ones(3), "mixture")
    assert float(sp.kl_divergence(SKEWED, r)[0]) == pytest.approx(0.0, abs=1e-15)


def test_mixture_kl_equals_multinomial_sampling_kl_per_prompt():
    res = sp.superpose(np.ones(3), SKEWED, 60, readout="mixture", n_prompts=3000, seed=7)
    # independent: scipy's rel_entr on the empirical proportions, floored like the metric
    empirical = np.maximum(res.counts / 60, sp.KL_EPS)
    expected = rel_entr(np.array(SKEWED), empirical).sum(axis=1)
    np.testing.assert_allclose(res.kl, expected, rtol=1e-12, atol=1e-14)
    assert np.all(res.distractor_mass <= 1e-15)  # competence 1: nothing for distractors


def _exact_sampling_kl(lam, n, eps):
    """E[sum_j lam_j log(lam_j / max(n_j / n, eps))] over every multinomial count vector."""
    lam = np.asarray(lam)
    total = 0.0
    for n1 in range(n + 1):
        for n2 in range(n - n1 + 1):
            x = np.array([n1, n2, n - n1 - n2])
            kl = float(np.sum(lam * np.log(lam / np.maximum(x / n, eps))))
            total += multinomial.pmf(x, n, lam) * kl
    return total


@pytest.mark.parametrize("lam", [SKEWED, UNIFORM])
def test_mixture_mean_kl_matches_exact_sampling_kl(lam):
    exact = _exact_sampling_kl(lam, 60, sp.KL_EPS)
    res = sp.superpose(np.ones(3), lam, 60, readout="mixture", n_prompts=4000, seed=11)
    est = res.mean_kl(confidence_level=0.99)
    assert est.ci_low <= exact <= est.ci_high, (est, exact)
    # the large-n approximation (K - 1) / (2 n) is close: a sanity check of scale
    assert exact == pytest.approx(2 / 120, rel=0.15)


def test_kl_is_bounded_below_by_the_log_sum_inequality():
    rng = np.random.default_rng(0)
    lam = rng.dirichlet(np.ones(4))
    r = rng.dirichlet(np.ones(5), size=2000)[:, :4]  # sum_j r_j < 1: mass left for distractors
    kl = sp.kl_divergence(lam, r)
    assert np.all(kl >= -np.log(r.sum(axis=1)) - 1e-12)
    assert np.all(kl > 0)


# ---------------------------------------------------------------------------
# readout (b): single-task posterior


def test_single_posterior_matches_direct_bayes():
    counts = sp.prompt_counts(SKEWED, 60, 5, seed=3)
    noise = 0.01
    r = sp.answer_probabilities(counts, np.ones(3), "single", noise=noise)
    for row, got in zip(counts, r, strict=True):
        like = [
            mpmath.mpf(1 - noise) ** int(nj) * (mpmath.mpf(noise) / 2) ** int(60 - nj) for nj in row
        ]
        post = [float(x / sum(like)) for x in like]
        np.testing.assert_allclose(got, post, rtol=1e-9, atol=1e-300)


def test_single_puts_more_than_099_on_the_most_frequent_task():
    res = sp.superpose(np.ones(3), SKEWED, 60, readout="single", n_prompts=4000, seed=5)
    top = res.counts.max(axis=1, keepdims=True)
    unique_leader = (res.counts == top).sum(axis=1) == 1
    leader = res.counts.argmax(axis=1)
    on_leader = res.answer_probs[np.arange(res.n_prompts), leader]
    assert unique_leader.mean() > 0.95
    assert np.all(on_leader[unique_leader] > 0.99)
    assert on_leader.mean() > 0.99  # ties (about 1% of prompts) split the mass evenly


# ---------------------------------------------------------------------------
# the top-K rule and the sorted-mean curve


def test_tasks_in_top_k_by_hand():
    r = np.array([[0.30, 0.20, 0.01], [0.30, 0.2 - 5e-6, 0.01]])
    d = np.array([[0.25, 0.10, 0.05], [0.25, 0.2, 0.05]])
    # row 0: completions 0.30, 0.25, 0.20, ... -> the 3rd largest is 0.20
    # row 1: the 3rd largest is the distractor 0.2; task 1 is 5e-6 below it: counted (tolerance)
    got = sp.tasks_in_top_k(r, d)
    np.testing.assert_array_equal(got, [[True, True, False], [True, True, False]])
    assert sp.tasks_in_top_k(r, d, tolerance=0.0)[1].tolist() == [True, False, False]


def test_sorted_mean_separates_superposition_from_one_task_at_random():
    res = sp.superpose(np.ones(3), UNIFORM, 60, readout="mixture", n_prompts=3000, seed=2)
    spread = sp.sorted_mean(res.answer_probs)
    rng = np.random.default_rng(4)
    one_hot = np.eye(3)[rng.integers(0, 3, size=3000)]  # one task per prompt, at random
    picked = sp.sorted_mean(one_hot)
    np.testing.assert_allclose(picked, [1.0, 0.0, 0.0])
    assert spread[0] < 0.45 and spread[-1] > 0.22  # about (1/3, 1/3, 1/3)
    # both readouts have per-task means near 1/3: only the sorted curve tells them apart
    np.testing.assert_allclose(res.answer_probs.mean(axis=0), 1 / 3, atol=0.01)
    np.testing.assert_allclose(one_hot.mean(axis=0), 1 / 3, atol=0.03)
    assert picked[0] - spread[0] > 0.5


# ---------------------------------------------------------------------------
# against theta (readout a)


def test_mixture_improves_as_theta_falls():
    tasks = sp.sample_task_set(3, 2, n_skills=300, n_texts=30_000, k=8, seed=8)
    thetas = (0.4, 0.25, 0.15, 0.08, 0.04, 0.02)
    kl, tip = [], []
    for i, theta in enumerate(thetas):
        comp = sp.task_competences(tasks, theta, failure=_bernoulli_failures, seed=9)
        res = sp.superpose(comp.competences, SKEWED, 60, n_prompts=2000, seed=100 + i)
        kl.append(res.mean_kl())
        tip.append(res.mean_tasks_in_parallel())
    for prev, nxt in itertools.pairwise(kl):  # non-increasing within the intervals
        assert nxt.value - prev.value <= (prev.ci_high - prev.value) + (nxt.ci_high - nxt.value)
    for prev, nxt in itertools.pairwise(tip):  # non-decreasing within the intervals
        assert prev.value - nxt.value <= (prev.value - prev.ci_low) + (nxt.value - nxt.ci_low)
    assert kl[-1].ci_high < kl[0].ci_low and tip[-1].ci_low > tip[0].ci_high  # not flat


def test_task_competence_is_the_product_of_skill_competences():
    from skillgraph.core.competence import competence

    tasks = sp.sample_task_set(4, 3, n_skills=50, n_texts=2000, k=4, seed=1)
    assert len({tuple(row) for row in tasks.tuples}) == 4
    assert all(len(set(row)) == 3 for row in tasks.tuples)
    failed = _bernoulli_failures(tasks.graph, 0.2, 5)
    comp = sp.task_competences(tasks, 0.2, failure=lambda g, th, s: failed)
    per_skill = competence(tasks.graph, failed)
    expected = [math.prod(per_skill[s] for s in row) for row in tasks.tuples]
    np.testing.assert_allclose(comp.competences, expected, rtol=1e-12)
    assert comp.failure == "custom"


def test_same_seed_same_numbers():
    a = sp.superpose([0.9, 0.5, 0.7], SKEWED, 60, readout="softmax", n_prompts=100, seed=3)
    b = sp.superpose([0.9, 0.5, 0.7], SKEWED, 60, readout="softmax", n_prompts=100, seed=3)
    np.testing.assert_array_equal(a.answer_probs, b.answer_probs)
    np.testing.assert_array_equal(a.kl, b.kl)


# ---------------------------------------------------------------------------
# bad input: clear errors before any work


@pytest.mark.parametrize(
    "lam, match",
    [((0.5, 0.3, 0.3), "sum to 1"), ((0.6, -0.1, 0.5), "non-negative"), ((), "1 to")],
)
def test_bad_lambda(lam, match):
    with pytest.raises(ValueError, match=match):
        sp.superpose(np.ones(max(len(lam), 1)), lam, 60)
    with pytest.raises(ValueError, match=match):
        sp.prompt_counts(lam, 60, 10)


def test_more_tasks_than_tuples_fails_before_sampling(monkeypatch):
    import skillgraph.core.sampling as sampling

    def no_work(*args, **kwargs):
        raise AssertionError("the graph was sampled before validation")

    monkeypatch.setattr(sampling, "sample_graph", no_work)
    with pytest.raises(ValueError, match=r"C\(3, 2\) = 3"):
        sp.sample_task_set(4, 2, n_skills=3, n_texts=100, k=2)
    assert sp.available_tuples(5, 2) == 10  # C(5, 2), by hand
    for bad in (math.nan, -1, "x"):
        with pytest.raises((ValueError, TypeError), match="n_skills"):
            sp.available_tuples(bad, 2)
    with pytest.raises(ValueError, match="n_tasks"):
        sp.measure({"theta": 0.1, "lam": "uniform:4", "n_skills": 3, "t": 2})


def test_fewer_examples_than_tasks():
    with pytest.raises(ValueError, match="n_examples must be >= the number of tasks K = 4"):
        sp.superpose(np.ones(4), (0.25,) * 4, 3)
    with pytest.raises(ValueError, match="n_examples"):
        sp.SuperposeConfig(lam=(0.25,) * 4, n_examples=3)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"readout": "argmax"}, ValueError, "readout must be one of"),
        ({"noise": 0.7}, ValueError, "noise must be in"),
        ({"tau": 0.0}, ValueError, "tau"),
        ({"smoothing": -1.0}, ValueError, "smoothing"),
        ({"eps": 0.0}, ValueError, "eps"),
        ({"n_prompts": 1}, ValueError, "n_prompts"),
        ({"n_distractors": 0}, ValueError, "n_distractors"),
        ({"zipf_exponent": float("nan")}, ValueError, "zipf_exponent"),
        ({"seed": -1}, ValueError, "seed"),
        ({"n_prompts": 10.5}, TypeError, "n_prompts"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        sp.superpose(np.ones(3), SKEWED, 60, **kwargs)


def test_bad_arrays():
    with pytest.raises(ValueError, match="competences must lie in"):
        sp.superpose([1.2, 0.5, 0.5], SKEWED, 60)
    with pytest.raises(ValueError, match="competences must have shape"):
        sp.superpose([1.0, 0.5], SKEWED, 60)
    with pytest.raises(ValueError, match="same positive number of examples"):
        sp.answer_probabilities([[1, 2], [2, 2]], [1.0, 1.0])
    with pytest.raises(TypeError, match="counts must be an integer array"):
        sp.answer_probabilities([[0.5, 0.5]], [1.0, 1.0])
    with pytest.raises(ValueError, match="unknown superposition parameters"):
        sp.measure({"theta": 0.1, "lambda": "0.5,0.5"})
    with pytest.raises(ValueError, match="uniform:K"):
        sp.parse_lambda("uniform:three")
    with pytest.raises(ValueError, match="failure must be one of"):
        sp.measure({"theta": 0.1, "failure": "sharp-ish"})


# ---------------------------------------------------------------------------
# measurement, pipeline, command line


def test_measure_rows():
    rows = sp.measure(
        {"theta": 0.1, "lam": "0.5,0.3,0.2", "n_skills": 100, "n_texts": 3000, "n_prompts": 200},
        seed=1,
    )
    quantities = {(r["quantity"], r["readout"]) for r in rows}
    for readout in sp.READOUTS:
        for q in sp.QUANTITIES:
            assert (q, readout) in quantities
    assert sum(r["quantity"] == "task_competence" for r in rows) == 3
    assert all(r["lam"] == "0.5,0.3,0.2" and r["theta"] == 0.1 for r in rows)
    assert rows == sp.measure(
        {"theta": 0.1, "lam": "0.5,0.3,0.2", "n_skills": 100, "n_texts": 3000, "n_prompts": 200},
        seed=1,
    )


SMALL = dict(
    n_scales=3, replicates=2, n_prompts=200, n_skills=200, n_texts=20_000, compute=(1e18, 1e26)
)


def test_pipeline_writes_labelled_report(tmp_path):
    from skillgraph.tables import read_table

    result = sp.run(sp.SuperposeConfig(**SMALL))
    files = sp.write_outputs(result, tmp_path / "out")
    names = {p.name for p in files}
    assert names == {
        "superposition_scale.png",
        "sorted_probs.png",
        "results.csv",
        "summary.json",
        "summary.md",
    }
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "toy model" in summary and sp.DISCLAIMER in summary
    data = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert data["model"] == "toy model"
    assert set(data["readouts"]) == set(sp.READOUTS)
    for entries in data["readouts"].values():
        assert len(entries) == 3
        for e in entries:
            assert 0 < e["theta"] < 1
            for q in ("kl", "tasks_in_parallel"):
                assert e[q]["ci_low"] <= e[q]["value"] <= e[q]["ci_high"]
    rows = read_table(tmp_path / "out" / "results.csv")
    assert {r["quantity"] for r in rows} >= set(sp.QUANTITIES)
    assert len(rows) == len(result.rows)


def test_cli_json(tmp_path, capsys, monkeypatch):
    from skillgraph.cli import superpose

    parser = argparse.ArgumentParser(prog="skillgraph")
    superpose.add_parser(parser.add_subparsers(dest="command"))
    argv = ["superpose", "--out", str(tmp_path), "--json", "--no-progress"]
    argv += ["--lambda", "0.5,0.5", "--examples", "20", "--seed", "2"]
    args = parser.parse_args(argv)
    seen = []
    full_run = sp.run

    def small_run(config, progress):
        seen.append(config)  # the flags reached the configuration ...
        return full_run(dataclasses.replace(config, **SMALL), progress=progress)  # ... run small

    monkeypatch.setattr(sp, "run", small_run)
    assert args.func(args) == 0
    assert (seen[0].lam, seen[0].n_examples, seen[0].seed) == ((0.5, 0.5), 20, 2)
    data = json.loads(capsys.readouterr().out)
    assert set(data["readouts"]) == set(sp.READOUTS)
    assert data["config"]["lam"] == [0.5, 0.5]


def test_cli_rejects_disagreeing_tasks_and_lambda(tmp_path):
    from skillgraph.cli import superpose
    from skillgraph.cli._common import CommandError

    parser = argparse.ArgumentParser(prog="skillgraph")
    superpose.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["superpose", "--out", str(tmp_path), "--tasks", "4", "--lambda", "0.5,0.5"]
    )
    with pytest.raises(CommandError, match="--tasks 4 disagrees"):
        args.func(args)
