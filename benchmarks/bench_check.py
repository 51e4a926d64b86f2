"""Time and peak memory of ``skillgraph check`` against ``n_texts``; streamed passes vs the stream.

Usage::

    python benchmarks/bench_check.py [--quick] [--out FILE.json] [--only check|passes]
        [--stream-sizes 1e5 1e6 1e7 1e8 1e9] [--graph-sizes 1e5 1e6 1e7]
        [--pass-texts 1e8] [--repeats R]

Two parts, both at ``n_skills = 1000, k = 8, theta = 0.1, beta = 0.5``:

* **check**: ``python -m skillgraph check --engine stream`` (and ``--engine
  graph`` up to ``1e7``) in a fresh subprocess per size: wall time, CPU time
  (all threads) and peak resident memory (``ru_maxrss`` of the child), and the
  bad counts it reports (so that runs can be compared);
* **passes**: on one streamed graph of ``--pass-texts`` text pieces, in this
  process, round-robin over ``--repeats`` rounds: the draws-only kernel (the
  hardware limit), a plain stream call (:meth:`StreamPlan.counts`), and the
  two passes of the streamed targeted adversary
  (:func:`skillgraph.audit.streamed.run_pass`) for one set size and for a
  batch of 24; reported as times and as ratios to the stream call in the same
  round (median over rounds).

``--only`` runs one part; with ``--out`` naming an existing file, that part
is replaced in it and the rest kept (a replaced ``passes`` moves to
``passes_earlier``, so that runs on other commits or loads stay side by side).

The machine (CPU, cores, numba threads, load average at start and end) is
recorded with the results, and with the passes (which also record the load
average after each round): the numbers are only comparable within one run,
and a loaded machine (``load_average`` above the core count) slows every
contender.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from bench_stream import machine_info  # noqa: E402

N_SKILLS, K, THETA, BETA, SEED = 1000, 8, 0.1, 0.5, 3
BATCH = 24


def run_check(n_texts: int, engine: str) -> dict:
    """``skillgraph check`` in a subprocess: seconds, CPU seconds, peak MB, bad counts."""
    cmd = [sys.executable, "-m", "skillgraph", "check", "--n-skills", str(N_SKILLS), "--n-texts",
           str(n_texts), "--k", str(K), "--theta", str(THETA), "--beta", str(BETA), "--seed",
           str(SEED), "--engine", engine, "--json"]  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own usage and peak memory
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        done = subprocess.CompletedProcess(cmd, child.returncode, stdout.read(), stderr.read())
    out = dict(n_texts=n_texts, engine=engine, status=done.returncode, seconds=wall,
               cpu_seconds=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024,
               load_average=os.getloadavg())  # fmt: skip
    if done.returncode in (0, 1):
        report = json.loads(done.stdout)
        out["n_bad"] = {name: a["n_bad"] for name, a in report["adversaries"].items()}
        out["certificate"] = report["certificate"]["n_bad_max"]
    else:
        out["error"] = done.stderr.strip().splitlines()[-1:]
    return out


def pass_contenders(n_texts: int) -> dict:
    """Callables of the pass benchmark, all on the same streamed graph."""
    from skillgraph import _kernels
    from skillgraph._jit import numba_threads
    from skillgraph.audit.streamed import run_pass, skill_ranks, tie_rules
    from skillgraph.core.streaming import stream_plan

    plan = stream_plan(N_SKILLS, n_texts, K, THETA, seed=SEED)
    degrees = np.full(N_SKILLS, n_texts * K // N_SKILLS)
    _, rank = skill_ranks(degrees, plan.skill_measure, BETA, seed=0)
    one, batch = [31], list(range(20, 20 + BATCH))
    m = round(THETA * n_texts)
    rules = {len(z): tie_rules(run_pass(plan, rank, z)[0], m) for z in (one, batch)}
    key = np.array([1, 2], dtype=np.uint64)

    def draws_only():
        with numba_threads(None):
            _kernels.stream_draws_only(plan.key, plan.failure_key, 0, n_texts, K, N_SKILLS,
                                       plan.packed_alias, plan.use_alias, THETA)  # fmt: skip

    return {
        "draws_only": draws_only,
        "stream": lambda: plan.counts(),
        "pass1_one_size": lambda: run_pass(plan, rank, one),
        "pass2_one_size": lambda: run_pass(plan, rank, one, rules[1], tie_key=key),
        f"pass1_{BATCH}_sizes": lambda: run_pass(plan, rank, batch),
        f"pass2_{BATCH}_sizes": lambda: run_pass(plan, rank, batch, rules[BATCH], tie_key=key),
    }


def bench_passes(n_texts: int, repeats: int) -> dict:
    contenders = pass_contenders(n_texts)
    for fn in contenders.values():  # warm up: compile or load the kernels
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    machine = machine_info()
    loads = []
    for _ in range(repeats):
        for name, fn in contenders.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
        loads.append(os.getloadavg())
    machine["load_average_end"] = os.getloadavg()
    out = {"n_texts": n_texts, "edges": n_texts * K, "machine": machine,
           "load_average_per_round": loads, "times_s": times}  # fmt: skip
    stream = np.array(times["stream"])
    out["median_s"] = {name: float(np.median(t)) for name, t in times.items()}
    out["ratio_to_stream"] = {name: float(np.median(np.array(t) / stream))
                              for name, t in times.items()}  # fmt: skip
    out["edges_per_s"] = {name: n_texts * K / s for name, s in out["median_s"].items()}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e5 and 1e6 only, 1e7 passes")
    parser.add_argument("--stream-sizes", type=float, nargs="*",
                        default=[1e5, 1e6, 1e7, 1e8, 1e9])  # fmt: skip
    parser.add_argument("--graph-sizes", type=float, nargs="*", default=[1e5, 1e6, 1e7])
    parser.add_argument("--pass-texts", type=float, default=1e8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--only", choices=("check", "passes"), default=None,
                        help="run one part (the other kept in an existing --out)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.stream_sizes, args.graph_sizes, args.pass_texts = [1e5, 1e6], [1e5, 1e6], 1e7
    results = {}
    if args.only != "passes":
        results.update(machine=machine_info(), check=[])
        for n, engine in [(n, "graph") for n in args.graph_sizes] + [
            (n, "stream") for n in args.stream_sizes
        ]:
            results["check"].append(run_check(int(n), engine))
            print(json.dumps(results["check"][-1]), flush=True)
        results["machine"]["load_average_end"] = os.getloadavg()
    if args.only != "check":
        results["passes"] = bench_passes(int(args.pass_texts), args.repeats)
        print(json.dumps({k: results["passes"][k] for k in ("median_s", "ratio_to_stream")}))
    if args.out is not None:
        write_results(args.out, results)
    return 0


def write_results(path: Path, results: dict) -> None:
    """Write ``results`` to ``path``, keeping the parts of an existing file this run left out.

    A replaced ``passes`` entry is kept in ``passes_earlier`` (with the commit
    it was measured on, when the file recorded one).
    """
    merged = json.loads(path.read_text()) if path.exists() else {}
    if "passes" in results and merged.get("passes"):
        earlier = merged["passes"]
        machine = earlier.get("machine", merged.get("machine", {}))
        earlier.setdefault("commit", machine.get("commit"))
        merged.setdefault("passes_earlier", []).append(earlier)
    merged.update(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
