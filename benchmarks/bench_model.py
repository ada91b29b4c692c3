"""Speed and memory of the model: the vectorised core against the per-agent oracle.

Prints, for 1,000 and 10,000 agents of the default scenario, the agent-steps per second of the
array core (:class:`sim.batch.Batch`, a batch of one run) and of the per-agent reference
implementation (:class:`sim.oracle.OracleModel`), and their ratio (target: >= 50x at 10,000).
Then, in a fresh process, the peak memory of 1,000,000 agents stepping in the array core alone
(target: < 1 GiB), both as traced by ``tracemalloc`` (the arrays) and as the process's maximum
resident set size (everything, including the interpreter and libraries).

Timings are the best of a few repeats after a warm-up step (which also compiles any JIT kernels);
the oracle is timed on few steps so the whole script takes about a minute.

Usage: ``.venv/bin/python benchmarks/bench_model.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import tracemalloc

GIB = 2**30
TARGET_RATIO = 50.0
TARGET_BYTES = 1 * GIB
# (agents, core steps per repeat, oracle steps per repeat)
SIZES = ((1_000, 200, 10), (10_000, 100, 4))
REPEATS = 3


def best_rate(step, agents: int, steps: int, repeats: int = REPEATS) -> float:
    """Agent-steps per second of ``step()``: best of ``repeats`` timings of ``steps`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, time.perf_counter() - t0)
    return agents * steps / best


def speed() -> list[dict[str, float]]:
    """Core and oracle speed at each size in :data:`SIZES`."""
    from sim.batch import Batch
    from sim.config import Config
    from sim.oracle import OracleModel

    rows = []
    for agents, core_steps, oracle_steps in SIZES:
        config = Config.default(agents=agents, steps=1000)
        batch = Batch([config])
        batch.step()  # warm-up (and JIT compile)
        core = best_rate(batch.step, agents, core_steps)
        oracle_model = OracleModel(config, rng=config.seed)
        oracle_model.step()
        oracle = best_rate(oracle_model.step, agents, oracle_steps)
        rows.append({"agents": agents, "core": core, "oracle": oracle, "ratio": core / oracle})
    return rows


def memory(agents: int, steps: int) -> dict[str, float]:
    """Peak memory of ``agents`` agents taking ``steps`` steps in the array core (run in a fresh process)."""
    import numpy as np  # noqa: F401  (imported before tracing so its import is not counted)

    from sim.batch import Batch
    from sim.config import Config

    config = Config.default(agents=agents, steps=steps)
    tracemalloc.start()
    t0 = time.perf_counter()
    batch = Batch([config])
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        batch.step()
    stepping = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    return {
        "agents": agents,
        "steps": steps,
        "state_bytes": batch.state.nbytes(),
        "traced_peak_bytes": peak,
        "max_rss_bytes": rss,
        "build_seconds": built,
        "agent_steps_per_second": agents * steps / stepping,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-only", type=int, metavar="AGENTS", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--mem-agents", type=int, default=1_000_000, help="agents for the memory test")
    parser.add_argument("--mem-steps", type=int, default=5, help="steps for the memory test")
    args = parser.parse_args()
    if args.memory_only:
        print(json.dumps(memory(args.memory_only, args.mem_steps)))
        return 0

    import numpy as np

    print(
        f"efficacy-sim model benchmark: Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}"
    )
    print("default scenario, one run; agent-steps per second (best of 3)\n")
    print(f"{'agents':>8}  {'array core':>14}  {'per-agent oracle':>17}  {'ratio':>7}")
    rows = speed()
    for r in rows:
        print(f"{r['agents']:>8,}  {r['core']:>14,.0f}  {r['oracle']:>17,.0f}  {r['ratio']:>6.1f}x")
    ratio = rows[-1]["ratio"]
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"\nratio at {rows[-1]['agents']:,} agents: {ratio:.1f}x ({verdict} the target of >= {TARGET_RATIO:.0f}x)")

    cmd = [sys.executable, __file__, "--memory-only", str(args.mem_agents), "--mem-steps", str(args.mem_steps)]
    m = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    mib = 2**20
    print(f"\nmemory: {m['agents']:,} agents, {m['steps']} steps of the array core (fresh process)")
    print(f"  state arrays            {m['state_bytes'] / mib:8.0f} MiB")
    print(f"  peak traced allocations {m['traced_peak_bytes'] / mib:8.0f} MiB (tracemalloc)")
    print(
        f"  peak resident set       {m['max_rss_bytes'] / mib:8.0f} MiB (whole process, incl. interpreter and libraries)"
    )
    print(
        f"  speed                   {m['agent_steps_per_second']:,.0f} agent-steps/s (setup {m['build_seconds']:.1f} s)"
    )
    peak = max(m["traced_peak_bytes"], m["max_rss_bytes"])
    verdict = "meets" if peak < TARGET_BYTES else "MISSES"
    print(f"  peak {peak / GIB:.2f} GiB ({verdict} the target of < 1 GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
