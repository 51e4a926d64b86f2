"""Sampling the paper's random text–skill graph: alias tables and :func:`sample_graph`.

Each of ``n_texts`` text pieces draws ``k`` skills i.i.d. from the skill
measure ``mu1``.  The draws come from counter-based random streams (see
``skillgraph._kernels``): text piece ``i``'s skills depend only on the seed and
on ``i``, so :func:`sample_graph` and :func:`skillgraph.stream` give the same
graph for the same seed, whatever the number of threads.
"""

from __future__ import annotations

import numpy as np

from skillgraph._jit import kernels
from skillgraph._resources import check_memory, check_time
from skillgraph._rng import as_seed_sequence, kernel_key
from skillgraph.core.graph import GraphShape, SkillGraph

__all__ = ["sample_graph", "alias_table", "sampler_tables"]

#: bytes per skill of the measure, alias tables and degree counts, counted before allocating
SKILL_TABLE_BYTES = 48
#: a conservative rate of the materialised sampler on a slow 2-core machine, for estimates
GRAPH_SLOTS_PER_SECOND = 5e7


def alias_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for ``probs`` (Vose's construction), for the sampler.

    Returns ``(threshold, alias)``: draw ``s`` uniform and a 32-bit coin ``c``;
    the skill is ``s`` if ``c < threshold[s]`` else ``alias[s]``.  Thresholds are
    probabilities scaled to ``2**32`` (resolution 2.3e-10).

    Notes
    -----
    O(n) in a numba kernel (``skillgraph._kernels.alias_table``); 1e7 skills
    take well under a second.  :ref:`theory-graph-model` (the skill measure ``mu1``).
    """
    probs = np.ascontiguousarray(probs, dtype=np.float64)
    if probs.ndim != 1 or probs.shape[0] < 1:
        raise ValueError(f"probs must be a non-empty 1-D array, got shape {probs.shape}")
    return kernels().alias_table(probs)


def sampler_tables(skill_measure, zipf_exponent, probs) -> tuple[bool, np.ndarray, np.ndarray]:
    """How the kernels draw skills from ``mu1``: ``(use_alias, threshold, alias)``.

    The named uniform measure (or Zipf with exponent 0) is drawn directly, one
    32-bit word per skill; any other measure through Walker's alias table,
    one 64-bit output per skill (``skillgraph._kernels``).  ``sample_graph``
    and ``skillgraph.stream`` share this choice, so that the same seed gives
    them the same graph.
    """
    uniform = isinstance(skill_measure, str) and (
        skill_measure == "uniform" or float(zipf_exponent) == 0.0
    )
    if uniform:
        return False, np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    threshold, alias = alias_table(probs)
    return True, threshold, alias


def sample_graph(
    n_skills: int,
    n_texts: int,
    k: int,
    *,
    skill_measure="uniform",
    zipf_exponent: float = 1.0,
    replace: bool = True,
    seed=None,
) -> SkillGraph:
    """Sample the paper's random text–skill graph (:ref:`theory-graph-model`).

    Each of ``n_texts`` text pieces draws ``k`` skills i.i.d. from ``mu1``.

    Parameters
    ----------
    n_skills : int
        Number of skills, 1 to 2**31 - 1.
    n_texts : int
        Number of text pieces, >= 1.
    k : int
        Skills per text piece, >= 1 (and <= the number of skills of positive
        measure when ``replace=False``).
    skill_measure : {"uniform", "zipf"} or array_like
        ``mu1``, see :func:`skillgraph.core.graph.skill_measure_array`.
    zipf_exponent : float
        Exponent ``a`` of ``mu1(s) ∝ (s + 1) ** -a`` when ``skill_measure="zipf"``,
        in [0, 50] (checked whatever the measure).
    replace : bool
        ``True`` (the paper): draws with replacement, so a text may use a skill
        twice (an edge of multiplicity 2).  ``False``: ``k`` distinct skills,
        drawn successively from ``mu1`` restricted to the skills not yet taken.
    seed : int, SeedSequence, Generator or None
        Randomness; the same seed gives the same graph, whatever the number of
        numba threads.

    Returns
    -------
    SkillGraph

    Raises
    ------
    ValueError, TypeError
        On invalid parameters, before any work.
    MemoryError
        If the graph would not fit in memory (use :func:`skillgraph.stream`).

    Notes
    -----
    O(n_texts k) time (O(n_texts k^2) with ``replace=False``), in parallel over
    text pieces; O(1) per draw for any measure (alias method).  Text piece
    ``i``'s skills depend only on the seed and on ``i`` (counter-based
    streams, see ``skillgraph._kernels``).

    Examples
    --------
    >>> g = sample_graph(100, 1000, 4, seed=1)
    >>> g.text_skills.shape
    (1000, 4)
    """
    shape = GraphShape.check(n_skills, n_texts, k, skill_measure, zipf_exponent)
    n_skills, n_texts, k = shape.n_skills, shape.n_texts, shape.k
    if not isinstance(replace, bool | np.bool_):
        raise TypeError(f"replace must be a bool, got {type(replace).__name__}")
    edge_slots = n_texts * k
    check_memory(
        4 * edge_slots + 8 * (n_texts + 1) + SKILL_TABLE_BYTES * n_skills,
        f"a graph with {edge_slots:,} edge slots and {n_skills:,} skills",
    )
    check_time(edge_slots / GRAPH_SLOTS_PER_SECOND, f"sampling {edge_slots:,} edge slots")
    probs = shape.probs()
    if not replace:
        support = int(np.count_nonzero(probs))
        if k > support:
            raise ValueError(
                f"k must be <= the number of skills of positive measure ({support}) when "
                f"replace=False, got k={k}"
            )
    key = kernel_key(as_seed_sequence(seed))
    use_alias, threshold, alias = sampler_tables(shape.skill_measure, shape.zipf_exponent, probs)
    # one parallel pass draws the edges, writes the row pointers and counts the degrees
    text_skills, indptr, degrees = kernels().sample_graph_arrays(
        key, 0, n_texts, k, n_skills, threshold, alias, probs, use_alias, bool(replace)
    )
    return SkillGraph._from_csr(
        indptr, text_skills.ravel(), n_skills, probs, degrees=degrees, k=k
    )
