"""One tidy-table format for every pipeline: cells, CSV files and atomic writes.

Every pipeline of skillgraph (``emerge``, sweeps, the mechanisms) writes its
numbers as a *tidy table*: one row per measured number, one column per
parameter, and the columns

``quantity``
    what the row measures (``"bad_fraction"``, ``"in_context_accuracy"``...);
``value``, ``ci_low``, ``ci_high``
    the number and its confidence interval (NaN where none applies).

Cells follow one convention everywhere: floats as their shortest exact
``repr`` (they read back bit for bit), ``nan`` for a number that does not
apply, ``true``/``false`` for booleans, and the empty cell for a column that
does not belong to the row at all (``None``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

__all__ = [
    "atomic_write",
    "format_cell",
    "parse_cell",
    "prepare_output_dir",
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


def format_cell(value) -> str:
    """One CSV cell: exact round-trip reprs for floats, ``nan``, empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


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
    """Read a table written by :func:`write_table` back into row dicts (types restored)."""
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: parse_cell(v) for k, v in row.items()} for row in csv.DictReader(f)]


def prepare_output_dir(out_dir: str | os.PathLike) -> Path:
    """Create ``out_dir`` if needed and check that files can be written in it.

    Called before any work, so that a run is never lost for want of a place
    to write it.

    Returns
    -------
    Path

    Raises
    ------
    NotADirectoryError
        ``out_dir`` is an existing file.
    OSError
        ``out_dir`` cannot be created (it lies under a file, in a read-only
        place...) or written to.
    """
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
