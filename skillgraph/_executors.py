"""Executors: who runs the work items of a sweep.

An executor is any object with a method ``map(fn, items)`` returning an
iterable of ``fn(item)`` (the emcee convention: ``multiprocessing.Pool``,
``concurrent.futures`` executors, schwimmbad pools all qualify).  The sweep
driver accepts results in any order: each result names its work item, and
each item's randomness is keyed by its index (``skillgraph._rng``), so the
table never depends on the executor or on the number of workers.  Executors
that yield results as they complete (all of those defined here) let the driver
store each finished item at once, which is what makes a killed sweep lose at
most the items in flight.

Three are provided: :class:`SerialExecutor` (this process),
:class:`ProcessExecutor` (local worker processes) and :class:`DaskExecutor`
(a Dask distributed cluster; needs the optional ``dask`` extra,
``pip install "skillgraph[dask]"``).  :func:`make_executor` builds one from
the command-line options.

No process is left behind: local workers ignore Ctrl-C (the driver stops them)
and exit as soon as the driver dies, whatever killed it (``kill -9``
included), and an interrupted :class:`ProcessExecutor` terminates its workers
instead of waiting for their items.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from skillgraph._jit import numba_module
from skillgraph._validation import check_int

__all__ = [
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "make_executor",
    "connect",
    "exit_with_parent",
    "CONNECT_TIMEOUT",
]

#: seconds to wait for a Dask scheduler to answer
CONNECT_TIMEOUT = 5.0
#: how often a worker checks that its driver is still alive, in seconds
_PARENT_POLL = 0.5


class SerialExecutor:
    """Run every item in this process, in order."""

    workers = 1

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Yield ``fn(item)`` for every item, in order."""
        return map(fn, items)

    def __repr__(self) -> str:
        return "SerialExecutor()"


# ---------------------------------------------------------------------------
# local worker processes


def _watch_parent(parent_pid: int) -> None:
    """Exit this process once ``parent_pid`` is no longer its parent (it died)."""
    while True:
        time.sleep(_PARENT_POLL)
        if os.getppid() != parent_pid:
            os._exit(1)  # no clean-up: the items in flight are lost either way


def exit_with_parent(parent_pid: int) -> None:
    """Make this (worker) process exit when the process ``parent_pid`` dies.

    On Linux the kernel sends SIGKILL at once (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread polls ``os.getppid()`` every half second, which
    also covers a parent that died before the ``prctl`` call.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc symbol: the thread below still works
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), daemon=True, name="skillgraph-parent-watch"
    ).start()


def _init_worker(numba_threads: int, parent_pid: int) -> None:
    """Set up a pool worker: no Ctrl-C, exit with the driver, bounded threads.

    Ctrl-C at a terminal reaches the whole process group; the driver handles it
    (it stops the pool), so workers ignore it instead of each printing a
    traceback.  ``workers x numba threads`` stays within the machine's cores;
    results do not depend on the thread count (sampling uses counter-based
    streams per text piece), so this is about speed only.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent_pid)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        numba = numba_module()
        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # numba missing or threading layer refuses: run with its default
        pass


class ProcessExecutor:
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Workers are started with the ``spawn`` method: forking a process that has
    already run numba's threaded kernels is not safe.  At most
    ``2 * workers`` items are in flight, so memory stays flat for any grid and
    a kill loses little finished work.  Workers exit when this process dies,
    and :meth:`terminate` (used when the sweep is interrupted) stops them
    without waiting for their items.

    Parameters
    ----------
    workers : int
        Number of processes, >= 1.
    """

    def __init__(self, workers: int):
        self.workers = check_int("workers", workers, 1, 4096)
        self._pool = None
        self._others: set[int] = set()

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # interrupted or failed: do not wait for the items in flight
            self.terminate()

    def _ensure_pool(self):
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            # children started by others before the pool: terminate() leaves them alone
            self._others = {p.pid for p in multiprocessing.active_children()}
            threads = max(1, (os.cpu_count() or 1) // self.workers)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(threads, os.getpid()),
            )
        return self._pool

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Yield ``fn(item)`` for every item, in order of completion."""
        from concurrent.futures import FIRST_COMPLETED, wait

        pool = self._ensure_pool()
        in_flight = set()
        window = 2 * self.workers
        try:
            for item in items:
                in_flight.add(pool.submit(fn, item))
                if len(in_flight) < window:
                    continue
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
            while in_flight:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        finally:
            for future in in_flight:
                future.cancel()

    def close(self) -> None:
        """Wait for the items in flight, then stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        """Stop the workers now (SIGTERM, then SIGKILL after 5 s); their items are lost."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        pool.shutdown(wait=False, cancel_futures=True)
        ours = [p for p in multiprocessing.active_children() if p.pid not in self._others]
        for process in ours:
            process.terminate()
        deadline = time.monotonic() + 5.0
        for process in ours:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"


# ---------------------------------------------------------------------------
# Dask


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
        """Workers of the cluster now (at least 1)."""
        return len(self.client.scheduler_info().get("workers", {})) or 1

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Submit every item (``pure=False``: never deduplicated) and yield as they complete."""
        from distributed import as_completed

        items = list(items)
        if not items:
            return
        futures = self.client.map(fn, items, pure=False)
        try:
            for future in as_completed(futures, loop=self.client.loop):
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


def _check_reachable(address: str, timeout: float) -> None:
    """Fail fast when nothing listens at a ``tcp://`` scheduler address."""
    import socket

    from distributed.comm import parse_address, parse_host_port

    scheme, location = parse_address(address)  # ValueError for a malformed address
    if scheme != "tcp":
        return
    host, port = parse_host_port(location)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConnectionError(
            f"no Dask scheduler answers at {address!r} ({reason}); start one with "
            "'dask scheduler', or use --dask-local N for a local cluster"
        ) from None


