"""The model's mechanisms: pure functions, one mechanism per module.

Each rule comes in two forms with the same operations in the same order (``tests/test_kernel.py``
checks they agree to within 2 units in the last place: the compiled form computes ``exp`` with the
step's inlined copy of the C library's algorithm, :mod:`sim.mechanisms._exp`, the array form with NumPy's):

- vectorised NumPy functions, which broadcast, so the same code serves a (runs, agents) batch, a
  single run and a single agent; parameters arrive as arrays shaped (runs, 1) or as floats (the
  measures, the dashboard and the analysis call these);
- ``*_one``: the rule for one agent, compiled with numba (:func:`sim.mechanisms._common.per_agent`)
  and composed by the fused step, :func:`sim.kernel.step_kernel`.
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
