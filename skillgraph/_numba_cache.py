"""Somewhere for numba's cache to live, decided before numba is first imported.

The kernels are compiled with ``cache=True``.  numba stores them beside the
source (``skillgraph/__pycache__``) or, when that is read-only, in the user's
cache directory (``~/.cache/numba``); when both are read-only (a shared
cluster install, a read-only home) it refuses to load the kernels at all
("no locator available").  :func:`prepare_numba_cache` looks first: if neither
place is writable it points ``NUMBA_CACHE_DIR`` at a private directory under
the system's temporary directory, and if even that fails the kernels run
uncached (compiled in every process) after one warning.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

__all__ = ["prepare_numba_cache"]

_state: dict = {}


def _writable(directory: Path) -> bool:
    """Whether numba could cache in ``directory`` (its own test: create it, write a file)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError:
        return False
    return True


def _user_cache() -> Path:
    """numba's user-wide cache directory on this platform (``appdirs.user_cache_dir``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "numba"


def _fallback() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"skillgraph-numba-cache-{uid}"


def prepare_numba_cache() -> bool:
    """Make sure numba's ``cache=True`` has a writable place; call before importing numba.

    Returns
    -------
    bool
        Whether kernels are cached (``False``: no writable place was found,
        and :func:`disable_caching` must run once numba is imported).

    Raises
    ------
    ValueError
        ``NUMBA_NUM_THREADS`` is set to something numba would refuse.
    """
    if "cached" in _state:
        return _state["cached"]
    _check_threads()
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    kernels_dir = Path(__file__).resolve().parent / "__pycache__"
    cached = True
    if chosen:
        if not _writable(Path(chosen)):
            cached = _use(_fallback(), f"NUMBA_CACHE_DIR {chosen!r} is not writable")
    elif not (_writable(kernels_dir) or _writable(_user_cache())):
        cached = _use(_fallback(), "neither the package directory nor the home directory is "
                      "writable")  # fmt: skip
    _state["cached"] = cached
    return cached


def _check_threads() -> None:
    """``NUMBA_NUM_THREADS``, which numba reads on import, named when it is wrong.

    Raises
    ------
    ValueError
        It is set and is not a positive integer.
    """
    text = os.environ.get("NUMBA_NUM_THREADS")
    if text is None:
        return
    if not (text.strip().isascii() and text.strip().isdigit() and int(text) >= 1):
        raise ValueError(f"the environment variable NUMBA_NUM_THREADS must be a positive "
                         f"integer (numba's thread count), got {text!r}")  # fmt: skip


def _use(directory: Path, why: str) -> bool:
    """Point numba at ``directory``; warn (once) and return ``False`` if it is not writable."""
    if _writable(directory):
        os.environ["NUMBA_CACHE_DIR"] = str(directory)  # read when numba is first imported
        return True
    warnings.warn(f"{why}, nor is {str(directory)!r}: numba kernels are compiled in every run "
                  "(set NUMBA_CACHE_DIR to a writable directory to cache them)",
                  RuntimeWarning, stacklevel=3)  # fmt: skip
    return False


def disable_caching() -> None:
    """Make numba's ``cache=True`` a no-op (no writable place: compile, do not store)."""
    from numba.core.dispatcher import Dispatcher

    Dispatcher.enable_caching = lambda self: None
