"""Where sweep work items run: in this process, in a process pool, or on Dask.

The executors live in ``skillgraph._executors``, below both the sweep
engine and the streamed check (:mod:`skillgraph.audit.streamed`), which run
their work on them; this module is their public name for sweeps.
"""

from skillgraph._executors import (  # noqa: F401  (re-exported, as listed in __all__)
    CONNECT_TIMEOUT,
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    __all__,
    connect,
    exit_with_parent,
    make_executor,
)

