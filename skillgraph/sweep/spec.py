"""Sweep specifications: read a TOML spec, and the one place to import the spec's names from.

A sweep is a grid over graph parameters, skill measures, failure models and failure rates (given
directly or derived from model scale through a scaling law, :doc:`/theory/loss_to_theta`), times a
number of replicates.  Each point of that grid and each replicate is one
:class:`~skillgraph.sweep.context.WorkItem`: sample a graph, fail some of its text pieces, take
every requested measurement.  The format is documented in ``sims/README.md``.

This module reads a spec (:func:`load_spec`, :func:`parse_spec`); the rest of
the work has one module each, and every name is importable from here too:

* :mod:`skillgraph.sweep.spec_types`: the validated spec
  (:class:`~skillgraph.sweep.spec_types.SweepSpec`), its hash and the errors
  :class:`~skillgraph.sweep.spec_types.SpecError` and
  :class:`~skillgraph.sweep.spec_types.SweepTooLarge`;
* :mod:`skillgraph.sweep.spec_validate`: validation, every problem at once
  by key path (:func:`~skillgraph.sweep.spec_validate.validate_spec`);
* :mod:`skillgraph.sweep.spec_cost`: the cost before any work
  (:func:`~skillgraph.sweep.spec_cost.estimate`);
* :mod:`skillgraph.sweep.spec_points`: the grid's points and the work items
  (:func:`~skillgraph.sweep.spec_points.expand`).

Seeds: work item ``i`` draws from ``child_seed(SeedSequence(seed), i)``
(``skillgraph._rng``), so results do not depend on which worker or executor
ran the item, nor on how many there were.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from skillgraph.core.engine import ENGINES
from skillgraph.sweep.context import WorkItem
from skillgraph.sweep.registry import MEASUREMENTS, failure_model_names
from skillgraph.sweep.spec_cost import estimate
from skillgraph.sweep.spec_points import PARAMETER_COLUMNS, expand, samples_graph
from skillgraph.sweep.spec_types import SpecError, SweepSpec, SweepTooLarge, spec_hash
from skillgraph.sweep.spec_validate import MAX_ITEMS, validate_spec

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
    "samples_graph",
    "PARAMETER_COLUMNS",
    "MAX_ITEMS",
]


def load_spec(path) -> SweepSpec:
    """Read and validate a TOML sweep spec from ``path``.

    Raises
    ------
    SpecError
        If the file cannot be read, is not valid TOML, or fails validation.
    SweepTooLarge
        If the work it describes cannot finish (see
        :func:`~skillgraph.sweep.spec_validate.validate_spec`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([("<file>", f"cannot read {str(path)!r}: {exc}")]) from None
    return parse_spec(text, source=str(path))


def parse_spec(text: str, source: str | None = None) -> SweepSpec:
    """Parse TOML ``text`` and validate it (:func:`~skillgraph.sweep.spec_validate.validate_spec`).

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
