"""The scale grid of an emergence run: model sizes, their excess loss and their ``theta``.

Along a log-spaced range of compute (or of parameter counts) a scaling law of
:data:`skillgraph.theory.scaling.LAWS` gives each model's ``(N, D)``, its
excess loss ``delta`` and, through the chosen map, its failure rate
``theta`` (see :doc:`/theory/loss_to_theta`).
"""

from __future__ import annotations

import math

import numpy as np

from skillgraph._validation import check_int
from skillgraph.emergence.config import EmergeConfig
from skillgraph.theory.scaling import LAWS

__all__ = ["SCALE_COLUMNS", "scale_grid", "decades"]

#: The columns of a scale grid, in the order tables list them.
SCALE_COLUMNS = ("compute", "params", "tokens", "excess_loss", "theta")


def scale_grid(config: EmergeConfig, n: int) -> dict[str, np.ndarray]:
    """``n`` log-spaced model scales and their ``theta``.

    Parameters
    ----------
    config : EmergeConfig
        The scale range, law, map and its parameters.
    n : int
        Number of scales, >= 1.

    Returns
    -------
    dict of ndarray
        :data:`SCALE_COLUMNS`: ``compute`` (FLOPs, ``6 N D``), ``params`` ``N``,
        ``tokens`` ``D``, ``excess_loss`` ``delta`` and ``theta``, each of shape ``(n,)``.

    Raises
    ------
    ValueError
        When the law gives a non-finite ``theta`` somewhere in the range.

    Notes
    -----
    With ``params`` set, ``N`` is log-spaced over that range and
    ``D = tokens_per_param * N`` (default ratio 20).  Otherwise ``C`` is
    log-spaced over ``compute`` and split into ``(N, D)`` compute-optimally
    under the law (or at the fixed ``tokens_per_param`` ratio ``r``:
    ``N = sqrt(C / (6 r))``).  See :doc:`/theory/loss_to_theta`.  O(n).

    Examples
    --------
    >>> grid = scale_grid(EmergeConfig(compute=(1e21, 1e23)), 3)
    >>> [f"{c:.0e}" for c in grid["compute"]]
    ['1e+21', '1e+22', '1e+23']
    """
    if not isinstance(config, EmergeConfig):
        raise TypeError(f"config must be an EmergeConfig, got {type(config).__name__}")
    n = check_int("n", n, 1)
    law = LAWS[config.law]
    params, tokens = _model_sizes(config, law, n)
    theta = np.asarray(
        law.theta(
            params,
            tokens,
            mapping=config.mapping,
            c=config.cloze_factor,
            theta_ref=config.theta_ref,
        ),
        dtype=float,
    )
    if not np.all(np.isfinite(theta)):
        raise ValueError(
            f"the {config.law} law gives a non-finite theta somewhere in the scale range; "
            "check compute/params"
        )
    return {
        "compute": 6.0 * params * tokens,
        "params": params,
        "tokens": tokens,
        "excess_loss": np.asarray(law.excess(params, tokens), dtype=float),
        "theta": theta,
    }


def _model_sizes(config: EmergeConfig, law, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(N, D)`` at ``n`` log-spaced scales of the configured range."""
    if config.params is not None:
        ratio = 20.0 if config.tokens_per_param is None else config.tokens_per_param
        params = np.geomspace(*config.params, n)
        return params, ratio * params
    compute = np.geomspace(*config.compute, n)
    if config.tokens_per_param is None:
        params, tokens = law.compute_optimal(compute)
        return np.asarray(params, dtype=float), np.asarray(tokens, dtype=float)
    params = np.sqrt(compute / (6.0 * config.tokens_per_param))
    return params, config.tokens_per_param * params


def decades(config: EmergeConfig) -> float:
    """Decades spanned by the scale range (of ``params`` when set, else of ``compute``)."""
    low, high = config.params if config.params is not None else config.compute
    return math.log10(high / low)
