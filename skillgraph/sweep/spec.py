"""Sweep specifications: parse and validate a TOML spec, expand it into work items.

A sweep is a grid over graph parameters, skill measures, failure models and failure rates (given
directly or derived from model scale through a scaling law, :doc:`/theory/loss_to_theta`), times a
number of replicates.  Each point of that grid and each replicate is one
:class:`~skillgraph.sweep.context.WorkItem`: sample a graph, fail some of its text pieces, take
every requested measurement.  The thresholds ``beta``, tuple sizes ``t``, tuple modes and bound
forms are *measurement* axes: they are evaluated inside a work item on the same graph, so they cost
no extra sampling (but they are counted in the cost estimate).

Validation happens before any work.  Every problem found (unknown keys, wrong
types, out-of-range values, inconsistent combinations) is reported at once, in
a :class:`SpecError` that names the key's path (``grid.theta[2]``), shows the
value and says what is allowed.  A valid spec whose work cannot finish (a work
item estimated to run longer than the limit of
``skillgraph._resources.max_seconds()``, or a table too large to hold) is
refused with :class:`SweepTooLarge`, which gives the estimate.  The format is
documented in ``sims/README.md``.

The names a spec may use come from their one home: measurements and failure
models from :mod:`skillgraph.sweep.registry`, engines from
:mod:`skillgraph.core.engine`, laws and mappings from
:mod:`skillgraph.theory.scaling`, bound forms from :mod:`skillgraph.theory.bounds`.

Seeds: work item ``i`` draws from ``child_seed(SeedSequence(seed), i)``
(``skillgraph._rng``), so results do not depend on which worker or executor
ran the item, nor on how many there were.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import math
import numbers
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from skillgraph._resources import ResourceLimitError, check_time
from skillgraph._validation import MAX_K, MAX_SEED, MAX_SKILLS, MAX_T, MAX_TEXTS, interval_text
from skillgraph.core.competence import COUNTS_TUPLE_MODES, TUPLE_MODES
from skillgraph.core.engine import ENGINE_ALIASES, ENGINES, STREAM_FAILURES
from skillgraph.core.graph import SKILL_MEASURES
from skillgraph.sweep.builtins import load_builtins
from skillgraph.sweep.context import WorkItem
from skillgraph.sweep.cost import MAX_ROWS, MAX_ROWS_PER_ITEM, SweepCost, engine_cost, sweep_cost
from skillgraph.sweep.registry import (
    MEASUREMENTS,
    failure_model_names,
    get_measurement,
    measurement_names,
)
from skillgraph.theory.bounds import FORMS
from skillgraph.theory.scaling import LAWS, MAPPINGS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "SpecError",
    "SweepTooLarge",
    "SweepSpec",
    "WorkItem",
    "load_spec",
    "parse_spec",
    "validate_spec",
    "spec_hash",
    "expand",
    "estimate",
    "PARAMETER_COLUMNS",
    "MAX_ITEMS",
]

#: the most work items one sweep may have
MAX_ITEMS = 1_000_000

#: Columns describing a work item, in the order they appear in the results table.
PARAMETER_COLUMNS = (
    "item",
    "replicate",
    "n_skills",
    "n_texts",
    "k",
    "skill_measure",
    "zipf_exponent",
    "replace",
    "failure",
    "theta",
    "law",
    "compute",
    "params",
    "tokens",
    "mapping",
)

_TOP_KEYS = (
    "name", "description", "seed", "replicates", "measures", "measurements", "grid", "scale",
    "options",
)  # fmt: skip
_GRID_KEYS = (
    "n_skills", "n_texts", "k", "skill_measure", "zipf_exponent", "replace", "failure", "theta",
    "beta", "t", "tuple_mode", "bound_form",
)  # fmt: skip
_SCALE_KEYS = ("law", "compute", "params", "tokens", "mapping", "c", "theta_ref", "reference")
_OPTION_KEYS = ("curve_betas", "n_tuples", "delta_fail", "bernoulli", "engine", "graph_mode")
#: the spelling of each engine in the specs of skillgraph 0.1 (``options.graph_mode``),
#: which the spec hash keeps so that stores made by 0.1 still resume
_GRAPH_MODE_OF_ENGINE = {"graph": "materialize", "stream": "stream"}

_DEFAULT_MEASUREMENTS = ["bad_fraction", "bound"]
_DEFAULT_CURVE_BETAS = [round(0.05 * i, 2) for i in range(1, 20)]


class SpecError(ValueError):
    """An invalid sweep spec.  ``problems`` lists ``(key path, message)`` pairs.

    The message is one line (the command line prints it as is): the source,
    then each problem as ``path: message``, separated by ``"; "``.
    """

    headline = "invalid sweep spec"

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        where = f" {source}" if source else ""
        listed = "; ".join(f"{path}: {message}" for path, message in self.problems)
        super().__init__(f"{self.headline}{where}: {listed}")


class SweepTooLarge(SpecError, ResourceLimitError):
    """A valid spec refused before any work: it would not finish, or not fit.

    A :class:`SpecError` (the key responsible and the estimate) and a
    ``skillgraph._resources.ResourceLimitError`` (the command line's exit
    status 3).
    """

    headline = "sweep refused before any work"


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec.

    Attributes
    ----------
    data : dict
        The normalised spec: every key present, defaults filled in, scalars
        turned into one-element lists.  Plain JSON-compatible data.
    spec_hash : str
        SHA-256 of ``data`` in canonical JSON (:func:`spec_hash`): two specs
        with the same hash run the same work items with the same seeds.
    source : str or None
        The TOML text the spec came from (kept in the store's manifest).
    """

    data: dict
    spec_hash: str
    source: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """The spec's label."""
        return self.data["name"]

    @property
    def seed(self) -> int:
        """The master seed."""
        return self.data["seed"]

    @property
    def engine(self) -> str:
        """``"graph"`` or ``"stream"``."""
        return self.data["options"]["engine"]


