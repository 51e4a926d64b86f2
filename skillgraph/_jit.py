"""The one door to numba: the compiled kernels are imported when first used.

Importing numba and loading the kernels (compiled, or read from the cache)
takes about a second; a module that only parses a spec or computes a bound
must not pay it.  Every module that runs a kernel asks for it here, so
importing any other module of the package never imports numba.
"""

from __future__ import annotations

import types

from skillgraph._numba_cache import disable_caching, prepare_numba_cache

__all__ = ["kernels", "numba_module"]


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
