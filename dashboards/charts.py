"""The dashboard's charts: Vega-Lite specs (built with Altair) and the rows each playback frame shows.

A spec is built once per scenario (axes, colours, event markers); every frame only supplies rows for the
spec's named datasets (:func:`frame_rows`), which the browser swaps in place (:mod:`dashboards.vega`).
Titles say what is shown, never what to conclude.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import altair as alt
import numpy as np

from dashboards.simulation import Recording
from dashboards.vega import spec_of
from sim.params import LEVEL_MAX

EFFICACY, SKILL, AROUSAL = "#1f5fbf", "#d9730d", "#7b4fa0"
SOURCES = {
    "d_mastery": ("own results (mastery)", "#2e7d32"),
    "d_vicarious": ("watching others (vicarious)", "#1565c0"),
    "d_persuasion": ("being told (persuasion)", "#c77c02"),
    "d_physiological": ("feeling tense (physiological)", "#b71c1c"),
}
NETWORK_WINDOW = 240
"""Learners drawn in the network view: the followed learner's ring neighbourhood (readable at any size)."""
SCATTER_MAX = 2000
"""Learners drawn in the scatter: a fixed sample above this (the followed learner always included)."""
HEIGHT = 230
STORY_WIDTH = 380
CONFIG = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
    "title": {"fontSize": 13, "anchor": "start", "frame": "group"},
    "view": {"stroke": None},
}


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    d = spec_of(chart.properties(width="container"))
    d["config"] = CONFIG
    d["autosize"] = {"type": "fit-x", "contains": "padding"}
    return d


def events(rec: Recording) -> list[dict[str, Any]]:
    """Shocks (a step) and intervention windows (a span) of run 0, for markers on the time charts."""
    cfg = rec.configs[-1]  # the treated run of a pair carries the intervention
    out = [{"start": s["step"], "end": s["step"], "what": f"shock at step {s['step']}"} for s in cfg.shocks]
    for iv in cfg.interventions:
        end = min(iv["end"], cfg.steps)
        out.append(
            {"start": iv["start"], "end": end, "what": f"{iv['kind'].replace('_', ' ')}: steps {iv['start']}-{end}"}
        )
    for ph in cfg.schedule[1:]:
        out.append(
            {"start": ph["start"], "end": ph["start"], "what": f"difficulty becomes {ph['kind']} at step {ph['start']}"}
        )
    return out


def _event_layers(steps: int) -> list[alt.Chart]:
    ev = alt.Chart(alt.Data(name="events"))
    span = ev.mark_rect(opacity=0.12, color="#555").encode(
        x=alt.X("start:Q", scale=alt.Scale(domain=[0, steps])),
        x2="end:Q",
        tooltip=[alt.Tooltip("what:N", title="event")],
    )
    rule = ev.mark_rule(color="#b71c1c", strokeDash=[4, 3], strokeWidth=1.5).encode(
        x="start:Q", tooltip=[alt.Tooltip("what:N", title="event")]
    )
    return [span, rule]


NOW = alt.param(name="now", value=0)
"""The step shown: a Vega-Lite param the page sets each frame (rows after it are filtered out in the browser)."""
UPTO_NOW = "datum.step <= now"


class Measure(NamedTuple):
    """A population line on the time chart: mean (and SD band) of ``series[key + "_mean"]`` / ``_sd``."""

    key: str
    label: str
    colour: str
    dash: tuple[int, ...]
    scale: float = 1.0  # drawn as value x scale on the chart's 0-10 axis


MEASURES = (
    Measure("efficacy", "self-belief (efficacy)", EFFICACY, (1, 0)),
    Measure("skill", "skill", SKILL, (6, 3)),
)
"""Lines every run has: self-belief solid, skill dashed (distinct colour and line style)."""
OPTIONAL_MEASURES = (Measure("self_esteem", "self-esteem (0-1, drawn x10)", "#00897b", (2, 2), 10.0),)
"""Lines drawn only when the recording's series has them (``<key>_mean``): a run with a self-esteem state."""
DOMAIN_DASHES = ((1, 0), (4, 2), (1, 2), (8, 2, 2, 2))


