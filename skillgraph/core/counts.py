"""Per-skill counts: what every competence measurement is computed from.

Both engines end in the same numbers: for each skill, its degree (edge slots
that use it, with multiplicity) and how many of those slots lie in failed text
pieces.  A materialised graph gives them by counting
(:meth:`SkillCounts.from_graph`); the streaming engine accumulates them chunk
by chunk without ever holding the graph (:func:`skillgraph.stream`, whose
:class:`~skillgraph.core.streaming.StreamResult` is a :class:`SkillCounts`).
Bad fractions, performance curves and tuple fractions (in their ``tensor``
mode) need nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skillgraph.core.competence import (
    FractionEstimate,
    PerformanceCurve,
    bad_fraction_from_counts,
    competence_from_counts,
    failed_edge_counts,
    performance_curve_from_counts,
    tuple_bad_fraction_from_counts,
)

__all__ = ["SkillCounts"]


@dataclass(frozen=True, eq=False)
class SkillCounts:
    """Per-skill degree and failed-edge counts of one graph and one failure set.

    Attributes
    ----------
    degrees : ndarray of int64, shape (n_skills,)
        Edge slots hitting each skill (with multiplicity).
    failed_edges : ndarray of int64, shape (n_skills,)
        Of those, the slots in failed text pieces.
    skill_measure : ndarray of float64, shape (n_skills,)
        ``mu1``.
    n_failed_texts : int
        Failed text pieces.
    n_texts : int
        Text pieces counted.
    """

    degrees: np.ndarray
    failed_edges: np.ndarray
    skill_measure: np.ndarray
    n_failed_texts: int
    n_texts: int

    @classmethod
    def from_graph(cls, graph, failed) -> SkillCounts:
        """The counts of a materialised graph under the failure mask ``failed``."""
        failed_edges = failed_edge_counts(graph, failed)  # validates graph and mask
        return cls(
            degrees=graph.degrees,
            failed_edges=failed_edges,
            skill_measure=graph.skill_measure,
            n_failed_texts=int(np.count_nonzero(failed)),
            n_texts=graph.n_texts,
        )

    @property
    def n_skills(self) -> int:
        """Number of skills."""
        return int(self.degrees.shape[0])

    @property
    def failure_rate(self) -> float:
        """Fraction of the counted text pieces that failed."""
        return self.n_failed_texts / self.n_texts if self.n_texts else float("nan")

    def competence(self) -> np.ndarray:
        """Competence ``1 - failed_edges / degrees`` of every skill; NaN where the degree is 0."""
        return competence_from_counts(self.degrees, self.failed_edges)

    def bad_fraction(self, beta: float) -> FractionEstimate:
        """``mu1``-mass of skills failing on more than a ``beta`` fraction of their edges."""
        return bad_fraction_from_counts(self.degrees, self.failed_edges, beta, self.skill_measure)

    def performance_curve(self, betas) -> PerformanceCurve:
        """``beta -> 1 - bad_fraction(beta)`` for each ``beta`` of the 1-D sequence ``betas``.

        See :func:`skillgraph.core.competence.performance_curve_from_counts`.
        """
        return performance_curve_from_counts(
            self.degrees, self.failed_edges, self.skill_measure, betas
        )

    def tuple_bad_fraction(
        self, t: int, beta: float, *, n_tuples: int | None = None, seed=None
    ) -> FractionEstimate:
        """Bad fraction of ``t``-tuples in the ``tensor`` mode (the only one counts allow).

        See :func:`skillgraph.core.competence.tuple_bad_fraction_from_counts`.
        """
        return tuple_bad_fraction_from_counts(
            self.degrees, self.failed_edges, self.skill_measure, t, beta,
            n_tuples=n_tuples, seed=seed,
        )
