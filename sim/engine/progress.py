"""Progress of a sweep: runs done, rate and time left (a tqdm bar on stderr, or a callback)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

ProgressCallback = Callable[[int, int], Any]
"""Called as ``callback(runs_done, runs_total)`` after each chunk."""


class Progress:
    """Reports after each finished chunk; ``progress`` is True (bar), False (silent) or a callback."""

    def __init__(self, progress: bool | ProgressCallback, total: int, done: int, desc: str) -> None:
        self.total, self.done = total, done
        self.callback = progress if callable(progress) else None
        self.bar = None
        if progress is True:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: keeps this process single-threaded for fork
            self.bar = tqdm(
                total=total, initial=done, unit="run", desc=desc, file=sys.stderr, dynamic_ncols=True, smoothing=0.1
            )

    def update(self, runs: int) -> None:
        self.done += runs
        if self.bar is not None:
            self.bar.update(runs)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