def _in_thread(fn: Callable, timeout: float, what: str):
    """``fn()`` in a daemon thread, abandoned after ``timeout`` seconds (Dask can hang)."""
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised below, in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name=f"skillgraph-{what}")
    thread.start()
    thread.join(timeout)
    if "error" in box:
        raise box["error"]
    if "value" not in box:
        raise TimeoutError(f"no answer within {timeout:g} s")
    return box["value"]


def _identity(address: str, timeout: float) -> dict:
    """What answers at ``address``: the Dask handshake and ``identity`` call, nothing else."""
    import asyncio

    from distributed.core import rpc

    async def ask():
        async with rpc(address, timeout=timeout) as remote:
            return await remote.identity()

    return asyncio.run(asyncio.wait_for(ask(), timeout))


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A ``distributed.Client`` of the scheduler at ``address``, or a one-line error.

    Before a client is made, the address is probed: a TCP connection, then
    Dask's handshake and ``identity`` call, each bounded by ``timeout``.  A
    client made against anything else than a scheduler can wait forever, and
    one that fails leaves a background loop that delays the exit.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (other Dask schemes are passed through).
    timeout : float
        Seconds to wait for each step.

    Raises
    ------
    ValueError
        A malformed address.
    ConnectionError
        Nothing answers within ``timeout``, or what answers is not a Dask scheduler.
    """
    distributed = _import_distributed()
    _check_reachable(address, timeout)
    try:
        info = _in_thread(lambda: _identity(address, timeout), timeout + 1, "dask-probe")
    except Exception as exc:  # garbage, a reset, a timeout: not a scheduler we can use
        reason = (
            "no answer"
            if isinstance(exc, TimeoutError)
            else f"it does not answer as Dask does: {type(exc).__name__}: {exc}"
        )
        raise ConnectionError(
            f"no Dask scheduler answers at {address!r} within {timeout:g} s ({reason})"
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind != "Scheduler":
        raise ConnectionError(f"{address!r} is a Dask {kind or 'peer'}, not a scheduler")
    make = lambda: distributed.Client(address, timeout=timeout, set_as_default=False)  # noqa: E731
    try:
        return _in_thread(make, 2 * timeout, "dask-connect")
    except Exception as exc:
        raise ConnectionError(
            f"cannot connect to the Dask scheduler at {address!r}: {type(exc).__name__}: {exc}"
        ) from None


@contextlib.contextmanager
def _sigint_ignored():
    """Children started inside ignore Ctrl-C (an ignored signal stays ignored across exec)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _quiet_dask():
    """Dask's own log lines off while the sweep runs, here and in the workers started inside.

    An interrupted sweep cancels its tasks and closes the cluster, which Dask
    reports with warnings and tracebacks from every worker; the sweep reports
    what matters itself (failed items are stored with their traceback, a lost
    cluster ends the run with one line).
    """
    import logging

    # tornado.application too: when Ctrl-C lands before distributed's sync() has made its
    # future, sync's own cancel callback fails (NameError on 'future') and tornado logs that
    # traceback, although the interrupt itself proceeds normally
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado.application")]
    levels = [logger.level for logger in loggers]
    env = os.environ.get(_DASK_LOG_ENV)
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    os.environ[_DASK_LOG_ENV] = "critical"  # read by dask.config in spawned workers
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        if env is None:
            os.environ.pop(_DASK_LOG_ENV, None)
        else:
            os.environ[_DASK_LOG_ENV] = env


_DASK_LOG_ENV = "DASK_LOGGING__DISTRIBUTED"


@contextlib.contextmanager
def _local_cluster(n_workers: int):
    """A local Dask cluster whose worker processes leave Ctrl-C to this process."""
    distributed = _import_distributed()
    with _quiet_dask():
        with _sigint_ignored():
            cluster = distributed.LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = distributed.Client(cluster, set_as_default=False)
        try:
            yield DaskExecutor(client)
        finally:
            with _sigint_ignored():  # a second Ctrl-C must not cut the shut-down short
                client.close()
                cluster.close()


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
        If more than one of the options is given, a count is not >= 1, or the
        scheduler address is malformed.
    ConnectionError
        No Dask scheduler answers at ``scheduler`` within ``CONNECT_TIMEOUT`` seconds.
    ImportError
        A Dask option without the ``dask`` extra installed.
    """
    given = {"--workers": workers, "--scheduler": scheduler, "--dask-local": dask_local}
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) > 1:
        raise ValueError(f"give at most one of --workers, --scheduler, --dask-local; got {chosen}")
    if scheduler is not None:
        client = connect(scheduler)
        with _quiet_dask():
            try:
                yield DaskExecutor(client)
            finally:
                client.close()
        return
    if dask_local is not None:
        with _local_cluster(check_int("dask_local", dask_local, 1, 4096)) as executor:
            yield executor
        return
    n = (os.cpu_count() or 1) if workers is None else check_int("workers", workers, 1, 4096)
    if n == 1:
        yield SerialExecutor()
        return
    with ProcessExecutor(n) as executor:
        yield executor
