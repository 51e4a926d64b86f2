"""A mean over prompts (and replicate graphs) with its confidence interval."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillgraph._docstrings import fill_doc
from skillgraph.core.intervals import (
    CI_LEVEL,
    ConfidenceInterval,
    confidence_level_argument,
    t_half_width,
)

__all__ = ["MeanEstimate"]


@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its confidence interval.

    Attributes
    ----------
    value : float
    ci_low, ci_high : float
        Interval at confidence ``level`` (the table columns; :meth:`ci` gives
        it at any level).
    n : int
        Number of values averaged.
    std : float
        Standard deviation of the values (``ddof=1``; 0 for a single value).
    level : float
    spreads : tuple of (float, float, int)
        ``(mean, std, n)`` of each set of values whose Student-t interval
        enters the union (all values; the replicate means).
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    std: float
    level: float = CI_LEVEL
    spreads: tuple = field(default=(), repr=False, compare=False)

    @classmethod
    @fill_doc()
    def from_samples(
        cls, samples, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean and interval of ``samples``.

        Parameters
        ----------
        samples : array_like, shape (n,) or (replicates, n)
            One-dimensional: i.i.d. values, Student-t interval.  Two-dimensional:
            rows are replicates (e.g. graphs) whose values share a source of
            variation; the interval is the union of the Student-t interval over
            the replicate means and the one over all values pooled, so it
            neither ignores the replicate-to-replicate spread nor collapses
            when the replicates happen to agree.
        %(confidence_level)s
        %(level)s

        Returns
        -------
        MeanEstimate
        """
        confidence_level = confidence_level_argument(confidence_level, level, "from_samples")
        arr = np.asarray(samples, dtype=np.float64)
        if arr.ndim not in (1, 2) or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(
                f"samples must be a non-empty finite 1-D or 2-D array, got shape {arr.shape}"
            )
        flat = arr.ravel()
        spreads = (_spread(flat),)
        if arr.ndim == 2 and arr.shape[0] >= 2:
            spreads += (_spread(arr.mean(axis=1)),)
        std = float(flat.std(ddof=1)) if flat.size > 1 else 0.0
        low, high = _union(spreads, confidence_level)
        return cls(float(flat.mean()), low, high, int(flat.size), std, confidence_level, spreads)

    def ci(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> ConfidenceInterval:
        """The interval at ``confidence_level`` (``level``: deprecated alias)."""
        confidence_level = confidence_level_argument(confidence_level, level, "ci")
        if not self.spreads:  # built by hand, without samples: only its own level
            if confidence_level != self.level:
                raise ValueError(
                    f"confidence_level must be {self.level} for an estimate built without "
                    f"samples, got {confidence_level}"
                )
            return ConfidenceInterval(self.ci_low, self.ci_high)
        return _union(self.spreads, confidence_level)

    def as_dict(self) -> dict:
        """``{"value", "ci_low", "ci_high"}`` (for tables and JSON)."""
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}

    def __repr__(self) -> str:
        return (
            f"MeanEstimate(value={self.value:.6g}, ci{round(100 * self.level)}="
            f"({self.ci_low:.4g}, {self.ci_high:.4g}), n={self.n})"
        )


def _spread(values: np.ndarray) -> tuple[float, float, int]:
    """``(mean, std, n)`` of ``values``: what their Student-t interval needs."""
    std = float(values.std(ddof=1)) if values.size > 1 else 0.0
    return float(values.mean()), std, int(values.size)


def _union(spreads, confidence_level: float) -> ConfidenceInterval:
    """Union of the Student-t intervals of ``spreads`` (a point for a single value)."""
    lows, highs = [], []
    for mean, std, n in spreads:
        half = t_half_width(std, n, confidence_level) if n >= 2 else 0.0
        lows.append(mean - half)
        highs.append(mean + half)
    return ConfidenceInterval(min(lows), max(highs))
