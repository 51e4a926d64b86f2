"""The example sweep specs: ``skillgraph sweep --example NAME`` and ``--list-examples``.

The specs live once, in the repository's ``sims/``; an installed wheel carries
the same files as the data package ``skillgraph._examples`` (see setup.py).
This module finds them in either place, so the quickstart works in a clone and
after ``pip install``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["examples_dir", "example_names", "example_path", "example_descriptions"]


def examples_dir() -> Path:
    """The directory of the example specs (installed package data, else the clone's sims/)."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "_examples"  # a data directory of the wheel, not an importable module
    if (shipped / "smoke.toml").is_file():
        return shipped
    return package.parent / "sims"  # a clone: the specs' home


def example_names() -> tuple[str, ...]:
    """The names of the example specs, sorted (``smoke``, ``tightness``, ...)."""
    return tuple(sorted(p.stem for p in examples_dir().glob("*.toml")))


def example_path(name: str) -> Path:
    """The spec file of the example ``name``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).
    """
    if name not in example_names():
        raise ValueError(
            f"--example must be one of {', '.join(example_names())}, got {name!r} "
            "(see skillgraph sweep --list-examples)"
        )
    return examples_dir() / f"{name}.toml"


def example_descriptions() -> dict[str, str]:
    """Each example's ``description`` (or its name when the spec has none)."""
    from skillgraph.sweep.spec import load_spec

    return {name: str(load_spec(example_path(name)).data.get("description") or name)
            for name in example_names()}
