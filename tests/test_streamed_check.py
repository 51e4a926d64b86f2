"""Tests for skillgraph.audit.streamed (the targeted adversary on the stream) and check's engines.

References are independent of the code under test: the failure set is rebuilt
here from the materialised graph (same seed) with numpy -- slot counts in S,
the m-th largest count, and the tie draws from a SplitMix64 written out below
-- and its per-skill counts, bad skills and size compared exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from skillgraph._rng import as_seed_sequence, child_seed, kernel_key
from skillgraph.audit.report import check
from skillgraph.audit.streamed import (
    SKIPPED_NOTE,
    TIE_SIGMAS,
    run_pass,
    skill_ranks,
    streamed_targeted,
    tie_rules,
)
from skillgraph.audit.targeted import targeted
from skillgraph.core.sampling import sample_graph
from skillgraph.core.streaming import stream_plan

M64 = (1 << 64) - 1


def splitmix_start(key, index):
    """The start state of item ``index``'s stream under ``key``, in Python integers."""
    z = (int(key[0]) + (index + 1) * 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return (z ^ (z >> 31)) ^ int(key[1])


def reference_failures(graph, members, m, tie_key):
    """The failure set of the streamed rule, from the materialised graph, by numpy."""
    x = members[graph.text_skills].sum(axis=1)
    tau = int(np.sort(x)[::-1][m - 1])
    above, ties = int(np.sum(x > tau)), int(np.sum(x == tau))
    need = m - above
    share = 1.0 if need >= ties else max(need - TIE_SIGMAS * np.sqrt(need), 0.0) / ties
    cut = 1 << 53 if need >= ties else int(share * 2**53)
    tied = np.flatnonzero(x == tau)
    draws = np.array([splitmix_start(tie_key, int(i)) >> 11 for i in tied], dtype=np.uint64)
    failed = x > tau
    failed[tied[draws < np.uint64(cut)]] = True
    return failed, tau


def failed_counts(graph, failed):
    return np.bincount(graph.text_skills[failed].ravel(), minlength=graph.n_skills)


@pytest.mark.parametrize(("measure", "seed"), [("uniform", 5), ("zipf", 6)])
def test_streamed_failure_set_is_the_rule_on_the_materialised_graph(measure, seed):
    n_skills, n_texts, k, theta, beta = 120, 30_000, 6, 0.1, 0.5
    plan = stream_plan(n_skills, n_texts, k, theta, skill_measure=measure, seed=seed)
    graph = sample_graph(n_skills, n_texts, k, skill_measure=measure, seed=seed)
    r = streamed_targeted(plan, theta, beta, seed=11)
    # the same skill order the adversary used (its seed's child 0), then the rule by hand
    ss = as_seed_sequence(11)
    order, _ = skill_ranks(graph.degrees, graph.skill_measure, beta, child_seed(ss, 0))
    members = np.zeros(n_skills, dtype=np.int64)
    members[order[: r.size]] = 1
    tie_key = kernel_key(child_seed(ss, 1))
    m = round(theta * n_texts)
    failed, tau = reference_failures(graph, members, m, tie_key)
    assert r.tau == tau
    assert r.n_failed == int(failed.sum()) <= m
    np.testing.assert_array_equal(r.failed_edges, failed_counts(graph, failed))
    deg = graph.degrees
    bad = (deg > 0) & (failed_counts(graph, failed) / np.maximum(deg, 1) > beta)
    np.testing.assert_array_equal(r.bad, bad)
    assert r.n_bad == int(bad.sum())


def test_passes_add_up_over_shards_and_threads():
    plan = stream_plan(50, 20_000, 5, 0.1, seed=2)
    _, rank = skill_ranks(np.full(50, 2000), plan.skill_measure, 0.5, seed=0)
    sizes = [1, 4, 9, 30]
    hist, _, _ = run_pass(plan, rank, sizes)
    hist3, _, _ = run_pass(plan, rank, sizes, shards=7, threads=1)
    np.testing.assert_array_equal(hist, hist3)
    # the histogram is the count of texts per number of slots in S, from the graph
    graph = sample_graph(50, 20_000, 5, seed=2)
    for zi, z in enumerate(sizes):
        x = (rank[graph.text_skills] < z).sum(axis=1)
        np.testing.assert_array_equal(hist[zi], np.bincount(x, minlength=6))
    rule = tie_rules(hist, 2000)
    key = np.array([3, 4], dtype=np.uint64)
    one = run_pass(plan, rank, sizes, rule, tie_key=key)
    many = run_pass(plan, rank, sizes, rule, tie_key=key, shards=5, threads=1)
    for a, b in zip(one[1:], many[1:], strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.all(one[2] <= 2000)


def test_tie_rule_from_a_histogram():
    # 10 texts at X=2, 50 at X=1, 40 at X=0; m = 30: tau = 1, 20 more of the 50 ties
    rule = tie_rules(np.array([[40, 50, 10]]), 30, sigmas=0.0)
    assert (rule.tau[0], rule.above[0], rule.ties[0]) == (1, 10, 50)
    assert rule.cut[0] == int(20 / 50 * 2**53)
    all_ties = tie_rules(np.array([[40, 50, 10]]), 60)
    assert all_ties.cut[0] == 2**53
    nothing = tie_rules(np.array([[40, 50, 10]]), 0)
    assert nothing.tau[0] == 3 and nothing.cut[0] == 0


def test_streamed_is_close_to_the_materialised_targeted():
    # same graph: the materialised adversary also rebalances ties and swaps texts, so it may
    # make a few more skills bad; never fewer than the streamed rule minus that margin
    plan = stream_plan(300, 300_000, 8, 0.1, seed=9)
    graph = sample_graph(300, 300_000, 8, seed=9)
    streamed = streamed_targeted(plan, 0.1, 0.5, seed=1)
    materialised = targeted(graph, 0.1, 0.5, seed=1)
    assert 0 < streamed.n_bad <= materialised.n_bad + 1
    assert streamed.n_bad >= materialised.n_bad - 3


def test_check_stream_engine_report():
    plan = stream_plan(200, 100_000, 8, 0.1, seed=4)
    report = check(plan, 0.1, 0.5, seed=3)
    assert set(report.adversaries) == {"targeted", "deficit", "random"}
    assert any("greedy and exact" in note for note in report.notes)
    assert "Notes:" in str(report) and "greedy and exact" in str(report).split("Notes:")[1]
    graph = sample_graph(200, 100_000, 8, seed=4)
    materialised = check(graph, 0.1, 0.5, seed=3, sampled=True)
    # the same graph: the same degrees, hence the same certificate; JSON has the same keys
    assert report.certificate.n_bad_max == materialised.certificate.n_bad_max
    assert set(report.as_dict()) == set(materialised.as_dict())
    assert materialised.notes == () and "Notes:" not in str(materialised)
    lower, upper = report.sandwich
    assert lower == max(a.n_bad for a in report.adversaries.values())
    assert upper is not None and lower <= upper and not report.violated


def test_check_engine_errors():
    plan = stream_plan(20, 1000, 4, 0.1, seed=0)
    graph = sample_graph(20, 1000, 4, seed=0)
    with pytest.raises(ValueError, match="engine"):
        check(graph, 0.1, 0.5, engine="stream")
    with pytest.raises(ValueError, match="engine"):
        check(plan, 0.1, 0.5, engine="graph")
    with pytest.raises(ValueError, match="engine"):
        check(plan, 0.1, 0.5, engine="fast")
    with pytest.raises(ValueError, match="materialised"):
        check(plan, 0.1, 0.5, exact=True)


def test_check_on_a_local_dask_cluster_gives_the_same_report():
    distributed = pytest.importorskip("distributed")
    plan = stream_plan(100, 40_000, 6, 0.1, seed=8)
    here = check(plan, 0.1, 0.5, seed=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:  # fmt: skip
        with distributed.Client(cluster) as client:
            there = check(plan, 0.1, 0.5, seed=2, scheduler=client)
    assert there.as_dict() == here.as_dict()


def test_cli_stream_engine(capsys):
    import json

    from skillgraph.cli import main

    args = ["check", "--n-skills", "100", "--n-texts", "30000", "--theta", "0.1", "--beta", "0.5",
            "--seed", "4", "--json"]  # fmt: skip
    assert main([*args, "--engine", "stream"]) == 0
    streamed = json.loads(capsys.readouterr().out)
    assert main([*args, "--engine", "graph"]) == 0
    materialised = json.loads(capsys.readouterr().out)
    assert set(streamed["adversaries"]) == {"targeted", "deficit", "random"}
    # the skipped adversaries are a note of its own, not a broken assumption of the model
    assert streamed["notes"] == [SKIPPED_NOTE] and materialised["notes"] == []
    assert streamed["assumptions"] == materialised["assumptions"]
    assert streamed["certificate"] == materialised["certificate"]
    assert streamed["graph"]["n_edges"] == materialised["graph"]["n_edges"] == 240_000
    assert main([*args, "--engine", "stream", "--no-replace"]) == 2
    assert main([*args, "--engine", "graph", "--scheduler", "tcp://127.0.0.1:1"]) == 2


def test_auto_engine_streams_past_the_size():
    from argparse import Namespace

    from skillgraph.cli.check import STREAM_AUTO_EDGES, _engine

    def args(**given):
        base = dict(engine="auto", n_texts=100_000, k=8, scheduler=None, edges=None,
                    no_replace=False, exact=None, t=1)  # the parser's defaults  # fmt: skip
        return Namespace(**{**base, **given})

    big = int(STREAM_AUTO_EDGES // 8) + 1
    assert _engine(args(n_texts=big)) == "stream"
    assert _engine(args(n_texts=big - 1)) == "graph"
    assert _engine(args(n_texts=big, t=2)) == "graph"  # tuples need the graph
    assert _engine(args(n_texts=1000, scheduler="tcp://h:1")) == "stream"
