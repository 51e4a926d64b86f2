"""Power laws fitted to the memory error: least squares in log-log, jackknife over trials."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from skillgraph.core.intervals import (
    CI_LEVEL,
    ConfidenceInterval,
    confidence_level_argument,
    t_quantile,
)
from skillgraph.mechanisms.memory.inputs import check_d

__all__ = ["SlopeFit", "fit_slope"]


@dataclass(frozen=True, eq=False)
class SlopeFit:
    """A power law ``E ≈ exp(intercept) d ** slope`` fitted in a stated window.

    Attributes
    ----------
    slope, intercept : float
        Least squares line of ``log E`` against ``log d`` (natural logs) over
        the points with ``d`` in ``window``.
    stderr : float
        Jackknife standard error of the slope over the trials (leave one trial
        out); NaN with one trial or when a leave-one-out mean error is 0.
    ci_low, ci_high : float
        ``slope -/+ t_{n-1} stderr`` at confidence ``level`` (NaN with ``stderr``).
    window : tuple of float
        ``(d_low, d_high)``, inclusive.
    n_points : int
        Memory sizes inside the window.
    level : float
    """

    slope: float
    intercept: float
    stderr: float
    ci_low: float
    ci_high: float
    window: tuple[float, float]
    n_points: int
    level: float = CI_LEVEL
    n_trials: int = field(default=1, repr=False)

    def ci(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> ConfidenceInterval:
        """``slope -/+ t_{n-1} stderr`` over the ``n_trials`` trials (NaN with one trial)."""
        half = _slope_half_width(
            self.stderr, self.n_trials, confidence_level_argument(confidence_level, level, "ci")
        )
        return ConfidenceInterval(float(self.slope - half), float(self.slope + half))

    def __repr__(self) -> str:
        return (
            f"SlopeFit(slope={self.slope:.4f}, ci=({self.ci_low:.4f}, {self.ci_high:.4f}), "
            f"window={self.window}, n_points={self.n_points})"
        )


def fit_slope(
    d, errors, *, window=(32, 512), confidence_level: float = CI_LEVEL, level: float | None = None
) -> SlopeFit:
    """Fit ``log E = intercept + slope log d`` over the memory sizes in ``window``.

    Parameters
    ----------
    d : array_like, shape (n_d,)
        Memory sizes (``inf`` is ignored).
    errors : array_like, shape (trials, n_d) or (n_d,)
        Per-trial errors (or mean errors; then no interval).
    window : (float, float)
        Inclusive range of ``d`` used in the fit; at least 3 distinct sizes
        must fall inside.
    confidence_level : float
        Confidence level of the jackknife interval, in (0, 1).
    level : float, optional
        Deprecated alias of ``confidence_level``.

    Returns
    -------
    SlopeFit

    Raises
    ------
    ValueError
        On a window with fewer than 3 sizes, or a zero mean error inside it.

    Notes
    -----
    Ordinary least squares on the mean error per ``d``; the interval is a
    leave-one-trial-out jackknife, which respects the correlation of the
    errors across ``d`` within a trial (shared embedding prefixes).
    """
    d_arr = check_d(d)
    err = np.asarray(errors, dtype=np.float64)
    err = err[None, :] if err.ndim == 1 else err
    if err.ndim != 2 or err.shape[1] != d_arr.size:
        raise ValueError(f"errors must have shape (trials, {d_arr.size}), got {err.shape}")
    low, high = check_window(window)
    level = confidence_level_argument(confidence_level, level, "fit_slope")
    inside = np.isfinite(d_arr) & (d_arr >= low) & (d_arr <= high)
    if np.unique(d_arr[inside]).size < 3:
        raise ValueError(
            f"window must contain at least 3 distinct memory sizes, got {np.unique(d_arr[inside])} "
            f"in [{low:g}, {high:g}]"
        )
    x = np.log(d_arr[inside])
    mean = err[:, inside].mean(axis=0)
    if not np.all(mean > 0):
        raise ValueError(f"the mean error is 0 at d = {d_arr[inside][mean <= 0][0]:g}: no log")
    slope, intercept = np.polyfit(x, np.log(mean), 1)
    stderr = _jackknife_slope(x, err[:, inside])
    half = _slope_half_width(stderr, err.shape[0], level)
    return SlopeFit(
        slope=float(slope), intercept=float(intercept), stderr=stderr,
        ci_low=float(slope - half), ci_high=float(slope + half), window=(low, high),
        n_points=int(inside.sum()), level=level, n_trials=int(err.shape[0]),
    )  # fmt: skip


def _slope_half_width(stderr: float, n_trials: int, confidence_level: float) -> float:
    # t_{n-1} stderr: the jackknife stderr is already that of the mean
    return t_quantile(n_trials, confidence_level) * stderr if n_trials >= 2 else math.nan


def check_window(window, name: str = "window") -> tuple[float, float]:
    """A fit window ``(d_low, d_high)`` with ``1 <= d_low < d_high`` (errors name ``name``)."""
    try:
        low, high = (float(v) for v in window)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair of numbers (d_low, d_high), got {window!r}"
        ) from None
    if not (1 <= low < high):
        raise ValueError(f"{name} must satisfy 1 <= d_low < d_high, got {window!r}")
    return low, high


def _jackknife_slope(x: np.ndarray, err: np.ndarray) -> float:
    n = err.shape[0]
    if n < 2:
        return math.nan
    loo = (err.sum(axis=0)[None, :] - err) / (n - 1)
    if not np.all(loo > 0):
        return math.nan
    slopes = np.array([np.polyfit(x, np.log(row), 1)[0] for row in loo])
    return float(math.sqrt((n - 1) / n * np.sum((slopes - slopes.mean()) ** 2)))
