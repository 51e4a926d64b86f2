"""The two arguments every pipeline's ``run(config=None, *, progress=...)`` checks first."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["run_arguments"]

_Config = TypeVar("_Config")


def run_arguments(config: _Config | None, config_type: type[_Config], progress) -> _Config:
    """``config`` (``config_type()`` when None), once it and ``progress`` are checked.

    Raises
    ------
    TypeError
        When ``config`` is not a ``config_type`` (which validated its fields
        when it was built) or ``progress`` is not a bool.
    """
    config = config_type() if config is None else config
    if not isinstance(config, config_type):
        name = config_type.__name__
        article = "an" if name[0] in "AEIOU" else "a"
        raise TypeError(f"config must be {article} {name}, got {type(config).__name__}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    return config
