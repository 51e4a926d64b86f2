"""One command-line vocabulary: the same option means the same thing in every subcommand.

The walker reads the real argparse parser, so a subcommand that declares
``--beta`` with another default, ``--engine`` with other choices or a count as
plain ``int`` (no ``1e5``) fails here.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import pytest

from skillgraph.cli import COMMANDS, build_parser, main
from skillgraph.cli._vocabulary import SEED_HELP, integer

#: the only differences allowed between subcommands, each with its reason (docs/cli.rst)
INTENDED = {
    "--out": "each command writes its own directory (emerge_out, memory_out, ...); sweep "
             "requires one, plot defaults to DIR/figures",
    "--n-texts": "emerge averages many graphs per scale and resolves 8-tuples: 1e6 text "
                 "pieces; simulate and check draw one graph of 1e5",
    "--replicates": "each pipeline's config default (EmergeConfig 8, MemoryConfig 4)",
    "--tuples": "each pipeline's config default (EmergeConfig 1,2,4,8; MemoryConfig 1,2,4)",
    "--zipf-exponent": "memory's is the exponent of its inputs' law (must exceed 1), "
                       "not a skill measure's",
}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _signature(action: argparse.Action) -> tuple:
    """What must agree between subcommands: dest, kind of action, type, default, choices."""
    kind = getattr(action.type, "__qualname__", repr(action.type))
    choices = tuple(action.choices) if action.choices is not None else None
    return (action.dest, type(action).__name__, kind, repr(action.default), choices)


def divergences(parser: argparse.ArgumentParser) -> dict[str, dict[str, tuple]]:
    """Options whose signature differs between subcommands: option -> {command: signature}."""
    seen: dict[str, dict[str, tuple]] = defaultdict(dict)
    for command, sub in _subparsers(parser).items():
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue  # deprecated spellings are hidden and map onto the new dest
            for option in action.option_strings:
                seen[option][command] = _signature(action)
    return {opt: by for opt, by in seen.items() if len(set(by.values())) > 1}


def test_the_walker_finds_a_divergence():
    parser = argparse.ArgumentParser()
    subs = parser.add_subparsers()
    subs.add_parser("a").add_argument("--beta", type=float, default=0.2)
    subs.add_parser("b").add_argument("--beta", type=float, default=0.5)
    subs.add_parser("c").add_argument("--engine", choices=("graph", "stream"))
    subs.add_parser("d").add_argument("--engine", choices=("auto", "graph", "stream"))
    assert set(divergences(parser)) == {"--beta", "--engine"}


def test_every_option_means_the_same_in_every_subcommand():
    found = divergences(build_parser())
    unexpected = {opt: by for opt, by in found.items() if opt not in INTENDED}
    assert not unexpected, unexpected
    stale = set(INTENDED) - set(found)
    assert not stale, f"INTENDED lists differences that are gone: {stale}"


def _actions():
    for command, sub in _subparsers(build_parser()).items():
        for action in sub._actions:
            yield command, action


def test_counts_accept_scientific_notation_everywhere():
    plain_int = [(c, a.option_strings) for c, a in _actions() if a.type is int]
    assert not plain_int, f"use skillgraph.cli._vocabulary.integer: {plain_int}"


def test_progress_and_json_and_seed_are_everywhere():
    subs = _subparsers(build_parser())
    assert set(subs) == set(COMMANDS)
    for command, sub in subs.items():
        options = {o: a for a in sub._actions for o in a.option_strings}
        assert "--json" in options, command
        if command not in ("bound", "simulate"):  # one formula, one library call: no stages
            both = options["--progress"], options["--no-progress"]
            assert both[0] is both[1] and both[0].default is True, command
        if "--seed" in options:
            assert options["--seed"].default == 0 and options["--seed"].help == SEED_HELP


@pytest.mark.parametrize("command", COMMANDS)
def test_help_renders_without_doubled_percent(command, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: skillgraph {command}")
    assert "%%" not in text and "%(" not in text


@pytest.mark.parametrize(
    "text, value",
    [("100000", 100_000), ("100_000", 100_000), ("1e5", 100_000), ("2.5e3", 2500),
     ("1e20", 10**20), ("-3", -3)],
)
def test_integer_reads_exact_values(text, value):
    got = integer(text)
    assert type(got) is int and got == value


@pytest.mark.parametrize("text", ["1.5", "1e-3", "nan", "inf", "x", "1e5.5", ""])
def test_integer_refuses_inexact_values(text):
    with pytest.raises(argparse.ArgumentTypeError, match="expected an integer"):
        integer(text)


def test_scientific_counts_on_the_command_line(capsys):
    args = build_parser().parse_args(["simulate", "--n-texts", "1e5", "--k", "8"])
    assert args.n_texts == 100_000
    assert main(["simulate", "--n-texts", "1.5e0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--n-texts" in err and "1.5e0" in err


def test_bound_no_longer_requires_what_the_others_default(capsys):
    args = build_parser().parse_args(["bound"])
    assert (args.theta, args.beta, args.k, args.t, args.form) == (0.05, 0.2, 8, 1, "kl")


def test_engine_is_one_choice_with_one_default():
    subs = _subparsers(build_parser())
    for command, sub in subs.items():
        options = {o: a for a in sub._actions for o in a.option_strings}
        if "--engine" in options:
            assert options["--engine"].choices == ("auto", "graph", "stream"), command
            assert options["--engine"].default == "auto", command


def test_deprecated_spelling_still_works_with_a_note(capsys):
    parser = build_parser()
    args = parser.parse_args(["emerge", "--points", "9"])
    assert args.bound_points == 9
    err = capsys.readouterr().err
    assert "--points is deprecated" in err and "--bound-points" in err
    args = parser.parse_args(["emerge", "--bound-points", "9"])
    assert args.bound_points == 9 and capsys.readouterr().err == ""


def test_check_edges_takes_sizes_from_the_file_unless_typed(tmp_path, capsys):
    edges = tmp_path / "edges.csv"
    # 3 text pieces on 4 skills: skill 3 has no edge, so only --n-skills can declare it
    edges.write_text("text_id,skill_id\n0,0\n0,1\n1,1\n1,2\n2,0\n2,2\n")
    assert main(["check", "--edges", str(edges), "--theta", "0.3", "--beta", "0.5",
                 "--no-exact", "--json", "--no-progress"]) in (0, 1)
    import json

    auto = json.loads(capsys.readouterr().out)
    assert (auto["graph"]["n_skills"], auto["graph"]["n_texts"], auto["graph"]["k"]) == (3, 3, 2)
    assert main(["check", "--edges", str(edges), "--n-skills", "4", "--theta", "0.3", "--beta",
                 "0.5", "--no-exact", "--json", "--no-progress"]) in (0, 1)
    typed = json.loads(capsys.readouterr().out)
    assert typed["graph"]["n_skills"] == 4
