"""Certificate C: a finite-size bound on the bad skills with no union over ``Y``.

:func:`certified_sharp` bounds the number of bad skills of a finite graph with
no union over the failure set ``Y`` (:doc:`/theory/sharp`); the bound tends to
:func:`~skillgraph.theory.sharp.alpha_sharp`.  It rests on the Chernoff
machinery of this module: :func:`chernoff_log_bounds` (one or two laws of the
slot count) and :func:`sharp_log_bounds` (the binomial and hypergeometric laws
of the top-``theta`` share, :mod:`skillgraph.theory.share`), minimised over a
fixed grid of thresholds ``tau``.

Conventions are those of :mod:`skillgraph.theory.bounds`.  Pure numpy/scipy;
never imports numba.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from skillgraph._docstrings import fill_doc
from skillgraph.theory._text import CERTIFICATE_DOCS
from skillgraph.theory.certificate_base import (
    Certificate,
    check_certificate_args,
    log_binomial,
    rounding_slack,
)
from skillgraph.theory.share import BLOCK_CELLS, check_replace, log_pmf

__all__ = ["certified_sharp", "chernoff_log_bounds", "sharp_log_bounds"]

#: tau grid of certificate C: multiples of 1/_TAU_STEPS in [0, k] (contains 0..k)
TAU_STEPS = 8
#: iterations of the safeguarded Newton search for the Chernoff parameter lam
_NEWTON_STEPS = 40
#: golden-section steps of the two-law Chernoff search (the bracket shrinks 0.618x a step)
_GOLDEN_STEPS = 24
#: relative error allowed per text in the moment generating function (far above
#: the rounding error of the pmf), multiplied by n_texts into the safety slack
_MGF_RELATIVE_SLACK = 1e-12


def _tau_grid(k: int) -> np.ndarray:
    """Multiples of ``1 / TAU_STEPS`` in ``[0, k]``: fixed before the graph, contains ``0..k``."""
    return np.arange(TAU_STEPS * k + 1, dtype=np.float64) / TAU_STEPS


def _tilted(logp, penalty, lam):
    """``log E exp(lam D)`` and the mean and variance of ``D`` under the tilted law.

    ``logp`` is ``(rows, K)``, ``penalty`` the values ``D`` (``(rows, K)``),
    ``lam`` ``(rows,)``.
    """
    w = logp + lam[:, None] * penalty
    lse = logsumexp(w, axis=1)
    prob = np.exp(w - lse[:, None])
    mean = np.sum(prob * penalty, axis=1)
    var = np.sum(prob * (penalty - mean[:, None]) ** 2, axis=1)
    return lse, mean, var


def _chernoff_min(logp, penalty, c):
    """``min_{lam >= 0} [lam c + log E exp(lam D)]`` per row, and the ``lam`` used.

    The objective is convex with derivative ``c + E_lam[D]`` (the tilted mean)
    and second derivative the tilted variance.  Rows whose derivative at 0 is
    ``>= 0`` take ``lam = 0`` (value 0).  The others bracket the root of the
    derivative by growing ``lam`` fourfold from 1, then run a safeguarded
    Newton search inside the bracket.  Any ``lam >= 0`` gives a valid bound, so
    the accuracy of the search affects tightness only, never rigour.
    """
    rows = c.shape[0]
    lam = np.zeros(rows)
    _, mean0, _ = _tilted(logp, penalty, lam)
    active = np.flatnonzero(c + mean0 < 0.0)
    if active.size:
        lp, pen, cc = logp[active], penalty[active], c[active]
        lo = np.zeros(active.size)
        hi = np.ones(active.size)
        for _ in range(32):  # up to 4**32: beyond, the event is impossible in all but name
            _, mean, _ = _tilted(lp, pen, hi)
            grow = cc + mean < 0.0
            if not grow.any():
                break
            lo = np.where(grow, hi, lo)
            hi = np.where(grow, 4.0 * hi, hi)
        x = 0.5 * (lo + hi)
        for _ in range(_NEWTON_STEPS):
            _, mean, var = _tilted(lp, pen, x)
            deriv = cc + mean
            lo = np.where(deriv < 0.0, x, lo)
            hi = np.where(deriv < 0.0, hi, x)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = x - deriv / var
            x = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
        # keep the better end of the final bracket (both are valid choices)
        lse_x, _, _ = _tilted(lp, pen, x)
        lse_lo, _, _ = _tilted(lp, pen, lo)
        better_lo = lo * cc + lse_lo < x * cc + lse_x
        lam[active] = np.where(better_lo, lo, x)
    lse, _, _ = _tilted(logp, penalty, lam)
    return lam * c + lse, lam


def sharp_log_bounds(
    n_skills: int,
    n_texts: int,
    k: int,
    n_failed: int,
    beta: float,
    sizes,
    *,
    replace: bool = True,
) -> np.ndarray:
    """Certificate C's log bound on ``P[some set of z skills is all bad]``, per size ``z``.

    Parameters
    ----------
    n_skills, n_texts, k : int
        Graph size (uniform skill measure, ``k`` skills per text piece).
    n_failed : int
        ``m``, the size of the failure sets, ``0 <= m <= n_texts``.
    beta : float
        Threshold in ``(0, 1)``.
    sizes : array_like of int
        Set sizes ``z`` in ``1..n_skills``.
    replace : bool, default True
        Skills drawn with replacement (binomial ``X``) or distinct (hypergeometric).

    Returns
    -------
    numpy.ndarray
        One log bound per size (``<= 0`` is informative; values above 0 are
        returned as computed, they bound nothing).

    Notes
    -----
    :ref:`theory-certificate-c`.  For a fixed ``S`` of ``z`` skills the slot
    counts ``X_i`` of the text pieces are i.i.d. (``Binomial(k, z/n_skills)``
    or hypergeometric) and "all of ``S`` bad under some ``Y``" implies, for
    every ``tau``, ``sum_i [(X_i - tau)_+ - beta X_i] + m tau > 0``.  Chernoff
    and a union over the ``C(n_skills, z)`` sets ``S`` give, with
    ``D = (X - tau)_+ - beta X``,

    ``log C(n_skills, z) + min_tau min_lam [lam m tau + n_texts log E exp(lam D)]``

    with ``tau`` on the grid of multiples of ``1/8`` in ``[0, k]``.  Each bound is
    raised by the rounding slack of :mod:`skillgraph.theory.certificates` plus
    ``n_texts * 1e-12``.  Cost O(len(sizes) * 8k * k * 40).
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    ks = np.full(sizes.size, k)
    if replace:
        logp_z = log_pmf(sizes / n_skills, ks, None, k + 1)
    else:
        logp_z = log_pmf(sizes.astype(np.float64), ks, np.full(sizes.size, n_skills), k + 1)
    out = chernoff_log_bounds(logp_z, n_texts, n_failed, beta)
    log_choose = log_binomial(n_skills, sizes)
    return log_choose + out + rounding_slack(log_choose)


