"""Monte Carlo sweeps: run a spec's work items on an executor into a resumable store.

A sweep (spec format: ``sims/README.md``; validation: :mod:`skillgraph.sweep.spec`)
is a list of work items.  Each item samples one skill graph, or streams its
per-skill counts (:func:`skillgraph.sweep.context.item_context`), fails some of
its text pieces and takes every requested measurement on them
(:mod:`skillgraph.sweep.measures`, or any measurement registered with
:func:`skillgraph.sweep.registry.register_measurement`).  The driver
:func:`run_sweep` checks that the work fits this machine, hands the items not
yet stored to an executor (:mod:`skillgraph.sweep.executors`), stores each
result as it arrives (:mod:`skillgraph.sweep.store`) and gathers the tidy table
at the end.

Reproducibility: item ``i`` draws its graph from ``child_seed(item, 0)``, its
failure set from ``child_seed(item, 1)`` and each random measurement from a
child keyed by the measurement, where ``item = child_seed(SeedSequence(seed), i)``.
Nothing depends on the worker, the executor or the order of completion.
"""

from __future__ import annotations

import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from skillgraph._display import Display, figure_dict, plain
from skillgraph._outdir import output_lock
from skillgraph._progress import progress_bar
from skillgraph._resources import ResourceLimitError, check_memory, check_time
from skillgraph.core.engine import get_engine
from skillgraph.sweep.builtins import load_builtins
from skillgraph.sweep.context import ItemContext, item_context
from skillgraph.sweep.cost import SweepCost
from skillgraph.sweep.executors import ProcessExecutor, SerialExecutor
from skillgraph.sweep.figures import store_figures
from skillgraph.sweep.measures import failure_rate_rows
from skillgraph.sweep.registry import (
    get_measurement,
    register_failure_model,
    register_measure,
    register_measurement,
)
from skillgraph.sweep.spec import (
    PARAMETER_COLUMNS,
    SpecError,
    SweepSpec,
    SweepTooLarge,
    WorkItem,
    estimate,
    expand,
    load_spec,
    parse_spec,
)
from skillgraph.sweep.store import MEASUREMENT_COLUMNS, SweepStore
from skillgraph.tables import read_table

__all__ = [
    "SweepSummary",
    "SweepAborted",
    "run_sweep",
    "run_item",
    "compute_item",
    "check_resources",
    "table_columns",
    "ItemContext",
    "register_measurement",
    "register_measure",
    "register_failure_model",
    "load_spec",
    "parse_spec",
    "expand",
    "SpecError",
]


# ---------------------------------------------------------------------------
# one work item


def table_columns(measurements: Iterable[str]) -> tuple[str, ...]:
    """The columns of a sweep's table.

    The item's parameters (the standard ones, then the measurements' own grid
    axes), the standard measurement columns, then the measurements' own columns.
    """
    load_builtins()
    measurements = [get_measurement(name) for name in measurements]
    columns = list(PARAMETER_COLUMNS)
    for m in measurements:
        columns += [c for c in m.axes if c not in columns]
    columns += [c for c in MEASUREMENT_COLUMNS if c not in columns]
    for m in measurements:
        columns += [c for c in m.columns if c not in columns]
    return tuple(columns)


def compute_item(item: WorkItem) -> list[dict]:
    """The rows of one work item (exceptions propagate; see :func:`run_item`).

    Raises
    ------
    ValueError
        A measurement returned a column it did not declare (it would be lost
        from the table).
    """
    load_builtins()  # a worker process starts with empty registries
    ctx = item_context(item)
    rows = failure_rate_rows(ctx) if ctx.counts is not None else []
    allowed = set(table_columns(item.settings["measurements"]))
    for name in item.settings["measurements"]:
        produced = get_measurement(name).function(ctx)
        for row in produced:
            unknown = set(row) - allowed
            if unknown:
                raise ValueError(
                    f"measurement {name!r} returned columns {sorted(unknown)} it did not declare "
                    "(register_measurement(..., columns=...))"
                )
        rows.extend(produced)
    return [{column: plain(value) for column, value in row.items()} for row in rows]  # JSON shards


