"""Figures for readers: one saving routine, greyscale-safe styles, captions that state the takeaway.

Library code never switches the matplotlib backend: scripts run headless because matplotlib
falls back to a non-GUI backend without a display, and ``MPLBACKEND`` is the user's to set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl

# colour + line style + marker, distinct in greyscale and for colour-blind readers (Okabe-Ito palette)
PALETTE = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def style(i: int) -> dict[str, Any]:
    """Line style ``i`` (colour, dash pattern, marker), cycling; distinct when printed in grey."""
    return dict(color=PALETTE[i % len(PALETTE)], ls=LINESTYLES[i % len(LINESTYLES)], marker=MARKERS[i % len(MARKERS)])


RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "efficacy-sim",
}


@dataclass(frozen=True)
class Figure:
    """A saved figure: its PNG path and a caption that states what it shows and its takeaway."""

    png: Path
    caption: str

    @property
    def svg(self) -> Path:
        return self.png.with_suffix(".svg")


def save_figure(fig: Any, out: Path, stem: str, caption: str) -> Figure:
    """Write ``stem.png`` (dpi 120) and ``stem.svg`` into ``out``, close the figure, return it with its caption.

    Both files are byte-stable across re-runs (fixed SVG hash salt, no dates), so a diff of results/
    shows only figures that changed.
    """
    import matplotlib.pyplot as plt

    if not caption or not caption.strip():
        raise ValueError(f"figure {stem!r}: a caption stating its takeaway is required")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    png = out / f"{stem}.png"
    with mpl.rc_context({"svg.hashsalt": "efficacy-sim"}):
        fig.savefig(png, dpi=120, bbox_inches="tight", metadata={"Software": None})
        fig.savefig(png.with_suffix(".svg"), bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return Figure(png, caption.strip())
