"""Text that several theory functions and results share, written once.

* :func:`bound_repr`, the short ``repr`` of a bound that flags a vacuous one;
* :data:`CERTIFICATE_DOCS` and :func:`fill_doc`, the numpydoc entries that the
  finite-size certificates' docstrings share (scipy's ``doccer`` style: a
  docstring line ``%(name)s`` stands for the entry ``name``).
"""

from __future__ import annotations

import textwrap

__all__ = ["CERTIFICATE_DOCS", "bound_repr", "fill_doc"]

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
    "raises": """\
Raises
------
TypeError, ValueError
    On invalid input (naming the parameter, value and valid range).""",
}


def fill_doc(func):
    """Replace each docstring line ``%(name)s`` of ``func`` by ``CERTIFICATE_DOCS[name]``.

    The entry is indented like the line it replaces, so ``help()`` and Sphinx
    show the full text.  Returns ``func`` (a decorator).
    """
    if func.__doc__ is None:  # python -OO strips docstrings
        return func
    lines = []
    for line in func.__doc__.split("\n"):
        key = line.strip()
        if key.startswith("%(") and key.endswith(")s"):
            line = textwrap.indent(CERTIFICATE_DOCS[key[2:-2]], line[: line.index("%")])
        lines.append(line)
    func.__doc__ = "\n".join(lines)
    return func


def bound_repr(result, head: str, tail: str) -> str:
    """``Name(head (vacuous), tail)``: a bound's short repr, flagging a vacuous one.

    ``result`` has a ``vacuous`` flag; ``head`` is the text the flag follows (the
    bound's value), ``tail`` the rest.
    """
    tag = " (vacuous)" if result.vacuous else ""
    return f"{type(result).__name__}({head}{tag}, {tail})"