def time_measures(rec: Recording) -> tuple[Measure, ...]:
    """The time chart's lines for ``rec``: :data:`MEASURES`, then every optional or per-domain line it records.

    A multi-domain run adds one self-belief line per domain from series named ``efficacy_mean@<domain>``
    (with ``efficacy_sd@<domain>``), in the efficacy colour with a dash of its own.
    """
    out = [*MEASURES, *(m for m in OPTIONAL_MEASURES if f"{m.key}_mean" in rec.series)]
    domains = [k.split("@", 1)[1] for k in rec.series if k.startswith("efficacy_mean@")]  # declared order
    for i, d in enumerate(domains):
        out.append(Measure(f"efficacy@{d}", f"self-belief: {d}", EFFICACY, DOMAIN_DASHES[i % len(DOMAIN_DASHES)]))
    return tuple(out)


def _series(rec: Recording, key: str, stat: str) -> np.ndarray:
    base, _, domain = key.partition("@")
    name = f"{base}_{stat}" + (f"@{domain}" if domain else "")
    return rec.series[name] if name in rec.series else np.full_like(rec.series[f"{base}_mean"], np.nan)


def time_spec(steps: int, measures: tuple[Measure, ...] = MEASURES) -> dict[str, Any]:
    """Mean self-belief and skill over time with ±1 SD bands; shocks and intervention windows marked."""
    base = alt.Chart(alt.Data(name="series")).transform_filter(UPTO_NOW)
    names = [m.label for m in measures]
    colour = alt.Color("measure:N", scale=alt.Scale(domain=names, range=[m.colour for m in measures]), title=None)
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, steps]), title="step")
    band = base.mark_area(opacity=0.15).encode(x=x, y=alt.Y("lo:Q", title="level (0-10)"), y2="hi:Q", color=colour)
    line = base.mark_line(strokeWidth=2.2).encode(
        x=x,
        y="mean:Q",
        color=colour,
        strokeDash=alt.StrokeDash(
            "measure:N", scale=alt.Scale(domain=names, range=[list(m.dash) for m in measures]), legend=None
        ),
        detail="run:N",
    )
    pts = base.mark_point(size=16, filled=True, opacity=0.9).encode(
        x=x,
        y="mean:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("run:N"),
            alt.Tooltip("step:Q"),
            alt.Tooltip("measure:N"),
            alt.Tooltip("mean:Q", format=".2f", title="mean"),
            alt.Tooltip("sd:Q", format=".2f", title="SD across learners"),
        ],
    )
    layers = [*_event_layers(steps), band, line, pts]
    title = "Mean self-belief and skill (bands: ±1 SD across learners)"
    return _finish(alt.layer(*layers).add_params(NOW).properties(height=HEIGHT, title=title))


def outcomes_spec(steps: int) -> dict[str, Any]:
    """Earned and handed successes per attempt, and shares avoiding or disengaged, over time."""
    names = ["earned successes", "handed successes", "avoiding the task", "gave up (disengaged)"]
    base = alt.Chart(alt.Data(name="outcomes")).transform_filter(UPTO_NOW)
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, steps]), title="step")
    enc = dict(
        x=x,
        y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), title="share"),
        color=alt.Color(
            "measure:N", scale=alt.Scale(domain=names, range=["#2e7d32", "#c62828", "#8d6e63", "#424242"]), title=None
        ),
        strokeDash=alt.StrokeDash(
            "measure:N", scale=alt.Scale(domain=names, range=[[1, 0], [2, 2], [6, 3], [1, 0]]), title=None
        ),
        detail="run:N",
    )
    line = base.mark_line(strokeWidth=2).encode(**enc)
    pts = base.mark_point(size=14, filled=True, opacity=0.9).encode(
        x=x,
        y="value:Q",
        color=enc["color"],
        tooltip=[
            alt.Tooltip("run:N"),
            alt.Tooltip("step:Q"),
            alt.Tooltip("measure:N"),
            alt.Tooltip("value:Q", format=".3f"),
        ],
    )
    title = ["Successes per attempt, earned and handed;", "share of learners avoiding or disengaged"]
    return _finish(alt.layer(*_event_layers(steps), line, pts).add_params(NOW).properties(height=HEIGHT, title=title))