# ---------------------------------------------------------------------------
# loading


def load_spec(path) -> SweepSpec:
    """Read and validate a TOML sweep spec from ``path``.

    Raises
    ------
    SpecError
        If the file cannot be read, is not valid TOML, or fails validation.
    SweepTooLarge
        If the work it describes cannot finish (see :func:`validate_spec`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([("<file>", f"cannot read {str(path)!r}: {exc}")]) from None
    return parse_spec(text, source=str(path))


def parse_spec(text: str, source: str | None = None) -> SweepSpec:
    """Parse TOML ``text`` and validate it (see :func:`validate_spec`).

    A UTF-8 byte-order mark (some editors write one) is skipped; a spec nested
    too deeply for the parser is an error like any other.
    """
    text = text.removeprefix("\ufeff")
    try:
        raw = tomllib.loads(text)
        spec = validate_spec(raw, source=source)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([("<toml>", f"not valid TOML: {exc}")], source) from None
    except RecursionError:
        raise SpecError([("<toml>", "nested too deeply to be a sweep spec")], source) from None
    return SweepSpec(spec.data, spec.spec_hash, text)


def _hash_form(data: dict) -> dict:
    """``data`` in the layout of skillgraph 0.1 (``measures``, ``options.graph_mode``).

    The hash is taken of this form so that an unchanged spec file keeps the
    hash it had, and stores made by 0.1 still resume.
    """
    form = {key: value for key, value in data.items() if key != "measurements"}
    form["measures"] = data["measurements"]
    options = {key: value for key, value in data["options"].items() if key != "engine"}
    options["graph_mode"] = _GRAPH_MODE_OF_ENGINE[data["options"]["engine"]]
    form["options"] = options
    return form


def spec_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON form of a normalised spec."""
    blob = json.dumps(_hash_form(data), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# validation


class _Checker:
    """Collects problems so that a user sees all of them at once."""

    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def table(self, path: str, value, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"must be a table, got {_describe(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(_join(path, key), _unknown_key_message(key, allowed))
        return value

    # -- scalars; each returns the normalised value or None after recording a problem
    def integer(self, path, value, low=None, high=None):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(path, f"must be an integer{_range(low, high)}, got {_describe(value)}")
            return None
        if isinstance(value, float):
            if not (math.isfinite(value) and value.is_integer()):
                self.fail(path, f"must be an integer{_range(low, high)}, got {value!r}")
                return None
        value = int(value)
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(path, f"must be an integer{_range(low, high)}, got {value}")
            return None
        return value

    def real(self, path, value, low=None, high=None, *, open_low=False, open_high=False):
        interval = interval_text(low, high, open_low, open_high)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.fail(path, f"must be a number in {interval}, got {_describe(value)}")
            return None
        value = float(value)
        bad = not math.isfinite(value)
        bad = bad or (low is not None and (value < low or (open_low and value == low)))
        bad = bad or (high is not None and (value > high or (open_high and value == high)))
        if bad:
            self.fail(path, f"must be a number in {interval}, got {value!r}")
            return None
        return value

    def choice(self, path, value, options):
        if not isinstance(value, str) or value not in options:
            listed = ", ".join(repr(o) for o in options)
            hint = _suggest(value, options) if isinstance(value, str) else ""
            self.fail(path, f"must be one of {listed}, got {_describe(value)}{hint}")
            return None
        return value

    def own(self, path, value, check_value):
        """A value of a measurement's own axis, through the measurement's ``check_value``."""
        try:
            value = check_value(value)
            json.dumps(value, allow_nan=False)  # it becomes part of the spec's hash
        except (ValueError, TypeError) as exc:
            self.fail(path, str(exc))
            return None
        return value

    def boolean(self, path, value):
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, got {_describe(value)}")
            return None
        return value

    def string(self, path, value):
        if not isinstance(value, str):
            self.fail(path, f"must be a string, got {_describe(value)}")
            return None
        return value

    def axis(self, path, value, check, *, allow_duplicates=False):
        """A list of values (a scalar is a one-element list), each checked by ``check``."""
        if isinstance(value, dict):
            self.fail(path, f"must be a value or a list of values, got {_describe(value)}")
            return None
        items = value if isinstance(value, list) else [value]
        if not items:
            self.fail(path, "must not be an empty list")
            return None
        before = len(self.problems)
        out = []
        for i, v in enumerate(items):
            sub = f"{path}[{i}]" if isinstance(value, list) else path
            out.append(check(sub, v))
        if len(self.problems) > before:
            return None
        if not allow_duplicates:
            seen = set()
            for i, v in enumerate(out):
                key = json.dumps(v, sort_keys=True)  # values of own axes may be lists
                if key in seen:
                    self.fail(f"{path}[{i}]", f"duplicate value {v!r} (each value once)")
                    return None
                seen.add(key)
        return out


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _describe(value) -> str:
    kind = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "table",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def _suggest(value: str, options) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_key_message(key, allowed) -> str:
    listed = ", ".join(allowed)
    return f"unknown key{_suggest(str(key), allowed)}; allowed keys: {listed}"


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
        raise SpecError([("<spec>", f"must be a table, got {_describe(raw)}")], source)
    load_builtins()  # the measurements a spec may name
    c = _Checker()
    data = _validate_top(c, raw)
    if not c.problems:
        _cross_checks(c, data)
    if c.problems:
        raise SpecError(c.problems, source)
    too_large = _cost_problems(data)
    if too_large:
        raise SweepTooLarge(too_large, source)
    return SweepSpec(data, spec_hash(data), None)


def _validate_top(c: _Checker, raw: dict) -> dict:
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
    allowed = (_GRID_KEYS if graph else ()) + tuple(axes)
    grid = c.table("grid", top["grid"], allowed) if has_grid else {}
    data["grid"] = {}
    if graph and not has_grid:
        c.fail("grid", "is required: a [grid] table with n_skills, n_texts, k and theta")
    if graph:
        data["grid"] = _validate_grid(
            c, grid, has_scale="scale" in top, report=isinstance(top.get("grid"), dict)
        )
    reserved = _GRID_KEYS if graph else ()  # without a graph, an own axis may take any name
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


def _validate_measurements(c: _Checker, top: dict) -> list | None:
    """``measures = [...]`` (the file's key) or its synonym ``measurements``."""
    key = "measurements" if "measurements" in top else "measures"
    if "measurements" in top and "measures" in top:
        c.fail("measurements", "give either measures or measurements (the same list), not both")
    names = measurement_names()
    return c.axis(key, top.get(key, _DEFAULT_MEASUREMENTS), lambda p, v: c.choice(p, v, names))


def _validate_tables(c: _Checker, top: dict, measurements: list) -> dict:
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
            c.fail(name, f"must be a table, got {_describe(raw)}")
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


def samples_graph(measurements) -> bool:
    """Whether a work item with these measurements samples a skill graph (or its counts)."""
    return any(get_measurement(name).samples_graph for name in measurements) or not measurements


def _validate_own_axes(c: _Checker, grid: dict, axes: dict, *, reserved: tuple) -> dict:
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


def _validate_grid(c: _Checker, grid: dict, *, has_scale: bool, report: bool = True) -> dict:
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
        "grid.zipf_exponent", grid.get("zipf_exponent", 1.0), lambda p, v: c.real(p, v, 0.0, 20.0)
    )
    out["replace"] = c.axis("grid.replace", grid.get("replace", True), c.boolean)
    models = failure_model_names()
    out["failure"] = c.axis(
        "grid.failure", grid.get("failure", "random"), lambda p, v: c.choice(p, v, models)
    )
    out["theta"] = _validate_theta(c, grid, has_scale=has_scale, report=report)
    _validate_measurement_axes(c, grid, out)
    return out


def _validate_theta(c: _Checker, grid: dict, *, has_scale: bool, report: bool) -> list | None:
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


def _validate_measurement_axes(c: _Checker, grid: dict, out: dict) -> None:
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


def _validate_scale(c: _Checker, scale: dict) -> dict:
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
            f"must be a pair [N, D] of positive numbers, got {_describe(reference)}",
        )
        out["reference"] = None
    else:
        out["reference"] = [
            c.real(f"scale.reference[{i}]", v, 0.0, 1e40, open_low=True)
            for i, v in enumerate(reference)
        ]
    out.update(_validate_scale_points(c, scale))
    return out


