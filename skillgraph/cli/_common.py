"""What every subcommand shares: the user-facing error, JSON and table printing, options.

A subcommand raises :class:`CommandError` (or ``ValueError``/``TypeError`` from
the library) and :func:`skillgraph.cli.main` turns it into one line on stderr
with a documented exit status.
"""

from __future__ import annotations

import argparse
import json

__all__ = [
    "EXIT_OK",
    "EXIT_FINDING",
    "EXIT_INVALID",
    "EXIT_TOO_LARGE",
    "EXIT_OUTPUT",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_INTERNAL",
    "EXIT_STATUS_HELP",
    "CommandError",
    "check_output_dir",
    "print_json",
    "json_default",
    "format_table",
    "add_graph_arguments",
    "comma_list",
]


#: the run did what was asked
EXIT_OK = 0
#: a documented finding, never an error: ``sweep``: some items failed;
#: ``check``: an adversary beat the certificate; ``plot``: nothing to draw yet
EXIT_FINDING = 1
#: invalid input: a bad option, value, file or spec (also argparse's usage errors)
EXIT_INVALID = 2
#: refused before starting: the work would not fit in memory or not finish in time
EXIT_TOO_LARGE = 3
#: an output or input path cannot be used (not a directory, not writable, unreadable)
EXIT_OUTPUT = 4
#: interrupted by Ctrl-C (SIGINT); what was finished is kept
EXIT_INTERRUPTED = 130
#: terminated by SIGTERM (a job scheduler); what was finished is kept
EXIT_TERMINATED = 143
#: a bug in skillgraph: one line, and the traceback with SKILLGRAPH_DEBUG=1
EXIT_INTERNAL = 70

#: the epilog of every subcommand's ``--help``
EXIT_STATUS_HELP = f"""exit status:
  {EXIT_OK}    success
  {EXIT_FINDING}    a finding, not an error (sweep: some items failed; check: an adversary
       beat the certificate; plot: nothing to draw yet)
  {EXIT_INVALID}    invalid input (options, values, files, specs)
  {EXIT_TOO_LARGE}    refused up front: too much memory or time (the message gives the
       estimate and the option that makes it feasible)
  {EXIT_OUTPUT}    an output or input path cannot be used
  {EXIT_INTERNAL}   internal error (set SKILLGRAPH_DEBUG=1 for the traceback)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); {EXIT_TERMINATED} terminated (SIGTERM)"""


class CommandError(Exception):
    """A user-facing error: printed as one line without a traceback.

    Parameters
    ----------
    message : str
        What went wrong and how to fix it.
    exit_code : int
        The exit status (default :data:`EXIT_INVALID`).
    """

    def __init__(self, message: str, exit_code: int = EXIT_INVALID):
        super().__init__(message)
        self.exit_code = exit_code


def check_output_dir(path, option: str = "--out") -> None:
    """Refuse, before any work, an output directory that cannot be created or written.

    The command-line face of :func:`skillgraph.tables.prepare_output_dir`.

    Raises
    ------
    CommandError
        With :data:`EXIT_OUTPUT` when ``path`` is a file, lies under a file, or
        cannot be created or written to.
    """
    from skillgraph.tables import prepare_output_dir

    try:
        prepare_output_dir(path)
    except OSError as exc:
        raise CommandError(f"{option}: {exc}", EXIT_OUTPUT) from None


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