def compare_time_spec(steps: int, runs: tuple[str, ...]) -> dict[str, Any]:
    """Mean self-belief (solid) and skill (dashed) of each condition; strategy window and test marked."""
    base = alt.Chart(alt.Data(name="series"))
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, steps]), title="step")
    colour = alt.Color("run:N", scale=alt.Scale(domain=list(runs), scheme="tableau10"), title="condition")
    dash = alt.StrokeDash(
        "measure:N", scale=alt.Scale(domain=["self-belief (efficacy)", "skill"], range=[[1, 0], [6, 3]]), title=None
    )
    line = base.mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("mean:Q", title="level (0-10)"), color=colour, strokeDash=dash, detail="measure:N"
    )
    pts = base.mark_point(size=10, filled=True, opacity=0.6).encode(
        x=x,
        y="mean:Q",
        color=colour,
        tooltip=[alt.Tooltip("run:N", title="condition"), "step:Q", "measure:N", alt.Tooltip("mean:Q", format=".2f")],
    )
    title = "Mean self-belief (solid) and skill (dashed), one run per condition"
    return _finish(alt.layer(*_event_layers(steps), line, pts).properties(height=HEIGHT, title=title))


def compare_outcomes_spec(steps: int, runs: tuple[str, ...]) -> dict[str, Any]:
    """Earned (solid) and handed (dotted) successes per attempt of each condition."""
    base = alt.Chart(alt.Data(name="outcomes")).transform_filter(
        "datum.measure == 'earned successes' || datum.measure == 'handed successes'"
    )
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, steps]), title="step")
    colour = alt.Color("run:N", scale=alt.Scale(domain=list(runs), scheme="tableau10"), title="condition")
    dash = alt.StrokeDash(
        "measure:N",
        scale=alt.Scale(domain=["earned successes", "handed successes"], range=[[1, 0], [2, 2]]),
        title=None,
    )
    line = base.mark_line(strokeWidth=1.8).encode(
        x=x, y=alt.Y("value:Q", title="share of attempts", scale=alt.Scale(domain=[0, 1])), color=colour,
        strokeDash=dash, detail="measure:N",
    )  # fmt: skip
    pts = base.mark_point(size=10, filled=True, opacity=0.6).encode(
        x=x,
        y="value:Q",
        color=colour,
        tooltip=[alt.Tooltip("run:N", title="condition"), "step:Q", "measure:N", alt.Tooltip("value:Q", format=".3f")],
    )
    title = "Successes per attempt: earned (solid) and handed (dotted), one run per condition"
    return _finish(alt.layer(*_event_layers(steps), line, pts).properties(height=HEIGHT, title=title))