def _validate_scale_points(c: _Checker, scale: dict) -> dict:
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


def _validate_options(c: _Checker, options: dict) -> dict:
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


def _validate_engine(c: _Checker, options: dict) -> str | None:
    """``options.engine`` (``"graph"``/``"stream"``), or the 0.1 spelling ``options.graph_mode``."""
    if "engine" in options and "graph_mode" in options:
        c.fail("options.graph_mode", "is the old name of options.engine: give only one of them")
        return None
    key = "graph_mode" if "graph_mode" in options else "engine"
    value = c.choice(f"options.{key}", options.get(key, "graph"), ENGINES + tuple(ENGINE_ALIASES))
    return ENGINE_ALIASES.get(value, value) if value is not None else None


# ---------------------------------------------------------------------------
# checks across keys, and the cost


def _largest_axis(data: dict) -> str:
    """The key that multiplies the item count most (the real culprit of too many items)."""
    sizes = {f"grid.{key}": len(values) for key, values in data["grid"].items()
             if isinstance(values, list)}  # fmt: skip
    sizes["replicates"] = data["replicates"]
    return max(sizes, key=sizes.get)


def _cross_checks(c: _Checker, data: dict) -> None:
    if samples_graph(data["measurements"]):
        _graph_checks(c, data)
    for name in data["measurements"]:
        check = get_measurement(name).check
        for path, message in check(data) if check is not None else ():
            c.fail(path, message)
    n_items = _n_items(data)
    if n_items > MAX_ITEMS:
        c.fail(
            _largest_axis(data),
            f"the grid has {n_items:,} work items, more than the {MAX_ITEMS:,} one sweep holds; "
            "split it into several specs",
        )


