"""The checker behind sweep spec validation: it collects every problem, so a user sees all at once.

Each check records ``(key path, message)`` on a ``Checker`` instead of
raising, and returns the normalised value, or ``None`` after a problem.  The
messages name the value and what is allowed (``must be an integer in [1,
10], got 0``); a misspelt name gets a suggestion.  Used by
:mod:`skillgraph.sweep.spec_validate`; nothing here is public API.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers

from skillgraph._validation import interval_text

__all__: list[str] = []


class Checker:
    """Collects problems so that a user sees all of them at once."""

    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def table(self, path: str, value, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"must be a table, got {describe(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(_join(path, key), _unknown_key_message(key, allowed))
        return value

    # -- scalars; each returns the normalised value or None after recording a problem
    def integer(self, path, value, low=None, high=None):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(path, f"must be an integer{_range(low, high)}, got {describe(value)}")
            return None
        if isinstance(value, float):
            if not (math.isfinite(value) and value.is_integer()):
                self.fail(path, f"must be an integer{_range(low, high)}, got {value!r}")
                return None
        value = int(value)
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(path, f"must be an integer{_range(low, high)}, got {value}")
            return None
        return value

    def real(self, path, value, low=None, high=None, *, open_low=False, open_high=False):
        interval = interval_text(low, high, open_low, open_high)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(path, f"must be a number in {interval}, got {describe(value)}")
            return None
        value = float(value)
        bad = not math.isfinite(value)
        bad = bad or (low is not None and (value < low or (open_low and value == low)))
        bad = bad or (high is not None and (value > high or (open_high and value == high)))
        if bad:
            self.fail(path, f"must be a number in {interval}, got {value!r}")
            return None
        return value

    def choice(self, path, value, options):
        if not isinstance(value, str) or value not in options:
            listed = ", ".join(repr(o) for o in options)
            hint = _suggest(value, options) if isinstance(value, str) else ""
            self.fail(path, f"must be one of {listed}, got {describe(value)}{hint}")
            return None
        return value

    def own(self, path, value, check_value):
        """A value of a measurement's own axis, through the measurement's ``check_value``."""
        try:
            value = check_value(value)
            json.dumps(value, allow_nan=False)  # it becomes part of the spec's hash
        except (ValueError, TypeError) as exc:
            self.fail(path, str(exc))
            return None
        return value

    def boolean(self, path, value):
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, got {describe(value)}")
            return None
        return value

    def string(self, path, value):
        if not isinstance(value, str):
            self.fail(path, f"must be a string, got {describe(value)}")
            return None
        return value

    def axis(self, path, value, check, *, allow_duplicates=False):
        """A list of values (a scalar is a one-element list), each checked by ``check``."""
        if isinstance(value, dict):
            self.fail(path, f"must be a value or a list of values, got {describe(value)}")
            return None
        items = value if isinstance(value, list) else [value]
        if not items:
            self.fail(path, "must not be an empty list")
            return None
        before = len(self.problems)
        out = []
        for i, v in enumerate(items):
            sub = f"{path}[{i}]" if isinstance(value, list) else path
            out.append(check(sub, v))
        if len(self.problems) > before:
            return None
        if not allow_duplicates:
            seen = set()
            for i, v in enumerate(out):
                key = json.dumps(v, sort_keys=True)  # values of own axes may be lists
                if key in seen:
                    self.fail(f"{path}[{i}]", f"duplicate value {v!r} (each value once)")
                    return None
                seen.add(key)
        return out


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def describe(value) -> str:
    kind = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "table",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def _suggest(value: str, options) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_key_message(key, allowed) -> str:
    listed = ", ".join(allowed)
    return f"unknown key{_suggest(str(key), allowed)}; allowed keys: {listed}"
