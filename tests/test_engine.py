"""The engines behind get_engine: what emerge and the sweeps run without naming an engine."""

import numpy as np
import pytest

from skillgraph._rng import child_seed
from skillgraph.core.engine import ENGINES, engine_name, get_engine
from skillgraph.core.failures import nested_failure_sets
from skillgraph.core.sampling import sample_graph

SHAPE = (60, 400, 3)
# theta * n_texts is an integer at each rate: the exact failure counts need no rounding rule
THETAS = [0.1, 0.25, 0.5]
MODELS = ("random", "deficit")


def _sets(name: str) -> dict:
    root = np.random.SeedSequence(7)
    seeds = [child_seed(root, 1 + mi) for mi in range(len(MODELS))]
    engine = get_engine(name)
    sets = engine.failure_sets(SHAPE, MODELS, THETAS, child_seed(root, 0), seeds)
    return {(mi, si): counts for mi, si, counts in sets}


@pytest.mark.parametrize("name", ENGINES)
def test_failure_sets_cover_every_model_and_rate_and_are_nested(name):
    sets = _sets(name)
    assert sorted(sets) == [(mi, si) for mi in range(len(MODELS)) for si in range(len(THETAS))]
    n_skills, n_texts, k = SHAPE
    for mi in range(len(MODELS)):
        failed = [sets[mi, si].failed_edges for si in range(len(THETAS))]
        # nested sets: no skill loses a failed edge when theta grows
        assert all(np.all(a <= b) for a, b in zip(failed, failed[1:], strict=False))
        for si in range(len(THETAS)):
            counts = sets[mi, si]
            assert counts.degrees.sum() == n_texts * k
            # every failed text piece fails its k edges (a k-regular graph)
            assert counts.failed_edges.sum() == k * counts.n_failed_texts


def test_graph_engine_fails_exactly_theta_n_texts_under_random():
    sets = _sets("graph")
    for si, theta in enumerate(THETAS):
        assert sets[0, si].n_failed_texts == int(theta * SHAPE[1] + 0.5)


def test_both_engines_count_the_same_graph():
    graph, streamed = _sets("graph"), _sets("stream")
    for key in graph:
        np.testing.assert_array_equal(graph[key].degrees, streamed[key].degrees)


@pytest.mark.parametrize("model", MODELS)
def test_nested_failure_sets_are_nested_masks(model):
    graph = sample_graph(*SHAPE, seed=3)
    masks = list(nested_failure_sets(graph, model, THETAS, np.random.SeedSequence(4)))
    assert len(masks) == len(THETAS) and all(m.shape == (SHAPE[1],) for m in masks)
    assert all(np.all(a <= b) for a, b in zip(masks, masks[1:], strict=False))  # a subset of b
    if model == "random":
        assert [int(m.sum()) for m in masks] == [40, 100, 200]


def test_engine_capabilities():
    assert get_engine("graph").keeps_graph and not get_engine("stream").keeps_graph
    assert set(get_engine("stream").failures) <= set(get_engine("graph").failures)
    graph = get_engine("graph").simulate(SHAPE, 0.25, graph_seed=1, failure_seed=2)
    streamed = get_engine("stream").simulate(SHAPE, 0.25, graph_seed=1)
    assert graph.graph is not None and graph.failed is not None
    assert streamed.graph is None and streamed.failed is None
    np.testing.assert_array_equal(graph.counts.degrees, streamed.counts.degrees)


def test_cost_grows_with_the_graph_only_when_it_is_kept():
    small, large = (1000, 10_000, 8), (1000, 1_000_000, 8)
    graph, stream = get_engine("graph"), get_engine("stream")
    assert graph.cost(large, 4)[0] == 100 * graph.cost(small, 4)[0]
    assert stream.cost(large, 4)[0] == stream.cost(small, 4)[0]
    for engine in (graph, stream):  # one pass per failure set at least
        assert engine.cost(large, 8)[1] > engine.cost(large, 4)[1] > 0


def test_engine_names_and_aliases():
    assert engine_name("materialize") == "graph" and engine_name("stream") == "stream"
    assert engine_name("auto", auto=True) == "auto"
    with pytest.raises(ValueError, match="engine"):
        engine_name("auto")
    with pytest.raises(ValueError, match="engine"):
        get_engine("dask")
