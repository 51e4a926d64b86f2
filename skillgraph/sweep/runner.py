"""Monte Carlo sweeps: run a spec's work items on an executor into a resumable store.

A sweep (spec format: ``sims/README.md``; validation: :mod:`skillgraph.sweep_spec`)
is a list of work items.  Each item samples one skill graph (theory.md §1),
one failure set (§6) and takes every requested measurement on them: bad
fractions (§1), performance curves (§1), tuple fractions (§5), the emergence
bounds (§3, §5) and finite-size certificates (§4).  The driver
:func:`run_sweep` hands the items not yet stored to an executor
(:mod:`skillgraph.executors`), stores each result as it arrives
(:mod:`skillgraph.store`) and gathers the tidy table at the end.

Reproducibility: item ``i`` draws its graph from ``child_seed(item, 0)``, its
failure set from ``child_seed(item, 1)`` and each random measurement from a
child keyed by the measurement, where ``item = child_seed(SeedSequence(seed), i)``.
Nothing depends on the worker, the executor or the order of completion.

Measurements are looked up in a registry (:func:`register_measure`), so new
ones (the adversaries of issue 4, streaming graphs of issue 6) plug in without
touching the driver.
"""

from __future__ import annotations

import hashlib
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from skillgraph._rng import child_seed
from skillgraph.sweep.spec import (
    MEASURES,
    SpecError,
    SweepSpec,
    WorkItem,
    expand,
    load_spec,
    parse_spec,
)

__all__ = [
    "SweepSummary",
    "SweepAborted",
    "run_sweep",
    "run_item",
    "register_measure",
    "register_failure_model",
    "load_spec",
    "parse_spec",
    "expand",
    "SpecError",
]


# ---------------------------------------------------------------------------
# the context a measurement sees


@dataclass
class ItemContext:
    """What a measurement function receives for one work item.

    Attributes
    ----------
    item : WorkItem
    graph : SkillGraph or None
        The sampled graph (``None`` in stream mode).
    failed : ndarray of bool or None
        The failure set ``Y`` (``None`` in stream mode).
    seed : numpy.random.SeedSequence
        The item's seed; measurements derive their own children with
        :meth:`measure_seed`.
    counts : skillgraph.stream.StreamResult or None
        Per-skill counts in stream mode (``options.graph_mode = "stream"``):
        the graph is never held, only degrees and failed-edge counts.
    """

    item: WorkItem
    graph: object
    failed: np.ndarray | None
    seed: np.random.SeedSequence
    counts: object = None

    @property
    def streamed(self) -> bool:
        return self.counts is not None

    def require_graph(self, what: str) -> None:
        if self.graph is None:
            raise ValueError(f"{what} needs the materialised graph (graph_mode = 'materialize')")

    @property
    def degrees(self) -> np.ndarray:
        return self.counts.degrees if self.streamed else self.graph.degrees

    def bad_fraction(self, beta: float):
        """theory.md §1, on the graph or on the streamed counts (the same number)."""
        if self.streamed:
            return self.counts.bad_fraction(beta)
        from skillgraph.core import competence

        return competence.bad_fraction(self.graph, self.failed, beta)

    def performance_curve(self, betas):
        if self.streamed:
            return self.counts.performance_curve(betas)
        from skillgraph.core import competence

        return competence.performance_curve(self.graph, self.failed, betas)

    def failure_counts(self) -> tuple[int, int]:
        """(failed text pieces, text pieces)."""
        if self.streamed:
            return int(self.counts.n_failed_texts), int(self.counts.n_texts)
        return int(self.failed.sum()), int(self.failed.size)

    def measure_seed(self, name: str, *key: int) -> np.random.SeedSequence:
        """A seed for measurement ``name`` (and sub-key), independent of the other measurements."""
        tag = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
        return child_seed(self.seed, 2, tag, *key)

    def row(self, measure: str, **values) -> dict:
        """A table row: the item's parameters, then the measurement's columns."""
        return {**self.item.params, "measure": measure, **values}


MeasureFn = Callable[[ItemContext], list]
_MEASURE_FUNCTIONS: dict[str, MeasureFn] = {}
FailureFn = Callable[[object, float, np.random.SeedSequence, dict], np.ndarray]
_FAILURE_FUNCTIONS: dict[str, FailureFn] = {}


def register_measure(name: str, requires: str | None = None):
    """Decorator: make ``fn(ctx) -> list of rows`` available as ``measures = [name]``.

    Parameters
    ----------
    name : str
        The name used in specs.
    requires : str, optional
        The skillgraph submodule it needs (specs asking for it are refused
        when that module is absent).

    Notes
    -----
    Register at import time of a module the workers import too (process pools
    and Dask workers start fresh interpreters).
    """

    def decorator(fn: MeasureFn) -> MeasureFn:
        _MEASURE_FUNCTIONS[name] = fn
        MEASURES[name] = requires or "sweep.runner"
        return fn

    return decorator