@functools.lru_cache(maxsize=16)
def compare_specs(steps: int, runs: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Specs of the Compare page's two charts (cached; read-only)."""
    return {"time": compare_time_spec(steps, runs), "outcomes": compare_outcomes_spec(steps, runs)}


def scatter_spec() -> dict[str, Any]:
    """Skill against self-belief, one dot per learner; the diagonal is where belief matches skill."""
    dom = [0, LEVEL_MAX]
    pts = (
        alt.Chart(alt.Data(name="points"))
        .mark_circle(size=22, opacity=0.75, cursor="pointer")
        .encode(
            x=alt.X("s:Q", scale=alt.Scale(domain=dom), title="skill"),
            y=alt.Y("e:Q", scale=alt.Scale(domain=dom), title="self-belief (efficacy)"),
            color=alt.Color("a:Q", scale=alt.Scale(scheme="plasma", domain=[0, 1]), title="tension (arousal)"),
            tooltip=[
                alt.Tooltip("agent:Q", title="learner"),
                alt.Tooltip("s:Q", format=".2f", title="skill"),
                alt.Tooltip("e:Q", format=".2f", title="self-belief"),
                alt.Tooltip("a:Q", format=".2f", title="tension"),
                alt.Tooltip("g:N", title="state"),
            ],
        )
    )
    diag = (
        alt.Chart(alt.Data(values=[{"v": 0}, {"v": LEVEL_MAX}]))
        .mark_line(color="#888", strokeDash=[4, 4])
        .encode(x="v:Q", y="v:Q")
    )
    picked = (
        alt.Chart(alt.Data(name="picked"))
        .mark_point(size=220, color="black", strokeWidth=2.5, filled=False)
        .encode(x="s:Q", y="e:Q", tooltip=[alt.Tooltip("agent:Q", title="followed learner")])
    )
    title = ["Skill and self-belief of each learner (dashed: belief = skill)", "Click a dot to follow that learner"]
    return _finish(alt.layer(diag, pts, picked).properties(height=300, title=title))


def histogram_spec() -> dict[str, Any]:
    """Distribution of self-belief now (bars) and at the start (line)."""
    base = alt.Chart(alt.Data(name="bins"))
    x = alt.X("lo:Q", scale=alt.Scale(domain=[0, LEVEL_MAX]), title="self-belief (efficacy)")
    bars = base.mark_bar(color=EFFICACY, opacity=0.7).encode(
        x=x,
        x2="hi:Q",
        y=alt.Y("now:Q", title="share of learners"),
        tooltip=[
            alt.Tooltip("lo:Q", title="from", format=".1f"),
            alt.Tooltip("hi:Q", title="to", format=".1f"),
            alt.Tooltip("now:Q", format=".3f", title="share now"),
            alt.Tooltip("start:Q", format=".3f", title="share at start"),
        ],
    )
    start = base.mark_line(color="black", interpolate="step-after", strokeWidth=1.5).encode(x=x, y="start:Q")
    title = "Self-belief across learners: now (bars), at the start (line)"
    return _finish(alt.layer(bars, start).properties(height=HEIGHT, title=title))


def network_spec(n: int) -> dict[str, Any]:
    """The followed learner's neighbourhood: who watches whom, coloured by self-belief."""
    edges = (
        alt.Chart(alt.Data(name="edges"))
        .mark_rule(color="#bbb", opacity=0.6, strokeWidth=0.8)
        .encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None), x2="x2:Q", y2="y2:Q")
    )
    nodes = (
        alt.Chart(alt.Data(name="nodes"))
        .mark_circle(opacity=0.95, cursor="pointer")
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-1.1, 1.1])),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.1, 1.1])),
            size=alt.Size("followed:O", scale=alt.Scale(domain=["no", "yes"], range=[30, 200]), legend=None),
            color=alt.Color(
                "efficacy:Q",
                scale=alt.Scale(scheme="viridis", domain=[0, LEVEL_MAX]),
                title="self-belief",
            ),
            tooltip=[
                alt.Tooltip("agent:Q", title="learner"),
                alt.Tooltip("efficacy:Q", format=".2f", title="self-belief"),
            ],
        )
    )
    title = [
        f"Who watches whom: the {n} learners around the followed one",
        "(colour: self-belief; click a dot to follow it)",
    ]
    return _finish(alt.layer(edges, nodes).properties(height=300, title=title))


