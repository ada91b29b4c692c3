"""Analysis of a finished comparison: per-agent outcomes, paired effects on the project's one scale.

Every effect is a paired difference (strategy - control, replicate by replicate on common random
numbers) put on the scale of :mod:`sim.analysis.effects`: for a continuous outcome, divided by the
SD across agents of the control condition (pooled over its replications); for a share of learners,
in percentage points. The 95% CI is a bootstrap over replications. The paired ``d_z`` is kept in the
long table as a test statistic only.

All functions are pure: they take engine tables (or per-run frames) and return tidy frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import PP, SD, Claim, Effect, decide, effect, mean_ci, paired_effects
from sim.comparison.design import Design
from sim.metrics import OVERCONFIDENCE_MARGIN
from sim.strategies import CONTROL

OUTCOMES: dict[str, str] = {
    "efficacy_pre": "efficacy gain before the test",
    "calibration_pre": "calibration (efficacy - skill) before the test",
    "overconfident_pre": f"overconfident share (efficacy > skill + {OVERCONFIDENCE_MARGIN:g}) before the test",
    "skill_pre": "skill before the test",
    "efficacy_drop": "efficacy drop in the later test (> 0: fell more)",
    "disengaged_final": "disengaged share at the end",
    "efficacy_final": "efficacy at the end",
    "skill_final": "skill at the end",
    "calibration_final": "calibration (efficacy - skill) at the end",
}
"""Per-agent outcomes compared with control (plain names; code names are the keys)."""

SCALE_OF: dict[str, tuple[str, str | None]] = {
    "efficacy_pre": (SD, "efficacy_pre"),
    "calibration_pre": (SD, "calibration_pre"),
    "overconfident_pre": (PP, None),
    "skill_pre": (SD, "skill_pre"),
    # a change of efficacy: in units of the SD of efficacy across learners before the test
    "efficacy_drop": (SD, "efficacy_pre"),
    "disengaged_final": (PP, None),
    "efficacy_final": (SD, "efficacy_final"),
    "skill_final": (SD, "skill_final"),
    "calibration_final": (SD, "calibration_final"),
}
"""Scale of every outcome and the outcome whose SD across agents (in control) it is divided by."""

UNIT = {SD: "SD across learners", PP: "percentage points"}
TERCILES = ("low", "middle", "high")
TERCILE_OUTCOMES = ("efficacy_pre", "skill_pre", "calibration_pre", "efficacy_final")

PROFILE_SKILL, PROFILE_BELIEF, PROFILE_SMALL = "builds skill", "inflates belief", "neither shown"
_BUILDS_SKILL = Claim(
    "builds_skill", "raises skill", "skill before the test", +1, "assumption", "skill practice rule", SD
)
_INFLATES = Claim(
    "inflates", "raises efficacy above skill", "calibration before the test", +1, "assumption", "belief rules", SD
)


def unit(value: str) -> str:
    """The unit of an outcome's effect (``"SD across learners"`` or ``"percentage points"``)."""
    return UNIT[SCALE_OF[value][0]]


