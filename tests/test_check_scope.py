"""check on any graph: every statement says for which graph it holds, and no sandwich inverts.

A configuration-model graph (every text piece 8 skills, skill degrees Zipf,
built here with numpy) is random *given its degrees* but far from the paper's
model; the Davis Southern Women graph is a small real bipartite graph.  On
both, every upper statement that the report says holds for this graph must
be at least every lower statement (adversaries) of the same unit; the
references are the adversaries' failure sets, recounted here.
"""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

from skillgraph.audit.report import check
from skillgraph.audit.statements import (
    SCOPE_DEGREES,
    SCOPE_GRAPH,
    SCOPE_MODEL,
    SCOPE_SAMPLED,
    Statement,
    sandwich,
)
from skillgraph.core.graph import SkillGraph
from skillgraph.core.sampling import sample_graph


def configuration_graph(n_skills, n_texts, k=8, exponent=1.0, seed=0):
    """Every text piece ``k`` slots; skill degrees multinomial with Zipf weights; slots shuffled."""
    rng = np.random.default_rng(seed)
    w = np.arange(1, n_skills + 1, dtype=float) ** -exponent
    degrees = rng.multinomial(n_texts * k, w / w.sum())
    slots = np.repeat(np.arange(n_skills), degrees)
    rng.shuffle(slots)
    return SkillGraph.from_text_skills(slots.reshape(n_texts, k), n_skills=n_skills)


def recount(graph, failed, beta):
    """Bad skills of a failure set, from the edge list."""
    text_of_slot = np.repeat(np.arange(graph.n_texts), np.diff(graph.text_indptr))
    skills = graph.text_indices
    deg = np.bincount(skills, minlength=graph.n_skills)
    hit = np.bincount(skills[np.asarray(failed)[text_of_slot]], minlength=graph.n_skills)
    return int(np.sum((deg > 0) & (hit > beta * deg)))


def assert_never_inverted(report):
    """Every upper statement holding for this graph >= every lower statement, per unit."""
    statements = report.statements
    for unit in {s.unit for s in statements}:
        lows = [s.value for s in statements if s.unit == unit and s.side == "lower"]
        ups = [s.value for s in statements if s.unit == unit and s.side == "upper"
               and s.scope in (SCOPE_GRAPH, SCOPE_SAMPLED)]  # fmt: skip
        if lows and ups:
            assert max(lows) <= min(ups), (unit, str(report))
    for sw in report.sandwiches.values():
        assert not sw.inverted


@pytest.fixture(scope="module")
def configuration_report():
    graph = configuration_graph(300, 30_000)
    return graph, check(graph, 0.1, 0.5, seed=0, exact=False)


def test_configuration_graph(configuration_report):
    graph, report = configuration_report
    assert_never_inverted(report)
    assert not report.sampled
    for name, a in report.adversaries.items():
        assert a.n_bad == recount(graph, a.failed, 0.5), name
    scopes = {s.name: s.scope for s in report.statements}
    assert scopes["certificate A (given degrees)"] == SCOPE_DEGREES
    assert scopes["certificate C (sharp)"] == SCOPE_MODEL
    assert scopes["greedy adversary"] == SCOPE_GRAPH
    # nothing bounds this graph from above but a model: the sandwich has no upper end
    assert report.sandwich[1] is None
    # the graph IS a random arrangement of its degrees: certificate A holds for it ...
    a_bound = report.certificate.candidates["conditional"] * graph.n_skills
    assert max(a.n_bad for a in report.adversaries.values()) <= a_bound
    # ... while the model of this size (uniform degrees) is beaten: the finding, not a sandwich
    assert report.violated and "far from the random-graph model" in report.message
    text = str(report)
    assert "no upper end holds for this graph itself" in text
    assert "model only: a random graph like this one allows" in text
    assert "model given these degrees" in text and "this graph is within it" in text


def test_configuration_graph_json(configuration_report):
    _, report = configuration_report
    d = json.loads(json.dumps(report.as_dict()))
    assert d["sampled_from_model"] is False
    sw = d["sandwiches"]["skills"]
    assert sw["upper"] is None and sw["inverted"] is False and sw["beyond_model"] is True
    assert {y["scope"] for y in sw["model_yardsticks"]} == {SCOPE_MODEL, SCOPE_DEGREES}
    assert {s["scope"] for s in d["statements"]} >= {SCOPE_GRAPH, SCOPE_MODEL, SCOPE_DEGREES}
    assert d["sandwich"]["upper"] is None


