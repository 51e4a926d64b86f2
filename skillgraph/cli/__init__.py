"""The ``skillgraph`` command line.

Each subcommand lives in its own module of this package with two functions,
``add_parser(subparsers)`` and ``run(args) -> int``, and is listed once in
:data:`COMMANDS`.  Heavy modules (numba kernels, matplotlib) are imported inside
the commands that need them, so ``skillgraph bound`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from skillgraph.cli._common import CommandError

__all__ = ["main", "build_parser", "COMMANDS"]

#: subcommands in the order ``skillgraph --help`` lists them (module names in this package)
COMMANDS = ("bound", "simulate", "sweep", "plot", "emerge", "check")


def build_parser() -> argparse.ArgumentParser:
    """The ``skillgraph`` argument parser with every subcommand of :data:`COMMANDS`."""
    from skillgraph import __version__

    parser = argparse.ArgumentParser(
        prog="skillgraph",
        description="Simulate and check the theory of skill emergence in language models "
        "(Arora & Goyal, arXiv 2307.15936).",
    )
    parser.add_argument("--version", action="version", version=f"skillgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"skillgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, MemoryError) as exc:
        if os.environ.get("SKILLGRAPH_DEBUG"):
            raise
        print(f"skillgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

