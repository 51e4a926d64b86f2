"""One tidy-table format for every pipeline: cells, CSV files and atomic writes.

Every pipeline of skillgraph (``emerge``, sweeps, the mechanisms) writes its
numbers as a *tidy table*: one row per measured number, one column per
parameter, and the columns

``quantity``
    what the row measures (``"bad_fraction"``, ``"in_context_accuracy"``...);
``value``, ``ci_low``, ``ci_high``
    the number and its confidence interval (NaN where none applies).

``source``
    where the number comes from, the same words in every pipeline:
    ``bound`` (Theorem 1 / Corollary 2), ``averaging`` (the averaging bound),
    ``sharp`` (the sharp worst case; ``sharp_lower``/``sharp_upper`` the two
    sides of its tuple law), ``certificate`` (a finite-size
    certificate), ``adversary`` (a worst-case search), the name of the
    failure model that was simulated (``random``, ``deficit``...), or of a
    mechanism that uses no failure set (``memory``, ``induction``).  Bounds and
    simulations are told apart by this column in ``emerge`` and sweep tables
    alike (:data:`skillgraph.tables.BOUND_SOURCES`).

Cells follow one convention everywhere: floats as their shortest exact
``repr`` (they read back bit for bit), ``nan`` for a number that does not
apply, ``true``/``false`` for booleans, and the empty cell for a column that
does not belong to the row at all (``None``).  Numpy scalars are written as
the Python numbers they hold (``np.float64(0.25)`` as ``0.25``,
``np.bool_(True)`` as ``true``, a ``float32`` as the double it equals), so
they read back as Python ``float``/``int``/``bool``.

Reading back: :func:`read_table` gives row dicts with ``None`` for an empty
cell and ``float("nan")`` for ``nan``; :func:`read_frame` gives a pandas
DataFrame (the ``pandas`` extra) in which both are missing values: NaN in a
numeric column, ``None`` in a column of strings.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from skillgraph._display import frame, plain
from skillgraph._docstrings import fill_doc


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

__all__ = [
    "BOUND_SOURCES",
    "atomic_write",
    "format_cell",
    "missing",
    "parse_cell",
    "prepare_output_dir",
    "read_frame",
    "read_table",
    "table_text",
    "write_table",
]


def atomic_write(path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path``: readers see the old file or the new one, never half.

    The temporary file lives in the same directory (a rename across file
    systems is not atomic) and is fsynced before the rename, so that a power
    loss cannot leave a renamed but empty file.
    """
    path = Path(path)
    try:
        _replace_with(path, text)
    except OSError as exc:  # say which file (a full disk names none)
        err = type(exc)(f"cannot write {str(path)!r}: {exc.strerror or exc}")
        err.errno = exc.errno
        raise err from None


def _replace_with(path: Path, text: str | bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if isinstance(text, bytes):
            f = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a result file is as open() makes it
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


#: Values of the ``source`` column that mark a bound (not a simulation or a search):
#: ``sharp_lower``/``sharp_upper`` are the two sides of the sharp tuple law.
BOUND_SOURCES = ("bound", "averaging", "sharp", "sharp_lower", "sharp_upper", "certificate")


def format_cell(value) -> str:
    """One CSV cell: exact round-trip reprs for floats, ``nan``, empty for ``None``.

    :func:`parse_cell` inverts it: a Python or numpy ``float``, ``int`` or
    ``bool`` reads back as the Python number of equal value (NaN as NaN).

    Examples
    --------
    >>> import numpy as np
    >>> [format_cell(v) for v in (np.float64(0.25), np.bool_(True), np.int64(7), None)]
    ['0.25', 'true', '7', '']
    """
    if value is None:
        return ""
    value = plain(value)  # np.float64 is a float whose repr is 'np.float64(...)'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def missing(value) -> bool:
    """Whether a cell holds no number: ``None`` (not in the row) or NaN (does not apply).

    Examples
    --------
    >>> [missing(v) for v in (None, float("nan"), 0.0, "")]
    [True, True, False, False]
    """
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_cell(text: str):
    """Invert :func:`format_cell`: ``None``, bool, int, float or the string itself."""
    if text == "":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def table_text(rows: Iterable[dict], columns: Sequence[str]) -> str:
    """The CSV text of ``rows`` (dicts; missing keys become empty cells) under ``columns``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def write_table(path, rows: Iterable[dict], columns: Sequence[str]) -> Path:
    """Write a tidy table to ``path`` atomically and return the path."""
    path = Path(path)
    atomic_write(path, table_text(rows, columns))
    return path


def read_table(path) -> list[dict]:
    """Read a table written by :func:`write_table` back into row dicts (types restored).

    An empty cell (a column that does not belong to the row) reads as
    ``None``, a ``nan`` cell (a number that does not apply) as
    ``float("nan")``; see :func:`read_frame` for a DataFrame.
    """
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: parse_cell(v) for k, v in row.items()} for row in csv.DictReader(f)]


@fill_doc()
def read_frame(path):
    """Read a table written by :func:`write_table` into a pandas DataFrame.

    Columns keep the file's order; numeric columns hold NaN for both empty
    and ``nan`` cells, string columns ``None`` for empty cells.  Needs pandas
    (``pip install skillgraph[pandas]``).

    %(returns_frame)s
    """
    with open(path, newline="", encoding="utf-8") as f:
        columns = next(csv.reader(f), [])
    return frame(read_table(path), columns)


def prepare_output_dir(out_dir: str | os.PathLike) -> Path:
    """Create ``out_dir`` if needed and check that files can be written in it.

    Called before any work, so that a run is never lost for want of a place
    to write it.

    Returns
    -------
    Path

    Raises
    ------
    TypeError, ValueError
        ``out_dir`` is not a path, or is empty (which would mean the current
        directory).
    NotADirectoryError
        ``out_dir`` is an existing file.
    OSError
        ``out_dir`` cannot be created (it lies under a file, in a read-only
        place...) or written to.
    """
    if not isinstance(out_dir, str | os.PathLike):
        raise TypeError(f"out_dir must be a path (str or os.PathLike), got {out_dir!r}")
    if not os.fspath(out_dir):
        raise ValueError("out_dir must name a directory, got an empty path")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"out_dir must be a directory, got the file {str(out)!r}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:  # same class (PermissionError...), a message without the errno
        raise type(exc)(f"out_dir {str(out)!r} cannot be used: {exc.strerror or exc}") from None
    return out
