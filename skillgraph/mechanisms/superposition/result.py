"""What a ``skillgraph superpose`` run computed: the scales, the tidy rows, the figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from matplotlib.figure import Figure

from skillgraph._display import Display, figure_dict, json_ready
from skillgraph.mechanisms.superposition.config import DISCLAIMER, TOY_LABEL, SuperposeConfig
from skillgraph.mechanisms.superposition.figures import scale_figure, sorted_probs_figure

__all__ = ["SuperposeResult"]


SCALE_KEYS = ("compute", "params", "tokens", "excess_loss", "theta")


@dataclass(frozen=True, eq=False, repr=False)
class SuperposeResult(Display):
    """What :func:`~skillgraph.mechanisms.superposition.run` returns (immutable).

    Attributes
    ----------
    config : SuperposeConfig
    scales : dict of ndarray
        ``compute``, ``params``, ``tokens``, ``excess_loss``, ``theta``, shape ``(n_scales,)``.
    rows : list of dict
        The tidy table (keys :data:`~skillgraph.mechanisms.superposition.pipeline.COLUMNS`).
    curve_indices : list of int
        The scales of the sorted-probability curves.
    headline : str
        One paragraph, computed from the run.
    findings : list of str
        One line per readout: how ``kl`` and ``tasks_in_parallel`` move with scale.
    """

    config: SuperposeConfig
    scales: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    curve_indices: list = field(default_factory=list)
    headline: str = ""
    findings: list = field(default_factory=list)

    def estimate(self, quantity: str, readout: str, scale: int, rank=None) -> dict:
        """The row of ``quantity`` for ``readout`` at scale index ``scale``."""
        compute = float(self.scales["compute"][scale])
        for row in self.rows:
            if (
                row["quantity"] == quantity
                and row["readout"] == readout
                and row["compute"] == compute
                and (rank is None or row["rank"] == rank)
            ):
                return row
        raise KeyError(f"no {quantity!r} row for readout {readout!r} at scale {scale}")

    def scale_label(self, scale: int) -> str:
        """Scale index ``scale`` in words: its compute and its ``theta``."""
        c = self.scales["compute"][scale]
        return f"{c:.0e} FLOPs (theta {self.scales['theta'][scale]:.3g})".replace("e+", "e")

    def figures(self) -> dict[str, Figure]:
        """The two figures, by file stem: the metrics against scale, the sorted probabilities."""
        return figure_dict({
            "superposition_scale": scale_figure(self),
            "sorted_probs": sorted_probs_figure(self),
        })  # fmt: skip

    def _display_rows(self) -> list[dict]:
        return self.rows

    def _display_title(self) -> str:
        return self.headline or "SuperposeResult"

    def summary_json(self) -> dict:
        """The machine-readable summary that ``skillgraph superpose --json`` prints.

        For each readout and each scale: ``theta``, mean ``kl`` and mean
        ``tasks_in_parallel`` with their 95% intervals.
        """
        readouts = {}
        for readout in self.config.readouts:
            entries = []
            for i in range(len(self.scales["theta"])):
                entry = {key: float(self.scales[key][i]) for key in SCALE_KEYS}
                for quantity in ("kl", "tasks_in_parallel"):
                    row = self.estimate(quantity, readout, i)
                    entry[quantity] = {k: row[k] for k in ("value", "ci_low", "ci_high")}
                entries.append(entry)
            readouts[readout] = entries
        return json_ready({
            "model": TOY_LABEL,
            "disclaimer": DISCLAIMER,
            "headline": self.headline,
            "config": asdict(self.config),
            "readouts": readouts,
        })

    def __repr__(self) -> str:
        return (
            f"SuperposeResult({TOY_LABEL}, readouts={self.config.readouts}, "
            f"n_scales={len(self.scales.get('theta', ()))}, rows={len(self.rows)})"
        )