def _graph_checks(c: _Checker, data: dict) -> None:
    """The graph's keys together: engine, ``replace`` against ``k``, the scale points."""
    grid = data["grid"]
    if data["options"]["engine"] == "stream":
        _stream_checks(c, data)
    if False in grid["replace"]:
        for i, k in enumerate(grid["k"]):
            if k > min(grid["n_skills"]):
                c.fail(
                    f"grid.k[{i}]",
                    f"must be <= n_skills ({min(grid['n_skills'])}) when grid.replace includes "
                    f"false (k distinct skills per text piece), got {k}",
                )
    if data["scale"] is not None:
        _derive_thetas(c, data["scale"])


def _stream_checks(c: _Checker, data: dict) -> None:
    """What the streaming engine cannot do: graph-only measurements and failure models."""
    grid = data["grid"]
    for i, name in enumerate(data["measurements"]):
        if get_measurement(name).needs_graph:
            c.fail(
                f"measures[{i}]",
                f"{name!r} needs the materialised graph; with options.engine = 'stream' only "
                "per-skill counts exist (use engine 'graph', or drop it)",
            )
    if "tuple" in data["measurements"]:
        for i, mode in enumerate(grid["tuple_mode"]):
            if mode not in COUNTS_TUPLE_MODES:
                c.fail(
                    f"grid.tuple_mode[{i}]",
                    f"{mode!r} needs the materialised graph; with options.engine = 'stream' "
                    f"the tuple measurement has mode {', '.join(COUNTS_TUPLE_MODES)} only",
                )
    for i, failure in enumerate(grid["failure"]):
        if failure not in STREAM_FAILURES:
            c.fail(
                f"grid.failure[{i}]",
                f"{failure!r} needs the materialised graph; the streaming engine implements "
                f"{', '.join(STREAM_FAILURES)}",
            )
    if False in grid["replace"]:
        c.fail("grid.replace", "stream mode draws skills with replacement only (true)")


