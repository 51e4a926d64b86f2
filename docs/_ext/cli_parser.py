"""The ``skillgraph`` parser as the CLI reference page renders it.

Every subcommand's ``--help`` ends with the same table of exit statuses
(the parser's epilog).  The reference page shows that table once, verbatim
(``.. skillgraph-cli-epilog::``), so here the subcommands' copies are dropped:
sphinx-argparse would otherwise repeat it under every subcommand, and parse
its aligned columns as reStructuredText.
"""

from __future__ import annotations

import argparse


def parser_without_epilogs() -> argparse.ArgumentParser:
    """:func:`skillgraph.cli.build_parser` with the subcommands' epilogs removed."""
    from skillgraph.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # argparse keeps subparsers in a private action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.epilog = None
    return parser
