"""What the tests/test_reliability_*.py files share: the one-line check and a tiny sweep spec."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_line(err: str) -> str:
    """The one line of ``err`` (fails on several lines or a traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def snapshot(directory: Path) -> dict:
    """File name -> bytes of the files of ``directory``."""
    return {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir())}


def tiny_spec(*, seed: int = 3, replicates: int = 1, n_texts="100", theta="[0.1, 0.2]") -> str:
    """A sweep spec of a few items that run in well under a second each."""
    return f"""
name = "tiny-reliability"
seed = {seed}
replicates = {replicates}
measures = ["bad_fraction"]
[grid]
n_skills = 20
n_texts = {n_texts}
k = 2
failure = "random"
theta = {theta}
beta = 0.5
"""
