"""Marks shared by the figures: the simulated series' style, legend lines, sorted columns.

Private to :mod:`skillgraph.plotting`: :mod:`~skillgraph.plotting.emergence` and
:mod:`~skillgraph.plotting.figures` draw their simulated points and legends with
these, so that both figures mark a simulation alike.
"""

from __future__ import annotations

import numpy as np

# the simulated series: a marker per point, joined by a thin dotted line
SIMULATED = dict(linestyle=":", linewidth=0.8, markerfacecolor="white", markeredgewidth=0.9)


def legend_line(**kwargs):
    """A line for a legend only (drawn on no axes), with ``Line2D``'s keywords."""
    from matplotlib.lines import Line2D

    return Line2D([], [], **kwargs)


def simulated_handle():
    """The legend line of a simulated series (:data:`SIMULATED`, in grey)."""
    return legend_line(color="0.3", linestyle=":", linewidth=0.8, marker="o",
                       markerfacecolor="white", label="simulated (95% CI)")  # fmt: skip


def sorted_by(cols: dict, mask: np.ndarray, key: str, *names: str) -> list[np.ndarray]:
    """Columns ``names`` of the rows in ``mask``, sorted by column ``key``."""
    order = np.argsort(cols[key][mask])
    return [cols[n][mask][order] for n in names]
