"""Speed and memory of sweeps: the engine against ``mesa.batch_run`` on the per-agent oracle.

1. Throughput, in agent-steps per second, of a sweep of 200 runs x 100 agents x 200 steps (4 initial
   efficacy levels x 50 replications, model-level series every step): the engine (runs stacked into
   batches) with its default executor ``auto``, with local processes on all cores and serially, against
   ``mesa.batch_run`` (all cores) on
   :class:`sim.oracle.OracleModel`, the per-agent model of the same rules, with a DataCollector of
   three model-level means per step. The oracle is slow, so by default it runs a subset of the runs
   and its rate is extrapolated per agent-step (the output says so). Each figure is the median of
   ``--repeats`` timings (min and max shown), the engine's and the oracle's interleaved so that both see
   the same machine load; the ratio is of the medians. Target: >= 50x for the default executor. ``auto`` runs a sweep this small serially: starting worker processes (~2 s) costs more
   than the second core saves (:data:`sim.engine.executors.AUTO_PROCESSES_AGENT_STEPS`).
2. Peak memory of sweeps of 250 and 1,000 runs (100 agents x 100 steps, model-level series only), each
   in a fresh process: the sweeping process's peak resident set size, and the peak memory of its workers
   and of all processes together as proportional set size (PSS: pages shared between the forked workers
   counted once), sampled every 0.1 s with psutil.
   Target: flat in the number of runs (results stream to disk), under 1 GiB.

0. Simulations per second end to end: the same sweep, serially, with the current core and with the array
   core before issue 15 (``benchmarks/baseline_core.py``, swapped in for ``sim.batch.advance``, with its
   NumPy draws), median of ``--repeats`` interleaved timings in process CPU time (``--core-only`` prints
   just this part).

Wall-clock times include starting worker processes. Usage: ``.venv/bin/python benchmarks/bench_sweep.py``
(``--oracle-runs 200`` times the full oracle sweep).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GIB = 2**30
TARGET_RATIO = 50.0
RUNS, AGENTS, STEPS = 200, 100, 200
LEVELS = (2.0, 3.0, 4.0, 5.0)

import tqdm  # noqa: E402

# mesa.batch_run leaves tqdm's monitor thread running; without it every timed sweep starts, as from a
# fresh command line, in a single-threaded process (so the engine may fork its workers)
tqdm.tqdm.monitor_interval = 0

from sim.config import Config  # noqa: E402
from sim.oracle import OracleModel  # noqa: E402


class OracleSweepModel(OracleModel):
    """The oracle with the DataCollector ``mesa.batch_run`` needs (three model-level means every step)."""

    def __init__(self, config: Config, *, rng: int | None = None) -> None:
        import mesa

        super().__init__(config, rng=rng)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: (lambda m, name=name: float(np.mean([getattr(a, name) for a in m.learners])))
                for name in ("efficacy", "skill", "arousal")
            }
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def experiment(runs: int, steps: int, every: int = 1):
    from sim.engine import Experiment, Outputs

    return Experiment(
        name=f"bench-{runs}",
        base=Config.default(agents=AGENTS, steps=steps),
        vary={"efficacy_mean": list(LEVELS)},
        replications=runs // len(LEVELS),
        seed=1,
        outputs=Outputs(every=every, final_agents=False),
    )


def engine_rate(executor: str) -> tuple[float, float]:
    """(agent-steps/s, seconds) of the full engine sweep."""
    from sim.engine import run_experiment

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_experiment(experiment(RUNS, STEPS), out=Path(tmp) / "e", executor=executor, progress=False)
        dt = time.perf_counter() - t0
        assert len(res.series) == RUNS * (STEPS + 1)
    return RUNS * AGENTS * STEPS / dt, dt


def mesa_rate(runs: int) -> tuple[float, float]:
    """(agent-steps/s, seconds) of ``mesa.batch_run`` over ``runs`` of the sweep's runs (all cores)."""
    import mesa

    configs = [Config.default(agents=AGENTS, steps=STEPS, efficacy_mean=e) for e in LEVELS]
    per = max(1, runs // len(LEVELS))
    t0 = time.perf_counter()
    out = mesa.batch_run(
        OracleSweepModel,
        parameters={"config": configs},
        number_processes=None,
        rng=list(range(per)),
        data_collection_period=1,
        max_steps=STEPS,
        display_progress=False,
    )
    dt = time.perf_counter() - t0
    done = per * len(LEVELS)
    assert len(out) == done * (STEPS + 1)
    return done * AGENTS * STEPS / dt, dt


def core_comparison(repeats: int) -> None:
    """Simulations per second of the serial engine sweep with the current core and with the baseline core."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import baseline_core

    med = baseline_core.median_cpu_seconds(lambda: engine_rate("serial"), repeats)
    print(f"\n0. End to end: the sweep of part 1, serial engine, median of {repeats}; simulations per CPU-second")
    for name, label in (("baseline", "array core before issue 15"), ("core", "fused core (sim.kernel)")):
        print(f"   {label:36s}{RUNS / med[name]:10.1f} sims/s{med[name]:10.1f} CPU-s for {RUNS} runs")
    print(f"   speed-up end to end: {med['baseline'] / med['core']:.2f}x")


def memory_child(runs: int) -> None:
    """Run a series-only sweep of ``runs`` runs; print as JSON this process's peak RSS and the peak PSS of
    its workers and of all processes together (sampled every 0.1 s with psutil)."""
    import threading

    import psutil

    from sim.engine import run_experiment

    me = psutil.Process()
    peak = {"tree": 0, "workers": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                kids = sum(c.memory_full_info().pss for c in me.children(recursive=True))
            except psutil.Error:
                kids = 0
            peak["workers"] = max(peak["workers"], kids)
            peak["tree"] = max(peak["tree"], me.memory_full_info().pss + kids)
            stop.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_experiment(experiment(runs, 100), out=Path(tmp) / "m", executor="processes", progress=False)
        dt = time.perf_counter() - t0
    stop.set()
    th.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"runs": runs, "seconds": dt, "self": own, "workers": peak["workers"], "tree": peak["tree"]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--oracle-runs", type=int, default=12, help="oracle runs timed (default 12 of 200; extrapolated)")
    ap.add_argument("--repeats", type=int, default=3, help="timings of each figure; medians are reported (default 3)")
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--core-only", action="store_true", help="only the before/after comparison of the core (part 0)")
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.core_only:
        core_comparison(args.repeats)
        return

    cores = os.cpu_count()
    print(f"efficacy-sim sweep benchmark: Python {platform.python_version()}, {cores} cores, {platform.machine()}")
    core_comparison(args.repeats)
    print(f"\n1. Throughput: {RUNS} runs x {AGENTS} agents x {STEPS} steps = {RUNS * AGENTS * STEPS:,} agent-steps")
    from sim.engine.executors import resolve_auto

    auto_is = resolve_auto(RUNS * AGENTS * STEPS, None)
    n_oracle = min(args.oracle_runs, RUNS)
    names = ("processes", "serial", "auto", "oracle")
    rates: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.repeats):  # interleaved, so a change in machine load hits every figure alike
        for name in names:
            rates[name].append(mesa_rate(n_oracle)[0] if name == "oracle" else engine_rate(name)[0])
    med = {name: statistics.median(r) for name, r in rates.items()}
    partial = n_oracle < RUNS
    note = f" (oracle: {n_oracle // len(LEVELS) * len(LEVELS)} of {RUNS} runs timed, extrapolated per agent-step)"
    labels = {
        "processes": "engine, processes (all cores)",
        "serial": "engine, serial (1 core)",
        "auto": f"engine, auto (default: {auto_is})",
        "oracle": "mesa.batch_run + oracle (all cores)",
    }
    print(f"   median of {args.repeats} repeats{note if partial else ''}")
    print(f"   {'':36s}{'agent-steps/s':>15s}{'min':>12s}{'max':>12s}{'seconds':>10s}")
    for name in names:
        r = rates[name]
        est = " (est.)" if name == "oracle" and partial else ""
        print(
            f"   {labels[name]:36s}{med[name]:15,.0f}{min(r):12,.0f}{max(r):12,.0f}"
            f"{RUNS * AGENTS * STEPS / med[name]:10.1f}{est}"
        )
    ora = med["oracle"]
    ratio = med["auto"] / ora
    print(
        f"   ratio engine (default executor) / mesa.batch_run: {ratio:.0f}x  (target >= {TARGET_RATIO:.0f}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}); processes: {med['processes'] / ora:.0f}x, "
        f"serial: {med['serial'] / ora:.0f}x"
    )
    per_repeat = ", ".join(f"{a / o:.0f}x" for a, o in zip(rates["auto"], rates["oracle"], strict=True))
    print(f"   ratio of each repeat (default executor): {per_repeat}")

    print("\n2. Peak memory, series-only sweeps of 100 agents x 100 steps (processes, fresh process each)")
    print(f"   {'runs':>6s}{'sweep (RSS)':>16s}{'workers (PSS)':>14s}{'all (PSS)':>12s}{'seconds':>10s}")
    peaks = []
    for runs in (250, 1000):
        outp = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(runs)], capture_output=True, text=True, check=True
        ).stdout
        m = json.loads(outp.strip().splitlines()[-1])
        peaks.append(m["tree"])
        mib = 2**20
        print(
            f"   {runs:6d}{m['self'] / mib:12.0f} MiB{m['workers'] / mib:10.0f} MiB{m['tree'] / mib:8.0f} MiB"
            f"{m['seconds']:10.1f}"
        )
    flat = peaks[1] < 1.25 * peaks[0]
    print(
        f"   peak at 1,000 runs / at 250 runs: {peaks[1] / peaks[0]:.2f} ({'flat' if flat else 'NOT flat'}); "
        f"under 1 GiB: {'yes' if peaks[1] < GIB else 'NO'}"
    )


if __name__ == "__main__":
    main()
