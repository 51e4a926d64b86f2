"""One writer per output directory, and whole runs or nothing.

Every command that writes a directory goes through this module:

* :func:`output_lock` takes an exclusive lock on the directory for the whole
  run.  The lock is a file beside it (``.NAME.lock``) holding the holder's
  command, pid and host; the kernel's ``flock`` makes the exclusion, so a
  holder that died (``kill -9`` included) holds nothing and its lock is taken
  over at once.  A second run on the same directory is refused with a message
  naming the holder.
* :func:`staged_output` (which takes the lock) lets a pipeline write into a
  staging directory beside the output and swaps it into place only when the
  run is complete (one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux, two
  renames elsewhere).  An interrupt or an error leaves the previous run, never
  a mix of two runs.  A finished run is marked with a small file
  (:data:`MARKER`) naming the command; a non-empty directory that is not a
  previous run of the same command is refused.

Sweep stores are resumable in place: ``skillgraph sweep`` takes only the lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from skillgraph import __version__

__all__ = [
    "MARKER",
    "OutputError",
    "OutputBusy",
    "Stage",
    "is_lock_or_staging",
    "output_lock",
    "resolve_output",
    "reworded",
    "staged_output",
]

#: the file that marks a finished run of a command (JSON: command, version, finished)
MARKER = ".skillgraph-run"
#: the lock and the staging directories of an output whose parent is read-only (a
#: scratch directory made for the user in a directory that is not theirs) live inside it
INSIDE_LOCK = ".skillgraph-lock"
INSIDE_STAGING = ".skillgraph-staging-"
#: tests only: seconds to wait once the lock is taken (``..._LOCK``) or before the swap
_HOLD_ENV = "SKILLGRAPH_TEST_HOLD_"
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                 if hasattr(signal, name))  # fmt: skip


class OutputError(OSError):
    """An output directory that cannot be used as asked (one-line message)."""


class OutputBusy(OutputError):
    """Another run holds the output directory's lock."""


def resolve_output(path, option: str = "--out") -> Path:
    """The directory ``path`` names, with symbolic links followed.

    Raises
    ------
    OutputError
        ``path`` is a dangling symbolic link, a loop of links, or exists and
        is not a directory.
    """
    text = os.fspath(path)
    if not text:
        raise OutputError(f"{option} must name a directory, got an empty path")
    try:
        os.stat(text)
    except FileNotFoundError:
        if os.path.islink(text):
            raise OutputError(
                f"{option} {text!r} is a dangling symbolic link (to {os.readlink(text)!r}): "
                "create its target or remove the link"
            ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{option} {text!r} is a loop of symbolic links") from None
        if exc.errno == errno.ENOTDIR:
            raise OutputError(f"{option} {text!r} lies under a file, not a directory") from None
        raise OutputError(f"{option} {text!r} cannot be used: {exc.strerror or exc}") from None
    out = Path(os.path.realpath(text))
    if out.exists() and not out.is_dir():
        raise OutputError(f"{option} {text!r} exists and is not a directory")
    if out.parent == out:
        raise OutputError(f"{option} {text!r} is a file system root: choose a directory in it")
    return out


def _holder(fd: int) -> str:
    """Who holds the lock, from the lock file's content, in a few words."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        who = f"skillgraph {info['command']} (pid {int(info['pid'])} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another skillgraph run"
    if info["host"] == socket.gethostname() and not _alive(int(info["pid"])):
        return who + ", which has exited; a process it started still holds the lock)"
    return who + ")"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _beside(out: Path) -> bool:
    """Whether the lock and staging go beside ``out`` (its parent is writable) or inside it."""
    return not out.is_dir() or _parent_writable(out)


def _parent_writable(out: Path) -> bool:
    return os.access(out.parent, os.W_OK | os.X_OK)


def is_lock_or_staging(name: str) -> bool:
    """Whether an entry of an output directory is this module's lock or staging."""
    return name == INSIDE_LOCK or name.startswith(INSIDE_STAGING)


def _parent_dir(out: Path, option: str) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{option} {str(out)!r} cannot be created: {exc.strerror or exc}"
        ) from None


def _open_lock(lock: Path, out: Path, option: str) -> int:
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(
            f"{option} {str(out)!r} cannot be locked ({str(lock)!r}: {exc.strerror or exc})"
        ) from None


