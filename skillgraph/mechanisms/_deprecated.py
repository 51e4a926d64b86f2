"""The pipeline entry points of 0.2, kept for one release with a DeprecationWarning.

Each mechanism's pipeline now has one shape: ``run(config) -> result`` and
``write_outputs(result, out_dir)`` (:mod:`skillgraph.mechanisms.memory`,
:mod:`skillgraph.mechanisms.induction`, :mod:`skillgraph.mechanisms.superposition`).
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

from skillgraph.mechanisms import induction, memory, superposition
from skillgraph.tables import prepare_output_dir

__all__ = ["run_memory", "run_superpose", "induction_report"]


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"skillgraph.mechanisms.{old} is deprecated and will be removed in the next release; "
        f"use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


def run_memory(
    config: memory.MemoryConfig | None = None, *, out_dir=None, progress: bool = False
) -> memory.MemoryResult:
    """Deprecated: :func:`skillgraph.mechanisms.memory.run`, then ``write_outputs``."""
    _warn("run_memory", "skillgraph.mechanisms.memory.run and write_outputs")
    out = None if out_dir is None else prepare_output_dir(out_dir)  # checked before the work
    result = memory.run(config, progress=progress)
    if out is not None:
        memory.write_outputs(result, out)
    return result


def run_superpose(
    config: superposition.SuperposeConfig | None = None, *, progress: bool = False
) -> superposition.SuperposeResult:
    """Deprecated: :func:`skillgraph.mechanisms.superposition.run`."""
    _warn("run_superpose", "skillgraph.mechanisms.superposition.run")
    return superposition.run(config, progress=progress)


def induction_report(
    out_dir: str | os.PathLike,
    config: induction.InductionConfig | None = None,
    *,
    progress: bool = False,
    **overrides,
) -> tuple[induction.InductionRun, list[Path]]:
    """Deprecated: :func:`skillgraph.mechanisms.induction.run`, then ``write_outputs``."""
    _warn("induction_report", "skillgraph.mechanisms.induction.run and write_outputs")
    config = dataclasses.replace(config or induction.InductionConfig(), **overrides)
    out = prepare_output_dir(out_dir)
    try:
        result = induction.run(config, progress=progress)
    except induction.InductionDivergedError as exc:
        raise induction.write_diverged(exc, out) from None
    return result, induction.write_outputs(result, out)
