"""The ``skillgraph`` command line.

Each subcommand lives in its own module of this package with two functions,
``add_parser(subparsers)`` (built by :func:`skillgraph.cli._subcommand.subcommand`)
and ``run(args) -> int``, and is listed once in :data:`COMMANDS`.  Heavy modules
(numba kernels, matplotlib) are imported inside the commands that need them, so
``skillgraph bound`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from skillgraph._resources import ResourceLimitError
from skillgraph.cli._common import (
    EXIT_HANGUP,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OUTPUT,
    EXIT_STATUS_HELP,
    EXIT_TERMINATED,
    EXIT_TOO_LARGE,
    CommandError,
    Terminated,
    one_line,
    received_signal,
    signals_unwind,
)
from skillgraph.cli._json import start_clock
from skillgraph.cli._vocabulary import settle

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


def _fail(command: str, message: str, code: int) -> int:
    print(f"skillgraph {command}: {one_line(message)}", file=sys.stderr)
    return code


def _interrupted(exc: KeyboardInterrupt) -> tuple[int, str]:
    """Exit status and message of an interrupt (a command may say more, e.g. "--resume")."""
    code = exc.exit_code if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    text = str(exc) or "interrupted"
    if text in ("interrupted", "terminated (SIGTERM)", "hung up (SIGHUP)"):  # said nothing more
        text += "; finished work is kept"
    return code, text


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status (see ``skillgraph --help``).

    Every error becomes one line on stderr with its documented exit status; a
    traceback is shown only for a bug, and only with ``SKILLGRAPH_DEBUG=1``.
    """
    with signals_unwind():  # from the start: a signal while the commands import is one line too
        try:
            args = settle(build_parser().parse_args(argv))
        except SystemExit as exc:  # --help, --version and one-line usage errors
            return exc.code if isinstance(exc.code, int) else EXIT_INVALID
        except KeyboardInterrupt as exc:
            code, message = _interrupted(exc)
            print(f"skillgraph: {message}", file=sys.stderr)
            return code
        start_clock()
        command = args.command
        code, message = _outcome(args)
    interrupt = received_signal()  # honoured even if a library swallowed its exception
    if interrupt is not None and code not in (EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_HANGUP):
        code, message = _interrupted(interrupt)
    if message:
        _fail(command, message, code)
    return code


def _outcome(args) -> tuple[int, str]:
    """Run the command: its exit status and the one-line message to print (``""``: none)."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_line(args.command)
            return int(args.func(args) or 0), ""
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP
        return _interrupted(exc)
    except CommandError as exc:
        return exc.exit_code, f"error: {exc}"
    except (ResourceLimitError, MemoryError) as exc:  # refused up front, with the estimate
        why = str(exc) or "out of memory (the work needed more memory than this machine has)"
        return EXIT_TOO_LARGE, f"error: {why}"
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        return EXIT_INVALID, f"error: {_invalid(exc)}"
    except BrokenPipeError:  # the reader stopped early (``| head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 0, ""
    except OSError as exc:
        return EXIT_OUTPUT, f"error: {exc}"
    except Exception as exc:  # a bug: say so in one line, keep the traceback on request
        if os.environ.get("SKILLGRAPH_DEBUG"):
            raise
        kind = type(exc).__name__
        return EXIT_INTERNAL, (
            f"internal error ({kind}: {exc}); rerun with SKILLGRAPH_DEBUG=1 and report it"
        )


def _warning_line(command: str):
    """A ``warnings.showwarning`` that prints one line, without the source line."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"skillgraph {command}: warning: {one_line(message)}", file=file or sys.stderr)

    return show


def _invalid(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    return str(exc)


if __name__ == "__main__":
    sys.exit(main())
