"""One progress bar for every long-running pipeline (sweeps, ``emerge``, the mechanisms).

:func:`progress_bar` returns a ``tqdm`` bar on stderr when tqdm is installed
and the bar is wanted, and otherwise an object with the same small interface
that draws nothing.  Callers never branch on which one they got.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["progress_bar", "NoProgress"]


class NoProgress:
    """A progress bar that draws nothing: ``update``, ``write``, ``close``, context manager.

    ``write`` still prints its message (on stderr by default): messages such
    as "item 17 failed" must reach the user with or without a bar.
    """

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` (ignored)."""

    def write(self, text: str, file=None) -> None:
        """Print ``text`` on ``file`` (default: stderr)."""
        print(text, file=file if file is not None else sys.stderr)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return "NoProgress()"


def _tqdm_class():
    """The bar class for this session: a widget in a notebook with ipywidgets, else text.

    ``tqdm.auto`` picks the widget bar in any notebook and, without ipywidgets,
    warns "IProgress not found" and draws nothing useful: the text bar works
    in a notebook too (on stderr), so it is taken whenever ipywidgets is missing.
    ``None`` when tqdm itself is missing.
    """
    try:
        import tqdm
    except ImportError:  # tqdm is a dependency, but a bar is never worth failing for
        return None
    if importlib.util.find_spec("ipywidgets") is None:
        return tqdm.tqdm
    from tqdm.auto import tqdm as auto

    return auto


def progress_bar(
    total: int | None,
    *,
    enabled: bool = True,
    desc: str = "",
    initial: int = 0,
    unit: str = "it",
    leave: bool = True,
    delay: float = 0.0,
):
    """A progress bar with an ETA on stderr, or a silent stand-in.

    Parameters
    ----------
    total : int or None
        Number of steps (``None``: unknown, no ETA).
    enabled : bool
        ``False`` (``--no-progress``) returns a :class:`NoProgress`.
    desc : str
        Label in front of the bar.
    initial : int
        Steps already done (a resumed sweep starts part way).
    unit : str
        Name of one step ("item", "failure set").
    leave : bool
        Keep the finished bar on screen.
    delay : float
        Seconds before the bar first appears (a command that fails on its
        input in that time prints its one-line error alone).

    Returns
    -------
    tqdm.tqdm or NoProgress
        Both have ``update(n)``, ``write(text, file=None)``, ``close()`` and
        work as context managers.

    Examples
    --------
    >>> with progress_bar(3, enabled=False, desc="demo") as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    """
    if not enabled:
        return NoProgress()
    tqdm = _tqdm_class()
    if tqdm is None:
        return NoProgress()
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit=unit,
        leave=leave,
        delay=delay,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
