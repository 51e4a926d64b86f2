"""Scaling laws, compute-optimal allocation and the map from excess loss to ``theta``.

See :doc:`/theory/loss_to_theta`.  A :class:`ScalingLaw` gives the loss ``L(N, D)`` of a model with
``N`` parameters trained on ``D`` tokens, its excess loss ``delta = L - E``
over the irreducible loss ``E``, and the compute-optimal ``(N, D)`` for a
budget of ``C = 6 N D`` FLOPs.  :func:`theta_from_excess` turns ``delta`` into
a failure rate ``theta`` for the emergence bounds of :mod:`skillgraph.theory.bounds`.

The exponents of the Chinchilla form are called ``a_exp`` and ``b_exp``; the
names ``alpha`` and ``beta`` belong to the emergence bound.

Every function broadcasts like a numpy ufunc and returns a Python ``float``
when all array arguments are scalars.  Bad input raises ``TypeError`` or
``ValueError`` naming the parameter.  Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skillgraph._display import Display
from skillgraph._validation import (
    all_scalar,
    asarray_named,
    broadcast_named,
    check_choice,
    check_real,
    scalar_or_array,
)

__all__ = [
    "CHINCHILLA",
    "EPOCH",
    "KAPLAN",
    "LAWS",
    "MAPPINGS",
    "REFERENCE_MODEL",
    "ScalingLaw",
    "theta_from_excess",
]

#: The maps from excess loss to failure rate (:ref:`theory-maps`).
MAPPINGS = ("anchored", "linear", "pinsker")

#: Chinchilla's own point ``(N, D) = (70e9, 1.4e12)``, the default anchor.
REFERENCE_MODEL = (70e9, 1.4e12)

_FORMS = ("chinchilla", "kaplan")


def _positive_array(name: str, value, *, allow_zero: bool = False) -> np.ndarray:
    """``value`` as a float64 array of finite positive reals, or a named error."""
    arr = asarray_named(name, value, "a positive real number or array", "a real number")
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a positive real number or array, got dtype {arr.dtype} ({value!r})"
        )
    arr = arr.astype(np.float64)
    interval = "[0, inf)" if allow_zero else "(0, inf)"
    bad = ~np.isfinite(arr) | (arr < 0) | ((arr == 0) if not allow_zero else False)
    if np.any(bad):
        raise ValueError(f"{name} must be finite and in {interval}, got {arr[bad].flat[0]!r}")
    return arr


@dataclass(frozen=True)
class ScalingLaw(Display):
    """A parametric loss law ``L(N, D)``.

    Two functional forms (:ref:`theory-laws`):

    * ``form="chinchilla"``: ``L = E + A / N**a_exp + B / D**b_exp``
      (Hoffmann et al. 2022, approach 3).
    * ``form="kaplan"``: ``L = ((n_c / N)**(a_n / a_d) + d_c / D)**a_d``
      (Kaplan et al. 2020, eq. 1.5).  No irreducible term: the attribute
      ``E`` is ``None`` (a Chinchilla-form parameter), :attr:`irreducible`
      is 0 and the excess loss is the loss.

    Build instances with :meth:`chinchilla_form` or :meth:`kaplan_form`; the
    parameters of the other form are ``None``.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"chinchilla"``.
    source : str
        Citation of the fit.
    form : {"chinchilla", "kaplan"}
    E, A, B, a_exp, b_exp : float or None
        Chinchilla-form parameters.
    n_c, d_c, a_n, a_d : float or None
        Kaplan-form parameters.
    """

    name: str
    source: str
    form: str
    E: float | None = None
    A: float | None = None
    B: float | None = None
    a_exp: float | None = None
    b_exp: float | None = None
    n_c: float | None = None
    d_c: float | None = None
    a_n: float | None = None
    a_d: float | None = None

    def __post_init__(self):
        check_choice("form", self.form, _FORMS)
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string, got {self.name!r}")
        if not isinstance(self.source, str):
            raise TypeError(f"source must be a string, got {self.source!r}")
        if self.form == "chinchilla":
            required = {"E": 0.0, "A": None, "B": None, "a_exp": None, "b_exp": None}
            unused = ("n_c", "d_c", "a_n", "a_d")
        else:
            required = {"n_c": None, "d_c": None, "a_n": None, "a_d": None}
            unused = ("E", "A", "B", "a_exp", "b_exp")
        for field, low in required.items():
            value = getattr(self, field)
            if value is None:
                raise ValueError(f"{field} is required for a {self.form}-form law")
            if low == 0.0:
                value = check_real(field, value, 0.0, None)
            else:
                value = check_real(field, value, 0.0, None, open_low=True)
            object.__setattr__(self, field, value)
        for field in unused:
            if getattr(self, field) is not None:
                raise ValueError(f"{field} is not a parameter of a {self.form}-form law")

    # ------------------------------------------------------------------ constructors

    @classmethod
    def chinchilla_form(
        cls, name: str, source: str, *, E: float, A: float, B: float, a_exp: float, b_exp: float
    ) -> ScalingLaw:
        """A law ``L = E + A / N**a_exp + B / D**b_exp``."""
        return cls(name=name, source=source, form="chinchilla", E=E, A=A, B=B,
                   a_exp=a_exp, b_exp=b_exp)  # fmt: skip

    @classmethod
    def kaplan_form(
        cls, name: str, source: str, *, n_c: float, d_c: float, a_n: float, a_d: float
    ) -> ScalingLaw:
        """A law ``L = ((n_c / N)**(a_n / a_d) + d_c / D)**a_d``."""
        return cls(name=name, source=source, form="kaplan", n_c=n_c, d_c=d_c, a_n=a_n, a_d=a_d)

    # ------------------------------------------------------------------ the law

    @property
    def irreducible(self) -> float:
        """The irreducible loss: ``E``, or 0 for the Kaplan form (whose ``E`` is ``None``)."""
        return self.E if self.form == "chinchilla" else 0.0

    def _excess(self, N: np.ndarray, D: np.ndarray) -> np.ndarray:
        if self.form == "chinchilla":
            return self.A / N**self.a_exp + self.B / D**self.b_exp
        return ((self.n_c / N) ** (self.a_n / self.a_d) + self.d_c / D) ** self.a_d

    def _validated_nd(self, N, D):
        scalar = all_scalar(N, D)
        n = _positive_array("N", N)
        d = _positive_array("D", D)
        n, d = broadcast_named(N=n, D=d)
        return n, d, scalar

    def loss(self, N, D):
        """Loss ``L(N, D)`` in nats per token.

        Parameters
        ----------
        N : float or array_like
            Parameters, finite and ``> 0``.
        D : float or array_like
            Training tokens, finite and ``> 0``; broadcast with ``N``.

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        TypeError, ValueError
            Non-numeric, non-finite or non-positive ``N`` or ``D``; shapes that
            do not broadcast.

        Notes
        -----
        :ref:`theory-laws`.  O(broadcast size).
        """
        n, d, scalar = self._validated_nd(N, D)
        return scalar_or_array(self.irreducible + self._excess(n, d), scalar)

    def excess(self, N, D):
        """Excess loss ``delta = L(N, D) - E``: what a better model can still remove.

        Parameters and errors as in :meth:`loss`.  :ref:`theory-excess-loss`.

        Examples
        --------
        >>> round(CHINCHILLA.excess(70e9, 1.4e12), 4)
        0.2466
        """
        n, d, scalar = self._validated_nd(N, D)
        return scalar_or_array(self._excess(n, d), scalar)

    def compute_optimal(self, C):
        """The ``(N, D)`` minimising the loss at compute ``C = 6 N D``.

        Parameters
        ----------
        C : float or array_like
            Training compute in FLOPs, finite and ``> 0``.

        Returns
        -------
        (N, D) : tuple of float or of numpy.ndarray
            With ``6 N D = C``.

        Raises
        ------
        TypeError, ValueError
            Non-numeric, non-finite or non-positive ``C``.

        Notes
        -----
        :ref:`theory-compute-optimal`.  Chinchilla form, closed form:
        ``N = G (C/6)**(b/(a+b))``, ``D = (C/6)**(a/(a+b)) / G``,
        ``G = (a A / (b B))**(1/(a+b))`` with ``a, b = a_exp, b_exp``.

        Kaplan form: the outer power ``a_d`` is increasing, so minimise
        ``(n_c/N)**p + 6 d_c N / C`` with ``p = a_n/a_d``; setting the
        derivative to zero gives the closed form
        ``N = (p n_c**p C / (6 d_c))**(1/(p+1))``, ``D = C / (6 N)``.  This is
        the optimum *of the L(N, D) law on the 6ND constraint*; it differs from
        Kaplan et al.'s own compute-efficient frontier (``N ∝ C**0.73``), which
        came from their learning-curve fits ``L(N, S)``, not from eq. 1.5.

        O(size of ``C``).

        Examples
        --------
        >>> N, D = CHINCHILLA.compute_optimal(1e24)
        >>> round(6 * N * D / 1e24, 12)
        1.0
        """
        scalar = all_scalar(C)
        c = _positive_array("C", C)
        if self.form == "chinchilla":
            a, b = self.a_exp, self.b_exp
            g = (a * self.A / (b * self.B)) ** (1.0 / (a + b))
            n = g * (c / 6.0) ** (b / (a + b))
        else:
            p = self.a_n / self.a_d
            # In logs, so that n_c**p * C cannot overflow for huge budgets.
            log_n = math.log(p) + p * math.log(self.n_c) + np.log(c) - math.log(6.0 * self.d_c)
            n = np.exp(log_n / (p + 1.0))
        d = c / (6.0 * n)
        return scalar_or_array(n, scalar), scalar_or_array(d, scalar)

    def theta(
        self,
        N,
        D,
        *,
        mapping: str = "anchored",
        c: float = 1.0,
        theta_ref: float = 0.05,
        reference: tuple[float, float] = REFERENCE_MODEL,
    ):
        """Failure rate ``theta`` of a model of size ``N`` trained on ``D`` tokens.

        ``theta_from_excess(self.excess(N, D), ...)``, with ``delta_ref`` the
        excess at ``reference`` under this law.

        Parameters
        ----------
        N, D : float or array_like
            As in :meth:`loss`.
        mapping : {"anchored", "linear", "pinsker"}, optional
            See :func:`theta_from_excess`.
        c : float, optional
            Cloze-sufficiency factor (``linear`` and ``pinsker``).
        theta_ref : float, optional
            Failure rate of the reference model (``anchored``).
        reference : (float, float), optional
            ``(N, D)`` of the reference model; default Chinchilla's own point.

        Returns
        -------
        float or numpy.ndarray
            ``theta`` in ``[0, 1]``.

        Raises
        ------
        TypeError, ValueError
            As in :meth:`loss` and :func:`theta_from_excess`; ``reference`` not
            a pair of positive numbers.

        Notes
        -----
        :ref:`theory-maps`.  O(broadcast size).

        Examples
        --------
        >>> CHINCHILLA.theta(70e9, 1.4e12)
        0.05
        """
        if not isinstance(reference, (tuple, list)) or len(reference) != 2:
            raise TypeError(f"reference must be a pair (N, D), got {reference!r}")
        n_ref = check_real("reference[0] (N)", reference[0], 0.0, None, open_low=True)
        d_ref = check_real("reference[1] (D)", reference[1], 0.0, None, open_low=True)
        delta = self.excess(N, D)
        delta_ref = self.excess(n_ref, d_ref) if mapping == "anchored" else None
        return theta_from_excess(
            delta, mapping=mapping, c=c, theta_ref=theta_ref, delta_ref=delta_ref, law=self
        )


#: The built-in fits: name -> (form, citation, parameters).
_FITS = {
    "chinchilla": (
        "chinchilla",
        "Hoffmann et al. 2022, 'Training Compute-Optimal Large Language Models', "
        "arXiv:2203.15556, approach 3 (eq. 10)",
        {"E": 1.69, "A": 406.4, "B": 410.7, "a_exp": 0.34, "b_exp": 0.28},
    ),
    "epoch": (
        "chinchilla",
        "Besiroglu et al. 2024, 'Chinchilla Scaling: A replication attempt', arXiv:2404.10102",
        {"E": 1.82, "A": 482.01, "B": 2085.43, "a_exp": 0.3478, "b_exp": 0.3658},
    ),
    "kaplan": (
        "kaplan",
        "Kaplan et al. 2020, 'Scaling Laws for Neural Language Models', arXiv:2001.08361, eq. 1.5",
        {"n_c": 8.8e13, "d_c": 5.4e13, "a_n": 0.076, "a_d": 0.095},
    ),
}

#: The built-in laws by name.
LAWS = {name: ScalingLaw(name, source, form, **fit) for name, (form, source, fit) in _FITS.items()}

CHINCHILLA = LAWS["chinchilla"]
"""Chinchilla, approach 3: ``L = 1.69 + 406.4 / N**0.34 + 410.7 / D**0.28``.

