"""What every subcommand shares: the user-facing error, JSON and table printing, options.

A subcommand raises :class:`CommandError` (or ``ValueError``/``TypeError`` from
the library) and :func:`skillgraph.cli.main` turns it into one line on stderr
with a documented exit status.
"""

from __future__ import annotations

import argparse
import json

__all__ = [
    "CommandError",
    "print_json",
    "json_default",
    "format_table",
    "add_graph_arguments",
    "comma_list",
]


class CommandError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def print_json(payload: dict) -> None:
    """Print ``payload`` as indented JSON (numpy scalars and arrays converted)."""
    print(json.dumps(payload, indent=2, sort_keys=False, default=json_default))


def json_default(obj):
    """``json.dumps`` hook: numpy scalars and arrays as plain Python values."""
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def format_table(rows: list[tuple[str, str]]) -> str:
    """Two aligned columns of ``(name, value)`` rows, indented by two spaces."""
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def add_graph_arguments(p) -> None:
    """Options that describe a sampled graph (shared by simulate, check, ...)."""
    p.add_argument("--n-skills", type=int, default=1000, help="number of skills (default 1000)")
    p.add_argument(
        "--n-texts", type=int, default=100_000, help="number of text pieces (default 100000)"
    )
    p.add_argument("--k", type=int, default=8, help="skills per text piece (default 8)")
    p.add_argument(
        "--skill-measure", choices=("uniform", "zipf"), default="uniform", help="skill measure"
    )
    p.add_argument("--zipf-exponent", type=float, default=1.0, help="Zipf exponent (default 1)")
    p.add_argument(
        "--no-replace", action="store_true", help="k distinct skills per text piece"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def comma_list(kind, name):
    """An argparse type for comma-separated lists, e.g. ``--tuples 1,2,4,8``."""

    def parse(text: str):
        try:
            return tuple(kind(v) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be comma-separated {kind.__name__}s, got {text!r}"
            ) from None

    return parse
