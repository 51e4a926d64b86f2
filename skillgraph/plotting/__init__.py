"""Figures: one implementation of each, drawn from tidy tables with matplotlib's OO API.

:mod:`~skillgraph.plotting.style` (palette, sizes, atomic saving),
:mod:`~skillgraph.plotting.tidy` (tables as the figures read them),
:mod:`~skillgraph.plotting.emergence` (the emergence figure),
:mod:`~skillgraph.plotting.figures` (the other figures); a sweep store's rows become
those tables in :mod:`skillgraph.sweep.figures` (plotting imports nothing from
the pipelines).  No pyplot state is ever touched.
"""

from skillgraph.plotting.emergence import SOURCE_LABELS, emergence_figure, theta_axis
from skillgraph.plotting.figures import (
    bound_vs_empirical_figure,
    performance_curves_figure,
    slingshot_figure,
)
from skillgraph.plotting.style import (
    COLUMN_WIDTH,
    DPI,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    figure_style,
    new_figure,
    save_figure,
)
from skillgraph.plotting.tidy import table_columns

__all__ = [
    "COLUMN_WIDTH",
    "DPI",
    "MARKERS",
    "OKABE_ITO",
    "PALETTE",
    "SOURCE_LABELS",
    "bound_vs_empirical_figure",
    "emergence_figure",
    "figure_style",
    "new_figure",
    "performance_curves_figure",
    "save_figure",
    "slingshot_figure",
    "table_columns",
    "theta_axis",
]
