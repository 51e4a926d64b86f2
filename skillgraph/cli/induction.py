"""``skillgraph induction``: emergence in training time, the induction-head testbed."""

from __future__ import annotations

from skillgraph.cli._subcommand import subcommand

__all__ = ["add_parser", "run"]

#: command-line flag -> field of InductionConfig
_OVERRIDES = {
    "steps": "steps",
    "dim": "dim",
    "seq_len": "seq_len",
    "batch": "batch",
    "triggers": "n_triggers",
    "lr": "lr",
    "seed": "seed",
}

_HELP = "train the induction-head testbed: bigram memory and induction head against steps"
_DESCRIPTION = (
    "Train the simplified two-layer transformer of 'Birth of a Transformer' on synthetic "
    "bigram sequences with trigger tokens (numpy, one core) and record, at every logged "
    "step, the bigram and in-context losses, the shortcut baselines, the memory recall of "
    "W_O2, W_K2, W_K1 and the previous-token attention. Writes results.csv, induction.png, "
    "summary.md and summary.json into DIR. The defaults (the reference run) take about a "
    "minute. Exit status 2 for invalid options or a diverging run (its curves are written "
    "first)."
)


def _options(p) -> None:
    """The options of ``skillgraph induction``, in ``--help`` order."""
    from skillgraph.cli import _vocabulary as vocab
    from skillgraph.mechanisms.induction import PRESETS

    vocab.add_output(p, "induction_out", "print the summary as JSON on stdout instead of text")
    p.add_argument("--preset", choices=sorted(PRESETS), default="reference",
                   help="named configuration (default reference); the flags below override it")
    p.add_argument("--steps", type=vocab.integer, help="training steps (reference 800)")
    p.add_argument("--dim", type=vocab.integer, help="residual width d (default 128)")
    p.add_argument("--seq-len", type=vocab.integer, help="sequence length T (default 128)")
    p.add_argument("--batch", type=vocab.integer, help="sequences per step B (default 32)")
    p.add_argument("--triggers", type=vocab.integer, help="trigger tokens K (default 5)")
    p.add_argument("--lr", type=float, help="SGD step size (default 0.2)")
    vocab.add_seed(p)
    vocab.add_progress(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def run(args) -> int:
    from skillgraph.cli._common import staged_output
    from skillgraph.cli._json import absolute, emit_json
    from skillgraph.mechanisms import induction

    overrides = {
        field: getattr(args, flag)
        for flag, field in _OVERRIDES.items()
        if getattr(args, flag) is not None
    }
    # the configuration validates every value before the output directory or any work
    config = induction.InductionConfig.from_preset(args.preset, **overrides)
    diverged = None
    legacy = frozenset(induction.FILES).issuperset
    with staged_output(args.out, "induction", legacy=legacy) as stage:
        try:
            result = induction.run(config, progress=args.progress)
            written = stage.final(induction.write_outputs(result, stage.path))
        except induction.InductionDivergedError as exc:  # write its curves, then say so
            diverged = induction.write_diverged(exc, stage.path)
    if diverged is not None:
        raise induction.InductionDivergedError(
            str(diverged).replace(str(stage.path), str(stage.out)), diverged.step, diverged.run
        )
    if args.json:
        summary = result.summary()  # its "seconds" is the training's, named so here
        summary["training_seconds"] = summary.pop("seconds")
        emit_json("induction", {**summary, "out": absolute(args.out),
                                "files": [absolute(p) for p in written]})
    else:
        print(induction.summary_markdown(result))
        print(f"wrote {len(written)} files to {args.out}/: " + ", ".join(p.name for p in written))
    return 0
