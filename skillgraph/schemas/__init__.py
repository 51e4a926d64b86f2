"""JSON Schemas of every ``--json`` output of the command line, one file per output.

``NAME.schema.json`` describes the output whose ``$schema`` key is
``urn:skillgraph:schema:NAME:VERSION``.  The version is raised whenever a key
changes meaning or disappears (new keys may appear within a version).
docs/json.rst renders them; validate with the optional ``jsonschema`` package::

    >>> from skillgraph import schemas
    >>> schemas.load("bound")["$id"]
    'urn:skillgraph:schema:bound:1'
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["SCHEMA_VERSION", "schema_id", "names", "load", "validate"]

#: every output's schema and its current version
SCHEMA_VERSION = {
    "bound": 1,
    "simulate": 1,
    "check": 1,
    "emerge": 1,
    "sweep": 1,
    "sweep-dry-run": 1,
    "plot": 1,
    "memory": 1,
    "induction": 1,
    "superpose": 1,
}


def schema_id(name: str) -> str:
    """The ``$schema`` id of the output ``name`` (e.g. ``urn:skillgraph:schema:plot:1``)."""
    return f"urn:skillgraph:schema:{name}:{SCHEMA_VERSION[name]}"


def names() -> tuple[str, ...]:
    """The outputs that have a schema."""
    return tuple(SCHEMA_VERSION)


def load(name: str) -> dict:
    """The JSON Schema (a dict) of the output ``name``."""
    if name not in SCHEMA_VERSION:
        raise ValueError(f"name must be one of {', '.join(SCHEMA_VERSION)}, got {name!r}")
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(document: dict) -> None:
    """Check ``document`` against the schema its ``$schema`` key names.

    Raises
    ------
    ImportError
        Without the optional ``jsonschema`` package (``pip install skillgraph[schema]``).
    ValueError
        When ``$schema`` names no known schema or version.
    jsonschema.ValidationError
        When the document does not follow its schema.
    """
    try:
        import jsonschema
    except ImportError:
        raise ImportError(
            "validating JSON needs the optional jsonschema package: "
            "pip install 'skillgraph[schema]'"
        ) from None
    sid = document.get("$schema", "")
    name = next((n for n in SCHEMA_VERSION if schema_id(n) == sid), None)
    if name is None:
        raise ValueError(f"$schema must name a skillgraph schema, got {sid!r}")
    jsonschema.validate(document, load(name))