def run_item(item: WorkItem) -> dict:
    """Run one work item; never raises for an error inside the item.

    Returns
    -------
    dict
        ``{"index", "status": "ok" | "error", "params", "rows", "error",
        "traceback", "elapsed"}``.  A failing item has no rows and carries its
        error message and traceback.
    """
    start = time.perf_counter()
    try:
        rows = compute_item(item)
        status, error, tb = "ok", None, None
    except Exception as exc:  # an item's failure is data, not the end of the sweep
        rows, status = [], "error"
        error = f"{type(exc).__name__}: {exc}"
        tb = traceback.format_exc()
    return {
        "index": item.index,
        "status": status,
        "params": item.params,
        "rows": rows,
        "error": error,
        "traceback": tb,
        "elapsed": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------------
# the driver


class SweepAborted(RuntimeError):
    """The executor itself failed (a worker died, the cluster went away)."""


@dataclass(frozen=True, repr=False)
class SweepSummary(Display):
    """What a call to :func:`run_sweep` did.

    Attributes
    ----------
    name : str
        The spec's name.
    n_items : int
        Work items in the spec.
    computed : int
        Items computed by this run.
    skipped : int
        Items already finished in the store (``--resume``).
    recomputed_corrupt : int
        Items whose shard was partial or corrupt and were computed again.
    failed : list of dict
        ``{"item", "params", "error"}`` for every item whose last attempt raised.
    rows : int
        Rows in the gathered table.
    elapsed : float
        Seconds.
    table : str
        Path of ``results.csv``.
    executor : str
        The executor's ``repr``.
    """

    name: str
    n_items: int
    computed: int
    skipped: int
    recomputed_corrupt: int
    failed: list = field(default_factory=list)
    rows: int = 0
    elapsed: float = 0.0
    table: str = ""
    executor: str = ""

    @property
    def ok(self) -> bool:
        """Whether every item succeeded."""
        return not self.failed

    def as_dict(self) -> dict:
        """Plain-dict form (``summary.json``, ``--json``); ``failed`` counted as ``n_failed``."""
        record = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "failed":
                record["n_failed"] = len(value)
            else:
                record[f.name] = value
        return record

    def _display_record(self) -> dict:
        return self.as_dict()

    def _display_rows(self) -> list[dict]:
        """The gathered table (``results.csv``), or the summary when there is none."""
        return read_table(self.table) if self.table and Path(self.table).is_file() else [
            self.as_dict()]  # fmt: skip

    def _display_title(self) -> str:
        return self.report().splitlines()[0]

    def figures(self) -> dict:
        """The sweep's figures (those ``skillgraph plot`` writes), by name.

        Returns
        -------
        dict of str to matplotlib.figure.Figure
            ``emergence``, ``performance_curves``, ``bound_vs_empirical``: each
            when the sweep measured its quantities (mechanism sweeps: none).
            Shown inline in a notebook.
        """
        return figure_dict(store_figures(SweepStore.open(Path(self.table).parent).rows()))

    def report(self) -> str:
        """A few human-readable lines for the end of a run."""
        corrupt = (
            f", {self.recomputed_corrupt} corrupt shards recomputed"
            if self.recomputed_corrupt
            else ""
        )
        lines = [
            f"sweep {self.name!r}: {self.n_items} items ({self.computed} computed, "
            f"{self.skipped} already stored{corrupt}), {len(self.failed)} failed, "
            f"{self.elapsed:.1f} s on {self.executor}",
            f"table: {self.table} ({self.rows} rows)",
        ]
        lines += [f"  item {f['item']} failed: {f['error']}" for f in self.failed[:10]]
        if len(self.failed) > 10:
            lines.append(f"  ... and {len(self.failed) - 10} more (see failures.json)")
        if self.failed:
            lines.append("failed items are retried by rerunning with --resume")
        return "\n".join(lines)


def _is_local(executor) -> bool:
    """Whether the executor runs items on this machine (its memory is ours)."""
    return isinstance(executor, SerialExecutor | ProcessExecutor)


def check_resources(
    spec: SweepSpec, *, workers: int = 1, local: bool = True, n_todo: int | None = None
) -> SweepCost:
    """Refuse, before any work, a sweep that would not fit or not finish here.

    Parameters
    ----------
    spec : SweepSpec
    workers : int
        Items run at once (each holds its own graph).
    local : bool
        The items run on this machine (its memory is checked); ``False`` for
        a Dask cluster, whose memory is its own.
    n_todo : int, optional
        Items still to run (a resumed sweep); default all.

    Returns
    -------
    SweepCost
        The estimate (:func:`skillgraph.sweep.spec_cost.estimate`).

    Raises
    ------
    SweepTooLarge
        ``workers`` items at once would not fit in memory (with the estimate
        and the options that help), or the items to run would take longer than
        ``skillgraph._resources.max_seconds()`` (``SKILLGRAPH_MAX_HOURS``) on ``workers`` workers.
    """
    cost = estimate(spec)
    workers = max(1, int(workers))
    if local:
        keeps_graph = get_engine(spec.engine).keeps_graph
        hint = (
            "Use fewer --workers, or options.engine = 'stream' (per-skill counts, "
            "O(n_skills) memory) for the failure models random and deficit."
            if keeps_graph
            else "Use fewer --workers or fewer skills."
        )
        try:
            check_memory(workers * cost.item.nbytes, f"{workers} work item(s) at once", hint)
        except MemoryError as exc:
            path = "grid.n_texts" if keeps_graph else "grid.n_skills"
            raise SweepTooLarge([(path, str(exc))]) from None
    n_todo = cost.n_items if n_todo is None else n_todo
    seconds = cost.seconds * n_todo / max(cost.n_items, 1) / workers
    try:
        check_time(
            seconds,
            f"the sweep ({n_todo:,} of {cost.describe(workers)})",
            "Use more workers (--workers, --dask-local, --scheduler) or split the grid.",
        )
    except ResourceLimitError as exc:
        raise SweepTooLarge([("<sweep>", str(exc))]) from None
    return cost


def _damage_report(state: dict) -> str:
    """One line on the damaged shards a resume is about to recompute."""
    parts = []
    if state["corrupt"]:
        shown = "; ".join(state["problems"][:3])
        more = f"; and {len(state['corrupt']) - 3} more" if len(state["corrupt"]) > 3 else ""
        parts.append(f"{len(state['corrupt'])} damaged shard(s) will be recomputed ({shown}{more})")
    if state["foreign"]:
        shown = ", ".join(state["foreign"][:3])
        parts.append(f"{len(state['foreign'])} foreign file(s) in shards/ are ignored ({shown})")
    return "warning: " + "; ".join(parts)


def _drain(executor, item_fn, todo: list, store: SweepStore, bar) -> int:
    """Run ``todo`` on ``executor``, storing each result as it arrives; returns how many."""
    run_id = uuid.uuid4().hex
    results = iter(executor.map(item_fn, todo))
    computed = 0
    while True:
        try:
            result = next(results)
        except StopIteration:
            return computed
        except (KeyboardInterrupt, SpecError):
            raise
        except Exception as exc:
            raise SweepAborted(
                f"the executor failed after {computed} items ({type(exc).__name__}: {exc}); "
                f"finished items are stored in {str(store.path)!r}: rerun with --resume"
            ) from exc
        store.write_shard({**result, "run": run_id})
        computed += 1
        bar.update(1)
        if result["status"] != "ok":
            bar.write(f"item {result['index']} failed: {result['error']}", file=sys.stderr)


def run_sweep(
    spec,
    out,
    *,
    executor=None,
    resume: bool = False,
    progress: bool = True,
    item_fn: Callable[[WorkItem], dict] = run_item,
) -> SweepSummary:
    """Run (or resume) a sweep into the store ``out``.

    Parameters
    ----------
    spec : SweepSpec or path-like
        A validated spec, or the path of a TOML spec.
    out : path-like
        The store directory (created; must be new or empty unless ``resume``).
    executor : object with ``map(fn, items)``, optional
        Default: :class:`~skillgraph.sweep.executors.SerialExecutor`.
    resume : bool
        Continue the sweep stored in ``out``: finished items are kept, items
        whose shard is missing, partial or corrupt, or that failed, are run.
    progress : bool
        Show a progress bar with an ETA on stderr.
    item_fn : callable
        The function the executor maps (tests substitute one that raises).

    Returns
    -------
    SweepSummary

    Raises
    ------
    SpecError
        Invalid spec, before any work.
    SweepTooLarge
        The work would not fit in memory or not finish (:func:`check_resources`).
    StoreError
        ``out`` unusable: not empty without ``resume``, or made by another spec.
    skillgraph._outdir.OutputBusy
        Another run holds the store's lock (the message names it).
    SweepAborted
        The executor failed; stored items are kept for ``resume``.
    KeyboardInterrupt
        Ctrl-C (or SIGTERM under the command line); stored items are kept.

    Notes
    -----
    Cost: the items' own cost, plus one small JSON file per item.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    executor = SerialExecutor() if executor is None else executor
    if not callable(getattr(executor, "map", None)):
        raise TypeError(f"executor must have a map(fn, items) method, got {executor!r}")
    start = time.perf_counter()
    items = expand(spec)
    workers, local = getattr(executor, "workers", 1), _is_local(executor)
    # memory now; the time of a resumed sweep once the store says what is left
    check_resources(spec, workers=workers, local=local, n_todo=0 if resume else None)
    columns = table_columns(spec.data["measurements"])
    with output_lock(out, "sweep"):  # one writer per store: no resume beside a live run
        return _run_locked(spec, out, items, columns, executor, resume, progress, item_fn, start)


def _run_locked(spec, out, items, columns, executor, resume, progress, item_fn, start):
    """:func:`run_sweep` once the store is locked."""
    workers = getattr(executor, "workers", 1)
    store = SweepStore.create(out, spec, len(items), resume=resume, columns=columns)
    store.remove_stale_temporaries()
    state = store.scan()
    done = set(state["ok"])
    todo = [item for item in items if item.index not in done]
    if state["corrupt"] or state["foreign"]:  # said before any of it is recomputed
        print(f"sweep {spec.name}: {_damage_report(state)}", file=sys.stderr)
    if resume:  # only what is left counts against the time limit
        check_resources(spec, workers=workers, local=False, n_todo=len(todo))
    with progress_bar(
        len(items), enabled=progress, desc=f"sweep {spec.name}", initial=len(done), unit="item"
    ) as bar:
        computed = _drain(executor, item_fn, todo, store, bar)
    gathered = store.gather()
    lost = len(items) - gathered["items_ok"] - gathered["items_failed"]
    if lost:  # a shard vanished or was damaged while we ran: never a short table that says ok
        raise SweepAborted(
            f"results.csv holds {gathered['items_ok']} of {len(items)} items: {lost} item(s) "
            f"lost their shard during the run; rerun with --resume to compute them"
        )
    summary = SweepSummary(
        name=spec.name,
        n_items=len(items),
        computed=computed,
        skipped=len(done),
        recomputed_corrupt=len(state["corrupt"]),
        failed=gathered["failures"],
        rows=gathered["rows"],
        elapsed=time.perf_counter() - start,
        table=str(store.path / "results.csv"),
        executor=repr(executor),
    )
    store.write_summary(summary.as_dict())
    return summary
