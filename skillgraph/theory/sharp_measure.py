"""Certificate C for any skill measure: a certified bound on the bad ``mu1``-mass.

In the limit the sharp law holds for any ``mu1`` with bad skills counted by
mass (:ref:`theory-sharp-any-measure`).  At finite size certificate C's union
over ``z``-sets must cover sets of unequal mass.  This module does it by
bounding, for every set size ``z``, the Chernoff term over the whole range of
masses the relevant ``z``-sets can have (cut into cells; on each cell the
moment generating function is convex in the mass, so its ends bound it),
after reducing "bad mass at least ``A``" to a *minimal* all-bad set, whose
mass lies in ``[A, A z / (z - 1))`` (:ref:`theory-sharp-mass-certificate`).
Pure numpy/scipy; never imports numba.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from scipy.stats import binom

from skillgraph._display import JsonRecord
from skillgraph._docstrings import fill_doc
from skillgraph._skill_measure import checked_measure, measure_probs
from skillgraph.theory._text import CERTIFICATE_DOCS
from skillgraph.theory.certificate_base import (
    check_certificate_args,
    log_binomial,
    rounding_slack,
)
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_certificate import chernoff_log_bounds

__all__ = ["MassCertificate", "certified_sharp_mass", "measure_weights"]

#: ratio of consecutive mass cells (the granularity of the certified mass)
CELL_RATIO = 1.01
#: ratio of the coarse cells above 8 times the start of the search
COARSE_RATIO = 1.1


def measure_weights(n_skills: int, skill_measure="uniform", zipf_exponent: float = 1.0):
    """``mu1`` as float64 weights summing to 1, from a name or weights.

    The same measures, checks and numbers as the graph sampler's
    :func:`~skillgraph.core.graph.skill_measure_array` (one definition for
    both; ``None`` also means uniform), without loading numba.
    """
    if skill_measure is None:
        skill_measure = "uniform"
    return measure_probs(n_skills, *checked_measure(n_skills, skill_measure, zipf_exponent))


def _binomial_log_pmf(a: np.ndarray, k: int) -> np.ndarray:
    """``log P[Binomial(k, a) = x]``, ``x = 0..k``, one row per ``a``."""
    return binom.logpmf(np.arange(k + 1)[None, :], k, np.asarray(a, dtype=np.float64)[:, None])


def _sparse_max(values: np.ndarray):
    """Range-maximum table: ``query(i, j)`` = ``max(values[i:j+1])`` (``-inf`` if empty)."""
    levels = [values]
    while 2 ** len(levels) <= values.size:
        prev, w = levels[-1], 2 ** (len(levels) - 1)
        levels.append(np.maximum(prev[:-w], prev[w:]))

    def query(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        empty = j < i
        span = np.maximum(j - i + 1, 1)
        lev = np.floor(np.log2(span)).astype(np.int64)
        out = np.full(i.shape, -np.inf)
        for level in np.unique(lev[~empty]):
            sel = (~empty) & (lev == level)
            tab = levels[level]
            out[sel] = np.maximum(tab[i[sel]], tab[j[sel] - 2**level + 1])
        return out

    return query


@dataclass(frozen=True)
class _Sizes:
    """Per set size ``z``: the lightest and heaviest mass, ``log C(n_pos, z)``."""

    z: np.ndarray
    light: np.ndarray
    heavy: np.ndarray
    log_choose: np.ndarray


def _sizes(weights: np.ndarray) -> _Sizes:
    w = np.sort(weights[weights > 0])
    z = np.arange(1, w.size + 1)
    choose = log_binomial(w.size, z)
    return _Sizes(z, np.cumsum(w), np.cumsum(w[::-1]), choose + rounding_slack(choose))


def _log_union(mass: float, sizes: _Sizes, edges: np.ndarray, query) -> float:
    """Log bound on P[some all-bad set has mass >= mass], ``mass`` a cell edge.

    A minimal such set of ``z`` skills has mass in ``[mass, mass z/(z-1))`` (any
    mass for ``z = 1``) and between the ``z`` lightest and heaviest weights.
    """
    z = sizes.z.astype(np.float64)
    lo = np.maximum(mass, sizes.light)
    hi = np.minimum(np.where(z > 1, mass * z / np.maximum(z - 1, 1), np.inf), sizes.heavy)
    ok = lo <= hi
    if not ok.any():
        return -math.inf
    first = np.searchsorted(edges, lo[ok], side="right") - 1  # cell holding lo
    last = np.searchsorted(edges, hi[ok], side="left") - 1  # cell holding hi
    last = np.clip(last, first, edges.size - 2)
    terms = sizes.log_choose[ok] + query(first, last)
    return float(logsumexp(terms))


@dataclass(frozen=True)
class MassCertificate(JsonRecord):
    """Certificate C for a skill measure: a bound on the ``mu1``-mass of bad skills.

    Attributes
    ----------
    mass_max : float
        With probability at least ``1 - delta_fail`` over the random graph, no
        failure set of ``n_failed`` text pieces leaves bad skills of total
        ``mu1``-mass ``mass_max`` or more.  ``1.0`` when nothing is certified.
    limit : float
        ``alpha_sharp(theta, beta, k)``, the limit of the worst bad mass.
    log_fail_prob : float
        The union bound at ``mass_max`` (``-inf`` when trivial).
    vacuous : bool
        Nothing beyond the trivial value was certified.
    delta_fail, n_skills, n_texts, k, theta, beta, n_failed : the inputs
        (``n_failed = round(theta n_texts)``).
    uniform : bool
        Whether the measure was uniform.
    """

    mass_max: float
    limit: float
    log_fail_prob: float
    vacuous: bool
    delta_fail: float
    n_skills: int
    n_texts: int
    k: int
    theta: float
    beta: float
    n_failed: int
    uniform: bool


def _search(weights, n_texts, k, m, beta, log_delta, start) -> tuple[float, float]:
    """Smallest cell edge ``>= start`` whose union bound is ``<= log_delta``."""
    w_pos = weights[weights > 0]
    sizes = _sizes(w_pos)
    low = max(float(w_pos.min()), start)
    # fine cells up to 8x the start, where the certified mass lies; coarse ones above
    # (they mostly bound the few small sets of heavy skills)
    fine = low * CELL_RATIO ** np.arange(int(math.log(8.0) / math.log(CELL_RATIO)) + 1)
    coarse = fine[-1] * COARSE_RATIO ** np.arange(1, int(math.log(1.0 / low) / 0.09) + 2)
    edges = np.unique(np.minimum(np.concatenate([fine, coarse, [1.0]]), 1.0))
    n_cells = edges.size - 1
    lo, hi = _binomial_log_pmf(edges[:-1], k), _binomial_log_pmf(edges[1:], k)
    query = _sparse_max(chernoff_log_bounds(lo, n_texts, m, beta, log_weights_high=hi))
    for e in range(n_cells):
        lp = _log_union(float(edges[e]), sizes, edges, query)
        if lp <= log_delta:
            return float(edges[e]), lp
    return 1.0, -math.inf


@fill_doc(**CERTIFICATE_DOCS)
def certified_sharp_mass(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    beta: float,
    skill_measure="uniform",
    *,
    delta_fail: float = 1e-6,
    zipf_exponent: float = 1.0,
) -> MassCertificate:
    """Certificate C for any skill measure: a certified bound on the bad mass.

    Parameters
    ----------
    %(inputs)s
    %(beta)s
    skill_measure : "uniform", "zipf" or array_like, default "uniform"
        ``mu1``, as in :func:`~skillgraph.core.sampling.sample_graph`: each
        text piece draws its ``k`` skills i.i.d. from it.
    %(delta_fail)s
    zipf_exponent : float, default 1.0
        Exponent of ``mu1(s) ∝ (s + 1)^-zipf_exponent`` for ``"zipf"``, in
        [0, 50] (checked whatever the measure).

    Returns
    -------
    MassCertificate
        ``mass_max``: with probability at least ``1 - delta_fail`` every failure
        set leaves bad skills of total mass below it.

    %(raises_invalid)s

    Notes
    -----
    :ref:`theory-sharp-mass-certificate`.  Candidate masses are the edges of
    geometric cells (ratio ``CELL_RATIO``) from ``alpha_sharp / 2`` (or the
    smallest weight) up; the first edge whose union bound is at most
    ``log(delta_fail)`` is reported.  The candidates depend on the inputs
    only, so no union over them is needed.  Cost: a Chernoff solve per cell
    (as for one set size of certificate C) and a ``logsumexp`` over the set
    sizes per candidate.

    Examples
    --------
    >>> c = certified_sharp_mass(1000, 10**7, 8, 0.1, 0.5, "zipf")
    >>> 0.0315 < c.mass_max < 0.0315 * 1.25
    True
    """
    args = check_certificate_args(n_skills, n_texts, k, theta, beta, delta_fail)
    n_skills, n_texts, k, theta, beta, delta_fail = args
    weights = measure_weights(n_skills, skill_measure, zipf_exponent)
    limit = float(alpha_sharp(theta, beta, k))
    m = args.n_failed
    if m == 0:
        mass, lp = 0.0, -math.inf  # an empty failure set leaves no skill bad
    elif m >= beta * n_texts:
        mass, lp = 1.0, -math.inf  # every bound is >= 0 (see certificate C)
    else:
        mass, lp = _search(weights, n_texts, k, m, beta, math.log(delta_fail), limit / 2)
    return MassCertificate(
        mass_max=mass,
        limit=limit,
        log_fail_prob=lp,
        vacuous=mass >= 1.0 and m > 0,
        uniform=bool(np.all(weights == weights[0])),
        **args.result_fields(),
    )
