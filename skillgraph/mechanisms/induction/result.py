"""The logged curves of one training run, and what follows from them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from skillgraph._display import Display, figure_dict, json_ready
from skillgraph.mechanisms.induction.config import BIGRAM_GAP, TRANSITION_LEVEL, InductionConfig
from skillgraph.mechanisms.induction.figures import induction_figure

__all__ = ["InductionRun"]


@dataclass(frozen=True, repr=False)
class InductionRun(Display):
    """The logged curves of one training run, and what follows from them.

    Attributes
    ----------
    config : InductionConfig
    steps : numpy.ndarray
        Logged steps (0 is the initial model; step ``s`` is after ``s`` updates).
    curves : dict of str to numpy.ndarray
        One value per logged step for each measured quantity.
    probe_steps : numpy.ndarray
        Every step from 0 on.
    probes : dict of str to numpy.ndarray
        Recall of ``W_O2``, ``W_K2``, ``W_K1`` at every step.
    constants : dict of str to float
        Numbers of the evaluation data: ``bigram_entropy`` (the loss floor),
        ``copy_baseline_accuracy``, ``frequency_baseline_accuracy``,
        ``uniform_previous_token_attention``.
    seconds : float
        Wall-clock time of the training loop.
    diverged_at : int or None
        Step at which training diverged (the curves stop before it).
    """

    config: InductionConfig
    steps: np.ndarray
    curves: dict
    probe_steps: np.ndarray
    probes: dict
    constants: dict
    seconds: float
    diverged_at: int | None = None

    def __repr__(self) -> str:
        acc = self.final("in_context_accuracy")
        return (
            f"InductionRun(steps={int(self.probe_steps[-1])}, seed={self.config.seed}, "
            f"final_in_context_accuracy={acc:.3f}, transition_step={self.transition_step()}, "
            f"memory_order={self.memory_order()}, diverged_at={self.diverged_at})"
        )

    def final(self, quantity: str) -> float:
        """Last logged value of ``quantity`` (NaN when nothing was logged)."""
        values = self.curves.get(quantity)
        return float(values[-1]) if values is not None and len(values) else math.nan

    def transition_step(self, level: float = TRANSITION_LEVEL) -> int | None:
        """First logged step with in-context accuracy ``>= level``, or ``None``."""
        return _first_step(self.steps, self.curves["in_context_accuracy"] >= level)

    def bigram_step(self, gap: float = BIGRAM_GAP) -> int | None:
        """First logged step with bigram loss within ``gap`` nats of its floor, or ``None``."""
        floor = self.constants["bigram_entropy"]
        return _first_step(self.steps, self.curves["bigram_loss"] <= floor + gap)

    def bigram_first(self) -> bool | None:
        """Whether the bigram loss reached its floor at a logged step before the transition.

        ``None`` when either never happened.
        """
        bigram, transition = self.bigram_step(), self.transition_step()
        if bigram is None or transition is None:
            return None
        return bigram < transition

    def memory_steps(self) -> dict[str, int | None]:
        """Step at which each probe first reaches half its final value."""
        return {
            name: _first_step(self.probe_steps, values >= 0.5 * values[-1])
            for name, values in self.probes.items()
        }

    def memory_order(self) -> list[str]:
        """The three memories sorted by the (interpolated) step at which they reach half.

        Interpolating between steps breaks ties of memories that cross in the same step.
        """
        def crossing(name):
            values = self.probes[name]
            return _crossing(self.probe_steps, values, 0.5 * values[-1])

        return sorted(self.probes, key=crossing)

    def figures(self) -> dict[str, Figure]:
        """The one figure, by file stem: accuracy, losses, recall and attention against steps."""
        return figure_dict({"induction": induction_figure(self)})

    def _display_rows(self) -> list[dict]:
        return self.rows()

    def summary(self) -> dict:
        """The headline numbers as a JSON-ready dict (see the ``skillgraph induction`` docs)."""
        transition = self.transition_step()
        per_step = self.seconds / max(int(self.probe_steps[-1]), 1)
        return json_ready({
            "bigram_entropy": self.constants["bigram_entropy"],
            "final_bigram_loss": self.final("bigram_loss"),
            "final_in_context_loss": self.final("in_context_loss"),
            "final_in_context_accuracy": self.final("in_context_accuracy"),
            "final_ood_in_context_accuracy": self.final("ood_in_context_accuracy"),
            "copy_baseline_accuracy": self.constants["copy_baseline_accuracy"],
            "frequency_baseline_accuracy": self.constants["frequency_baseline_accuracy"],
            "final_previous_token_attention": self.final("previous_token_attention"),
            "uniform_previous_token_attention": self.constants["uniform_previous_token_attention"],
            "transition_step": transition,
            "bigram_step": self.bigram_step(),
            "bigram_before_induction": self.bigram_first(),
            "memory_order": self.memory_order(),
            "memory_steps": self.memory_steps(),
            "final_recall": {name: float(v[-1]) for name, v in self.probes.items()},
            "steps": int(self.probe_steps[-1]),
            "diverged_at": self.diverged_at,
            "seconds": self.seconds,
            "seconds_per_step": per_step,
            "seconds_to_transition": None if transition is None else transition * per_step,
            "seed": self.config.seed,
            "config": self.config.parameters(),
        })

    def rows(self) -> list[dict]:
        """The tidy table: one row per logged number (see :data:`columns`)."""
        params = self.config.parameters()
        rows = []
        for i, step in enumerate(self.steps.tolist()):
            for quantity, values in self.curves.items():
                rows.append(_row(params, step, quantity, values[i]))
            for quantity, value in self.constants.items():
                rows.append(_row(params, step, quantity, value))
        for i, step in enumerate(self.probe_steps.tolist()):
            for name, values in self.probes.items():
                rows.append(_row(params, step, f"recall_{name}", values[i]))
        return rows

    @property
    def columns(self) -> list[str]:
        """Columns of :meth:`rows`: every parameter, then step, quantity, value, ci, seed."""
        params = [k for k in self.config.parameters() if k != "seed"]
        return params + ["step", "quantity", "value", "ci_low", "ci_high", "seed"]


def _row(params: dict, step: int, quantity: str, value) -> dict:
    return {**params, "step": step, "quantity": quantity, "value": float(value),
            "ci_low": math.nan, "ci_high": math.nan}


def _first_step(steps: np.ndarray, reached: np.ndarray) -> int | None:
    hits = np.flatnonzero(reached)
    return int(steps[hits[0]]) if hits.size else None


def _crossing(steps: np.ndarray, values: np.ndarray, level: float) -> float:
    """Linearly interpolated first step at which ``values`` reaches ``level`` (inf if never)."""
    hits = np.flatnonzero(values >= level)
    if not hits.size:
        return math.inf
    i = int(hits[0])
    if i == 0 or values[i] == values[i - 1]:
        return float(steps[i])
    frac = (level - values[i - 1]) / (values[i] - values[i - 1])
    return float(steps[i - 1] + frac * (steps[i] - steps[i - 1]))
