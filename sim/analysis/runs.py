"""Per-run summaries of an engine result that several experiments share."""

from __future__ import annotations

from typing import Any

import pandas as pd


def learning_by_run(res: Any) -> pd.DataFrame:
    """Per run (index ``run``): mean skill gain of its learners and the success rate of their attempts.

    ``res`` is an engine result with a final ``agents`` table (``skill``, ``initial_skill``,
    ``attempts``, ``successes``); a run without attempts has a NaN success rate.
    """
    a = res.agents.assign(gain=res.agents["skill"] - res.agents["initial_skill"])
    g = a.groupby("run").agg(skill_gain=("gain", "mean"), attempts=("attempts", "sum"), successes=("successes", "sum"))
    g["success_rate"] = g["successes"] / g["attempts"].where(g["attempts"] > 0)
    return g.drop(columns=["attempts", "successes"])