# ---------------------------------------------------------------------------------------------------------
# Per-agent and per-run outcomes
# ---------------------------------------------------------------------------------------------------------
def agent_outcomes(agents: pd.DataFrame, snapshots: pd.DataFrame, design: Design) -> pd.DataFrame:
    """One row per (condition, replicate, agent) with every outcome in :data:`OUTCOMES` and the tercile."""
    key = ["condition", "replicate", "agent"]
    pre = snapshots[snapshots["step"] == design.pre_step].set_index(key)
    post = snapshots[snapshots["step"] == design.post_step].set_index(key)
    fin = agents.set_index(key)
    out = pd.DataFrame(index=fin.index)
    out["efficacy_pre"] = pre["efficacy"]
    out["skill_pre"] = pre["skill"]
    out["calibration_pre"] = pre["efficacy"] - pre["skill"]
    out["overconfident_pre"] = (out["calibration_pre"] > OVERCONFIDENCE_MARGIN).astype(float)
    out["efficacy_drop"] = pre["efficacy"] - post["efficacy"]
    out["disengaged_final"] = _disengaged(fin["engagement"]).astype(float)
    out["efficacy_final"] = fin["efficacy"]
    out["skill_final"] = fin["skill"]
    out["calibration_final"] = fin["efficacy"] - fin["skill"]
    out["successes"] = fin["successes"].astype(float)
    out["dose"] = fin["dose"].astype(float)
    out["initial_efficacy"] = fin["initial_efficacy"]
    out = out.reset_index()
    # Terciles of initial efficacy within each run: identical across conditions under common random numbers.
    out["tercile"] = out.groupby(["condition", "replicate"])["initial_efficacy"].transform(
        lambda x: pd.qcut(x.rank(method="first"), 3, labels=list(TERCILES)).astype(str)
    )
    return out


def _disengaged(engagement: pd.Series) -> pd.Series:
    from sim.state import DISENGAGED, ENGAGEMENT_NAMES

    if pd.api.types.is_numeric_dtype(engagement):
        return engagement.astype(int) == DISENGAGED
    return engagement.astype(str) == ENGAGEMENT_NAMES[DISENGAGED]


