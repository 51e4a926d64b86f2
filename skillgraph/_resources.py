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
    "check_edge_audit",
    "MIN_EDGE_LINE_BYTES",
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


#: ``skillgraph check`` of an edge file, measured on a 2-core reference machine (8,000 edges,
#: declared sizes raised one at a time): memory per declared text piece (the graph's offsets
#: and the audit's per-text arrays), seconds per declared text piece and per declared skill
#: (the certificates scan every skill, edges or not), seconds per edge
CHECK_BYTES_PER_TEXT = 96
CHECK_BYTES_PER_EDGE = 64
CHECK_SECONDS_PER_TEXT = 3e-5
CHECK_SECONDS_PER_SKILL = 2e-3
CHECK_SECONDS_PER_EDGE = 2e-6
#: an edge line is at least ``"0,0\n"``
MIN_EDGE_LINE_BYTES = 4


def check_edge_audit(
    n_texts: int,
    n_skills: int,
    n_edges: int,
    hint: str = "Declare fewer text pieces (--n-texts) or skills (--n-skills).",
) -> float:
    """Refuse an edge-file check that would not fit or not finish; return its seconds.

    Called twice by ``skillgraph check --edges``: before reading, with the
    declared sizes (0 when not declared) and ``n_edges`` from the file's size
    and the length of its first lines (at least :data:`MIN_EDGE_LINE_BYTES`
    a line), and after, with the graph's own.

    Parameters
    ----------
    n_texts, n_skills, n_edges : int
        Text pieces, skills (isolated ones included) and edges.
    hint : str
        What makes the check feasible.

    Returns
    -------
    float
        The estimated seconds (the caller says so when it is long).

    Raises
    ------
    MemoryLimitError, ResourceLimitError
        With the estimate and the declared size to lower.
    """
    texts, skills, edges = int(n_texts), int(n_skills), int(n_edges)
    sizes = [f"{texts:,} text pieces"] if texts else []
    sizes += [f"{skills:,} skills"] if skills else []
    what = "checking a graph of " + ", ".join([*sizes, f"about {edges:,} edges"])
    check_memory(CHECK_BYTES_PER_TEXT * texts + CHECK_BYTES_PER_EDGE * edges, what, hint)
    seconds = (CHECK_SECONDS_PER_TEXT * texts + CHECK_SECONDS_PER_SKILL * skills
               + CHECK_SECONDS_PER_EDGE * edges)  # fmt: skip
    check_time(seconds, what, hint)
    return seconds

