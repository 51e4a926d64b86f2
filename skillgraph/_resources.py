"""What the machine can hold: memory probes and the estimates checked before work.

Every entry point that allocates in proportion to its input calls
:func:`check_memory` with its own estimate *before* allocating, so that work
too large for the machine is refused with the estimate instead of being
killed by the operating system half way.
"""

from __future__ import annotations

import os

__all__ = [
    "MEMORY_FRACTION",
    "ResourceLimitError",
    "MemoryLimitError",
    "available_memory",
    "check_memory",
    "check_time",
    "max_seconds",
]

#: refuse work needing more than this share of the memory available now
MEMORY_FRACTION = 0.8


def available_memory() -> int:
    """Bytes of memory available to this process (``MemAvailable`` on Linux)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**63 - 1


class ResourceLimitError(RuntimeError):
    """Work refused before it starts: it would not fit in memory or not finish in time."""


class MemoryLimitError(ResourceLimitError, MemoryError):
    """Work refused before it starts because its arrays would not fit in memory."""


#: the hint for graphs too large to materialise
STREAM_HINT = (
    "Use skillgraph.stream(...) (engine 'stream') for failure models local to a text piece "
    "(random, deficit): it keeps only per-skill counts, O(n_skills) memory."
)
#: refuse work estimated to run longer than this many hours (override: SKILLGRAPH_MAX_HOURS)
DEFAULT_MAX_HOURS = 24.0


def check_memory(nbytes: float, what: str, hint: str = STREAM_HINT) -> None:
    """Refuse, before allocating, work whose arrays would not fit in memory.

    Parameters
    ----------
    nbytes : float
        The estimate, in bytes.
    what : str
        What needs it, for the message ("a graph with 8e9 edge slots").
    hint : str
        How to make the work feasible.

    Raises
    ------
    MemoryLimitError
        (a ``MemoryError``) with the estimate, the memory available and the hint.
    """
    limit = MEMORY_FRACTION * available_memory()
    if nbytes > limit:
        raise MemoryLimitError(
            f"{what} needs about {nbytes / 2**30:.3g} GiB, more than the "
            f"{limit / 2**30:.1f} GiB this machine can spare (80% of available memory). {hint}"
        )


def max_seconds() -> float:
    """The longest run allowed without asking: ``SKILLGRAPH_MAX_HOURS`` hours (default 24)."""
    text = os.environ.get("SKILLGRAPH_MAX_HOURS", "")
    try:
        hours = float(text) if text else DEFAULT_MAX_HOURS
    except ValueError:
        raise ValueError(
            f"SKILLGRAPH_MAX_HOURS must be a positive number of hours, got {text!r}"
        ) from None
    if not hours > 0:
        raise ValueError(f"SKILLGRAPH_MAX_HOURS must be a positive number of hours, got {text!r}")
    return hours * 3600.0


def check_time(seconds: float, what: str, hint: str = "") -> None:
    """Refuse, before starting, work estimated to take longer than :func:`max_seconds`.

    Raises
    ------
    ResourceLimitError
        With the estimate, the limit, the hint and how to lift the limit.
    """
    limit = max_seconds()
    if seconds > limit:
        raise ResourceLimitError(
            f"{what} would take about {_duration(seconds)} on this machine, more than the "
            f"{_duration(limit)} allowed. {hint + ' ' if hint else ''}"
            "To run it anyway, set SKILLGRAPH_MAX_HOURS to a larger number of hours."
        )


def _duration(seconds: float) -> str:
    if seconds < 3600 * 48:
        return f"{seconds / 3600:.3g} hours"
    years = seconds / (365.25 * 24 * 3600)
    return f"{seconds / 86400:.3g} days" if years < 1 else f"{years:.3g} years"
