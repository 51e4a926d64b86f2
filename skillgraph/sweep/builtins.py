"""The one place the built-in measurements and failure models enter the registries.

:func:`load_builtins` registers those declared by
:mod:`skillgraph.sweep.measures` and :mod:`skillgraph.sweep.mechanism_measures`.
Importing a module never fills a registry; the sweep engine calls
:func:`load_builtins` where it first needs the registries (spec validation,
:func:`~skillgraph.sweep.runner.run_sweep`, each work item, in worker
processes too), and code that reads the registries directly calls it first.
"""

from __future__ import annotations

from skillgraph.sweep import measures

__all__ = ["load_builtins"]

_loaded = False


def load_builtins() -> None:
    """Register the built-in measurements and failure models; later calls do nothing.

    Measurements overridden before this call
    (:func:`~skillgraph.sweep.registry.override_measurement`) stay overridden
    until their ``with`` block ends.

    Raises
    ------
    ValueError
        A built-in name was registered by something else first.
    """
    global _loaded
    if _loaded:
        return
    # the mechanisms' module imports their models (the induction testbed among them):
    # loaded here, on the first call, so that importing the spec parser stays light
    from skillgraph.sweep import mechanism_measures

    measures.BUILTINS.install()
    mechanism_measures.BUILTINS.install()
    _loaded = True
