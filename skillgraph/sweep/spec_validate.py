"""Validation of a sweep spec: every problem at once, by key path, before any work.

:func:`validate_spec` takes a parsed spec (a dict) and returns a normalised
:class:`~skillgraph.sweep.spec_types.SweepSpec`, or raises a
:class:`~skillgraph.sweep.spec_types.SpecError` listing every problem found
(unknown keys, wrong types, out-of-range values, inconsistent combinations),
each naming the key's path (``grid.theta[2]``), the value and what is
allowed.  A valid spec whose work cannot finish is refused with
:class:`~skillgraph.sweep.spec_types.SweepTooLarge`, which gives the estimate
(:mod:`skillgraph.sweep.spec_cost`).  The format is documented in
``sims/README.md``.

The names a spec may use come from their one home: measurements and failure
models from :mod:`skillgraph.sweep.registry`, engines from
:mod:`skillgraph.core.engine`, laws and mappings from
:mod:`skillgraph.theory.scaling`, bound forms from :mod:`skillgraph.theory.bounds`.
"""

from __future__ import annotations

import copy
import json

from skillgraph._validation import (
    MAX_K,
    MAX_SEED,
    MAX_SKILLS,
    MAX_T,
    MAX_TEXTS,
    MAX_ZIPF_EXPONENT,
)
from skillgraph.core.competence import COUNTS_TUPLE_MODES, TUPLE_MODES
from skillgraph.core.engine import ENGINE_ALIASES, ENGINES, Engine, get_engine
from skillgraph.core.graph import SKILL_MEASURES
from skillgraph.sweep.builtins import load_builtins
from skillgraph.sweep.registry import (
    MEASUREMENTS,
    failure_model_names,
    get_measurement,
    measurement_names,
)
from skillgraph.sweep.spec_checker import Checker, describe
from skillgraph.sweep.spec_cost import cost_problems
from skillgraph.sweep.spec_points import GRID_KEYS, count_items, derive_thetas, samples_graph
from skillgraph.sweep.spec_types import SpecError, SweepSpec, SweepTooLarge, spec_hash
from skillgraph.theory.bounds import FORMS
from skillgraph.theory.scaling import LAWS, MAPPINGS

__all__ = ["validate_spec", "MAX_ITEMS"]

#: the most work items one sweep may have
MAX_ITEMS = 1_000_000

_TOP_KEYS = (
    "name", "description", "seed", "replicates", "measures", "measurements", "grid", "scale",
    "options",
)  # fmt: skip
_SCALE_KEYS = ("law", "compute", "params", "tokens", "mapping", "c", "theta_ref", "reference")
_OPTION_KEYS = ("curve_betas", "n_tuples", "delta_fail", "bernoulli", "engine", "graph_mode")

_DEFAULT_MEASUREMENTS = ["bad_fraction", "bound"]
_DEFAULT_CURVE_BETAS = [round(0.05 * i, 2) for i in range(1, 20)]


def validate_spec(raw: dict, source: str | None = None) -> SweepSpec:
    """Validate a spec given as a dict (parsed TOML) and normalise it.

    Parameters
    ----------
    raw : dict
        The parsed spec.
    source : str, optional
        Where it came from, for messages.

    Returns
    -------
    SweepSpec

    Raises
    ------
    SpecError
        Listing every problem found, each with its key path, the value and
        what is allowed.  Nothing else escapes: no engine code runs on an
        invalid spec.
    SweepTooLarge
        The spec is valid but cannot be run: a work item would produce more
        than :data:`~skillgraph.sweep.cost.MAX_ROWS_PER_ITEM` rows, the table
        more than :data:`~skillgraph.sweep.cost.MAX_ROWS`, or an item is
        estimated to take longer than ``skillgraph._resources.max_seconds()``
        (set ``SKILLGRAPH_MAX_HOURS`` to allow longer items).
    """
    if not isinstance(raw, dict):
        raise SpecError([("<spec>", f"must be a table, got {describe(raw)}")], source)
    load_builtins()  # the measurements a spec may name
    c = Checker()
    data = _validate_top(c, raw)
    if not c.problems:
        _cross_checks(c, data)
    if c.problems:
        raise SpecError(c.problems, source)
    too_large = cost_problems(data)
    if too_large:
        raise SweepTooLarge(too_large, source)
    return SweepSpec(data, spec_hash(data), None)