def story_spec(steps: int) -> dict[str, Any]:
    """The followed learner: self-belief, skill and task difficulty, and what moved the belief each step."""
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, steps]), title="step")
    names = ["self-belief (efficacy)", "skill", "task difficulty"]
    base = alt.Chart(alt.Data(name="story")).transform_filter(UPTO_NOW)
    colour = alt.Color("measure:N", scale=alt.Scale(domain=names, range=[EFFICACY, SKILL, "#777"]), title=None)
    line = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=alt.Y("value:Q", title="level (0-10)"),
        color=colour,
        strokeDash=alt.StrokeDash(
            "measure:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 3], [2, 2]]), legend=None
        ),
    )
    pts = base.mark_point(size=12, filled=True).encode(
        x=x,
        y="value:Q",
        color=colour,
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("measure:N"), alt.Tooltip("value:Q", format=".2f")],
    )
    top = alt.layer(line, pts).properties(
        height=180, width=STORY_WIDTH, title="The followed learner: self-belief, skill and task difficulty"
    )
    labels = [v[0] for v in SOURCES.values()]
    bottom = (
        alt.Chart(alt.Data(name="sources"))
        .transform_filter(UPTO_NOW)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("change:Q", title="change in self-belief"),
            color=alt.Color(
                "source:N", scale=alt.Scale(domain=labels, range=[v[1] for v in SOURCES.values()]), title=None
            ),
            tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("source:N"), alt.Tooltip("change:Q", format="+.3f")],
        )
        .properties(height=150, width=STORY_WIDTH, title="What moved its self-belief, by source")
    )
    d = spec_of(alt.vconcat(top, bottom).add_params(NOW).resolve_scale(color="independent"))
    d["config"] = CONFIG  # fixed width: Vega-Lite cannot fit a concatenation to its container
    return d


# --------------------------------------------------------------------------------------------
# Rows of one frame
# --------------------------------------------------------------------------------------------
def _records(**cols: np.ndarray | list) -> list[dict[str, Any]]:
    keys = list(cols)
    # float32 frames would print as 3.119999885559082: widen and round first (and halve the bytes sent)
    arrays = [
        np.round(np.asarray(c, dtype=float), 3).tolist() if np.asarray(c).dtype.kind == "f" else np.asarray(c).tolist()
        for c in cols.values()
    ]
    return [dict(zip(keys, row, strict=True)) for row in zip(*arrays, strict=True)]


def _clean(a: np.ndarray) -> list:
    """Floats for JSON: NaN becomes None (Vega skips it)."""
    return [None if x != x else round(float(x), 4) for x in np.asarray(a, dtype=float)]


def series_rows(rec: Recording) -> list[dict[str, Any]]:
    t = rec.computed
    rows = []
    steps = np.arange(t + 1)
    for r, label in enumerate(rec.labels):
        for m in time_measures(rec):
            mean, sd = (m.scale * _series(rec, m.key, stat)[: t + 1, r] for stat in ("mean", "sd"))
            rows += _records(
                run=[label] * (t + 1), step=steps, measure=[m.label] * (t + 1),
                mean=_clean(mean), sd=_clean(sd), lo=_clean(mean - sd), hi=_clean(mean + sd),
            )  # fmt: skip
    return rows


def outcome_rows(rec: Recording) -> list[dict[str, Any]]:
    t = rec.computed
    rows = []
    steps = np.arange(t + 1)
    for r, label in enumerate(rec.labels):
        for key, name in (
            ("earned_success_rate", "earned successes"),
            ("handed_share", "handed successes"),
            ("avoiding_share", "avoiding the task"),
            ("disengaged_share", "gave up (disengaged)"),
        ):
            v = rec.series[key][: t + 1, r]
            if key == "handed_share" and not np.nansum(v) > 0:
                continue  # nothing handed in this run: no line
            rows += _records(run=[label] * (t + 1), step=steps, measure=[name] * (t + 1), value=_clean(v))
    return [r for r in rows if r["value"] is not None]


STATE_NAMES = ("engaged", "avoiding", "disengaged")


def scatter_sample(rec: Recording) -> np.ndarray:
    """Learners shown in the scatter: all up to :data:`SCATTER_MAX`, else an evenly spaced sample."""
    if rec.agents <= SCATTER_MAX:
        return np.arange(rec.agents)
    return np.linspace(0, rec.agents - 1, SCATTER_MAX).astype(int)


