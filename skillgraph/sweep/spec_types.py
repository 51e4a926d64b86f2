"""What a validated sweep spec is: :class:`SweepSpec`, its hash, and the errors that refuse one.

A spec is read by :mod:`skillgraph.sweep.spec` and validated by
:mod:`skillgraph.sweep.spec_validate`; both report a bad spec with
:class:`SpecError`, and a valid spec that cannot finish with
:class:`SweepTooLarge`.  The hash (:func:`spec_hash`) keys a store: two specs
with the same hash run the same work items with the same seeds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
from dataclasses import dataclass, field

from skillgraph._resources import ResourceLimitError

__all__ = ["SpecError", "SweepTooLarge", "SweepSpec", "spec_hash"]

#: the spelling of each engine in the specs of skillgraph 0.1 (``options.graph_mode``),
#: which the spec hash keeps so that stores made by 0.1 still resume
_GRAPH_MODE_OF_ENGINE = {"graph": "materialize", "stream": "stream"}


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


def _entry(*path: str, doc: str) -> property:
    """A read-only property of :class:`SweepSpec`: ``data[path[0]][path[1]]...``."""
    return property(lambda spec: functools.reduce(operator.getitem, path, spec.data), doc=doc)


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

    name = _entry("name", doc="The spec's label.")
    seed = _entry("seed", doc="The master seed.")
    engine = _entry("options", "engine", doc='``"graph"`` or ``"stream"``.')


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
