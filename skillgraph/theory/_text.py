"""Text that several theory results share: the short ``repr`` of a bound."""

from __future__ import annotations

__all__ = ["bound_repr"]


def bound_repr(result, head: str, tail: str) -> str:
    """``Name(head (vacuous), tail)``: a bound's short repr, flagging a vacuous one.

    ``result`` has a ``vacuous`` flag; ``head`` is the text the flag follows (the
    bound's value), ``tail`` the rest.
    """
    tag = " (vacuous)" if result.vacuous else ""
    return f"{type(result).__name__}({head}{tag}, {tail})"
