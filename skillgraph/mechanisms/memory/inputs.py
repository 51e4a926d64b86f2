"""The memory's inputs: storage schemes, Zipf frequencies and the checks of its parameters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from skillgraph._validation import MAX_ZIPF_EXPONENT, check_choice, check_int, check_real
from skillgraph.core.graph import MAX_SKILLS, skill_measure_array

__all__ = ["SCHEMES", "zipf_probabilities"]


#: Storage schemes: ``"threshold"`` stores the ``P = floor(d / kappa)`` most
#: frequent inputs with ``q = 1``; ``"frequency"`` stores every input with
#: ``q = p ** rho``; ``"all"`` stores every input with ``q = 1``.
SCHEMES = ("threshold", "frequency", "all")

#: an input is a skill of the graph the memory feeds: the graph's limit
MAX_INPUTS = MAX_SKILLS
MAX_TRIALS = 10**6

#: parameter -> ``check(value) -> value``: the memory's scalar parameters, each on its own
#: (the laws need ``zipf_exponent > 1``: :func:`check_law_exponent`)
PARAMETER_CHECKS: dict[str, Callable] = {
    "n_inputs": lambda v: check_int("n_inputs", v, 1, MAX_INPUTS),
    "n_labels": lambda v: check_int("n_labels", v, 2),
    "zipf_exponent": lambda v: check_real("zipf_exponent", v, 0.0, MAX_ZIPF_EXPONENT),
    "scheme": lambda v: check_choice("scheme", v, SCHEMES),
    "kappa": lambda v: check_real("kappa", v, 0.0, None, open_low=True),
    "rho": lambda v: check_real("rho", v, 0.0, None, open_low=True),
}


def check_parameters(**values) -> list:
    """The values of :data:`PARAMETER_CHECKS`' parameters, checked in the order given."""
    return [PARAMETER_CHECKS[name](value) for name, value in values.items()]


def check_d(d, name: str = "d") -> np.ndarray:
    """Memory sizes: whole numbers in ``[1, 2**63)``, or ``inf`` (float64, at least one value).

    ``name`` is the parameter the errors name (a config's ``T_d``, ``emergence_d``).
    """
    if isinstance(d, str):
        raise TypeError(f"{name} must be a number or an array of numbers, got str {d!r}")
    arr = np.atleast_1d(np.asarray(d))
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be whole numbers >= 1 (or inf), got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a number or a non-empty 1-D array, got shape {arr.shape}"
        )
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    # sizes become int64 counts; 2**63 and beyond would overflow them
    bad = np.isnan(arr) | (arr < 1) | (finite & ((arr != np.floor(arr)) | (arr >= 2.0**63)))
    if bad.any():
        raise ValueError(
            f"{name} must hold whole numbers in [1, 2**63 - 1] (or inf for an unbounded "
            f"memory), got {arr[bad][0]!r}"
        )
    return arr


def check_T(T) -> int | None:
    """Samples of data: None (population frequencies) or an integer >= 1."""
    return None if T is None else check_int("T", T, 1)


def check_law_exponent(zipf_exponent) -> float:
    """A Zipf exponent for the laws, which need ``a > 1`` (a normalisable infinite Zipf law)."""
    return check_real("zipf_exponent", zipf_exponent, 1.0, MAX_ZIPF_EXPONENT, open_low=True)


def check_positive_reals(name: str, value, minimum: float) -> np.ndarray:
    """A number or 1-D array of numbers, each ``>= minimum`` (float64 array)."""
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else None
    if arr is None or arr.ndim > 1 or arr.size == 0:
        raise TypeError(f"{name} must be a number or a 1-D array of numbers, got {value!r}")
    bad = ~(arr >= minimum)  # catches NaN
    if bad.any():
        raise ValueError(f"{name} must be >= {minimum:g}, got {np.atleast_1d(arr)[bad][0]!r}")
    return arr


def zipf_probabilities(n_inputs: int, zipf_exponent: float) -> np.ndarray:
    """``p(x) = (x + 1) ** -a / sum_y (y + 1) ** -a`` for ``x = 0..N-1`` (float64)."""
    return skill_measure_array(n_inputs, "zipf", zipf_exponent)


def short(values: np.ndarray) -> str:
    """An array in a few characters, for a ``repr``."""
    if values.size <= 4:
        return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"
    return f"[{values[0]:.4g}, {values[1]:.4g}, ..., {values[-1]:.4g}] ({values.size} values)"
