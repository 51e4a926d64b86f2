"""What the emergence pipeline returns: :class:`EmergeResult`.

Its own module so that the pipeline (:mod:`~skillgraph.emergence.run`) and the
report (:mod:`~skillgraph.emergence.report`) both import it from below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillgraph._display import Display, figure_dict
from skillgraph.emergence.config import EmergeConfig
from skillgraph.plotting import figures

__all__ = ["EmergeResult", "SHARP_SOURCES"]

#: sources of the sharp worst case: single skills (t = 1), and the two sides of the tuple law
SHARP_SOURCES = ("sharp", "sharp_lower", "sharp_upper")


@dataclass(frozen=True)
class EmergeResult(Display):
    """What :func:`~skillgraph.emergence.run.run_emerge` returns.

    Attributes
    ----------
    config : EmergeConfig
    rows : list of dict
        The tidy table (keys :data:`~skillgraph.emergence.table.COLUMNS`; NaN
        where a column does not apply).
    replicate_rows : list of dict
        One row per replicate graph, scale, failure model, ``t`` and ``beta``
        (keys :data:`~skillgraph.emergence.table.REPLICATE_COLUMNS`): the
        numbers behind the simulated means and intervals.
    scales : dict of ndarray
        ``compute``, ``params``, ``tokens``, ``excess_loss``, ``theta`` on the
        grid of the bound curves (:func:`~skillgraph.emergence.scales.scale_grid`).
    doubling : list of dict
        The scale factors behind the headline
        (:func:`~skillgraph.emergence.report.doubling_factors`).
    headline : str
    summary : str
        The printed summary table (plain text).
    notes : tuple of str
        Caveats about this run's numbers (e.g. a scale grid too coarse for
        the headline), also issued as warnings.
    """

    config: EmergeConfig
    rows: list = field(default_factory=list)
    replicate_rows: list = field(default_factory=list)
    scales: dict = field(default_factory=dict)
    doubling: list = field(default_factory=list)
    headline: str = ""
    summary: str = ""
    notes: tuple = ()

    def column(self, name: str, **where) -> np.ndarray:
        """Column ``name`` of the rows matching ``where`` (e.g. ``quantity="tuple_fraction"``)."""
        sel = [r for r in self.rows if all(r.get(k) == v for k, v in where.items())]
        return np.array([r[name] for r in sel])

    def figures(self) -> dict:
        """The run's figures (those ``emerge`` writes), by name.

        Returns
        -------
        dict of str to matplotlib.figure.Figure
            ``emergence``, ``performance_curves`` and (unless the map clipped
            every ``theta``) ``slingshot``; shown inline in a notebook.
        """
        rows = self.rows
        tuple_sources = [s for s in self.sources if s != "bound"]  # sharp: drawn beside them
        out = {
            "emergence": figures.emergence_figure(rows, x=self.config.x_name,
                                                  sources=tuple_sources),
            "performance_curves": figures.performance_curves_figure(rows),
        }  # fmt: skip
        if any(r["quantity"] == "slingshot" for r in rows):  # none if theta is clipped
            out["slingshot"] = figures.slingshot_figure(rows)
        return figure_dict(out)

    @property
    def sources(self) -> list[str]:
        """The bound and the simulated sources of the tuple-fraction curves, in table order.

        The sharp worst case (:data:`skillgraph.emergence.result.SHARP_SOURCES`) is
        drawn beside them, not as a curve of its own.
        """
        return list(dict.fromkeys(
            r["source"] for r in self.rows
            if r["quantity"] == "tuple_fraction" and r["source"] not in SHARP_SOURCES
        ))  # fmt: skip

    def _display_rows(self) -> list[dict]:
        return self.rows

    def _display_title(self) -> str:
        return self.headline or "EmergeResult"

    def __repr__(self) -> str:
        bound = [d["compute_factor"] for d in self.doubling if d["source"] == "bound"]
        finite = [f for f in bound if np.isfinite(f)]
        factor = f"{float(np.median(finite)):.3g}" if finite else "nan"
        cfg = self.config
        return (
            f"EmergeResult(law={cfg.law!r}, mapping={cfg.mapping!r}, rows={len(self.rows)}, "
            f"replicate_rows={len(self.replicate_rows)}, bound_compute_factor={factor}, "
            f"notes={len(self.notes)})"
        )
