"""Learners: Mesa agents that are live views into the batch arrays.

A :class:`Learner` holds no state of its own but its index: reading ``agent.efficacy`` returns the
current value in the model's array core, and assigning to it writes there. So Mesa's ``AgentSet``,
``DataCollector`` and visualisation work on them while the arrays do the stepping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import FixedAgent

from sim.state import ENGAGEMENT_NAMES

if TYPE_CHECKING:
    from sim.model import EfficacyModel

VIEW_FIELDS = (
    "skill",
    "efficacy",
    "strength",
    "arousal",
    "reappraisal",
    "credibility",
    "initial_skill",
    "initial_efficacy",
    "attempts",
    "successes",
    "failures",
    "streak",
    "avoid_streak",
    "dose",
    "difficulty",
    "attempted",
    "success",
    "handed",
    "shocked",
    "effort",
    "d_mastery",
    "d_vicarious",
    "d_persuasion",
    "d_physiological",
    "optimism",
    "good_news",
    "bad_news",
    "self_serving",
    "perceived",
)


def _view(name: str) -> property:
    def get(self: Learner):
        return getattr(self.model.batch.state, name)[0, self.index].item()

    def set_(self: Learner, value) -> None:
        getattr(self.model.batch.state, name)[0, self.index] = value

    return property(get, set_, doc=f"Live value of ``{name}`` in the model's state arrays.")


class Learner(FixedAgent):
    """One learner: a window onto row ``index`` of the model's state arrays.

    Attributes (live): skill, efficacy, strength, arousal, reappraisal, credibility, engagement,
    attempts, successes, failures, streak, and what happened in the last step (difficulty,
    attempted, success, effort, the efficacy change from each of the four sources and the perceived
    outcome); the person-level biases optimism, good_news, bad_news, self_serving. With several
    domains, ``skill``/``efficacy``/``strength`` are the values in the domain of the last step's task;
    ``domain_efficacy``, ``domain_skill``, ``domain_strength`` give every domain and ``self_esteem``
    the global self-esteem.
    """

    model: EfficacyModel

    def __init__(self, model: EfficacyModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    def step(self) -> None:
        """Refused: learners do not step one at a time.

        ``model.agents.shuffle_do("step")`` would otherwise do nothing at all, silently: every learner
        advances together in the model's array core.

        Raises
        ------
        TypeError
            Saying to call ``model.step()`` instead.
        """
        raise TypeError(
            f"Learner {self.index}: learners do not step one at a time (the array core advances all of them "
            "together); call model.step() instead of agent.step() or model.agents.shuffle_do('step')"
        )

    def remove(self) -> None:
        """Refused: the array core steps every learner of the run, so a removed learner would keep acting.

        Raises
        ------
        TypeError
            Saying what to do instead (a smaller population, or a scenario without this learner).
        """
        raise TypeError(
            f"Learner {self.index} cannot be removed: the array core steps every learner of the run, so it "
            "would keep acting and influencing others; build the model with the population you want "
            "(EfficacyModel(agents=N)) instead"
        )

    @property
    def engagement(self) -> str:
        """'engaged', 'avoiding' or 'disengaged'."""
        return ENGAGEMENT_NAMES[int(self.model.batch.state.engagement[0, self.index])]

    @property
    def domain_efficacy(self) -> dict[str, float]:
        """Efficacy in every declared domain, by name (one domain: ``{"general": efficacy}``)."""
        return self._per_domain("efficacy")

    @property
    def domain_skill(self) -> dict[str, float]:
        """Skill in every declared domain, by name."""
        return self._per_domain("skill")

    @property
    def domain_strength(self) -> dict[str, float]:
        """Belief strength in every declared domain, by name."""
        return self._per_domain("strength")

    @property
    def self_esteem(self) -> float | None:
        """Global self-esteem in [0, 1] (tracked only with more than one domain; None otherwise)."""
        dom = self.model.batch.domains
        return None if dom is None else float(dom.self_esteem[0, self.index])

    def _per_domain(self, name: str) -> dict[str, float]:
        dom = self.model.batch.domains
        if dom is None:
            return {self.model.config.domain_names[0]: float(getattr(self.model.batch.state, name)[0, self.index])}
        values = dom.fields[name][0, self.index]
        return {d: float(values[k]) for k, d in enumerate(dom.names)}

    @property
    def observes(self) -> list[int]:
        """Indices of the agents this learner watches (vicarious experience)."""
        return [
            int(j) for j in self.model.batch.neighbours[0, self.index][self.model.batch.neighbour_mask[0, self.index]]
        ]


for _name in VIEW_FIELDS:
    setattr(Learner, _name, _view(_name))
