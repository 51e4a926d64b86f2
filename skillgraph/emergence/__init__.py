"""The ``emerge`` pipeline: emergence of skill tuples against model scale.

The modules follow the pipeline: :mod:`~skillgraph.emergence.config` (the
parameters), :mod:`~skillgraph.emergence.scales` (scale -> theta),
:mod:`~skillgraph.emergence.guarantees` (the bounds' rows),
:mod:`~skillgraph.emergence.run` (the simulation and the run),
:mod:`~skillgraph.emergence.report` (doubling factors, headline, files), and
:mod:`~skillgraph.emergence.table` (the tidy table's columns).
"""

from skillgraph.emergence.config import RENAMED_PARAMETERS, EmergeConfig
from skillgraph.emergence.report import doubling_factors, write_outputs
from skillgraph.emergence.run import INTERVAL_RULE, EmergeResult, emerge, run_emerge
from skillgraph.emergence.scales import scale_grid
from skillgraph.emergence.table import COLUMNS, QUANTITIES, REPLICATE_COLUMNS

__all__ = [
    "COLUMNS",
    "EmergeConfig",
    "EmergeResult",
    "INTERVAL_RULE",
    "QUANTITIES",
    "RENAMED_PARAMETERS",
    "REPLICATE_COLUMNS",
    "doubling_factors",
    "emerge",
    "run_emerge",
    "scale_grid",
    "write_outputs",
]
