"""Analytical emergence bounds: entropy, KL, ``alpha_star`` and the tuple bound.

Implements Theorem 1 in its KL form and the paper's form and the averaging
bound (:doc:`/theory/theorem1`), and Corollary 2, the tuple bound by
tensorization (:doc:`/theory/tuples`).  Pure numpy/scipy: importing this module never imports
numba, so users can property-test their own bounds without the simulator.

All logarithms are natural (nats).

Conventions shared by every function here:

* Inputs broadcast like numpy ufuncs.  When every array argument is a scalar
  the result is a Python ``float`` (or ``bool``); otherwise an ``ndarray`` of
  the broadcast shape.
* Bad input (wrong type, NaN, out of range, shapes that do not broadcast)
  raises ``TypeError`` or ``ValueError`` naming the parameter, before any work.
  No function returns NaN.

The Chernoff step and ``beta <= theta``
---------------------------------------
Theorem 1 bounds ``P[Bin(n, alpha) >= q n]`` by ``exp(-n KL(q || alpha))``,
which is an upper-tail bound and holds only for ``q >= alpha``.  With
``q = beta alpha / theta`` that is ``beta >= theta``.  When ``beta <= theta``
the KL expression is still positive but bounds nothing (the tail probability is
close to 1; a uniformly random failure set of rate ``theta`` already makes
almost every skill bad at threshold ``beta``).  So for ``beta <= theta`` the
bound is vacuous in both forms and ``alpha_star`` returns
``min(theta / beta, 1) = 1``.  The paper's form never holds there anyway (it
is weaker than the KL form and ``k theta H(q) >= k beta alpha log(1/alpha)``
when ``q <= alpha``), so this only removes a spurious result from the KL form,
matching the requirement ``q > p`` of the certificates
(:ref:`theory-certificate-beta-theta`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import xlog1py, xlogy

from skillgraph._validation import (
    all_scalar,
    broadcast_named,
    check_choice,
    int_array,
    real_array,
    scalar_or_array,
)

__all__ = [
    "FORMS",
    "alpha_star",
    "averaging_bound",
    "entropy",
    "is_vacuous",
    "kl",
    "performance_curve_bound",
    "tuple_alpha_star",
]

#: The two forms of Theorem 1 (:ref:`theory-theorem1-kl`, :ref:`theory-theorem1-paper`).
FORMS = ("kl", "paper")

# brentq's stopping rule is |interval| < xtol + rtol |x|; a negligible xtol
# makes the relative tolerance govern even for roots far below 1e-12.
_BRENTQ_RTOL = 1e-13
_BRENTQ_XTOL = 1e-300
_BRENTQ_MAXITER = 500
_SMALLEST_POSITIVE = math.ulp(0.0)


# --------------------------------------------------------------------------- entropy, KL


def entropy(p):
    """Binary entropy ``H(p) = -p log p - (1-p) log(1-p)`` in nats.

    Parameters
    ----------
    p : float or array_like
        Probabilities in ``[0, 1]``.

    Returns
    -------
    float or numpy.ndarray
        ``H(p)``; ``H(0) = H(1) = 0``.

    Raises
    ------
    TypeError, ValueError
        If ``p`` is not real or lies outside ``[0, 1]`` (NaN included).

    Notes
    -----
    Conventions: :doc:`/theory/index`.  Uses ``xlogy``/``xlog1py`` so the
    endpoints are exact and small ``p`` keeps full relative accuracy.
    O(size of ``p``).

    Examples
    --------
    >>> round(entropy(0.5), 12) == round(math.log(2), 12)
    True
    """
    scalar = all_scalar(p)
    arr = real_array("p", p, 0.0, 1.0, False, False)
    h = -xlogy(arr, arr) - xlog1py(1.0 - arr, -arr)
    # Rounding can make H a hair negative at the endpoints' neighbours; H >= 0.
    return scalar_or_array(np.maximum(h, 0.0), scalar)


def kl(q, p):
    """Binary Kullback-Leibler divergence ``KL(q || p)`` in nats.

    ``KL(q || p) = q log(q/p) + (1-q) log((1-q)/(1-p))``.

    Parameters
    ----------
    q, p : float or array_like
        Probabilities in ``[0, 1]``; broadcast together.

    Returns
    -------
    float or numpy.ndarray
        The divergence, ``>= 0``; ``+inf`` where ``p`` is 0 or 1 and ``q``
        differs from it (e.g. ``kl(0.5, 0) = inf``), ``0`` where ``q == p``.

    Raises
    ------
    TypeError, ValueError
        Non-real input, values outside ``[0, 1]`` (NaN included), or shapes that
        do not broadcast.

    Notes
    -----
    :ref:`theory-theorem1-derivation` (Chernoff: ``P[Bin(n, p) >= q n] <= exp(-n KL(q || p))`` for
    ``q >= p``).  Written with ``xlogy`` and ``xlog1py`` so that ``0 log 0 = 0``
    and small arguments keep their relative accuracy.  O(broadcast size).

    Examples
    --------
    >>> kl(0.3, 0.3)
    0.0
    """
    scalar = all_scalar(q, p)
    qa = real_array("q", q, 0.0, 1.0, False, False)
    pa = real_array("p", p, 0.0, 1.0, False, False)
    qa, pa = broadcast_named(q=qa, p=pa)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (xlogy(qa, qa) - xlogy(qa, pa)) + (xlog1py(1.0 - qa, -qa) - xlog1py(1.0 - qa, -pa))
    # The two inf cases (p = 0 < q, p = 1 > q) never meet each other, so no
    # inf - inf arises; clamp tiny negative rounding to 0.
    d = np.where(qa == pa, 0.0, np.maximum(d, 0.0))
    return scalar_or_array(d, scalar)


# --------------------------------------------------------------------------- the solver


# The solver works with x = alpha / (theta/beta) in (0, 1] and with the
# condition divided by theta > 0 (which keeps its sign).  Then q = x, and with
# L = log(beta/theta) = log(beta) - log(theta) (no overflow for tiny theta):
#
#   KL form:    k theta KL(q || alpha) - H(theta)
#             = theta * ( k [x L + (1-x)(log(1-x) - log(1-alpha))] - H(theta)/theta )
#   paper form: k beta alpha log(1/alpha) - H(theta) - k theta H(q)
#             = theta * ( k [x L + (1-x) log(1-x)] - H(theta)/theta )
#
# (the paper form expands H(q) and log(1/alpha) = L - log x; the -x log x terms
# cancel exactly, which also avoids a cancellation in floating point).  The two
# differ by k (1-x) log(1/(1-alpha)) >= 0, the term the paper drops
# (docs/theory/theorem1.rst).  Working with x and L avoids overflow in beta/theta and keeps the
# relative precision of alpha_star for tiny theta (down to the normal range).


def _h_over_theta(theta: float) -> float:
    """``H(theta) / theta = log(1/theta) - (1-theta) log(1-theta) / theta``."""
    if theta < 1e-8:
        # -(1-t) log(1-t) / t = 1 - t/2 - t^2/6 - ...; the ratio form loses
        # precision for subnormal t.
        return -math.log(theta) + 1.0 - 0.5 * theta
    return -math.log(theta) - (1.0 - theta) * math.log1p(-theta) / theta


def _h_over_theta_array(theta: np.ndarray) -> np.ndarray:
    small = theta < 1e-8
    safe = np.where(small, 0.5, theta)
    ratio = -(1.0 - safe) * np.log1p(-safe) / safe
    return -np.log(theta) + np.where(small, 1.0 - 0.5 * theta, ratio)


def _margin_kl(x: float, log_ratio: float, k: int, hi: float, hot: float) -> float:
    """Scaled KL-form margin: positive where Theorem 1 holds at ``alpha = x * hi``."""
    tail = 0.0 if x >= 1.0 else (1.0 - x) * (math.log1p(-x) - math.log1p(-x * hi))
    return k * (x * log_ratio + tail) - hot


def _margin_paper(x: float, log_ratio: float, k: int, hi: float, hot: float) -> float:
    """Scaled paper-form margin: positive where Theorem 1' holds at ``alpha = x * hi``."""
    tail = 0.0 if x >= 1.0 else (1.0 - x) * math.log1p(-x)
    return k * (x * log_ratio + tail) - hot


