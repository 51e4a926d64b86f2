"""The command line's one vocabulary: each concept has one option, type, default and help.

Every subcommand declares its options through the adders of this module, so
that ``--beta`` means the same threshold with the same default in ``bound``,
``simulate`` and ``check``, ``--engine`` offers the same choices everywhere,
and ``--progress/--no-progress`` exists wherever there is long work.
``tests/test_cli_vocabulary.py`` walks the parser and fails on any divergence;
docs/cli.rst lists the vocabulary.

Conventions
-----------
* A singular option takes one value (``--t 2``, ``--beta 0.3``); its plural
  takes a comma-separated list (``--tuples 1,2,4``, ``--betas 0.3,0.5``) in the
  commands that draw one curve per value.
* Counts accept scientific notation when it is exact (``--n-texts 1e5``);
  ``1.5`` or ``1e-3`` are refused with the option's name.
* ``--seed`` defaults to 0 in every command, so a command line is reproducible
  as written; the Python API's ``seed=None`` draws fresh entropy instead (an
  ``int`` makes it reproducible).
* Old spellings stay accepted for one release and print a one-line note on stderr.
"""

from __future__ import annotations

import argparse
import decimal
import sys

from skillgraph.cli._common import CommandError, comma_list

__all__ = [
    "SEED_HELP",
    "JSON_HELP",
    "integer",
    "Default",
    "given",
    "settle",
    "add_graph_arguments",
    "add_sampling_arguments",
    "add_list",
    "add_k",
    "add_theta",
    "add_beta",
    "add_t",
    "add_form",
    "add_engine",
    "add_seed",
    "add_progress",
    "add_json",
    "add_flag",
    "add_output",
    "add_reporting",
    "deprecated_alias",
]

#: ``--help`` text of ``--seed``, the same in every command
SEED_HELP = (
    "random seed (default 0: a command line gives the same numbers every time; "
    "the Python API's seed=None draws fresh entropy)"
)
#: ``--help`` text of ``--json`` where the command prints its result
JSON_HELP = "print the result as JSON on stdout (schema: docs/json.rst)"
#: defaults shared by every command that has the option
THETA, BETA, K, N_SKILLS, N_TEXTS = 0.05, 0.2, 8, 1000, 100_000


def integer(text: str) -> int:
    """An argparse type for counts: ``100000``, ``100_000`` or ``1e5``; exact values only.

    ``1.5``, ``1e-3`` and ``nan`` are refused (argparse names the option in its
    one-line error). The text is read as a decimal, so ``1e20`` is exact.
    """
    try:
        value = decimal.Decimal(text.replace("_", ""))
    except decimal.InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r} (not integral)")
    return int(value)


class Default(int):
    """An integer default that knows it was not typed: ``check --edges`` takes its sizes
    from the file unless ``--n-skills``/``--n-texts``/``--k`` are given (see :func:`given`)."""

    def __repr__(self) -> str:
        return repr(int(self))


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """Turn :class:`Default` values into plain ints, remembering which they were.

    :func:`skillgraph.cli.main` calls it after parsing, so commands and the
    library only ever see ``int``; :func:`given` answers from the record.
    """
    untyped = {name for name, value in vars(args).items() if isinstance(value, Default)}
    for name in untyped:
        setattr(args, name, int(getattr(args, name)))
    args.untyped_defaults = frozenset(untyped)
    return args


def given(args: argparse.Namespace, name: str) -> bool:
    """Whether the option ``name`` (its dest) was typed on the command line."""
    return name not in getattr(args, "untyped_defaults", ())


def add_graph_arguments(p, *, n_texts: int = N_TEXTS) -> None:
    """Options that describe a sampled graph (``simulate``, ``check``, ``emerge``)."""
    p.add_argument("--n-skills", type=integer, default=Default(N_SKILLS),
                   help=f"number of skills (default {N_SKILLS})")
    p.add_argument("--n-texts", type=integer, default=Default(n_texts),
                   help=f"number of text pieces (default {n_texts}; 1e5 is accepted)")
    add_k(p)


def add_k(p) -> None:
    """``--k``: skills per text piece."""
    p.add_argument("--k", type=integer, default=Default(K),
                   help=f"skills per text piece (default {K})")


def add_sampling_arguments(p) -> None:
    """How a sampled graph draws its skills (``simulate``, ``check``)."""
    p.add_argument(
        "--skill-measure", choices=("uniform", "zipf"), default="uniform",
        help="skill measure (default uniform)",
    )
    p.add_argument("--zipf-exponent", type=float, default=None,
                   help="Zipf exponent of the skill measure, with --skill-measure zipf "
                        "(default 1)")  # fmt: skip
    add_flag(p, "--no-replace", "k distinct skills per text piece")


