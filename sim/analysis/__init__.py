"""Shared analysis: how findings are decided, the one effect-size scale, figures and summaries.

Experiment scripts in ``experiments/`` read as design, analysis and findings; every piece they
share lives here once:

- :mod:`~sim.analysis.effects`: the effect-size scale (SD across agents; percentage points for
  shares) and bootstrap intervals over replications;
- :mod:`~sim.analysis.findings`: pre-declared claims and the one verdict rule;
- :mod:`~sim.analysis.ablations`: named mechanism switches for emergent claims;
- :mod:`~sim.analysis.multimodality`: the dip test;
- :mod:`~sim.analysis.figures`, :mod:`~sim.analysis.summary`: captioned figures, stable tables and
  summaries;
- :mod:`~sim.analysis.script`: the experiment scripts' command line and results folders.
"""

from sim.analysis.effects import PP, SD, Effect, bootstrap_ci, d_z, effect, fmt, mean_ci, paired_effects, pooled_sd
from sim.analysis.figures import Figure, save_figure, style
from sim.analysis.findings import (
    INCONCLUSIVE,
    NEGLIGIBLE,
    OPPOSITE,
    SHOWN,
    Claim,
    Finding,
    Question,
    combine,
    decide,
    findings_frame,
    findings_markdown,
)
from sim.analysis.summary import PlainSummary, write_findings, write_summary, write_table

__all__ = [
    "PP",
    "SD",
    "Effect",
    "bootstrap_ci",
    "d_z",
    "effect",
    "fmt",
    "mean_ci",
    "paired_effects",
    "pooled_sd",
    "Figure",
    "save_figure",
    "style",
    "INCONCLUSIVE",
    "NEGLIGIBLE",
    "OPPOSITE",
    "SHOWN",
    "Claim",
    "Finding",
    "Question",
    "combine",
    "decide",
    "findings_frame",
    "findings_markdown",
    "PlainSummary",
    "write_findings",
    "write_summary",
    "write_table",
]
