"""Speed and memory of the model: the fused core against the previous array core and the oracle.

Prints, in one run, for the default scenario at 1,000 / 10,000 / 100,000 agents (one run each) and
for a batch of 200 runs x 100 agents, the agent-steps per second of

- the core (:class:`sim.batch.Batch`, the fused compiled step of :mod:`sim.kernel`),
- the baseline, the array core before issue 15 (``benchmarks/baseline_core.py``), stepped in the
  same process on the same draws (the bench asserts both end in the same state), and
- the per-agent reference implementation (:class:`sim.oracle.OracleModel`),

with the speed-ups (targets: core >= 3x the baseline at 1,000 agents, >= 1.5x at 10,000 and in the
batch) and the peak traced memory of building and stepping the core. Then, in a fresh process, the
peak memory of 1,000,000 agents stepping in the core (target: < 1 GiB), as traced by
``tracemalloc`` (the arrays) and as the process's maximum resident set size.

Timings are the best of a few repeats after a warm-up step (which also loads or compiles the JIT
kernels), core and baseline alternating; the oracle is timed on few steps. Under a minute.

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
from dataclasses import fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

GIB = 2**30
MIB = 2**20
TARGET_BYTES = 1 * GIB
TARGETS = {1_000: 3.0, 10_000: 1.5, "200 x 100": 1.5}
"""Least speed-up of the core over the baseline, per row."""
# (label, runs, agents, core steps per repeat, oracle steps)
SIZES = (
    ("1,000", 1, 1_000, 1_500, 10),
    ("10,000", 1, 10_000, 150, 2),
    ("100,000", 1, 100_000, 15, 1),
    ("200 x 100", 200, 100, 100, 2),
)
"""Each repeat steps the core for about a quarter of a CPU-second, long enough that a burst of load
from other jobs on a shared machine spoils single repeats rather than every one."""
REPEATS = 5


class BaselineStepper:
    """Steps a :class:`~sim.batch.Batch` with the pre-issue-15 array core and its draws (same streams)."""

    def __init__(self, batch) -> None:
        import baseline_core

        from sim.streams import N_ROWS

        self.batch = batch
        self.advance = baseline_core.advance
        self.draws = baseline_core.StepUniforms(batch.streams, N_ROWS, batch.agents, batch.rows)

    def step(self) -> None:
        b = self.batch
        self.advance(b.state, b.p, b.ev, b.neighbours, b.neighbour_mask, b.t, self.draws.next(), b._flat_neighbours)
        b.t += 1


def timed(step, steps: int) -> float:
    """Seconds taken by ``steps`` calls of ``step()``."""
    t0 = time.process_time()
    for _ in range(steps):
        step()
    return time.process_time() - t0


def same_state(a, b) -> float:
    """Largest relative difference over every field of two states (raises if beyond rtol 1e-9)."""
    import numpy as np

    worst = 0.0
    for f in fields(a):
        x, y = getattr(a, f.name).astype(float), getattr(b, f.name).astype(float)
        if not np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True):
            raise AssertionError(f"core and baseline differ in {f.name}")
        both = np.isfinite(x) & np.isfinite(y)
        if both.any():
            worst = max(worst, float(np.max(np.abs(x[both] - y[both]) / np.maximum(np.abs(y[both]), 1e-300))))
    return worst


def configs(runs: int, agents: int) -> list:
    from sim.config import Config

    return [Config.default(agents=agents, steps=2000, seed=1 + r) for r in range(runs)]


def oracle_rate(runs: int, agents: int, steps: int) -> float:
    """Agent-steps per second of the per-agent oracle (``runs`` models of ``agents``, ``steps`` steps each)."""
    from sim.oracle import OracleModel

    models = [OracleModel(c, rng=c.seed) for c in configs(runs, agents)]
    for m in models:
        m.step()  # warm-up
    t0 = time.process_time()
    for _ in range(steps):
        for m in models:
            m.step()
    return runs * agents * steps / (time.process_time() - t0)


def traced_peak(runs: int, agents: int, steps: int = 3) -> int:
    """Peak traced allocation (bytes) of building a core batch and taking ``steps`` steps."""
    from sim.batch import Batch

    cfgs = configs(runs, agents)
    tracemalloc.start()
    batch = Batch(cfgs)
    for _ in range(steps):
        batch.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def speed() -> list[dict]:
    """Core, baseline and oracle speed for each row of :data:`SIZES`."""
    from sim.batch import Batch

    rows = []
    for label, runs, agents, steps, oracle_steps in SIZES:
        core, base = Batch(configs(runs, agents)), Batch(configs(runs, agents))
        baseline = BaselineStepper(base)
        core.step()  # warm-up (and JIT load)
        baseline.step()
        t_core = t_base = float("inf")
        for _ in range(REPEATS):
            t_core = min(t_core, timed(core.step, steps))
            t_base = min(t_base, timed(baseline.step, steps))
        diff = same_state(core.state, base.state)  # same draws, same number of steps
        work = runs * agents * steps
        row = {"label": label, "runs": runs, "agents": agents, "core": work / t_core, "baseline": work / t_base}
        row["oracle"] = oracle_rate(runs, agents, oracle_steps)
        row["peak"] = traced_peak(runs, agents)
        row["max_rel_diff"] = diff
        rows.append(row)
    return rows


def draw_cost(runs: int = 200, agents: int = 100, steps: int = 100) -> dict[str, float]:
    """Nanoseconds per agent-step of making the default scenario's step draws: the core's compiled
    generator (:mod:`sim.pcg64`) against the NumPy draws of the baseline, on the same streams."""
    import baseline_core

    from sim.batch import Batch
    from sim.streams import N_ROWS, StepUniforms

    batch = Batch(configs(runs, agents))
    out = {}
    for name, cls in (("compiled", StepUniforms), ("numpy", baseline_core.StepUniforms)):
        draws = cls(batch.streams, N_ROWS, agents, batch.rows)
        draws.next()
        out[name] = min(timed(draws.next, steps) for _ in range(REPEATS)) / (runs * agents * steps) * 1e9
    return out


def memory(agents: int, steps: int) -> dict[str, float]:
    """Peak memory of ``agents`` agents taking ``steps`` steps in the core (run in a fresh process)."""
    import numpy as np  # noqa: F401  (imported before tracing so its import is not counted)

    from sim.batch import Batch
    from sim.config import Config

    config = Config.default(agents=agents, steps=steps)
    tracemalloc.start()
    t0 = time.process_time()
    batch = Batch([config])
    built = time.process_time() - t0
    t0 = time.process_time()
    for _ in range(steps):
        batch.step()
    stepping = time.process_time() - t0
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

    import numba
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # baseline_core
    print(
        f"efficacy-sim model benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"numba {numba.__version__}, {platform.machine()}"
    )
    print(
        f"default scenario; agent-steps per CPU-second (best of {REPEATS}); baseline = the array core before issue 15\n"
    )
    head = f"{'agents':>10}  {'core':>12}  {'baseline':>12}  {'speed-up':>8}  {'oracle':>9}  {'core/oracle':>11}  {'peak MiB':>8}"
    print(head)
    rows = speed()
    misses = 0
    for r in rows:
        target = TARGETS.get(r["agents"] if r["runs"] == 1 else r["label"])
        speedup = r["core"] / r["baseline"]
        mark = "" if target is None else (f"  (target >= {target:g}x)" if speedup >= target else "  MISSES target")
        misses += target is not None and speedup < target
        print(
            f"{r['label']:>10}  {r['core']:>12,.0f}  {r['baseline']:>12,.0f}  {speedup:>7.2f}x  "
            f"{r['oracle']:>9,.0f}  {r['core'] / r['oracle']:>10.0f}x  {r['peak'] / MIB:>8.1f}{mark}"
        )
    worst = max(r["max_rel_diff"] for r in rows)
    print(f"\ncore and baseline end in the same state on every field (largest relative difference {worst:.1e})")
    print("peak MiB: traced allocations while building the core batch and taking 3 steps")
    d = draw_cost()
    print(
        f"step draws (200 x 100, the rows the runs read): {d['compiled']:.1f} ns per agent-step compiled "
        f"(sim.pcg64), {d['numpy']:.1f} ns with NumPy calls (baseline)"
    )

    cmd = [sys.executable, __file__, "--memory-only", str(args.mem_agents), "--mem-steps", str(args.mem_steps)]
    m = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    print(f"\nmemory: {m['agents']:,} agents, {m['steps']} steps of the core (fresh process)")
    print(f"  state arrays            {m['state_bytes'] / MIB:8.0f} MiB")
    print(f"  peak traced allocations {m['traced_peak_bytes'] / MIB:8.0f} MiB (tracemalloc)")
    print(
        f"  peak resident set       {m['max_rss_bytes'] / MIB:8.0f} MiB (whole process, incl. interpreter and libraries)"
    )
    print(
        f"  speed                   {m['agent_steps_per_second']:,.0f} agent-steps/s (setup {m['build_seconds']:.1f} s)"
    )
    peak = max(m["traced_peak_bytes"], m["max_rss_bytes"])
    verdict = "meets" if peak < TARGET_BYTES else "MISSES"
    print(f"  peak {peak / GIB:.2f} GiB ({verdict} the target of < 1 GiB)")
    return 1 if misses or peak >= TARGET_BYTES else 0


if __name__ == "__main__":
    sys.exit(main())