def test_davis_southern_women():
    report = check(nx.davis_southern_women_graph(), 0.2, 0.3, seed=0)
    assert_never_inverted(report)
    assert not report.sampled and "exact" in report.adversaries
    sw = report.sandwiches["skills"]
    # the exact MILP runs on this small graph: its solver bound is the upper end for THIS graph
    assert sw.upper is not None and sw.upper.scope == SCOPE_GRAPH
    assert sw.upper.name == "exact MILP (solver bound)"
    exact = report.adversaries["exact"]
    assert exact.optimal and sw.lower.value == exact.n_bad == sw.upper.value
    assert all(s.scope != SCOPE_SAMPLED for s in report.statements)


def test_sampled_graph_certificates_hold_for_it():
    graph = sample_graph(60, 6000, 8, seed=5)
    report = check(graph, 0.1, 0.5, seed=5, exact=False, sampled=True)
    assert report.sampled and not report.violated
    sw = report.sandwiches["skills"]
    assert sw.upper.scope == SCOPE_SAMPLED and sw.upper.value == report.certificate.n_bad_max
    assert sw.yardsticks == () and report.sandwich == (sw.lower.value, sw.upper.value)
    assert_never_inverted(report)
    # the same graph from a user: the certificates describe the model only
    user = check(graph, 0.1, 0.5, seed=5, exact=False)
    assert not user.sampled and user.sandwich[1] is None
    assert "not a sample of the random-graph model" in str(user)


def test_sampled_graph_with_uneven_degrees_is_not_treated_as_a_sample():
    graph = configuration_graph(100, 5000, seed=2)
    report = check(graph, 0.1, 0.5, seed=2, exact=False, source="sampled, seed 2")
    assert any(a.startswith("skill degrees are far more uneven") for a in report.assumptions)
    assert not report.sampled and report.sandwich[1] is None
    assert_never_inverted(report)


def test_zipf_graph_mass_sandwich():
    graph = sample_graph(200, 40_000, 8, skill_measure="zipf", seed=3)
    report = check(graph, 0.1, 0.5, seed=3, exact=False, sampled=True)
    assert_never_inverted(report)
    sw = report.sandwiches["mass"]
    masses = graph.skill_measure / graph.skill_measure.sum()
    best = max(report.adversaries.values(), key=lambda a: a.bad_fraction)
    text_of_slot = np.repeat(np.arange(graph.n_texts), np.diff(graph.text_indptr))
    deg = np.bincount(graph.text_indices, minlength=200)
    hit = np.bincount(graph.text_indices[best.failed[text_of_slot]], minlength=200)
    assert sw.lower.value == pytest.approx(masses[(deg > 0) & (hit > 0.5 * deg)].sum(), abs=1e-12)
    assert sw.upper is not None and sw.upper.scope == SCOPE_SAMPLED
    assert "mu1-mass of bad skills" in str(report)


def test_sandwich_from_statements():
    """The rule itself, on hand-made statements."""
    st = [
        Statement("adv", "lower", 5, "skills", SCOPE_GRAPH),
        Statement("adv2", "lower", 7, "skills", SCOPE_GRAPH),
        Statement("cert", "upper", 9, "skills", SCOPE_SAMPLED),
        Statement("milp", "upper", 8, "skills", SCOPE_GRAPH),
        Statement("model", "upper", 6, "skills", SCOPE_MODEL),
        Statement("limit", "limit", 1, "skills", SCOPE_MODEL),
    ]
    sw = sandwich(st, "skills")
    assert (sw.lower.name, sw.upper.name) == ("adv2", "milp")
    assert [y.name for y in sw.yardsticks] == ["model"] and sw.beyond_model and not sw.inverted
    assert sw.ratio == pytest.approx(8 / 7)
    assert sandwich(st, "mass") is None
    bad = sandwich([*st, Statement("cert2", "upper", 6, "skills", SCOPE_SAMPLED)], "skills")
    assert bad.inverted and bad.yardsticks == ()