def _own_points(data: dict) -> list[dict]:
    """Every combination of the measurements' own axes (``[{}]`` when there are none)."""
    grid = data["grid"]
    graph = samples_graph(data["measurements"])
    names = [key for key in grid if not graph or key not in _GRID_KEYS]
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(grid[name] for name in names))]  # fmt: skip


def _n_items(data: dict) -> int:
    grid = data["grid"]
    n_points = len(_own_points(data))
    if not samples_graph(data["measurements"]):
        return n_points * data["replicates"]
    n_points *= len(_skill_measure_points(grid))
    for key in ("n_skills", "n_texts", "k", "replace", "failure"):
        n_points *= len(grid[key])
    if grid["theta"] is not None:
        n_points *= len(grid["theta"])
    else:
        n_points *= len(_scale_points(data["scale"]))
    return n_points * data["replicates"]


def _settings(data: dict) -> dict:
    """What every work item shares: measurement axes, options, measurement tables."""
    grid = data["grid"]
    tables = {name: copy.deepcopy(data[name]) for name in data["measurements"] if name in data}
    return {
        "measurements": list(data["measurements"]),
        "samples_graph": samples_graph(data["measurements"]),
        **{key: list(grid.get(key, [])) for key in ("beta", "t", "tuple_mode", "bound_form")},
        **copy.deepcopy(data["options"]),
        **tables,
    }


_SHAPE_KEYS = ("n_skills", "n_texts", "k", "skill_measure", "zipf_exponent")


