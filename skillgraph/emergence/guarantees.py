"""The rows the bounds give along the scale grid: what every failure set must leave.

Three quantities of the tidy table (:data:`skillgraph.emergence.table.QUANTITIES`)
come from the bounds alone: the guaranteed fraction of competent ``t``-tuples
(Corollary 2, :doc:`/theory/tuples`), the guaranteed performance curve at a
few scales and the slingshot (Theorem 1 against the averaging bound,
:doc:`/theory/theorem1`).  Beside the guarantee, the sharp worst case for
single skills, ``1 - alpha_sharp(theta, beta, k)`` (:doc:`/theory/sharp`).
"""

from __future__ import annotations

import itertools

import numpy as np

from skillgraph.emergence.config import EmergeConfig
from skillgraph.emergence.table import new_row
from skillgraph.theory.bounds import (
    alpha_star,
    averaging_bound,
    performance_curve_bound,
    tuple_alpha_star,
)
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_tuples import sharp_tuple_bound

__all__ = [
    "tuple_bound_rows",
    "sharp_rows",
    "sharp_tuple_rows",
    "performance_rows",
    "slingshot_rows",
    "representative_scales",
]

#: thresholds of the performance curves: 0.5 down to 1e-3, log-spaced, because the
#: curves drop at beta near theta and theta spans decades over the scale range
_CURVE_BETAS = np.geomspace(0.5, 1e-3, 120)
#: lattice steps of the sharp tuple law's upper side in the emergence band: a
#: coarser lattice only rounds the shares up further (still an upper side), and
#: 256 steps stay within about 1% of 1024 (``k = 8, beta = 0.5``) at a quarter of the cost
SHARP_TUPLE_GRID = 256
#: skills per text piece of the slingshot, 1 to 256 log-spaced
_SLINGSHOT_KS = np.unique(np.round(np.geomspace(1, 256, 33)).astype(int))


def _tuple_alpha(theta: np.ndarray, beta: float, k: int, t: int, form: str) -> np.ndarray:
    """``tuple_alpha_star`` extended to the clipped ends of the theta map.

    A map may clip ``theta`` to 1 (a model that fails every text piece, e.g.
    small models under ``linear``): then every tuple may be bad, alpha = 1.
    ``theta = 0`` fails nothing: alpha = 0.  The bound functions accept only
    the open interval, so the ends are filled in here.
    """
    theta = np.asarray(theta, dtype=float)
    alpha = np.where(theta >= 1.0, 1.0, 0.0)
    inside = (theta > 0.0) & (theta < 1.0)
    if inside.any():
        alpha[inside] = np.asarray(tuple_alpha_star(theta[inside], beta, k, t, form=form))
    return alpha


def tuple_bound_rows(config: EmergeConfig, scales: dict) -> list[dict]:
    """``tuple_fraction`` rows of the bound: ``1 - alpha_star(t theta, beta, k)`` at each scale.

    One row per ``beta``, ``t`` and scale of ``scales``
    (:func:`skillgraph.emergence.scales.scale_grid`), in that order, with ``source = "bound"``.
    """
    rows = []
    for beta, t in itertools.product(config.betas, config.tuples):
        alpha = _tuple_alpha(scales["theta"], beta, config.k, t, config.form)
        for i in range(len(scales["theta"])):
            rows.append(
                new_row(
                    config, scales, i, quantity="tuple_fraction", source="bound", t=t,
                    beta=beta, competence_level=1 - beta, value=float(1.0 - alpha[i]),
                )
            )  # fmt: skip
    return rows


def sharp_rows(config: EmergeConfig, scales: dict) -> list[dict]:
    """``tuple_fraction`` rows of the sharp worst case for single skills, ``source = "sharp"``.

    ``1 - alpha_sharp(theta, beta, k)`` at each scale, one row per ``beta``
    and scale, ``t = 1``: the fraction of skills that even the worst failure
    set of rate ``theta`` leaves ``(1 - beta)``-competent, in the limit of
    many text pieces (:ref:`theory-sharp-law`).  Single skills only: the
    sharp law for tuples is not known (:ref:`theory-sharp-tuples`), so the
    tuple curves stay the paper's.  The clipped ends of the theta map are
    filled in as in ``_tuple_alpha``.
    """
    theta = np.asarray(scales["theta"], dtype=float)
    inside = (theta > 0.0) & (theta < 1.0)
    rows = []
    for beta in config.betas:
        alpha = np.where(theta >= 1.0, 1.0, 0.0)
        if inside.any():
            alpha[inside] = np.asarray(alpha_sharp(theta[inside], beta, config.k))
        for i in range(theta.size):
            rows.append(
                new_row(
                    config, scales, i, quantity="tuple_fraction", source="sharp", t=1,
                    beta=beta, competence_level=1 - beta, value=float(1.0 - alpha[i]),
                )
            )  # fmt: skip
    return rows


