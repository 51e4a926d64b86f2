"""Values of a sweep spec as the mechanisms' adapters read them: lists, grid combinations.

Plain functions on plain data (no sweep types), shared by the three
``sweep_adapter`` modules so that none of them depends on the sweep engine.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence

from skillgraph.tables import missing

__all__ = [
    "MAX_COMBINATIONS",
    "as_list",
    "refuse_unknown",
    "given",
    "combination_problems",
    "nan_to_none",
]

#: the most combinations of a mechanism's grid values that a spec may hold (each is
#: validated by constructing the mechanism's parameters, before any work)
MAX_COMBINATIONS = 10_000


def as_list(name: str, value) -> list:
    """A table value as a list (a single value is a one-element list), without repeats."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ValueError(f"{name} must not be an empty list")
    for i, v in enumerate(values):
        if v in values[:i]:
            raise ValueError(f"{name}[{i}] repeats the value {v!r} (each value once)")
    return values


def refuse_unknown(table: str, raw: Mapping, known: Sequence[str]) -> None:
    """Raise ValueError naming the keys of ``[table]`` that are not ``known``."""
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(f"unknown keys {unknown} in [{table}]; known: {', '.join(known)}")


def given(point: Mapping, names) -> dict:
    """The values of ``names`` that ``point`` sets (``None``: absent, the default)."""
    return {name: point[name] for name in names if point.get(name) is not None}


def combination_problems(
    grid: Mapping, names: Sequence[str], validate: Callable[[dict], object], what: str
) -> list[tuple[str, str]]:
    """``validate`` every combination of the grid's values of ``names``; the problems found.

    A problem's path is the axis its message names first (``grid`` if none);
    the same message is reported once.
    """
    n = math.prod(len(grid[name]) for name in names)
    if n > MAX_COMBINATIONS:
        limit = f"{MAX_COMBINATIONS:,}"
        return [("grid", f"the {what} grid has {n:,} combinations of values, more than the "
                 f"{limit} one spec may hold; split it into several specs")]  # fmt: skip
    problems: dict[str, str] = {}
    for values in itertools.product(*(grid[name] for name in names)):
        point = dict(zip(names, values, strict=True))
        try:
            validate(point)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            if message not in problems:
                text = ", ".join(f"{k} = {v!r}" for k, v in given(point, names).items())
                problems[message] = f"{what}: {message} (at {text or 'the defaults'})"
    return [(_named_axis(message, names), text) for message, text in problems.items()]


def _named_axis(message: str, names: Sequence[str]) -> str:
    """``grid.<name>`` for the axis that ``message`` mentions first, else ``grid``."""
    found = [(m.start(), name) for name in names
             if (m := re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message))]  # fmt: skip
    return f"grid.{min(found)[1]}" if found else "grid"


def nan_to_none(value):
    """A number that does not belong to the row (NaN in the mechanism's rows) as an empty cell."""
    return None if missing(value) else value