def _cost_points(data: dict) -> list[tuple[dict, int]]:
    """The distinct points that set an item's cost (graph shape, own axes) and their counts."""
    grid = data["grid"]
    shapes = [dict.fromkeys(_SHAPE_KEYS)]
    if samples_graph(data["measurements"]):
        product = itertools.product(
            grid["n_skills"], grid["n_texts"], grid["k"], _skill_measure_points(grid)
        )
        shapes = [dict(zip(_SHAPE_KEYS, (*shape[:3], *shape[3]), strict=True))
                  for shape in product]  # fmt: skip
    own = _own_points(data)
    per_point = _n_items(data) // (len(shapes) * len(own))
    return [({**shape, **point}, per_point) for shape in shapes for point in own]


def estimate(spec: SweepSpec) -> SweepCost:
    """The estimated cost of ``spec``: items, rows, seconds, the largest item.

    See :mod:`skillgraph.sweep.cost` for the model and its rates.
    """
    load_builtins()  # the cost model reads the measurements' registered cost functions
    return sweep_cost(_cost_points(spec.data), _settings(spec.data))


def _cost_problems(data: dict) -> list[tuple[str, str]]:
    """Why a valid spec cannot run: too many rows, or an item that cannot finish."""
    settings = _settings(data)
    cost = sweep_cost(_cost_points(data), settings)
    axes = {f"grid.{key}": len(settings[key]) for key in ("beta", "t", "tuple_mode", "bound_form")}
    axes["options.curve_betas"] = len(settings["curve_betas"])
    widest = max(axes, key=axes.get)
    if cost.item.rows > MAX_ROWS_PER_ITEM:
        return [(widest, f"a work item would write {cost.item.rows:,} table rows, more than the "
                 f"{MAX_ROWS_PER_ITEM:,} one item may hold (the measurement axes multiply: "
                 f"{widest} has {axes[widest]:,} values); use fewer values")]  # fmt: skip
    if cost.rows > MAX_ROWS:
        return [("replicates", f"the sweep would write {cost.rows:,} table rows, more than the "
                 f"{MAX_ROWS:,} one table holds; split it into several specs")]  # fmt: skip
    sampling = settings["samples_graph"] and (
        engine_cost(cost.item_params, settings).seconds >= cost.item.seconds / 2
    )
    hint = (
        "Use fewer text pieces or a smaller k (the time grows with n_texts * k)."
        if sampling
        else "Use fewer values of the measurement axes (beta, t, ...) or cheaper measurements."
    )
    try:
        check_time(cost.item.seconds, _item_label(cost), hint)
    except ResourceLimitError as exc:
        return [("grid.n_texts" if sampling else widest, str(exc))]
    return []


def _item_label(cost: SweepCost) -> str:
    p = cost.item_params
    if p["n_texts"] is None:  # no graph: the measurements' own axes
        own = ", ".join(f"{key} = {value!r}" for key, value in p.items() if key not in _SHAPE_KEYS)
        return f"a work item ({own or 'no parameters'})"
    edges = float(p["n_texts"]) * float(p["k"])
    return (
        f"a work item with n_skills = {p['n_skills']:,}, n_texts = {p['n_texts']:,}, "
        f"k = {p['k']:,} ({edges:.3g} edge slots) and its measurements"
    )


def _scale_points(scale: dict) -> list[dict]:
    """``[{"compute", "params", "tokens"}]`` before theta is derived."""
    if scale["compute"] is not None:
        return [{"compute": cc, "params": None, "tokens": None} for cc in scale["compute"]]
    return [
        {"compute": None, "params": n, "tokens": d}
        for n, d in zip(scale["params"], scale["tokens"], strict=True)
    ]