_MARGINS = {"kl": _margin_kl, "paper": _margin_paper}


def _vacuous_mask(theta: np.ndarray, beta: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Where no ``alpha`` below ``min(theta/beta, 1)`` satisfies the condition.

    At ``alpha = theta/beta`` we have ``q = 1`` and both forms reduce to
    ``H(theta) < k theta log(beta/theta)``; the condition sets are up-intervals,
    so failing there means failing everywhere.  ``beta <= theta`` is vacuous
    (module docstring).
    """
    endpoint = k * (np.log(beta) - np.log(theta)) - _h_over_theta_array(theta)
    return (beta <= theta) | ~(endpoint > 0.0)


def _solve_one(theta: float, beta: float, k: int, form: str) -> float:
    """``alpha_star`` for one non-vacuous ``(theta, beta, k)`` (``beta > theta``)."""
    margin = _MARGINS[form]
    hi = theta / beta
    args = (math.log(beta) - math.log(theta), k, hi, _h_over_theta(theta))
    if margin(1.0, *args) <= 0.0:
        # _vacuous_mask said > 0; a last-bit disagreement at the boundary.
        return hi
    # The margin tends to -H(theta)/theta < 0 as x -> 0, so halving from the top
    # reaches a negative value (after about log2(k L / log(1/theta)) steps) and
    # leaves brentq a bracket [x/2, x].
    lo = 1.0
    while True:
        nxt = lo * 0.5
        m = margin(nxt, *args)
        if m <= 0.0:
            break
        lo = nxt
    if m == 0.0:
        # The condition is strict, so x = nxt fails and everything above holds.
        x = nxt
    else:
        x = brentq(
            margin, nxt, lo, args=args, xtol=_BRENTQ_XTOL, rtol=_BRENTQ_RTOL,
            maxiter=_BRENTQ_MAXITER,
        )  # fmt: skip
    # alpha_star > 0 always; for subnormal theta the product can round to 0, so
    # keep the smallest positive float (the conservative side of a bound).
    return max(float(x) * hi, _SMALLEST_POSITIVE)


def _alpha_star_arrays(theta, beta, k, form):
    """Vectorised core on validated, broadcast arrays."""
    vac = _vacuous_mask(theta, beta, k)
    with np.errstate(over="ignore"):  # theta / beta = inf for subnormal beta; min -> 1
        out = np.minimum(theta / beta, 1.0)
    idx = np.flatnonzero(~vac)
    if idx.size:
        flat_out = out.reshape(-1)
        th = theta.reshape(-1)[idx].tolist()
        be = beta.reshape(-1)[idx].tolist()
        kk = k.reshape(-1)[idx].tolist()
        flat_out[idx] = [_solve_one(a, b, c, form) for a, b, c in zip(th, be, kk, strict=True)]
        out = flat_out.reshape(theta.shape)
    return out, vac


def _theta_beta(theta, beta, **integers):
    """Broadcast ``theta``, ``beta`` in (0, 1) and the named integers >= 1, in that order."""
    th = real_array("theta", theta, 0.0, 1.0, True, True)
    be = real_array("beta", beta, 0.0, 1.0, True, True)
    ints = {name: int_array(name, value, 1) for name, value in integers.items()}
    return broadcast_named(theta=th, beta=be, **ints)


def _validated(theta, beta, k, form):
    form = check_choice("form", form, FORMS)
    th, be, kk = _theta_beta(theta, beta, k=k)
    return th, be, kk, form


def alpha_star(theta, beta, k, *, form: str = "kl"):
    """The emergence bound: the largest possible bad fraction of skills.

    The smallest ``alpha`` in ``(0, min(theta/beta, 1)]`` satisfying Theorem 1:
    with high probability over the random skill graph, *every* failure set of
    measure ``theta`` leaves at most an ``alpha_star`` fraction of skills with
    competence below ``1 - beta``.

    Parameters
    ----------
    theta : float or array_like
        Failure rate of the model on text pieces, in ``(0, 1)``.
    beta : float or array_like
        Failure threshold defining a bad skill, in ``(0, 1)``.
    k : int or array_like of int
        Skills per text piece, ``>= 1``.
    form : {"kl", "paper"}, optional
        ``"kl"`` (default): ``H(theta) < k theta KL(q || alpha)``;
        ``"paper"``: ``H(theta) + k theta H(q) - k beta alpha log(1/alpha) < 0``;
        ``q = beta alpha / theta``.

    Returns
    -------
    float or numpy.ndarray
        ``alpha_star``, broadcast over the inputs; a ``float`` when all inputs
        are scalars.  Equals ``min(theta/beta, 1)`` when the bound is vacuous
        (see :func:`is_vacuous`).

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, ``theta`` or ``beta`` outside ``(0, 1)``, NaN,
        ``k < 1`` or non-integral, unknown ``form``, shapes that do not broadcast.

    Notes
    -----
    :ref:`theory-alpha-star`.  On ``(0, theta/beta]`` the set of ``alpha`` where the
    condition holds is an up-interval (for the KL form the margin is increasing;
    for the paper form it is convex and negative at 0; both are also checked by
    the tests), so ``alpha_star`` is its unique sign change, bracketed by halving
    down from ``theta/beta`` and refined by ``scipy.optimize.brentq`` to relative
    accuracy ``1e-13`` (far inside the 1e-10 the spec asks).

    For ``beta <= theta`` the Chernoff step behind Theorem 1 does not apply and
    the result is vacuous, 1 (module docstring).  Both forms agree at the top
    end (``q = 1``), so which inputs are vacuous does not depend on ``form``.

    Complexity: O(1) per element for vacuous inputs; otherwise one bracketing
    pass (about ``log2(theta / (beta alpha_star))`` evaluations) plus a brentq
    solve (typically 10-40 evaluations).  Python loop over the non-vacuous
    elements.

    References
    ----------
    S. Arora and A. Goyal, "A Theory for Emergence of Complex Skills and
    Language Models", arXiv:2307.15936 (v2), Theorem 8.

    Examples
    --------
    >>> round(alpha_star(0.05, 0.5, 8), 4)
    0.032
    >>> alpha_star(0.05, [0.5, 0.3, 0.2], 8).round(4)
    array([0.032 , 0.0721, 0.1431])
    """
    scalar = all_scalar(theta, beta, k)
    th, be, kk, form = _validated(theta, beta, k, form)
    out, _ = _alpha_star_arrays(th, be, kk, form)
    return scalar_or_array(out, scalar)


def is_vacuous(theta, beta, k, *, form: str = "kl"):
    """Whether Theorem 1 gives nothing beyond the averaging bound.

    Parameters
    ----------
    theta, beta, k, form
        As in :func:`alpha_star`.

    Returns
    -------
    bool or numpy.ndarray of bool
        ``True`` where even ``alpha = min(theta/beta, 1)`` fails the condition,
        i.e. ``beta <= theta`` or ``H(theta) >= k theta log(beta/theta)``.
        Then ``alpha_star`` equals the averaging bound.

    Raises
    ------
    TypeError, ValueError
        As in :func:`alpha_star`.

    Notes
    -----
    :ref:`theory-vacuous`.  At ``alpha = theta/beta`` both forms coincide, so the answer
    does not depend on ``form`` (it is still validated).  O(broadcast size),
    no root finding.

    Examples
    --------
    >>> is_vacuous(0.05, 0.5, 8), is_vacuous(0.05, 0.06, 8)
    (False, True)
    """
    scalar = all_scalar(theta, beta, k)
    th, be, kk, form = _validated(theta, beta, k, form)
    return scalar_or_array(_vacuous_mask(th, be, kk), scalar)


def averaging_bound(theta, beta):
    """The averaging (Markov) bound ``min(theta / beta, 1)``.

    Parameters
    ----------
    theta, beta : float or array_like
        In ``(0, 1)``; broadcast together.

    Returns
    -------
    float or numpy.ndarray
        The bad fraction that edge counting alone allows on near-regular graphs.

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, ``theta`` or ``beta`` outside ``(0, 1)``, NaN, shapes
        that do not broadcast.

    Notes
    -----
    :ref:`theory-averaging`.  O(broadcast size).

    Examples
    --------
    >>> averaging_bound(0.05, 0.5)
    0.1
    """
    scalar = all_scalar(theta, beta)
    th, be = _theta_beta(theta, beta)
    with np.errstate(over="ignore"):
        return scalar_or_array(np.minimum(th / be, 1.0), scalar)


def tuple_alpha_star(theta, beta, k, t, *, form: str = "kl"):
    """Corollary 2: the largest bad fraction of ``t``-tuples of skills.

    Parameters
    ----------
    theta, beta, k, form
        As in :func:`alpha_star`; ``theta`` is the failure rate on single text
        pieces.
    t : int or array_like of int
        Tuple size, ``>= 1``.

    Returns
    -------
    float or numpy.ndarray
        ``alpha_star(t theta, beta, k)`` where ``t theta < 1``.  Where
        ``t theta >= 1`` a glued super text piece may always fail, so nothing
        can be guaranteed: the result is ``1.0`` (vacuous), never an error.

    Raises
    ------
    TypeError, ValueError
        As in :func:`alpha_star`, and ``t < 1`` or non-integral.

    Notes
    -----
    :ref:`theory-tensorization`: ``t`` glued text pieces form a uniform skill
    cluster of degree ``k`` over the tuples, failing at rate at most
    ``min(t theta, 1)``.  Cost as for :func:`alpha_star`.

    Examples
    --------
    >>> tuple_alpha_star(0.025, 0.5, 8, 2) == alpha_star(0.05, 0.5, 8)
    True
    >>> tuple_alpha_star(0.4, 0.5, 8, 3)
    1.0
    """
    scalar = all_scalar(theta, beta, k, t)
    form = check_choice("form", form, FORMS)
    th, be, kk, tt = _theta_beta(theta, beta, k=k, t=t)
    with np.errstate(over="ignore"):
        theta_t = th * tt
    saturated = theta_t >= 1.0
    # Solve at a harmless placeholder where saturated; those entries are overwritten.
    out, _ = _alpha_star_arrays(np.where(saturated, 0.5, theta_t), be, kk, form)
    out = np.where(saturated, 1.0, out)
    return scalar_or_array(out, scalar)


def performance_curve_bound(theta, k, betas, *, form: str = "kl"):
    """Guaranteed performance curve: fraction of skills at least ``(1-beta)``-competent.

    Parameters
    ----------
    theta : float or array_like
        Failure rate in ``(0, 1)``.
    k : int or array_like of int
        Skills per text piece, ``>= 1``.
    betas : float or array_like
        Thresholds in ``(0, 1)``.
    form : {"kl", "paper"}, optional
        As in :func:`alpha_star`.

    Returns
    -------
    float or numpy.ndarray
        ``1 - alpha_star(theta, beta, k)`` for each ``beta`` (broadcast with
        ``theta`` and ``k``): with high probability every model of failure
        rate ``theta`` is at least ``(1 - beta)``-competent on this fraction of
        skills.

    Raises
    ------
    TypeError, ValueError
        As in :func:`alpha_star` (``betas`` is reported as ``beta``).

    Notes
    -----
    :ref:`theory-performance-curve-bound`.  Cost as for :func:`alpha_star`.

    Examples
    --------
    >>> performance_curve_bound(0.05, 8, [0.2, 0.5]).round(4)
    array([0.8569, 0.968 ])
    """
    scalar = all_scalar(theta, k, betas)
    th, be, kk, form = _validated(theta, betas, k, form)
    out, _ = _alpha_star_arrays(th, be, kk, form)
    return scalar_or_array(1.0 - out, scalar)
