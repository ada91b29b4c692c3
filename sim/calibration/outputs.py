"""What a calibration writes into its output folder.

- ``posterior.parquet``: the last generation's particles (one column per free parameter, ``weight``
  summing to 1, ``distance`` in z units); ``generations.csv``: epsilon, simulations, acceptance and
  effective sample size per generation;
- ``posterior.png/.svg``: each parameter's weighted marginal over its prior range, and every pair;
- ``ppc.csv`` and ``ppc.png/.svg``: the posterior predictive check: studies simulated at
  :data:`PPC_DRAWS` posterior draws, their summaries (median and 90% interval) beside every target
  and every ``validate`` pattern (shown, not fitted);
- ``fitted_scenario.toml``: the base scenario with the free parameters at their weighted posterior
  **median** (those the targets inform, :func:`informed`; the others keep the base value), loadable by
  ``efficacy-sim run``, ``compare --scenario`` and the dashboard;
- ``calibration.json``: the record: targets, priors, design, method, budget, posterior summary with
  90% credible intervals, fit distances, the PPC, versions, seed and wall time.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.fit import FitResult, draws, posterior_summary, spec
from sim.calibration.simulate import Executor, simulate_summaries
from sim.calibration.targets import Prior, Target, Targets
from sim.config import Config
from sim.params import PARAM_BY_NAME

PPC_DRAWS = 100
"""Posterior draws simulated for the posterior predictive check."""
INFORMED_MAX_SHARE = 0.8
"""A parameter counts as informed by the targets when its 90% credible interval spans at most this share of
its prior range; otherwise the fitted scenario keeps the base value (and says so in the record)."""
POINT_STUDIES = 20
"""Studies simulated at the fitted values themselves (:func:`fitted_values`, the fitted scenario's) for the PPC table."""
PPC_KEY = 99 * 10**9
"""Run-stream keys of the PPC studies (``PPC_KEY + i``; the fit's own keys are far below)."""
LEVEL = 0.9
"""Credible and predictive intervals: central 90%."""
RECORD = "calibration.json"
SCENARIO = "fitted_scenario.toml"


def _label(name: str) -> str:
    spec = PARAM_BY_NAME[name]
    unit = f" ({spec.unit})" if spec.unit and spec.unit != "-" else ""
    return f"{spec.label or name}{unit}"


def plot_posterior(post: pd.DataFrame, priors: Sequence[Prior], out: Path, title: str):
    """Marginals (diagonal: weighted histograms over the prior range) and pairs (below: weighted scatter)."""
    import matplotlib.pyplot as plt

    from sim.analysis import save_figure

    k = len(priors)
    fig, axes = plt.subplots(k, k, figsize=(2.4 * k + 1, 2.4 * k + 1), squeeze=False)
    w = post["weight"].to_numpy()
    summ = posterior_summary(post, priors, LEVEL).set_index("parameter")
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(post[pi.name], bins=20, range=(pi.low, pi.high), weights=w, color="0.55", edgecolor="white")
                s = summ.loc[pi.name]
                ax.axvline(s["median"], color="k", lw=1.2)
                ax.axvspan(s["lo"], s["hi"], color="k", alpha=0.08, lw=0)
                ax.set_yticks([])
                ax.set_xlim(pi.low, pi.high)
                ax.set_title(f"{pi.name}\nmedian {s['median']:.3g} [{s['lo']:.3g}, {s['hi']:.3g}]", fontsize=8)
            else:
                ax.scatter(post[pj.name], post[pi.name], s=4 + 400 * w, c="k", alpha=0.35, lw=0, rasterized=True)
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            if i == k - 1:
                ax.set_xlabel(_label(pj.name), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(_label(pi.name), fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    caption = (
        "Posterior of the free parameters. Diagonal: weighted histogram of each parameter over its whole prior "
        f"range (x axis), with the posterior median (line) and the central {LEVEL:.0%} credible interval (band); "
        "a marginal as flat as the prior means the targets do not inform that parameter. Below the diagonal: "
        "every pair of parameters (dot size = particle weight); a ridge means the targets fix a combination, "
        "not the parameters one by one."
    )
    return save_figure(fig, out, "posterior", caption)


def posterior_predictive(
    targets: Targets, post: pd.DataFrame, seed: int, executor: Executor | None, n: int = PPC_DRAWS
) -> pd.DataFrame:
    """Studies simulated at ``n`` posterior draws: every target and validate statistic, observed vs simulated.

    Returns
    -------
    DataFrame
        ``[statistic, role (fitted | validate), observed, se, source, sim_median, sim_lo, sim_hi, z, inside,
        at_fitted_values]``:
        the simulated median and central 90% interval over the draws, ``z`` = (median - observed) / se,
        ``inside`` = the observed value lies in the simulated interval, ``at_fitted_values`` = the mean over
        :data:`POINT_STUDIES` studies simulated at :func:`fitted_values` (the fitted scenario).
    """
    rows: list[tuple[str, Target]] = [("fitted", t) for t in targets.targets] + [
        ("validate", t) for t in targets.validate
    ]
    stats = list(dict.fromkeys(t.name for _, t in rows))
    thetas = draws(post, targets.priors, n, seed)
    # plus POINT_STUDIES studies at the fitted values themselves (the medians: what the fitted scenario runs)
    thetas += [fitted_values(targets, posterior_summary(post, targets.priors, LEVEL))] * POINT_STUDIES
    keys = [PPC_KEY + i for i in range(n + POINT_STUDIES)]
    allsims = simulate_summaries(targets.design, thetas, seed, stats, executor, keys=keys)
    sims, point = allsims[:n], allsims[n:]
    a = (1 - LEVEL) / 2
    out = []
    for role, t in rows:
        x = sims[:, stats.index(t.name)]
        x = x[np.isfinite(x)]
        lo, med, hi = np.quantile(x, [a, 0.5, 1 - a]) if len(x) else (math.nan,) * 3
        out.append(
            dict(
                statistic=t.name,
                role=role,
                observed=t.value,
                se=t.se,
                source=t.source,
                sim_median=float(med),
                sim_lo=float(lo),
                sim_hi=float(hi),
                z=float((med - t.value) / t.se),
                inside=bool(lo <= t.value <= hi),
                at_fitted_values=float(np.nanmean(point[:, stats.index(t.name)])),
            )
        )
    return pd.DataFrame(out)


def plot_ppc(ppc: pd.DataFrame, out: Path, title: str):
    """Observed targets (with +-1.96 SE) beside the simulated 90% interval, one row per statistic."""
    import matplotlib.pyplot as plt

    from sim.analysis import save_figure

    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(ppc) + 1.6))
    y = np.arange(len(ppc))[::-1]
    ax.errorbar(
        ppc["sim_median"],
        y + 0.12,
        xerr=[ppc["sim_median"] - ppc["sim_lo"], ppc["sim_hi"] - ppc["sim_median"]],
        fmt="o",
        color="k",
        capsize=3,
        label=f"simulated at the posterior: median and {LEVEL:.0%} interval",
    )
    ax.errorbar(
        ppc["observed"],
        y - 0.12,
        xerr=1.96 * ppc["se"],
        fmt="s",
        mfc="white",
        color="0.35",
        capsize=3,
        label="target: value +- 1.96 SE",
    )
    labels = [
        f"{s} ({'not fitted' if r == 'validate' else 'fitted'})"
        for s, r in zip(ppc["statistic"], ppc["role"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("value of the statistic (its own unit: r and betas in SD per SD, means and SDs in points)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False)
    inside = int(ppc["inside"].sum())
    caption = (
        f"Posterior predictive check: studies simulated at {PPC_DRAWS} posterior draws (black: median and central "
        f"{LEVEL:.0%} interval over the draws) beside each target (grey: value +- 1.96 SE). {inside} of {len(ppc)} "
        "observed values lie inside the simulated interval. Statistics marked 'not fitted' were not used by the "
        "fit: they test the fitted model on patterns it was not tuned to."
    )
    return save_figure(fig, out, "ppc", caption)


def informed(summary: pd.DataFrame, priors: Sequence[Prior]) -> pd.Series:
    """Per parameter: did the targets inform it? Its 90% credible interval spans at most :data:`INFORMED_MAX_SHARE`
    of the prior range (a posterior as flat as the prior spans 90%)."""
    width = {p.name: p.high - p.low for p in priors}
    share = (summary["hi"] - summary["lo"]) / summary["parameter"].map(width)
    return pd.Series((share <= INFORMED_MAX_SHARE).to_numpy(), index=summary["parameter"].to_numpy())


def fitted_values(targets: Targets, summary: pd.DataFrame) -> dict[str, float]:
    """The fitted value of every free parameter: its posterior median when the targets informed it
    (:func:`informed`), else the base scenario's value (a median of a prior-like posterior is arbitrary)."""
    base = targets.design.base_config(0)
    ok = informed(summary, targets.priors)
    return {
        r["parameter"]: float(r["median"] if ok[r["parameter"]] else base.params[r["parameter"]])
        for _, r in summary.iterrows()
    }


def fitted_config(targets: Targets, summary: pd.DataFrame, seed: int = 0) -> Config:
    """The base scenario of the design with the free parameters at :func:`fitted_values` (whole numbers rounded)."""
    from sim.calibration.simulate import theta_config

    base = targets.design.base_config(seed)
    cfg = theta_config(base, fitted_values(targets, summary))
    name = f"calibrated_{targets.name}"
    desc = f"The design's base scenario with the posterior medians fitted to the {targets.name!r} targets."
    return Config.from_dict({**cfg.to_dict(), "name": name, "description": desc})


def dashboard_query(cfg: Config) -> str | None:
    """The dashboard address query that opens ``cfg`` (its page state lives in the address), or None when
    the dashboard is not in this checkout or cannot show the scenario (e.g. several schedule phases)."""
    import importlib.util

    from sim.commands.dashboard import APP
    from sim.errors import ConfigError

    path = APP.with_name("simulation.py")
    if not path.is_file():
        return None
    name = "efficacy_sim_dashboard_simulation"
    mod = sys.modules.get(name)
    if mod is None:
        spec_ = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec_)
        sys.modules[name] = mod  # dataclasses look their module up here
        spec_.loader.exec_module(mod)
    try:
        return mod.to_query(mod.values_from_config(cfg))
    except ConfigError:
        return None


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return json.dumps(str(v), ensure_ascii=False)


def scenario_toml(cfg: Config, header: str) -> str:
    """TOML text of a scenario that :meth:`Config.from_toml` reads back to ``cfg`` (parameters at their
    declared default are left out, so the file shows what differs)."""
    d = cfg.to_dict()
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"{k} = {_toml(d[k])}" for k in ("name", "description", "agents", "steps", "seed")]
    changed = {k: v for k, v in d["params"].items() if v != PARAM_BY_NAME[k].default}
    if changed:
        lines += ["", "[params]"] + [f"{k} = {_toml(v)}" for k, v in sorted(changed.items())]
    for section in ("schedule", "shocks", "interventions"):
        for e in d[section]:
            lines += ["", f"[[{section}]]"] + [f"{k} = {_toml(v)}" for k, v in e.items()]
    return "\n".join(lines) + "\n"


def write_outputs(
    targets: Targets,
    result: FitResult,
    out: str | Path,
    *,
    seed: int,
    budget: Any,
    executor: Executor | None = None,
    command: Sequence[str] = (),
    ppc_draws: int = PPC_DRAWS,
) -> dict[str, Path]:
    """Write every output of a finished fit into ``out`` (see the module docstring); returns the paths."""
    from sim.analysis.summary import write_table
    from sim.provenance import package_versions

    out = Path(out)
    post = result.posterior
    summ = posterior_summary(post, targets.priors, LEVEL)
    paths = {"posterior": out / "posterior.parquet", "generations": out / "generations.csv"}
    post.to_parquet(paths["posterior"], index=False)
    write_table(result.generations, paths["generations"])
    paths["posterior_figure"] = plot_posterior(post, targets.priors, out, f"Posterior: {targets.name}").png
    ppc = posterior_predictive(targets, post, seed, executor, ppc_draws)
    paths["ppc"] = write_table(ppc, out / "ppc.csv")
    paths["ppc_figure"] = plot_ppc(ppc, out, f"Posterior predictive check: {targets.name}").png
    cfg = fitted_config(targets, summ, seed)
    paths["scenario"] = out / SCENARIO
    header = (
        f"Fitted scenario from the calibration in this folder ({RECORD}): the free parameters the targets inform\n"
        "at their weighted posterior median (the others at the base value, see fitted_values in the record).\n"
        "Run it with: efficacy-sim run <this file>"
    )
    query = dashboard_query(cfg)
    if query is not None:
        header += f"\nIn the dashboard (efficacy-sim dashboard), open: http://127.0.0.1:8765/?{query}"
    paths["scenario"].write_text(scenario_toml(cfg, header))
    gens = result.generations
    record = {
        "name": targets.name,
        "description": targets.description,
        **spec(targets, budget, seed),
        "validate": [dict(name=t.name, value=t.value, se=t.se, source=t.source) for t in targets.validate],
        "method": {
            "library": "pyabc (ABC-SMC)",
            "distance": "sqrt(sum_i ((s_i - target_i) / se_i)^2) (pyabc.PNormDistance, p = 2, weights 1 / se)",
            "epsilon": f"pyabc.QuantileEpsilon, alpha = {budget.quantile} (weighted quantile of the last distances)",
            "transition": "pyabc.MultivariateNormalTransition (default)",
            "sampler": "sim.calibration.fit.BatchSampler: batched simulations, seeded per generation",
            "fitted_value": "weighted posterior median of each parameter the targets inform (90% CI at most "
            f"{INFORMED_MAX_SHARE:.0%} of the prior range); the base value for the others",
        },
        "posterior": summ.assign(informed=informed(summ, targets.priors).to_numpy()).to_dict(orient="records"),
        "fitted_values": fitted_values(targets, summ),
        "credible_level": LEVEL,
        "fit": {
            "generations": gens.to_dict(orient="records"),
            "final_epsilon": float(gens["epsilon"].iloc[-1]),
            "distance_median": float(np.median(post["distance"])),
            "simulations": result.simulations,
            "stopped_by": result.stopped_by,
            "posterior_predictive": ppc.to_dict(orient="records"),
        },
        "wall_seconds": round(result.extra.get("wall_seconds_total", result.wall_seconds), 1),
        "sessions": result.extra.get("sessions", 1),
        "sims_per_second": None if math.isnan(result.sims_per_second) else round(result.sims_per_second, 1),
        "resumed": result.resumed,
        "command": list(command),
        "versions": package_versions(
            ("efficacy-sim", "numpy", "pandas", "mesa", "pyarrow", "scipy", "pyabc", "distributed")
        ),
        "fitted_scenario": SCENARIO,
        "dashboard_query": query,
    }
    paths["record"] = out / RECORD
    paths["record"].write_text(json.dumps(record, indent=2, default=float) + "\n")
    return paths


__all__ = [
    "PPC_DRAWS",
    "write_outputs",
    "posterior_predictive",
    "plot_posterior",
    "plot_ppc",
    "fitted_config",
    "scenario_toml",
]
