"""Results that show themselves: a short ``repr``, an HTML table in a notebook, a DataFrame.

Every result object a person meets (bounds, estimates, certificates, the
check report, the pipelines' results) mixes in :class:`Display`, which gives

* ``_repr_html_()``: a compact HTML table, which Jupyter shows instead of the
  ``repr`` (long tables are cut to their first and last rows);
* ``to_pandas()``: the same table as a pandas DataFrame (the ``pandas`` extra:
  ``pip install skillgraph[pandas]``);
* a short ``repr`` naming the main numbers, for classes without their own.

:func:`json_ready` is the one conversion of a result to plain JSON values
(every ``as_dict``, every ``summary.json``, every ``--json`` output);
:class:`JsonRecord` gives a dataclass result the ``as_dict`` that applies it
to all its fields.

A class says what its table is by overriding :meth:`Display._display_rows`
(default: one row, :meth:`Display._display_record`, the dataclass fields that
hold a single number, string or flag) and, optionally,
:meth:`Display._display_title`.
"""

from __future__ import annotations

import dataclasses
import html
import math
import numbers
from functools import partial

import numpy as np

from skillgraph._docstrings import fill_doc

__all__ = [
    "Display",
    "FigureDict",
    "JsonRecord",
    "figure_dict",
    "frame",
    "html_table",
    "json_ready",
    "plain",
    "require_pandas",
]

#: tables longer than this show their first and last rows only
MAX_HTML_ROWS = 20
#: a repr names at most this many fields
_MAX_REPR_FIELDS = 8


def require_pandas():
    """The pandas module, or an ImportError that says how to install it."""
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "DataFrames need pandas, an optional dependency of skillgraph: "
            "pip install 'skillgraph[pandas]'"
        ) from None
    return pandas


def frame(rows: list[dict], columns=None):
    """A pandas DataFrame of ``rows`` (columns in ``columns`` order, then any others).

    Numpy scalars become Python numbers; a missing number is NaN, a missing
    string ``None``.
    """
    pd = require_pandas()
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    else:
        columns = list(dict.fromkeys([*columns, *(k for row in rows for k in row)]))
    return pd.DataFrame([{k: plain(row.get(k)) for k in columns} for row in rows],
                        columns=columns)  # fmt: skip


def plain(value):
    """A numpy scalar as the Python number it holds; any other value as it is."""
    return value.item() if isinstance(value, np.generic) else value


def json_ready(value, *, infinity=None):
    """``value`` in plain JSON types, ready for ``json.dumps(..., allow_nan=False)``.

    Dataclass instances and dicts become dicts; lists, tuples and arrays
    lists; numpy scalars Python numbers.  JSON has no NaN or infinity, so NaN
    and ``-inf`` become ``None`` and ``inf`` becomes ``infinity`` (``None``
    unless a file format says otherwise, as ``summary.json`` of the memory
    pipeline does with ``"inf"`` for an unbounded memory).

    Examples
    --------
    >>> json_ready({"a": np.float32(0.5), "b": (1, np.inf), "c": np.array([np.nan])})
    {'a': 0.5, 'b': [1, None], 'c': [None]}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: json_ready(item, infinity=infinity) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [json_ready(item, infinity=infinity) for item in value]
    value = plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return infinity if value == math.inf else None
    return value


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, str | bool | numbers.Number | np.generic)


def _cell_text(value) -> str:
    """A number to 6 significant digits, anything else as its ``str``."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def html_table(rows: list[dict], title: str = "", max_rows: int = MAX_HTML_ROWS) -> str:
    """A compact HTML table of ``rows`` under ``title``; long tables show head and tail."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    shown: list[dict | None] = list(rows)
    if len(rows) > max_rows:
        head = max_rows - max_rows // 4
        shown = [*rows[:head], None, *rows[len(rows) - max_rows // 4:]]
    esc = html.escape
    parts = ['<div class="skillgraph-result">']
    if title:
        parts.append(f"<p><b>{esc(title)}</b></p>")
    parts.append('<table class="dataframe"><thead><tr>')
    parts += [f"<th>{esc(str(c))}</th>" for c in columns]
    parts.append("</tr></thead><tbody>")
    for row in shown:
        if row is None:
            hidden = len(rows) - len(shown) + 1
            parts.append(f'<tr><td colspan="{len(columns)}">... {hidden} more rows ...</td></tr>')
            continue
        cells = "".join(f"<td>{esc(_cell_text(row.get(c)))}</td>" for c in columns)
        parts.append(f"<tr>{cells}</tr>")
    parts.append(f"</tbody></table><p>{len(rows)} rows</p></div>" if len(rows) > 1
                 else "</tbody></table></div>")  # fmt: skip
    return "".join(parts)


class JsonRecord:
    """Mixin for a dataclass result: ``as_dict()``, all its fields as plain JSON values."""

    def as_dict(self) -> dict:
        """Plain Python types (lists for arrays, non-finite numbers as None), for JSON."""
        return json_ready(self)


class Display:
    """Mixin: ``_repr_html_``, ``to_pandas`` and a short ``repr`` from one table.

    Subclasses override :meth:`_display_rows` (tabular results) or
    :meth:`_display_record` (one-row results) and :meth:`_display_title`.
    A dataclass keeps this ``repr`` only when declared with ``repr=False``.
    """

    def _display_record(self) -> dict:
        """The fields holding one number, string or flag (dataclass order)."""
        if not dataclasses.is_dataclass(self):
            return {}
        record = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.repr and _is_scalar(value):
                record[f.name] = plain(value)
        return record

    def _display_rows(self) -> list[dict]:
        """The table: one row per number (default: the one row of :meth:`_display_record`)."""
        return [self._display_record()]

    def _display_title(self) -> str:
        """The line above the HTML table (default: the class name)."""
        return type(self).__name__

    @fill_doc()
    def to_pandas(self):
        """This result's table as a pandas DataFrame (needs the ``pandas`` extra).

        %(returns_frame)s
        """
        return frame(self._display_rows())

    def _repr_html_(self) -> str:
        return html_table(self._display_rows(), self._display_title())

    def __repr__(self) -> str:
        fields = list(self._display_record().items())
        more = ", ..." if len(fields) > _MAX_REPR_FIELDS else ""
        text = ", ".join(f"{k}={_repr_value(v)}" for k, v in fields[:_MAX_REPR_FIELDS])
        return f"{type(self).__name__}({text}{more})"


def _repr_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def _figure_png(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


class FigureDict(dict):
    """A dict of matplotlib figures by name that a notebook shows as images.

    Each figure also shows itself (``_repr_png_``) when displayed alone,
    with or without pyplot.
    """

    def _repr_html_(self) -> str:
        import base64

        parts = []
        for name, fig in self.items():
            data = base64.b64encode(_figure_png(fig)).decode("ascii")
            name = html.escape(name)
            parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{name}"/>'
                         f"<figcaption>{name}</figcaption></figure>")  # fmt: skip
        return "".join(parts)


def figure_dict(figures: dict) -> FigureDict:
    """``figures`` (name -> Figure) as a :class:`FigureDict`; each figure displays as PNG."""
    for fig in figures.values():
        # the object-oriented figures of skillgraph.plotting have no pyplot manager, so
        # IPython has no formatter for them unless pyplot was imported: give them one
        fig._repr_png_ = partial(_figure_png, fig)
    return FigureDict(figures)