def register_failure_model(name: str):
    """Decorator: ``fn(graph, theta, seed, settings) -> bool mask`` as ``grid.failure = [name]``."""

    def decorator(fn: FailureFn) -> FailureFn:
        _FAILURE_FUNCTIONS[name] = fn
        return fn

    return decorator


def _estimate_row(ctx: ItemContext, measure: str, est, **extra) -> dict:
    d = est.as_dict()
    return ctx.row(
        measure,
        beta=d["beta"],
        t=d["t"],
        value=d["value"],
        ci_low=d["ci_low"],
        ci_high=d["ci_high"],
        n_bad=d["n_bad"],
        n=d["n"],
        n_undefined=d["n_undefined"],
        undefined_mass=d["undefined_mass"],
        n_effective=d["n_effective"],
        exact=d["exact"],
        **extra,
    )


@register_failure_model("random")
def _fail_random(graph, theta, seed, settings):
    from skillgraph.core import failures

    return failures.random_failures(graph, theta, exact=not settings["bernoulli"], seed=seed)


@register_failure_model("deficit")
def _fail_deficit(graph, theta, seed, settings):
    from skillgraph.core import failures

    return failures.deficit_failures(graph, theta, seed=seed)


@register_measure("bad_fraction", requires="core.competence")
def _measure_bad_fraction(ctx: ItemContext) -> list:
    """Fraction (mu1-mass) of skills with fail(s) > beta, for each beta (theory.md §1)."""
    return [
        _estimate_row(ctx, "bad_fraction", ctx.bad_fraction(beta))
        for beta in ctx.item.settings["beta"]
    ]


@register_measure("curve", requires="core.competence")
def _measure_curve(ctx: ItemContext) -> list:
    """The performance curve beta -> competent fraction at options.curve_betas (theory.md §1)."""
    curve = ctx.performance_curve(ctx.item.settings["curve_betas"])
    return [
        ctx.row(
            "competent",
            beta=float(b),
            t=1,
            value=float(c),
            undefined_mass=float(curve.undefined_mass),
            exact=True,
        )
        for b, c in zip(curve.betas, curve.competent, strict=True)
    ]


@register_measure("tuple", requires="core.competence")
def _measure_tuple(ctx: ItemContext) -> list:
    """Bad fraction of t-tuples, per (t, tuple_mode, beta) (theory.md §5)."""
    from skillgraph.core import competence

    ctx.require_graph("the tuple measure")
    settings = ctx.item.settings
    n_tuples = settings["n_tuples"] or None
    rows = []
    for ti, t in enumerate(settings["t"]):
        for mi, mode in enumerate(settings["tuple_mode"]):
            for bi, beta in enumerate(settings["beta"]):
                est = competence.tuple_bad_fraction(
                    ctx.graph,
                    ctx.failed,
                    t,
                    beta,
                    mode=mode,
                    n_tuples=n_tuples,
                    seed=ctx.measure_seed("tuple", ti, mi, bi),
                )
                rows.append(_estimate_row(ctx, "tuple_bad_fraction", est, tuple_mode=mode))
    return rows


@register_measure("bound", requires="theory.bounds")
def _measure_bound(ctx: ItemContext) -> list:
    """alpha_star (Theorem 1; Corollary 2 for t > 1) and the averaging bound (theory.md §3, §5).

    The bounds depend only on (theta, beta, k, t); they are repeated on every
    replicate so that each item's rows stand alone.  ``t`` runs over 1 and,
    when tuples are measured, the grid's tuple sizes.
    """
    from skillgraph.theory import bounds

    params, settings = ctx.item.params, ctx.item.settings
    k = params["k"]
    ts = sorted({1, *settings["t"]}) if "tuple" in settings["measures"] else [1]
    rows = []
    for beta in settings["beta"]:
        for t in ts:
            for form in settings["bound_form"]:
                res = bounds.emergence_bound(params["theta"], beta, k, t=t, form=form)
                rows.append(
                    ctx.row(
                        "alpha_star",
                        beta=beta,
                        t=t,
                        form=form,
                        value=float(res.value),
                        vacuous=bool(res.vacuous),
                    )
                )
            rows.append(ctx.row("averaging_bound", beta=beta, t=t, value=float(res.averaging)))
    return rows


