"""Confidence intervals for a fraction averaged over replicate graphs.

A simulated fraction (of competent skills, of bad tuples...) is measured on
several independent graphs and reported as their mean.  Its interval has to
cover two sources of noise: graph-to-graph variation, and the sampling of
skills or tuples within each graph.  The rule that combines them is a named
choice, :data:`INTERVAL_RULES`, so that every table and figure states which
one it used; the single-graph interval is
:func:`skillgraph.core.competence.wilson_interval`.
"""

from __future__ import annotations

import math

import numpy as np

from skillgraph._validation import check_choice, check_probability
from skillgraph.core.competence import wilson_interval

__all__ = ["INTERVAL_RULES", "replicate_interval"]

#: The rules :func:`replicate_interval` knows, by name.
#:
#: ``"replicate_t"``
#:     the union of a Student-t interval over the replicate means and the
#:     Wilson interval of the pooled count (``skillgraph emerge``, its figures
#:     and the figures of ``skillgraph plot``).
INTERVAL_RULES = ("replicate_t",)

_ROUNDING = 1e-9


def replicate_interval(
    values, n_effective=None, *, rule: str = "replicate_t", level: float = 0.95
) -> tuple[float, float]:
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
    level : float
        Confidence level, in (0, 1).

    Returns
    -------
    (float, float)
        ``(low, high)`` within [0, 1].  ``(nan, nan)`` for a single replicate
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
    level = check_probability("level", level)
    values = _fractions(values)
    mean = float(values.mean())
    if n_effective is None:
        if values.size < 2:
            return math.nan, math.nan
        low, high = mean, mean
    else:
        low, high = wilson_interval(mean, float(_counts(n_effective, values.shape).sum()), level)
    if values.size >= 2:
        from scipy.special import stdtrit

        half = (
            float(stdtrit(values.size - 1, 0.5 + level / 2))
            * float(values.std(ddof=1))
            / math.sqrt(values.size)
        )
        low, high = min(low, mean - half), max(high, mean + half)
    return max(0.0, low), min(1.0, high)


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
