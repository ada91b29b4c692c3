"""Comparing intervention strategies against a control on common random numbers.

Used by ``efficacy-sim compare`` (:mod:`sim.commands.compare`), ``experiments/interventions.py``
and the dashboard. The package reads as an experiment does:

- :mod:`~sim.comparison.design`: what runs (test base, strategies, timing variants, ablations);
- :mod:`~sim.comparison.analysis`: per-agent outcomes and paired effects on the project's one scale
  (SD across learners; percentage points for shares; :mod:`sim.analysis.effects`);
- :mod:`~sim.comparison.report`: Markdown tables; :mod:`~sim.comparison.plots`: figures (no backend
  switching); :mod:`~sim.comparison.files`: writing tables and captioned figures.

Outcomes (one value per agent, averaged per run; paired differences over replicates): efficacy gain,
calibration (efficacy - skill), overconfident share and skill at the test step (after every strategy
ended), the efficacy drop in the later test, disengagement at the end, final efficacy/skill/calibration;
earned and handed successes per agent; cost in intervention-steps per agent.
"""

from sim.comparison.analysis import (
    OUTCOMES,
    PROFILE_BELIEF,
    PROFILE_SKILL,
    PROFILE_SMALL,
    SCALE_OF,
    TERCILE_OUTCOMES,
    TERCILES,
    Comparison,
    agent_outcomes,
    analyse,
    contrast_effect,
    gap_effect,
    handed_per_run,
    outcome_effects,
    profile,
    run_means,
    schedule_cost,
    successes_table,
    unit,
    wide_table,
)
from sim.comparison.design import (
    Design,
    ablated_label,
    default_variants,
    experiment,
    make_design,
    run_comparison,
    variant_label,
)
from sim.comparison.files import single_and_combined, write_figures, write_outputs, write_tables
from sim.comparison.plots import (
    FOREST_OUTCOMES,
    OVERVIEW_OUTCOMES,
    forest_plot,
    overview_plot,
    tercile_plot,
    trajectory_plot,
)
from sim.comparison.report import (
    TABLE_NOTE,
    TABLE_OUTCOMES,
    ci_text,
    csv_table,
    markdown_table,
    outcome_legend,
    tercile_markdown,
    timing_markdown,
)

__all__ = [
    "OUTCOMES",
    "PROFILE_BELIEF",
    "PROFILE_SKILL",
    "PROFILE_SMALL",
    "SCALE_OF",
    "TERCILE_OUTCOMES",
    "TERCILES",
    "Comparison",
    "agent_outcomes",
    "analyse",
    "contrast_effect",
    "gap_effect",
    "handed_per_run",
    "outcome_effects",
    "profile",
    "run_means",
    "schedule_cost",
    "successes_table",
    "unit",
    "wide_table",
    "Design",
    "ablated_label",
    "default_variants",
    "experiment",
    "make_design",
    "run_comparison",
    "variant_label",
    "single_and_combined",
    "write_figures",
    "write_outputs",
    "write_tables",
    "FOREST_OUTCOMES",
    "OVERVIEW_OUTCOMES",
    "forest_plot",
    "overview_plot",
    "tercile_plot",
    "trajectory_plot",
    "TABLE_NOTE",
    "TABLE_OUTCOMES",
    "ci_text",
    "csv_table",
    "markdown_table",
    "outcome_legend",
    "tercile_markdown",
    "timing_markdown",
]
