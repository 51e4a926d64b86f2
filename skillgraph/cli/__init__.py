"""The ``skillgraph`` command line.

Each subcommand lives in its own module of this package with two functions,
``add_parser(subparsers)`` and ``run(args) -> int``, and is listed once in
:data:`COMMANDS`.  Heavy modules (numba kernels, matplotlib) are imported inside
the commands that need them, so ``skillgraph bound`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys

from skillgraph._resources import ResourceLimitError
from skillgraph.cli._common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OUTPUT,
    EXIT_STATUS_HELP,
    EXIT_TERMINATED,
    EXIT_TOO_LARGE,
    CommandError,
)

__all__ = ["main", "build_parser", "COMMANDS"]

#: subcommands in the order ``skillgraph --help`` lists them (module names in this package)
COMMANDS = (
    "bound",
    "simulate",
    "sweep",
    "plot",
    "emerge",
    "check",
    "memory",
    "induction",
    "superpose",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (and exit status 2)."""

    def error(self, message: str):
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``skillgraph`` argument parser with every subcommand of :data:`COMMANDS`."""
    from skillgraph import __version__

    parser = _Parser(
        prog="skillgraph",
        description="Simulate and check the theory of skill emergence in language models "
        "(Arora & Goyal, arXiv 2307.15936).",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skillgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
        sub = subparsers.choices[name]
        sub.epilog = f"{sub.epilog}\n\n{EXIT_STATUS_HELP}" if sub.epilog else EXIT_STATUS_HELP
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C."""


@contextlib.contextmanager
def _sigterm_unwinds():
    """Turn SIGTERM into :class:`Terminated` while a command runs.

    A job scheduler's ``kill`` then runs the same clean-up as Ctrl-C: worker
    pools are shut down, finished work stays stored, and the message is one line.
    """
    def handler(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(command: str, message: str, code: int) -> int:
    print(f"skillgraph {command}: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status (see ``skillgraph --help``).

    Every error becomes one line on stderr with its documented exit status; a
    traceback is shown only for a bug, and only with ``SKILLGRAPH_DEBUG=1``.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and one-line usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_INVALID
    command = args.command
    try:
        with _sigterm_unwinds():
            return int(args.func(args) or 0)
    except Terminated as exc:  # a command may say more (e.g. "rerun with --resume")
        return _fail(command, str(exc) or "terminated (SIGTERM); finished work is kept",
                     EXIT_TERMINATED)
    except KeyboardInterrupt as exc:
        return _fail(command, str(exc) or "interrupted; finished work is kept", EXIT_INTERRUPTED)
    except CommandError as exc:
        return _fail(command, f"error: {exc}", exc.exit_code)
    except (ResourceLimitError, MemoryError) as exc:  # refused up front, with the estimate
        return _fail(command, f"error: {exc or 'out of memory'}", EXIT_TOO_LARGE)
    except (ValueError, TypeError, OverflowError) as exc:
        return _fail(command, f"error: {exc}", EXIT_INVALID)
    except BrokenPipeError:  # the reader stopped early (``| head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 0
    except OSError as exc:
        return _fail(command, f"error: {exc}", EXIT_OUTPUT)
    except Exception as exc:  # a bug: say so in one line, keep the traceback on request
        if os.environ.get("SKILLGRAPH_DEBUG"):
            raise
        kind = type(exc).__name__
        return _fail(
            command,
            f"internal error ({kind}: {exc}); rerun with SKILLGRAPH_DEBUG=1 and report it",
            EXIT_INTERNAL,
        )


if __name__ == "__main__":
    sys.exit(main())
