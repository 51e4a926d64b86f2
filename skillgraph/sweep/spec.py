"""Sweep specifications: parse and validate a TOML spec, expand it into work items.

A sweep is a grid over graph parameters, skill measures, failure models and
failure rates (given directly or derived from model scale through a scaling
law, theory.md §2), times a number of replicates.  Each point of that grid and
each replicate is one :class:`WorkItem`: sample a graph, fail some of its text
pieces, take every requested measurement.  The thresholds ``beta``, tuple sizes
``t``, tuple modes and bound forms are *measurement* axes: they are evaluated
inside a work item on the same graph, so they cost no extra sampling.

Validation happens before any work.  Every problem found (unknown keys, wrong
types, out-of-range values, inconsistent combinations) is reported at once, in
a :class:`SpecError` that names the key's path (``grid.theta[2]``), shows the
value and says what is allowed.  The format is documented in ``sims/README.md``.

Seeds: work item ``i`` draws from ``child_seed(SeedSequence(seed), i)``
(:mod:`skillgraph._rng`), so results do not depend on which worker or executor
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
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "SpecError",
    "SweepSpec",
    "WorkItem",
    "load_spec",
    "parse_spec",
    "validate_spec",
    "expand",
    "MEASURES",
    "FAILURE_MODELS",
    "PARAMETER_COLUMNS",
]

#: Measurements a spec may ask for (``measures = [...]``) -> the module each needs.
MEASURES = {
    "bad_fraction": "core.competence",
    "curve": "core.competence",
    "tuple": "core.competence",
    "bound": "theory.bounds",
    "certificate": "theory.certificates",
    "adversary": "audit.adversary",
}
#: Failure models -> the module that implements them.
#: (Adversarial failure sets depend on beta: they are the "adversary" measure.)
FAILURE_MODELS = {"random": "core.failures", "deficit": "core.failures"}
SKILL_MEASURES = ("uniform", "zipf")
TUPLE_MODES = ("tensor", "cooccur")
BOUND_FORMS = ("kl", "paper")
LAW_NAMES = ("chinchilla", "epoch", "kaplan")
MAPPINGS = ("anchored", "linear", "pinsker")
GRAPH_MODES = ("materialize", "stream")

_MAX_SKILLS = 2**31 - 1
_MAX_ITEMS = 1_000_000
_MAX_T = 16

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

_TOP_KEYS = ("name", "description", "seed", "replicates", "measures", "grid", "scale", "options")
_GRID_KEYS = (
    "n_skills",
    "n_texts",
    "k",
    "skill_measure",
    "zipf_exponent",
    "replace",
    "failure",
    "theta",
    "beta",
    "t",
    "tuple_mode",
    "bound_form",
)
_SCALE_KEYS = ("law", "compute", "params", "tokens", "mapping", "c", "theta_ref", "reference")
_OPTION_KEYS = ("curve_betas", "n_tuples", "delta_fail", "bernoulli", "graph_mode")

_DEFAULT_CURVE_BETAS = [round(0.05 * i, 2) for i in range(1, 20)]


class SpecError(ValueError):
    """An invalid sweep spec.  ``problems`` lists ``(key path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        where = f" {source}" if source else ""
        lines = [f"invalid sweep spec{where}:"]
        lines += [f"  {path}: {message}" for path, message in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec.

    Attributes
    ----------
    data : dict
        The normalised spec: every key present, defaults filled in, scalars
        turned into one-element lists.  Plain JSON-compatible data.
    spec_hash : str
        SHA-256 of ``data`` in canonical JSON: two specs with the same hash run
        the same work items with the same seeds.
    source : str or None
        The TOML text the spec came from (kept in the store's manifest).
    """

    data: dict
    spec_hash: str
    source: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def seed(self) -> int:
        return self.data["seed"]


@dataclass(frozen=True)
class WorkItem:
    """One grid point x replicate: everything a worker needs, as plain data.

    ``params`` holds the item's value of every column in
    :data:`PARAMETER_COLUMNS`; ``settings`` the measurement axes and options
    shared by all items.  The item's randomness is
    ``child_seed(SeedSequence(seed), index)``.
    """

    index: int
    seed: int
    params: dict
    settings: dict


# ---------------------------------------------------------------------------
# loading


def load_spec(path) -> SweepSpec:
    """Read and validate a TOML sweep spec from ``path``.

    Raises
    ------
    SpecError
        If the file cannot be read, is not valid TOML, or fails validation.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([("<file>", f"cannot read {str(path)!r}: {exc}")]) from None
    return parse_spec(text, source=str(path))


def parse_spec(text: str, source: str | None = None) -> SweepSpec:
    """Parse TOML ``text`` and validate it (see :func:`validate_spec`)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([("<toml>", f"not valid TOML: {exc}")], source) from None
    spec = validate_spec(raw, source=source)
    return SweepSpec(spec.data, spec.spec_hash, text)


def spec_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON form of a normalised spec."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
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
        interval = _interval(low, high, open_low, open_high)
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
                if v in seen:
                    self.fail(f"{path}[{i}]", f"duplicate value {v!r} (each value once)")
                    return None
                seen.add(v)
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


def _interval(low, high, open_low, open_high) -> str:
    left = "(" if open_low or low is None else "["
    right = ")" if open_high or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def _suggest(value: str, options) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_key_message(key, allowed) -> str:
    listed = ", ".join(allowed)
    return f"unknown key{_suggest(str(key), allowed)}; allowed keys: {listed}"


def _implemented(kind: str, name: str) -> bool:
    """Whether the sweep engine has a function for this measure / failure model."""
    from skillgraph.sweep import (
        runner as sweep,
    )  # the registries; imported late (sweep imports this module)

    registry = sweep._MEASURE_FUNCTIONS if kind == "measure" else sweep._FAILURE_FUNCTIONS
    return name in registry


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
    """
    c = _Checker()
    if not isinstance(raw, dict):
        raise SpecError([("<spec>", f"must be a table, got {_describe(raw)}")], source)
    top = c.table("", raw, _TOP_KEYS)
    data: dict = {}

    data["name"] = c.string("name", top.get("name", "sweep"))
    data["description"] = c.string("description", top.get("description", ""))
    if "seed" not in top:
        c.fail("seed", "is required: the master seed, an integer >= 0 (e.g. seed = 12345)")
    else:
        data["seed"] = c.integer("seed", top["seed"], 0)
    data["replicates"] = c.integer("replicates", top.get("replicates", 1), 1, 100_000)
    data["measures"] = c.axis(
        "measures",
        top.get("measures", ["bad_fraction", "bound"]),
        lambda p, v: c.choice(p, v, MEASURES),
    )
    for i, m in enumerate(data["measures"] or []):
        if not _implemented("measure", m):
            c.fail(f"measures[{i}]", f"{m!r} is not supported by sweeps in this version")

    grid = c.table("grid", top.get("grid", {}), _GRID_KEYS) if "grid" in top else None
    if grid is None:
        c.fail("grid", "is required: a [grid] table with n_skills, n_texts, k and theta")
    data["grid"] = _validate_grid(
        c, grid or {}, has_scale="scale" in top, report=isinstance(top.get("grid"), dict)
    )

    if "scale" in top:
        scale = c.table("scale", top["scale"], _SCALE_KEYS)
        data["scale"] = _validate_scale(c, scale) if isinstance(top["scale"], dict) else None
    else:
        data["scale"] = None

    options = c.table("options", top.get("options", {}), _OPTION_KEYS)
    data["options"] = _validate_options(c, options)

    if not c.problems:
        _cross_checks(c, data)
    if c.problems:
        raise SpecError(c.problems, source)
    return SweepSpec(data, spec_hash(data), None)


def _validate_grid(c: _Checker, grid: dict, *, has_scale: bool, report: bool = True) -> dict:
    """``report=False``: the table is missing altogether (already reported once)."""
    out: dict = {}
    for key in ("n_skills", "n_texts", "k"):
        if report and key not in grid:
            c.fail(f"grid.{key}", "is required (an integer >= 1, or a list of them)")
    out["n_skills"] = c.axis(
        "grid.n_skills", grid.get("n_skills", 1), lambda p, v: c.integer(p, v, 1, _MAX_SKILLS)
    )
    out["n_texts"] = c.axis(
        "grid.n_texts", grid.get("n_texts", 1), lambda p, v: c.integer(p, v, 1, 10**15)
    )
    out["k"] = c.axis("grid.k", grid.get("k", 1), lambda p, v: c.integer(p, v, 1, 10**6))
    out["skill_measure"] = c.axis(
        "grid.skill_measure",
        grid.get("skill_measure", "uniform"),
        lambda p, v: c.choice(p, v, SKILL_MEASURES),
    )
    out["zipf_exponent"] = c.axis(
        "grid.zipf_exponent",
        grid.get("zipf_exponent", 1.0),
        lambda p, v: c.real(p, v, 0.0, 20.0),
    )
    out["replace"] = c.axis("grid.replace", grid.get("replace", True), c.boolean)
    out["failure"] = c.axis(
        "grid.failure", grid.get("failure", "random"), lambda p, v: c.choice(p, v, FAILURE_MODELS)
    )
    failures = grid.get("failure", "random")
    for i, f in enumerate(out["failure"] or []):
        if not _implemented("failure", f):
            path = f"grid.failure[{i}]" if isinstance(failures, list) else "grid.failure"
            c.fail(path, f"{f!r} is not supported by sweeps in this version")
    if "theta" in grid:
        if has_scale:
            c.fail("grid.theta", "give either grid.theta or a [scale] table, not both")
        out["theta"] = c.axis(
            "grid.theta",
            grid["theta"],
            lambda p, v: c.real(p, v, 0.0, 1.0, open_low=True, open_high=True),
        )
    else:
        if not has_scale and report:
            c.fail(
                "grid.theta",
                "is required unless a [scale] table derives theta from model scale "
                "(a number in (0, 1) or a list of them)",
            )
        out["theta"] = None
    out["beta"] = c.axis(
        "grid.beta",
        grid.get("beta", 0.5),
        lambda p, v: c.real(p, v, 0.0, 1.0, open_low=True, open_high=True),
    )
    out["t"] = c.axis("grid.t", grid.get("t", 2), lambda p, v: c.integer(p, v, 1, _MAX_T))
    out["tuple_mode"] = c.axis(
        "grid.tuple_mode",
        grid.get("tuple_mode", "tensor"),
        lambda p, v: c.choice(p, v, TUPLE_MODES),
    )
    out["bound_form"] = c.axis(
        "grid.bound_form", grid.get("bound_form", "kl"), lambda p, v: c.choice(p, v, BOUND_FORMS)
    )
    return out


def _validate_scale(c: _Checker, scale: dict) -> dict:
    out: dict = {}
    out["law"] = c.choice("scale.law", scale.get("law", "chinchilla"), LAW_NAMES)
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
    out["compute"] = c.axis("scale.compute", scale["compute"], positive) if has_compute else None
    out["params"] = out["tokens"] = None
    if has_nd:
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
    out: dict = {}
    out["curve_betas"] = c.axis(
        "options.curve_betas",
        options.get("curve_betas", _DEFAULT_CURVE_BETAS),
        lambda p, v: c.real(p, v, 0.0, 1.0),
    )
    n_tuples = options.get("n_tuples", 0)
    out["n_tuples"] = c.integer("options.n_tuples", n_tuples, 0, 10**8)
    out["delta_fail"] = c.real(
        "options.delta_fail",
        options.get("delta_fail", 1e-6),
        0.0,
        1.0,
        open_low=True,
        open_high=True,
    )
    out["bernoulli"] = c.boolean("options.bernoulli", options.get("bernoulli", False))
    out["graph_mode"] = c.choice(
        "options.graph_mode", options.get("graph_mode", "materialize"), GRAPH_MODES
    )
    return out


_GRAPH_ONLY_MEASURES = ("tuple", "adversary")


def _cross_checks(c: _Checker, data: dict) -> None:
    grid = data["grid"]
    if data["options"]["graph_mode"] == "stream":
        for i, m in enumerate(data["measures"]):
            if m in _GRAPH_ONLY_MEASURES:
                c.fail(
                    f"measures[{i}]",
                    f"{m!r} needs the materialised graph; with options.graph_mode = 'stream' "
                    "only per-skill counts exist (bad_fraction, curve, bound, certificate)",
                )
        if False in grid["replace"]:
            c.fail("grid.replace", "stream mode draws skills with replacement only (true)")
    if False in grid["replace"]:
        for i, k in enumerate(grid["k"]):
            if k > min(grid["n_skills"]):
                c.fail(
                    f"grid.k[{i}]",
                    f"must be <= n_skills ({min(grid['n_skills'])}) when grid.replace includes "
                    f"false (k distinct skills per text piece), got {k}",
                )
    if "adversary" in data["measures"] and max(grid["n_texts"]) * max(grid["k"]) > 10**7:
        c.fail("grid.n_texts", "the adversary measure needs graphs with n_texts * k <= 1e7")
    if data["scale"] is not None:
        _derive_thetas(c, data["scale"])
    n_points = 1
    for key in ("n_skills", "n_texts", "k", "replace", "failure"):
        n_points *= len(grid[key])
    n_points *= len(_measure_points(grid))
    n_points *= (
        len(grid["theta"]) if grid["theta"] is not None else len(_scale_points(data["scale"]))
    )
    n_items = n_points * data["replicates"]
    if n_items > _MAX_ITEMS:
        c.fail(
            "replicates",
            f"the grid has {n_items:,} work items, more than the {_MAX_ITEMS:,} one sweep holds; "
            "split it into several specs",
        )


def _scale_points(scale: dict) -> list[dict]:
    """``[{"compute", "params", "tokens"}]`` before theta is derived."""
    if scale["compute"] is not None:
        return [{"compute": cc, "params": None, "tokens": None} for cc in scale["compute"]]
    return [
        {"compute": None, "params": n, "tokens": d}
        for n, d in zip(scale["params"], scale["tokens"], strict=True)
    ]


def _derive_thetas(c: _Checker, scale: dict) -> list[dict] | None:
    """Theta of every scale point; a problem is recorded for a theta outside (0, 1)."""
    try:
        from skillgraph.theory import scaling
    except ImportError:  # pragma: no cover - scaling is part of the core
        c.fail("scale", "needs skillgraph.scaling, which is not available")
        return None
    law = scaling.LAWS[scale["law"]]
    points = []
    key = "compute" if scale["compute"] is not None else "params"
    for i, point in enumerate(_scale_points(scale)):
        try:
            if point["compute"] is not None:
                n, d = law.compute_optimal(point["compute"])
            else:
                n, d = point["params"], point["tokens"]
            theta = law.theta(
                n,
                d,
                mapping=scale["mapping"],
                c=scale["c"],
                theta_ref=scale["theta_ref"],
                reference=tuple(scale["reference"]),
            )
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


def _measure_points(grid: dict) -> list[tuple[str, float | None]]:
    """(skill_measure, zipf_exponent) pairs; the exponent only varies for Zipf."""
    points = []
    for measure in grid["skill_measure"]:
        if measure == "uniform":
            points.append(("uniform", None))
        else:
            points.extend(("zipf", a) for a in grid["zipf_exponent"])
    return points


# ---------------------------------------------------------------------------
# expansion


def expand(spec: SweepSpec) -> list[WorkItem]:
    """The work items of ``spec``, in a fixed order (their index is their seed key).

    Order: ``n_skills``, ``n_texts``, ``k``, skill measure, ``replace``,
    failure model, theta (or scale point), replicate, the last varying fastest.
    """
    data = spec.data
    grid = data["grid"]
    if grid["theta"] is not None:
        thetas = [
            {
                "theta": th,
                "law": None,
                "compute": None,
                "params": None,
                "tokens": None,
                "mapping": None,
            }
            for th in grid["theta"]
        ]
    else:
        scale = data["scale"]
        c = _Checker()
        points = _derive_thetas(c, scale)
        if c.problems:  # validated specs never get here
            raise SpecError(c.problems)
        thetas = [{**p, "law": scale["law"], "mapping": scale["mapping"]} for p in points]
    settings = {
        "measures": list(data["measures"]),
        "beta": list(grid["beta"]),
        "t": list(grid["t"]),
        "tuple_mode": list(grid["tuple_mode"]),
        "bound_form": list(grid["bound_form"]),
        **copy.deepcopy(data["options"]),
    }
    items = []
    product = itertools.product(
        grid["n_skills"],
        grid["n_texts"],
        grid["k"],
        _measure_points(grid),
        grid["replace"],
        grid["failure"],
        thetas,
        range(data["replicates"]),
    )
    for index, (n_skills, n_texts, k, (measure, exponent), replace, failure, th, rep) in enumerate(
        product
    ):
        params = {
            "item": index,
            "replicate": rep,
            "n_skills": n_skills,
            "n_texts": n_texts,
            "k": k,
            "skill_measure": measure,
            "zipf_exponent": exponent,
            "replace": replace,
            "failure": failure,
            "theta": th["theta"],
            "law": th["law"],
            "compute": th["compute"],
            "params": th["params"],
            "tokens": th["tokens"],
            "mapping": th["mapping"],
        }
        items.append(WorkItem(index, data["seed"], params, settings))
    return items
