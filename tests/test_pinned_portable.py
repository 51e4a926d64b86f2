"""The pins hold on another CPU: ``test_pinned.py`` rerun on an emulated baseline x86-64.

A pinned float once failed on a machine whose CPU summed in another SIMD order.  This test
reruns the pinned pipelines with numpy's SIMD dispatch, OpenBLAS's kernels and numba's
code generation all limited to baseline x86-64, as on a CPU without AVX.  On an AVX2 or
AVX-512 machine that moves some float results in their last digit (33 cells of the pinned
CLI outputs on the machine that wrote this test), while integers and sampled-graph hashes
stay exact: a pin compared exactly would fail here, a pin with a tolerance must pass.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() != "x86_64",
        reason="the emulated CPU is baseline x86-64 (Linux)",
    ),
]

# What the child process reports of its own settings, to show the emulation took effect.
PROBE = """
import json
import numpy, threadpoolctl
from numba.core import config
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
blas = [i.get("architecture") for i in threadpoolctl.threadpool_info()
        if i.get("internal_api") == "openblas"]
print(json.dumps({
    "numpy_simd": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
    "openblas": blas,
    "numba_cpu": config.CPU_NAME,
}))
"""


def _baseline_environment(numba_cache: Path) -> dict:
    """This process's environment with numpy, OpenBLAS and numba held to baseline x86-64."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2 names its SIMD tables elsewhere
        pytest.skip("numpy >= 2 is needed to list its SIMD dispatch targets")
    found = [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]
    return {
        **os.environ,
        "NPY_DISABLE_CPU_FEATURES": " ".join(found),
        "OPENBLAS_CORETYPE": "Nehalem",  # the oldest x86-64 kernels with SSE4.2, no AVX
        "NUMBA_CPU_NAME": "generic",
        "NUMBA_CACHE_DIR": str(numba_cache),  # keep baseline machine code out of the caches
        "OPENBLAS_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }


def test_pins_hold_on_a_baseline_x86_64_cpu(tmp_path):
    env = _baseline_environment(tmp_path / "numba")
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    settings = json.loads(probe.stdout)
    assert settings["numpy_simd"] == [], settings
    assert all(arch == "Nehalem" for arch in settings["openblas"]), settings
    assert settings["numba_cpu"] == "generic", settings

    pinned = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(TESTS / "test_pinned.py")],
        env=env, capture_output=True, text=True, timeout=1800, cwd=TESTS.parent,
    )  # fmt: skip
    assert pinned.returncode == 0, pinned.stdout[-4000:] + pinned.stderr[-2000:]
