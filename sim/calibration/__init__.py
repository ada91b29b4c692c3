"""Calibration: fit the model's free mechanism parameters to published patterns or to a researcher's panel.

The data side lives here: the study design to simulate (:mod:`.design`), the learner x wave panel
format and its checks (:mod:`.panel`), the summary statistics computed the same way from observed
and simulated panels (:mod:`.summaries`) and the targets file (:mod:`.targets`). Submodules are
imported on use, so ``import sim.calibration`` stays light.
"""

from __future__ import annotations

__all__ = ["design", "panel", "summaries", "targets"]
