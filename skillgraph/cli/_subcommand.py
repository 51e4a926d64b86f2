"""How a subcommand registers itself: one call from its name, texts, options and handler.

Every module of :mod:`skillgraph.cli` that is a subcommand builds its public
``add_parser(subparsers)`` with :func:`subcommand`, so the argparse steps
(create the subparser, declare the options, attach the handler) are written once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["subcommand"]


def subcommand(
    name: str,
    options: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str,
    epilog: str | None = None,
) -> Callable[[argparse._SubParsersAction], None]:
    """Return the ``add_parser(subparsers)`` that registers ``skillgraph NAME``.

    Parameters
    ----------
    name : str
        The subcommand, e.g. ``"check"``.
    options : callable
        ``options(parser)`` declares the subcommand's options, in ``--help`` order.
    run : callable
        ``run(args) -> int``, the handler: :func:`skillgraph.cli.main` calls ``args.func(args)``.
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
        subparsers action.
    """

    def add_parser(subparsers: argparse._SubParsersAction) -> None:
        parser = subparsers.add_parser(name, help=help, description=description, epilog=epilog)
        options(parser)
        parser.set_defaults(func=run)

    add_parser.__doc__ = f"Register ``skillgraph {name}`` on ``subparsers``."
    return add_parser
