"""How a subcommand registers itself: one call from its module, texts and options.

Every subcommand module of :mod:`skillgraph.cli` builds its public
``add_parser(subparsers)`` with :func:`subcommand`, so the argparse steps
(create the subparser, declare the options, attach the handler) are written once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = ["subcommand"]


def subcommand(
    module: str,
    options: Callable[[argparse.ArgumentParser], None],
    *,
    help: str,
    description: str,
    epilog: str | None = None,
) -> Callable[[argparse._SubParsersAction], None]:
    """Return the ``add_parser(subparsers)`` of the subcommand module ``module``.

    Parameters
    ----------
    module : str
        The module's ``__name__``, ``skillgraph.cli.NAME``: the subcommand is
        ``NAME`` and its handler the module's ``run(args) -> int``, looked up
        when the parser is built (as ``set_defaults(func=run)`` in the module
        would, so a test may replace ``run``).
    options : callable
        ``options(parser)`` declares the subcommand's options, in ``--help`` order.
    help : str
        The one line of ``skillgraph --help``.
    description : str
        The paragraph that opens ``skillgraph NAME --help``.
    epilog : str, optional
        Text after the options (:func:`skillgraph.cli.build_parser` appends the
        exit statuses to it).

    Returns
    -------
    callable
        ``add_parser(subparsers)``: adds the subcommand to an argparse
        subparsers action; :func:`skillgraph.cli.main` calls ``args.func(args)``.
    """
    name = module.rpartition(".")[2]

    def add_parser(subparsers: argparse._SubParsersAction) -> None:
        parser = subparsers.add_parser(name, help=help, description=description, epilog=epilog)
        options(parser)
        parser.set_defaults(func=sys.modules[module].run)

    add_parser.__doc__ = f"Register ``skillgraph {name}`` on ``subparsers``."
    return add_parser