def _validate_top(c: Checker, raw: dict) -> dict:
    """Every table of the spec, normalised; problems go to ``c``."""
    tables = tuple(name for name, m in MEASUREMENTS.items() if m.table is not None)
    top = c.table("", raw, _TOP_KEYS + tables)
    data: dict = {}
    data["name"] = c.string("name", top.get("name", "sweep"))
    data["description"] = c.string("description", top.get("description", ""))
    if "seed" not in top:
        c.fail("seed", "is required: the master seed, an integer >= 0 (e.g. seed = 12345)")
    else:
        data["seed"] = c.integer("seed", top["seed"], 0, MAX_SEED - 1)
    data["replicates"] = c.integer("replicates", top.get("replicates", 1), 1, 100_000)
    data["measurements"] = _validate_measurements(c, top)
    measurements = data["measurements"] or []
    axes, graph = _own_axes(measurements), samples_graph(measurements)
    has_grid = "grid" in top
    allowed = (GRID_KEYS if graph else ()) + tuple(axes)
    grid = c.table("grid", top["grid"], allowed) if has_grid else {}
    data["grid"] = {}
    if graph and not has_grid:
        c.fail("grid", "is required: a [grid] table with n_skills, n_texts, k and theta")
    if graph:
        data["grid"] = _validate_grid(
            c, grid, has_scale="scale" in top, report=isinstance(top.get("grid"), dict)
        )
    reserved = GRID_KEYS if graph else ()  # without a graph, an own axis may take any name
    data["grid"].update(_validate_own_axes(c, grid, axes, reserved=reserved))
    data["scale"] = None
    if "scale" in top and not graph:
        c.fail("scale", f"the measurements {measurements} sample no graph: there is no theta")
    elif "scale" in top:
        scale = c.table("scale", top["scale"], _SCALE_KEYS)
        data["scale"] = _validate_scale(c, scale) if isinstance(top["scale"], dict) else None
    options = c.table("options", top.get("options", {}), _OPTION_KEYS)
    data["options"] = _validate_options(c, options)
    data.update(_validate_tables(c, top, data["measurements"] or []))
    return data


def _validate_measurements(c: Checker, top: dict) -> list | None:
    """``measures = [...]`` (the file's key) or its synonym ``measurements``."""
    key = "measurements" if "measurements" in top else "measures"
    if "measurements" in top and "measures" in top:
        c.fail("measurements", "give either measures or measurements (the same list), not both")
    names = measurement_names()
    return c.axis(key, top.get(key, _DEFAULT_MEASUREMENTS), lambda p, v: c.choice(p, v, names))


def _validate_tables(c: Checker, top: dict, measurements: list) -> dict:
    """The measurements' own tables (``[superposition]``...), validated by their owners."""
    out = {}
    for name, m in MEASUREMENTS.items():
        if m.table is None:
            continue
        if name not in measurements:
            if name in top:
                c.fail(name, f"the table [{name}] is given but {name!r} is not measured")
            continue
        raw = top.get(name, {})
        if not isinstance(raw, dict):
            c.fail(name, f"must be a table, got {describe(raw)}")
            continue
        try:
            out[name] = m.table(copy.deepcopy(raw))
            json.dumps(out[name], allow_nan=False)  # it becomes part of the spec's hash
        except (ValueError, TypeError) as exc:
            c.fail(name, str(exc))
    return out


def _own_axes(measurements: list) -> dict:
    """The grid axes the measurements bring (name -> value check), in their order."""
    axes: dict = {}
    for name in measurements:
        axes.update(get_measurement(name).axes)
    return axes


def _validate_own_axes(c: Checker, grid: dict, axes: dict, *, reserved: tuple) -> dict:
    """The measurements' own grid axes; an absent one is the single value ``None``."""
    out = {}
    for name, check_value in axes.items():
        path = f"grid.{name}"
        if name in reserved:
            c.fail(path, "is a standard grid key: a measurement's own axis cannot reuse it")
        elif name not in grid:
            out[name] = [None]
        else:
            out[name] = c.axis(path, grid[name], lambda p, v, f=check_value: c.own(p, v, f))
    return out


def _validate_grid(c: Checker, grid: dict, *, has_scale: bool, report: bool = True) -> dict:
    """The ``[grid]`` table; ``report=False``: it is missing altogether (reported once)."""
    out: dict = {}
    for key in ("n_skills", "n_texts", "k"):
        if report and key not in grid:
            c.fail(f"grid.{key}", "is required (an integer >= 1, or a list of them)")
    limits = {"n_skills": MAX_SKILLS, "n_texts": MAX_TEXTS, "k": MAX_K}
    for key, high in limits.items():
        out[key] = c.axis(
            f"grid.{key}", grid.get(key, 1), lambda p, v, high=high: c.integer(p, v, 1, high)
        )
    out["skill_measure"] = c.axis(
        "grid.skill_measure",
        grid.get("skill_measure", "uniform"),
        lambda p, v: c.choice(p, v, SKILL_MEASURES),
    )
    out["zipf_exponent"] = c.axis(
        "grid.zipf_exponent",
        grid.get("zipf_exponent", 1.0),
        lambda p, v: c.real(p, v, 0.0, MAX_ZIPF_EXPONENT),
    )
    if "zipf_exponent" in grid and out["skill_measure"] and "zipf" not in out["skill_measure"]:
        # the exponent axis only multiplies Zipf points: with no Zipf measure it would vanish
        c.fail(
            "grid.zipf_exponent",
            'applies to skill_measure "zipf" only, which grid.skill_measure does not '
            'include: add "zipf" to it or drop zipf_exponent',
        )
    out["replace"] = c.axis("grid.replace", grid.get("replace", True), c.boolean)
    models = failure_model_names()
    out["failure"] = c.axis(
        "grid.failure", grid.get("failure", "random"), lambda p, v: c.choice(p, v, models)
    )
    out["theta"] = _validate_theta(c, grid, has_scale=has_scale, report=report)
    _validate_measurement_axes(c, grid, out)
    return out


