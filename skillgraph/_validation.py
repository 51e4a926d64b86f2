"""Input validation shared by the public functions, and the one home of every limit.

Every check raises before any work starts, with a message that names the
parameter, shows the value and states the valid range.  Public functions
validate here once and hand plain, trusted values to private implementations.

One type rule for every public numeric argument:

* numpy integer and float scalars are accepted like Python ``int`` and ``float``;
  ``fractions.Fraction`` and ``decimal.Decimal`` are accepted as real numbers;
* a count (:func:`check_int`) also takes a float, Fraction or Decimal whose
  value is exactly an integer (``50.0``, ``np.float32(50)``, ``1e5`` ->
  ``100000``), and nothing else (``1.5`` is refused);
* ``bool`` (and ``numpy.bool_``) is refused wherever a number is expected;
* NaN and infinities are refused.
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "MAX_INT64",
    "MAX_SKILLS",
    "MAX_TEXTS",
    "MAX_K",
    "MAX_T",
    "MAX_SEED",
    "MAX_ZIPF_EXPONENT",
    "check_int",
    "check_real",
    "check_probability",
    "check_choice",
    "check_sequence",
    "check_bool_array",
    "interval_text",
]

#: the largest integer any parameter may take: every count ends up in an int64 array
MAX_INT64 = 2**63 - 1
#: the most skills of a graph: skill ids are int32 in the kernels and in edge files
MAX_SKILLS = 2**31 - 1
#: the most text pieces: counts live in int64; whether a machine can simulate that many
#: is for the resource checks to say (in seconds, before any work)
MAX_TEXTS = MAX_INT64
#: the most skills per text piece: the streaming kernel counts ``chunk * k < 2**32``
#: edge slots per call in uint32, with chunks of at least 4096 text pieces
MAX_K = 2**20
#: the largest tuple size: the bound needs ``t theta < 1`` and sampled tuples cost O(t)
MAX_T = 64
#: integer seeds are in [0, MAX_SEED): numpy draws seeds of that size from a Generator
MAX_SEED = 2**63
#: the largest Zipf exponent of a measure over skills, inputs or answers: at 50 the second
#: item already weighs 2**-50 of the first, a point mass to a few float64 ulps
MAX_ZIPF_EXPONENT = 50.0

_REALS = (numbers.Real, decimal.Decimal)


def _is_number(value) -> bool:
    return not isinstance(value, bool | np.bool_) and isinstance(value, _REALS)


def _exact_integer(value) -> int | None:
    """``value`` as an ``int`` when it is a finite number exactly equal to one, else None."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, np.floating):
        value = float(value)  # exact for float16/32/64
    try:
        exact = fractions.Fraction(value)  # exact for floats, Decimals and Fractions
    except (ValueError, OverflowError, TypeError):  # NaN, infinities
        return None
    return int(exact) if exact.denominator == 1 else None


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking type and range (bounds inclusive).

    Without ``maximum`` the bound is :data:`MAX_INT64`, so that a value that
    numpy cannot hold is refused by name instead of overflowing later.  See
    the module's type rule.
    """
    maximum = MAX_INT64 if maximum is None else maximum
    exact = _exact_integer(value) if _is_number(value) else None
    if exact is None:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = exact
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
    if not _is_number(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        value = float(value)
    except OverflowError:  # a Fraction or Decimal beyond the float range
        value = math.inf if value > 0 else -math.inf
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


def check_sequence(
    name: str, value, check_item: Callable, *, scalar=(), allow_empty: bool = False
) -> tuple:
    """``value`` as a tuple of items, each checked by ``check_item(f"{name}[i]", item)``.

    A lone ``scalar`` (a type or tuple of types) stands for a one-element
    sequence.  Strings and arrays are not sequences here; no item may repeat.
    """
    if isinstance(value, scalar):
        value = (value,)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not (
        value or allow_empty
    ):
        what = "a sequence" if allow_empty else "a non-empty sequence"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    items = tuple(check_item(f"{name}[{i}]", v) for i, v in enumerate(value))
    if len(set(items)) != len(items):
        raise ValueError(f"{name} must not repeat a value, got {items}")
    return items


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


def broadcast_with_n_skills(arrays: dict, replace: bool, n_skills, minimum: int = 1) -> tuple:
    """Broadcast ``arrays`` (which hold ``k``), then ``n_skills`` or None.

    With replacement the law does not depend on ``n_skills``, so it is refused;
    without, it is needed (>= ``minimum``) and must be at least ``k``.
    """
    if replace:
        if n_skills is not None:
            raise TypeError(
                "n_skills is used only with replace=False (with replacement the law does not "
                f"depend on it), got n_skills={n_skills!r}"
            )
        return (*broadcast_named(**arrays), None)
    if n_skills is None:
        raise TypeError(
            "replace=False needs n_skills (the hypergeometric law of the marked slots "
            "depends on it)"
        )
    arrays = {**arrays, "n_skills": int_array("n_skills", n_skills, minimum)}
    out = dict(zip(arrays, broadcast_named(**arrays), strict=True))
    kk, nn = out["k"], out["n_skills"]
    if (kk > nn).any():
        bad = np.flatnonzero((kk > nn).ravel())[0]
        raise ValueError(
            f"k must be <= n_skills when replace=False (k distinct skills per text), got "
            f"k={kk.ravel()[bad]} > n_skills={nn.ravel()[bad]}"
        )
    return tuple(out.values())


def asarray_named(name: str, value, what: str, one: str) -> np.ndarray:
    """``np.asarray(value)``, refusing text, flags, None and ragged sequences by name.

    ``what`` ends the TypeError's "must be ..." (``"a real number or array of
    reals"``); ``one`` names a single value in the ValueError for ragged input
    (``"a real number"``).  The caller checks the dtype.
    """
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be {what}, got {value!r}")
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be {one} or a regular array: {exc}") from None


def real_array(name: str, value, low: float, high: float, open_low: bool, open_high: bool):
    """``value`` as a float64 array of reals in the interval, or a named error."""
    arr = asarray_named(name, value, "a real number or array of reals", "a real number")
    if arr.dtype == object and all(_is_number(v) for v in arr.flat):  # Fractions, Decimals
        arr = np.vectorize(float, otypes=[np.float64])(arr) if arr.size else arr
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
    arr = asarray_named(name, value, "an integer or array of integers", "an integer")
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