@register_measure("certificate", requires="theory.certificates")
def _measure_certificate(ctx: ItemContext) -> list:
    """Finite-size certified alpha on this graph's degrees (theory.md §4)."""
    from skillgraph.theory import certificates

    params, settings = ctx.item.params, ctx.item.settings
    rows = []
    for beta in settings["beta"]:
        cert = certificates.certified_alpha(
            params["n_skills"],
            params["n_texts"],
            params["k"],
            params["theta"],
            beta,
            delta_fail=settings["delta_fail"],
            degrees=ctx.degrees,
        )
        rows.append(
            ctx.row(
                "certified_alpha",
                beta=beta,
                t=1,
                method=cert.method,
                value=float(cert.alpha),
                n_bad=int(cert.n_bad_max),
                n=int(params["n_skills"]),
                vacuous=bool(cert.vacuous),
                log_fail_prob=float(cert.log_fail_prob),
            )
        )
    return rows


@register_measure("adversary", requires="audit.adversary")
def _measure_adversary(ctx: ItemContext) -> list:
    """A worst-case failure set per beta, by the greedy search (theory.md §6, ``adversarial``).

    Its failure set depends on ``beta``, so it is a measurement on the item's
    graph rather than a failure model.  The value is the ``mu1``-mass of bad
    skills (a lower bound on the true worst case); ``n_bad / n`` is the count
    fraction a certificate bounds.  Only the greedy search runs here: the exact
    MILP stops at a wall-clock limit, which would make results machine-dependent.
    """
    from skillgraph.audit import adversary

    ctx.require_graph("the adversary measure")
    params = ctx.item.params
    rows = []
    for bi, beta in enumerate(ctx.item.settings["beta"]):
        res = adversary.greedy(
            ctx.graph, params["theta"], beta, seed=ctx.measure_seed("adversary", bi)
        )
        rows.append(
            ctx.row(
                "adversary_bad_fraction",
                beta=beta,
                t=1,
                method=res.method,
                value=float(res.bad_fraction),
                n_bad=int(res.n_bad),
                n=int(res.n_skills),
            )
        )
    return rows


def _measure_failure_rate(ctx: ItemContext) -> list:
    """The realised failure rate mu2(Y) (always recorded: theta is rounded to whole texts)."""
    n_failed, n = ctx.failure_counts()
    return [ctx.row("failure_rate", value=n_failed / n, n_bad=n_failed, n=n, exact=True)]


# ---------------------------------------------------------------------------
# one work item


def _sample(item: WorkItem, seed: np.random.SeedSequence):
    """The item's graph.  The hook where a "stream" graph mode (issue 6) plugs in."""
    from skillgraph.core.sampling import sample_graph

    p = item.params
    return sample_graph(
        p["n_skills"],
        p["n_texts"],
        p["k"],
        skill_measure=p["skill_measure"],
        zipf_exponent=p["zipf_exponent"] if p["zipf_exponent"] is not None else 1.0,
        replace=p["replace"],
        seed=seed,
    )


def _stream(item: WorkItem, seed: np.random.SeedSequence):
    """Stream mode: per-skill counts only, O(n_skills) memory (skillgraph.stream, issue 6).

    The skills of each text piece are those ``sample_graph`` draws from the
    same seed; the failure set is the stream's own (random: i.i.d.
    Bernoulli(theta); deficit: expected rate theta), so the numbers differ
    from materialise mode's exact-count failure sets.
    """
    from skillgraph.core.streaming import stream

    p = item.params
    return stream(
        p["n_skills"],
        p["n_texts"],
        p["k"],
        p["theta"],
        failure=p["failure"],
        skill_measure=p["skill_measure"],
        zipf_exponent=p["zipf_exponent"] if p["zipf_exponent"] is not None else 1.0,
        seed=seed,
    )


def _context(item: WorkItem) -> ItemContext:
    seed = child_seed(np.random.SeedSequence(item.seed), item.index)
    if item.settings.get("graph_mode") == "stream":
        return ItemContext(item, None, None, seed, _stream(item, child_seed(seed, 0)))
    graph = _sample(item, child_seed(seed, 0))
    failure = item.params["failure"]
    if failure not in _FAILURE_FUNCTIONS:
        raise ValueError(f"failure model {failure!r} is not available in this installation")
    failed = _FAILURE_FUNCTIONS[failure](
        graph, item.params["theta"], child_seed(seed, 1), item.settings
    )
    return ItemContext(item, graph, failed, seed)


def compute_item(item: WorkItem) -> list:
    """The rows of one work item (exceptions propagate; see :func:`run_item`)."""
    ctx = _context(item)
    rows = _measure_failure_rate(ctx)
    for name in item.settings["measures"]:
        if name not in _MEASURE_FUNCTIONS:
            raise ValueError(f"measure {name!r} is not available in this installation")
        rows.extend(_MEASURE_FUNCTIONS[name](ctx))
    return [_plain(row) for row in rows]