def _tau_rows(logp, beta):
    """Rows repeated once per ``tau`` of the grid, with ``D`` and ``tau`` per row."""
    k = logp.shape[1] - 1
    taus = _tau_grid(k)
    j = np.arange(k + 1, dtype=np.float64)
    penalty = np.maximum(j[None, :] - taus[:, None], 0.0) - beta * j[None, :]
    rows = logp.shape[0]
    return np.repeat(logp, taus.size, axis=0), np.tile(penalty, (rows, 1)), np.tile(taus, rows)


def _finish(lam, lse, tau, n_texts, n_failed, n_tau):
    """``lam m tau + n (lse)`` plus the rounding slack, minimised over each row's taus."""
    first = n_failed * lam * tau
    second = n_texts * lse
    slack = rounding_slack(first, second) + n_texts * _MGF_RELATIVE_SLACK
    return np.min((first + second + slack).reshape(-1, n_tau), axis=1)


def _lse(lp, pen, x):
    """``log sum exp(lp + x D)`` per row (numpy only: the hot loop of the pair search)."""
    w = lp + x[:, None] * pen
    top = np.max(w, axis=1)
    return top + np.log(np.sum(np.exp(w - top[:, None]), axis=1))


def _minimax_lambda(lp, hp, pen, c, lam_a, lam_b):
    """``lam`` near the minimiser of ``lam c + max(lse_lo, lse_hi)``, and that max.

    The objective is convex; its minimiser lies between the two single
    minimisers ``lam_a`` and ``lam_b``.  Golden-section search,
    ``_GOLDEN_STEPS`` steps (any ``lam`` is valid: accuracy is tightness only).
    """

    def worst(x):
        return np.maximum(_lse(lp, pen, x), _lse(hp, pen, x))

    a, b = np.minimum(lam_a, lam_b), np.maximum(lam_a, lam_b)
    golden = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(_GOLDEN_STEPS):
        x1, x2 = b - golden * (b - a), a + golden * (b - a)
        left = x1 * c + worst(x1) <= x2 * c + worst(x2)
        a, b = np.where(left, a, x1), np.where(left, x2, b)
    x = 0.5 * (a + b)
    return x, worst(x)


