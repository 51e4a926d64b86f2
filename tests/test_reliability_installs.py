"""Read-only installs: numba's cache falls back to a writable place (or none, with one
warning), and commands that need no kernel never import numba.

The machine's tests may run as root, for whom permission bits do not stop a write; so
"read-only" here is made of places nobody can write into: a ``__pycache__`` that is a
file, and a home directory under a file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.reliability_helpers import ROOT


@pytest.fixture
def readonly_install(tmp_path) -> dict:
    """A copy of the package whose ``__pycache__`` cannot be made, and a home under a file."""
    pkg = tmp_path / "site"
    shutil.copytree(ROOT / "skillgraph", pkg / "skillgraph",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (pkg / "skillgraph" / "__pycache__").write_text("")  # numba cannot cache beside the source
    (tmp_path / "file").write_text("")
    env = {key: value for key, value in os.environ.items()
           if key not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}  # fmt: skip
    env.update(PYTHONPATH=str(pkg), HOME=str(tmp_path / "file" / "home"),
               PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
    return env


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=300, cwd=tempfile.gettempdir())  # fmt: skip


_LOAD_KERNELS = """
import os, warnings
warnings.simplefilter("always")
import skillgraph
assert skillgraph.__file__.startswith({pkg!r}), skillgraph.__file__
from skillgraph._jit import kernels
{patch}
kernels()  # defines every cache=True kernel: numba finds a cache locator for each, or fails
print(os.environ.get("NUMBA_CACHE_DIR"))
"""


def test_kernels_load_when_the_package_and_home_are_read_only(readonly_install):
    code = _LOAD_KERNELS.format(pkg=readonly_install["PYTHONPATH"], patch="")
    proc = _python(readonly_install, code)
    assert proc.returncode == 0, proc.stderr
    cache = Path(proc.stdout.strip())
    assert cache.parent == Path(tempfile.gettempdir()) and cache.is_dir()
    assert "compiled in every run" not in proc.stderr  # cached: no warning about it


def test_with_no_writable_place_at_all_kernels_run_uncached_after_one_warning(readonly_install,
                                                                               tmp_path):
    nowhere = tmp_path / "file" / "cache"  # under a file: cannot be created
    patch = ("import skillgraph._numba_cache as c, pathlib\n"
             f"c._fallback = lambda: pathlib.Path({str(nowhere)!r})")  # fmt: skip
    code = _LOAD_KERNELS.format(pkg=readonly_install["PYTHONPATH"], patch=patch)
    code += "from skillgraph._jit import kernels as again\nagain()\n"
    proc = _python(readonly_install, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "None"
    assert proc.stderr.count("numba kernels are compiled in every run") == 1


def test_the_same_setup_without_the_fallback_fails_as_reported(readonly_install):
    """The fixture really is read-only for numba: without the fallback it cannot cache."""
    code = ("import numba\n"
            f"import sys; sys.path.insert(0, {readonly_install['PYTHONPATH']!r})\n"
            "import skillgraph._kernels")  # fmt: skip
    proc = _python(readonly_install, code)
    assert proc.returncode != 0 and "no locator available" in proc.stderr


def test_a_command_that_needs_no_kernel_never_imports_numba(tmp_path):
    code = ("import sys\nfrom skillgraph.cli import main\n"
            f"code = main(['emerge', '--sim-points', '0', '--bound-points', '21', '--out', "
            f"{str(tmp_path / 'out')!r}, '--no-progress'])\n"
            "print(code, 'numba' in sys.modules)")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = _python(env, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 False"
