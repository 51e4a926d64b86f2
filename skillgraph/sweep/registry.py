"""The two registries of the sweep engine: measurements and failure models.

A *measurement* is a function ``fn(ctx) -> list of rows`` that a spec asks for
by name (``measures = ["bad_fraction", ...]``); ``ctx`` is the work item's
:class:`~skillgraph.sweep.context.ItemContext`.  A *failure model* is a
function ``fn(graph, theta, seed, settings) -> bool mask`` that a spec names in
``grid.failure``.  Both are added in one place, with a decorator::

    from skillgraph.sweep.registry import register_measurement

    @register_measurement("mean_degree")
    def mean_degree(ctx):
        return [ctx.row("mean_degree", value=float(ctx.counts.degrees.mean()))]

The built-in measurements (:mod:`skillgraph.sweep.measures`,
:mod:`skillgraph.sweep.mechanism_measures`) and failure models (those of
:data:`skillgraph.core.failures.FAILURE_MODELS`) are *declared* in a
:class:`MeasurementSet` and registered by one explicit, idempotent call,
:func:`skillgraph.sweep.builtins.load_builtins`; importing a module never
changes the registries.  The sweep engine makes that call itself (spec
validation, :func:`~skillgraph.sweep.runner.run_sweep`, each work item);
call it before reading the registries directly.  An override
(:func:`override_measurement`) may come before or after it.  This module
imports nothing else from the sweep package, so any module may read the
registries.

Process pools and Dask workers start fresh interpreters: register at import
time of a module that the workers import too (or run with ``--workers 1``).
"""

from __future__ import annotations

import contextlib
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Measurement",
    "MeasurementSet",
    "MEASUREMENTS",
    "register_measurement",
    "register_measure",
    "unregister_measurement",
    "override_measurement",
    "get_measurement",
    "measurement_names",
    "register_failure_model",
    "unregister_failure_model",
    "get_failure_model",
    "failure_model_names",
]

MeasurementFn = Callable[[Any], list]
FailureFn = Callable[[Any, float, Any, dict], Any]


@dataclass(frozen=True)
class Measurement:
    """A registered measurement and what the sweep engine needs to know about it.

    Attributes
    ----------
    name : str
        The name a spec uses in ``measures = [...]``.
    function : callable
        ``function(ctx) -> list of dict``: the rows of one work item, each made
        with ``ctx.row(quantity, **columns)``.
    needs_graph : bool
        ``True`` when it needs the materialised graph (``ctx.graph``); specs
        with ``options.engine = "stream"`` may not ask for it.
    columns : tuple of str
        Table columns its rows use beyond the standard ones
        (:data:`skillgraph.sweep.store.COLUMNS`).
    cost : callable or None
        ``cost(params, settings) -> skillgraph.sweep.cost.Cost``: rows, seconds
        and bytes of one work item, used to refuse infeasible specs up front.
        ``None``: one row, no time, no memory beyond the graph.
    table : callable or None
        ``table(raw) -> dict``: validates the spec's own ``[name]`` table and
        returns it normalised (plain JSON data); raises ``ValueError`` or
        ``TypeError`` naming the key.  ``None``: the measurement has no table.
    check : callable or None
        ``check(data) -> list of (key path, message)``: constraints the
        measurement puts on the whole normalised spec (e.g. a size limit).
    axes : dict of str to callable
        Grid axes of its own: ``grid.<name> = [...]`` in a spec, expanded into
        work items like the standard axes; each value is passed through
        ``check_value(value) -> normalised value`` (raise ``ValueError`` or
        ``TypeError`` naming the problem).  An axis absent from the spec takes
        the single value ``None`` (the measurement's default).  The axes are
        table columns and ``ctx.params`` keys.
    samples_graph : bool
        ``False`` for a measurement of its own model, which uses no skill
        graph: a spec whose measurements all say so samples none, and its grid
        holds only their own axes (``ctx.counts`` is then ``None``).
    """

    name: str
    function: MeasurementFn
    needs_graph: bool = False
    columns: tuple[str, ...] = ()
    cost: Callable | None = None
    table: Callable | None = None
    check: Callable | None = None
    axes: types.MappingProxyType = field(default_factory=lambda: types.MappingProxyType({}))
    samples_graph: bool = True


_MEASUREMENTS: dict[str, Measurement] = {}
_FAILURE_MODELS: dict[str, FailureFn] = {}

#: the registered measurements, by name (a read-only live view)
MEASUREMENTS = types.MappingProxyType(_MEASUREMENTS)


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier string, got {name!r}")
    return name


