"""``python -m paper_figs [--out DIR] [--small] [--only NAME ...]``: rebuild every figure."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from paper_figs import figure_modules, load


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
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"--out must be a directory, got the file {str(out)!r}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {str(out)!r} cannot be used: {exc.strerror or exc}")
    failed = []
    for name in args.only or names:
        start = time.perf_counter()
        try:
            written = load(name).main(out, small=args.small)
        except KeyboardInterrupt:
            print(f"interrupted during {name}; the figures written so far are complete",
                  file=sys.stderr)  # fmt: skip
            return 130
        except Exception:  # one broken figure must not hide the others
            traceback.print_exc()
            failed.append(name)
            print(f"{name}: FAILED", file=sys.stderr)
            continue
        paths = ", ".join(str(p) for p in written or ())
        print(f"{name} ({time.perf_counter() - start:.1f} s): {paths}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
