"""Every document a file of the repository points to exists in the repository.

The mathematics lives in the documentation (``docs/``): a docstring, a CLI
help text, a sims spec or a test that sends the reader to a document that is
not in the repository is a broken promise.  These tests read every file git
knows about (tracked, or new and not ignored) and check that

* every ``*.md`` / ``*.rst`` file name or path it mentions exists (as a path
  from the repository root, from the mentioning file's folder, or as the end
  of a path in the repository);
* every Sphinx ``:doc:`` target names a page of ``docs/`` and every ``:ref:``
  label is defined by a page of ``docs/``, so a link lands even before the
  site is built.

Building the site (``python -m sphinx -W --keep-going -b html docs
docs/_build/html``) checks the same links and more; these tests are the fast
guard that runs with the test suite.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: Produced by a build or a run, never part of the repository's sources.
GENERATED_DIRS = ("docs/_build/", "docs/auto_gallery/", "docs/api/generated/")
#: File names the package or the docs build *writes* (outputs, not documents).
OUTPUT_NAMES = {"summary.md", "sg_execution_times.rst"}

_DOC_MENTION = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?[\w./-]*\w\.(?:md|rst)\b")
_ROLE = re.compile(r":(doc|ref):`([^`]+)`")
_LABEL = re.compile(r"^\.\. _([^:]+):\s*$", re.MULTILINE)


@cache
def repository_files() -> tuple[str, ...]:
    """Paths (relative, POSIX) of the files git tracks or would track, generated ones left out."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the list of repository files is unknown")
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()
    paths = {p for p in out.split("\0") if p}
    return tuple(sorted(
        p for p in paths if not p.startswith(GENERATED_DIRS) and (ROOT / p).is_file()
    ))


def text_of(path: str) -> str | None:
    """The file's text, or None for a binary file."""
    data = (ROOT / path).read_bytes()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def document_exists(mention: str, mentioned_in: str, files: tuple[str, ...]) -> bool:
    """Whether ``mention`` (a path or file name) names a file of the repository."""
    name = mention.lstrip("/")
    if (ROOT / name).is_file() or (ROOT / mentioned_in).parent.joinpath(mention).is_file():
        return True
    tail = name.lstrip("./")
    return any(f == tail or f.endswith("/" + tail) for f in files)


def test_mentioned_documents_exist():
    files = repository_files()
    missing = []
    for path in files:
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for mention in _DOC_MENTION.findall(line):
                if "://" in mention or Path(mention).name in OUTPUT_NAMES:
                    continue
                if not document_exists(mention, path, files):
                    missing.append(f"{path}:{number}: {mention}")
    assert not missing, "documents mentioned but not in the repository:\n" + "\n".join(missing)


def test_the_retired_specification_files_are_never_mentioned():
    # built from parts so that this file does not mention them itself
    retired = [name + ".md" for name in ("theory", "design")]
    hits = []
    for path in repository_files():
        text = text_of(path)
        if text is not None:
            hits += [f"{path}: {name}" for name in retired if name in text]
    assert not hits, "mentions of documents that are not in the repository:\n" + "\n".join(hits)


@cache
def doc_labels() -> frozenset[str]:
    """Every ``.. _label:`` of the documentation pages, plus the gallery's generated labels."""
    labels = set()
    for page in DOCS.rglob("*.rst"):
        if not page.relative_to(ROOT).as_posix().startswith(GENERATED_DIRS):
            labels.update(x.lower() for x in _LABEL.findall(page.read_text(encoding="utf-8")))
    for example in (DOCS / "gallery").glob("plot_*.py"):
        labels.add(f"sphx_glr_auto_gallery_{example.name.replace('.', '_')}")
        labels.add(f"sphx_glr_auto_gallery_{example.name}")
    return frozenset(labels)


def doc_page_exists(target: str, mentioned_in: str) -> bool:
    """Whether a ``:doc:`` target names a page of ``docs/``.

    Absolute targets (``/theory/graph``) start at ``docs/``; relative ones, in
    a page of ``docs/``, at the page's folder.  Gallery pages come from the
    example scripts in ``docs/gallery/``.
    """
    if target.startswith("/"):
        base, name = DOCS, target[1:]
    elif mentioned_in.startswith("docs/"):
        base, name = (ROOT / mentioned_in).parent, target
    else:
        return True  # a relative target in a docstring depends on where it is rendered
    page = (base / name).resolve()
    if (page.parent / f"{page.name}.rst").is_file():
        return True
    gallery = DOCS / "auto_gallery"
    if page.parent == gallery:
        return page.name == "index" or (DOCS / "gallery" / f"{page.name}.py").is_file()
    return False


def test_sphinx_roles_land():
    missing = []
    labels = doc_labels()
    for path in repository_files():
        if not path.endswith((".py", ".rst")):
            continue
        text = text_of(path)
        if text is None:
            continue
        for match in _ROLE.finditer(text):  # a role may wrap onto the next line
            role, content = match.group(1), " ".join(match.group(2).split())
            number = text.count("\n", 0, match.start()) + 1
            target = content.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in content else content
            lands = target.lower() in labels if role == "ref" else doc_page_exists(target, path)
            if not lands:
                what = "label" if role == "ref" else "page"
                missing.append(f"{path}:{number}: :{role}:`{content}` (no such {what} in docs/)")
    assert not missing, "Sphinx references that do not land:\n" + "\n".join(missing)
