"""Input validation shared by the public functions.

Every check raises before any work starts, with a message that names the
parameter, shows the value and states the valid range.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

#: the largest integer any parameter may take: every count ends up in an int64 array
MAX_INT64 = 2**63 - 1


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking type and range (bounds inclusive).

    Without ``maximum`` the bound is :data:`MAX_INT64`, so that a value that
    numpy cannot hold is refused by name instead of overflowing later.
    """
    maximum = MAX_INT64 if maximum is None else maximum
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}{_upper(maximum)}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum} (and >= {minimum}), got {value}")
    return value


def _upper(maximum):
    return f" and <= {maximum}" if maximum is not None else ""


def check_real(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    interval = interval_text(low, high, open_low, open_high)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {interval}, got {value}")
    if low is not None and (value < low or (open_low and value == low)):
        raise ValueError(f"{name} must be in {interval}, got {value}")
    if high is not None and (value > high or (open_high and value == high)):
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_probability(name: str, value, *, open_low: bool = True, open_high: bool = True) -> float:
    """A probability in (0, 1) by default; endpoints allowed on request."""
    return check_real(name, value, 0.0, 1.0, open_low=open_low, open_high=open_high)


def interval_text(low, high, open_low: bool = False, open_high: bool = False) -> str:
    """An interval as people write it: ``[0, 1)``, ``(0, inf)``; ``None`` is unbounded."""
    left = "(" if open_low or low is None else "["
    right = ")" if open_high or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_choice(name: str, value, options: Iterable[str]) -> str:
    """``value`` must be one of ``options`` (strings)."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_bool_array(name: str, value, length: int) -> np.ndarray:
    """A one-dimensional boolean array of the given length (0/1 integers are refused)."""
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        raise TypeError(f"{name} must be a boolean array, got dtype {arr.dtype}")
    if arr.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {arr.shape}")
    return arr


def all_scalar(*values) -> bool:
    """True when every value is 0-dimensional (the caller then returns Python scalars)."""
    try:
        return all(np.ndim(v) == 0 for v in values)
    except (ValueError, TypeError):  # ragged input: validation names the parameter
        return False


def scalar_or_array(arr: np.ndarray, scalar: bool):
    """A Python scalar for scalar inputs, a fresh ndarray otherwise."""
    return arr.item() if scalar else np.array(arr)


def broadcast_named(**arrays):
    """Broadcast the named arrays, naming them all when the shapes clash."""
    try:
        return np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from None


def real_array(name: str, value, low: float, high: float, open_low: bool, open_high: bool):
    """``value`` as a float64 array of reals in the interval, or a named error."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be a real number or array of reals, got {value!r}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a real number or a regular array: {exc}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real number or array of reals, got dtype {arr.dtype} ({value!r})"
        )
    arr = arr.astype(np.float64)
    left = "(" if open_low else "["
    right = ")" if open_high else "]"
    interval = f"{left}{low:g}, {high:g}{right}"
    if np.isnan(arr).any():
        raise ValueError(f"{name} must be in {interval}, got NaN")
    bad = (arr < low) | (arr > high)
    if open_low:
        bad |= arr == low
    if open_high:
        bad |= arr == high
    if bad.any():
        raise ValueError(f"{name} must be in {interval}, got {arr[bad].flat[0]!r}")
    return arr


def int_array(name: str, value, minimum: int):
    """``value`` as an int64 array with entries ``>= minimum``, or a named error.

    Integral floats (``8.0``) are accepted, as in ``_validation.check_int``.
    """
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be an integer or array of integers, got {value!r}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be an integer or a regular array: {exc}") from None
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))].flat[0]
            raise TypeError(f"{name} must be an integer (>= {minimum}), got {bad!r}")
    elif arr.dtype == object and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in arr.flat
    ):  # Python integers too large for int64
        raise ValueError(f"{name} must be <= {np.iinfo(np.int64).max}, got {max(arr.flat)}")
    elif arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be an integer or array of integers, got dtype {arr.dtype} ({value!r})"
        )
    if arr.dtype.kind == "u" or arr.dtype.kind == "f":
        if (arr > np.iinfo(np.int64).max).any():
            raise ValueError(f"{name} must be <= {np.iinfo(np.int64).max}")
    arr = arr.astype(np.int64)
    if (arr < minimum).any():
        raise ValueError(f"{name} must be >= {minimum}, got {arr[arr < minimum].flat[0]}")
    return arr