def zipf_exponent(args: argparse.Namespace) -> float:
    """``--zipf-exponent`` (1 when not typed), refused without ``--skill-measure zipf``.

    The uniform measure has no exponent: a typed one would be silently ignored.
    """
    if args.zipf_exponent is None:
        return 1.0
    if args.skill_measure != "zipf":
        raise CommandError(
            f"--zipf-exponent applies to --skill-measure zipf only, not {args.skill_measure}; "
            "add --skill-measure zipf or drop --zipf-exponent"
        )
    return args.zipf_exponent


def add_theta(p) -> None:
    """``--theta``: the failure rate."""
    p.add_argument("--theta", type=float, default=THETA,
                   help=f"failure rate, in (0, 1) (default {THETA})")


def add_beta(p) -> None:
    """``--beta``: the competence threshold."""
    p.add_argument("--beta", type=float, default=BETA,
                   help=f"competence threshold, in (0, 1) (default {BETA})")


def add_t(p, *, help: str = "tuple size (default 1: single skills)") -> None:
    """``--t``: one tuple size."""
    p.add_argument("--t", type=integer, default=1, metavar="T", help=help)


def add_form(p, *, help: str = "form of the bound (default kl)") -> None:
    """``--form``: the bound's form, a choice."""
    from skillgraph.theory.bounds import FORMS

    p.add_argument("--form", choices=FORMS, default="kl", help=help)


def add_engine(p, *, auto: str = "", help: str | None = None) -> None:
    """``--engine {auto,graph,stream}``, default ``auto``; ``auto`` says what it picks here."""
    from skillgraph.core.engine import ENGINES

    p.add_argument(
        "--engine", choices=("auto", *ENGINES), default="auto",
        help=help or "graph: materialise the graph (exact failure counts); stream: per-skill "
        f"counts in O(n_skills) memory; auto (default): {auto}",
    )


def add_seed(p) -> None:
    """``--seed``, default 0 (see :data:`SEED_HELP`)."""
    p.add_argument("--seed", type=integer, default=0, help=SEED_HELP)


def add_progress(p) -> None:
    """``--progress/--no-progress``: a bar on stderr (default on)."""
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="a progress bar on stderr (default: --progress)")


def add_json(p, what: str = JSON_HELP) -> None:
    """``--json``: print the command's documented JSON (see :mod:`skillgraph.schemas`)."""
    add_flag(p, "--json", what)


def add_flag(p, option: str, help: str) -> None:
    """A switch: ``option`` is off (``False``) unless given; it takes no value."""
    p.add_argument(option, action="store_true", help=help)


def add_output(p, out: str, what: str) -> None:
    """``--out DIR`` (default ``out``) and ``--json``: where a run's files go, what it prints.

    The commands that write one run into a directory of their own (``emerge_out``,
    ``memory_out``, ...) declare both together; ``what`` is the ``--json`` help.
    """
    p.add_argument("--out", metavar="DIR", default=out, help=f"output directory (default {out})")
    add_json(p, what)


def add_reporting(p, what: str = JSON_HELP) -> None:
    """``--progress/--no-progress`` and ``--json``: how a long command reports, in that order."""
    add_progress(p)
    add_json(p, what)


class _Deprecated(argparse.Action):
    """Store like the new option, and say once on stderr that the old spelling is going."""

    def __init__(self, option_strings, dest, new: str, kind=None, **kwargs):
        self.new = new
        self.kind = kind
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: note: {option_string} is deprecated and will be removed after "
              f"the next release; use {self.new}", file=sys.stderr)  # fmt: skip
        setattr(namespace, self.dest, values)


def deprecated_alias(p, old: str, new: str, **kwargs) -> None:
    """Accept ``old`` for ``new`` (hidden from ``--help``) with a note on stderr."""
    dest = new.lstrip("-").replace("-", "_")
    p.add_argument(old, dest=dest, action=_Deprecated, new=new, default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS, **kwargs)  # fmt: skip


def add_list(p, option: str, kind, default: tuple, what: str) -> None:
    """A plural option: a comma-separated list of ``kind``."""
    shown = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in default)
    p.add_argument(option, type=comma_list(kind, option), default=default,
                   help=f"{what}, comma-separated (default {shown})")
