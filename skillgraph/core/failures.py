"""Failure models: where the failure set ``Y`` of text pieces comes from.

The mathematics is on the documentation page :doc:`/theory/failure_models`.

The theorems hold for every ``Y`` of measure ``theta``; these models give
typical cases (:func:`random_failures`), a structured case in which composition is costly
(:func:`deficit_failures`), and the user's own data (:func:`as_mask`).  The worst cases are in
:mod:`skillgraph.audit.adversary`.  Each function returns a boolean array of length
``n_texts``: ``True`` where the model fails the text piece.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from skillgraph._jit import kernels
from skillgraph._rng import as_generator, as_seed_sequence, kernel_key
from skillgraph._validation import check_bool_array, check_probability
from skillgraph.core.graph import SkillGraph

__all__ = [
    "FAILURE_MODELS",
    "random_failures",
    "deficit_failures",
    "as_mask",
    "failure_count",
    "nested_failure_sets",
]


def _check_graph(graph) -> SkillGraph:
    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    return graph


def failure_count(n_texts: int, theta: float) -> int:
    """``round(theta * n_texts)``, the size of an exact failure set (half rounds to even)."""
    return int(round(theta * n_texts))


def random_failures(
    graph: SkillGraph, theta: float, *, exact: bool = True, seed=None
) -> np.ndarray:
    """Fail text pieces at random.

    Parameters
    ----------
    graph : SkillGraph
    theta : float
        Failure rate, in [0, 1].
    exact : bool
        ``True``: exactly ``round(theta * n_texts)`` text pieces, a uniformly
        random subset.  ``False``: each text fails independently with
        probability ``theta`` (Bernoulli; the count varies).
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    ndarray of bool, shape (n_texts,)

    Notes
    -----
    :ref:`theory-failure-random`.  O(n_texts).  With ``exact=False`` the mask
    is drawn in parallel by the counter-based rule of
    :func:`skillgraph.stream` (text ``i`` fails when the first output of its
    own stream is below ``theta``), so it is the same for any number of
    threads, and ``stream(..., seed=s)`` fails exactly the text pieces that
    ``random_failures(graph, theta, exact=False, seed=child)`` fails, ``child`` being
    ``SeedSequence(s).spawn(1)[0]``.
    """
    graph = _check_graph(graph)
    theta = check_probability("theta", theta, open_low=False, open_high=False)
    if not isinstance(exact, bool | np.bool_):
        raise TypeError(f"exact must be True or False, got {type(exact).__name__} {exact!r}")
    n = graph.n_texts
    if not exact:
        mask = np.empty(n, dtype=bool)
        kernels().bernoulli_failures(kernel_key(as_seed_sequence(seed)), float(theta), mask)
        return mask
    rng = as_generator(seed)
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=failure_count(n, theta), replace=False)] = True
    return mask


def deficit_failures(graph: SkillGraph, theta: float, *, seed=None) -> np.ndarray:
    """The deficit model: the model has not learned some skills.

    See :ref:`theory-failure-deficit`.

    Skills are marked unlearned one at a time, in a uniformly random order,
    until the text pieces that use an unlearned skill number at least
    ``m = round(theta * n_texts)``; every text using one of the earlier
    unlearned skills fails, and the texts brought in by the last skill are
    subsampled uniformly so that exactly ``m`` fail.

    Parameters
    ----------
    graph : SkillGraph
    theta : float
        Failure rate, in [0, 1].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    ndarray of bool, shape (n_texts,)
        Exactly ``round(theta * n_texts)`` ``True`` values.

    Notes
    -----
    A text fails as soon as one of its skills is unlearned, so tuples of
    skills fail more often than single skills: the model in which composition
    is costly.  Computed in O(n_edges) from each text's earliest unlearned
    skill (its minimum rank in the random order).  Text pieces without skills
    never fail through a skill; if they are needed to reach ``m`` they are
    taken last, at random.
    """
    graph = _check_graph(graph)
    theta = check_probability("theta", theta, open_low=False, open_high=False)
    rng = as_generator(seed)
    n = graph.n_texts
    m = failure_count(n, theta)
    order = rng.permutation(graph.n_skills)  # order[i]: the i-th skill to be unlearned
    rank = np.empty(graph.n_skills, dtype=np.int32)
    rank[order] = np.arange(graph.n_skills)
    # A text fails once the skill of smallest rank among its skills is unlearned;
    # n_skills: no skill (never fails through one).  int32, one pass over the slots.
    first = np.empty(n, dtype=np.int32)
    k = graph.k if graph.is_regular and graph.n_edges else 0
    texts_by_first = kernels().row_min_counts(graph.text_indptr, graph.text_indices, k, rank,
                                              graph.n_skills, first)  # fmt: skip
    cumulative = np.cumsum(texts_by_first)
    last = int(np.searchsorted(cumulative, m))  # smallest rank r with cumulative[r] >= m
    mask = first < last
    need = m - int(mask.sum())
    if need > 0:
        candidates = np.flatnonzero(first == last)
        mask[rng.choice(candidates, size=need, replace=False)] = True
    return mask


def as_mask(graph: SkillGraph, mask) -> np.ndarray:
    """Validate a user's failure set: a boolean array of length ``n_texts``.

    Returns a read-only copy.  Integer 0/1 arrays are refused, so that an
    array of text ids is never mistaken for a mask.
    """
    graph = _check_graph(graph)
    arr = check_bool_array("mask", mask, graph.n_texts).copy()
    arr.setflags(write=False)
    return arr


#: The failure models by name: the one list that the command line, sweep specs,
#: ``emerge`` and the sweep registry read.  Each maps ``(graph, theta, seed=...)``
#: to a boolean mask of failed text pieces; the models in
#: :data:`~skillgraph.core.streaming.STREAM_FAILURES` can also be streamed.
FAILURE_MODELS = {"random": random_failures, "deficit": deficit_failures}


def nested_failure_sets(graph, model: str, thetas, seed) -> Iterator[np.ndarray]:
    """Failure masks of ``model`` on ``graph`` at each ``theta``, nested across ``thetas``.

    Common random numbers across scales: each replicate's curve is then
    monotone in scale (up to tuple sampling) and the differences between
    scales are not drowned by independent noise.

    * ``random``: the first ``round(theta n_texts)`` text pieces of one random
      permutation, which is exactly the model's law at every ``theta``.
    * any other model of :data:`FAILURE_MODELS`:
      called afresh with the same ``seed`` at every ``theta`` (``deficit``
      draws its random skill order first, so its sets are nested).

    Parameters
    ----------
    graph : SkillGraph
    model : str
        A name of :data:`FAILURE_MODELS`.
    thetas : sequence of float
    seed : SeedSequence
        The failure sets' seed.

    Yields
    ------
    ndarray of bool, shape (n_texts,)
    """
    if model == "random":
        order = np.random.default_rng(seed).permutation(graph.n_texts)
        for theta in thetas:
            mask = np.zeros(graph.n_texts, dtype=bool)
            mask[order[: failure_count(graph.n_texts, float(theta))]] = True
            yield mask
        return
    for theta in thetas:
        yield FAILURE_MODELS[model](graph, float(theta), seed=np.random.default_rng(seed))


_DEPRECATED = {"random": random_failures, "deficit": deficit_failures}


def __getattr__(name: str):
    if name in _DEPRECATED:
        import warnings

        new = _DEPRECATED[name].__name__
        warnings.warn(
            f"skillgraph.core.failures.{name} is now {new} (it shadowed the standard library's "
            "random); the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return _DEPRECATED[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
