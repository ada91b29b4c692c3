"""Matplotlib views of a :class:`~dashboards.simulation.Runs`, rendered to PNG bytes fast.

A full matplotlib draw (axes, ticks, text) costs 50-200 ms on a small machine, too slow to redraw
five charts every step. So each chart is long-lived: its static part (axes, labels, legend,
network edges) is drawn once into an Agg background, and each frame only restores that background
and draws the moving artists onto it (blitting), then encodes the pixels with Pillow. The static
part is rebuilt only when its :meth:`Chart.static_key` changes (a new run, a new agent picked)
and redrawn, without rebuilding, when an axis range is outgrown (:meth:`Chart.limits`). Figures use the object-oriented API, so sessions never share state.
"""

from __future__ import annotations

import io
import threading

import numpy as np
from matplotlib import cm, colors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from PIL import Image

from dashboards.simulation import Runs
from sim.params import LEVEL_MAX

DPI = 80
RUN_COLOURS = ("#1f77b4", "#d62728")
SOURCE_COLOURS = {
    "d_mastery": "#2ca02c",
    "d_vicarious": "#1f77b4",
    "d_persuasion": "#ff7f0e",
    "d_physiological": "#9467bd",
}


def _grow(limit: float, needed: float, floor: float) -> float:
    """An axis limit that only grows, in doublings, so the background is rarely redrawn."""
    limit = max(limit, floor)
    while needed > limit:
        limit *= 2
    return limit