def _acquire(lock: Path, out: Path, command: str, option: str) -> int:
    """An open descriptor of ``lock`` holding its flock, with our identity written in it."""
    while True:
        fd = _open_lock(lock, out, option)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputBusy(
                f"{option} {str(out)!r} is in use by {holder}: wait for it to finish or "
                "choose another directory"
            ) from None
        try:  # the previous holder may have removed the file between our open and flock
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    info = {"command": command, "pid": os.getpid(), "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode("utf-8"), 0)
    except OSError as exc:  # a full disk: leave no lock file behind
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)
        raise OutputError(
            f"{option} {str(out)!r} cannot be locked ({str(lock)!r}: {exc.strerror or exc})"
        ) from None
    return fd


@contextlib.contextmanager
def output_lock(path, command: str, option: str = "--out") -> Iterator[Path]:
    """Hold the exclusive lock of the output directory ``path`` for the ``with`` block.

    Parameters
    ----------
    path : path-like
        The output directory (it need not exist; its parent is created).
    command : str
        The command taking the lock (named to a second run).
    option : str
        The option that named ``path``, for messages.

    Yields
    ------
    Path
        The directory, symbolic links followed (:func:`resolve_output`).

    Raises
    ------
    OutputBusy
        Another live process holds the lock (the message names it).
    OutputError
        ``path`` cannot be used (:func:`resolve_output`), or the lock file
        cannot be created beside it.
    """
    out = resolve_output(path, option)
    _parent_dir(out, option)
    lock = out.parent / f".{out.name}.lock" if _beside(out) else out / INSIDE_LOCK
    fd = _acquire(lock, out, command, option)
    try:
        _hold_for_tests("LOCK")
        yield out
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # while still holding it: the next holder checks the inode
        os.close(fd)


# ---------------------------------------------------------------------------
# staging


@dataclass(frozen=True)
class Stage:
    """Where a run writes (``path``) and where it will be once complete (``out``)."""

    path: Path
    out: Path

    def final(self, paths: Iterable) -> list[Path]:
        """``paths`` written under :attr:`path`, as they will be named under :attr:`out`."""
        return [self.out / Path(p).relative_to(self.path) for p in paths]


