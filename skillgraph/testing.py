"""Hypothesis strategies for property tests of bounds against skill graphs.

Import these in your own test suite to check that *your* bound holds on every
graph hypothesis can find::

    from hypothesis import given
    from skillgraph.core import competence
    from skillgraph.testing import bound_params, failure_masks, skill_graphs

    @given(data=st.data(), graph=skill_graphs(max_skills=8, max_texts=40))
    def test_my_bound(data, graph):
        failed = data.draw(failure_masks(graph, theta=0.1))
        ...

All strategies shrink towards small graphs and few failures.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from skillgraph._validation import check_int, check_probability
from skillgraph.core.graph import SkillGraph, skill_measure_array

__all__ = ["skill_graphs", "failure_masks", "bound_params", "skill_measures"]


def skill_measures(n_skills: int):
    """Skill measures ``mu1`` on ``n_skills`` skills: uniform, Zipf, or random positive weights."""
    n_skills = check_int("n_skills", n_skills, 1)
    uniform = st.just(skill_measure_array(n_skills))
    zipf = st.floats(0.0, 3.0).map(lambda a: skill_measure_array(n_skills, "zipf", a))
    weights = st.lists(
        st.floats(0.01, 1.0), min_size=n_skills, max_size=n_skills
    ).map(lambda w: skill_measure_array(n_skills, np.asarray(w)))
    return st.one_of(uniform, zipf, weights)


def skill_graphs(
    max_skills: int = 10,
    max_texts: int = 50,
    k=None,
    skill_measure=None,
    replace: bool = True,
):
    """Strategy for :class:`~skillgraph.core.graph.SkillGraph` objects with arbitrary edges.

    The graphs are *any* regular graphs of the given sizes, not only typical
    samples of the random model: hypothesis searches the edge sets directly,
    so it can find the lopsided graphs where a bound is weakest.

    Parameters
    ----------
    max_skills, max_texts : int
        Largest sizes drawn (at least 1 each).
    k : int or None
        Skills per text piece; ``None`` draws it from 1 to ``min(4, max_skills)``.
    skill_measure : {"uniform", "zipf"}, array_like or None
        ``None`` draws a measure with :func:`skill_measures`.
    replace : bool
        ``False`` gives ``k`` distinct skills per text piece.
    """
    max_skills = check_int("max_skills", max_skills, 1)
    max_texts = check_int("max_texts", max_texts, 1)
    if k is not None:
        k = check_int("k", k, 1)
        if not replace and k > max_skills:
            raise ValueError(f"k must be <= max_skills ({max_skills}) when replace=False")
    return _skill_graphs(max_skills, max_texts, k, skill_measure, bool(replace))


@st.composite
def _skill_graphs(draw, max_skills, max_texts, k, skill_measure, replace):
    min_skills = 1 if (k is None or replace) else k
    n_skills = draw(st.integers(min_skills, max_skills), label="n_skills")
    if k is None:
        kk = draw(st.integers(1, min(4, n_skills) if not replace else 4), label="k")
    else:
        kk = k
    n_texts = draw(st.integers(1, max_texts), label="n_texts")
    if replace:
        rows = st.lists(st.integers(0, n_skills - 1), min_size=kk, max_size=kk)
    else:
        rows = st.lists(
            st.integers(0, n_skills - 1), min_size=kk, max_size=kk, unique=True
        )
    text_skills = draw(st.lists(rows, min_size=n_texts, max_size=n_texts), label="text_skills")
    if skill_measure is None:
        measure = draw(skill_measures(n_skills), label="skill_measure")
    elif isinstance(skill_measure, str):
        measure = skill_measure_array(n_skills, skill_measure)
    else:
        measure = skill_measure
    return SkillGraph.from_text_skills(
        np.asarray(text_skills, dtype=np.int64).reshape(n_texts, kk),
        n_skills=n_skills,
        skill_measure=measure,
    )


def failure_masks(graph: SkillGraph, theta: float | None = None):
    """Strategy for failure sets ``Y`` of ``graph`` (boolean arrays of length ``n_texts``).

    With ``theta``, exactly ``round(theta * n_texts)`` texts fail (any such
    set: the theorems quantify over all of them); without, any subset.
    """
    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    n = graph.n_texts
    if theta is None:
        return st.lists(st.booleans(), min_size=n, max_size=n).map(
            lambda bits: np.asarray(bits, dtype=bool)
        )
    theta = check_probability("theta", theta, open_low=False, open_high=False)
    m = int(round(theta * n))

    def to_mask(chosen):
        mask = np.zeros(n, dtype=bool)
        mask[list(chosen)] = True
        return mask

    return st.sets(st.integers(0, n - 1), min_size=m, max_size=m).map(to_mask)


@st.composite
def bound_params(draw, min_theta=1e-4, max_theta=0.3, max_k=64):
    """Strategy for valid ``(theta, beta, k)`` triples of the emergence bound.

    The bound is on the documentation page :doc:`/theory/theorem1`.

    ``theta`` log-uniform in ``[min_theta, max_theta]``, ``beta`` in
    ``[0.05, 0.9]``, ``k`` from 1 to ``max_k``; returned as a dict.
    """
    log_theta = draw(st.floats(np.log10(min_theta), np.log10(max_theta)), label="log10 theta")
    beta = draw(st.floats(0.05, 0.9), label="beta")
    k = draw(st.integers(1, max_k), label="k")
    return {"theta": float(10.0**log_theta), "beta": float(beta), "k": int(k)}
