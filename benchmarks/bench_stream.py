"""Throughput of skillgraph's samplers against the obvious alternatives, on the same work.

Usage::

    python benchmarks/bench_stream.py [--quick] [--out FILE.json] [--repeats R]
                                      [--memory] [--memory-sizes 1e6 1e9]

The work: ``n_skills = 1e4`` skills with a uniform or a Zipf(1) measure,
``k = 8`` skills per text piece, failure rate ``theta = 0.05`` (each text
fails independently), and the per-skill edge and failed-edge counts (the
competence of every skill).  Contenders, all timed in this one process:

* ``stream``: :func:`skillgraph.stream` (numba, O(n_skills) memory);
* ``draws_only``: the same streaming kernel with the counting stripped (the
  random draws and failure decisions only): the "hardware limit" of the
  streaming design;
* ``materialised``: :func:`skillgraph.sample_graph` (which counts the skill
  degrees while drawing), a Bernoulli failure mask
  (:func:`skillgraph.failures.random_failures`, ``exact=False``: the streaming
  kernel's counter-based rule, in parallel) and
  :func:`skillgraph.competence.competence` (failed-edge counts in parallel);
* ``numpy``: a plain numpy reference: ``rng.integers`` for an ``(n_texts, k)``
  array (``rng.choice(p=mu)`` for Zipf), a Bernoulli mask, two ``bincount``;
* ``networkx``: build the bipartite (multi)graph with networkx and compute
  each skill's competence from its neighbours, at a smaller size; compared
  per edge.

Each contender is warmed up (numba compiled or loaded from cache, pages
touched), then timed ``--repeats`` times, round-robin (each round times every
contender once, so that load from other jobs falls on all of them alike); the
best wall time counts.  CPU time (all threads) is reported beside it.  The script
prints edges per second and the ratios behind the goals of issue 6, and
writes everything as JSON.  ``--memory`` also measures the peak resident
memory of ``stream`` in fresh subprocesses at the given numbers of text
pieces (``resource.getrusage``; the baseline is the process after imports and
compilation).

Numbers are only comparable within one run: the machine may be shared.
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

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

N_SKILLS = 10_000
K = 8
THETA = 0.05
GOAL_SIZE = 10_000_000  # n_texts at which the goals are judged
NX_TEXTS = 20_000  # networkx is timed at this size and compared per edge


# ---- contenders -------------------------------------------------------------------------
def run_stream(n_texts, measure, threads=None):
    from skillgraph.core.streaming import stream

    r = stream(N_SKILLS, n_texts, K, THETA, skill_measure=measure, seed=1, threads=threads)
    return r.competence()


def draws_only_runner(measure):
    """The streaming kernel without the counting, on the plan ``stream`` would use."""
    from skillgraph import _kernels
    from skillgraph.core.streaming import stream_plan

    def run(n_texts, threads=None):
        import numba

        plan = stream_plan(N_SKILLS, n_texts, K, THETA, skill_measure=measure, seed=1)
        previous = numba.get_num_threads(), numba.get_parallel_chunksize()
        numba.set_num_threads(threads or previous[0])
        numba.set_parallel_chunksize(1)  # the same dynamic schedule as stream()
        try:
            return _kernels.stream_draws_only(
                plan.key,
                plan.failure_key,
                0,
                n_texts,
                K,
                N_SKILLS,
                plan.packed_alias,
                plan.use_alias,
                THETA,
            )
        finally:
            numba.set_num_threads(previous[0])
            numba.set_parallel_chunksize(previous[1])

    return run


def run_materialised(n_texts, measure):
    from skillgraph.core import competence, failures
    from skillgraph.core.sampling import sample_graph

    g = sample_graph(N_SKILLS, n_texts, K, skill_measure=measure, seed=1)
    mask = failures.random_failures(g, THETA, exact=False, seed=2)
    return competence.competence(g, mask)


def run_numpy(n_texts, measure):
    rng = np.random.default_rng(1)
    if measure == "uniform":
        skills = rng.integers(0, N_SKILLS, size=(n_texts, K))
    else:
        mu = _zipf()
        skills = rng.choice(N_SKILLS, size=(n_texts, K), p=mu)
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


# ---- timing -----------------------------------------------------------------------------
def best_time(fn, repeats):
    fn()  # warm: compile or load kernels, touch pages
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


class Bench:
    """Contenders timed round-robin: every round times each contender once.

    Other jobs on a shared machine come and go; interleaving gives every
    contender the same chances, so the ratios (the point of the benchmark)
    are fairer than timing one contender after another.  Wall time (best of
    the rounds) is what the goals use; CPU time (all threads) is kept too.
    """

    def __init__(self):
        self.tasks = []

    def add(self, key, name, measure, n_texts, fn, repeats, threads=None):
        self.tasks.append(
            dict(key=key, name=name, measure=measure, n_texts=n_texts, fn=fn, repeats=repeats,
                 threads=threads, times=[], cpu=[])
        )  # fmt: skip

    def run(self):
        for task in self.tasks:  # warm: compile or load kernels, touch pages
            task["fn"]()
        for r in range(max(task["repeats"] for task in self.tasks)):
            for task in self.tasks:
                if r < task["repeats"]:
                    c0, t0 = time.process_time(), time.perf_counter()
                    task["fn"]()
                    task["times"].append(time.perf_counter() - t0)
                    task["cpu"].append(time.process_time() - c0)
        rows = {}
        results = []
        for task in self.tasks:
            best = min(task["times"])
            edges = task["n_texts"] * K
            row = dict(
                contender=task["name"],
                measure=task["measure"],
                n_texts=task["n_texts"],
                edges=edges,
                threads=task["threads"],
                best_s=best,
                times_s=task["times"],
                cpu_s=task["cpu"],
                edges_per_s=edges / best,
                edges_per_cpu_s=edges / min(task["cpu"]),
            )
            results.append(row)
            rows[task["key"]] = row
            thr = f" threads={task['threads']}" if task["threads"] else ""
            print(
                f"  {task['name']:13s} {task['measure']:8s} n_texts={task['n_texts']:>11,d}"
                f"{thr:10s} best {best:8.4f} s  {edges / best:10.3e} edges/s  "
                f"({row['edges_per_cpu_s']:9.3e} per CPU-s)",
                flush=True,
            )
        return rows, results


def memory_bandwidth(repeats):
    """Single-thread copy bandwidth, bytes read + written per second (256 MiB arrays)."""
    src = np.ones(2**25, dtype=np.float64)
    dst = np.empty_like(src)
    best, _ = best_time(lambda: np.copyto(dst, src), repeats)
    return 2 * src.nbytes / best


def machine_info():
    import numba

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(
        cpu=cpu,
        cores=os.cpu_count(),
        numba_threads=numba.get_num_threads(),
        python=platform.python_version(),
        numpy=np.__version__,
        numba=numba.__version__,
        load_average=os.getloadavg(),
    )


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


# ---- main -------------------------------------------------------------------------------
def ratio(a, b):
    return a["edges_per_s"] / b["edges_per_s"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--out", help="write the results as JSON to this file")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per contender")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument(
        "--memory-sizes", type=float, nargs="+", default=[1e6, 1e9], help="n_texts for --memory"
    )
    parser.add_argument("--memory-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(int(args.memory_child))
        return
    repeats = args.repeats or (2 if args.quick else 5)
    stream_sizes = [10**5, 10**6, 10**7] + ([] if args.quick else [10**8])
    goal_size = 10**6 if args.quick else GOAL_SIZE
    nx_texts = 2_000 if args.quick else NX_TEXTS
    info = machine_info()
    print(f"machine: {info}")
    print(f"work: n_skills={N_SKILLS}, k={K}, theta={THETA}; best of {repeats} after a warm-up")
    started = time.time()
    bandwidth = memory_bandwidth(repeats)
    print(f"  memory bandwidth (1 thread, copy, read+write): {bandwidth / 1e9:.1f} GB/s")
    bench = Bench()
    for measure in ("uniform", "zipf"):
        draws = draws_only_runner(measure)
        for n in stream_sizes:
            bench.add(("stream", measure, n), "stream", measure, n,
                      lambda n=n, m=measure: run_stream(n, m), repeats)  # fmt: skip
        n = goal_size
        bench.add(("draws_only", measure, n), "draws_only", measure, n,
                  lambda n=n, d=draws: d(n), repeats)  # fmt: skip
        for threads in (1, 2):
            bench.add(("stream_t", measure, threads), "stream", measure, n,
                      lambda n=n, t=threads, m=measure: run_stream(n, m, threads=t), repeats,
                      threads=threads)  # fmt: skip
            bench.add(("draws_t", measure, threads), "draws_only", measure, n,
                      lambda n=n, t=threads, d=draws: d(n, threads=t), repeats,
                      threads=threads)  # fmt: skip
        bench.add(("materialised", measure), "materialised", measure, n,
                  lambda n=n, m=measure: run_materialised(n, m), repeats)  # fmt: skip
        bench.add(("numpy", measure), "numpy", measure, n,
                  lambda n=n, m=measure: run_numpy(n, m), repeats)  # fmt: skip
        bench.add(("networkx", measure), "networkx", measure, nx_texts,
                  lambda m=measure: run_networkx(nx_texts, m), max(1, repeats // 2))  # fmt: skip
    rows, results = bench.run()

    goals = []

    def goal(name, value, target):
        goals.append(dict(goal=name, measured=value, target=target, met=bool(value >= target)))
        print(f"  {'MET ' if value >= target else 'MISS'} {name}: {value:.3g} (goal >= {target})")

    print(f"ratios (edges/s) at n_texts={goal_size:,d}:")
    for measure in ("uniform", "zipf"):
        s = rows["stream", measure, goal_size]
        goal(f"stream / numpy [{measure}]", ratio(s, rows["numpy", measure]), 10)
        goal(
            f"stream / draws_only [{measure}]",
            ratio(s, rows["draws_only", measure, goal_size]),
            0.5,
        )
        goal(
            f"materialised / numpy [{measure}]",
            ratio(rows["materialised", measure], rows["numpy", measure]),
            4,
        )
        goal(f"stream / networkx per edge [{measure}]", ratio(s, rows["networkx", measure]), 1000)
        goal(
            f"materialised / networkx per edge [{measure}]",
            ratio(rows["materialised", measure], rows["networkx", measure]),
            1000,
        )
    goal(
        "stream zipf / stream uniform",
        ratio(rows["stream", "zipf", goal_size], rows["stream", "uniform", goal_size]),
        0.5,
    )
    for measure in ("uniform", "zipf"):
        one, two = rows["draws_t", measure, 1], rows["draws_t", measure, 2]
        print(
            f"  hardware limit [{measure}]: draws_only {one['edges_per_s']:.3e} draws/s on 1 "
            f"thread, {two['edges_per_s']:.3e} on 2; stream reaches "
            f"{ratio(rows['stream_t', measure, 1], one):.2f} (1 thread) and "
            f"{ratio(rows['stream_t', measure, 2], two):.2f} (2 threads) of it"
        )
    memory = measure_memory([int(x) for x in args.memory_sizes]) if args.memory else []
    info["load_average_end"] = os.getloadavg()
    report = dict(
        machine=info,
        work=dict(n_skills=N_SKILLS, k=K, theta=THETA, goal_n_texts=goal_size, nx_texts=nx_texts),
        repeats=repeats,
        memory_bandwidth_bytes_per_s=bandwidth,
        results=results,
        goals=goals,
        memory=memory,
        wall_s=time.time() - started,
    )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
