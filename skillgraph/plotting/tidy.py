"""Tidy tables as the figures read them: columns of numbers or strings, selected by value.

Every figure of :mod:`skillgraph.plotting` takes a tidy table (one
row per number, a ``quantity`` column saying what the number is; see
:mod:`skillgraph.tables`) as a list of row dicts, a dict of columns or a
pandas DataFrame.  :func:`table_columns` turns any of these into numpy
columns; the other functions select rows from them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["table_columns", "select", "require", "unique", "rows_of"]


def table_columns(table) -> dict[str, np.ndarray]:
    """Normalise a tidy table into a dict of numpy columns.

    Parameters
    ----------
    table : list of dict, dict of sequences, or pandas.DataFrame
        Rows (missing keys become empty cells), columns, or any object with
        ``to_dict("list")``.

    Returns
    -------
    dict of ndarray
        Numeric columns as float arrays (``None``, ``""`` and ``"nan"`` cells
        become NaN), other columns as object arrays of strings (NaN cells
        become ``""``).

    Raises
    ------
    TypeError
        ``table`` is none of the accepted types.
    ValueError
        ``table`` has no rows.

    Examples
    --------
    >>> cols = table_columns([{"t": 1, "source": "bound"}, {"t": 2, "source": "random"}])
    >>> cols["t"].tolist(), cols["source"].tolist()
    ([1.0, 2.0], ['bound', 'random'])
    """
    if hasattr(table, "to_dict") and not isinstance(table, Mapping):
        table = table.to_dict("list")
    if isinstance(table, Mapping):
        cols = {k: list(v) for k, v in table.items()}
    elif isinstance(table, Sequence) and not isinstance(table, (str, bytes)):
        if not table:
            raise ValueError("table has no rows")
        if not all(isinstance(r, Mapping) for r in table):
            raise TypeError("table must be a list of row dicts, a dict of columns or a DataFrame")
        keys = list(dict.fromkeys(k for r in table for k in r))
        cols = {k: [r.get(k) for r in table] for k in keys}
    else:
        raise TypeError(
            "table must be a list of row dicts, a dict of columns or a DataFrame, "
            f"got {type(table).__name__}"
        )
    return {k: _as_column(v) for k, v in cols.items()}


def _as_column(values: list) -> np.ndarray:
    cleaned = [math.nan if (v is None or v == "") else v for v in values]
    try:
        return np.asarray(cleaned, dtype=float)
    except (TypeError, ValueError):
        return np.asarray(
            ["" if (isinstance(v, float) and math.isnan(v)) else str(v) for v in cleaned],
            dtype=object,
        )


def select(cols: dict, **where) -> np.ndarray:
    """Boolean mask of the rows whose columns equal ``where`` (numbers to 1e-12 relative).

    Raises
    ------
    ValueError
        A column of ``where`` is not in the table.
    """
    n = len(next(iter(cols.values())))
    mask = np.ones(n, dtype=bool)
    for key, value in where.items():
        if key not in cols:
            raise ValueError(f"table has no column {key!r} (columns: {', '.join(cols)})")
        col = cols[key]
        if col.dtype == object:
            mask &= col == value
        else:
            mask &= np.isclose(col, value, rtol=1e-12, atol=0.0)
    return mask


def require(cols: dict, names: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming the columns of ``names`` that ``what`` needs and lacks."""
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError(
            f"{what} needs the columns {', '.join(missing)}; table has {', '.join(cols)}"
        )


def unique(col: np.ndarray) -> list:
    """Distinct values: strings in order of appearance (no empties), numbers sorted (no NaN)."""
    if col.dtype == object:
        return list(dict.fromkeys(v for v in col if v != ""))
    return sorted(float(v) for v in np.unique(col[np.isfinite(col)]))


def rows_of(table, quantity: str, needs: Sequence[str], what: str) -> dict[str, np.ndarray]:
    """The columns of the rows of ``table`` with ``quantity``, after checking ``needs``.

    Raises
    ------
    ValueError
        A column of ``needs`` is missing, or no row has this quantity.
    """
    cols = table_columns(table)
    require(cols, needs, what)
    rows = select(cols, quantity=quantity)
    if not rows.any():
        raise ValueError(f"table has no rows with quantity {quantity!r}")
    return {k: v[rows] for k, v in cols.items()}
