"""The model's mechanisms: pure functions of NumPy arrays, one mechanism per module.

Every function broadcasts, so the same code serves a (runs, agents) batch, a single run and a
single agent (scalars). Parameters arrive as arrays shaped (runs, 1) or as floats.
"""

from sim.mechanisms import (
    appraisal,
    choice,
    effort,
    error_learning,
    expectations,
    mastery,
    modelling,
    observational,
    performance,
    persuasion,
    physiological,
    praise_focus,
    schedules,
    skill,
    vicarious,
)

__all__ = [
    "appraisal",
    "choice",
    "effort",
    "error_learning",
    "expectations",
    "mastery",
    "modelling",
    "observational",
    "performance",
    "persuasion",
    "physiological",
    "praise_focus",
    "schedules",
    "skill",
    "vicarious",
]
