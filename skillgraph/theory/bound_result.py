"""The emergence bound for one ``(theta, beta, k, t)`` as a result object.

:func:`emergence_bound` applies Theorem 1 (``t = 1``, :doc:`/theory/theorem1`) or
Corollary 2 (``t > 1``, :doc:`/theory/tuples`) to scalar inputs and returns a
:class:`BoundResult`: the value of
:func:`~skillgraph.theory.bound_values.alpha_star` with its form, its vacuity
flag, the averaging bound and the slingshot ratio.  Pure numpy/scipy, like
:mod:`skillgraph.theory.bound_values`.
"""

from __future__ import annotations

from dataclasses import dataclass

from skillgraph._display import Display, JsonRecord
from skillgraph._validation import check_choice, check_int, check_probability
from skillgraph.theory._text import bound_repr
from skillgraph.theory.bound_values import FORMS, alpha_star, is_vacuous

__all__ = ["BoundResult", "emergence_bound"]


@dataclass(frozen=True, repr=False)
class BoundResult(Display, JsonRecord):
    """The emergence bound for one ``(theta, beta, k, t)``, with its context.

    Attributes
    ----------
    value : float
        ``alpha_star`` (for ``t > 1`` the tuple bound of Corollary 2): at most
        this fraction of skills (tuples) has competence below ``1 - beta``.
    form : str
        ``"kl"`` or ``"paper"``.
    vacuous : bool
        True when ``value`` is just the averaging bound.
    averaging : float
        ``min(theta_effective / beta, 1)``.
    slingshot_ratio : float
        ``value / averaging``: how far the bound falls below the averaging
        bound (1 = no gain).  Equal to ``alpha_star / (theta/beta)`` whenever
        ``theta_effective < beta``; when ``theta_effective >= beta`` the
        averaging bound is 1 and so is the ratio.
    theta, beta, k, t : float, float, int, int
        The inputs.
    theta_effective : float
        ``min(t theta, 1)``, the failure rate the bound was applied at.
    """

    value: float
    form: str
    vacuous: bool
    averaging: float
    slingshot_ratio: float
    theta: float
    beta: float
    k: int
    t: int
    theta_effective: float

    @property
    def guaranteed_competent(self) -> float:
        """``1 - value``: the guaranteed fraction of ``(1-beta)``-competent skills."""
        return 1.0 - self.value

    def __repr__(self) -> str:
        return bound_repr(
            self,
            f"value={self.value:.6g}",
            f"form={self.form!r}, averaging={self.averaging:.6g}, "
            f"slingshot_ratio={self.slingshot_ratio:.4g}, theta={self.theta:g}, "
            f"beta={self.beta:g}, k={self.k}, t={self.t}",
        )


def emergence_bound(theta, beta, k, *, t: int = 1, form: str = "kl") -> BoundResult:
    """Theorem 1 (``t = 1``) or Corollary 2 (``t > 1``) as a result object.

    Parameters
    ----------
    theta : float
        Failure rate in ``(0, 1)``.
    beta : float
        Threshold in ``(0, 1)``.
    k : int
        Skills per text piece, ``>= 1``.
    t : int, optional
        Tuple size, ``>= 1`` (default 1: single skills).
    form : {"kl", "paper"}, optional
        Form of the condition (default ``"kl"``).

    Returns
    -------
    BoundResult
        Value, form, vacuity flag, averaging bound, slingshot ratio and inputs.

    Raises
    ------
    TypeError, ValueError
        Arrays or non-numeric input, values out of range, unknown ``form``.

    Notes
    -----
    :doc:`/theory/theorem1`, :ref:`theory-corollary2`.  Scalar inputs only;
    use :func:`~skillgraph.theory.bound_values.alpha_star` for arrays.  Cost of
    one :func:`~skillgraph.theory.bound_values.alpha_star` solve.

    Examples
    --------
    >>> r = emergence_bound(0.05, 0.5, 8)
    >>> round(r.value, 4), r.vacuous, r.averaging
    (0.032, False, 0.1)
    """
    theta = check_probability("theta", theta)
    beta = check_probability("beta", beta)
    k = check_int("k", k, 1)
    t = check_int("t", t, 1)
    form = check_choice("form", form, FORMS)
    theta_eff = min(t * theta, 1.0)
    averaging = min(theta_eff / beta, 1.0)
    if theta_eff >= 1.0:
        value, vacuous = 1.0, True
    else:
        value = alpha_star(theta_eff, beta, k, form=form)
        vacuous = is_vacuous(theta_eff, beta, k, form=form)
    return BoundResult(
        value=value,
        form=form,
        vacuous=vacuous,
        averaging=averaging,
        slingshot_ratio=value / averaging,
        theta=theta,
        beta=beta,
        k=k,
        t=t,
        theta_effective=theta_eff,
    )
