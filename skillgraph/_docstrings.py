"""Numpydoc entries shared by several docstrings, written once and substituted.

A docstring names a shared entry by a line that holds only ``%(name)s`` (the
convention of scipy's ``doccer``); :func:`fill_doc` replaces that line by the
entry, indented as the line was, when the function or class is defined.  The
entries of :data:`ENTRIES` serve every module; a module passes its own as
keywords.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["ENTRIES", "fill_doc", "substitute"]

_T = TypeVar("_T")

#: entries used across the package, by name
ENTRIES = {
    "confidence_level": """
        confidence_level : float
            In (0, 1).
        """,
    "level": """
        level : float, optional
            Deprecated alias of ``confidence_level``.
        """,
    "returns_frame": """
        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (the message says how to install it).
        """,
    "raises_invalid": """
        Raises
        ------
        TypeError, ValueError
            On invalid input, before any work.
        """,
}

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


def substitute(doc: str, entries: Mapping[str, str]) -> str:
    """``doc`` with each line ``%(name)s`` replaced by ``entries[name]``, indented alike.

    A name missing from ``entries`` raises KeyError: a docstring never ships
    with a placeholder left in it.
    """

    def entry(match: re.Match) -> str:
        text = textwrap.dedent(entries[match.group(2)]).strip("\n")
        return textwrap.indent(text, match.group(1))

    return _PLACEHOLDER.sub(entry, doc)


def fill_doc(**entries: str) -> Callable[[_T], _T]:
    """Decorator: substitute :data:`ENTRIES` and ``entries`` into the docstring.

    The object is returned as it was, its ``__doc__`` filled (nothing to do
    when docstrings are stripped, ``python -OO``).
    """

    def decorate(obj: _T) -> _T:
        if obj.__doc__ is not None:
            obj.__doc__ = substitute(obj.__doc__, {**ENTRIES, **entries})
        return obj

    return decorate
