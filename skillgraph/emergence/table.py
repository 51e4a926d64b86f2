"""The tidy table of an emergence run: its columns and how a row is made.

One row per number that ``skillgraph emerge`` computes or plots, with every
parameter in every row: the parameter columns, then ``quantity``, ``value``,
``ci_low``, ``ci_high`` and the numbers behind the interval, then ``seed``
(the layout of :mod:`skillgraph.tables`).  A column that does not apply to a
row is NaN (``nan`` in the CSV files).
"""

from __future__ import annotations

import math

from skillgraph.emergence.config import EmergeConfig
from skillgraph.emergence.scales import SCALE_COLUMNS

__all__ = ["COLUMNS", "REPLICATE_COLUMNS", "QUANTITIES", "new_row"]

#: What a row measures (the ``quantity`` column), and the figure it feeds.
#:
#: * ``tuple_fraction`` (emergence.png): ``value`` is the fraction of
#:   ``t``-tuples that are ``(1 - beta)``-competent at the scale of the row;
#:   ``source`` is ``bound`` (guaranteed, Corollary 2), ``sharp`` (the sharp
#:   worst case ``1 - alpha_sharp(theta, beta, k)``, single skills only, ``t = 1``)
#:   or a failure model (``random``, ``deficit``: mean over replicates, with
#:   ``ci_low``/``ci_high``).
#: * ``performance_curve`` (performance_curves.png): ``value`` is the guaranteed
#:   fraction of skills that are ``competence_level``-competent at ``theta``.
#: * ``slingshot`` (slingshot.png): ``value`` is ``alpha_star(theta, beta, k)``
#:   (``source = bound``) or the averaging bound ``min(theta / beta, 1)``
#:   (``source = averaging``).
QUANTITIES = ("tuple_fraction", "performance_curve", "slingshot")

_PARAMETERS = (
    "law",
    "mapping",
    "theta_ref",
    *SCALE_COLUMNS,
    "k",
    "n_skills",
    "n_texts",
    "form",
    "source",
    "t",
    "beta",
    "competence_level",
)
_MEASUREMENT = ("quantity", "value", "ci_low", "ci_high", "std", "n_replicates", "undefined_mass")

#: Columns of ``results.csv``, in order: parameters, the measurement, the seed.
#: ``form`` is the bound form for bound rows and the tuple competence (``tensor``)
#: for simulated ones; ``std`` and ``n_replicates`` describe the replicates
#: behind a simulated mean; ``undefined_mass`` is the mass of tuples whose
#: competence is undefined (an edgeless skill), never counted as bad.
COLUMNS = (*_PARAMETERS, *_MEASUREMENT, "seed")

#: Columns of ``replicates.csv``: one row per replicate graph, with the graph's
#: index ``replicate`` and its observed share of failed text pieces.
REPLICATE_COLUMNS = (*_PARAMETERS, "replicate", *_MEASUREMENT, "failed_fraction", "seed")


def new_row(config: EmergeConfig, scales: dict, index: int, **fields) -> dict:
    """A row at scale ``index`` of ``scales``: the run's parameters, then ``fields``.

    Every column of :data:`COLUMNS` is present; those neither set by the run
    nor by ``fields`` are NaN (``source`` is the empty string).
    """
    row = dict.fromkeys(COLUMNS, math.nan)
    row.update(
        source="",
        form=config.form,
        law=config.law,
        mapping=config.mapping,
        theta_ref=config.theta_ref,
        k=config.k,
        n_skills=config.n_skills,
        n_texts=config.n_texts,
        seed=config.seed,
    )
    row.update({name: float(scales[name][index]) for name in SCALE_COLUMNS})
    row.update(fields)
    return row