class Chart:
    """A figure with a cached static background and animated artists drawn each frame."""

    size: tuple[float, float] = (4.6, 3.6)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._key: object = None
        self._bg = None
        self.fig = Figure(figsize=self.size, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.dynamic: list = []
        self._runs_id: object = 0
        self._limits: object = None

    # subclasses -----------------------------------------------------------------------------
    def static_key(self, runs: Runs) -> object:
        """Anything that, when it changes, needs the static part rebuilt."""
        return id(runs)

    def build(self, runs: Runs) -> None:
        """Create axes, static artists and the (animated) dynamic artists."""
        raise NotImplementedError

    def limits(self, runs: Runs) -> object:
        """Axis limits that may grow during a run; when they change the background is redrawn."""
        return None

    def set_limits(self, limits: object) -> None:
        """Apply what :meth:`limits` returned to the axes."""

    def update(self, runs: Runs) -> None:
        """Move the dynamic artists to the current state."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------
    def _animated(self, artist):
        artist.set_animated(True)
        self.dynamic.append(artist)
        return artist

    def render(self, runs: Runs) -> bytes:
        """PNG of the chart for the current state of ``runs``."""
        with self.lock, runs.lock:
            key = self.static_key(runs)
            if key != self._key:
                self.fig.clear()
                self.dynamic = []
                self.build(runs)
                self._key = key
                self._limits = None
                self._bg = None
            limits = self.limits(runs)
            if limits != self._limits:
                self.set_limits(limits)  # a full draw (~50-150 ms) but no rebuild, so rare spikes stay small
                self._limits = limits
                self._bg = None
            self.update(runs)
            if self._bg is None:
                self.canvas.draw()  # animated artists are left out of a full draw
                self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
            else:
                self.canvas.restore_region(self._bg)
            for artist in self.dynamic:
                if artist.get_visible():
                    self.fig.draw_artist(artist)
            pixels = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(pixels[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def _band_xy(t: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    return np.concatenate([np.c_[t, mean + sd], np.c_[t[::-1], (mean - sd)[::-1]]])


class TimeSeries(Chart):
    """Mean efficacy, skill and arousal with +-1 SD bands; success rate and disengagement."""

    size = (6.4, 5.6)

    def static_key(self, runs: Runs) -> object:
        return (runs.steps, tuple(runs.labels))

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.08, hspace=0.45)
        self.axes = self.fig.subplots(3, 1, sharex=True, height_ratios=(1.3, 1, 1))
        ax1, ax2, ax3 = self.axes
        multi = len(runs.labels) > 1
        self.artists = []
        handles1, handles3 = [], []
        for r, label in enumerate(runs.labels):
            c = RUN_COLOURS[r]
            ce, cs, ca, cd = (c, c, c, c) if multi else ("#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f")
            tag = f" ({label})" if multi else ""
            a = {
                "efficacy": self._animated(Line2D([], [], color=ce, lw=1.8)),
                "skill": self._animated(Line2D([], [], color=cs, lw=1.8, ls="--")),
                "arousal": self._animated(Line2D([], [], color=ca, lw=1.8)),
                "success": self._animated(Line2D([], [], color=c, lw=1.6)),
                "disengaged": self._animated(Line2D([], [], color=cd, lw=1.6, ls=":")),
                "band_e": self._animated(Polygon(np.zeros((1, 2)), color=ce, alpha=0.18, lw=0)),
                "band_s": self._animated(Polygon(np.zeros((1, 2)), color=cs, alpha=0.18, lw=0)),
                "band_a": self._animated(Polygon(np.zeros((1, 2)), color=ca, alpha=0.18, lw=0)),
            }
            for name, ax in (("efficacy", ax1), ("skill", ax1), ("band_e", ax1), ("band_s", ax1)):
                ax.add_artist(a[name]) if name.startswith("band") else ax.add_line(a[name])
            ax2.add_line(a["arousal"])
            ax2.add_artist(a["band_a"])
            ax3.add_line(a["success"])
            ax3.add_line(a["disengaged"])
            self.artists.append(a)
            handles1 += [
                Line2D([], [], color=ce, lw=1.8, label="efficacy" + tag),
                Line2D([], [], color=cs, lw=1.8, ls="--", label="skill" + tag),
            ]
            handles3 += [
                Line2D([], [], color=c, lw=1.6, label="success rate" + tag),
                Line2D([], [], color=cd, lw=1.6, ls=":", label="disengaged" + tag),
            ]
        ax1.set_ylim(0, LEVEL_MAX)
        ax1.set_ylabel("level (0-10)")
        ax1.set_title("Mean efficacy and skill (band: ±1 SD across agents)", fontsize=10)
        ax1.legend(handles=handles1, fontsize=8, loc="upper left", ncol=2)
        ax2.set_ylim(0, 1)
        ax2.set_ylabel("arousal (0-1)")
        ax2.set_title("Mean arousal (band: ±1 SD)", fontsize=10)
        ax3.set_ylim(-0.02, 1.02)
        ax3.set_ylabel("share")
        ax3.set_xlabel("step")
        ax3.set_title("Success rate of attempts; share of agents disengaged", fontsize=10)
        ax3.legend(handles=handles3, fontsize=8, loc="upper left", ncol=2)
        ax3.set_xlim(0, max(runs.steps, 1))

    def update(self, runs: Runs) -> None:
        t = np.arange(len(runs.history), dtype=float)
        s = {k: runs.series(k) for k in runs.history[0]}
        for r, a in enumerate(self.artists):
            a["efficacy"].set_data(t, s["efficacy_mean"][:, r])
            a["skill"].set_data(t, s["skill_mean"][:, r])
            a["arousal"].set_data(t, s["arousal_mean"][:, r])
            a["success"].set_data(t, s["success_rate"][:, r])
            a["disengaged"].set_data(t, s["disengaged_share"][:, r])
            a["band_e"].set_xy(_band_xy(t, s["efficacy_mean"][:, r], s["efficacy_sd"][:, r]))
            a["band_s"].set_xy(_band_xy(t, s["skill_mean"][:, r], s["skill_sd"][:, r]))
            a["band_a"].set_xy(_band_xy(t, s["arousal_mean"][:, r], s["arousal_sd"][:, r]))


class Calibration(Chart):
    """Skill vs efficacy of every agent (run 0), coloured by arousal, with the calibration diagonal."""

    size = (4.6, 4.0)

    def static_key(self, runs: Runs) -> object:
        return "calibration"

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.14, right=0.98, top=0.92, bottom=0.12)
        ax = self.fig.subplots()
        ax.plot([0, LEVEL_MAX], [0, LEVEL_MAX], color="k", lw=1, ls="--", label="calibrated: efficacy = skill")
        norm = colors.Normalize(0, 1)
        self.sc = self._animated(ax.scatter([], [], c=[], cmap="plasma", norm=norm, s=8, lw=0))
        self.fig.colorbar(cm.ScalarMappable(norm=norm, cmap="plasma"), ax=ax, label="arousal (0-1)")
        ax.set_xlim(0, LEVEL_MAX)
        ax.set_ylim(0, LEVEL_MAX)
        ax.set_xlabel("skill (what the agent can do)")
        ax.set_ylabel("efficacy (what it believes it can do)")
        ax.set_title("Above the line: overconfident; below: underconfident", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")

    def update(self, runs: Runs) -> None:
        st = runs.batch.state
        self.sc.set_offsets(np.c_[st.skill[0], st.efficacy[0]])
        self.sc.set_array(st.arousal[0])


class Histogram(Chart):
    """Efficacy distribution now (filled, per run) and at step 0 (outline)."""

    size = (4.6, 3.4)
    BINS = np.linspace(0, LEVEL_MAX, 41)

    def __init__(self) -> None:
        super().__init__()
        self.ylim = 0.0

    def _counts(self, runs: Runs) -> list[np.ndarray]:
        return [np.histogram(runs.batch.state.efficacy[r], bins=self.BINS)[0] for r in range(len(runs.labels))]

    def static_key(self, runs: Runs) -> object:
        return tuple(runs.labels)

    def limits(self, runs: Runs) -> object:
        top = max(c.max() for c in self._counts(runs)) * 1.05
        if self._runs_id != id(runs):  # a new run starts from its own axis range
            self._runs_id = id(runs)
            self.ylim = 0.0
        self.ylim = _grow(
            self.ylim, top, max(np.histogram(runs.initial_efficacy[0], bins=self.BINS)[0].max() * 1.15, 5)
        )
        return self.ylim

    def set_limits(self, limits: object) -> None:
        self.ax.set_ylim(0, limits)

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.14, right=0.97, top=0.91, bottom=0.15)
        ax = self.ax = self.fig.subplots()
        multi = len(runs.labels) > 1
        self.bars = [
            self._animated(
                ax.stairs(
                    np.zeros(len(self.BINS) - 1),
                    self.BINS,
                    fill=True,
                    color=RUN_COLOURS[r],
                    alpha=0.5 if multi else 0.8,
                    label=label,
                )
            )
            for r, label in enumerate(runs.labels)
        ]
        self.start = self._animated(
            ax.stairs(np.zeros(len(self.BINS) - 1), self.BINS, color="k", lw=1.2, label="step 0")
        )
        ax.set_xlim(0, LEVEL_MAX)
        ax.set_xlabel("efficacy (levels)")
        ax.set_ylabel("agents")
        ax.set_title("Efficacy distribution (two humps: the population has split)", fontsize=9)
        ax.legend(fontsize=8, loc="upper right")

    def update(self, runs: Runs) -> None:
        for bar, counts in zip(self.bars, self._counts(runs), strict=True):
            bar.set_data(counts)
        self.start.set_data(np.histogram(runs.initial_efficacy[0], bins=self.BINS)[0])


class Network(Chart):
    """Who observes whom (fixed circular layout), nodes coloured by efficacy; red ring: picked agent."""

    size = (4.6, 4.2)

    def static_key(self, runs: Runs) -> object:
        c = runs.configs[0]
        return (c.agents, c.seed, c.params["network_degree"], c.params["network_rewire"])

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.02, right=0.9, top=0.93, bottom=0.02)
        pos, segments = runs.network()
        ax = self.fig.subplots()
        ax.add_collection(LineCollection(segments, colors="#999999", linewidths=0.3, alpha=0.35))
        norm = colors.Normalize(0, LEVEL_MAX)
        self.sc = self._animated(
            ax.scatter(pos[:, 0], pos[:, 1], c=np.zeros(len(pos)), cmap="viridis", norm=norm, s=10, lw=0, zorder=2)
        )
        self.ring = self._animated(ax.scatter([0], [0], s=140, facecolors="none", edgecolors="red", lw=1.8, zorder=3))
        self.fig.colorbar(cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, label="efficacy", shrink=0.8)
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title("Who watches whom (lines); colour: efficacy", fontsize=9)

    def update(self, runs: Runs) -> None:
        pos, _ = runs.network()
        self.sc.set_array(runs.batch.state.efficacy[0])
        self.ring.set_offsets(pos[runs.story.agent : runs.story.agent + 1])


class Story(Chart):
    """The picked agent's tasks and outcomes, and its efficacy change by source, per step."""

    size = (6.4, 4.6)

    def __init__(self) -> None:
        super().__init__()
        self.ylim = 0.0

    def static_key(self, runs: Runs) -> object:
        return (runs.story.agent, runs.steps)

    def limits(self, runs: Runs) -> object:
        s = runs.story
        deltas = np.array([[r[k] for k in SOURCE_COLOURS] for r in s.rows])
        need = max(np.maximum(deltas, 0).sum(axis=1).max(), -np.minimum(deltas, 0).sum(axis=1).min()) * 1.1
        if self._runs_id != (id(runs), s.agent):
            self._runs_id = (id(runs), s.agent)
            self.ylim = 0.0
        self.ylim = _grow(self.ylim, need, 0.05)
        return self.ylim

    def set_limits(self, limits: object) -> None:
        self.ax2.set_ylim(-limits, limits)

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.12, right=0.97, top=0.93, bottom=0.1, hspace=0.35)
        ax1, ax2 = self.fig.subplots(2, 1, sharex=True)
        self.ax2 = ax2
        self.eff = self._animated(ax1.add_line(Line2D([], [], color="#1f77b4", lw=1.8, label="efficacy")))
        self.skill = self._animated(ax1.add_line(Line2D([], [], color="#2ca02c", lw=1.8, ls="--", label="skill")))
        self.marks = {
            "success": self._animated(
                ax1.scatter([], [], marker="o", color="#2ca02c", s=22, zorder=3, label="task: success")
            ),
            "failure": self._animated(
                ax1.scatter([], [], marker="x", color="#d62728", s=22, zorder=3, label="task: failure")
            ),
            "avoided": self._animated(
                ax1.scatter(
                    [], [], marker="o", facecolors="none", edgecolors="#7f7f7f", s=22, zorder=3, label="task: avoided"
                )
            ),
            "shock": self._animated(ax1.scatter([], [], marker="*", color="k", s=70, zorder=4, label="shock")),
        }
        ax1.set_ylim(0, LEVEL_MAX)
        ax1.set_ylabel("level")
        ax1.set_title(f"Agent {runs.story.agent}: the tasks it faced and how they went", fontsize=10)
        ax1.legend(fontsize=7, loc="upper left", ncol=3)
        edges = np.arange(runs.steps + 2) - 0.5
        zero = np.zeros(runs.steps + 1)
        self.stacks = {}
        for name, colour in SOURCE_COLOURS.items():
            self.stacks[name] = (
                self._animated(ax2.stairs(zero, edges, baseline=zero, fill=True, color=colour, label=name[2:])),
                self._animated(ax2.stairs(zero, edges, baseline=zero, fill=True, color=colour)),
            )
        ax2.axhline(0, color="k", lw=0.6)
        ax2.set_ylabel("efficacy change")
        ax2.set_xlabel("step")
        ax2.set_title("Efficacy change each step, by source", fontsize=10)
        ax2.legend(
            handles=[Patch(color=c, label=n[2:]) for n, c in SOURCE_COLOURS.items()],
            fontsize=7,
            loc="upper left",
            ncol=4,
        )
        ax2.set_xlim(-0.5, runs.steps + 0.5)

    def update(self, runs: Runs) -> None:
        s = runs.story
        t = s.column("t")
        self.eff.set_data(t, s.column("efficacy"))
        self.skill.set_data(t, s.column("skill"))
        d = s.column("difficulty")
        att, suc, shock = s.column("attempted") > 0, s.column("success") > 0, s.column("shocked") > 0
        faced = ~np.isnan(d)
        for name, sel in (
            ("success", faced & att & suc),
            ("failure", faced & att & ~suc & ~shock),
            ("avoided", faced & ~att),
            ("shock", shock),
        ):
            self.marks[name].set_offsets(np.c_[t[sel], d[sel]] if sel.any() else np.empty((0, 2)))
        n = runs.steps + 1
        pos_base, neg_base = np.zeros(n), np.zeros(n)
        for name, (up, down) in self.stacks.items():
            v = np.zeros(n)
            col = s.column(name)
            v[: len(col)] = col[:n]
            up.set_data(pos_base + np.maximum(v, 0), baseline=pos_base.copy())
            down.set_data(neg_base + np.minimum(v, 0), baseline=neg_base.copy())
            pos_base += np.maximum(v, 0)
            neg_base += np.minimum(v, 0)


