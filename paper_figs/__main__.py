"""``python -m paper_figs [--out DIR] [--small] [--only NAME ...]``: rebuild every figure."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from paper_figs import figure_modules, load
from skillgraph._progress import progress_bar


def main(argv: list[str] | None = None) -> int:
    names = figure_modules()
    parser = argparse.ArgumentParser(
        prog="python -m paper_figs",
        description="Rebuild the paper's figures: runs main(out_dir, small) of every figure "
        f"script in paper_figs ({', '.join(names)}).",
    )
    parser.add_argument(
        "--out",
        default="paper_figs_out",
        metavar="DIR",
        help="output directory (default paper_figs_out)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="reduced settings (seconds per figure), for tests and previews",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", choices=names, help="run only these figure scripts"
    )
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                        help="a progress bar over the figures on stderr (default: --progress)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"--out must be a directory, got the file {str(out)!r}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {str(out)!r} cannot be used: {exc.strerror or exc}")
    todo = args.only or names
    with progress_bar(len(todo), enabled=args.progress, desc="paper_figs", unit="figure") as bar:
        failed = _run_all(todo, out, args.small, bar)
    if failed is None:
        return 130
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _run_all(names: list[str], out: Path, small: bool, bar) -> list[str] | None:
    """Run each figure script; the names that failed, or ``None`` when interrupted."""
    failed = []
    for name in names:
        start = time.perf_counter()
        if hasattr(bar, "set_postfix_str"):  # the silent stand-in has no postfix
            bar.set_postfix_str(name)
        try:
            written = load(name).main(out, small=small)
        except KeyboardInterrupt:
            bar.write(f"interrupted during {name}; the figures written so far are complete",
                      file=sys.stderr)
            return None
        except Exception:  # one broken figure must not hide the others
            traceback.print_exc()
            failed.append(name)
            bar.write(f"{name}: FAILED", file=sys.stderr)
        else:
            paths = ", ".join(str(p) for p in written or ())
            # above the bar, not through it
            bar.write(f"{name} ({time.perf_counter() - start:.1f} s): {paths}", file=sys.stdout)
        bar.update(1)
    return failed


if __name__ == "__main__":
    sys.exit(main())
