"""Reading a user's graph: edge-list files with line-numbered errors.

:func:`load_edges` reads a CSV or TSV of ``text_id,skill_id`` pairs (header
optional) into a :class:`~skillgraph.core.graph.SkillGraph`, reporting every
problem with its file and line.
"""

from __future__ import annotations

import os
from array import array

import numpy as np

from skillgraph.core.graph import MAX_SKILLS

__all__ = ["EdgeFileError", "load_edges"]


class EdgeFileError(ValueError):
    """A problem in a user's edge-list file; the message names the file and line."""


_TEXT_NAMES = ("text_id", "text", "text_ids", "t")
_SKILL_NAMES = ("skill_id", "skill", "skill_ids", "s")
_MAX_ID = MAX_SKILLS - 1  # skill ids are int32
_MAX_ERRORS = 10


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True


def _split(line: str, delimiter: str | None) -> list[str]:
    fields = line.split() if delimiter is None else line.split(delimiter)
    # spreadsheets quote fields: "3","17"
    return [f.strip().strip('"').strip("'").strip() for f in fields]


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
        (a ``ValueError``) naming the file and the line of each problem (up
        to 10): missing columns, non-integer or negative ids, ids out of range,
        a repeated header, an empty file.
    FileNotFoundError
        If the file does not exist.
    """
    from skillgraph._validation import check_int
    from skillgraph.core.graph import SkillGraph

    if n_texts is not None:
        n_texts = check_int("n_texts", n_texts, 1)
    if n_skills is not None:
        n_skills = check_int("n_skills", n_skills, 1, _MAX_ID + 1)
    name = os.fspath(path)
    if not os.path.exists(name):
        raise FileNotFoundError(f"edge file {name!r} does not exist")
    if os.path.isdir(name):
        raise EdgeFileError(f"{name}: is a directory, not an edge file")

    errors: list[str] = []
    # compact growing arrays (8 bytes an id): a list of Python ints would take ~36
    texts = array("q")
    skills = array("q")
    delimiter: str | None = None
    detected = False
    header: list[str] | None = None
    header_line = 0
    cols = (0, 1)
    n_cols = 2

    def error(lineno: int, msg: str) -> None:
        errors.append(f"{name}:{lineno}: {msg}")

    with open(name, encoding="utf-8-sig", errors="replace") as f:
        for lineno, raw in enumerate(f, start=1):
            if len(errors) >= _MAX_ERRORS:
                break
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if not detected:
                delimiter = "," if "," in line else ("\t" if "\t" in line else None)
                detected = True
            fields = _split(line, delimiter)
            lowered = [f.lower() for f in fields]
            if not all(_is_int(f) for f in fields[:2]) and any(
                f in _TEXT_NAMES + _SKILL_NAMES for f in lowered
            ):
                if header is not None:
                    error(lineno, f"duplicate header (the header is on line {header_line}): "
                                  f"{line!r}")
                    continue
                if texts:
                    error(lineno, f"header {line!r} after data lines: a header must come first")
                    continue
                t_col = next((i for i, f in enumerate(lowered) if f in _TEXT_NAMES), None)
                s_col = next((i for i, f in enumerate(lowered) if f in _SKILL_NAMES), None)
                if t_col is None or s_col is None:
                    missing = "text_id" if t_col is None else "skill_id"
                    error(lineno, f"header {line!r} has no {missing} column "
                                  "(expected columns text_id and skill_id)")
                    break
                header, header_line, cols, n_cols = fields, lineno, (t_col, s_col), len(fields)
                continue
            if header is None and not texts and not all(_is_int(f) for f in fields):
                # a first line that is neither data nor a recognisable header
                if len(fields) >= 2 and not any(_is_int(f) for f in fields):
                    error(lineno, f"unrecognised header {line!r}: name the columns text_id and "
                                  "skill_id, or leave the header out")
                    break
            if len(fields) < n_cols:
                error(lineno, f"expected {n_cols} columns (text_id, skill_id), got "
                              f"{len(fields)}: {line!r}")
                continue
            if header is None and len(fields) > 2:
                error(lineno, f"expected 2 columns (text_id, skill_id), got {len(fields)}: "
                              f"{line!r} (a header naming the columns allows extra ones)")
                continue
            row_ok = True
            values = []
            checks = (("text_id", cols[0], n_texts), ("skill_id", cols[1], n_skills))
            for what, col, limit in checks:
                token = fields[col]
                if not _is_int(token):
                    error(lineno, f"{what} {token!r} is not an integer")
                    row_ok = False
                    continue
                value = int(token)
                if value < 0:
                    error(lineno, f"{what} {value} is negative (ids start at 0)")
                    row_ok = False
                elif limit is not None and value >= limit:
                    option = "--n-texts" if what == "text_id" else "--n-skills"
                    error(lineno, f"{what} {value} out of range: {option} is {limit}, so ids "
                                  f"must be 0..{limit - 1}")
                    row_ok = False
                elif value > _MAX_ID:
                    error(lineno, f"{what} {value} out of range (ids must be <= {_MAX_ID})")
                    row_ok = False
                values.append(value)
            if row_ok:
                texts.append(values[0])
                skills.append(values[1])
    if errors:
        more = " (stopped after 10 errors)" if len(errors) >= _MAX_ERRORS else ""
        raise EdgeFileError("invalid edge file:\n  " + "\n  ".join(errors) + more)
    if not texts:
        what = "only a header" if header is not None else "an empty file"
        raise EdgeFileError(
            f"{name}:1: no edges found ({what}); expected lines of text_id,skill_id pairs"
        )
    return SkillGraph.from_edges(
        np.frombuffer(texts, dtype=np.int64),
        np.frombuffer(skills, dtype=np.int64),
        n_texts=n_texts,
        n_skills=n_skills,
    )

