"""The one door to numba: the compiled kernels are imported when first used.

Importing numba and loading the kernels (compiled, or read from the cache)
takes about a second; a module that only parses a spec or computes a bound
must not pay it.  Every module that runs a kernel asks for it here, so
importing any other module of the package never imports numba.
"""

from __future__ import annotations

import contextlib
import types

from skillgraph._numba_cache import disable_caching, prepare_numba_cache
from skillgraph._validation import check_int

__all__ = ["kernels", "numba_module", "check_threads", "numba_threads"]


def kernels() -> types.ModuleType:
    """The module :mod:`skillgraph._kernels` (imports numba on the first call)."""
    numba_module()  # numba first: its cache has a writable place before a kernel is defined
    from skillgraph import _kernels  # the package's one deferred import of numba

    return _kernels


def numba_module() -> types.ModuleType:
    """numba itself, for its thread settings (imported on the first call)."""
    cached = prepare_numba_cache()  # decides NUMBA_CACHE_DIR, which numba reads on import
    import numba

    if not cached:
        disable_caching()
    return numba


def check_threads(threads) -> int | None:
    """``threads`` checked against the threads numba may start (``None`` passes)."""
    if threads is None:
        return None
    return check_int("threads", threads, 1, numba_module().config.NUMBA_NUM_THREADS)


@contextlib.contextmanager
def numba_threads(threads):
    """Run with ``threads`` numba threads, work items handed out one at a time.

    A parallel chunk size of 1 makes numba's ``prange`` hand the kernels' work
    items to whichever thread is free (dynamic scheduling), so a core shared
    with another process does not hold the others back.  Both settings are
    restored afterwards.  Yields the thread count.
    """
    numba = numba_module()
    previous = numba.get_num_threads()
    previous_chunk = numba.get_parallel_chunksize()
    if threads is not None:
        numba.set_num_threads(threads)
    numba.set_parallel_chunksize(1)
    try:
        yield numba.get_num_threads()
    finally:
        numba.set_parallel_chunksize(previous_chunk)
        numba.set_num_threads(previous)