def run_means(outcomes: pd.DataFrame, by: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Means and SDs across agents (ddof 0) of every outcome per (condition, replicate, *by)."""
    keys = ["condition", "replicate", *by]
    cols = [*OUTCOMES, "successes", "dose"]
    g = outcomes.groupby(keys)[cols]
    return g.mean().reset_index(), g.std(ddof=0).reset_index()


def handed_per_run(series: pd.DataFrame) -> pd.DataFrame:
    """Handed successes per agent over the whole run, per (condition, replicate), from ``handed_share``.

    The series must be kept every step (the comparison keeps it so); a model without the metric gives 0.
    """
    if "handed_share" not in series.columns:
        runs = series[["condition", "replicate"]].drop_duplicates()
        return runs.assign(handed_successes=0.0).reset_index(drop=True)
    s = series[series["step"] > 0]
    return s.groupby(["condition", "replicate"])["handed_share"].sum().rename("handed_successes").reset_index()


def schedule_cost(series: pd.DataFrame, design: Design) -> dict[str, float]:
    """Engaged agent-steps per agent inside the window of every condition whose strategy changes the schedule."""
    out = {}
    windows = design.windows()
    for cond, s in design.strategy_of().items():
        if not s.schedule:
            continue
        a, b = windows[cond]
        g = series[(series["condition"] == cond) & (series["step"] >= a) & (series["step"] < b)]
        if not len(g):
            continue
        per_rep = g.groupby("replicate")["disengaged_share"].apply(lambda x: float((1.0 - x).sum()))
        # series may be thinned (Outputs.every): scale by the window length over the steps kept
        kept = g.groupby("replicate").size()
        out[cond] = float((per_rep * (b - a) / kept.clip(lower=1)).mean())
    return out


# ---------------------------------------------------------------------------------------------------------
# Paired effects
# ---------------------------------------------------------------------------------------------------------
def outcome_effects(
    per_run: pd.DataFrame,
    sd_run: pd.DataFrame,
    conditions: Sequence[str],
    outcomes: Sequence[str] = tuple(OUTCOMES),
    control: str = CONTROL,
    by: Sequence[str] = (),
    ref_run: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Paired effects of ``conditions`` against ``control`` for every outcome, on the project's scale.

    Parameters
    ----------
    per_run, sd_run : outcome means and SDs across agents per (condition, replicate, *by).
    ref_run : SDs across agents to divide by (default ``sd_run``); e.g. whole-population SDs for
        tercile effects, so terciles share the scale of the main table.

    Returns
    -------
    DataFrame
        ``[*by, outcome, condition, control, n, effect, lo, hi, scale, raw, raw_lo, raw_hi, ref_sd, d_z]``.
    """
    keys = ["condition", "replicate", *by]
    ref_run = sd_run if ref_run is None else ref_run
    parts = []
    for v in outcomes:
        scale, ref = SCALE_OF[v]
        df = per_run[[*keys, v]].copy()
        if scale == SD:
            rk = [k for k in keys if k in ref_run.columns]
            df = df.merge(ref_run[[*rk, ref]].rename(columns={ref: "_ref_sd"}), on=rk, how="left")
        t = paired_effects(
            df,
            v,
            scale,
            sd="_ref_sd" if scale == SD else None,
            control=control,
            compared=list(conditions),
            by=list(by) or None,
        )
        parts.append(t.assign(outcome=v))
    out = pd.concat(parts, ignore_index=True)
    return out[["outcome", *[c for c in out.columns if c != "outcome"]]]


def _ref_sds(sd_run: pd.DataFrame, value: str, control: str = CONTROL) -> np.ndarray:
    return sd_run.loc[sd_run["condition"] == control, SCALE_OF[value][1]].to_numpy(dtype=float)


def contrast_effect(
    per_run: pd.DataFrame, sd_run: pd.DataFrame, a: str, b: str, value: str, control: str = CONTROL
) -> Effect:
    """Paired effect ``a - b`` of ``value``, on the same scale as the table (the control's SD across agents)."""
    scale, _ = SCALE_OF[value]
    w = per_run.pivot(index="replicate", columns="condition", values=value)[[a, b]].dropna()
    diffs = (w[a] - w[b]).to_numpy()
    return effect(diffs, scale, _ref_sds(sd_run, value, control) if scale == SD else None)


def gap_effect(
    per_run_by: pd.DataFrame,
    sd_run: pd.DataFrame,
    cond: str,
    value: str,
    hi_group: str = "low",
    lo_group: str = "high",
    by: str = "tercile",
    control: str = CONTROL,
    ref_control: str = CONTROL,
) -> Effect:
    """How much more ``cond`` helps group ``hi_group`` than ``lo_group`` (a difference of paired effects).

    Per replicate: ``(cond - control in hi_group) - (cond - control in lo_group)``, on the scale of the
    whole population's SD across agents in ``ref_control`` (the unablated control: every effect of a
    comparison shares one denominator).
    """
    scale, _ = SCALE_OF[value]
    w = per_run_by.pivot_table(index="replicate", columns=["condition", by], values=value)
    d = (w[(cond, hi_group)] - w[(control, hi_group)]) - (w[(cond, lo_group)] - w[(control, lo_group)])
    return effect(d.dropna().to_numpy(), scale, _ref_sds(sd_run, value, ref_control) if scale == SD else None)


def successes_table(per_run: pd.DataFrame, conditions: Sequence[str], control: str = CONTROL) -> pd.DataFrame:
    """Earned and handed successes per agent: earned as a paired difference from control, handed as a mean.

    Returns ``condition, earned, earned_lo, earned_hi, earned_control, handed, handed_lo, handed_hi``
    (counts per agent over the whole run; CIs over replications).
    """
    w_e = per_run.pivot(index="replicate", columns="condition", values="earned_successes")
    w_h = per_run.pivot(index="replicate", columns="condition", values="handed_successes")
    rows = []
    for c in conditions:
        e, elo, ehi = mean_ci((w_e[c] - w_e[control]).dropna().to_numpy())
        h, hlo, hhi = mean_ci(w_h[c].dropna().to_numpy())
        rows.append(
            dict(
                condition=c,
                earned=e,
                earned_lo=elo,
                earned_hi=ehi,
                earned_control=float(w_e[control].mean()),
                handed=h,
                handed_lo=hlo,
                handed_hi=hhi,
            )
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Tables of a finished comparison (all tidy; effects on the project's scale).

    Attributes
    ----------
    design : the design that was run.
    outcomes : per agent (condition, replicate, agent, every outcome, tercile).
    effects : long, one row per (outcome, condition) for every non-control, non-ablated condition.
    terciles : long, as ``effects`` with a ``tercile`` column (scale: whole-population control SD).
    table : wide, one row per main strategy, ranked by efficacy gain before the test.
    timing : wide, one row per timing/targeting variant.
    cost : intervention-steps per agent, per condition.
    per_run, sd_run : outcome means and SDs across agents per (condition, replicate).
    per_run_terciles : outcome means per (condition, replicate, tercile).
    successes : earned and handed successes per agent per condition.
    """

    design: Design
    outcomes: pd.DataFrame
    effects: pd.DataFrame
    terciles: pd.DataFrame
    table: pd.DataFrame
    timing: pd.DataFrame
    cost: pd.Series
    per_run: pd.DataFrame
    sd_run: pd.DataFrame
    per_run_terciles: pd.DataFrame
    successes: pd.DataFrame

    def contrast(self, a: str, b: str, value: str) -> Effect:
        """Paired effect ``a - b`` of ``value`` (both conditions of this comparison), on the table's scale.

        The denominator is always the (unablated) control's SD across agents, so contrasts are differences
        of the table's effects and ablated contrasts are in the same units as the model's.
        """
        return contrast_effect(self.per_run, self.sd_run, a, b, value)

    def versus_control(self, cond: str, value: str, control: str = CONTROL) -> Effect:
        """Paired effect ``cond - control`` of ``value`` (``control`` may be an ablated control)."""
        scale, _ = SCALE_OF[value]
        w = self.per_run.pivot(index="replicate", columns="condition", values=value)[[cond, control]].dropna()
        ref = _ref_sds(self.sd_run, value) if scale == SD else None
        return effect((w[cond] - w[control]).to_numpy(), scale, ref)

    def tercile_gap(self, cond: str, value: str = "efficacy_pre", control: str = CONTROL) -> Effect:
        """Effect on the low tercile of initial efficacy minus effect on the high tercile."""
        return gap_effect(self.per_run_terciles, self.sd_run, cond, value, control=control)

    def cell(self, condition: str, outcome: str) -> dict[str, Any]:
        """One outcome of one condition against control, for display.

        Returns ``effect, lo, hi`` on the project's scale, ``unit`` (``"SD across learners"`` or
        ``"percentage points"``), ``raw, raw_lo, raw_hi`` in the outcome's own unit (levels or share) and
        ``d_z`` (paired test statistic, not an effect size).
        """
        e = self.effects
        row = e[(e["condition"] == condition) & (e["outcome"] == outcome)]
        if not len(row):
            raise KeyError(f"no effect of {outcome!r} for condition {condition!r}")
        r = row.iloc[0]
        out = {k: float(r[k]) for k in ("effect", "lo", "hi", "raw", "raw_lo", "raw_hi", "d_z")}
        return {**out, "unit": unit(outcome)}

    def has(self, *conditions: str) -> bool:
        """True when every condition was run."""
        return set(conditions) <= set(self.per_run["condition"])


def analyse(res: Any, design: Design, n_boot: int | None = None) -> Comparison:
    """Paired comparisons of every condition with control, overall and by tercile of initial efficacy.

    ``n_boot`` is accepted for compatibility and ignored (the bootstrap size is fixed in
    :mod:`sim.analysis.effects`).
    """
    o = agent_outcomes(res.agents, res.snapshots, design)
    present = set(o["condition"])
    main = [c for c in design.main_conditions() if c in present]
    variants = [c for c in design.variant_conditions() if c in present]
    per_run, sd_run = run_means(o)
    handed = handed_per_run(res.series)
    per_run = per_run.merge(handed, on=["condition", "replicate"], how="left").fillna({"handed_successes": 0.0})
    per_run["earned_successes"] = per_run["successes"] - per_run["handed_successes"]
    effects = outcome_effects(per_run, sd_run, [*main, *variants])

    pr_t, _ = run_means(o, by=["tercile"])
    # tercile effects on the whole population's scale: every tercile row carries its run's overall SDs
    ref_t = sd_run.drop(columns=["successes", "dose"])
    terciles = outcome_effects(pr_t, sd_run, [*main, *variants], TERCILE_OUTCOMES, by=["tercile"], ref_run=ref_t)

    cost = o.groupby("condition")["dose"].mean()
    for cond, extra in schedule_cost(res.series, design).items():
        cost[cond] = cost.get(cond, 0.0) + extra
    succ = successes_table(per_run, [*main, *variants])
    table = wide_table(effects, terciles, cost, main, succ)
    timing = wide_table(effects, terciles, cost, variants, succ, rank=False)
    return Comparison(design, o, effects, terciles, table, timing, cost, per_run, sd_run, pr_t, succ)


def profile(row: dict[str, Any] | pd.Series) -> str:
    """What a strategy does, by the verdict rule: ``builds skill`` (skill shown), ``inflates belief``
    (skill not shown, calibration shown upwards) or ``neither shown``."""

    def e(v: str) -> Effect:
        return Effect(row[v], row[f"{v}_lo"], row[f"{v}_hi"], SD, 0)

    if decide(_BUILDS_SKILL, e("skill_pre")) == "shown":
        return PROFILE_SKILL
    if decide(_INFLATES, e("calibration_pre")) == "shown":
        return PROFILE_BELIEF
    return PROFILE_SMALL


def wide_table(
    effects: pd.DataFrame,
    terciles: pd.DataFrame,
    cost: pd.Series,
    conds: Sequence[str],
    successes: pd.DataFrame | None = None,
    rank: bool = True,
) -> pd.DataFrame:
    """One row per condition: every outcome's effect and CI (on its scale), tercile effects, successes, cost.

    Columns ``{outcome}``, ``{outcome}_lo``, ``{outcome}_hi`` are on the outcome's scale (:data:`SCALE_OF`),
    ``{outcome}_raw`` in the outcome's own unit; ``efficacy_pre_per_10_cost`` is the efficacy gain (SD
    across learners) per 10 intervention-steps per agent. With ``rank``, rows are sorted by efficacy gain
    (ties by name) and numbered.
    """
    rows = []
    e_idx = effects.set_index(["condition", "outcome"])
    t_idx = terciles.set_index(["condition", "tercile", "outcome"])
    s_idx = successes.set_index("condition") if successes is not None else None
    for c in conds:
        r: dict[str, Any] = {"strategy": c}
        for v in OUTCOMES:
            e = e_idx.loc[(c, v)]
            r[v], r[f"{v}_lo"], r[f"{v}_hi"], r[f"{v}_raw"] = e["effect"], e["lo"], e["hi"], e["raw"]
        for t in TERCILES:
            for v in ("efficacy_pre", "skill_pre"):
                e = t_idx.loc[(c, t, v)]
                r[f"{v}_{t}"], r[f"{v}_{t}_lo"], r[f"{v}_{t}_hi"] = e["effect"], e["lo"], e["hi"]
        if s_idx is not None and c in s_idx.index:
            s = s_idx.loc[c]
            for k in ("earned", "earned_lo", "earned_hi", "handed", "handed_lo", "handed_hi"):
                r[f"{k.replace('earned', 'earned_successes').replace('handed', 'handed_successes')}"] = s[k]
        r["cost"] = float(cost.get(c, 0.0))
        r["efficacy_pre_per_10_cost"] = 10.0 * r["efficacy_pre"] / r["cost"] if r["cost"] > 0 else float("nan")
        r["profile"] = profile(r)
        rows.append(r)
    t = pd.DataFrame(rows)
    if not len(t):
        return t
    if rank:
        t = t.sort_values(["efficacy_pre", "strategy"], ascending=[False, True], kind="mergesort")
        t.insert(0, "rank", range(1, len(t) + 1))
    return t.reset_index(drop=True)
