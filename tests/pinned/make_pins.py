"""Regenerate the pinned outputs in this folder (run only when a change *means* to alter numbers).

    python tests/pinned/make_pins.py

``samples.json``: SHA-256 of sampled graphs and streamed counts for several seeds, sizes,
measures and thread/chunk settings.  ``cli.json``: the numbers of small runs of
``emerge``, ``sweep``, ``check --json`` and ``simulate --json``.  The tests in
``tests/test_pinned.py`` recompute both and compare them value for value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pinned_cases import cli_outputs, sample_hashes  # noqa: E402


def main() -> None:
    (HERE / "samples.json").write_text(json.dumps(sample_hashes(), indent=1, sort_keys=True) + "\n")
    (HERE / "cli.json").write_text(json.dumps(cli_outputs(), sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
