"""What every subcommand shares: the user-facing error, table printing, options.

A subcommand raises :class:`CommandError` (or ``ValueError``/``TypeError`` from
the library) and :func:`skillgraph.cli.main` turns it into one line on stderr
with a documented exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import signal

__all__ = [
    "EXIT_OK",
    "EXIT_FINDING",
    "EXIT_INVALID",
    "EXIT_TOO_LARGE",
    "EXIT_OUTPUT",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_HANGUP",
    "EXIT_INTERNAL",
    "EXIT_STATUS_HELP",
    "CommandError",
    "Terminated",
    "check_input",
    "check_output_dir",
    "one_line",
    "raise_if_signalled",
    "signals_unwind",
    "staged_output",
    "format_table",
    "comma_list",
    "options_of",
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
#: terminated by SIGHUP (the terminal closed), handled as SIGTERM
EXIT_HANGUP = 129
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
  {EXIT_OUTPUT}    an output or input path cannot be used (missing, unreadable, not a
       regular file or directory, in use by another run, not writable, disk full)
  {EXIT_INTERNAL}   internal error (set SKILLGRAPH_DEBUG=1 for the traceback)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); {EXIT_TERMINATED} terminated (SIGTERM);
       {EXIT_HANGUP} hung up (SIGHUP)"""

#: longest error message printed (a hostile input cannot make a huge one)
MAX_MESSAGE = 2000


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


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread so that it unwinds like Ctrl-C.

    Parameters
    ----------
    message : str
        What the user reads.
    exit_code : int
        :data:`EXIT_TERMINATED` or :data:`EXIT_HANGUP`.
    """

    def __init__(self, message: str = "terminated (SIGTERM)", exit_code: int = EXIT_TERMINATED):
        super().__init__(message)
        self.exit_code = exit_code


#: signals received while a command ran (a library may swallow the exception they raise)
_RECEIVED: list[int] = []


def _interrupt_for(signum: int) -> KeyboardInterrupt:
    if signum == signal.SIGTERM:
        return Terminated("terminated (SIGTERM)", EXIT_TERMINATED)
    if signum == getattr(signal, "SIGHUP", None):
        return Terminated("hung up (SIGHUP)", EXIT_HANGUP)
    return KeyboardInterrupt("interrupted")


def _handler(signum, frame):
    _RECEIVED.append(signum)
    raise _interrupt_for(signum)


@contextlib.contextmanager
def signals_unwind():
    """Turn Ctrl-C, SIGTERM and SIGHUP into exceptions that unwind, and remember them.

    A job scheduler's ``kill`` or a closed terminal then runs the same clean-up
    as Ctrl-C: worker pools are shut down, staged output is discarded, and the
    message is one line.  A signal whose exception was swallowed on the way
    (numba compiling a kernel catches more than it should) is still honoured:
    :func:`received_signal` reports it when the command returns.
    """
    _RECEIVED.clear()
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    numbers = [getattr(signal, name) for name in names if hasattr(signal, name)]
    try:
        previous = {signum: signal.signal(signum, _handler) for signum in numbers}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def received_signal() -> KeyboardInterrupt | None:
    """The interrupt of the first signal received under :func:`signals_unwind`, if any."""
    return _interrupt_for(_RECEIVED[0]) if _RECEIVED else None


def raise_if_signalled() -> None:
    """Raise the interrupt of a signal that arrived but whose exception was swallowed."""
    interrupt = received_signal()
    if interrupt is not None:
        raise interrupt


def one_line(message: str) -> str:
    """``message`` on one line of at most :data:`MAX_MESSAGE` characters."""
    text = " ".join(str(message).split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 40] + f"... ({len(text):,} characters in all)"
    return text


@contextlib.contextmanager
def staged_output(path, command: str, *, option: str = "--out", legacy=None):
    """The command-line face of :func:`skillgraph._outdir.staged_output`.

    Locks ``path``, yields the :class:`~skillgraph._outdir.Stage` the command
    writes into, and swaps it into place at the end unless a signal arrived
    (even one whose exception a library swallowed).
    """
    from skillgraph import _outdir

    with _refused_as_command_error(), _outdir.staged_output(
        path, command, option=option, legacy=legacy
    ) as stage:
        try:
            yield stage
        except Exception:
            raise_if_signalled()  # a swallowed signal explains the error: report the signal
            raise
        raise_if_signalled()


@contextlib.contextmanager
def _refused_as_command_error():
    """An unusable or busy output directory: a :class:`CommandError` with :data:`EXIT_OUTPUT`."""
    from skillgraph._outdir import OutputError

    try:
        yield
    except OutputError as exc:
        raise CommandError(str(exc), EXIT_OUTPUT) from None


def check_input(path, what: str) -> None:
    """Refuse, before any work, an input file that is missing, unreadable or not a regular file.

    Raises
    ------
    CommandError
        With :data:`EXIT_OUTPUT` ("an input path cannot be used").
    """
    from skillgraph.core.io import check_input_file

    try:
        check_input_file(str(path), what)
    except OSError as exc:
        raise CommandError(str(exc), EXIT_OUTPUT) from None


def check_output_dir(path, option: str = "--out") -> None:
    """Refuse, before any work, an output directory that cannot be created or written.

    The command-line face of :func:`skillgraph.tables.prepare_output_dir`.

    Raises
    ------
    CommandError
        With :data:`EXIT_OUTPUT` when ``path`` is a file, lies under a file, or
        cannot be created or written to.
    """
    from skillgraph._outdir import OutputError, resolve_output
    from skillgraph.tables import prepare_output_dir

    try:
        out = resolve_output(path, option)
    except OutputError as exc:  # its message names the option already
        raise CommandError(str(exc), EXIT_OUTPUT) from None
    try:
        prepare_output_dir(out)
    except OSError as exc:
        raise CommandError(f"{option}: {exc}", EXIT_OUTPUT) from None


def format_table(rows: list[tuple[str, str]]) -> str:
    """Two aligned columns of ``(name, value)`` rows, indented by two spaces."""
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def comma_list(kind, name):
    """An argparse type for comma-separated lists, e.g. ``--tuples 1,2,4,8``."""

    def parse(text: str):
        try:
            return tuple(kind(v) for v in text.split(",") if v.strip())
        except (ValueError, argparse.ArgumentTypeError):  # kind may be an argparse type
            raise argparse.ArgumentTypeError(
                f"{name} must be comma-separated {kind.__name__}s, got {text!r}"
            ) from None

    return parse


def options_of(args: argparse.Namespace, names: tuple[str, ...]) -> dict:
    """The parsed values of the options ``names`` (their dests), as keyword arguments.

    For a configuration whose fields are options of the same name, e.g.
    ``MemoryConfig(**options_of(args, ("kappa", "rho")))``.
    """
    return {name: getattr(args, name) for name in names}