def register_measurement(
    name: str,
    *,
    needs_graph: bool = False,
    columns: Sequence[str] = (),
    cost: Callable | None = None,
    table: Callable | None = None,
    check: Callable | None = None,
    axes: dict[str, Callable] | None = None,
    samples_graph: bool = True,
    replace: bool = False,
) -> Callable[[MeasurementFn], MeasurementFn]:
    """Decorator: make ``fn(ctx) -> list of rows`` available as ``measures = [name]``.

    Parameters
    ----------
    name : str
        The name used in specs (a Python identifier).
    needs_graph, columns, cost, table, check, axes, samples_graph
        See :class:`Measurement`.
    replace : bool
        Allow replacing a measurement of the same name (otherwise an error).

    Returns
    -------
    callable
        The decorator; it returns ``fn`` unchanged.

    Raises
    ------
    ValueError
        ``name`` is not an identifier, or already registered without ``replace``.

    Examples
    --------
    >>> @register_measurement("n_failed_texts_demo")
    ... def n_failed(ctx):
    ...     return [ctx.row("n_failed_texts_demo", value=ctx.counts.n_failed_texts)]
    >>> "n_failed_texts_demo" in measurement_names()
    True
    >>> unregister_measurement("n_failed_texts_demo")
    """
    _check_name(name)
    if name in _MEASUREMENTS and not replace:
        raise ValueError(
            f"measurement {name!r} is already registered; pass replace=True to replace it"
        )
    options = _checked_options(needs_graph=needs_graph, columns=columns, cost=cost, table=table,
                               check=check, axes=axes, samples_graph=samples_graph)  # fmt: skip

    def decorator(fn: MeasurementFn) -> MeasurementFn:
        _set(_measurement(name, fn, options))
        return fn

    return decorator


_OPTIONS = ("needs_graph", "columns", "cost", "table", "check", "axes", "samples_graph")


def _checked_options(**options) -> dict:
    """The options of :class:`Measurement`, checked and normalised (``register_measurement``'s)."""
    defaults = {"needs_graph": False, "columns": (), "cost": None, "table": None,
                "check": None, "axes": None, "samples_graph": True}  # fmt: skip
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise TypeError(f"unknown measurement options {unknown}; known: {sorted(defaults)}")
    out = defaults | options
    if not all(isinstance(c, str) for c in out["columns"]):
        raise TypeError(f"columns must be strings, got {list(out['columns'])!r}")
    axes = dict(out["axes"] or {})
    for axis, check_value in axes.items():
        _check_name(axis)
        if not callable(check_value):
            raise TypeError(f"axes[{axis!r}] must be a callable that checks a value")
    if out["needs_graph"] and not out["samples_graph"]:
        raise ValueError("a measurement that needs the graph must sample it (samples_graph=True)")
    return out | {"needs_graph": bool(out["needs_graph"]), "columns": tuple(out["columns"]),
                  "axes": types.MappingProxyType(axes),
                  "samples_graph": bool(out["samples_graph"])}  # fmt: skip


def _measurement(name: str, fn: MeasurementFn, options: dict) -> Measurement:
    if not callable(fn):
        raise TypeError(f"a measurement must be callable, got {fn!r}")
    return Measurement(name, fn, **options)


def register_measure(name: str, requires: str | None = None):
    """Deprecated alias of :func:`register_measurement` (``requires`` is ignored)."""
    warnings.warn(
        "register_measure is now register_measurement; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return register_measurement(name, replace=True)


def unregister_measurement(name: str) -> None:
    """Remove a registered measurement.

    Raises
    ------
    KeyError
        If ``name`` is not registered.
    """
    if name not in _MEASUREMENTS:
        raise KeyError(f"no measurement {name!r} is registered")
    del _MEASUREMENTS[name]


@dataclass
class _Override:
    function: MeasurementFn
    options: dict  # the options given to override_measurement


# name -> (what was there before the first override, the active overrides, innermost last)
_OVERRIDES: dict[str, tuple[list, list[_Override]]] = {}


def _set(measurement: Measurement) -> None:
    """Register ``measurement``; under an active override it goes below the overrides."""
    if measurement.name in _OVERRIDES:
        _OVERRIDES[measurement.name][0][0] = measurement
        _refresh(measurement.name)
    else:
        _MEASUREMENTS[measurement.name] = measurement


def _refresh(name: str) -> None:
    """Make the innermost override current, each inheriting the options it was not given."""
    below, layers = _OVERRIDES[name]
    current = below[0]
    for layer in layers:
        inherited = {key: getattr(current, key) for key in _OPTIONS} if current else {}
        current = _measurement(name, layer.function, inherited | layer.options)
    _MEASUREMENTS[name] = current


@contextlib.contextmanager
def override_measurement(name: str, function: MeasurementFn, **options) -> Iterator[None]:
    """Within a ``with`` block, ``name`` runs ``function``; the previous one comes back after.

    ``options`` are those of :func:`register_measurement` (default: the ones of
    the measurement being overridden).  It works before or after the built-ins
    are loaded (:func:`skillgraph.sweep.builtins.load_builtins`): a measurement
    registered under an active override takes its place below it, and the
    override then inherits its options.  Meant for tests and experiments in
    this process (worker processes do not see it).
    """
    _check_name(name)
    given = _checked_options(**options)
    layer = _Override(function, {key: given[key] for key in options})
    _measurement(name, function, given)  # refuse a bad function before any change
    below, layers = _OVERRIDES.setdefault(name, ([_MEASUREMENTS.get(name)], []))
    layers.append(layer)
    try:
        _refresh(name)
        yield
    finally:
        layers.remove(layer)
        if layers:
            _refresh(name)
        else:
            del _OVERRIDES[name]
            if below[0] is None:
                _MEASUREMENTS.pop(name, None)
            else:
                _MEASUREMENTS[name] = below[0]


def _lookup(registry: dict, kind: str, name: str):
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry)) or "none"
        raise ValueError(
            f"{kind} {name!r} is not available in this installation (registered: {known})"
        ) from None


