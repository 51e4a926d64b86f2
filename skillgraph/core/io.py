"""Reading a user's graph: edge-list files with line-numbered errors.

:func:`load_edges` reads a CSV or TSV of ``text_id,skill_id`` pairs (header
optional) into a :class:`~skillgraph.core.graph.SkillGraph`, reporting every
problem with its file and line.
"""

from __future__ import annotations

import os
import re
import stat
from array import array

import numpy as np

from skillgraph._validation import check_int
from skillgraph.core.graph import MAX_SKILLS, SkillGraph

__all__ = ["EdgeFileError", "MAX_LINE_BYTES", "check_input_file", "load_edges"]


class EdgeFileError(ValueError):
    """A problem in a user's edge-list file; the message names the file and line."""


_TEXT_NAMES = ("text_id", "text", "text_ids", "t")
_SKILL_NAMES = ("skill_id", "skill", "skill_ids", "s")
_MAX_ID = MAX_SKILLS - 1  # skill ids are int32
_MAX_ERRORS = 10
#: problems quoted in the message (the rest are counted)
_SHOWN_ERRORS = 3
#: the longest line read (bytes): a pair of ids and a few named columns fit many times over
MAX_LINE_BYTES = 1 << 16
#: how much of a bad line a message quotes
_QUOTED = 60
#: an id: ASCII digits, optionally negative (to say so); no ``+``, ``_``, spaces or other digits
_INT = re.compile(r"-?[0-9]+")


def _is_int(token: str) -> bool:
    return _INT.fullmatch(token) is not None


def _quote(line: str) -> str:
    """``line`` as a message quotes it: repr, cut to a few dozen characters."""
    if len(line) <= _QUOTED:
        return repr(line)
    return repr(line[:_QUOTED]) + f"... ({len(line):,} characters)"


def _split(line: str, delimiter: str | None) -> list[str]:
    fields = line.split() if delimiter is None else line.split(delimiter)
    # spreadsheets quote fields: "3","17"
    return [f.strip().strip('"').strip("'").strip() for f in fields]


def _is_header(fields: list[str]) -> bool:
    """Return True when ``fields`` name columns (not two integer ids, some known name)."""
    names = _TEXT_NAMES + _SKILL_NAMES
    return not all(_is_int(f) for f in fields[:2]) and any(f.lower() in names for f in fields)


def _id_problem(what: str, token: str, limit: int | None) -> str | None:
    """Return why ``token`` is not a valid ``what`` id (below ``limit``), or None when it is."""
    if not _is_int(token):
        return f"{what} {_quote(token)} is not an integer (ASCII digits 0-9 only)"
    value = int(token)
    if value < 0:
        return f"{what} {value} is negative (ids start at 0)"
    if limit is not None and value >= limit:
        option = "--n-texts" if what == "text_id" else "--n-skills"
        return f"{what} {value} out of range: {option} is {limit}, so ids must be 0..{limit - 1}"
    if value > _MAX_ID:
        return f"{what} {value} out of range (ids must be <= {_MAX_ID})"
    return None


class _EdgeReader:
    """Reads one edge file line by line: its layout, the edges, and line-numbered errors."""

    def __init__(self, name: str, n_texts: int | None, n_skills: int | None) -> None:
        self.name, self.n_texts, self.n_skills = name, n_texts, n_skills
        self.errors: list[str] = []
        # compact growing arrays (8 bytes an id): a list of Python ints would take ~36
        self.texts = array("q")
        self.skills = array("q")
        self.delimiter: str | None = None  # comma, tab, or None for whitespace
        self.detected = False
        self.header_line = 0  # 0: no header (so far)
        self.cols = (0, 1)
        self.n_cols = 2

    def error(self, lineno: int, msg: str) -> None:
        """Record ``msg`` as an error of line ``lineno``."""
        self.errors.append(f"{self.name}:{lineno}: {msg}")

    def read(self) -> None:
        """Read the file into ``texts``, ``skills`` and ``errors`` (stops at ``_MAX_ERRORS``).

        Lines are read in bounded pieces: a line longer than :data:`MAX_LINE_BYTES`
        stops the reading at once, whatever its length.
        """
        with open(self.name, "rb") as f:
            for lineno in range(1, 2**62):
                raw = f.readline(MAX_LINE_BYTES + 1)
                if not raw or len(self.errors) >= _MAX_ERRORS:
                    break
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    self.error(lineno, f"line longer than {MAX_LINE_BYTES:,} bytes: not an edge "
                                       "list (one text_id,skill_id pair per line)")  # fmt: skip
                    break
                if lineno == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
                line = raw.decode("utf-8", errors="replace").strip()
                if not line or line.startswith("#"):
                    continue
                if not self.read_line(lineno, line):
                    break

    def read_line(self, lineno: int, line: str) -> bool:
        """Return False when reading must stop (a header that cannot be used), else True."""
        if not self.detected:
            self.delimiter = "," if "," in line else ("\t" if "\t" in line else None)
            self.detected = True
        fields = _split(line, self.delimiter)
        if _is_header(fields):
            return self.read_header(lineno, line, fields)
        if not self.header_line and not self.texts and len(fields) >= 2 and not any(
            _is_int(f) for f in fields
        ):
            # a first line that is neither data nor a recognisable header
            self.error(lineno, f"unrecognised header {_quote(line)}: name the columns text_id and "
                               "skill_id, or leave the header out")
            return False
        self.read_row(lineno, line, fields)
        return True

    def read_header(self, lineno: int, line: str, fields: list[str]) -> bool:
        """Return False when the header lacks an id column (reading stops), else True."""
        if self.header_line:
            self.error(lineno, f"duplicate header (the header is on line {self.header_line}): "
                               f"{_quote(line)}")
            return True
        if self.texts:
            self.error(lineno, f"header {_quote(line)} after data lines: a header must come first")
            return True
        lowered = [f.lower() for f in fields]
        t_col = next((i for i, f in enumerate(lowered) if f in _TEXT_NAMES), None)
        s_col = next((i for i, f in enumerate(lowered) if f in _SKILL_NAMES), None)
        if t_col is None or s_col is None:
            missing = "text_id" if t_col is None else "skill_id"
            self.error(lineno, f"header {_quote(line)} has no {missing} column "
                               "(expected columns text_id and skill_id)")
            return False
        self.header_line, self.cols, self.n_cols = lineno, (t_col, s_col), len(fields)
        return True

    def read_row(self, lineno: int, line: str, fields: list[str]) -> None:
        """Add the row's edge to ``texts`` and ``skills``, or record what is wrong with it."""
        if len(fields) < self.n_cols:
            self.error(lineno, f"expected {self.n_cols} columns (text_id, skill_id), got "
                               f"{len(fields)}: {_quote(line)}")
            return
        if not self.header_line and len(fields) > 2:
            self.error(lineno, f"expected 2 columns (text_id, skill_id), got {len(fields)}: "
                               f"{_quote(line)} (a header naming the columns allows extra ones)")
            return
        text, skill = fields[self.cols[0]], fields[self.cols[1]]
        problems = [
            problem
            for what, token, limit in (("text_id", text, self.n_texts),
                                       ("skill_id", skill, self.n_skills))
            if (problem := _id_problem(what, token, limit)) is not None
        ]
        for problem in problems:
            self.error(lineno, problem)
        if not problems:
            self.texts.append(int(text))
            self.skills.append(int(skill))



