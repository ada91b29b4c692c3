"""Speed of calibration: simulations per second, and the wall time of the shipped fit and of a user panel.

1. Simulations per second (one simulated study = 300 learners x 5 waves x 10 tasks between waves,
   measured and summarised, the shipped design): ``--sims`` parameter vectors drawn from the default
   priors, in batches of 100 serially and on local processes (all cores), and one at a time (what
   pyabc's own samplers, which evaluate particle by particle, would cost); medians of ``--repeats``.
2. The shipped fit (sim/calibration/targets/published.toml, ``--budget shipped``): its wall time as
   measured and recorded in results/calibration/published/calibration.json (summed over sessions), and
   the simulations it took. Target: under 20 minutes on 2 cores.
3. A user panel of 300 learners x 5 waves at the default budget: a real fit from the command line on a
   simulated panel in the export format, on local processes. With ``--short`` only its first two
   generations run and the wall time of the whole default budget is EXTRAPOLATED from their rate
   (the output says so). Target: under 5 minutes on 2 cores.

0. Simulations per second end to end with the current core and with the array core before issue 15
   (``benchmarks/baseline_core.py``, swapped in for ``sim.batch.advance``, with its NumPy draws):
   part 1's serial batches of 100, median of ``--repeats`` interleaved timings in process CPU time
   (``--core-only``: just this part).

The machine is shared: compare ratios across runs, not absolutes. Usage:
``.venv/bin/python benchmarks/bench_calibration.py [--short] [--core-only]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "results" / "calibration" / "published" / "calibration.json"


def sims_per_second(kind: str, n: int, repeats: int, chunk_runs: int = 100) -> list[float]:
    from sim.calibration.recovery import prior_draws
    from sim.calibration.simulate import Executor, simulate_summaries
    from sim.calibration.targets import SHIPPED_TARGETS, load_targets

    tg = load_targets(SHIPPED_TARGETS)
    stats = [t.name for t in tg.targets]
    rates = []
    for r in range(repeats):
        thetas = prior_draws(tg.priors, n, r, 7)
        with Executor(kind, None if kind == "serial" else os.cpu_count(), chunk_runs=chunk_runs) as ex:
            t0 = time.perf_counter()
            simulate_summaries(tg.design, thetas, r, stats, ex)
            rates.append(n / (time.perf_counter() - t0))
    return rates


def core_comparison(n: int, repeats: int) -> None:
    """Simulations per CPU-second of serial batches of 100 with the current core and the baseline core."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import baseline_core

    med = baseline_core.median_cpu_seconds(lambda: sims_per_second("serial", n, 1), repeats)
    print(f"\n0. End to end: {n} simulated studies in serial batches of 100, median of {repeats}; per CPU-second")
    for name, label in (("baseline", "array core before issue 15"), ("core", "fused core (sim.kernel)")):
        print(f"   {label:36s}{n / med[name]:8.1f} sims/s{med[name]:8.1f} CPU-s")
    print(f"   speed-up end to end: {med['baseline'] / med['core']:.2f}x")


def user_panel_fit(short: bool) -> dict:
    from sim.calibration.design import StudyDesign
    from sim.calibration.fit import DEFAULT_BUDGET
    from sim.calibration.simulate import simulate_panels

    with tempfile.TemporaryDirectory() as tmp:
        panel = Path(tmp) / "panel.csv"
        simulate_panels(StudyDesign(agents=300, waves=5), [{}], seed=123).drop(columns=["study"]).to_csv(
            panel, index=False
        )
        budget = ["--budget", "generations=2"] if short else []
        out = Path(tmp) / "fit"
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "sim", "calibrate", "--panel", str(panel), "--out", str(out)]
        r = subprocess.run(
            [*cmd, "--executor", "process", "--no-progress", *budget], cwd=REPO, capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        rec = json.loads((out / "calibration.json").read_text())
    sims = rec["fit"]["simulations"]
    out = {"wall_seconds": wall, "simulations": sims, "generations": len(rec["fit"]["generations"])}
    if short:  # extrapolate to the default budget's simulations, at the rate of this run (fit + outputs)
        out["extrapolated_wall_seconds"] = wall / sims * DEFAULT_BUDGET.simulations
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sims", type=int, default=200, help="simulations per timing (default 200)")
    ap.add_argument("--repeats", type=int, default=3, help="timings per executor; medians reported (default 3)")
    ap.add_argument("--short", action="store_true", help="user panel: 2 generations, extrapolated (labelled)")
    ap.add_argument("--core-only", action="store_true", help="only the before/after comparison of the core (part 0)")
    args = ap.parse_args()
    cores = os.cpu_count()
    print(f"efficacy-sim calibration benchmark: Python {platform.python_version()}, {cores} cores")
    core_comparison(args.sims, args.repeats)
    if args.core_only:
        return
    print(f"\n1. Simulations per second (300 learners x 5 waves, measured and summarised; {args.sims} per timing)")
    for label, kind, chunk in (
        ("serial, batches of 100", "serial", 100),
        ("process, batches of 100", "process", 100),
        ("serial, one at a time", "serial", 1),  # what evaluating particle by particle costs
    ):
        n = args.sims if chunk > 1 else max(20, args.sims // 4)
        rates = sims_per_second(kind, n, args.repeats, chunk)
        print(
            f"   {label:24s} median {statistics.median(rates):6.1f} sims/s  (min {min(rates):.1f}, max {max(rates):.1f})"
        )
    print("\n2. The shipped fit (results/calibration/published, --budget shipped, local processes)")
    if RECORD.exists():
        rec = json.loads(RECORD.read_text())
        w = rec["wall_seconds"]
        print(
            f"   measured: {w / 60:.1f} min for {rec['fit']['simulations']:,} simulations in "
            f"{len(rec['fit']['generations'])} generations (target < 20 min)"
        )
    else:
        print("   no record: run efficacy-sim calibrate sim/calibration/targets/published.toml --budget shipped")
    print("\n3. A user panel of 300 learners x 5 waves at the default budget (command line, local processes)")
    u = user_panel_fit(args.short)
    if args.short:
        print(
            f"   EXTRAPOLATED from 2 generations ({u['simulations']:,} simulations in {u['wall_seconds']:.0f} s): "
            f"{u['extrapolated_wall_seconds'] / 60:.1f} min for the default budget's simulations (target < 5 min)"
        )
    else:
        print(
            f"   measured: {u['wall_seconds'] / 60:.1f} min, {u['simulations']:,} simulations in "
            f"{u['generations']} generations (target < 5 min)"
        )


if __name__ == "__main__":
    main()