def _plain(row: dict) -> dict:
    """numpy scalars -> Python scalars, so that shards are plain JSON."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


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


@dataclass
class SweepSummary:
    """What a call to :func:`run_sweep` did.

    Attributes
    ----------
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
        return not self.failed

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "n_items": self.n_items,
            "computed": self.computed,
            "skipped": self.skipped,
            "recomputed_corrupt": self.recomputed_corrupt,
            "n_failed": len(self.failed),
            "rows": self.rows,
            "elapsed": self.elapsed,
            "table": self.table,
            "executor": self.executor,
        }

    def report(self) -> str:
        """A few human-readable lines for the end of a run."""
        lines = [
            f"sweep {self.name!r}: {self.n_items} items ({self.computed} computed, "
            f"{self.skipped} already stored"
            + (
                f", {self.recomputed_corrupt} corrupt shards recomputed"
                if self.recomputed_corrupt
                else ""
            )
            + f"), {len(self.failed)} failed, {self.elapsed:.1f} s on {self.executor}",
            f"table: {self.table} ({self.rows} rows)",
        ]
        for f in self.failed[:10]:
            lines.append(f"  item {f['item']} failed: {f['error']}")
        if len(self.failed) > 10:
            lines.append(f"  ... and {len(self.failed) - 10} more (see failures.json)")
        if self.failed:
            lines.append("failed items are retried by rerunning with --resume")
        return "\n".join(lines)


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
        Default: :class:`~skillgraph.executors.SerialExecutor`.
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
    StoreError
        ``out`` unusable: not empty without ``resume``, or made by another spec.
    SweepAborted
        The executor failed; stored items are kept for ``resume``.

    Notes
    -----
    Cost: the items' own cost, plus one small JSON file per item.
    """
    from skillgraph.sweep.executors import SerialExecutor
    from skillgraph.sweep.store import SweepStore

    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    executor = SerialExecutor() if executor is None else executor
    if not callable(getattr(executor, "map", None)):
        raise TypeError(f"executor must have a map(fn, items) method, got {executor!r}")
    start = time.perf_counter()
    items = expand(spec)
    _check_local_memory(spec, executor)
    store = SweepStore.create(out, spec, len(items), resume=resume)
    store.remove_stale_temporaries()
    state = store.scan()
    done = set(state["ok"])
    todo = [item for item in items if item.index not in done]
    run_id = uuid.uuid4().hex

    bar = _progress_bar(len(items), len(done), spec.name, progress)
    computed = 0
    try:
        for result in executor.map(item_fn, todo):
            store.write_shard({**result, "run": run_id})
            computed += 1
            bar.update(1)
            if result["status"] != "ok":
                bar.write(f"item {result['index']} failed: {result['error']}", file=sys.stderr)
    except (KeyboardInterrupt, SpecError):
        raise
    except Exception as exc:
        raise SweepAborted(
            f"the executor failed after {computed} items ({type(exc).__name__}: {exc}); "
            f"finished items are stored in {str(store.path)!r}: rerun with --resume"
        ) from exc
    finally:
        bar.close()
    gathered = store.gather()
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


def _check_local_memory(spec: SweepSpec, executor) -> None:
    """Refuse, before any work, graphs that would not fit when run on this machine.

    Only for local executors (this process or local worker processes, which
    may hold ``workers`` graphs at once); a Dask cluster's memory is its own.
    The estimate is the text-side CSR of the largest graph (stream mode holds
    O(n_skills) only).
    """
    from skillgraph.sweep.executors import ProcessExecutor, SerialExecutor

    if not isinstance(executor, SerialExecutor | ProcessExecutor):
        return
    grid = spec.data["grid"]
    if spec.data["options"]["graph_mode"] == "stream":
        nbytes = 8 * 6 * max(grid["n_skills"])
    else:
        nbytes = 4 * max(grid["n_texts"]) * max(grid["k"]) + 8 * (max(grid["n_texts"]) + 1)
    workers = getattr(executor, "workers", 1)
    from skillgraph._resources import check_memory

    try:
        check_memory(workers * nbytes, f"{workers} graph(s) of the largest grid point at once")
    except MemoryError as exc:
        raise SpecError([("grid.n_texts", str(exc) + "; or use fewer --workers")]) from None


class _NoBar:
    def update(self, n=1):
        pass

    def write(self, text, file=None):
        print(text, file=file or sys.stderr)

    def close(self):
        pass


def _progress_bar(total: int, initial: int, name: str, enabled: bool):
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency, but a bar is never worth failing for
        return _NoBar()
    return tqdm(
        total=total,
        initial=initial,
        desc=f"sweep {name}",
        unit="item",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
