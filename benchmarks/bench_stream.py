"""Throughput of skillgraph's samplers against the obvious alternatives, on the same work.

Usage::

    python benchmarks/bench_stream.py [--quick] [--repeats R] [--out FILE.json]
                                      [--memory] [--memory-sizes 1e6 1e9]
    python benchmarks/bench_stream.py --table FILE.json    # README table of a result file

The work: ``n_skills = 1e4`` skills with a uniform or a Zipf(1) measure,
``k = 8`` skills per text piece, failure rate ``theta = 0.05`` (each text
fails independently), and the per-skill edge and failed-edge counts (the
competence of every skill).  Contenders, all timed in this one process:

* ``stream``: :func:`skillgraph.stream` (numba, O(n_skills) memory);
* ``draws_only``: the same streaming kernel with the counting stripped (the
  random draws and failure decisions only): the "hardware limit" of the
  streaming design;
* ``count_only`` (uniform): the other half, the kernel's per-skill counting
  with the draws stripped (skills read from a fixed buffer);
* ``materialised``: :func:`skillgraph.sample_graph` (which counts the skill
  degrees while drawing), a Bernoulli failure mask
  (``random_failures(exact=False)``: the streaming kernel's counter-based
  rule, in parallel) and :func:`skillgraph.competence` (failed-edge counts
  in parallel);
* ``numpy``: a plain numpy reference: ``rng.integers`` for an ``(n_texts, k)``
  array (``rng.choice(p=mu)`` for Zipf), a Bernoulli mask, two ``bincount``;
* ``networkx``: build the bipartite (multi)graph with networkx and compute
  each skill's competence from its neighbours, at a smaller size; compared
  per edge;
* ``bits<b>``: prototypes of a uniform sampler spending ``b`` random bits per
  draw instead of 32 (``64 // b`` draws per SplitMix64 output), with
  (``stream``) and without (``draws``) the counting; built here only, to
  measure what a sampler spending fewer bits would gain.  They are not exact
  (their rare Lemire rejections are flagged, not redrawn) and not the
  library's sampler: a different random stream would change every user's
  numbers.

Every contender is warmed up (numba compiled or loaded from the cache, pages
touched), then timed round-robin: each round times every contender once, so
load from other jobs and the machine's drifting speed fall on all of them
alike.  A round during which other processes used more than
``--max-contention`` (default 5%) of the machine's CPU (from /proc/stat) is
recorded but set aside, and rounds go on until ``--repeats`` clean ones are
in (at most three times as many rounds).  The median and the best wall time
over the clean rounds are reported, with CPU time (all threads).  Ratios are
the median over the clean rounds of each round's ratio (robust to drift
between rounds), beside the ratio of the best times.  ``--memory`` also
measures the peak resident memory of ``stream`` in fresh subprocesses.
Numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

N_SKILLS = 10_000
K = 8
THETA = 0.05
GOAL_SIZE = 10_000_000  # n_texts at which the goals are judged
NX_TEXTS = 20_000  # networkx is timed at this size and compared per edge
BITS = (32, 21, 16)  # random bits per draw of the prototype samplers (32: today's)
MEASURES = ("uniform", "zipf")


# ---- contenders -------------------------------------------------------------------------
def run_stream(n_texts, measure, threads=None):
    from skillgraph.core.streaming import stream

    r = stream(N_SKILLS, n_texts, K, THETA, skill_measure=measure, seed=1, threads=threads)
    return r.competence()


def _numba_settings(threads):
    """Context: ``threads`` numba threads and the dynamic schedule ``stream`` uses."""
    import contextlib

    import numba

    @contextlib.contextmanager
    def settings():
        previous = numba.get_num_threads(), numba.get_parallel_chunksize()
        numba.set_num_threads(threads or previous[0])
        numba.set_parallel_chunksize(1)
        try:
            yield
        finally:
            numba.set_num_threads(previous[0])
            numba.set_parallel_chunksize(previous[1])

    return settings()


def draws_only_runner(measure):
    """The streaming kernel without the counting, on the plan ``stream`` would use."""
    from skillgraph import _kernels
    from skillgraph.core.streaming import stream_plan

    def run(n_texts, threads=None):
        plan = stream_plan(N_SKILLS, n_texts, K, THETA, skill_measure=measure, seed=1)
        with _numba_settings(threads):
            return _kernels.stream_draws_only(
                plan.key, plan.failure_key, 0, n_texts, K, N_SKILLS, plan.packed_alias,
                plan.use_alias, THETA,
            )  # fmt: skip

    return run


def run_materialised(n_texts, measure):
    from skillgraph.core.competence import competence
    from skillgraph.core.failures import random_failures
    from skillgraph.core.sampling import sample_graph

    g = sample_graph(N_SKILLS, n_texts, K, skill_measure=measure, seed=1)
    mask = random_failures(g, THETA, exact=False, seed=2)
    return competence(g, mask)


def run_numpy(n_texts, measure):
    rng = np.random.default_rng(1)
    if measure == "uniform":
        skills = rng.integers(0, N_SKILLS, size=(n_texts, K))
    else:
        skills = rng.choice(N_SKILLS, size=(n_texts, K), p=_zipf())
    failed = rng.random(n_texts) < THETA
    degrees = np.bincount(skills.ravel(), minlength=N_SKILLS)
    failed_edges = np.bincount(skills[failed].ravel(), minlength=N_SKILLS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - failed_edges / degrees


def run_networkx(n_texts, measure):
    import networkx as nx

    rng = np.random.default_rng(1)
    if measure == "uniform":
        skills = rng.integers(0, N_SKILLS, size=(n_texts, K))
    else:
        skills = rng.choice(N_SKILLS, size=(n_texts, K), p=_zipf())
    failed = rng.random(n_texts) < THETA
    G = nx.MultiGraph()  # parallel edges keep the multiplicity of a skill drawn twice
    G.add_nodes_from((("s", s) for s in range(N_SKILLS)), bipartite=0)
    G.add_nodes_from(
        (("t", t), {"bipartite": 1, "failed": bool(failed[t])}) for t in range(n_texts)
    )
    G.add_edges_from((("s", int(s)), ("t", t)) for t in range(n_texts) for s in skills[t])
    out = np.full(N_SKILLS, np.nan)
    is_failed = nx.get_node_attributes(G, "failed")
    for s in range(N_SKILLS):
        degree = 0
        bad = 0
        for _, text in G.edges(("s", s)):
            degree += 1
            bad += is_failed[text]
        if degree:
            out[s] = 1.0 - bad / degree
    return out


_ZIPF = None


def _zipf():
    global _ZIPF
    if _ZIPF is None:
        from skillgraph.core.graph import skill_measure_array

        _ZIPF = skill_measure_array(N_SKILLS, "zipf", 1.0)
    return _ZIPF


# ---- prototypes: samplers spending fewer random bits per draw ----------------------------
def make_bits_kernel(bits):
    """A uniform streaming kernel drawing each skill from a ``bits``-bit word.

    The structure of ``skillgraph._kernels`` (work items, blocks, 64-text
    groups counted as they are drawn, failure masks), but ``64 // bits``
    Lemire draws per SplitMix64 output.  Returns the number of blocks in
    which some draw would need Lemire's rejection step (not redrawn here).
    """
    import numba as nb

    from skillgraph import _kernels as K_

    per = 64 // bits  # draws per output
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(bits)

    @nb.njit(parallel=True)
    def kernel(key, fail_key, n_texts, k, n_skills, theta, local, local_failed, count):
        threads = local.shape[0]
        n = np.uint64(n_skills)
        n_out = (k + per - 1) // per
        for t in range(threads):
            for s in range(n_skills):
                local[t, s] = 0
                local_failed[t, s] = 0
        scratch = K_._block_scratch(threads, k)
        skills_all = np.empty((threads, K_._BLOCK * n_out * per), dtype=np.uint32)
        fail_below = K_._below53(theta)
        no_status = np.zeros(1, dtype=np.uint8)
        flagged = np.zeros(threads, dtype=np.int64)
        for item in nb.prange((n_texts + K_._ITEM - 1) // K_._ITEM):
            tid = nb.get_thread_id()
            deg = local[tid]
            fail = local_failed[tid]
            start, _, _, _, flags, failed = K_._scratch_rows(scratch, tid)
            skills = skills_all[tid]
            lo = item * K_._ITEM
            hi = min(lo + K_._ITEM, n_texts)
            for b0 in range(lo, hi, K_._BLOCK):
                m = min(K_._BLOCK, hi - b0)
                mu = np.uint64(m)
                for b in range(m):
                    start[b] = K_._stream_start(key[0], key[1], b0 + b)
                low = mask
                for r in range(n_out):
                    step = np.uint64(r + 1) * K_._GAMMA
                    for gi in range(m // 64):
                        g = np.uint64(gi * 64)
                        for i in range(64):
                            b = g + np.uint64(i)
                            x = K_._mix64(start[b] + step)
                            for d in range(per):
                                prod = ((x >> np.uint64(d * bits)) & mask) * n
                                skills[np.uint64(r * per + d) * mu + b] = np.uint32(prod >> shift)
                                low = min(low, prod & mask)
                        if count:
                            for slot in range(r * per, min(r * per + per, k)):
                                row = np.uint64(slot) * mu + g
                                for i in range(64):
                                    deg[skills[row + np.uint64(i)]] += np.uint32(1)
                flagged[tid] += low < n
                K_._decide_failures(
                    fail_key[0], fail_key[1], b0, m, k, K_.MODE_RANDOM, fail_below, no_status,
                    0.0, skills, flags, failed,
                )  # fmt: skip
                if count:
                    for w in range((m + 63) // 64):
                        word = failed[w]
                        while word:
                            i, word = K_._next_failed(word)
                            for j in range(k):
                                fail[skills[j * m + w * 64 + i]] += np.uint32(1)
        return flagged.sum()

    return kernel


def count_only_runner():
    """The counting of the uniform streaming kernel alone: its per-skill increments.

    The same work items, blocks and per-thread uint32 rows as ``stream``, the
    skills read from a fixed random buffer (256 kB, sequential reads) instead
    of drawn: the cost of ``k`` increments per text without the draws.
    """
    import numba as nb

    from skillgraph import _kernels as K_

    @nb.njit(parallel=True)
    def kernel(buf, n_texts, k, local):
        threads, n_skills = local.shape
        for t in range(threads):
            for s in range(n_skills):
                local[t, s] = 0
        wrap = np.uint64(buf.shape[0] - 1)  # the buffer's size is a power of 2
        for item in nb.prange((n_texts + K_._ITEM - 1) // K_._ITEM):
            deg = local[nb.get_thread_id()]
            lo = item * K_._ITEM
            hi = min(lo + K_._ITEM, n_texts)
            for b0 in range(lo, hi, K_._BLOCK):
                first = np.uint64(b0 * k) & wrap
                for e in range(first, first + np.uint64(min(K_._BLOCK, hi - b0) * k)):
                    deg[buf[e & wrap]] += np.uint32(1)
        return local[0, 0]

    buf = np.random.default_rng(3).integers(0, N_SKILLS, size=2**16).astype(np.uint32)

    def run(n_texts, threads=None):
        import numba

        local = np.empty((threads or numba.get_num_threads(), N_SKILLS), dtype=np.uint32)
        with _numba_settings(threads):
            return kernel(buf, n_texts, K, local)

    return run


def bits_runner(bits, count):
    kernel = make_bits_kernel(bits)
    from skillgraph.core.streaming import stream_plan

    def run(n_texts, threads=None):
        import numba

        plan = stream_plan(N_SKILLS, n_texts, K, THETA, seed=1)
        parts = threads or numba.get_num_threads()
        local = np.empty((parts, N_SKILLS), dtype=np.uint32)
        local_failed = np.empty_like(local)
        with _numba_settings(threads):
            return kernel(
                plan.key, plan.failure_key, n_texts, K, N_SKILLS, THETA, local, local_failed,
                count,
            )  # fmt: skip

    return run


# ---- timing -----------------------------------------------------------------------------
class Bench:
    """Contenders timed round-robin: every round times each contender once.

    Other jobs on a shared machine come and go, and a VM's speed drifts;
    interleaving gives every contender the same chances, so the ratios (the
    point of the benchmark) are fairer than timing one contender after another.
    A round in which other processes used more than ``max_contention`` of the
    machine's CPU (from /proc/stat) is kept in the JSON but set aside; rounds
    continue until ``repeats`` clean ones are in (at most ``3 * repeats``).
    """

    def __init__(self, max_contention=0.05):
        self.tasks = {}
        self.max_contention = max_contention
        self.rounds = []

    def add(self, key, name, measure, n_texts, fn, repeats=None, threads=None, group="main"):
        """Time ``fn`` in every round, or in the first ``repeats`` only."""
        self.tasks[key] = dict(
            name=name, measure=measure, n_texts=n_texts, fn=fn, repeats=repeats,
            threads=threads, group=group, times=[], cpu=[], clean=[],
        )  # fmt: skip

    def run(self, repeats):
        for task in self.tasks.values():  # warm: compile or load kernels, touch pages
            task["fn"]()
        n_clean = 0
        while n_clean < repeats and len(self.rounds) < 3 * repeats:
            before = _cpu_ticks()
            r = len(self.rounds)
            timed = [
                task for task in self.tasks.values()
                if task["repeats"] is None or len(task["times"]) < task["repeats"]
            ]  # fmt: skip
            for task in timed:
                c0, t0 = time.process_time(), time.perf_counter()
                task["fn"]()
                task["times"].append(time.perf_counter() - t0)
                task["cpu"].append(time.process_time() - c0)
            others = _others_share(before, _cpu_ticks())
            clean = others <= self.max_contention
            self.rounds.append(dict(others_cpu_share=others, clean=clean))
            for task in timed:
                task["clean"].append(clean)
            n_clean += clean
            print(f"  round {r + 1}: other processes used {others:.1%} of the CPU"
                  f"{'' if clean else ' (set aside)'}", flush=True)  # fmt: skip
        rows = {}
        for key, task in self.tasks.items():
            edges = task["n_texts"] * K
            kept = [t for t, c in zip(task["times"], task["clean"], strict=True) if c]
            kept = kept or task["times"]  # no clean round: all of them, flagged below
            median, best = float(np.median(kept)), min(kept)
            rows[key] = dict(
                key=list(key) if isinstance(key, tuple) else key,
                contender=task["name"],
                measure=task["measure"],
                n_texts=task["n_texts"],
                edges=edges,
                threads=task["threads"],
                group=task["group"],
                median_s=median,
                best_s=best,
                clean_rounds=int(sum(task["clean"])),
                times_s=task["times"],
                clean=task["clean"],
                cpu_s=task["cpu"],
                edges_per_s=edges / median,
                best_edges_per_s=edges / best,
                edges_per_cpu_s=edges / float(np.median(task["cpu"])),
            )
            thr = f" threads={task['threads']}" if task["threads"] else ""
            print(
                f"  {task['name']:13s} {task['measure']:8s} n_texts={task['n_texts']:>11,d}"
                f"{thr:10s} median {median:8.4f} s  best {best:8.4f} s  "
                f"{edges / median:9.3e} edges/s ({rows[key]['edges_per_cpu_s']:9.3e} per CPU-s)",
                flush=True,
            )
        return rows


def _cpu_ticks():
    """(busy ticks of the machine, all ticks, ticks of this process) from /proc."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        own = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8]), int(own[11]) + int(own[12])
    except (OSError, IndexError, ValueError):
        return None