def _columns(**cols: np.ndarray | list) -> dict[str, dict[str, list]]:
    """Rows sent column by column (``{"$cols": {name: values}}``; ``vega.vue`` zips them into rows).

    A frame's points travel as a few lists instead of a dict per learner: a third of the bytes, and far
    less work to encode on the server and to parse in the browser.
    """
    return {
        "$cols": {
            k: np.asarray(c).tolist() if np.asarray(c).dtype.kind != "f" else np.round(np.asarray(c, float), 3).tolist()
            for k, c in cols.items()
        }
    }


def n_rows(rows: list | dict) -> int:
    """Number of rows in a dataset sent as rows or as columns (:func:`_columns`)."""
    if isinstance(rows, dict):
        return len(next(iter(rows["$cols"].values()), []))
    return len(rows)


def rows_of(rows: list | dict) -> list[dict[str, Any]]:
    """A dataset as a list of row dicts, whichever way it is sent (what the browser sees)."""
    if isinstance(rows, list):
        return rows
    cols = rows["$cols"]
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def point_rows(rec: Recording, t: int, run: int = 0) -> dict[str, dict[str, list]]:
    idx = scatter_sample(rec)
    f = rec.frames
    return _columns(
        agent=idx,
        s=np.round(f["skill"][t, run, idx], 2),
        e=np.round(f["efficacy"][t, run, idx], 2),
        a=np.round(f["arousal"][t, run, idx], 2),
        g=np.asarray(STATE_NAMES, dtype=object)[f["engagement"][t, run, idx]],
    )


def picked_rows(rec: Recording, t: int, agent: int, run: int = 0) -> list[dict[str, Any]]:
    f = rec.frames
    return [{"agent": agent, "s": float(f["skill"][t, run, agent]), "e": float(f["efficacy"][t, run, agent])}]


BINS = np.linspace(0, LEVEL_MAX, 41)


def bin_rows(rec: Recording, t: int, run: int = 0) -> list[dict[str, Any]]:
    now = np.histogram(rec.frames["efficacy"][t, run], BINS)[0] / rec.agents
    start = np.histogram(rec.frames["efficacy"][0, run], BINS)[0] / rec.agents
    return _records(lo=BINS[:-1], hi=BINS[1:], now=np.round(now, 4), start=np.round(start, 4))


