"""Findings with ablations the model may not declare yet, and what an ablation reveals beyond "vanishes".

- :func:`finding` builds a :class:`~sim.analysis.findings.Finding` when only some of a claim's declared
  ablations can run (their switches are not declared by this version of the model): the claim keeps the
  ablations that ran, and :func:`unavailable` names the rest for the design section.
- :func:`reversals` lists the ablations under which an effect that the full model does not show is shown
  (the mechanism switched off *hides* the pattern rather than causes it); ``ablation_outcome`` calls these
  "persists", which undersells them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sim.analysis.ablations import ABLATIONS, get
from sim.analysis.effects import Effect
from sim.analysis.findings import (
    ABLATION_SHRINKS,
    ABLATION_VANISHES,
    SHOWN,
    Claim,
    Finding,
    Question,
    as_question,
    decide,
)


def finding(claim: Claim, eff: Effect, ablated: dict[str, Effect]) -> Finding:
    """A :class:`Finding` of ``claim``; declared ablations missing from ``ablated`` (not runnable) are dropped.

    With no ablation at all the claim is kept as declared (an emergent claim then reports none).
    """
    if ablated and set(claim.ablations) - set(ablated):
        claim = replace(claim, ablations=tuple(a for a in claim.ablations if a in ablated))
    return Finding(claim, eff, ablated)


def unavailable(names: Sequence[str]) -> list[str]:
    """The named ablations whose switches this version of the model does not declare."""
    return [n for n in names if not get(n).available]


def reversals(items: Sequence[Finding | Question]) -> list[str]:
    """Plain sentences for each ablation under which a claim not shown by the full model is shown."""
    out = []
    for q in map(as_question, items):
        for f in q.parts:
            if f.verdict == SHOWN:
                continue
            for name, e in f.ablated.items():
                if decide(f.claim, e) == SHOWN:
                    label = ABLATIONS[name].label if name in ABLATIONS else name
                    out.append(
                        f"*{f.claim.statement}* is {f.verdict} in the full model but shown with {label} "
                        f"({e.text()}): that mechanism works against the pattern rather than producing it."
                    )
    return out


def ablation_summary(items: Sequence[Finding | Question]) -> str:
    """One plain sentence: which shown patterns vanish or shrink when a mechanism is switched off.

    Empty when no shown finding carries ablations.
    """
    needs, robust = [], []
    for q in map(as_question, items):
        for f in q.parts:
            if f.verdict != SHOWN or not f.ablated:
                continue
            hit = [n for n, o in f.ablation_outcomes().items() if o in (ABLATION_VANISHES, ABLATION_SHRINKS)]
            (needs if hit else robust).append((f.claim.id, hit))
    if not needs and not robust:
        return ""
    parts = [
        f"{cid} vanishes or shrinks under {' and under '.join(hit)}, so it needs that mechanism" for cid, hit in needs
    ]
    if robust:
        one = len(robust) == 1
        parts.append(
            f"{', '.join(cid for cid, _ in robust)} survive{'s' if one else ''} every ablation run "
            f"({'it rests' if one else 'they rest'} on no single mechanism switched off here)"
        )
    return "Ablations: " + "; ".join(parts) + "."
