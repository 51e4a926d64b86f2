"""Text that several theory functions and results share, written once.

* :func:`bound_repr`, the short ``repr`` of a bound that flags a vacuous one;
* :data:`CERTIFICATE_DOCS`, the numpydoc entries that the finite-size
  certificates' docstrings share, for :func:`skillgraph._docstrings.fill_doc`
  (a docstring line ``%(name)s`` stands for the entry ``name``).
"""

from __future__ import annotations

__all__ = ["CERTIFICATE_DOCS", "bound_repr"]

_SIZES = """\
n_skills : int
    Number of skills, ``>= 1``.
n_texts : int
    Number of text pieces, ``>= 1`` (1e12 and beyond is fine)."""
_THETA = """\
theta : float
    Failure rate in ``(0, 1)``; failure sets have ``m = round(theta n_texts)``
    text pieces."""

#: numpydoc entries of the certificates' docstrings, by name (unindented)
CERTIFICATE_DOCS = {
    "sizes": _SIZES,
    "theta": _THETA,
    # the graph and the failure rate
    "inputs": "\n".join([_SIZES, "k : int\n    Skills per text piece, ``>= 1``.", _THETA]),
    "beta": """\
beta : float
    Threshold in ``(0, 1)``: a skill is bad when ``fail(s) > beta``.""",
    "delta_fail": """\
delta_fail : float, default 1e-6
    Failure probability of the certificate, in ``(0, 1)``.""",
}


def bound_repr(result, head: str, tail: str) -> str:
    """``Name(head (vacuous), tail)``: a bound's short repr, flagging a vacuous one.

    ``result`` has a ``vacuous`` flag; ``head`` is the text the flag follows (the
    bound's value), ``tail`` the rest.
    """
    tag = " (vacuous)" if result.vacuous else ""
    return f"{type(result).__name__}({head}{tag}, {tail})"