Hoffmann et al. 2022, arXiv:2203.15556 (:ref:`theory-law-chinchilla`).
"""

EPOCH = LAWS["epoch"]
"""Epoch AI's refit of Chinchilla approach 3:
``L = 1.82 + 482.01 / N**0.3478 + 2085.43 / D**0.3658``.

Besiroglu et al. 2024, arXiv:2404.10102 (:ref:`theory-law-epoch`).
"""

KAPLAN = LAWS["kaplan"]
"""Kaplan et al. 2020: ``L = ((8.8e13 / N)**(0.076/0.095) + 5.4e13 / D)**0.095``.

arXiv:2001.08361, eq. 1.5 (:ref:`theory-law-kaplan`).  No irreducible term.
"""


def theta_from_excess(
    delta,
    *,
    mapping: str = "anchored",
    c: float = 1.0,
    theta_ref: float = 0.05,
    delta_ref: float | None = None,
    law: ScalingLaw = CHINCHILLA,
):
    """Map excess loss ``delta`` to a failure rate ``theta`` in ``[0, 1]``.

    Parameters
    ----------
    delta : float or array_like
        Excess loss in nats, finite and ``>= 0``.
    mapping : {"anchored", "linear", "pinsker"}, optional
        * ``"anchored"`` (default): ``clip(theta_ref * delta / delta_ref, 0, 1)``.
        * ``"linear"``: ``clip(c * delta, 0, 1)`` (Assumption 2, cloze sufficiency).
        * ``"pinsker"``: ``clip(sqrt(2 c delta), 0, 1)``: a binary cloze
          question with excess entropy ``eps = c delta`` errs at most
          ``sqrt(2 eps)`` more often (Pinsker).
    c : float, optional
        Cloze-sufficiency factor, finite and ``> 0`` (default 1).  Unused by
        ``anchored``, where it would cancel in the ratio.
    theta_ref : float, optional
        Failure rate of the reference model, in ``(0, 1]`` (``anchored``).
    delta_ref : float, optional
        Excess loss of the reference model, ``> 0`` (``anchored``).  Default:
        ``law``'s excess at Chinchilla's own point ``(70e9, 1.4e12)``.
    law : ScalingLaw, optional
        Law that defines the default ``delta_ref`` (default :data:`CHINCHILLA`).

    Returns
    -------
    float or numpy.ndarray
        ``theta``.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter: non-numeric or negative or non-finite ``delta``,
        unknown ``mapping``, ``c <= 0``, ``theta_ref`` outside ``(0, 1]``,
        ``delta_ref <= 0``, ``law`` not a :class:`ScalingLaw`.

    Notes
    -----
    :ref:`theory-maps`.  The anchored map uses only ratios of ``delta``, which is all
    the paper's conclusions use (Corollary 2: ``delta -> delta / t``); the
    absolute calibration of loss to cloze error is unknown.  O(size of ``delta``).

    Examples
    --------
    >>> round(theta_from_excess(CHINCHILLA.excess(70e9, 1.4e12)), 12)
    0.05
    >>> theta_from_excess(0.08, mapping="pinsker")
    0.4
    """
    mapping = check_choice("mapping", mapping, MAPPINGS)
    if not isinstance(law, ScalingLaw):
        raise TypeError(f"law must be a ScalingLaw, got {law!r}")
    c = check_real("c", c, 0.0, None, open_low=True)
    theta_ref = check_real("theta_ref", theta_ref, 0.0, 1.0, open_low=True)
    if delta_ref is not None:
        delta_ref = check_real("delta_ref", delta_ref, 0.0, None, open_low=True)
    scalar = all_scalar(delta)
    d = _positive_array("delta", delta, allow_zero=True)
    if mapping == "anchored":
        if delta_ref is None:
            delta_ref = float(law.excess(*REFERENCE_MODEL))
        theta = theta_ref * (d / delta_ref)
    elif mapping == "linear":
        theta = c * d
    else:
        theta = np.sqrt(2.0 * c * d)
    return scalar_or_array(np.clip(theta, 0.0, 1.0), scalar)