class Difference(Chart):
    """Treatment minus control over time, for mean efficacy and mean skill."""

    size = (4.6, 3.4)

    def __init__(self) -> None:
        super().__init__()
        self.ylim = 0.0

    def static_key(self, runs: Runs) -> object:
        return (tuple(runs.labels), runs.steps)

    def limits(self, runs: Runs) -> object:
        e, s = runs.series("efficacy_mean"), runs.series("skill_mean")
        need = max(np.abs(e[:, 1] - e[:, 0]).max(), np.abs(s[:, 1] - s[:, 0]).max()) * 1.1
        if self._runs_id != id(runs):
            self._runs_id = id(runs)
            self.ylim = 0.0
        self.ylim = _grow(self.ylim, need, 0.25)
        return self.ylim

    def set_limits(self, limits: object) -> None:
        self.ax.set_ylim(-limits, limits)

    def build(self, runs: Runs) -> None:
        self.fig.subplots_adjust(left=0.16, right=0.97, top=0.91, bottom=0.15)
        ax = self.ax = self.fig.subplots()
        self.lines = {
            "efficacy_mean": self._animated(
                ax.add_line(Line2D([], [], color="#1f77b4", lw=1.8, label="mean efficacy"))
            ),
            "skill_mean": self._animated(
                ax.add_line(Line2D([], [], color="#2ca02c", lw=1.8, ls="--", label="mean skill"))
            ),
        }
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlim(0, max(runs.steps, 1))
        ax.set_xlabel("step")
        ax.set_ylabel("levels")
        ax.set_title(f"{runs.labels[1]} minus {runs.labels[0]} (same random numbers)", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")

    def update(self, runs: Runs) -> None:
        t = np.arange(len(runs.history), dtype=float)
        for name, line in self.lines.items():
            s = runs.series(name)
            line.set_data(t, s[:, 1] - s[:, 0])
