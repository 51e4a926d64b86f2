"""Figures of the paper, one script per figure; ``python -m paper_figs`` rebuilds them all.

Every module in this package except those starting with ``_`` is a figure
script with a function ``main(out_dir, small=False)`` that writes its
figure(s) into ``out_dir`` and returns the paths written: a new script is
found without being listed anywhere.  Each module's docstring states the claim
that its figure illustrates and names the documentation page that derives it
(``docs/theory/``).  ``small=True`` runs a reduced setting (seconds) for the
tests.  The scripts use only skillgraph's public API (``import skillgraph as
sg`` and the documented subpackages).

Run from the repository root: ``python -m paper_figs [--out DIR] [--small]``,
or one script alone with ``python -m paper_figs.<name> [--out DIR] [--small]``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

import numpy as np

__all__ = ["figure_modules", "load", "run_module_cli", "child_seed"]


def child_seed(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` keyed by ``key``, as skillgraph derives its parallel streams.

    numpy's own ``spawn_key``: replicate ``r`` of a script seeded ``s`` draws
    from ``SeedSequence(s, spawn_key=(r,))``, however many siblings exist.
    """
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *map(int, key)))


def figure_modules() -> list[str]:
    """Names of the figure scripts in this package, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load(name: str):
    """Import the figure module ``name`` and check that it has ``main(out_dir, small)``."""
    module = importlib.import_module(f"{__name__}.{name}")
    if not callable(getattr(module, "main", None)):
        raise TypeError(f"paper_figs.{name} has no main(out_dir, small) function")
    return module


def run_module_cli(main, description: str | None = None, argv=None) -> list[Path]:
    """Command line of a single figure script: ``--out DIR`` and ``--small``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        default="paper_figs_out",
        metavar="DIR",
        help="output directory (default paper_figs_out)",
    )
    parser.add_argument("--small", action="store_true", help="reduced setting, for tests")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    written = main(Path(args.out), small=args.small)
    for path in written or ():
        print(path)
    return written
