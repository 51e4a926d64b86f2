"""Analytical emergence bounds: the one place to import the bounds' names from.

The work has one module each, and every name is importable from here too:

* :mod:`skillgraph.theory.bound_values`: the bounds as numbers, on scalars or
  arrays: :func:`~skillgraph.theory.bound_values.entropy`,
  :func:`~skillgraph.theory.bound_values.kl`, Theorem 1 in its KL and paper
  forms (:func:`~skillgraph.theory.bound_values.alpha_star`,
  :func:`~skillgraph.theory.bound_values.is_vacuous`, the forms
  :data:`~skillgraph.theory.bound_values.FORMS`), the averaging bound
  (:func:`~skillgraph.theory.bound_values.averaging_bound`), Corollary 2
  (:func:`~skillgraph.theory.bound_values.tuple_alpha_star`) and the
  guaranteed performance curve
  (:func:`~skillgraph.theory.bound_values.performance_curve_bound`);
* :mod:`skillgraph.theory.bound_result`: one bound with its context, as a
  result object (:func:`~skillgraph.theory.bound_result.emergence_bound`
  returns a :class:`~skillgraph.theory.bound_result.BoundResult`).

Pure numpy/scipy: importing these modules never imports numba.
"""

from __future__ import annotations

from skillgraph.theory.bound_result import BoundResult, emergence_bound
from skillgraph.theory.bound_values import (
    FORMS,
    alpha_star,
    averaging_bound,
    entropy,
    is_vacuous,
    kl,
    performance_curve_bound,
    tuple_alpha_star,
)

__all__ = [
    "FORMS",
    "BoundResult",
    "alpha_star",
    "averaging_bound",
    "emergence_bound",
    "entropy",
    "is_vacuous",
    "kl",
    "performance_curve_bound",
    "tuple_alpha_star",
]