def get_measurement(name: str) -> Measurement:
    """The registered measurement ``name``.

    Raises
    ------
    ValueError
        If none is registered under that name (the message lists those that are).
    """
    return _lookup(_MEASUREMENTS, "measurement", name)


def measurement_names() -> tuple[str, ...]:
    """Names of the registered measurements, in registration order."""
    return tuple(_MEASUREMENTS)


def register_failure_model(name: str, *, replace: bool = False):
    """Decorator: ``fn(graph, theta, seed, settings) -> bool mask`` as ``grid.failure = [name]``.

    ``settings`` are the work item's options (e.g. ``settings["bernoulli"]``).
    Failure models run on the materialised graph; the streaming engine knows
    only :data:`~skillgraph.core.streaming.STREAM_FAILURES`.

    Raises
    ------
    ValueError
        ``name`` is not an identifier, or already registered without ``replace``.
    """
    _check_name(name)
    if name in _FAILURE_MODELS and not replace:
        raise ValueError(
            f"failure model {name!r} is already registered; pass replace=True to replace it"
        )

    def decorator(fn: FailureFn) -> FailureFn:
        if not callable(fn):
            raise TypeError(f"a failure model must be callable, got {fn!r}")
        _FAILURE_MODELS[name] = fn
        return fn

    return decorator


def unregister_failure_model(name: str) -> None:
    """Remove a registered failure model (``KeyError`` if there is none of that name)."""
    if name not in _FAILURE_MODELS:
        raise KeyError(f"no failure model {name!r} is registered")
    del _FAILURE_MODELS[name]


def get_failure_model(name: str) -> FailureFn:
    """The registered failure model ``name`` (``ValueError`` listing the known ones if none)."""
    return _lookup(_FAILURE_MODELS, "failure model", name)


def failure_model_names() -> tuple[str, ...]:
    """Names of the registered failure models, in registration order."""
    return tuple(_FAILURE_MODELS)


class MeasurementSet:
    """Measurements and failure models declared by a module, registered together.

    A module of measurements declares them with the decorators
    :meth:`measurement` (the options of :func:`register_measurement`) and
    :meth:`failure_model`; nothing reaches the registries until
    :meth:`install` is called, so importing the module changes no state.
    """

    def __init__(self) -> None:
        self._measurements: list[tuple[str, MeasurementFn, dict]] = []
        self._failure_models: list[tuple[str, FailureFn]] = []

    def measurement(self, name: str, **options) -> Callable[[MeasurementFn], MeasurementFn]:
        """Decorator: declare ``fn`` as measurement ``name`` (checked now, registered later)."""
        _check_name(name)
        options = _checked_options(**options)

        def decorator(fn: MeasurementFn) -> MeasurementFn:
            _measurement(name, fn, options)
            self._measurements.append((name, fn, options))
            return fn

        return decorator

    def failure_model(self, name: str, fn: FailureFn) -> None:
        """Declare ``fn(graph, theta, seed, settings) -> bool mask`` as failure model ``name``."""
        _check_name(name)
        self._failure_models.append((name, fn))

    def names(self) -> tuple[str, ...]:
        """The declared measurements' names."""
        return tuple(name for name, _, _ in self._measurements)

    def install(self) -> None:
        """Register every declared measurement and failure model.

        Raises
        ------
        ValueError
            A name is already registered (by something else, outside an override).
        """
        for name in self.names():
            if name in _MEASUREMENTS and name not in _OVERRIDES:
                raise ValueError(f"measurement {name!r} is already registered")
        for name, fn, options in self._measurements:
            _set(_measurement(name, fn, options))
        for name, fn in self._failure_models:
            register_failure_model(name, replace=True)(fn)