def neighbourhood(rec: Recording, agent: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Learners around ``agent`` in ring order (at most :data:`NETWORK_WINDOW`), their circle positions,
    and the observation links among them (pairs of positions in that list). Kept on the recording per
    learner: every playback frame needs it and the links take a Python loop to find."""
    cache = rec.__dict__.setdefault("_neighbourhoods", {})
    if agent in cache:
        return cache[agent]
    n = rec.agents
    w = min(n, NETWORK_WINDOW)
    idx = (agent - w // 2 + np.arange(w)) % n if w < n else np.arange(n)
    pos = {int(a): i for i, a in enumerate(idx)}
    theta = 2 * np.pi * np.arange(w) / max(w, 1)
    xy = np.c_[np.cos(theta), np.sin(theta)]
    links = [(pos[int(a)], pos[int(b)]) for a in idx for b in rec.neighbours[a] if int(b) in pos]
    if len(cache) >= 8:  # a few followed learners are enough
        cache.pop(next(iter(cache)))
    cache[agent] = idx, xy, np.asarray(links, dtype=int).reshape(-1, 2)
    return cache[agent]


def node_rows(rec: Recording, t: int, agent: int, run: int = 0) -> dict[str, dict[str, list]]:
    idx, xy, _ = neighbourhood(rec, agent)
    return _columns(
        agent=idx,
        x=np.round(xy[:, 0], 3),
        y=np.round(xy[:, 1], 3),
        efficacy=np.round(rec.frames["efficacy"][t, run, idx], 2),
        followed=np.where(idx == agent, "yes", "no"),
    )


def edge_rows(rec: Recording, agent: int) -> list[dict[str, Any]]:
    _, xy, links = neighbourhood(rec, agent)
    return _records(
        x=np.round(xy[links[:, 0], 0], 3), y=np.round(xy[links[:, 0], 1], 3),
        x2=np.round(xy[links[:, 1], 0], 3), y2=np.round(xy[links[:, 1], 1], 3),
    )  # fmt: skip


def story_rows(rec: Recording, agent: int, run: int = 0) -> tuple[list[dict], list[dict]]:
    t = rec.computed
    s = rec.story(agent, run, t)
    steps = np.arange(t + 1)
    top = []
    for key, name in (("efficacy", "self-belief (efficacy)"), ("skill", "skill"), ("difficulty", "task difficulty")):
        top += _records(step=steps, measure=[name] * (t + 1), value=_clean(s[key]))
    top = [r for r in top if r["value"] is not None]
    bottom = []
    for key, (name, _) in SOURCES.items():
        bottom += _records(step=steps[1:], source=[name] * t, change=_clean(s[key][1:]))
    bottom = [r for r in bottom if r["change"]]  # zero or missing changes draw nothing
    bottom += [{"step": 0, "source": name, "change": 0.0} for name, _ in SOURCES.values()]  # a domain at step 0
    return top, bottom


EXPLORE_CHARTS = ("time", "outcomes", "scatter", "histogram", "network", "story")
FOLLOWING = frozenset({"scatter", "network", "story"})
"""Charts whose rows depend on the followed learner."""
PER_STEP = frozenset({"scatter", "histogram", "network"})
"""Charts whose rows change every step; the others hold the whole run and only move their ``now`` param."""


def chart_static(rec: Recording, name: str, agent: int) -> dict[str, Any]:
    """Rows of chart ``name`` that stay the same while a recording plays: {dataset: rows}."""
    if name in ("time", "outcomes"):
        data = series_rows(rec) if name == "time" else outcome_rows(rec)
        return {"series" if name == "time" else "outcomes": data, "events": events(rec)}
    if name == "network":
        return {"edges": edge_rows(rec, agent)}
    if name == "story":
        top, bottom = story_rows(rec, agent)
        return {"story": top, "sources": bottom}
    return {}


def chart_frame(rec: Recording, name: str, t: int, agent: int) -> dict[str, Any]:
    """Rows of chart ``name`` at step ``t`` with ``agent`` followed (empty for charts not in :data:`PER_STEP`)."""
    if name == "scatter":
        return {"points": point_rows(rec, t), "picked": picked_rows(rec, t, agent)}
    if name == "histogram":
        return {"bins": bin_rows(rec, t)}
    if name == "network":
        return {"nodes": node_rows(rec, t, agent)}
    return {}


def static_rows(rec: Recording, agent: int) -> dict[str, dict[str, Any]]:
    """Rows that stay the same while a recording plays (the whole run, filtered by step in the browser)."""
    return {n: d for n in EXPLORE_CHARTS if (d := chart_static(rec, n, agent))}


def frame_rows(rec: Recording, t: int, agent: int) -> dict[str, dict[str, Any]]:
    """Rows of the charts that show one step (``t``), with ``agent`` followed: {chart: {dataset: rows}}."""
    return {n: chart_frame(rec, n, t, agent) for n in EXPLORE_CHARTS if n in PER_STEP}


@functools.lru_cache(maxsize=16)
def _specs(steps: int, network_n: int, measures: tuple[Measure, ...] = MEASURES) -> dict[str, dict[str, Any]]:
    return {
        "time": time_spec(steps, measures),
        "outcomes": outcomes_spec(steps),
        "scatter": scatter_spec(),
        "histogram": histogram_spec(),
        "network": network_spec(network_n),
        "story": story_spec(steps),
    }


def specs(rec: Recording) -> dict[str, dict[str, Any]]:
    """Every Explore chart's spec. Built with Altair (slow: ~1 s), so cached by what they depend on; treat as read-only."""
    return _specs(rec.steps, min(rec.agents, NETWORK_WINDOW), time_measures(rec))
