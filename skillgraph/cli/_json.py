"""The ``--json`` output of every subcommand: one envelope, one schema per output.

Every JSON document a subcommand prints starts with the same four keys:

* ``$schema``: the id of its JSON Schema, ``urn:skillgraph:schema:NAME:VERSION``
  (the file ``skillgraph/schemas/NAME.schema.json``; :func:`skillgraph.schemas.load`);
* ``schema_version``: the integer VERSION, raised when a key changes meaning or goes;
* ``command``: the subcommand;
* ``elapsed_seconds``: wall-clock seconds from the start of the command to the output.

Paths in the payload are absolute; a float that is not finite (a factor the
run could not read off) is ``null``, since ``NaN`` is not JSON.  docs/json.rst
renders the schemas.
"""

from __future__ import annotations

import json
import os
import time

from skillgraph._display import json_ready
from skillgraph.schemas import SCHEMA_VERSION, schema_id

__all__ = ["start_clock", "envelope", "emit_json", "absolute"]

_started = time.perf_counter()


def start_clock() -> None:
    """Mark the start of a command (``elapsed_seconds`` counts from here)."""
    global _started
    _started = time.perf_counter()


def envelope(name: str, payload: dict, command: str | None = None) -> dict:
    """``payload`` behind the four common keys (``name``: the schema, e.g. ``sweep-dry-run``)."""
    head = {
        "$schema": schema_id(name),
        "schema_version": SCHEMA_VERSION[name],
        "command": command or name.split("-")[0],
        "elapsed_seconds": round(time.perf_counter() - _started, 3),
    }
    return json_ready({**head, **{k: v for k, v in payload.items() if k not in head}})


def emit_json(name: str, payload: dict, command: str | None = None) -> None:
    """Print ``payload`` in its envelope (see :func:`envelope`), as indented JSON."""
    print(json.dumps(envelope(name, payload, command), indent=2, allow_nan=False))


def absolute(path) -> str:
    """``path`` as an absolute path string (what every JSON output reports)."""
    return os.path.abspath(os.fspath(path))
