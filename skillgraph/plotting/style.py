"""The look of every figure: palette, sizes, fonts, and how a figure is made and saved.

Figures are sized for one journal column (:data:`COLUMN_WIDTH` inches) and
drawn with the Okabe-Ito colour-blind-safe palette.  Only matplotlib's
object-oriented API is used: a :class:`matplotlib.figure.Figure` on an Agg
canvas, never pyplot's global state, so these functions are safe in scripts,
servers and worker processes.  matplotlib is imported inside the functions
(``import skillgraph`` stays cheap).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

from skillgraph.tables import atomic_write

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "MARKERS",
    "COLUMN_WIDTH",
    "DPI",
    "figure_style",
    "new_figure",
    "save_figure",
]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under the
#: common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order of use: the strongest contrasts on white first, yellow last.
PALETTE = tuple(
    OKABE_ITO[c]
    for c in (
        "blue",
        "vermillion",
        "bluish_green",
        "reddish_purple",
        "orange",
        "sky_blue",
        "black",
        "yellow",
    )
)
#: Marker shapes, in order of use (one per series beside the colour).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Width of one journal column, inches.
COLUMN_WIDTH = 3.5
#: Resolution of saved raster figures.
DPI = 300

_RC = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "legend.frameon": False,
    "lines.linewidth": 1.3,
    "lines.markersize": 3.5,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "savefig.dpi": DPI,
    "figure.dpi": 100,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by journals
}


@contextlib.contextmanager
def figure_style():
    """A context in which matplotlib uses the package's figure style.

    Examples
    --------
    >>> with figure_style():
    ...     fig, axes = new_figure()
    """
    import matplotlib as mpl

    with mpl.rc_context(_RC):
        yield


def new_figure(
    nrows: int = 1, ncols: int = 1, *, height: float = 2.6, width: float | None = None, **kwargs
):
    """A figure with constrained layout on an Agg canvas, one column wide per panel column.

    Parameters
    ----------
    nrows, ncols : int
        Panels.
    height : float
        Height in inches.
    width : float, optional
        Width in inches (default :data:`COLUMN_WIDTH` per panel column).
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``...).

    Returns
    -------
    (matplotlib.figure.Figure, ndarray of Axes)
        ``axes`` is 2-d (``squeeze=False``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width = COLUMN_WIDTH * ncols if width is None else width
    with figure_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def save_figure(
    fig, stem: str | os.PathLike, formats: Sequence[str] = ("png",), dpi: int = DPI
) -> list[Path]:
    """Save ``fig`` as ``stem.<format>`` for each format, atomically; return the paths.

    The figure keeps its size (no tight bounding box), so a one-column figure
    is ``COLUMN_WIDTH * dpi`` pixels wide.  Each file is rendered into a
    temporary file beside it and renamed: a reader (or an interrupted run)
    sees the old file or the new one, never half of one.  No creation dates
    are stored, so the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : path-like
        Path without the suffix.
    formats : sequence of str
        File formats, e.g. ``("png", "pdf")``.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of Path
    """
    stem = Path(stem)
    paths = []
    with figure_style():
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            _save_atomically(fig, path, fmt, dpi)
            paths.append(path)
    return paths


def _save_atomically(fig, path: Path, fmt: str, dpi: int) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    atomic_write(path, buffer.getvalue())


def _metadata(fmt: str) -> dict | None:
    # no creation dates: the same run gives byte-identical PNGs/PDFs
    if fmt == "png":
        return {"Software": "skillgraph"}
    if fmt == "pdf":
        return {"Creator": "skillgraph", "CreationDate": None}
    return None
