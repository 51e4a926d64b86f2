"""The public hypothesis strategies produce what they promise."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph.core.graph import SkillGraph
from skillgraph.testing import bound_params, failure_masks, skill_graphs, skill_measures


@given(graph=skill_graphs(max_skills=6, max_texts=12, k=3, replace=False))
def test_skill_graphs_respect_parameters(graph):
    assert isinstance(graph, SkillGraph)
    assert 3 <= graph.n_skills <= 6 and 1 <= graph.n_texts <= 12 and graph.k == 3
    assert np.all(np.diff(np.sort(graph.text_skills, axis=1), axis=1) > 0)
    assert graph.skill_measure.sum() == pytest.approx(1.0)


@given(data=st.data(), graph=skill_graphs(max_skills=5, max_texts=20), theta=st.floats(0, 1))
def test_failure_masks_have_exact_size(data, graph, theta):
    mask = data.draw(failure_masks(graph, theta=theta))
    assert mask.dtype == np.bool_ and mask.shape == (graph.n_texts,)
    assert mask.sum() == round(theta * graph.n_texts)


@given(params=bound_params())
def test_bound_params_in_range(params):
    assert 1e-4 <= params["theta"] <= 0.3 + 1e-12
    assert 0.05 <= params["beta"] <= 0.9 and 1 <= params["k"] <= 64


@given(mu=skill_measures(5))
def test_skill_measures_are_probability_vectors(mu):
    assert mu.shape == (5,) and np.all(mu >= 0) and mu.sum() == pytest.approx(1.0)


def test_strategy_arguments_validated():
    with pytest.raises(ValueError, match="max_skills"):
        skill_graphs(max_skills=0)
    with pytest.raises(ValueError, match="k must be <="):
        skill_graphs(max_skills=2, k=3, replace=False)
    with pytest.raises(TypeError, match="graph"):
        failure_masks("graph")


def test_readme_example_runs():
    """The property test shown in README.md, run as users would run it."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = re.search(r"```python\n(from hypothesis.*?)```", readme, re.S).group(1)
    namespace: dict = {}
    exec(block, namespace)
    namespace["test_averaging_bound_holds_on_every_graph"]()
