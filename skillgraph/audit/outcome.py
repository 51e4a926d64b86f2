"""What one adversary (or failure model) did to a graph: :class:`AdversaryOutcome`.

Its own module so that the check (:mod:`skillgraph.audit.report`) and the
streamed check (:mod:`skillgraph.audit.streamed`) both import it from below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillgraph._display import Display

__all__ = ["AdversaryOutcome"]


@dataclass(frozen=True, repr=False)
class AdversaryOutcome(Display):
    """What one failure model did to the graph.

    Attributes
    ----------
    name : str
        ``"exact"``, ``"greedy"``, ``"targeted"``, ``"deficit"`` or ``"random"``.
    n_bad : int
        Bad skills (``fail(s) > beta``).
    alpha : float
        ``n_bad / n_skills``, comparable with the certificate.
    bad_fraction : float
        ``mu1``-mass of the bad skills (equal to ``alpha`` for uniform ``mu1``).
    optimal : bool or None
        For ``exact``: whether optimality was proven.
    failed : ndarray of bool
        The failure set (not serialised by
        :meth:`~skillgraph.audit.check_report.CheckReport.as_dict`).
    bad_skills : tuple
        The skills it leaves bad, by name (the graph's ``skill_names``, e.g.
        the nodes of a networkx graph) or by position when the graph has none.
    """

    name: str
    n_bad: int
    alpha: float
    bad_fraction: float
    optimal: bool | None = None
    failed: np.ndarray | None = field(default=None, repr=False, compare=False)
    bad_skills: tuple = field(default=(), repr=False, compare=False)
