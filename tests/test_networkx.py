"""networkx graphs in: directed graphs refused, multigraphs counted, node names carried through."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from skillgraph import check
from skillgraph.core.graph import SkillGraph


@pytest.fixture(scope="module")
def davis():
    # Davis Southern Women: 18 women (bipartite=0, the skills here) at 14 events, 89 edges
    return nx.davis_southern_women_graph()


def test_davis_is_read_edge_for_edge(davis):
    g = SkillGraph.from_networkx(davis)
    assert (g.n_skills, g.n_texts, g.n_edges) == (18, 14, 89)
    women = [n for n, d in davis.nodes(data=True) if d["bipartite"] == 0]
    assert g.skill_names == tuple(women)
    for s, woman in enumerate(women):
        assert g.degrees[s] == davis.degree(woman)


@pytest.mark.parametrize("directed", [nx.DiGraph, nx.MultiDiGraph])
def test_directed_graphs_are_refused(davis, directed):
    G = directed(davis)  # each edge in both directions: once read as 178 edges
    with pytest.raises(TypeError, match="to_undirected"):
        SkillGraph.from_networkx(G)
    assert SkillGraph.from_networkx(G.to_undirected()).n_edges == 89


def test_multigraph_parallel_edges_add_up():
    G = nx.MultiGraph()
    G.add_node("algebra", bipartite=0)
    G.add_node("logic", bipartite=0)
    G.add_node("doc", bipartite=1)
    G.add_edge("algebra", "doc")
    G.add_edge("algebra", "doc")
    G.add_edge("logic", "doc", multiplicity=3)
    g = SkillGraph.from_networkx(G)
    np.testing.assert_array_equal(g.degrees, [2, 3])
    assert g.text_names == ("doc",)


def test_partial_measure_is_refused_with_the_nodes_named():
    G = nx.Graph()
    G.add_node("a", bipartite=0, measure=0.5)
    G.add_node("b", bipartite=0)
    G.add_node("t", bipartite=1)
    G.add_edges_from([("a", "t"), ("b", "t")])
    with pytest.raises(ValueError, match=r"1 of its 2 skill nodes.*'b'"):
        SkillGraph.from_networkx(G)
    G.nodes["b"]["measure"] = 1.5
    np.testing.assert_allclose(SkillGraph.from_networkx(G).skill_measure, [0.25, 0.75])


def test_names_round_trip_through_to_networkx(davis):
    g = SkillGraph.from_networkx(davis)
    H = g.to_networkx()
    assert set(H.nodes) == set(davis.nodes)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in davis.edges}


def test_with_names_checks_lengths():
    g = SkillGraph.from_text_skills(np.array([[0, 1], [1, 2]]))
    with pytest.raises(ValueError, match="skill_names must be 3 distinct names"):
        g.with_names(["a", "b"])
    with pytest.raises(ValueError, match="text_names"):
        g.with_names(None, ["x", "x"])
    named = g.with_names(["a", "b", "c"])
    np.testing.assert_array_equal(named.degrees, g.degrees)
    assert repr(named) == repr(g)


def test_check_reports_bad_skills_by_name(davis):
    report = check(davis, 0.3, 0.5, seed=0, exact=False)
    women = {n for n, d in davis.nodes(data=True) if d["bipartite"] == 0}
    # independent count: a woman is bad when more than half her events failed
    for name, outcome in report.adversaries.items():
        names = report.bad_skills(name)
        assert len(names) == outcome.n_bad and set(names) <= women
        events = [n for n, d in davis.nodes(data=True) if d["bipartite"] == 1]
        failed_events = {e for e, f in zip(events, outcome.failed, strict=True) if f}
        expected = {w for w in women
                    if sum(e in failed_events for e in davis[w]) > davis.degree(w) / 2}  # fmt: skip
        assert set(names) == expected, name
    assert report.bad_skills() == report.adversaries[report.best].bad_skills
    assert len(report.bad_skills()) > 0  # the comparison above is not only of empty sets
    unnamed = check(SkillGraph.from_text_skills(np.array([[0, 1], [1, 2], [2, 0]])), 0.34, 0.4,
                    seed=0, exact=False)  # fmt: skip
    assert all(isinstance(s, int) for s in unnamed.bad_skills())