def _others_share(before, after):
    """Share of the machine's CPU that other processes used between two :func:`_cpu_ticks`."""
    if before is None or after is None or after[1] <= before[1]:
        return 0.0
    others = (after[0] - before[0]) - (after[2] - before[2])
    return max(0.0, others / (after[1] - before[1]))


def ratio(a, b):
    """``a`` against ``b`` in edges per second: median over the clean rounds, and of the best."""
    per_round = [
        (a["edges"] / ta) / (b["edges"] / tb)
        for ta, tb, ca, cb in zip(a["times_s"], b["times_s"], a["clean"], b["clean"], strict=False)
        if ca and cb
    ] or [
        (a["edges"] / ta) / (b["edges"] / tb)
        for ta, tb in zip(a["times_s"], b["times_s"], strict=False)
    ]
    return float(np.median(per_round)), a["best_edges_per_s"] / b["best_edges_per_s"]


def machine_info():
    import llvmlite
    import numba

    info = dict(cpu=platform.processor(), flags=[], cores=os.cpu_count())
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    info["flags"] = [x for x in ("avx2", "avx512f", "avx512dq") if x in flags]
                    break
    except OSError:
        pass
    versions = dict(
        python=platform.python_version(), numpy=np.__version__, numba=numba.__version__,
        llvmlite=llvmlite.__version__,
    )  # fmt: skip
    for name in ("scipy", "networkx", "skillgraph"):
        try:
            versions[name] = __import__(name).__version__
        except (ImportError, AttributeError):
            versions[name] = None
    info.update(
        versions=versions,
        commit=_git_commit(),
        numba_threads=numba.get_num_threads(),
        threading_layer=_threading_layer(),
        transparent_hugepages=_read("/sys/kernel/mm/transparent_hugepage/enabled"),
        load_average=os.getloadavg(),
    )
    return info


