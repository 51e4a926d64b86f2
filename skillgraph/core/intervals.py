"""Confidence intervals: the one interval type and the rules that compute it.

Every estimate of skillgraph that offers an interval returns it as a
:class:`ConfidenceInterval` from a method ``ci(confidence_level=0.95)``
(the shape of scipy's ``BinomTestResult.proportion_ci``).  The rules live
here once: the Wilson score interval of a proportion
(:func:`wilson_interval`), the Student-t interval of a mean
(:func:`t_interval`) and, for a fraction measured on several independent
graphs, their union (:func:`replicate_interval`).  A simulated fraction has
to cover two sources of noise: graph-to-graph variation, and the sampling of
skills or tuples within each graph.  The rule that combines them is a named
choice, :data:`INTERVAL_RULES`, so that every table and figure states which
one it used.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri, stdtrit

from skillgraph._docstrings import fill_doc
from skillgraph._validation import check_choice, check_probability, check_real

__all__ = [
    "CI_LEVEL",
    "ConfidenceInterval",
    "INTERVAL_RULES",
    "replicate_interval",
    "t_half_width",
    "t_interval",
    "t_quantile",
    "wilson_interval",
]

#: The rules :func:`replicate_interval` knows, by name.
#:
#: ``"replicate_t"``
#:     the union of a Student-t interval over the replicate means and the
#:     Wilson interval of the pooled count (``skillgraph emerge``, its figures
#:     and the figures of ``skillgraph plot``).
INTERVAL_RULES = ("replicate_t",)

#: The confidence level of an interval when none is asked for (the ``ci_low`` and
#: ``ci_high`` columns of every table).
CI_LEVEL = 0.95

_ROUNDING = 1e-9


class ConfidenceInterval(NamedTuple):
    """A confidence interval ``[low, high]`` (floats, or arrays for a curve).

    Immutable; it unpacks as ``low, high = estimate.ci()`` and compares equal
    to the tuple ``(low, high)``.
    """

    low: float | np.ndarray
    high: float | np.ndarray


def confidence_level_argument(confidence_level, level, where: str) -> float:
    """``confidence_level``, or the deprecated keyword ``level`` when it is given.

    ``level=`` was the keyword before 0.3; it keeps working, with a
    DeprecationWarning, until the next release.
    """
    if level is not None:
        warnings.warn(
            f"{where}(level=...) is deprecated; use confidence_level=...",
            DeprecationWarning,
            stacklevel=3,
        )
        confidence_level = level
    return check_probability("confidence_level", confidence_level)


@fill_doc()
def wilson_interval(
    p: float, n: float, confidence_level: float = CI_LEVEL, *, level: float | None = None
) -> ConfidenceInterval:
    """Wilson score interval for a proportion ``p`` observed on ``n`` (effective) trials.

    Parameters
    ----------
    p : float
        The observed proportion, in [0, 1].
    n : float
        The (effective) number of trials, >= 0; ``n = 0`` gives ``(0, 1)``.
    %(confidence_level)s
    %(level)s

    Returns
    -------
    ConfidenceInterval
        Within [0, 1]; ``low`` is 0 when ``p <= 0`` and ``high`` is 1 when ``p >= 1``.
    """
    confidence_level = confidence_level_argument(confidence_level, level, "wilson_interval")
    p = check_real("p", p, 0.0, 1.0)
    n = check_real("n", n, 0.0)
    if n == 0:
        return ConfidenceInterval(0.0, 1.0)
    z = float(ndtri(0.5 + confidence_level / 2))
    z2n = z * z / n
    center = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z2n / (4 * n)) / (1 + z2n)
    low = 0.0 if p <= 0 else max(0.0, center - half)
    high = 1.0 if p >= 1 else min(1.0, center + half)
    return ConfidenceInterval(low, high)


def t_half_width(std, n: int, confidence_level: float):
    """Half-width ``t_{n-1} std / sqrt(n)`` of the Student-t interval of a mean.

    ``std`` (float or array) is the standard deviation of the ``n >= 2``
    values (``ddof=1``); ``confidence_level`` is trusted to lie in (0, 1).
    NaN for ``n < 2``.
    """
    if n < 2:
        return math.nan
    return t_quantile(n, confidence_level) * std / math.sqrt(n)


def t_quantile(n: int, confidence_level: float) -> float:
    """The two-sided Student-t quantile ``t_{n-1}`` at ``confidence_level`` (``n >= 2``)."""
    return float(stdtrit(n - 1, 0.5 + confidence_level / 2))


@fill_doc()
def t_interval(values, confidence_level: float = CI_LEVEL) -> ConfidenceInterval:
    """Student-t interval of the mean of ``values`` along their first axis.

    Parameters
    ----------
    values : array_like, shape (n,) or (n, m)
        ``n`` i.i.d. values (of ``m`` quantities at once for a 2-D array).
    %(confidence_level)s

    Returns
    -------
    ConfidenceInterval
        ``mean -/+ t_{n-1} s / sqrt(n)`` with ``s`` the standard deviation
        (``ddof=1``): floats for 1-D ``values``, arrays of shape ``(m,)``
        otherwise.  NaN for fewer than two values: nothing measures the noise.
    """
    confidence_level = check_probability("confidence_level", confidence_level)
    arr = np.asarray(values, dtype=np.float64)
    n = arr.shape[0]
    mean = arr.mean(axis=0)
    if n < 2:
        if arr.ndim == 1:
            return ConfidenceInterval(math.nan, math.nan)
        return ConfidenceInterval(np.full_like(mean, np.nan), np.full_like(mean, np.nan))
    half = t_half_width(arr.std(axis=0, ddof=1), n, confidence_level)
    if arr.ndim == 1:
        return ConfidenceInterval(float(mean - half), float(mean + half))
    return ConfidenceInterval(mean - half, mean + half)


@fill_doc()
def replicate_interval(
    values,
    n_effective=None,
    *,
    rule: str = "replicate_t",
    confidence_level: float = CI_LEVEL,
    level: float | None = None,
) -> ConfidenceInterval:
    """An interval for the mean of a fraction measured on independent replicate graphs.

    Parameters
    ----------
    values : array_like of float, shape (n_replicates,)
        The fraction on each replicate, each in [0, 1] (up to a rounding error).
    n_effective : array_like of float, shape (n_replicates,), optional
        The effective number of items (skills, sampled tuples) behind each
        value, as in the ``n_effective`` attribute of
        :class:`skillgraph.core.competence.FractionEstimate`.
        Without it only the graph-to-graph part is available.
    rule : {"replicate_t"}
        See :data:`INTERVAL_RULES`.
    %(confidence_level)s
    %(level)s

    Returns
    -------
    ConfidenceInterval
        Within [0, 1].  ``(nan, nan)`` for a single replicate
        without ``n_effective``: nothing then measures the noise.

    Raises
    ------
    ValueError
        For an unknown rule, a level outside (0, 1), values outside [0, 1] or
        not finite, ``n_effective`` negative or of another shape.

    Notes
    -----
    ``replicate_t`` is the union of two intervals around the mean ``m`` of
    the ``r`` values: ``m +- t_{r-1} s / sqrt(r)`` (Student-t over the
    replicates, ``s`` their standard deviation) and the Wilson score interval
    of ``m`` on ``sum(n_effective)`` trials.  The union keeps an honest width
    when every replicate agrees (all skills competent, say), where the
    Student-t interval collapses to a point.  O(r).

    Examples
    --------
    >>> low, high = replicate_interval([0.2, 0.3, 0.4])
    >>> round(low, 4), round(high, 4)
    (0.0516, 0.5484)
    """
    check_choice("rule", rule, INTERVAL_RULES)
    confidence_level = confidence_level_argument(confidence_level, level, "replicate_interval")
    values = _fractions(values)
    mean = float(values.mean())
    if n_effective is None:
        if values.size < 2:
            return ConfidenceInterval(math.nan, math.nan)
        low, high = mean, mean
    else:
        n = float(_counts(n_effective, values.shape).sum())
        low, high = wilson_interval(mean, n, confidence_level)
    if values.size >= 2:
        t_low, t_high = t_interval(values, confidence_level)
        low, high = min(low, t_low), max(high, t_high)
    return ConfidenceInterval(max(0.0, low), min(1.0, high))


def _fractions(values) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {arr.shape}")
    # fractions computed as 1 - (a sum) may be off [0, 1] by a rounding error, no more
    if not np.all(np.isfinite(arr)) or np.any((arr < -_ROUNDING) | (arr > 1 + _ROUNDING)):
        raise ValueError(f"values must be finite fractions in [0, 1], got {arr.tolist()}")
    return arr


def _counts(n_effective, shape) -> np.ndarray:
    arr = np.asarray(n_effective, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"n_effective must have the shape of values {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"n_effective must be finite and >= 0, got {arr.tolist()}")
    return arr
