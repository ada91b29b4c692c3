"""Parameter recovery: do the fit's 90% credible intervals cover the truth about 90% of the time?

Synthetic panels are simulated at parameter values drawn from the prior; each is turned into targets
exactly as a user's panel is (:func:`~.targets.targets_from_panel`: the default statistics, SEs by
bootstrap over learners) and fitted back. Two checks (Talts et al. 2018, simulation-based calibration):

1. **Coverage and SBC ranks, amortised** (many panels, cheap): one shared reference table of
   simulations from the prior; each panel's posterior is the rejection-ABC sample of the
   :data:`ACCEPT` reference simulations nearest to its targets, with the fit's distance (z-scores by
   the panel's own SEs). The share of panels whose central 90% interval covers the truth, and the
   rank of the truth among the accepted draws (uniform when calibrated), per parameter.
2. **ABC-SMC recovery** (a few panels, the real fit): :func:`~.fit.fit` on each, and whether its 90%
   interval covers the truth.

Run ``python -m sim.calibration.recovery [--quick] [--out DIR]``: writes ``coverage.csv``,
``smc_recovery.csv``, ``summary.json`` and the rank plot ``sbc_ranks.png/.svg`` (default folder
results/calibration/recovery). The slow test tests/test_calibration_recovery.py runs the same functions.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration import fit as F
from sim.calibration.design import StudyDesign
from sim.calibration.simulate import Executor, simulate_panels, simulate_summaries
from sim.calibration.summaries import statistic_names
from sim.calibration.targets import Prior, default_priors, targets_from_panel

DESIGN = StudyDesign(agents=150, waves=4, wave_every=10)
"""The synthetic studies: 150 learners, 4 waves (smaller than the shipped design, to keep the check cheap)."""
ACCEPT = 100
"""Reference simulations accepted per panel in the amortised check."""
LEVEL = 0.9
PANEL_KEY = 10**7
"""Stream keys of the synthetic panels (``PANEL_KEY + i``); the reference table uses ``0 .. n - 1``."""


@dataclass(frozen=True)
class Size:
    reference: int
    panels: int
    smc_panels: int
    smc_budget: F.Budget


FULL = Size(3000, 40, 3, F.Budget(population=100, generations=4, simulations=1500, min_epsilon=0.0))
QUICK = Size(600, 12, 1, F.Budget(population=40, generations=2, simulations=300, min_epsilon=0.0))


def prior_draws(priors: Sequence[Prior], n: int, seed: int, stream: int) -> list[dict[str, float]]:
    """``n`` parameter vectors from the (uniform or truncated normal) priors."""
    from scipy import stats

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x524543, stream)))  # "REC"
    cols = {}
    for p in priors:
        if p.kind == "uniform":
            cols[p.name] = rng.uniform(p.low, p.high, n)
        else:
            a, b = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
            cols[p.name] = stats.truncnorm.rvs(a, b, loc=p.mean, scale=p.sd, size=n, random_state=rng)
    return [{k: float(v[i]) for k, v in cols.items()} for i in range(n)]


def synthetic_targets(priors: Sequence[Prior], n: int, seed: int, executor: Executor | None):
    """``n`` synthetic panels at prior draws -> (truths, list of their Targets)."""
    truths = prior_draws(priors, n, seed, 1)
    panels = simulate_panels(DESIGN, truths, seed, executor, keys=[PANEL_KEY + i for i in range(n)])
    out = []
    for i in range(n):
        panel = panels[panels["study"] == PANEL_KEY + i].drop(columns=["study"])
        t = targets_from_panel(panel, priors, seed=seed + i, name=f"synthetic_{i}")
        # the synthetic panel's design is inferred from it: the same design as the reference table
        assert (t.design.agents, t.design.waves, t.design.wave_every) == (
            DESIGN.agents,
            DESIGN.waves,
            DESIGN.wave_every,
        )
        out.append(t)
    return truths, out


def amortised_coverage(
    priors: Sequence[Prior], size: Size, seed: int = 0, executor: Executor | None = None
) -> pd.DataFrame:
    """Check 1: rejection ABC on one shared reference table -> one row per panel and parameter.

    Columns ``panel, parameter, truth, lo, hi, covered, rank, accepted`` (``rank`` = accepted draws
    below the truth, 0..accepted).
    """
    names = statistic_names(DESIGN.waves)
    ref_thetas = prior_draws(priors, size.reference, seed, 0)
    ref = simulate_summaries(DESIGN, ref_thetas, seed, names, executor)
    ref_theta = pd.DataFrame(ref_thetas)
    truths, targets = synthetic_targets(priors, size.panels, seed, executor)
    a = (1 - LEVEL) / 2
    rows = []
    for i, (truth, tg) in enumerate(zip(truths, targets, strict=True)):
        idx = [names.index(t.name) for t in tg.targets]
        v = np.array([t.value for t in tg.targets])
        se = np.array([t.se for t in tg.targets])
        d = np.sqrt((((ref[:, idx] - v) / se) ** 2).sum(axis=1))
        d[~np.isfinite(d)] = np.inf
        keep = np.argsort(d, kind="mergesort")[:ACCEPT]
        for p in priors:
            x = ref_theta[p.name].to_numpy()[keep]
            lo, hi = np.quantile(x, [a, 1 - a])
            rows.append(
                dict(
                    panel=i,
                    parameter=p.name,
                    truth=truth[p.name],
                    lo=float(lo),
                    hi=float(hi),
                    covered=bool(lo <= truth[p.name] <= hi),
                    rank=int((x < truth[p.name]).sum()),
                    accepted=len(keep),
                )
            )
    return pd.DataFrame(rows)


def smc_recovery(priors: Sequence[Prior], size: Size, seed: int = 0, executor: Executor | None = None) -> pd.DataFrame:
    """Check 2: the real ABC-SMC fit on ``size.smc_panels`` synthetic panels -> one row per panel and parameter."""
    truths, targets = synthetic_targets(priors, size.smc_panels, seed + 1, executor)
    rows = []
    for i, (truth, tg) in enumerate(zip(truths, targets, strict=True)):
        with tempfile.TemporaryDirectory() as tmp:
            res = F.fit(tg, tmp, budget=size.smc_budget, seed=seed + i, executor=executor, progress=False)
        summ = F.posterior_summary(res.posterior, priors, LEVEL).set_index("parameter")
        for p in priors:
            s = summ.loc[p.name]
            rows.append(
                dict(
                    panel=i,
                    parameter=p.name,
                    truth=truth[p.name],
                    median=s["median"],
                    lo=s["lo"],
                    hi=s["hi"],
                    covered=bool(s["lo"] <= truth[p.name] <= s["hi"]),
                    prior_width=p.high - p.low,
                    simulations=res.simulations,
                )
            )
    return pd.DataFrame(rows)


def plot_ranks(cov: pd.DataFrame, out: Path):
    """SBC rank histograms, one panel per parameter, with the band a uniform histogram stays in 99% of the time."""
    import matplotlib.pyplot as plt
    from scipy import stats

    from sim.analysis import save_figure

    params = list(dict.fromkeys(cov["parameter"]))
    bins = 10
    fig, axes = plt.subplots(1, len(params), figsize=(3.4 * len(params), 3.2), squeeze=False)
    n_panels = cov["panel"].nunique()
    lo, hi = stats.binom.ppf([0.005, 0.995], n_panels, 1 / bins)
    for ax, name in zip(axes[0], params, strict=True):
        g = cov[cov["parameter"] == name]
        accepted = int(g["accepted"].iloc[0])
        ax.hist(g["rank"], bins=bins, range=(0, accepted + 1), color="0.55", edgecolor="white")
        ax.axhspan(lo, hi, color="k", alpha=0.08, lw=0)
        ax.axhline(n_panels / bins, color="k", lw=0.8, ls=":")
        ax.set_title(f"{name}\n90% CI covers truth: {g['covered'].mean():.0%}", fontsize=9)
        ax.set_xlabel(f"rank of the truth\n(among {accepted} posterior draws)")
    axes[0][0].set_ylabel("synthetic panels")
    fig.tight_layout()
    caption = (
        f"Simulation-based calibration: for each of {n_panels} synthetic panels simulated at parameters drawn from "
        "the prior, the rank of the true value among the posterior draws (amortised rejection ABC on a shared "
        "reference table, the fit's distance). Calibrated posteriors give flat histograms (dotted line; grey band: "
        "where a flat histogram's bars fall 99% of the time); a U shape means too narrow intervals, a hump too wide, "
        "a slope a bias."
    )
    return save_figure(fig, out, "sbc_ranks", caption)


def main(argv: Sequence[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description="Parameter recovery and SBC ranks of the calibration (see module doc).")
    ap.add_argument("--quick", action="store_true", help="a few panels (a smoke test, not the committed result)")
    ap.add_argument("--out", default=None, help="output folder (default: results/calibration/recovery[-quick])")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--executor", choices=("serial", "process"), default="process")
    args = ap.parse_args(argv)
    size = QUICK if args.quick else FULL
    out = Path(args.out or ("results/calibration/recovery" + ("-quick" if args.quick else "")))
    out.mkdir(parents=True, exist_ok=True)
    priors = default_priors()
    with Executor(args.executor) as ex:
        cov = amortised_coverage(priors, size, args.seed, ex)
        smc = smc_recovery(priors, size, args.seed, ex)
    cov.to_csv(out / "coverage.csv", index=False, float_format="%.6g")
    smc.to_csv(out / "smc_recovery.csv", index=False, float_format="%.6g")
    fig = plot_ranks(cov, out)
    summary = {
        "design": DESIGN.to_dict(),
        "priors": [p.name for p in priors],
        "reference_simulations": size.reference,
        "accepted_per_panel": ACCEPT,
        "panels": size.panels,
        "coverage_by_parameter": cov.groupby("parameter", sort=False)["covered"].mean().round(3).to_dict(),
        "coverage_pooled": round(float(cov["covered"].mean()), 3),
        "smc_panels": size.smc_panels,
        "smc_budget": size.smc_budget.to_dict(),
        "smc_covered": f"{int(smc['covered'].sum())} of {len(smc)}",
        "figure": fig.png.name,
        "caption": fig.caption,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return out


if __name__ == "__main__":
    main()
