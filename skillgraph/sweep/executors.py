"""Executors: who runs the work items of a sweep.

An executor is any object with a method ``map(fn, items)`` returning an
iterable of ``fn(item)`` (the emcee convention: ``multiprocessing.Pool``,
``concurrent.futures`` executors, schwimmbad pools all qualify).  The sweep
driver accepts results in any order: each result names its work item, and
each item's randomness is keyed by its index (:mod:`skillgraph._rng`), so the
table never depends on the executor or on the number of workers.  Executors
that yield results as they complete (all of those defined here) let the driver
store each finished item at once, which is what makes a killed sweep lose at
most the items in flight.

Three are provided: :class:`SerialExecutor` (this process),
:class:`ProcessExecutor` (local worker processes) and :class:`DaskExecutor`
(a Dask distributed cluster; needs the optional ``dask`` extra,
``pip install "skillgraph[dask]"``).  :func:`make_executor` builds one from
the command-line options.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "make_executor",
]


class SerialExecutor:
    """Run every item in this process, in order."""

    workers = 1

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        return map(fn, items)

    def __repr__(self) -> str:
        return "SerialExecutor()"


def _init_worker(numba_threads: int) -> None:
    """Keep ``workers x numba threads`` within the machine's cores.

    Results do not depend on the thread count (sampling uses counter-based
    streams per text piece), so this is about speed only.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # numba missing or threading layer refuses: run with its default
        pass


class ProcessExecutor:
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Workers are started with the ``spawn`` method: forking a process that has
    already run numba's threaded kernels is not safe.  At most
    ``2 * workers`` items are in flight, so memory stays flat for any grid and
    a kill loses little finished work.

    Parameters
    ----------
    workers : int
        Number of processes, >= 1.
    """

    def __init__(self, workers: int):
        from skillgraph._validation import check_int

        self.workers = check_int("workers", workers, 1, 4096)
        self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ensure_pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            threads = max(1, (os.cpu_count() or 1) // self.workers)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(threads,),
            )
        return self._pool

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Yield ``fn(item)`` for every item, in order of completion."""
        from concurrent.futures import FIRST_COMPLETED, wait

        pool = self._ensure_pool()
        pending = iter(items)
        in_flight = set()
        window = 2 * self.workers
        try:
            for item in pending:
                in_flight.add(pool.submit(fn, item))
                if len(in_flight) < window:
                    continue
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
            while in_flight:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in in_flight:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"


class DaskExecutor:
    """Run items on a Dask distributed cluster through a ``distributed.Client``.

    Parameters
    ----------
    client : distributed.Client
        Connected client; the executor does not close it.
    """

    def __init__(self, client):
        self.client = client

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {})) or 1

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Submit every item (``pure=False``: never deduplicated) and yield as they complete."""
        from distributed import as_completed

        items = list(items)
        if not items:
            return
        futures = self.client.map(fn, items, pure=False)
        try:
            for future in as_completed(futures):
                yield future.result()
                future.release()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r})"


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "Dask execution needs the optional 'dask' extra: pip install \"skillgraph[dask]\" "
            '(or pip install "dask[distributed]")'
        ) from None
    return distributed


@contextlib.contextmanager
def make_executor(
    workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None
):
    """The executor for the command-line options, as a context manager that cleans up.

    Parameters
    ----------
    workers : int, optional
        Local processes; default ``os.cpu_count()``.  ``1`` runs in this process.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    dask_local : int, optional
        Start a local Dask cluster with this many single-threaded worker processes.

    Raises
    ------
    ValueError
        If more than one of the options is given, or a count is not >= 1.
    ImportError
        A Dask option without the ``dask`` extra installed.
    """
    from skillgraph._validation import check_int

    chosen = [
        name
        for name, v in (
            ("--workers", workers),
            ("--scheduler", scheduler),
            ("--dask-local", dask_local),
        )
        if v is not None
    ]
    if len(chosen) > 1:
        raise ValueError(f"give at most one of --workers, --scheduler, --dask-local; got {chosen}")
    if scheduler is not None:
        distributed = _import_distributed()
        client = distributed.Client(scheduler)
        try:
            yield DaskExecutor(client)
        finally:
            client.close()
        return
    if dask_local is not None:
        n = check_int("dask_local", dask_local, 1, 4096)
        distributed = _import_distributed()
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
        try:
            yield DaskExecutor(client)
        finally:
            client.close()
            cluster.close()
        return
    if workers is None:
        n = os.cpu_count() or 1
    else:
        n = check_int("workers", workers, 1, 4096)
    if n == 1:
        yield SerialExecutor()
        return
    with ProcessExecutor(n) as executor:
        yield executor