def _git_commit():
    try:
        out = subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parent), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parent), "status", "--porcelain",
             "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        return out.stdout.strip() + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def _threading_layer():
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        return None


def _read(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


# ---- memory -----------------------------------------------------------------------------
def peak_rss_kib():
    """Peak resident memory of this process in KiB.

    ``VmHWM`` of /proc/self/status: the high-water mark of this process's own
    address space.  (``getrusage``'s ``ru_maxrss`` would also count the parent's
    memory at the fork, which Linux carries over an exec.)
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(n_texts):
    """Run in a subprocess: peak RSS of one ``stream`` call at ``n_texts``."""
    run_stream(1000, "uniform")  # imports and kernels (from numba's cache)
    baseline = peak_rss_kib()
    t0 = time.perf_counter()
    from skillgraph.core.streaming import stream

    r = stream(N_SKILLS, n_texts, K, THETA, seed=1)
    seconds = time.perf_counter() - t0
    peak = peak_rss_kib()
    print(
        json.dumps(
            dict(
                n_texts=n_texts,
                baseline_kib=baseline,
                peak_kib=peak,
                increase_kib=peak - baseline,
                seconds=seconds,
                edges_per_s=n_texts * K / seconds,
                failure_rate=r.failure_rate,
            )
        )
    )


def measure_memory(sizes):
    rows = []
    timer = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    for n in sizes:
        command = [sys.executable, __file__, "--memory-child", str(n)]
        out = subprocess.run(
            [timer, "-v", *command] if timer else command,
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        for line in out.stderr.splitlines():  # cross-check: /usr/bin/time -v
            if "Maximum resident set size" in line:
                row["time_v_max_rss_kib"] = int(line.split(":")[1])
        rows.append(row)
        print(
            f"  stream n_texts={n:>14,d}: peak RSS {row['peak_kib'] / 1024:7.1f} MiB "
            f"(after imports {row['baseline_kib'] / 1024:7.1f} MiB, +{row['increase_kib']} KiB; "
            f"/usr/bin/time -v {row.get('time_v_max_rss_kib', 0) / 1024:.1f} MiB), "
            f"{row['seconds']:.1f} s, {row['edges_per_s']:.3e} edges/s",
            flush=True,
        )
    return rows


# ---- goals and the README table ---------------------------------------------------------
def evaluate(rows, goal_size):
    """The ratios behind the goals of issue 17 (and the earlier ones), as dicts."""
    goals = []

    def goal(name, a, b, target=None):
        median, best = ratio(rows[a], rows[b])
        met = None if target is None else bool(median >= target)
        goals.append(dict(goal=name, median=median, best=best, target=target, met=met))
        status = "    " if target is None else ("MET " if met else "MISS")
        aim = "" if target is None else f" (goal >= {target})"
        print(f"  {status} {name}: median {median:.3g}, best {best:.3g}{aim}")

    print(f"ratios (edges/s; median over rounds, and of the best times) at n_texts={goal_size:,d}:")
    targets = dict(
        stream_numpy=dict(uniform=12, zipf=None),
        stream_draws=dict(uniform=0.8, zipf=0.85),
        materialised_numpy=dict(uniform=5, zipf=None),
    )
    for m in MEASURES:
        s = ("stream", m, goal_size)
        goal(f"stream / numpy [{m}]", s, ("numpy", m), targets["stream_numpy"][m])
        goal(f"stream / draws_only [{m}]", s, ("draws_only", m), targets["stream_draws"][m])
        goal(f"materialised / numpy [{m}]", ("materialised", m), ("numpy", m),
             targets["materialised_numpy"][m])  # fmt: skip
        goal(f"stream / networkx per edge [{m}]", s, ("networkx", m), 1000)
        goal(f"materialised / networkx per edge [{m}]", ("materialised", m), ("networkx", m), 1000)
    goal("stream zipf / stream uniform", ("stream", "zipf", goal_size),
         ("stream", "uniform", goal_size))  # fmt: skip
    for m in MEASURES:
        for threads in (1, 2):
            goal(f"stream / draws_only, {threads} thread(s) [{m}]", ("stream_t", m, threads),
                 ("draws_t", m, threads))  # fmt: skip
    goal("stream / count_only [uniform]", ("stream", "uniform", goal_size),
         ("count_only", "uniform"))  # fmt: skip
    goal("stream / count_only, 1 thread [uniform]", ("stream_t", "uniform", 1),
         ("count_t", "uniform", 1))  # fmt: skip
    for bits in BITS[1:]:
        goal(f"bits{bits} draws / bits32 draws", ("bits", bits, "draws"), ("bits", 32, "draws"))
        goal(f"bits{bits} stream / bits32 stream", ("bits", bits, "stream"),
             ("bits", 32, "stream"))  # fmt: skip
    return goals


def markdown_table(report):
    """The README's table, from a result file's contents."""
    rows = {tuple(r["key"]): r for r in report["results"]}
    goal_size = report["work"]["goal_n_texts"]

    def rate(key):
        r = rows.get(key)
        return "—" if r is None else f"{r['edges_per_s']:.2e} ({r['best_edges_per_s']:.2e})"

    def against(key, base):
        if key not in rows or base not in rows:
            return "—"
        median, best = ratio(rows[key], rows[base])
        return f"{median:.3g} ({best:.3g})"

    lines = [
        f"| contender, n_texts = {goal_size:.0e} | uniform: edges/s | uniform: / numpy "
        "| Zipf(1): edges/s | Zipf(1): / numpy |",
        "|---|---|---|---|---|",
    ]
    named = [
        ("`stream` (2 threads)", "stream", (goal_size,)),
        ("the same kernel, counting stripped (`draws_only`)", "draws_only", ()),
        ("its counting alone, draws stripped (`count_only`)", "count_only", ()),
        ("`sample_graph` + `random_failures` + `competence`", "materialised", ()),
        ("plain numpy", "numpy", ()),
    ]
    for label, name, extra in named:
        cells = []
        for m in MEASURES:
            key = (name, m, *extra)
            cells += [rate(key), against(key, ("numpy", m))]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for m in MEASURES:
        key = ("networkx", m)
        cells += [rate(key), against(key, ("numpy", m))]
    lines.append(f"| networkx (at {report['work']['nx_texts']:.0e} texts, per edge) | "
                 + " | ".join(cells) + " |")  # fmt: skip
    lines.append("")
    lines.append("| ratio (median over rounds, best) | uniform | Zipf(1) |")
    lines.append("|---|---|---|")
    pairs = (
        ("`stream` / numpy", lambda m: (("stream", m, goal_size), ("numpy", m))),
        ("materialised / numpy", lambda m: (("materialised", m), ("numpy", m))),
        ("`stream` / `draws_only`", lambda m: (("stream", m, goal_size), ("draws_only", m))),
        ("`stream` / `draws_only`, 1 thread",
         lambda m: (("stream_t", m, 1), ("draws_t", m, 1))),
        ("`stream` / `count_only`", lambda m: (("stream", m, goal_size), ("count_only", m))),
        ("`stream` / `count_only`, 1 thread",
         lambda m: (("stream_t", m, 1), ("count_t", m, 1))),
    )  # fmt: skip
    for label, keys in pairs:
        lines.append(f"| {label} | " + " | ".join(against(*keys(m)) for m in MEASURES) + " |")
    lines.append(
        "| Zipf / uniform `stream` | "
        + against(("stream", "zipf", goal_size), ("stream", "uniform", goal_size))
        + " | |"
    )
    lines.append("")
    lines.append("| uniform sampler spending b bits per draw (prototype) | draws only, edges/s "
                 "| with counting, edges/s |")  # fmt: skip
    lines.append("|---|---|---|")
    for bits in BITS:
        label = f"b = {bits}" + (" (today's sampler's layout)" if bits == 32 else "")
        lines.append(
            f"| {label} | {rate(('bits', bits, 'draws'))} | {rate(('bits', bits, 'stream'))} |"
        )
    m = report["machine"]
    lines.append("")
    lines.append(
        f"Machine: {m['cpu']} ({m['cores']} cores, {', '.join(m.get('flags', []))}), "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
        + f"; median (best) of {sum(r['clean'] for r in report['rounds'])} clean round-robin "
        f"rounds (of {len(report['rounds'])}); `{report['command']}`."
    )
    return "\n".join(lines)


# ---- main -------------------------------------------------------------------------------
def build(bench, goal_size, stream_sizes, nx_texts, repeats):
    """Every contender of the run; networkx (slow) takes part in the first rounds only."""
    for measure in MEASURES:
        draws = draws_only_runner(measure)
        for n in stream_sizes:
            bench.add(("stream", measure, n), "stream", measure, n,
                      lambda n=n, m=measure: run_stream(n, m))  # fmt: skip
        n = goal_size
        bench.add(("draws_only", measure), "draws_only", measure, n,
                  lambda n=n, d=draws: d(n))  # fmt: skip
        for threads in (1, 2):
            bench.add(("stream_t", measure, threads), "stream", measure, n,
                      lambda n=n, t=threads, m=measure: run_stream(n, m, threads=t),
                      threads=threads, group="threads")  # fmt: skip
            bench.add(("draws_t", measure, threads), "draws_only", measure, n,
                      lambda n=n, t=threads, d=draws: d(n, threads=t),
                      threads=threads, group="threads")  # fmt: skip
        if measure == "uniform":
            counting = count_only_runner()
            bench.add(("count_only", measure), "count_only", measure, n,
                      lambda n=n, c=counting: c(n))  # fmt: skip
            bench.add(("count_t", measure, 1), "count_only", measure, n,
                      lambda n=n, c=counting: c(n, threads=1), threads=1,
                      group="threads")  # fmt: skip
        bench.add(("materialised", measure), "materialised", measure, n,
                  lambda n=n, m=measure: run_materialised(n, m))  # fmt: skip
        bench.add(("numpy", measure), "numpy", measure, n,
                  lambda n=n, m=measure: run_numpy(n, m))  # fmt: skip
        bench.add(("networkx", measure), "networkx", measure, nx_texts,
                  lambda m=measure: run_networkx(nx_texts, m), max(1, repeats // 3))  # fmt: skip
    for bits in BITS:
        for mode in ("draws", "stream"):
            run = bits_runner(bits, mode == "stream")
            bench.add(("bits", bits, mode), f"bits{bits}_{mode}", "uniform", goal_size,
                      lambda run=run: run(goal_size), group="bits")  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--out", help="write the results as JSON to this file")
    parser.add_argument("--repeats", type=int, default=None, help="rounds (default 9, quick 3)")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument(
        "--memory-sizes", type=float, nargs="+", default=[1e6, 1e9], help="n_texts for --memory"
    )
    parser.add_argument(
        "--max-contention", type=float, default=0.05,
        help="set aside rounds in which other processes used more of the CPU than this",
    )  # fmt: skip
    parser.add_argument("--table", metavar="FILE.json", help="print the README table of a result")
    parser.add_argument("--memory-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(int(args.memory_child))
        return
    if args.table:
        print(markdown_table(json.loads(Path(args.table).read_text())))
        return
    repeats = args.repeats or (3 if args.quick else 9)
    stream_sizes = [10**5, 10**6, 10**7] + ([] if args.quick else [10**8])
    goal_size = 10**6 if args.quick else GOAL_SIZE
    nx_texts = 2_000 if args.quick else NX_TEXTS
    started = time.time()
    info = machine_info()
    print(f"machine: {info}")
    print(f"work: n_skills={N_SKILLS}, k={K}, theta={THETA}; {repeats} round-robin repeats")
    bench = Bench(args.max_contention)
    build(bench, goal_size, stream_sizes, nx_texts, repeats)
    rows = bench.run(repeats)
    goals = evaluate(rows, goal_size)
    memory = measure_memory([int(x) for x in args.memory_sizes]) if args.memory else []
    info["threading_layer"] = _threading_layer()
    info["load_average_end"] = os.getloadavg()
    report = dict(
        machine=info,
        work=dict(n_skills=N_SKILLS, k=K, theta=THETA, goal_n_texts=goal_size, nx_texts=nx_texts),
        repeats=repeats,
        rounds=bench.rounds,
        max_contention=args.max_contention,
        command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        results=list(rows.values()),
        goals=goals,
        memory=memory,
        wall_s=time.time() - started,
    )
    print()
    print(markdown_table(report))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(args.out).with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=1))
        os.replace(tmp, args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
