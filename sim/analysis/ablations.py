"""Named ablations: the same experiment with one mechanism switched off.

Each ablation sets declared switches (``use_*`` parameters in :mod:`sim.params`, group "switches").
An emergent claim names the ablations that should make it vanish or shrink if it rests on the
mechanisms it says it rests on; :mod:`sim.analysis.findings` reports the result beside the claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import PARAM_BY_NAME


@dataclass(frozen=True)
class Ablation:
    """An ablation: a plain label and the switches it sets to 0."""

    name: str
    label: str
    switches: tuple[str, ...]

    @property
    def overrides(self) -> dict[str, int]:
        """Parameter overrides that switch the mechanism(s) off."""
        return {s: 0 for s in self.switches}

    @property
    def available(self) -> bool:
        """True when every switch is declared by this version of the model."""
        return all(s in PARAM_BY_NAME for s in self.switches)


_ALL = (
    Ablation("no_strength", "no growth of belief strength (every outcome weighs the same)", ("use_strength",)),
    Ablation("no_avoidance", "no avoidance (everyone attempts every task)", ("use_avoidance",)),
    Ablation("no_mastery", "no learning from one's own outcomes", ("use_mastery",)),
    Ablation("no_physiological", "arousal not read as evidence", ("use_physiological",)),
    Ablation("no_vicarious", "no learning from watching others", ("use_vicarious",)),
    Ablation("no_persuasion", "no persuasion (no one tells the learner anything)", ("use_persuasion",)),
    Ablation("no_social", "no social input (neither watching nor persuasion)", ("use_vicarious", "use_persuasion")),
    Ablation("no_error_learning", "skill gain not tied to what an attempt teaches", ("use_error_learning",)),
    Ablation("no_expectations", "persuaders' messages not tied to their expectations", ("use_expectations",)),
    Ablation("no_observational_learning", "watching teaches no skill", ("use_observational_learning",)),
    Ablation(
        "no_praise_focus", "praise never changes how a later failure is read (ability or effort)", ("use_praise_focus",)
    ),
    Ablation(
        "no_transfer", "belief and skill stay in their domain (no generality, no skill transfer)", ("use_transfer",)
    ),
    Ablation("no_self_esteem", "self-esteem stays at its starting level", ("use_self_esteem",)),
)
ABLATIONS: dict[str, Ablation] = {a.name: a for a in _ALL}


def get(name: str) -> Ablation:
    """The ablation called ``name``, or a ValueError listing the known ones."""
    try:
        return ABLATIONS[name]
    except KeyError:
        raise ValueError(f"ablation = {name!r} is not known: expected one of {', '.join(ABLATIONS)}") from None


def conditions(names: tuple[str, ...] | list[str]) -> dict[str, dict[str, int]]:
    """Engine conditions ``{name: overrides}`` for the named ablations this model declares switches for."""
    return {n: get(n).overrides for n in names if get(n).available}
