"""Tests for skillgraph.check: the report, the edge-file loader and the CLI."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

import skillgraph
from skillgraph.audit.report import CheckReport, check
from skillgraph.cli import main
from skillgraph.core.graph import SkillGraph
from skillgraph.core.io import EdgeFileError, load_edges
from skillgraph.core.sampling import sample_graph

# ---------------------------------------------------------------------------
# check()
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_no_adversary_beats_certificate_on_random_graphs(seed):
    # n_texts >> n_skills; at delta_fail = 1e-6 a violation is a bug
    graph = sample_graph(60, 6000, 8, seed=seed)
    for theta, beta in [(0.1, 0.5), (0.05, 0.3), (0.2, 0.4)]:
        report = check(graph, theta, beta, seed=seed, exact=False)
        assert not report.violated, str(report)
        best = max(a.n_bad for a in report.adversaries.values())
        assert best <= report.certificate.n_bad_max
        assert report.gap == pytest.approx((report.certificate.n_bad_max - best) / 60)
        assert report.assumptions == [] or all("n_texts" not in a for a in report.assumptions)


def test_report_contents_and_rendering():
    graph = sample_graph(20, 80, 3, seed=1)
    report = check(graph, 0.1, 0.5, seed=0)
    assert isinstance(report, CheckReport)
    assert set(report.adversaries) == {"exact", "greedy", "targeted", "deficit", "random"}
    assert report.adversaries["exact"].optimal
    assert report.adversaries["greedy"].n_bad <= report.adversaries["exact"].n_bad
    assert report.best == max(report.adversaries, key=lambda n: report.adversaries[n].n_bad)
    assert report.n_failed == 8
    assert report.alpha_star_kl <= report.alpha_star_paper
    text = str(report)
    for words in ["alpha_star, KL form", "paper form", "certificate", "greedy adversary",
                  "exact adversary", "deficit failures", "random failures", "gap:", "OK:"]:
        assert words in text
    # n_texts is not >> n_skills here: said so
    assert any("not much larger" in a for a in report.assumptions)
    d = report.as_dict()
    json.dumps(d)
    assert d["violated"] is False and d["adversaries"]["exact"]["optimal"] is True


def two_community_graph():
    """A graph far from the random model: 20 skills whose texts only use
    each other (the 'niche'), 20 common skills.  Failing the niche texts
    makes all 20 niche skills bad, far beyond what a random graph allows."""
    rng = np.random.default_rng(0)
    niche = rng.integers(0, 20, size=(300, 4))
    common = rng.integers(20, 40, size=(2700, 4))
    return SkillGraph.from_text_skills(np.vstack([niche, common]))


@pytest.fixture(scope="module")
def community_report():
    return check(two_community_graph(), 0.1, 0.5, seed=0, source="user")


def test_user_graph_far_from_model_is_flagged(community_report):
    report = community_report
    assert report.violated
    assert report.adversaries["greedy"].n_bad >= 20
    assert "far from the random-graph model" in report.message
    assert any("uneven" in a for a in report.assumptions)
    assert "mu1-masses" not in str(report)  # uniform mu1: counts and masses agree


def test_sampled_violation_message_says_bug(community_report):
    import dataclasses

    report = dataclasses.replace(community_report, source="sampled, seed 0")
    assert report.violated and "bug" in report.message


def test_ragged_user_graph_and_networkx_input():
    rows = [[0, 1], [1, 2, 3], [0], [2, 3, 4, 5], [4, 5], [0, 5], [1, 3], [2]] * 30
    texts = np.concatenate([[i] * len(r) for i, r in enumerate(rows)])
    graph = SkillGraph.from_edges(texts, np.concatenate(rows))
    report = check(graph, 0.1, 0.5, seed=0, exact=False)
    assert not report.regular and report.k == 2  # rounded mean text degree
    assert report.certificate.method == "conditional" and report.certificate.k is None
    assert any("unequal numbers of skills" in a for a in report.assumptions)
    via_nx = check(graph.to_networkx(), 0.1, 0.5, seed=0, exact=False)
    assert via_nx.certificate.alpha == report.certificate.alpha
    assert via_nx.source == "networkx graph"


def test_skewed_and_zipf_graphs():
    graph = sample_graph(50, 5000, 8, skill_measure="zipf", seed=0)
    report = check(graph, 0.05, 0.3, seed=0)
    # certificate B assumes uniform mu1, so only A is used
    assert report.certificate.method == "conditional"
    assert any("not uniform" in a for a in report.assumptions)
    assert not report.violated


def test_check_is_reachable_from_package():
    graph = sample_graph(20, 500, 4, seed=0)
    r1 = skillgraph.check(graph, 0.1, 0.5, seed=3)
    import skillgraph.audit.report as module  # binds the module to skillgraph.check

    r2 = skillgraph.check(graph, 0.1, 0.5, seed=3)  # still callable
    assert module.check is check
    assert r1.adversaries["greedy"].n_bad == r2.adversaries["greedy"].n_bad


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(theta=0.0), ValueError, "theta"),
        (dict(beta=1.2), ValueError, "beta"),
        (dict(delta_fail=2.0), ValueError, "delta_fail"),
        (dict(k=0), ValueError, "k"),
        (dict(exact="yes"), TypeError, "exact"),
    ],
)
def test_bad_input(kwargs, exc, words):
    args = dict(theta=0.1, beta=0.5)
    args.update(kwargs)
    with pytest.raises(exc, match=words):
        check(sample_graph(10, 100, 3, seed=0), **args)
    with pytest.raises(TypeError, match="graph"):
        check([[0, 1]], 0.1, 0.5)


# ---------------------------------------------------------------------------
# edge files
# ---------------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_edges_formats(tmp_path):
    want = [(0, 1), (0, 2), (1, 0), (2, 2), (2, 2)]
    body = "\n".join(f"{t},{s}" for t, s in want)
    for name, text in [
        ("plain.csv", body + "\n"),
        ("header.csv", "text_id,skill_id\n" + body),
        ("swapped.csv", "skill_id,text_id\n" + "\n".join(f"{s},{t}" for t, s in want)),
        ("tabs.tsv", "text_id\tskill_id\n" + body.replace(",", "\t")),
        ("spaces.txt", "# comment\n\n" + body.replace(",", "  ")),
        ("extra.csv", "text_id,skill_id,weight\n" + "\n".join(f"{t},{s},0.5" for t, s in want)),
    ]:
        g = load_edges(write(tmp_path, name, text))
        assert g.n_texts == 3 and g.n_skills == 3, name
        got = sorted(zip(g.edge_texts.tolist(), g.text_indices.tolist(), strict=True))
        assert got == sorted(want), name
    g = load_edges(write(tmp_path, "sized.csv", body), n_skills=10, n_texts=5)
    assert g.n_skills == 10 and g.n_texts == 5


@pytest.mark.parametrize(
    "text, kwargs, messages",
    [
        ("", {}, [":1: no edges found (an empty file)"]),
        ("text_id,skill_id\n", {}, ["no edges found (only a header)"]),
        ("# nothing\n\n", {}, ["no edges found"]),
        ("0,1\n1\n2,3\n", {}, [":2: expected 2 columns"]),
        ("text_id,skill_id\n0,1\n0,\n", {}, [":3: skill_id '' is not an integer"]),
        ("0,1\n1,abc\n2.5,3\n", {}, [":2: skill_id 'abc' is not an integer",
                                     ":3: text_id '2.5' is not an integer"]),
        ("0,1\n-1,2\n3,-4\n", {}, [":2: text_id -1 is negative", ":3: skill_id -4 is negative"]),
        ("0,1\n1,7\n", {"n_skills": 5}, [":2: skill_id 7 out of range", "0..4"]),
        ("0,1\n9,0\n", {"n_texts": 4}, [":2: text_id 9 out of range"]),
        ("0,1\n1,99999999999\n", {}, [":2: skill_id 99999999999 out of range"]),
        ("text_id,skill_id\n0,1\ntext_id,skill_id\n1,2\n", {}, [":3: duplicate header",
                                                                "line 1"]),
        ("0,1\ntext_id,skill_id\n", {}, [":2: header 'text_id,skill_id' after data"]),
        ("foo,bar\n0,1\n", {}, [":1: unrecognised header"]),
        ("text_id,weight\n0,1\n", {}, [":1: header 'text_id,weight' has no skill_id column"]),
        ("0,1,2\n", {}, [":1: expected 2 columns (text_id, skill_id), got 3"]),
    ],
)
def test_bad_edge_files(tmp_path, text, kwargs, messages):
    path = write(tmp_path, "edges.csv", text)
    with pytest.raises(EdgeFileError) as info:
        load_edges(path, **kwargs)
    for m in messages:
        assert m in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_edges(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def test_cli_sampled(capsys):
    status = main(["check", "--n-skills", "40", "--n-texts", "4000", "--k", "8", "--theta",
                   "0.1", "--beta", "0.5", "--seed", "2", "--no-exact"])
    out = capsys.readouterr().out
    assert status == 0
    assert "certificate" in out and "greedy adversary" in out and "OK:" in out


def test_cli_json_and_edges(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 12, size=(150, 3))
    text = "text_id,skill_id\n" + "\n".join(f"{t},{s}" for t, r in enumerate(rows) for s in r)
    path = write(tmp_path, "mine.csv", text)
    status = main(["check", "--edges", str(path), "--theta", "0.1", "--beta", "0.5", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status in (0, 1)
    assert payload["graph"]["n_texts"] == 150 and payload["graph"]["n_skills"] == 12
    assert payload["graph"]["source"].startswith("edges from")
    assert "exact" in payload["adversaries"]  # small graph: exact ran
    assert status == (1 if payload["violated"] else 0)


def test_cli_violation_exit_status(tmp_path, capsys):
    graph = two_community_graph()
    lines = [f"{t},{s}" for t, s in zip(graph.edge_texts, graph.text_indices, strict=True)]
    path = write(tmp_path, "community.csv", "\n".join(lines))
    status = main(["check", "--edges", str(path), "--theta", "0.1", "--beta", "0.5"])
    captured = capsys.readouterr()
    assert status == 1
    assert "VIOLATED" in captured.out and "far from the random-graph model" in captured.err


def test_cli_bad_file_exit_status(tmp_path, capsys):
    path = write(tmp_path, "bad.csv", "0,1\n1,x\n")
    assert main(["check", "--edges", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:2: skill_id 'x' is not an integer" in err
    # an input path that cannot be used: 4, as --help documents
    assert main(["check", "--edges", str(tmp_path / "missing.csv")]) == 4
    assert "does not exist" in capsys.readouterr().err
    assert main(["check", "--theta", "1.5", "--n-skills", "10", "--n-texts", "100"]) == 2
    assert "theta" in capsys.readouterr().err


def test_networkx_bipartite_user_graph():
    G = nx.Graph()
    G.add_nodes_from([("s", i) for i in range(4)], bipartite=0)
    G.add_nodes_from([("t", j) for j in range(40)], bipartite=1)
    rng = np.random.default_rng(3)
    for j in range(40):
        for s in rng.choice(4, size=2, replace=False):
            G.add_edge(("s", int(s)), ("t", j))
    report = check(G, 0.1, 0.5, seed=0)
    assert report.n_texts == 40 and report.n_skills == 4 and report.k == 2