def _derive_thetas(c: _Checker, scale: dict) -> list[dict]:
    """Theta of every scale point; a problem is recorded for a theta outside (0, 1)."""
    law = LAWS[scale["law"]]
    points = []
    key = "compute" if scale["compute"] is not None else "params"
    for i, point in enumerate(_scale_points(scale)):
        try:
            if point["compute"] is not None:
                n, d = law.compute_optimal(point["compute"])
            else:
                n, d = point["params"], point["tokens"]
            theta = law.theta(
                n, d, mapping=scale["mapping"], c=scale["c"], theta_ref=scale["theta_ref"],
                reference=tuple(scale["reference"]),
            )  # fmt: skip
        except (ValueError, TypeError, ArithmeticError) as exc:
            c.fail(f"scale.{key}[{i}]", f"cannot derive theta: {exc}")
            continue
        theta = float(theta)
        if not 0.0 < theta < 1.0:
            c.fail(
                f"scale.{key}[{i}]",
                f"gives theta = {theta!r} under the {scale['law']} law and the "
                f"{scale['mapping']} mapping; theta must lie in (0, 1) (larger or smaller scales, "
                "or another theta_ref/c)",
            )
            continue
        points.append({**point, "params": float(n), "tokens": float(d), "theta": theta})
    return points


def _skill_measure_points(grid: dict) -> list[tuple[str, float | None]]:
    """(skill_measure, zipf_exponent) pairs; the exponent only varies for Zipf."""
    points = []
    for name in grid["skill_measure"]:
        if name == "uniform":
            points.append(("uniform", None))
        else:
            points.extend(("zipf", a) for a in grid["zipf_exponent"])
    return points


# ---------------------------------------------------------------------------
# expansion


def _theta_points(data: dict) -> list[dict]:
    """Theta with its scale columns: from ``grid.theta`` or derived from ``[scale]``."""
    grid = data["grid"]
    if grid["theta"] is not None:
        none = dict.fromkeys(("law", "compute", "params", "tokens", "mapping"))
        return [{"theta": theta, **none} for theta in grid["theta"]]
    scale = data["scale"]
    c = _Checker()
    points = _derive_thetas(c, scale)
    if c.problems:  # validated specs never get here
        raise SpecError(c.problems)
    return [{**p, "law": scale["law"], "mapping": scale["mapping"]} for p in points]


def _graph_points(data: dict) -> list[dict]:
    """The graph's grid points, as parameter dicts (all ``None`` when no graph is sampled)."""
    if not samples_graph(data["measurements"]):
        return [dict.fromkeys(PARAMETER_COLUMNS[2:])]
    grid = data["grid"]
    product = itertools.product(
        grid["n_skills"], grid["n_texts"], grid["k"], _skill_measure_points(grid),
        grid["replace"], grid["failure"], _theta_points(data),
    )  # fmt: skip
    points = []
    for n_skills, n_texts, k, (skill_measure, exponent), replace, failure, th in product:
        points.append({
            "n_skills": n_skills, "n_texts": n_texts, "k": k, "skill_measure": skill_measure,
            "zipf_exponent": exponent, "replace": replace, "failure": failure, **th,
        })  # fmt: skip
    return points


def expand(spec: SweepSpec) -> list[WorkItem]:
    """The work items of ``spec``, in a fixed order (their index is their seed key).

    Order: ``n_skills``, ``n_texts``, ``k``, skill measure, ``replace``,
    failure model, theta (or scale point), the measurements' own axes,
    replicate, the last varying fastest.
    """
    data = spec.data
    settings = _settings(data)
    product = itertools.product(
        _graph_points(data), _own_points(data), range(data["replicates"])
    )
    items = []
    for index, (graph, own, replicate) in enumerate(product):
        params = {"item": index, "replicate": replicate, **graph, **own}
        items.append(WorkItem(index, data["seed"], params, settings))
    return items


# ---------------------------------------------------------------------------
# names of skillgraph 0.1


def __getattr__(name: str):
    old = {
        "MEASURES": ("skillgraph.sweep.registry.MEASUREMENTS", lambda: MEASUREMENTS),
        "FAILURE_MODELS": ("skillgraph.sweep.registry.failure_model_names()", failure_model_names),
        "GRAPH_MODES": ("skillgraph.core.engine.ENGINES", lambda: ENGINES),
    }
    if name in old:
        new, value = old[name]
        warnings.warn(
            f"skillgraph.sweep.spec.{name} is now {new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return value()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
