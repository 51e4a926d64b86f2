"""What the machine can hold: memory probes and the estimates checked before work.

Every entry point that allocates in proportion to its input calls
:func:`check_memory` with its own estimate *before* allocating, so that work
too large for the machine is refused with the estimate instead of being
killed by the operating system half way.
"""

from __future__ import annotations

import os

__all__ = ["available_memory", "check_memory", "MEMORY_FRACTION"]

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


def check_memory(nbytes: int, what: str) -> None:
    """Refuse, before allocating, work whose arrays would not fit in memory.

    Raises
    ------
    MemoryError
        With the estimate, the memory available and a pointer to streaming.
    """
    limit = MEMORY_FRACTION * available_memory()
    if nbytes > limit:
        raise MemoryError(
            f"{what} needs about {nbytes / 2**30:.1f} GiB, more than the "
            f"{limit / 2**30:.1f} GiB this machine can spare (80% of available memory). "
            "Use skillgraph.stream(...) for failure models local to a text piece "
            "(random, deficit): it keeps only per-skill counts, O(n_skills) memory."
        )

