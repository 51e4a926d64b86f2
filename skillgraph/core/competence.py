"""Competence on skills and on tuples of skills (:doc:`/theory/graph`, :doc:`/theory/tuples`).

The competence of skill ``s`` is the success rate on the edges of ``s``:
``1 - fail(s)`` with ``fail(s)`` the share of its edge slots that land in
failed text pieces (text pieces weigh the same: ``mu2`` is uniform).  A skill
is *bad* at threshold ``beta`` when ``fail(s) > beta``.  A skill without edges
has undefined competence: NaN in :func:`competence`, never bad, and counted in
every estimate (``n_undefined``, ``undefined_mass``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from scipy.special import ndtri

from skillgraph._display import Display
from skillgraph._jit import kernels
from skillgraph._resources import check_memory
from skillgraph._rng import as_generator
from skillgraph._validation import (
    check_bool_array,
    check_choice,
    check_int,
    check_real,
)
from skillgraph.core.graph import SkillGraph
from skillgraph.core.intervals import (
    ConfidenceInterval,
    confidence_level_argument,
    wilson_interval,
)

__all__ = [
    "FractionEstimate",
    "PerformanceCurve",
    "competence",
    "failed_edge_counts",
    "competence_from_counts",
    "bad_fraction",
    "bad_fraction_from_counts",
    "performance_curve",
    "performance_curve_from_counts",
    "tuple_bad_fraction",
    "tuple_bad_fraction_from_counts",
    "wilson_interval",
    "DEFAULT_TUPLE_HALF_WIDTH",
    "default_tuple_count",
    "TUPLE_MODES",
    "COUNTS_TUPLE_MODES",
]

#: the senses of a tuple's competence (:func:`tuple_bad_fraction`)
TUPLE_MODES = ("tensor", "cooccur")
#: the modes that need only per-skill counts (the others need the graph)
COUNTS_TUPLE_MODES = ("tensor",)

DEFAULT_TUPLE_HALF_WIDTH = 0.002
"""Target 95% CI half-width that sets the default number of sampled tuples."""


@dataclass(frozen=True)
class FractionEstimate(Display):
    """A fraction of bad skills (or tuples) with its counts and a confidence interval.

    Attributes
    ----------
    value : float
        ``mu1``-mass of bad items over the total mass (undefined items are
        never bad; they stay in the denominator).
    n_bad : int
        Number of bad items (skills, or sampled tuples).
    n : int
        Number of items looked at (skills, or sampled tuples).
    n_undefined : int
        Items whose competence is undefined (a skill without edges; a tuple with
        an edgeless member, or with no text piece using all its skills).
    undefined_mass : float
        Their mass (their share, for sampled tuples).
    n_effective : float
        Effective sample size behind :meth:`ci`: the number of sampled tuples,
        or Kish's ``1 / sum(mu1**2)`` when the items are the graph's skills.
    exact : bool
        True when ``value`` was computed exactly on this graph (no sampling of
        tuples); the interval then treats the skills as a sample from a larger
        population of skills.
    beta : float
        The threshold: bad means ``fail > beta`` (competence below ``1 - beta``).
    t : int
        Tuple size (1 for single skills).
    mode : str
        ``"skill"``, ``"tensor"`` or ``"cooccur"``.
    """

    value: float
    n_bad: int
    n: int
    n_undefined: int
    undefined_mass: float
    n_effective: float
    exact: bool
    beta: float
    t: int = 1
    mode: str = "skill"

    def ci(
        self, confidence_level: float = 0.95, *, level: float | None = None
    ) -> ConfidenceInterval:
        """Wilson score interval on ``n_effective`` trials (``level``: deprecated alias)."""
        confidence_level = confidence_level_argument(confidence_level, level, "ci")
        return wilson_interval(self.value, self.n_effective, confidence_level)

    @property
    def conditional(self) -> float:
        """Bad mass among items with defined competence (NaN if there are none)."""
        defined = 1.0 - self.undefined_mass
        return self.value / defined if defined > 0 else float("nan")

    def as_dict(self, confidence_level: float = 0.95, *, level: float | None = None) -> dict:
        """Plain-dict form (for tables and JSON), interval at ``confidence_level``.

        ``level`` is the deprecated name of ``confidence_level``.
        """
        low, high = self.ci(confidence_level_argument(confidence_level, level, "as_dict"))
        values = {f.name: getattr(self, f.name) for f in fields(self)}  # in declaration order
        return {"value": values.pop("value"), "ci_low": low, "ci_high": high, **values}

    def _display_record(self) -> dict:
        return self.as_dict()

    def __repr__(self) -> str:
        low, high = self.ci()
        return (
            f"FractionEstimate(value={self.value:.6g}, ci95=({low:.4g}, {high:.4g}), "
            f"n_bad={self.n_bad}, n={self.n}, n_undefined={self.n_undefined}, "
            f"t={self.t}, mode={self.mode!r}, exact={self.exact})"
        )


@dataclass(frozen=True, repr=False)
class PerformanceCurve(Display):
    """The paper's performance curve: ``beta -> 1 - bad fraction at beta``.

    See :ref:`theory-performance-curve`.

    Attributes
    ----------
    betas : ndarray
    bad : ndarray
        ``mu1``-mass of skills with ``fail > beta``.
    competent : ndarray
        ``1 - bad``: mass of skills at least ``(1 - beta)``-competent (edgeless
        skills, whose competence is undefined, count here; see ``undefined_mass``).
    undefined_mass : float
    """

    betas: np.ndarray
    bad: np.ndarray
    competent: np.ndarray
    undefined_mass: float

    def _display_record(self) -> dict:
        return {"n_betas": len(self.betas), "undefined_mass": self.undefined_mass}

    def _display_rows(self) -> list[dict]:
        return [{"beta": float(b), "bad": float(f), "competent": float(c)}
                for b, f, c in zip(self.betas, self.bad, self.competent, strict=True)]  # fmt: skip


def _check_inputs(graph, failed) -> tuple[SkillGraph, np.ndarray]:
    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    return graph, check_bool_array("failed", failed, graph.n_texts)


def failed_edge_counts(graph: SkillGraph, failed) -> np.ndarray:
    """For each skill, how many of its edge slots lie in failed text pieces (int64).

    O(n_edges).
    """
    graph, failed = _check_inputs(graph, failed)
    return kernels().failed_edge_counts(
        graph.text_indptr, graph.text_indices, failed, graph.n_skills, graph.k
    )


def competence_from_counts(degrees, failed_edges) -> np.ndarray:
    """Per-skill competence ``1 - failed_edges / degrees``; NaN where the degree is 0."""
    return _competence(*_checked_counts(degrees, failed_edges))


def _checked_counts(degrees, failed_edges) -> tuple[np.ndarray, np.ndarray]:
    degrees = np.asarray(degrees)
    failed_edges = np.asarray(failed_edges)
    if degrees.shape != failed_edges.shape or degrees.ndim != 1:
        raise ValueError(
            "degrees and failed_edges must be 1-D arrays of equal length, got shapes "
            f"{degrees.shape} and {failed_edges.shape}"
        )
    for name, counts in (("degrees", degrees), ("failed_edges", failed_edges)):
        if counts.dtype.kind not in "iu":
            raise TypeError(f"{name} must be an array of integer counts, got dtype {counts.dtype}")
    if np.any(failed_edges > degrees) or np.any(failed_edges < 0):
        raise ValueError("failed_edges must lie between 0 and degrees for every skill")
    return degrees, failed_edges


def _competence(degrees: np.ndarray, failed_edges: np.ndarray) -> np.ndarray:
    out = np.full(degrees.shape, np.nan)
    has = degrees > 0
    out[has] = 1.0 - failed_edges[has] / degrees[has]
    return out


def competence(graph: SkillGraph, failed) -> np.ndarray:
    """Competence of every skill (:ref:`theory-competence`).

    Parameters
    ----------
    graph : SkillGraph
    failed : ndarray of bool, shape (n_texts,)
        The failure set ``Y``.

    Returns
    -------
    ndarray of float64, shape (n_skills,)
        ``1 - fail(s)``; NaN for skills without edges (undefined competence).

    Notes
    -----
    Edges count with multiplicity.  O(n_edges + n_skills).
    """
    return _competence(graph.degrees, failed_edge_counts(graph, failed))  # counts of a graph


def _fail_rates(degrees, failed_edges) -> tuple[np.ndarray, np.ndarray]:
    """``fail(s)`` for skills with edges, and the mask of those skills."""
    has = degrees > 0
    return failed_edges[has] / degrees[has], has


def _kish(weights: np.ndarray) -> float:
    # math.fsum, not np.dot: a BLAS dot sums in an order that depends on the CPU, and this
    # value is reported (and pinned) to the last digit
    total = math.fsum(weights)
    return total * total / math.fsum(weights * weights) if total > 0 else 0.0


def bad_fraction_from_counts(degrees, failed_edges, beta, skill_measure) -> FractionEstimate:
    """:func:`bad_fraction` from per-skill counts (as streaming produces them)."""
    beta = check_real("beta", beta, 0.0, 1.0)
    counts = _checked_measured_counts(degrees, failed_edges, skill_measure)
    return _bad_fraction_counts(*counts, beta)


def _checked_measured_counts(degrees, failed_edges, skill_measure) -> tuple:
    degrees, failed_edges = _checked_counts(degrees, failed_edges)
    measure = np.asarray(skill_measure, dtype=np.float64)
    if measure.shape != degrees.shape:
        raise ValueError(
            f"skill_measure must have the shape of degrees {degrees.shape}, got {measure.shape}"
        )
    if not (np.all(np.isfinite(measure)) and np.all(measure >= 0) and measure.sum() > 0):
        raise ValueError("skill_measure must hold finite non-negative weights with a positive sum")
    return degrees, failed_edges, measure


def _bad_fraction_counts(degrees, failed_edges, measure, beta: float) -> FractionEstimate:
    fail, has = _fail_rates(degrees, failed_edges)
    bad = fail > beta
    total = float(measure.sum())
    return FractionEstimate(
        value=float(measure[has][bad].sum() / total),
        n_bad=int(bad.sum()),
        n=int(degrees.shape[0]),
        n_undefined=int((~has).sum()),
        undefined_mass=float(measure[~has].sum() / total),
        n_effective=_kish(measure),
        exact=True,
        beta=beta,
    )


def bad_fraction(graph: SkillGraph, failed, beta: float) -> FractionEstimate:
    """The ``mu1``-mass of bad skills, those with ``fail(s) > beta``.

    See :ref:`theory-bad-fraction`.

    Parameters
    ----------
    graph : SkillGraph
    failed : ndarray of bool, shape (n_texts,)
    beta : float
        Threshold in [0, 1].

    Returns
    -------
    FractionEstimate
        ``value`` is exact for this graph; ``ci()`` treats the skills as a
        sample (Kish effective size under ``mu1``).

    Notes
    -----
    Edgeless skills are never bad and are reported in ``n_undefined``.
    O(n_edges + n_skills).
    """
    beta = check_real("beta", beta, 0.0, 1.0)
    failed_edges = failed_edge_counts(graph, failed)  # checks the graph and the failure set
    return _bad_fraction_counts(graph.degrees, failed_edges, graph.skill_measure, beta)


def performance_curve(graph: SkillGraph, failed, betas) -> PerformanceCurve:
    """Fraction of skills at least ``(1 - beta)``-competent, for each ``beta``.

    See :ref:`theory-performance-curve`.

    O(n_edges + n_skills log n_skills + len(betas) log n_skills).
    """
    betas = _checked_betas(betas)
    graph, failed = _check_inputs(graph, failed)
    return _curve(graph.degrees, failed_edge_counts(graph, failed), graph.skill_measure, betas)


def performance_curve_from_counts(degrees, failed_edges, skill_measure, betas) -> PerformanceCurve:
    """:func:`performance_curve` from per-skill counts (as streaming produces them).

    ``skill_measure`` is ``mu1`` (summing to 1).  The same computation as
    from a graph: the same numbers for the same counts.
    """
    betas = _checked_betas(betas)
    return _curve(*_checked_measured_counts(degrees, failed_edges, skill_measure), betas)


def _checked_betas(betas) -> np.ndarray:
    betas_arr = np.asarray(betas, dtype=np.float64) if not isinstance(betas, str) else None
    if betas_arr is None or betas_arr.ndim != 1 or betas_arr.size == 0:
        raise ValueError("betas must be a non-empty 1-D sequence of numbers in [0, 1]")
    if not np.all(np.isfinite(betas_arr)) or np.any((betas_arr < 0) | (betas_arr > 1)):
        raise ValueError(f"betas must lie in [0, 1], got {betas_arr}")
    return betas_arr


def _curve(degrees, failed_edges, measure, betas: np.ndarray) -> PerformanceCurve:
    """The curve of checked counts: one sort, cumulative masses, a search per ``beta``."""
    fail, has = _fail_rates(degrees, failed_edges)
    weights = measure[has]
    order = np.argsort(fail, kind="stable")
    sorted_fail = fail[order]
    # mass of skills with fail > beta = total defined mass - mass with fail <= beta
    cumulative = np.concatenate([[0.0], np.cumsum(weights[order])])
    at_most = cumulative[np.searchsorted(sorted_fail, betas, side="right")]
    bad = cumulative[-1] - at_most
    return PerformanceCurve(
        betas=betas, bad=bad, competent=1.0 - bad, undefined_mass=float(measure[~has].sum())
    )


def default_tuple_count(
    half_width: float = DEFAULT_TUPLE_HALF_WIDTH,
    confidence_level: float = 0.95,
    *,
    level: float | None = None,
) -> int:
    """Sampled tuples needed for a CI half-width ``half_width`` at worst (p = 1/2).

    ``level`` is the deprecated name of ``confidence_level``.
    """
    confidence_level = confidence_level_argument(confidence_level, level, "default_tuple_count")
    z = float(ndtri(0.5 + confidence_level / 2))
    return math.ceil(z * z * 0.25 / half_width**2)


def _exact_pair_bad_mass(c: np.ndarray, w: np.ndarray, threshold: float) -> float:
    """Mass of pairs ``(i, j)`` (weights ``w_i w_j``) with ``c_i * c_j < threshold``.

    Sort the distinct values; for each ``i`` the partners that make a bad pair
    form a prefix.  ``searchsorted`` on ``threshold / c_i`` finds it up to
    rounding, and a few exact corrections with the product itself make the
    count agree with the direct test ``c_i * c_j < threshold``.
    """
    values, inverse = np.unique(c, return_inverse=True)
    value_mass = np.bincount(inverse, weights=w)
    prefix = np.concatenate([[0.0], np.cumsum(value_mass)])
    positive = values > 0
    guess = np.full(values.shape, np.inf if threshold > 0 else -np.inf)
    guess[positive] = threshold / values[positive]
    # (a zero competence pairs badly with everything iff threshold > 0)
    idx = np.searchsorted(values, guess, side="left")
    for _ in range(3):  # the predicate is monotone in the partner's value
        grow = (idx < values.size) & (values * values[np.minimum(idx, values.size - 1)] < threshold)
        idx = idx + grow
        shrink = (idx > 0) & ~(values * values[np.maximum(idx - 1, 0)] < threshold)
        idx = idx - shrink
    return math.fsum(value_mass * prefix[idx])  # exactly rounded: the same on every CPU


def tuple_bad_fraction(
    graph: SkillGraph,
    failed,
    t: int,
    beta: float,
    *,
    mode: str = "tensor",
    n_tuples: int | None = None,
    seed=None,
) -> FractionEstimate:
    """Fraction of ``t``-tuples of skills whose competence is below ``1 - beta``.

    See :ref:`theory-tuple-competence`.

    Tuples are ``t`` skills drawn i.i.d. from ``mu1``.

    Parameters
    ----------
    graph : SkillGraph
    failed : ndarray of bool, shape (n_texts,)
    t : int
        Tuple size, >= 1.
    beta : float
        Threshold in [0, 1]: a tuple is bad when its competence is below ``1 - beta``.
    mode : {"tensor", "cooccur"}
        ``"tensor"``: the competence of a tuple is the product of its skills'
        competences (``t`` independent text pieces, one per skill, all
        succeed).  ``"cooccur"``: the success rate over the text pieces that
        use all ``t`` skills; tuples with no such text piece are undefined,
        counted in ``n_undefined`` and never bad.
    n_tuples : int, optional
        Number of sampled tuples.  ``None``: in ``tensor`` mode with ``t <= 2``
        the fraction is computed exactly by sorting; otherwise enough tuples for
        a 95% CI half-width under 0.002 (240,100).
    seed : int, SeedSequence, Generator or None
        For sampled tuples.

    Returns
    -------
    FractionEstimate
        ``value`` is the bad mass over all tuples (undefined ones included in
        the denominator); ``conditional`` gives it among defined tuples.

    Notes
    -----
    Exact tensor mode is O(n_skills log n_skills); sampled tensor mode is
    O(n_tuples t); ``cooccur`` costs O(sum of the tuple's degrees) per tuple.
    """
    t = check_int("t", t, 1)
    beta = check_real("beta", beta, 0.0, 1.0)
    mode = check_choice("mode", mode, TUPLE_MODES)
    if n_tuples is not None:
        n_tuples = check_int("n_tuples", n_tuples, 1, 10**9)
    graph, failed = _check_inputs(graph, failed)
    rng = as_generator(seed)  # validates seed before the work starts
    if mode == "tensor":
        return tuple_bad_fraction_from_counts(
            graph.degrees,
            failed_edge_counts(graph, failed),
            graph.skill_measure,
            t,
            beta,
            n_tuples=n_tuples,
            seed=rng,
        )
    n = default_tuple_count() if n_tuples is None else n_tuples
    tuples = _sample_tuples(graph.skill_measure, n, t, rng)
    indptr, indices = graph.skill_texts()
    total, n_failed = kernels().cooccurrence_counts(indptr, indices, tuples, failed)
    undefined = total == 0
    bad = ~undefined & (n_failed / np.maximum(total, 1) > beta)
    return _sampled_estimate(bad, undefined, beta, t, "cooccur")


def _sample_tuples(skill_measure: np.ndarray, n: int, t: int, rng) -> np.ndarray:
    """``n`` tuples of ``t`` skills drawn i.i.d. from ``skill_measure`` (int64, ``(n, t)``)."""
    # the tuples, their competences and the temporaries of the draw: about 32 bytes a slot
    check_memory(
        32 * n * t, f"{n:,} sampled {t}-tuples", "Use a smaller t or fewer tuples (n_tuples)."
    )
    w = skill_measure / skill_measure.sum()
    if np.all(w == w[0]):  # uniform: integers are much cheaper than choice(p=...)
        return rng.integers(0, w.shape[0], size=(n, t), dtype=np.int64)
    return rng.choice(w.shape[0], size=(n, t), p=w).astype(np.int64)


def _sampled_estimate(bad, undefined, beta, t, mode) -> FractionEstimate:
    n = int(bad.shape[0])
    n_bad = int(bad.sum())
    n_undefined = int(undefined.sum())
    return FractionEstimate(
        value=n_bad / n,
        n_bad=n_bad,
        n=n,
        n_undefined=n_undefined,
        undefined_mass=n_undefined / n,
        n_effective=float(n),
        exact=False,
        beta=beta,
        t=t,
        mode=mode,
    )


def tuple_bad_fraction_from_counts(
    degrees,
    failed_edges,
    skill_measure,
    t: int,
    beta: float,
    *,
    n_tuples: int | None = None,
    seed=None,
) -> FractionEstimate:
    """:func:`tuple_bad_fraction` in ``tensor`` mode from per-skill counts.

    See :ref:`theory-tuple-tensor`.

    The counts are all the tensor definition needs, so this serves the
    materialised graph and streaming (:func:`skillgraph.stream`) alike.

    Parameters
    ----------
    degrees, failed_edges : array_like of int, shape (n_skills,)
        Per-skill edge counts and failed-edge counts.
    skill_measure : array_like, shape (n_skills,)
        ``mu1``.
    t, beta, n_tuples, seed
        As in :func:`tuple_bad_fraction`: exact for ``t <= 2`` when
        ``n_tuples`` is None, else ``n_tuples`` sampled tuples (default
        :func:`skillgraph.core.competence.default_tuple_count`).
    """
    t = check_int("t", t, 1)
    beta = check_real("beta", beta, 0.0, 1.0)
    if n_tuples is not None:
        n_tuples = check_int("n_tuples", n_tuples, 1, 10**9)
    rng = as_generator(seed)
    degrees, failed_edges, measure = _checked_measured_counts(degrees, failed_edges, skill_measure)
    single = _bad_fraction_counts(degrees, failed_edges, measure, beta)
    if n_tuples is None and t == 1:
        return FractionEstimate(**{**single.__dict__, "mode": "tensor"})
    comp = _competence(degrees, failed_edges)
    w = measure / measure.sum()
    if n_tuples is None and t == 2:
        return _exact_pair_fraction(comp, w, beta)
    n = default_tuple_count() if n_tuples is None else n_tuples
    c = comp[_sample_tuples(w, n, t, rng)]
    undefined = np.isnan(c).any(axis=1)
    bad = ~undefined & (np.prod(np.nan_to_num(c), axis=1) < 1.0 - beta)
    return _sampled_estimate(bad, undefined, beta, t, "tensor")


def _exact_pair_fraction(comp: np.ndarray, w: np.ndarray, beta: float) -> FractionEstimate:
    """Exact tensor fraction of ordered pairs from competences ``comp`` and measure ``w``."""
    defined = ~np.isnan(comp)
    bad_mass = _exact_pair_bad_mass(comp[defined], w[defined], 1.0 - beta)
    defined_mass = float(w[defined].sum())
    n_skills = comp.shape[0]
    n_def = int(defined.sum())
    # counts over the n_skills**2 ordered pairs, exact for the uniform measure
    bad_pairs = _exact_pair_bad_mass(comp[defined], np.ones(n_def), 1.0 - beta)
    return FractionEstimate(
        value=bad_mass,
        n_bad=int(round(bad_pairs)),
        n=n_skills * n_skills,
        n_undefined=n_skills * n_skills - n_def * n_def,
        undefined_mass=1.0 - defined_mass * defined_mass,
        n_effective=_kish(w),
        exact=True,
        beta=beta,
        t=2,
        mode="tensor",
    )