def sharp_tuple_rows(config: EmergeConfig, scales: dict) -> list[dict]:
    """``tuple_fraction`` rows of the sharp tuple law: the band of the true worst case.

    For every ``beta``, ``t`` and scale, two rows: ``source = "sharp_upper"``
    with ``1 - upper`` (the fraction of ``t``-tuples that every failure set of
    rate ``theta`` leaves competent, in the limit of many text pieces) and
    ``source = "sharp_lower"`` with ``1 - lower`` (what the best two-level
    adversary leaves: the worst case leaves no more).  Between them lies the
    true worst case (:ref:`theory-sharp-tuples`); at ``t = 1`` they meet at
    ``1 - alpha_sharp``.  The clipped ends of the theta map are filled in as
    in ``_tuple_alpha``; the upper side uses ``SHARP_TUPLE_GRID``.
    """
    theta = np.asarray(scales["theta"], dtype=float)
    inside = (theta > 0.0) & (theta < 1.0)
    rows = []
    for beta, t in itertools.product(config.betas, config.tuples):
        sides = {name: np.where(theta >= 1.0, 1.0, 0.0) for name in ("lower", "upper")}
        if inside.any():
            law = sharp_tuple_bound(theta[inside], beta, config.k, t, grid=SHARP_TUPLE_GRID)
            sides["lower"][inside] = law.lower
            sides["upper"][inside] = law.upper
        for name, alpha in sides.items():
            for i in range(theta.size):
                rows.append(
                    new_row(
                        config, scales, i, quantity="tuple_fraction", source=f"sharp_{name}",
                        t=t, beta=beta, competence_level=1 - beta, value=float(1.0 - alpha[i]),
                    )
                )  # fmt: skip
    return rows


def representative_scales(x: np.ndarray, count: int) -> list[int]:
    """Indices of ``count`` scales spread evenly in log ``x``, snapped to whole decades.

    Round labels (1e20, 1e23, ...) read better in a legend than 2.4e23; the
    snap moves a point only when a whole decade lies within the grid.
    """
    logx = np.log10(x)
    picks = []
    for target in np.linspace(logx[0], logx[-1], count):
        decade = round(target)
        goal = decade if logx[0] <= decade <= logx[-1] else target
        picks.append(int(np.argmin(np.abs(logx - goal))))
    return sorted(set(picks))


def performance_rows(config: EmergeConfig, scales: dict, n_curves: int = 4) -> list[dict]:
    """``performance_curve`` rows: the guaranteed curve at ``n_curves`` representative scales."""
    rows = []
    for i in representative_scales(scales["compute"], n_curves):
        theta = float(scales["theta"][i])
        if 0.0 < theta < 1.0:
            guaranteed = np.asarray(
                performance_curve_bound(theta, config.k, _CURVE_BETAS, form=config.form),
                dtype=float,
            )
        else:  # clipped ends of the theta map (see _tuple_alpha)
            guaranteed = np.full(_CURVE_BETAS.shape, 0.0 if theta >= 1.0 else 1.0)
        for beta, g in zip(_CURVE_BETAS, guaranteed, strict=True):
            rows.append(
                new_row(
                    config, scales, i, quantity="performance_curve", source="bound", t=1,
                    beta=float(beta), competence_level=float(1.0 - beta), value=float(g),
                )
            )  # fmt: skip
    return rows


def slingshot_rows(config: EmergeConfig, scales: dict, n_curves: int = 3) -> list[dict]:
    """``slingshot`` rows: ``alpha_star`` against ``k`` and the averaging bound, at a few scales.

    At the largest ``beta`` of the run; scales whose ``theta`` the map clipped
    to 0 or 1 are skipped (``alpha_star`` is defined on (0, 1) only).
    """
    beta = config.betas[-1]
    usable = np.flatnonzero((scales["theta"] > 0) & (scales["theta"] < 1))
    if usable.size == 0:
        return []
    rows = []
    for i in usable[representative_scales(scales["compute"][usable], n_curves)]:
        theta = float(scales["theta"][i])
        alpha = np.asarray(alpha_star(theta, beta, _SLINGSHOT_KS, form=config.form), dtype=float)
        avg = float(averaging_bound(theta, beta))
        for k, a in zip(_SLINGSHOT_KS, alpha, strict=True):
            for source, value in (("bound", float(a)), ("averaging", avg)):
                rows.append(
                    new_row(
                        config, scales, i, quantity="slingshot", source=source,
                        form=config.form if source == "bound" else "", t=1, beta=beta,
                        competence_level=1 - beta, k=int(k), value=value,
                    )
                )  # fmt: skip
    return rows