def _run_marker(out: Path) -> str | None:
    """The command of the finished run in ``out``, or ``None``."""
    try:
        return str(json.loads((out / MARKER).read_text(encoding="utf-8"))["command"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _check_replaceable(out: Path, command: str, option: str, legacy: Callable | None) -> bool:
    """Whether ``out`` holds a previous run; refuse a directory that is someone else's."""
    if not out.exists():
        return False
    names = sorted(name for name in os.listdir(out) if not is_lock_or_staging(name))
    if not names:
        return False
    previous = _run_marker(out)
    if previous == command or (previous is None and legacy is not None and legacy(names)):
        return True
    if previous is not None:
        what = f"a 'skillgraph {previous}' run"
    elif "manifest.json" in names:
        what = "a sweep store"
    else:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        what = f"files of no 'skillgraph {command}' run ({shown})"
    raise OutputError(
        f"{option} {str(out)!r} holds {what}; 'skillgraph {command}' replaces only its own "
        "previous run: choose a new or empty directory"
    )


def _leftovers(out: Path) -> None:
    """Clean up after a run killed outright (we hold the lock: nobody else uses these)."""
    previous = sorted(out.parent.glob(f".{out.name}.previous-*"))
    if previous and not out.exists():  # killed between the two renames of the fallback
        os.rename(previous[-1] / "run", out)
    inside = out.glob(f"{INSIDE_STAGING}*") if out.is_dir() else []
    for stale in [*previous, *out.parent.glob(f".{out.name}.staging-*"), *inside]:
        shutil.rmtree(stale, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); ``False`` where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextlib.contextmanager
def _signals_deferred():
    """Hold Ctrl-C, SIGTERM and SIGHUP back for a few renames (delivered afterwards)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap_in(stage: Path, out: Path, state: dict) -> None:
    """Move the complete run ``stage`` to ``out``, replacing a previous run; ``state["done"]``."""
    old = None
    with _signals_deferred():
        if _holds_cwd(out) or stage.parent == out:  # a rename would not do (see _make_stage)
            _move_entries(stage, out)
            state["done"] = True
            return
        try:
            os.rename(stage, out)  # ``out`` absent or an empty directory: one atomic step
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            if _exchange(stage, out):
                old = stage
            else:
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
                os.rename(out, old / "run")  # killed here: the next run puts it back
                os.rename(stage, out)
        state["done"] = True  # before a deferred signal is delivered
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _holds_cwd(out: Path) -> bool:
    """Whether ``out`` is the working directory or one of its ancestors."""
    try:
        cwd = Path(os.getcwd())
    except OSError:
        return False
    return cwd == out or out in cwd.parents


def _move_entries(stage: Path, out: Path) -> None:
    """Replace ``out``'s files by ``stage``'s one by one (each atomically), then drop ``stage``."""
    new = set(os.listdir(stage))
    previous = {name for name in os.listdir(out) if not is_lock_or_staging(name)}
    for name in previous - new:  # the previous run's files this run does not write
        target = out / name
        shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    for name in sorted(new - {MARKER}) + [MARKER]:  # the marker last: the run is complete
        os.replace(stage / name, out / name)
    os.rmdir(stage)


@contextlib.contextmanager
def staged_output(
    path, command: str, *, option: str = "--out", legacy: Callable | None = None
) -> Iterator[Stage]:
    """Lock ``path`` and let a run write into a staging directory that replaces it when complete.

    Parameters
    ----------
    path : path-like
        The output directory: absent, empty, or a previous run of ``command``.
    command : str
        The command writing it (recorded in :data:`MARKER`).
    option : str
        The option that named ``path``, for messages.
    legacy : callable, optional
        ``legacy(names) -> bool``: whether a directory without a marker holding
        these file names is a previous run (written before runs were marked).

    Yields
    ------
    Stage
        Write into ``stage.path``.  When the block ends normally the staging
        directory is marked and swapped into place; when it raises, it is
        removed and ``path`` keeps the previous run.  A ``KeyboardInterrupt``
        comes back with a message that says which run ``path`` holds.

    Raises
    ------
    OutputBusy, OutputError
        As :func:`output_lock`; ``path`` is non-empty and no previous run of
        ``command``.
    """
    state = {"out": path, "had_run": None, "done": False}
    try:
        with output_lock(path, command, option) as out:
            state["out"] = out
            _leftovers(out)
            state["had_run"] = _check_replaceable(out, command, option, legacy)
            stage = _make_stage(out, option)  # and ``out``, empty, if it is new
            try:
                yield Stage(stage, out)
                _hold_for_tests("SWAP")
                marker = {"command": command, "skillgraph_version": __version__,
                          "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                (stage / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
                _swap_in(stage, out, state)
            except BaseException:
                if not state["done"]:
                    shutil.rmtree(stage, ignore_errors=True)
                raise
    except KeyboardInterrupt as exc:  # same kind (and exit status), says what ``out`` holds
        exc.args = (f"{str(exc) or 'interrupted'}; {_where(state)}",)
        raise
    except OSError as exc:
        if isinstance(exc, OutputError) or state["had_run"] is None:
            raise
        raise reworded(exc, f"{_where(state)}") from None  # e.g. a full disk


def _make_stage(out: Path, option: str) -> Path:
    """A new staging directory beside ``out`` (created if needed), with the mode of ``out``."""
    try:
        out.mkdir(exist_ok=True)  # as before staging: the directory is there once work starts
        if _beside(out):
            stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        else:  # swapped in file by file (:func:`_move_entries`)
            stage = Path(tempfile.mkdtemp(prefix=INSIDE_STAGING, dir=out))
        os.chmod(stage, out.stat().st_mode & 0o7777)
    except OSError as exc:
        raise OutputError(
            f"{option} {str(out)!r} cannot be written: {exc.strerror or exc}"
        ) from None
    return stage


def reworded(exc: OSError, more: str) -> OSError:
    """``exc`` (same class and errno) with ``more`` said after its message, on one line."""
    text = re.sub(r"^\[Errno \d+\] ", "", str(exc))
    new = type(exc)(f"{text}; {more}")
    new.errno = exc.errno
    return new


def _where(state: dict) -> str:
    """What an interrupted run left in its output directory, for the message."""
    out = str(state["out"])
    if state["done"]:
        return f"{out!r} holds this run, complete"
    if state["had_run"]:
        return f"{out!r} is unchanged: it holds the previous run"
    if state["had_run"] is None:
        return f"{out!r} is unchanged"
    return f"nothing of this run was written to {out!r}"


def _hold_for_tests(where: str) -> None:
    """Tests set ``SKILLGRAPH_TEST_HOLD_LOCK``/``_SWAP`` to catch a run holding its lock."""
    seconds = os.environ.get(_HOLD_ENV + where)
    if seconds:
        time.sleep(float(seconds))


