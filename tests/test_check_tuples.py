"""check --t: the tuple sandwich (tuple adversary <= true worst case <= tuple certificate).

The adversary's bad tuple mass is recounted here from its failure set (pairs
by an outer product of competences); the certificate and the limit law have
their own tests (tests/test_tuple_certificate.py, tests/test_sharp_tuples.py).
The slow tests hold the adversary against the limit's lower side at
``n_texts / n_skills = 1000``, and the sandwich's width at the sizes the
issue names.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from skillgraph.audit.report import check
from skillgraph.audit.statements import SCOPE_GRAPH, SCOPE_MODEL, SCOPE_SAMPLED
from skillgraph.cli import main
from skillgraph.core.sampling import sample_graph
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_tuples import sharp_tuple_bound


def pair_bad_mass(graph, failed, beta):
    """Mass of ordered pairs whose product of competences is below 1 - beta, by outer product."""
    text_of_slot = np.repeat(np.arange(graph.n_texts), np.diff(graph.text_indptr))
    deg = np.bincount(graph.text_indices, minlength=graph.n_skills)
    hit = np.bincount(graph.text_indices[np.asarray(failed)[text_of_slot]],
                      minlength=graph.n_skills)  # fmt: skip
    comp = np.where(deg > 0, 1 - hit / np.maximum(deg, 1), np.nan)
    w = graph.skill_measure / graph.skill_measure.sum()
    bad = np.nan_to_num(np.outer(comp, comp), nan=1.0) < 1 - beta
    return float(w @ bad @ w)


@pytest.mark.parametrize("n_skills, n_texts", [(50, 5_000), (100, 20_000), (200, 100_000)])
def test_tuple_sandwich_valid_on_sampled_graphs(n_skills, n_texts):
    graph = sample_graph(n_skills, n_texts, 8, seed=n_skills)
    report = check(graph, 0.05, 0.5, t=2, seed=1, exact=False, sampled=True)
    tuples = report.tuples
    sw = report.sandwiches["tuple mass"]
    assert sw.lower.value == tuples.adversary.bad_mass
    assert tuples.adversary.bad_mass == pytest.approx(
        pair_bad_mass(graph, tuples.adversary.failed, 0.5), abs=1e-12
    )
    assert sw.upper is not None and sw.upper.scope == SCOPE_SAMPLED
    assert sw.lower.value <= sw.upper.value and not report.violated
    assert tuples.limit.lower <= tuples.limit.upper <= tuples.paper


def test_tuple_report_text_and_json(capsys):
    status = main(["check", "--n-skills", "60", "--n-texts", "6000", "--theta", "0.05",
                   "--beta", "0.5", "--t", "3", "--seed", "2", "--no-exact"])  # fmt: skip
    text = capsys.readouterr().out
    assert status == 0
    for words in ["t-tuples (tensor, t = 3)", "mu1-mass of bad tensor t-tuples",
                  "tuple certificate [this graph w.p. 1 - delta_fail]",
                  "sharp tuple law", "the paper allows alpha_star(3 theta)"]:  # fmt: skip
        assert words in text
    status = main(["check", "--n-skills", "60", "--n-texts", "6000", "--theta", "0.05",
                   "--beta", "0.5", "--t", "3", "--seed", "2", "--no-exact", "--json"])  # fmt: skip
    d = json.loads(capsys.readouterr().out)
    assert status == 0
    limit = sharp_tuple_bound(0.05, 0.5, 8, 3)
    assert d["tuples"]["t"] == 3
    assert d["tuples"]["limit"]["lower"] == pytest.approx(limit.lower, rel=1e-12)
    assert d["tuples"]["limit"]["upper"] == pytest.approx(limit.upper, rel=1e-12)
    sw = d["sandwiches"]["tuple mass"]
    assert sw["lower"]["scope"] == SCOPE_GRAPH and sw["upper"]["scope"] == SCOPE_SAMPLED
    assert sw["lower"]["value"] <= sw["upper"]["value"]
    limits = [s for s in d["statements"] if s["unit"] == "tuple mass" and s["side"] == "limit"]
    assert {s["scope"] for s in limits} == {SCOPE_MODEL} and len(limits) == 3


def test_t1_agrees_with_single_skills():
    graph = sample_graph(100, 20_000, 8, seed=4)
    report = check(graph, 0.1, 0.5, t=1, seed=4, exact=False, sampled=True)
    lim = report.tuples.limit
    assert lim.lower == pytest.approx(alpha_sharp(0.1, 0.5, 8), rel=1e-9)
    assert lim.upper == pytest.approx(alpha_sharp(0.1, 0.5, 8), rel=1e-9)
    # t = 1: bad tuple mass is the bad skill mass; no single-skill adversary beats the tuple one
    # by more than the certificate allows
    sw = report.sandwiches["tuple mass"]
    assert sw.lower.value <= sw.upper.value


def test_user_graph_tuple_certificate_is_model_only():
    graph = sample_graph(60, 6000, 8, seed=6)
    report = check(graph, 0.05, 0.5, t=2, seed=6, exact=False)
    sw = report.sandwiches["tuple mass"]
    assert sw.upper is None and [y.scope for y in sw.yardsticks] == [SCOPE_MODEL]


def test_bad_t():
    graph = sample_graph(20, 500, 4, seed=0)
    with pytest.raises(ValueError, match="t"):
        check(graph, 0.1, 0.5, t=0)


@pytest.mark.slow
@pytest.mark.parametrize("theta, t, ratio", [(0.05, 2, 1.3), (0.02, 4, 1.5), (0.05, 4, None)])
def test_sharp_at_scale(theta, t, ratio):
    """n_texts / n_skills = 1000: the adversary reaches the limit's lower side within 10%,
    and the certificate is within ``ratio`` of the adversary (the issue's targets)."""
    graph = sample_graph(1000, 1_000_000, 8, seed=7)
    report = check(graph, theta, 0.5, t=t, seed=7, exact=False, sampled=True)
    lower, upper = report.tuples.adversary.bad_mass, report.tuples.certificate.bound
    assert lower >= 0.9 * sharp_tuple_bound(theta, 0.5, 8, t).lower
    assert lower <= upper
    if ratio is not None:
        assert upper <= ratio * lower