def _validate_theta(c: Checker, grid: dict, *, has_scale: bool, report: bool) -> list | None:
    """``grid.theta``, or ``None`` when a ``[scale]`` table derives it."""
    if "theta" not in grid:
        if not has_scale and report:
            c.fail(
                "grid.theta",
                "is required unless a [scale] table derives theta from model scale "
                "(a number in (0, 1) or a list of them)",
            )
        return None
    if has_scale:
        c.fail("grid.theta", "give either grid.theta or a [scale] table, not both")
    return c.axis(
        "grid.theta", grid["theta"], lambda p, v: c.real(p, v, 0.0, 1.0, open_low=True,
                                                         open_high=True)  # fmt: skip
    )


def _validate_measurement_axes(c: Checker, grid: dict, out: dict) -> None:
    """``beta``, ``t``, ``tuple_mode``, ``bound_form``: evaluated inside each work item."""
    out["beta"] = c.axis(
        "grid.beta",
        grid.get("beta", 0.5),
        lambda p, v: c.real(p, v, 0.0, 1.0, open_low=True, open_high=True),
    )
    out["t"] = c.axis("grid.t", grid.get("t", 2), lambda p, v: c.integer(p, v, 1, MAX_T))
    out["tuple_mode"] = c.axis(
        "grid.tuple_mode",
        grid.get("tuple_mode", "tensor"),
        lambda p, v: c.choice(p, v, TUPLE_MODES),
    )
    out["bound_form"] = c.axis(
        "grid.bound_form", grid.get("bound_form", "kl"), lambda p, v: c.choice(p, v, FORMS)
    )


def _validate_scale(c: Checker, scale: dict) -> dict:
    """The ``[scale]`` table: theta from model scale through a scaling law."""
    out: dict = {}
    out["law"] = c.choice("scale.law", scale.get("law", "chinchilla"), tuple(LAWS))
    out["mapping"] = c.choice("scale.mapping", scale.get("mapping", "anchored"), MAPPINGS)
    out["c"] = c.real("scale.c", scale.get("c", 1.0), 0.0, None, open_low=True)
    out["theta_ref"] = c.real(
        "scale.theta_ref", scale.get("theta_ref", 0.05), 0.0, 1.0, open_low=True, open_high=True
    )
    reference = scale.get("reference", [70e9, 1.4e12])
    if not isinstance(reference, list) or len(reference) != 2:
        c.fail(
            "scale.reference",
            f"must be a pair [N, D] of positive numbers, got {describe(reference)}",
        )
        out["reference"] = None
    else:
        out["reference"] = [
            c.real(f"scale.reference[{i}]", v, 0.0, 1e40, open_low=True)
            for i, v in enumerate(reference)
        ]
    out.update(_validate_scale_points(c, scale))
    return out


def _validate_scale_points(c: Checker, scale: dict) -> dict:
    """``compute`` (compute-optimal models) or paired ``params`` and ``tokens``."""

    def positive(p, v):
        return c.real(p, v, 0.0, 1e40, open_low=True)

    has_compute = "compute" in scale
    has_nd = "params" in scale or "tokens" in scale
    if has_compute and has_nd:
        c.fail("scale.compute", "give either compute (compute-optimal models) or params and tokens")
    if not has_compute and not has_nd:
        c.fail(
            "scale.compute",
            "is required: training compute in FLOPs (a list), or params and tokens (paired lists)",
        )
    out = {"compute": None, "params": None, "tokens": None}
    if has_compute:
        out["compute"] = c.axis("scale.compute", scale["compute"], positive)
    if not has_nd:
        return out
    for key in ("params", "tokens"):
        if key not in scale:
            c.fail(f"scale.{key}", "is required with scale.params/scale.tokens (paired lists)")
        else:
            out[key] = c.axis(f"scale.{key}", scale[key], positive, allow_duplicates=True)
    if out["params"] is not None and out["tokens"] is not None:
        if len(out["params"]) != len(out["tokens"]):
            c.fail(
                "scale.tokens",
                f"must have as many entries as scale.params ({len(out['params'])}), "
                f"got {len(out['tokens'])}",
            )
    return out


