"""The analytic laws of the memory error: data and capacity terms, slopes, optimal data."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from skillgraph._docstrings import fill_doc
from skillgraph.mechanisms.memory.inputs import (
    PARAMETER_CHECKS,
    check_d,
    check_law_exponent,
    check_parameters,
    check_positive_reals,
    check_T,
    zipf_probabilities,
)

__all__ = [
    "data_term",
    "data_term_constant",
    "data_term_asymptotic",
    "capacity_term",
    "analytic_error",
    "theory_slope",
    "compute_optimal_T",
]


def data_term(T, *, n_inputs: int = 1000, zipf_exponent: float = 2.0):
    """The data term ``E_T = sum_x p(x) (1 - p(x)) ** T``, summed exactly over ``N`` inputs.

    The expected ``p``-mass of the inputs that ``T`` samples never show: the
    error of an unbounded memory that stores every seen input.

    Parameters
    ----------
    T : float or array_like
        Samples, >= 1 (real values give a smooth curve).
    n_inputs : int
        ``N``, >= 1.
    zipf_exponent : float
        ``a``, in [0, 50].

    Returns
    -------
    float or ndarray
        Same shape as ``T``.

    Notes
    -----
    O(N) per value of ``T``, in float64 with ``log1p``.  For ``N -> inf`` and
    ``a > 1`` it tends to :func:`data_term_asymptotic`.

    Examples
    --------
    >>> round(data_term(1e4, n_inputs=10**6), 5)
    0.00691
    """
    t = check_positive_reals("T", T, 1.0)
    n_inputs, zipf_exponent = check_parameters(n_inputs=n_inputs, zipf_exponent=zipf_exponent)
    p = zipf_probabilities(n_inputs, zipf_exponent)
    log_keep = np.log1p(-p)
    out = np.array([float(p @ np.exp(tv * log_keep)) for tv in np.atleast_1d(t)])
    return float(out[0]) if t.ndim == 0 else out


def data_term_constant(zipf_exponent: float) -> float:
    """``B = (1 / a) c ** (1 / a) Gamma(1 - 1 / a)`` with ``c = 1 / zeta(a)`` (``N = inf``).

    Raises
    ------
    ValueError
        When ``a <= 1`` (no normalisable infinite Zipf law).

    Examples
    --------
    >>> round(data_term_constant(2.0), 5)
    0.69099
    """
    a = check_law_exponent(zipf_exponent)
    c = 1.0 / float(special.zeta(a))
    return c ** (1.0 / a) * float(special.gamma(1.0 - 1.0 / a)) / a


def data_term_asymptotic(T, zipf_exponent: float = 2.0):
    """Asymptotic data term ``B T ** -(1 - 1/a)`` for ``N = inf`` (``0.691 T ** -1/2`` at a = 2).

    Parameters
    ----------
    T : float or array_like
        Samples, >= 1.
    zipf_exponent : float
        ``a > 1``.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Replace the sum over ``x`` by an integral and ``(1 - p)^T`` by
    ``exp(-p T)``; with ``p(x) = c x ** -a`` the substitution ``u = c T x ** -a``
    gives ``(1 / a) (c T) ** (1 / a) T ** -1 Gamma(1 - 1 / a)``.  The
    derivation is on the documentation page *Associative memories*.
    """
    t = check_positive_reals("T", T, 1.0)
    a = check_law_exponent(zipf_exponent)
    out = data_term_constant(a) * t ** -(1.0 - 1.0 / a)
    return float(out) if t.ndim == 0 else out


#: the last parameters and the return of the laws of thresholding, in their docstrings
_THRESHOLDING_TAIL = """
    n_inputs, n_labels, zipf_exponent, kappa
        As in :func:`~skillgraph.mechanisms.memory.model.memory_error`.

    Returns
    -------
    float or ndarray
    """


def _tail_mass(p: np.ndarray) -> np.ndarray:
    """``tail[P] = sum_{x >= P} p(x)`` for ``P = 0..N``, summed from the small end."""
    return np.concatenate([np.cumsum(p[::-1])[::-1], [0.0]])


def _thresholding(d: np.ndarray, n_inputs, n_labels, zipf_exponent, kappa) -> tuple:
    """``(p, M, P)`` of thresholding with population frequencies, the parameters checked.

    ``P(d) = min(floor(d / kappa), N)`` per ``d`` (``N`` for ``d = inf``), int64.
    """
    n_inputs, n_labels, kappa, zipf_exponent = check_parameters(
        n_inputs=n_inputs, n_labels=n_labels, kappa=kappa, zipf_exponent=zipf_exponent
    )
    with np.errstate(invalid="ignore"):
        stored = np.where(np.isinf(d), n_inputs, np.floor(d / kappa))
    stored = np.minimum(stored, n_inputs).astype(np.int64)
    return zipf_probabilities(n_inputs, zipf_exponent), n_labels, stored


@fill_doc(thresholding_tail=_THRESHOLDING_TAIL)
def capacity_term(
    d, *, n_inputs: int = 1000, n_labels: int = 5, zipf_exponent: float = 2.0, kappa: float = 8
):
    """Capacity term ``(1 - 1/M) sum_{x >= P} p(x)`` of thresholding, ``P = floor(d / kappa)``.

    The inputs beyond the ``P`` most frequent are not stored; each is still
    right by chance about ``1/M`` of the time (its scores are noise).

    Parameters
    ----------
    d : float or array_like
        Memory sizes, whole numbers >= 1 (or inf).
    %(thresholding_tail)s

    Notes
    -----
    Inputs are numbered from 0, so the unstored ones are ``x >= P``.  For
    large ``P`` it behaves as ``(1 - 1/M) c kappa ** (a - 1) d ** -(a - 1) / (a - 1)``:
    the rate ``d ** -(a - 1)``.
    """
    d_arr = check_d(d)
    p, n_labels, stored = _thresholding(d_arr, n_inputs, n_labels, zipf_exponent, kappa)
    out = (1.0 - 1.0 / n_labels) * _tail_mass(p)[stored]
    return float(out[0]) if np.ndim(d) == 0 else out


@fill_doc(thresholding_tail=_THRESHOLDING_TAIL)
def analytic_error(
    d,
    T: int | None = None,
    *,
    n_inputs: int = 1000,
    n_labels: int = 5,
    zipf_exponent: float = 2.0,
    kappa: float = 8,
):
    """Analytic approximation of the thresholding memory's error ``E(d, T)``.

    An input is lost for lack of room (it is not among the ``P`` most
    frequent) or for lack of data (``T`` samples never showed it)::

        E(d, T) ≈ (1 - 1/M) [ sum_{x >= P} p(x) + sum_{x < P} p(x) (1 - p(x)) ** T ]

    the capacity term plus the data term restricted to the inputs the memory
    has room for, so that no input is counted twice.  An unstored input of a
    finite memory is right by chance about ``1/M`` of the time; an unbounded
    memory (``d = inf``) has no noise, so its factor is 1 and the error is the
    data term :func:`data_term` exactly.

    Parameters
    ----------
    d : float or array_like
        Memory sizes (whole numbers >= 1, or inf with ``T``).
    T : int, optional
        Samples; None: population frequencies (the capacity term alone).
    %(thresholding_tail)s

    Notes
    -----
    It neglects the recall errors among stored inputs (small for ``kappa``
    around 8 or more) and the ranking errors of empirical counts (a stored set
    slightly off the ``P`` most frequent).  For ``d`` and ``T`` large it is
    the Chinchilla-shaped law ``A d ** -(a - 1) + B T ** -(1 - 1/a)`` (each
    term dominating where the other is negligible).
    """
    d_arr = check_d(d)
    T = check_T(T)
    if T is None and np.isinf(d_arr).any():
        raise ValueError("d = inf needs a finite amount of data T")
    p, n_labels, stored = _thresholding(d_arr, n_inputs, n_labels, zipf_exponent, kappa)
    lost = _tail_mass(p)[stored]
    if T is not None:
        unseen = np.concatenate([[0.0], np.cumsum(p * np.exp(T * np.log1p(-p)))])
        lost = lost + unseen[stored]
    chance = np.where(np.isinf(d_arr), 1.0, 1.0 - 1.0 / n_labels)
    out = chance * lost
    return float(out[0]) if np.ndim(d) == 0 else out


def theory_slope(scheme: str, zipf_exponent: float, rho: float = 1.0) -> float:
    """Exponent of ``E ~ d ** slope`` for a storage scheme (population frequencies).

    ``"threshold"``: ``-(a - 1)``, the optimal rate.  ``"frequency"``:
    ``-(a - 1) / (2 rho a)``, valid for ``2 rho a > 1``.  ``"all"``: NaN, no
    power law (the memory overflows once ``N >> d``).

    Raises
    ------
    ValueError
        When ``a <= 1``, or for ``"frequency"`` when ``2 rho a <= 1``.

    Examples
    --------
    >>> theory_slope("threshold", 2.0), theory_slope("frequency", 2.0)
    (-1.0, -0.25)
    """
    scheme = PARAMETER_CHECKS["scheme"](scheme)
    a = check_law_exponent(zipf_exponent)
    rho = PARAMETER_CHECKS["rho"](rho)
    if scheme == "all":
        return math.nan
    if scheme == "threshold":
        return -(a - 1.0)
    if 2.0 * rho * a <= 1.0:
        raise ValueError(
            f"the frequency scheme has a power law only for 2 rho a > 1, got rho={rho:g}, "
            f"zipf_exponent={a:g} (2 rho a = {2 * rho * a:g})"
        )
    return -(a - 1.0) / (2.0 * rho * a)


def compute_optimal_T(
    d, *, n_labels: int = 5, zipf_exponent: float = 2.0, kappa: float = 8
) -> np.ndarray:
    """Samples ``T`` that balance the data term against the capacity term at memory size ``d``.

    With model size identified with ``d`` and compute ``C ∝ d T``, minimising
    ``A d ** -alpha + B T ** -beta`` at fixed ``C`` (``alpha = a - 1``,
    ``beta = 1 - 1/a``) gives ``alpha A d ** -alpha = beta B T ** -beta``, so

        T = (B / (a A)) ** (a / (a - 1)) d ** a

    with ``A = c kappa ** (a - 1) / (a - 1)`` and ``B`` the data-term constant
    (:func:`data_term_constant`; the chance factor ``1 - 1/M`` multiplies both
    terms and cancels).  ``T ~ d ** a``, the compute-optimal allocation.

    Parameters
    ----------
    d : float or array_like
        Memory sizes, >= 1.
    n_labels : int
        ``M`` (validated; it cancels).
    zipf_exponent : float
        ``a > 1``.
    kappa : float
        As in :func:`~skillgraph.mechanisms.memory.model.memory_error`.

    Returns
    -------
    ndarray of int64
        ``T`` rounded up, at least 1.
    """
    d_arr = check_d(d)
    if np.isinf(d_arr).any():
        raise ValueError("d must be finite for compute_optimal_T")
    PARAMETER_CHECKS["n_labels"](n_labels)
    a = check_law_exponent(zipf_exponent)
    kappa = PARAMETER_CHECKS["kappa"](kappa)
    big_a = kappa ** (a - 1.0) / (float(special.zeta(a)) * (a - 1.0))
    ratio = data_term_constant(a) / (a * big_a)
    return np.maximum(np.ceil(ratio ** (a / (a - 1.0)) * d_arr**a), 1).astype(np.int64)