def chernoff_log_bounds(
    log_weights, n_texts: int, n_failed: int, beta: float, log_weights_high=None
) -> np.ndarray:
    """Certificate C's exponent for one set, from the (log) law of its slot count.

    Parameters
    ----------
    log_weights : array_like, shape (rows, k + 1)
        ``log P[X = j]``, ``j = 0..k``: the log pmf of a text piece's slot count
        ``X`` in the set.
    n_texts, n_failed : int
        ``n`` and ``m``.
    beta : float
        Threshold in ``(0, 1)``.
    log_weights_high : array_like, shape (rows, k + 1), optional
        A second pmf per row: the bound then holds for both laws and, for
        ``Binomial(k, a)`` rows at ``a_lo`` and ``a_hi``, for every
        ``Binomial(k, a)`` with ``a`` between them (see Notes).

    Returns
    -------
    numpy.ndarray
        Per row, ``min_tau min_lam [lam m tau + n log max_law E exp(lam D)]``
        with ``D = (X - tau)_+ - beta X`` and ``tau`` on the grid of multiples of
        ``1/8`` in ``[0, k]``, raised by the rounding slack: a bound on the log
        probability that one fixed set is all bad under some failure set of
        ``m`` text pieces.

    Notes
    -----
    :ref:`theory-certificate-c` and :ref:`theory-sharp-mass-certificate`.
    ``exp(lam D_j)`` is convex in ``j`` (``D`` is convex piecewise linear), and
    the Bernstein polynomial of a convex sequence is convex, so
    ``a -> E_a exp(lam D)`` is convex and its maximum over ``[a_lo, a_hi]`` is
    at an end.  With two laws the minimiser of the maximum lies between the two
    single minimisers; a golden-section search (24 steps) finds it there (any
    ``lam`` is valid).  Cost O(rows * 8k * k * 40) per law.
    """
    logp = np.atleast_2d(np.asarray(log_weights, dtype=np.float64))
    n_tau = _tau_grid(logp.shape[1] - 1).size
    out = np.empty(logp.shape[0])
    block = max(1, BLOCK_CELLS // (4 * n_tau * logp.shape[1]))
    high = None if log_weights_high is None else np.atleast_2d(log_weights_high)
    for start in range(0, logp.shape[0], block):
        lp, pen, tau = _tau_rows(logp[start : start + block], beta)
        c = n_failed * tau / n_texts
        rate, lam = _chernoff_min(lp, pen, c)
        if high is None:
            out[start : start + block] = _finish(lam, rate - lam * c, tau, n_texts, n_failed, n_tau)
            continue
        hp, _, _ = _tau_rows(high[start : start + block], beta)
        _, lam_hi = _chernoff_min(hp, pen, c)

        x, lse = _minimax_lambda(lp, hp, pen, c, lam, lam_hi)
        out[start : start + block] = _finish(x, lse, tau, n_texts, n_failed, n_tau)
    return out


def _uniform_measure(skill_measure, n_skills: int) -> bool:
    """Whether ``skill_measure`` (None, a name or weights) is the uniform measure."""
    if skill_measure is None or (isinstance(skill_measure, str) and skill_measure == "uniform"):
        return True
    if isinstance(skill_measure, str):
        if skill_measure == "zipf":
            return False
        raise ValueError(
            f"skill_measure must be None, 'uniform', 'zipf' or an array of {n_skills} "
            f"weights, got {skill_measure!r}"
        )
    w = np.asarray(skill_measure, dtype=np.float64)
    if w.shape != (n_skills,) or not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(
            f"skill_measure must be {n_skills} finite non-negative weights with a positive sum"
        )
    return bool(np.allclose(w / w.sum(), 1.0 / n_skills, rtol=1e-9, atol=0.0))


def _first_certified(n_skills, n_texts, k, m, beta, log_delta, replace) -> tuple[int, float]:
    """Smallest ``z0`` whose bound is ``<= log_delta``, searched in growing blocks from 1.

    Returns ``(z0 - 1, bound)``, or ``(n_skills, -inf)`` when no size qualifies
    (more than ``n_skills`` bad skills is impossible).
    """
    start, width = 1, 32
    while start <= n_skills:
        sizes = np.arange(start, min(n_skills, start + width - 1) + 1)
        bounds = sharp_log_bounds(n_skills, n_texts, k, m, beta, sizes, replace=replace)
        ok = np.flatnonzero(bounds <= log_delta)
        if ok.size:
            return int(sizes[ok[0]]) - 1, float(bounds[ok[0]])
        start, width = int(sizes[-1]) + 1, 2 * width
    return n_skills, -math.inf


@fill_doc(**CERTIFICATE_DOCS)
def certified_sharp(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    beta: float,
    *,
    delta_fail: float = 1e-6,
    replace: bool = True,
    skill_measure=None,
) -> Certificate:
    """Certificate C: a finite-size bound on the bad skills that tends to ``alpha_sharp``.

    Parameters
    ----------
    %(sizes)s
    k : int
        Skills per text piece, ``>= 1`` (``<= n_skills`` when ``replace=False``).
    %(theta)s
    %(beta)s
    %(delta_fail)s
    replace : bool, default True
        The sampling model of the graph (with replacement, as in the paper, or
        ``k`` distinct skills per text piece).
    skill_measure : None, "uniform", "zipf" or array_like, optional
        The skill measure ``mu1`` of the graph (by name or as weights).
        Certificate C is proven for the uniform measure only; for any other it
        returns the trivial value, flagged ``vacuous`` (see Notes).

    Returns
    -------
    Certificate
        ``method="sharp"``: with probability at least ``1 - delta_fail`` over
        the random graph, no failure set of ``m`` text pieces leaves more than
        ``n_bad_max = alpha * n_skills`` skills bad.

    %(raises_invalid)s

    Notes
    -----
    :ref:`theory-certificate-c`.  More than ``z`` bad skills means some set of
    exactly ``z + 1`` skills is all bad, so ``n_bad_max = z0 - 1`` for the
    smallest ``z0`` whose bound (:func:`sharp_log_bounds`) is at most
    ``log(delta_fail)``; sizes are searched upwards in growing blocks and the
    search stops at the first that qualifies.  No union over ``Y`` is taken.

    Non-uniform ``mu1``: the slot counts of a set ``S`` are then
    ``Binomial(k, mu1(S))``, and covering all ``z``-sets would need the bound
    at its worst over the masses a ``z``-set can have.  The bound is not
    monotone in the mass in any way we can prove (its Chernoff function
    ``exp(lam D(X))`` is not monotone in ``X``), so no count is claimed: the
    result is the trivial value with ``vacuous=True`` and
    ``candidates={"sharp": None}``.  The bad *mass* is certified by
    :func:`~skillgraph.theory.sharp_measure.certified_sharp_mass`.

    Cost: O(z0 * 8k * k * 40) operations; well under a second for ``k = 8``
    at any ``n_texts``.

    Examples
    --------
    >>> cert = certified_sharp(1000, 10**7, 8, 0.1, 0.5)
    >>> cert.method, cert.n_bad_max
    ('sharp', 32)
    """
    args = check_certificate_args(n_skills, n_texts, k, theta, beta, delta_fail)
    n_skills, n_texts, k, theta, beta, delta_fail = args
    replace = check_replace(replace)
    if not replace and k > n_skills:
        raise ValueError(
            f"k must be <= n_skills when replace=False, got k={k} > n_skills={n_skills}"
        )
    uniform = _uniform_measure(skill_measure, n_skills)
    m = args.n_failed
    if m == 0:
        z, lp = 0, -math.inf  # an empty failure set leaves no skill bad
    elif not uniform or m >= beta * n_texts:
        # m / n_texts >= beta: every bound is >= log C(n_skills, z) >= 0 (docs)
        z, lp = n_skills, -math.inf
    else:
        z, lp = _first_certified(n_skills, n_texts, k, m, beta, math.log(delta_fail), replace)
    return Certificate(
        alpha=z / n_skills,
        log_fail_prob=lp,
        n_bad_max=z,
        vacuous=z >= n_skills and m > 0,
        method="sharp",
        degrees_given=False,
        candidates={"sharp": z / n_skills if uniform else None},
        **args.result_fields(),
    )
