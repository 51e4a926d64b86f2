"""The README's and the quickstart's examples run as written.

Python: every block of a page runs, in order, in one fresh interpreter (the
quickstart's blocks build on each other), outside pytest so that the project's
hypothesis profile (``deadline=None``) cannot hide a failure a reader would see.

Shell: every ``skillgraph ...`` and ``python -m paper_figs ...`` line runs in a
scratch directory that holds ``sims/`` and an edge file ``my_graph.csv``.
Lines that take a minute or more run verbatim only with ``--runslow``; the
default run gives them the small sizes of :data:`SMALLER` (appended options:
the last value of an option wins).  :data:`NOT_RUN` lists, with the reason,
the few lines a test cannot run (installing the package, the test suite itself).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"README.md": ROOT / "README.md", "quickstart": ROOT / "docs" / "quickstart.rst"}

#: lines a test cannot run, and why
NOT_RUN = {
    "python3 -m venv .venv && . .venv/bin/activate && pip install \".[dev,dask]\" && "
    "skillgraph emerge": "creates a virtual environment and installs the package",
    "python -m pytest": "the test suite itself",
    "pip install \".[docs]\" && python -m sphinx -W --keep-going -b html docs docs/_build/html":
        "installs and builds the documentation (CI does)",
}
#: options that make a slow line fast (its first words -> options appended)
SMALLER = {
    "skillgraph emerge": ["--n-texts", "2e4", "--n-skills", "200", "--replicates", "2",
                          "--sim-points", "3", "--bound-points", "21", "--n-tuples", "500"],
    "skillgraph memory": ["--trials", "2", "--replicates", "2", "--n-inputs", "100"],
    "skillgraph induction": ["--steps", "20", "--dim", "16", "--seq-len", "16", "--batch", "4"],
    "skillgraph superpose": ["--examples", "10"],
    "skillgraph check --n-skills 1000": ["--n-texts", "2e4"],
    "python -m paper_figs": ["--small", "--only", "slingshot"],
}
#: lines that run verbatim in the default run too (seconds)
FAST = ("skillgraph bound", "skillgraph sweep --example", "skillgraph sweep --list-examples",
        "skillgraph plot", "skillgraph simulate", "skillgraph check --edges",
        "skillgraph check --n-skills 200", "skillgraph emerge --params")
#: lines that run only with --runslow (a local Dask cluster)
SLOW_ONLY = ("skillgraph sweep sims/smoke.toml --out runs/dask --dask-local",)


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced block of a markdown text, in order."""
    blocks, language, body = [], None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if language is None:
                language, body = line[3:].strip(), []
            else:
                blocks.append((language, "\n".join(body) + "\n"))
                language = None
        elif language is not None:
            body.append(line)
    return blocks


def python_blocks(page: str) -> list[str]:
    """The python examples of a page, in order."""
    text = PAGES[page].read_text()
    if page.endswith(".md"):
        return [body for language, body in markdown_blocks(text) if language == "python"]
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text)
    return [re.sub(r"^   ", "", b, flags=re.M) for b in blocks]


def shell_lines(page: str) -> list[str]:
    """The shell commands of a page (comments dropped, ``$`` prompts removed)."""
    text = PAGES[page].read_text()
    if page.endswith(".md"):
        lines = [ln for language, body in markdown_blocks(text) if language in ("bash", "")
                 for ln in body.splitlines()]
    else:
        blocks = re.findall(r"\.\. code-block:: console\n\n((?:   .*\n|\n)+)", text)
        lines = [ln.strip()[2:] for b in blocks for ln in b.splitlines()
                 if ln.strip().startswith("$ ")]
    out = []
    for line in lines:
        command = line.split("  #")[0].strip()
        if re.match(r"(skillgraph|python|pip) ", command):
            out.append(command)
    return out


@pytest.fixture(scope="module")
def scratches(tmp_path_factory):
    """One directory per page, like a clone's root: sims/, paper_figs/ and an edge file."""
    import skillgraph as sg

    graph = sg.sample_graph(200, 4000, 8, seed=5)
    rows = "\n".join(f"{t},{s}" for t, skills in enumerate(graph.text_skills) for s in skills)
    out = {}
    for page in PAGES:
        where = tmp_path_factory.mktemp("snippets")
        (where / "sims").symlink_to(ROOT / "sims")
        (where / "paper_figs").symlink_to(ROOT / "paper_figs")
        (where / "my_graph.csv").write_text("text_id,skill_id\n" + rows + "\n")
        out[page] = where
    return out


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPOTHESIS")}
    env.update(PYTHONPATH=str(ROOT), MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
    return env


@pytest.mark.parametrize("page", list(PAGES))
def test_python_examples_run_as_written(page, scratches):
    blocks = python_blocks(page)
    assert blocks, f"no python example found in {page}"
    program = "\n".join(blocks)  # the blocks of a page share one session, in order
    proc = subprocess.run([sys.executable, "-c", program], cwd=scratches[page], env=_env(),
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"{page}:\n{proc.stderr[-3000:]}"


def test_readme_hypothesis_example_runs_outside_the_projects_profile(scratches):
    """The first example is compiled by numba: the README must not need our conftest."""
    block = next(b for b in python_blocks("README.md") if "@given" in b)
    assert "deadline=None" in block
    proc = subprocess.run([sys.executable, "-c", block], cwd=scratches["README.md"], env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _shell_cases():
    cases = []
    for page in PAGES:
        for line in shell_lines(page):
            if line in NOT_RUN:
                continue
            for part in line.split(" && "):
                if part.startswith(FAST):
                    cases.append(pytest.param(page, part, True, id=f"{page}: {part}"))
                    continue
                if not part.startswith(SLOW_ONLY):
                    cases.append(pytest.param(page, part, False, id=f"{page}: {part} (smaller)"))
                cases.append(pytest.param(page, part, True, id=f"{page}: {part}",
                                          marks=pytest.mark.slow))
    return cases


def _argv(part: str, verbatim: bool) -> list[str]:
    words = shlex.split(part)
    if words[0] == "skillgraph":
        words = [sys.executable, "-m", "skillgraph", *words[1:]]
    elif words[0] == "python":
        words = [sys.executable, *words[1:]]
    if not verbatim:
        for start, extra in SMALLER.items():
            if part.startswith(start):
                words += extra
    return words


@pytest.mark.parametrize("page, part, verbatim", _shell_cases())
def test_shell_examples_run(page, part, verbatim, scratches):
    argv = _argv(part, verbatim)
    proc = subprocess.run(argv, cwd=scratches[page], env=_env(), capture_output=True, text=True,
                          timeout=3600)
    assert proc.returncode == 0, f"{page}: {part}\n{proc.stderr[-3000:]}"


def test_every_shell_line_is_run_or_explained():
    for page in PAGES:
        for line in shell_lines(page):
            assert line in NOT_RUN or all(
                p.startswith((*FAST, *SLOW_ONLY, *SMALLER))
                for p in line.split(" && ")
            ), f"{page}: add {line!r} to FAST, SMALLER or NOT_RUN"