def _validate_options(c: Checker, options: dict) -> dict:
    """The ``[options]`` table; ``engine`` also answers to its old name ``graph_mode``."""
    out: dict = {}
    out["curve_betas"] = c.axis(
        "options.curve_betas",
        options.get("curve_betas", _DEFAULT_CURVE_BETAS),
        lambda p, v: c.real(p, v, 0.0, 1.0),
    )
    out["n_tuples"] = c.integer("options.n_tuples", options.get("n_tuples", 0), 0, 10**8)
    out["delta_fail"] = c.real(
        "options.delta_fail",
        options.get("delta_fail", 1e-6),
        0.0,
        1.0,
        open_low=True,
        open_high=True,
    )
    out["bernoulli"] = c.boolean("options.bernoulli", options.get("bernoulli", False))
    out["engine"] = _validate_engine(c, options)
    return out


def _validate_engine(c: Checker, options: dict) -> str | None:
    """``options.engine`` (``"graph"``/``"stream"``), or the 0.1 spelling ``options.graph_mode``."""
    if "engine" in options and "graph_mode" in options:
        c.fail("options.graph_mode", "is the old name of options.engine: give only one of them")
        return None
    key = "graph_mode" if "graph_mode" in options else "engine"
    value = c.choice(f"options.{key}", options.get(key, "graph"), ENGINES + tuple(ENGINE_ALIASES))
    return ENGINE_ALIASES.get(value, value) if value is not None else None


# ---------------------------------------------------------------------------
# checks across keys


def _largest_axis(data: dict) -> str:
    """The key that multiplies the item count most (the real culprit of too many items)."""
    sizes = {f"grid.{key}": len(values) for key, values in data["grid"].items()
             if isinstance(values, list)}  # fmt: skip
    sizes["replicates"] = data["replicates"]
    return max(sizes, key=sizes.get)


def _cross_checks(c: Checker, data: dict) -> None:
    if samples_graph(data["measurements"]):
        _graph_checks(c, data)
    for name in data["measurements"]:
        check = get_measurement(name).check
        for path, message in check(data) if check is not None else ():
            c.fail(path, message)
    n_items = count_items(data)
    if n_items > MAX_ITEMS:
        c.fail(
            _largest_axis(data),
            f"the grid has {n_items:,} work items, more than the {MAX_ITEMS:,} one sweep holds; "
            "split it into several specs",
        )


def _graph_checks(c: Checker, data: dict) -> None:
    """The graph's keys together: engine, ``replace`` against ``k``, the scale points."""
    grid = data["grid"]
    engine = get_engine(data["options"]["engine"])
    if not engine.keeps_graph:
        _counts_only_checks(c, data, engine)
    if False in grid["replace"]:
        for i, k in enumerate(grid["k"]):
            if k > min(grid["n_skills"]):
                c.fail(
                    f"grid.k[{i}]",
                    f"must be <= n_skills ({min(grid['n_skills'])}) when grid.replace includes "
                    f"false (k distinct skills per text piece), got {k}",
                )
    if data["scale"] is not None:
        derive_thetas(c, data["scale"])


def _counts_only_checks(c: Checker, data: dict, engine: Engine) -> None:
    """What an engine that keeps no graph (streaming) cannot do: graph-only measurements and
    failure models."""
    grid = data["grid"]
    graph_only = (  # (where, its values, which need the graph, what streaming offers instead)
        (
            "measures",
            data["measurements"],
            lambda name: get_measurement(name).needs_graph,
            "with options.engine = 'stream' only per-skill counts exist (use engine 'graph', "
            "or drop it)",
        ),
        (
            "grid.tuple_mode",
            grid["tuple_mode"] if "tuple" in data["measurements"] else (),
            lambda mode: mode not in COUNTS_TUPLE_MODES,
            "with options.engine = 'stream' the tuple measurement has mode "
            f"{', '.join(COUNTS_TUPLE_MODES)} only",
        ),
        (
            "grid.failure",
            grid["failure"],
            lambda failure: failure not in engine.failures,
            f"the streaming engine implements {', '.join(engine.failures)}",
        ),
    )
    for where, values, needs_graph, instead in graph_only:
        for i, value in enumerate(values):
            if needs_graph(value):
                c.fail(f"{where}[{i}]", f"{value!r} needs the materialised graph; {instead}")
    if False in grid["replace"]:
        c.fail("grid.replace", "stream mode draws skills with replacement only (true)")
