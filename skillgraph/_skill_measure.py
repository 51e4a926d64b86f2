"""The skill measure ``mu1``: uniform, Zipf or given weights, defined once.

The sampler (:mod:`skillgraph.core.graph`) draws skills from it and the
certificates (:mod:`skillgraph.theory.sharp_measure`) bound bad mass under
it; both read it from here, so a measure named in a sweep, a certificate and
a sampled graph is the same array.  NumPy only: the theory layer loads this
without numba.
"""

from __future__ import annotations

import numpy as np

from skillgraph._validation import MAX_ZIPF_EXPONENT, check_choice, check_real

__all__ = ["NAMED_MEASURES", "checked_measure", "measure_probs"]

#: the named skill measures (an array of weights is the third kind); public as
#: ``skillgraph.core.graph.SKILL_MEASURES``
NAMED_MEASURES = ("uniform", "zipf")


def checked_measure(n_skills: int, skill_measure, zipf_exponent) -> tuple:
    """``(skill_measure, zipf_exponent)`` checked: a name, or normalised read-only weights.

    ``zipf_exponent`` is checked whatever the measure (only the Zipf measure uses
    it), so a bad value is never silently ignored.

    Raises
    ------
    ValueError, TypeError
        Naming the parameter and the valid values.
    """
    zipf_exponent = check_real("zipf_exponent", zipf_exponent, 0.0, MAX_ZIPF_EXPONENT)
    if isinstance(skill_measure, str):
        return check_choice("skill_measure", skill_measure, NAMED_MEASURES), zipf_exponent
    weights = np.asarray(skill_measure)
    if weights.dtype == object or not (
        np.issubdtype(weights.dtype, np.floating) or np.issubdtype(weights.dtype, np.integer)
    ):
        raise TypeError(
            "skill_measure must be 'uniform', 'zipf' or an array of non-negative numbers, "
            f"got dtype {weights.dtype}"
        )
    if weights.shape != (n_skills,):
        raise ValueError(
            f"skill_measure must have shape (n_skills,) = ({n_skills},), got {weights.shape}"
        )
    weights = weights.astype(np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("skill_measure must hold finite non-negative weights")
    total = weights.sum()
    if not total > 0 or not np.isfinite(total):
        raise ValueError(f"skill_measure must have a positive finite sum, got {total}")
    weights = weights / total
    weights.setflags(write=False)
    return weights, zipf_exponent


def measure_probs(n_skills: int, skill_measure, zipf_exponent) -> np.ndarray:
    """``mu1`` of a measure checked by :func:`checked_measure`, as a fresh float64 array.

    ``"zipf"`` is ``mu1(s) ∝ (s + 1) ** -zipf_exponent`` for ``s = 0 .. n_skills - 1``.
    """
    if isinstance(skill_measure, str):
        if skill_measure == "uniform":
            return np.full(n_skills, 1.0 / n_skills)
        weights = np.arange(1, n_skills + 1, dtype=np.float64) ** -zipf_exponent
        return weights / weights.sum()
    return skill_measure.copy()
