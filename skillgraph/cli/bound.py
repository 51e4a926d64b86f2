"""``skillgraph bound``: the emergence bound beside the averaging bound."""

from __future__ import annotations

from skillgraph.cli._common import format_table
from skillgraph.cli._json import emit_json
from skillgraph.cli._subcommand import subcommand
from skillgraph.cli._vocabulary import add_beta, add_form, add_json, add_k, add_t, add_theta

__all__ = ["add_parser", "run", "bound_rows"]


_HELP = (
    "the emergence bound alpha_star beside the averaging bound "
    "(docs/theory/theorem1.rst, docs/theory/tuples.rst)"
)
_DESCRIPTION = (
    "Print alpha_star(theta, beta, k) (or the t-tuple bound of Corollary 2) beside the "
    "averaging bound theta/beta."
)


def _options(p) -> None:
    """The options of ``skillgraph bound``, in ``--help`` order."""
    add_theta(p)
    add_beta(p)
    add_k(p)
    add_t(p)
    add_form(p)
    add_json(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def run(args) -> int:
    from skillgraph.theory import bounds

    result = bounds.emergence_bound(args.theta, args.beta, args.k, t=args.t, form=args.form)
    if args.json:
        emit_json("bound", result.as_dict())
        return 0
    label = "single skills" if args.t == 1 else f"{args.t}-tuples of skills"
    docs = (
        "Theory > Theorem 1: the emergence bound, docs/theory/theorem1.rst" if args.t == 1
        else "Theory > Tuples of skills, docs/theory/tuples.rst"
    )
    print(f"Emergence bound for {label} (docs: {docs}):")
    print(format_table(bound_rows(result)))
    return 0


def bound_rows(result) -> list[tuple[str, str]]:
    return [
        (f"alpha_star ({result.form} form)", f"{result.value:.6g}"),
        ("averaging bound theta/beta", f"{result.averaging:.6g}"),
        ("slingshot ratio", f"{result.slingshot_ratio:.4g}"),
        ("vacuous", "yes" if result.vacuous else "no"),
        ("guaranteed competent fraction", f"{result.guaranteed_competent:.6g}"),
    ]
