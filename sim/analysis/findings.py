"""How the project decides a finding: a claim declared before the run, one verdict rule.

A :class:`Claim` states, before any simulation, what is measured, the predicted direction and the
smallest effect of interest (SESOI) on the project's one scale (:mod:`sim.analysis.effects`). After
the run, :func:`decide` turns the effect and its 95% CI into one of four verdicts:

========== ===================================================================================
shown      the whole CI lies beyond the SESOI, in the predicted direction
negligible the whole CI lies inside (-SESOI, +SESOI): whatever the sign, too small to matter
opposite   the whole CI lies on the other side of zero and the effect is not negligible
inconclusive anything else (the CI straddles the SESOI or zero): more replications could tell
========== ===================================================================================

The rule reads a confidence interval against a smallest effect of interest both ways, as an
equivalence test does (Lakens 2017). A claim with several parts is shown only when every part is shown; otherwise its verdict is the
first of opposite, negligible, inconclusive that a part has.

Every claim carries a *kind*:

- ``assumption``: coded into a rule; the run only illustrates it (``rests_on`` names the rule);
- ``mechanism check``: a rule's direct consequence; ``analytic`` is the value the rule predicts, printed
  beside the simulated one;
- ``emergent``: arises from two or more mechanisms interacting; backed by ablations (the same
  measurement with the responsible mechanism switched off), whose effects are reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.effects import PP, SCALES, SD, Effect, fmt

SHOWN, NEGLIGIBLE, OPPOSITE, INCONCLUSIVE = "shown", "negligible", "opposite", "inconclusive"
VERDICTS = (SHOWN, NEGLIGIBLE, OPPOSITE, INCONCLUSIVE)
KINDS = ("assumption", "mechanism check", "emergent")
DEFAULT_SESOI = {SD: 0.2, PP: 5.0}
"""Default smallest effects of interest: a fifth of the SD across learners, or 5 percentage points."""


@dataclass(frozen=True)
class Claim:
    """A pre-declared claim (one part of a finding).

    Parameters
    ----------
    id : short key (stable across runs; used in tables and tests).
    statement : the claim in plain words, as a reader would state it.
    outcome : what is measured, in plain words with its code name.
    direction : +1 (the effect is predicted positive) or -1.
    kind : one of :data:`KINDS`.
    rests_on : the rule(s) or mechanism(s) the claim depends on.
    scale : :data:`~sim.analysis.effects.SD` or :data:`~sim.analysis.effects.PP`.
    sesoi : smallest effect of interest on ``scale`` (> 0); default from :data:`DEFAULT_SESOI`.
    analytic : for a mechanism check, the value the rule predicts (on ``scale``), else None.
    ablations : names of the ablations (:mod:`sim.analysis.ablations`) run for this claim.
    """

    id: str
    statement: str
    outcome: str
    direction: int
    kind: str
    rests_on: str
    scale: str = SD
    sesoi: float | None = None
    analytic: float | None = None
    ablations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.direction not in (1, -1):
            raise ValueError(f"claim {self.id}: direction = {self.direction!r} is not allowed: expected +1 or -1")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind = {self.kind!r} is not allowed: expected one of {KINDS}")
        if self.scale not in (SD, PP):
            raise ValueError(f"claim {self.id}: scale = {self.scale!r} is not allowed: expected 'sd' or 'pp'")
        if self.sesoi is None:
            object.__setattr__(self, "sesoi", DEFAULT_SESOI[self.scale])
        if not (self.sesoi > 0 and np.isfinite(self.sesoi)):
            raise ValueError(f"claim {self.id}: sesoi = {self.sesoi!r} is not allowed: expected a number > 0")
        if self.kind == "emergent" and not self.ablations:
            raise ValueError(f"claim {self.id}: an emergent claim needs at least one ablation")


def decide(claim: Claim, eff: Effect) -> str:
    """The verdict of one claim part from its effect (see the module docstring for the rule)."""
    if eff.scale != claim.scale:
        raise ValueError(f"claim {claim.id}: effect on scale {eff.scale!r}, claim declared on {claim.scale!r}")
    lo, hi = eff.lo, eff.hi
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return INCONCLUSIVE
    s, k = claim.direction, claim.sesoi
    lo, hi = sorted((lo * s, hi * s))  # in the predicted direction's frame: > 0 is "as predicted"
    if lo > k:
        return SHOWN
    if -k < lo and hi < k:
        return NEGLIGIBLE
    if hi < 0:
        return OPPOSITE
    return INCONCLUSIVE


def combine(verdicts: Sequence[str]) -> str:
    """Verdict of a multi-part claim: shown only if every part is shown."""
    for v in verdicts:
        if v not in VERDICTS:
            raise ValueError(f"verdict = {v!r} is not allowed: expected one of {VERDICTS}")
    for v in (OPPOSITE, NEGLIGIBLE, INCONCLUSIVE):
        if v in verdicts:
            return v
    return SHOWN if verdicts else INCONCLUSIVE


ABLATION_VANISHES, ABLATION_SHRINKS, ABLATION_PERSISTS = "vanishes", "shrinks", "persists"
ABLATION_NOTHING = "has no predicted effect to remove"


def ablation_outcome(claim: Claim, full: Effect, ablated: Effect) -> str:
    """What switching a mechanism off does to an effect.

    ``vanishes``: the full effect is shown and the ablated one is negligible or opposite;
    ``shrinks``: the ablated estimate is at most half the full one in the predicted direction;
    ``persists``: neither, so the mechanism switched off is not what the effect rests on. An ablated
    interval that merely widens or touches the smallest effect of interest is not a vanishing. When the
    full model shows no effect in the predicted direction (negligible or opposite) there is nothing for
    an ablation to remove: :data:`ABLATION_NOTHING`.
    """
    full_v, abl_v = decide(claim, full), decide(claim, ablated)
    if full_v in (NEGLIGIBLE, OPPOSITE):
        return ABLATION_NOTHING
    if full_v == SHOWN and abl_v in (NEGLIGIBLE, OPPOSITE):
        return ABLATION_VANISHES
    f, a = full.estimate * claim.direction, ablated.estimate * claim.direction
    if np.isfinite(f) and np.isfinite(a) and f > 0 and a <= 0.5 * f:
        return ABLATION_SHRINKS
    return ABLATION_PERSISTS


@dataclass
class Finding:
    """A decided claim: the claim, its effect(s), its verdict, and its ablations."""

    claim: Claim
    effect: Effect
    verdict: str = field(init=False)
    ablated: dict[str, Effect] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.verdict = decide(self.claim, self.effect)
        missing = set(self.claim.ablations) - set(self.ablated)
        if missing and self.ablated:
            raise ValueError(f"claim {self.claim.id}: ablations {sorted(missing)} declared but not given")

    def ablation_outcomes(self) -> dict[str, str]:
        return {name: ablation_outcome(self.claim, self.effect, e) for name, e in self.ablated.items()}


@dataclass
class Question:
    """A finding of one or more parts, decided together (e.g. "X raises A and lowers B")."""

    id: str
    title: str
    parts: list[Finding]

    @property
    def verdict(self) -> str:
        return combine([p.verdict for p in self.parts])


def as_question(x: Finding | Question) -> Question:
    return x if isinstance(x, Question) else Question(x.claim.id, x.claim.statement, [x])


def findings_frame(items: Sequence[Finding | Question]) -> pd.DataFrame:
    """One row per claim part (and per ablation of it), tidy, in declaration order.

    Columns: ``question, title, question_verdict, claim, statement, kind, rests_on, outcome, direction, scale,
    sesoi, condition ("model" or an ablation name), effect, lo, hi, verdict, ablation_outcome, analytic,
    n, d_z``.
    """
    rows = []
    for q in map(as_question, items):
        for f in q.parts:
            c = f.claim
            base = dict(
                question=q.id,
                title=q.title,
                question_verdict=q.verdict,
                claim=c.id,
                statement=c.statement,
                kind=c.kind,
                rests_on=c.rests_on,
                outcome=c.outcome,
                direction=c.direction,
                scale=c.scale,
                sesoi=c.sesoi,
            )
            rows.append(
                {
                    **base,
                    "condition": "model",
                    "effect": f.effect.estimate,
                    "lo": f.effect.lo,
                    "hi": f.effect.hi,
                    "verdict": f.verdict,
                    "ablation_outcome": "",
                    "analytic": c.analytic if c.analytic is not None else np.nan,
                    "n": f.effect.n,
                    "d_z": f.effect.d_z,
                }
            )
            outcomes = f.ablation_outcomes()
            for name, e in f.ablated.items():
                rows.append(
                    {
                        **base,
                        "condition": name,
                        "effect": e.estimate,
                        "lo": e.lo,
                        "hi": e.hi,
                        "verdict": decide(c, e),
                        "ablation_outcome": outcomes[name],
                        "analytic": np.nan,
                        "n": e.n,
                        "d_z": e.d_z,
                    }
                )
    cols = [
        "question",
        "title",
        "question_verdict",
        "claim",
        "statement",
        "kind",
        "rests_on",
        "outcome",
        "direction",
        "scale",
        "sesoi",
        "condition",
        "effect",
        "lo",
        "hi",
        "verdict",
        "ablation_outcome",
        "analytic",
        "n",
        "d_z",
    ]
    return pd.DataFrame(rows, columns=cols)


def _unit(scale: str) -> str:
    return {SD: "SD", PP: "pp"}.get(scale, scale)


def findings_markdown(items: Sequence[Finding | Question]) -> str:
    """The findings as Markdown: one block per question with its verdict, parts, analytic values and ablations."""
    from sim.analysis.ablations import ABLATIONS

    out = []
    for q in map(as_question, items):
        out.append(f"**{q.title}** — verdict: **{q.verdict}**")
        out.append("")
        for f in q.parts:
            c = f.claim
            u = _unit(c.scale)
            pred = "higher" if c.direction > 0 else "lower"
            line = (
                f"- *{c.statement}* ({c.kind}; rests on: {c.rests_on}). Predicted: {c.outcome} {pred}, "
                f"smallest effect of interest {c.sesoi:g} {u}. Measured: {f.effect.text()} over {f.effect.n} "
                f"replications → **{f.verdict}**."
            )
            if c.analytic is not None:
                line += f" The rule predicts {fmt(c.analytic)} {u}."
            out.append(line)
            for name, o in f.ablation_outcomes().items():
                label = ABLATIONS[name].label if name in ABLATIONS else name
                verb = o if o == ABLATION_NOTHING else f"the effect **{o}**"
                out.append(f"  - With {label}: {f.ablated[name].text()} → {verb}.")
        out.append("")
    return "\n".join(out).strip() + "\n"


def verdict_counts(items: Sequence[Finding | Question]) -> dict[str, int]:
    qs = [as_question(x) for x in items]
    return {v: sum(q.verdict == v for q in qs) for v in VERDICTS}


def verdict_summary(items: Sequence[Finding | Question]) -> str:
    """The verdicts counted in words, e.g. ``"2 shown, 1 negligible"`` (verdicts no finding has are left out)."""
    return ", ".join(f"{n} {v}" for v, n in verdict_counts(items).items() if n)


__all__ = [
    "Claim",
    "Finding",
    "Question",
    "decide",
    "combine",
    "ablation_outcome",
    "findings_frame",
    "findings_markdown",
    "verdict_counts",
    "verdict_summary",
    "SHOWN",
    "NEGLIGIBLE",
    "OPPOSITE",
    "INCONCLUSIVE",
    "VERDICTS",
    "KINDS",
    "SCALES",
]
