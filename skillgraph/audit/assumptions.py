"""The assumptions of the random-graph model that a graph visibly breaks.

:func:`broken_assumptions` lists them for the check report
(:func:`skillgraph.audit.report.check`, :ref:`theory-assumptions`);
:func:`sampled_from_model` decides from them whether a graph counts as a
sample of the model, so that the certificates hold for it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["broken_assumptions", "sampled_from_model"]

#: ``n_texts`` below this multiple of ``n_skills`` is flagged (:ref:`theory-assumptions`)
TEXTS_PER_SKILL_MIN = 10
#: p-value below which the skill degrees are flagged as uneven
DEGREE_P_VALUE = 1e-3
#: how that assumption starts (a graph that breaks it is not treated as a sample of the model)
UNEVEN_DEGREES = "skill degrees are far more uneven"


def broken_assumptions(graph, theta: float, beta: float, k: int) -> list[str]:
    """The assumptions of the random-graph model that ``graph`` visibly breaks.

    The list is on the documentation page :ref:`theory-assumptions`.

    Checks: equal text degrees; texts without skills; uniform skill measure
    (needed by certificates B and C); skill degrees consistent with the multinomial
    of the random model (chi-square test, p < 1e-3 flagged); ``n_texts`` much
    larger than ``n_skills``; skills without edges; ``beta > theta``.
    """
    from scipy import stats

    out = []
    td = graph.text_degrees
    if not graph.is_regular and td.size:
        out.append(
            f"text pieces have unequal numbers of skills (min {int(td.min())}, max "
            f"{int(td.max())}, mean {td.mean():.3g}); the random-graph model gives every "
            f"text k skills. The bounds use k={k}; the certificate uses these text degrees"
        )
    empty = int(np.count_nonzero(td == 0))
    if empty:
        out.append(
            f"{empty} text pieces have no skills (ids are used as indices: a text id that "
            "never appears is an empty text piece; it still counts in n_texts and theta)"
        )
    mu = graph.skill_measure
    if not np.allclose(mu, 1.0 / graph.n_skills, rtol=1e-9, atol=0):
        out.append(
            "the skill measure mu1 is not uniform: certificates B and C (uniform mu1) do not "
            "apply; the certificate bounds the number of bad skills, alpha_star their mu1-mass"
        )
    degrees = graph.degrees
    expected = graph.n_edges * mu / mu.sum()
    pos = expected > 0
    if graph.n_skills > 1 and graph.n_edges > 0:
        chi2 = float(np.sum((degrees[pos] - expected[pos]) ** 2 / expected[pos]))
        p_value = float(stats.chi2.sf(chi2, int(pos.sum()) - 1))
        if p_value < DEGREE_P_VALUE:
            out.append(
                f"{UNEVEN_DEGREES} than in the random model (chi-square "
                f"p = {p_value:.2g}; degrees {int(degrees.min())}..{int(degrees.max())}, "
                f"expected about {expected.mean():.3g}): low-degree skills are cheap to "
                "make bad"
            )
    if graph.n_texts < TEXTS_PER_SKILL_MIN * graph.n_skills:
        out.append(
            f"n_texts ({graph.n_texts}) is not much larger than n_skills ({graph.n_skills}); "
            "Theorem 1 (alpha_star) is asymptotic in that regime: trust the certificate"
        )
    zero = int(np.count_nonzero(degrees == 0))
    if zero:
        out.append(f"{zero} skills have no edges (competence undefined; never counted bad)")
    if beta <= theta:
        out.append(
            f"beta ({beta:g}) <= theta ({theta:g}): a random failure set already makes "
            "skills bad; no bound below the trivial one exists"
        )
    return out


def sampled_from_model(sampled: bool | None, source: str, assumptions: list[str]) -> bool:
    """Whether the graph counts as a sample of the random-graph model.

    Parameters
    ----------
    sampled : bool or None
        What the caller says (:func:`skillgraph.audit.report.check`, ``sampled``);
        None: True when ``source`` starts with ``"sampled"`` and does not say
        ``"no replacement"``.
    source : str
        Where the graph came from.
    assumptions : list of str
        What :func:`broken_assumptions` found: uneven skill degrees rule the graph out.

    Returns
    -------
    bool
        Whether the certificates hold for the graph (with probability ``1 - delta_fail``).
    """
    if sampled is None:
        sampled = source.startswith("sampled") and "no replacement" not in source
    return bool(sampled) and not any(a.startswith(UNEVEN_DEGREES) for a in assumptions)

