"""Hypothesis strategies for valid scenarios, built from the declarations in sim.params."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sim.config import Config
from sim.params import INTERVENTION_FIELDS, INTERVENTION_KINDS, PARAMS, SCHEDULE_FIELDS, SHOCK_FIELDS, Choice, Param

# Integer parameters whose declared maximum is huge are capped so runs stay small and eventful.
_INT_CAP = {"network_degree": 12, "disengage_after": 8}


def value(spec: Param | Choice) -> st.SearchStrategy[Any]:
    """Any value the declaration allows."""
    if isinstance(spec, Choice):
        return st.sampled_from(spec.choices)
    if spec.integer:
        return st.integers(int(spec.low), int(min(spec.high, _INT_CAP.get(spec.name, spec.high))))
    return st.floats(spec.low, spec.high, allow_nan=False, allow_infinity=False)


def event(specs: tuple[Param | Choice, ...], **fixed: Any) -> st.SearchStrategy[dict[str, Any]]:
    """An event table with every field drawn from its declaration, except those given."""
    return st.fixed_dictionaries({s.name: st.just(fixed[s.name]) if s.name in fixed else value(s) for s in specs})


@st.composite
def configs(draw: st.DrawFn, max_agents: int = 25, steps: int = 15) -> Config:
    """A random valid scenario: any parameter values, 1-3 schedule phases, 0-2 shocks, any interventions."""
    agents = draw(st.integers(2, max_agents))
    params = draw(st.fixed_dictionaries({p.name: value(p) for p in PARAMS}))
    starts = [0, *sorted(draw(st.sets(st.integers(1, steps - 1), max_size=2)))]
    schedule = [draw(event(SCHEDULE_FIELDS, start=s)) for s in starts]
    shocks = [draw(event(SHOCK_FIELDS, step=draw(st.integers(0, steps - 1)))) for _ in range(draw(st.integers(0, 2)))]
    interventions = []
    for kind in draw(st.lists(st.sampled_from(INTERVENTION_KINDS), unique=True, max_size=4)):
        start = draw(st.integers(0, steps - 1))
        end = draw(st.integers(start + 1, steps + 5))
        interventions.append(draw(event(INTERVENTION_FIELDS, kind=kind, start=start, end=end)))
    return Config.from_dict(
        {
            "agents": agents,
            "steps": steps,
            "seed": draw(st.integers(0, 2**32)),
            "params": params,
            "schedule": schedule,
            "shocks": shocks,
            "interventions": interventions,
        }
    )