def _errors_message(errors: list[str]) -> str:
    """One line: the first few problems, then how many more."""
    shown = "; ".join(errors[:_SHOWN_ERRORS])
    more = len(errors) - _SHOWN_ERRORS
    if more > 0:
        stopped = " (reading stopped there)" if len(errors) >= _MAX_ERRORS else ""
        shown += f"; and {more} more problem(s){stopped}"
    return f"invalid edge file: {shown}"


def check_input_file(name: str, what: str) -> None:
    """Refuse, before reading, an input that is missing or not a regular file.

    A FIFO or a device (``/dev/zero``) would block or never end.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, OSError
        With a one-line message naming ``what`` and ``name``.
    """
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} {name!r} does not exist") from None
    except OSError as exc:
        raise OSError(f"{what} {name!r} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{what} {name!r} is a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise OSError(f"{what} {name!r} is {kind}, not a regular file")
    if not os.access(name, os.R_OK):
        raise PermissionError(f"{what} {name!r} cannot be read: permission denied")


def load_edges(path, *, n_texts: int | None = None, n_skills: int | None = None):
    """Read a user's edge list into a :class:`~skillgraph.core.graph.SkillGraph`.

    Parameters
    ----------
    path : str or os.PathLike
        A text file with one ``text_id,skill_id`` pair per line: comma-,
        tab- or whitespace-separated (detected from the first data line).  An
        optional header names the columns ``text_id`` and ``skill_id`` (in
        either order; extra named columns are ignored).  Blank lines and lines
        starting with ``#`` are skipped.  A repeated pair is an edge of
        multiplicity 2.  Text pieces may have different numbers of skills.
    n_texts, n_skills : int, optional
        Declared sizes; ids must then be below them (else, one more than the
        largest id).

    Returns
    -------
    SkillGraph

    Raises
    ------
    EdgeFileError
        (a ``ValueError``) on one line, naming the file and the line of the
        first problems (reading stops after 10): missing columns, ids that are
        not plain ASCII integers (``1_000``, ``+1`` and other scripts' digits
        are refused), negative ids, ids out of range, a repeated header, a
        line longer than :data:`MAX_LINE_BYTES`, an empty file.
    OSError
        The file is missing, unreadable, a directory, a FIFO or a device
        (:func:`check_input_file`).
    """
    if n_texts is not None:
        n_texts = check_int("n_texts", n_texts, 1)
    if n_skills is not None:
        n_skills = check_int("n_skills", n_skills, 1, _MAX_ID + 1)
    name = os.fspath(path)
    check_input_file(name, "edge file")

    reader = _EdgeReader(name, n_texts, n_skills)
    reader.read()
    errors, texts, skills = reader.errors, reader.texts, reader.skills
    if errors:
        raise EdgeFileError(_errors_message(errors))
    if not texts:
        what = "only a header" if reader.header_line else "an empty file"
        raise EdgeFileError(
            f"{name}:1: no edges found ({what}); expected lines of text_id,skill_id pairs"
        )
    return SkillGraph.from_edges(
        np.frombuffer(texts, dtype=np.int64),
        np.frombuffer(skills, dtype=np.int64),
        n_texts=n_texts,
        n_skills=n_skills,
    )

