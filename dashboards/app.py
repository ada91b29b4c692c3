"""The interactive dashboard: ``solara run dashboards/app.py`` (or ``efficacy-sim dashboard``).

Three pages:

* **Explore**: one scenario, live. Controls (generated from ``sim/params.py``) on the left; run,
  pause, step, reset; charts of the population, the network and one agent's story.
* **Compare**: the same scenario without and with an intervention, on the same random numbers,
  stepping together.
* **Results**: figures and summaries of experiments already in ``results/``.

Plain Solara layout (``AppLayout`` with route tabs) rather than Mesa's ``SolaraViz``: the pages
need two runs stepping together, per-agent stories and a results browser, and SolaraViz's
draggable grid may stay empty in some offline setups (docs: /work/shared/STACK.md).
State lives in module-level reactive variables, which Solara scopes to each browser session.
"""

from __future__ import annotations

import html
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `dashboards` and `sim` import

import ipyvue  # noqa: E402
import markdown  # noqa: E402
import reacton  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402
from solara.alias import rv, rw  # noqa: E402

from dashboards import figures, results  # noqa: E402
from dashboards.controls import Control  # noqa: E402
from dashboards.simulation import NONE, SCHEDULE_CONTROLS, Runs, default_values, to_config  # noqa: E402
from sim.params import INTERVENTION_FIELDS, INTERVENTION_KINDS, PARAMS, RUN, SHOCK_FIELDS  # noqa: E402

TITLE = "efficacy-sim: self-efficacy feedback loops"
PLAY_PAUSE_S = 0.03  # breathing room between played steps, so the browser keeps up

# --------------------------------------------------------------------------------------------
# Session state
# --------------------------------------------------------------------------------------------
values = solara.reactive(default_values())
problem = solara.reactive("")  # a config error or an error raised while stepping
live = solara.reactive(None)  # Runs of the Explore page
live_tick = solara.reactive(0)
live_playing = solara.reactive(False)
picked = solara.reactive(0)
pair = solara.reactive(None)  # Runs of the Compare page (control, treatment)
pair_tick = solara.reactive(0)
pair_playing = solara.reactive(False)
compare_kind = solara.reactive("mastery_ladder")
charts = solara.reactive(None)  # this session's figure objects (figures are not shareable)

SOURCE_GROUPS = ("mastery", "vicarious", "persuasion", "physiological")
OTHER_GROUPS = (
    "network",
    "choice",
    "arousal",
    "effort",
    "performance",
    "skill",
    "interventions",
    "modelling",
    "expectations",
    "praise",
    "switches",
)


def session_charts() -> dict[str, figures.Chart]:
    if charts.value is None:
        charts.value = {
            "time": figures.TimeSeries(),
            "calibration": figures.Calibration(),
            "histogram": figures.Histogram(),
            "network": figures.Network(),
            "story": figures.Story(),
            "pair_time": figures.TimeSeries(),
            "pair_histogram": figures.Histogram(),
            "difference": figures.Difference(),
        }
    return charts.value


def make_live() -> Runs:
    return Runs([to_config(values.value)], ["scenario"], story_agent=picked.value)


def make_pair() -> Runs:
    control = to_config(values.value, intervention=NONE, name="control")
    treated = to_config(values.value, intervention=compare_kind.value, name=compare_kind.value)
    return Runs([control, treated], ["control", compare_kind.value.replace("_", " ")])


def set_value(path: str, value) -> None:
    """Apply one control change: validate the whole scenario, then restart both views on it."""
    new = {**values.value, path: value}
    if path == "steps" and new["intervention.end"] == values.value["steps"]:
        new["intervention.end"] = value  # keep 'until the end of the run' meaning what it says
    values.value = new
    try:
        to_config(new)
    except Exception as exc:  # ConfigError from the declarations
        problem.value = f"The scenario is not valid: {exc}. The charts still show the last valid scenario."
        return
    problem.value = ""
    reset_live()
    pair.value = None


def reset_live() -> None:
    live_playing.value = False
    try:
        live.value = make_live()
    except Exception as exc:
        problem.value = f"Could not build the scenario: {exc}"
    live_tick.value += 1


def reset_pair() -> None:
    pair_playing.value = False
    try:
        pair.value = make_pair()
    except Exception as exc:
        problem.value = f"Could not build the comparison: {exc}"
    pair_tick.value += 1


def advance(runs_ref: solara.Reactive, tick: solara.Reactive, playing: solara.Reactive) -> None:
    """One step of a view's runs; any error is shown in the page and stops playing."""
    runs = runs_ref.value
    if runs is None:
        return
    try:
        if runs.done:
            playing.value = False
            return
        runs.step()
    except Exception as exc:
        traceback.print_exc()
        problem.value = f"Error while stepping at step {runs.t}: {type(exc).__name__}: {exc}"
        playing.value = False
    tick.value += 1


def use_player(runs_ref: solara.Reactive, tick: solara.Reactive, playing: solara.Reactive) -> None:
    """Step in a background thread while ``playing`` is on (the pattern of Mesa's ModelController)."""

    def loop():
        while playing.value:
            t0 = time.perf_counter()
            advance(runs_ref, tick, playing)
            # rest at least as long as the step took, so the browser is not left behind a queue of frames
            time.sleep(max(PLAY_PAUSE_S, time.perf_counter() - t0))

    solara.lab.use_task(loop, dependencies=[playing.value], prefer_threaded=True)


# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------
CSS = """
.dash-prose table { border-collapse: collapse; font-size: 0.85em; margin: 6px 0; }
.dash-prose th, .dash-prose td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
.dash-prose th:first-child, .dash-prose td:first-child { text-align: left; }
.dash-prose h3 { margin: 4px 0 6px 0; }
"""


@solara.component
def Prose(md: str):
    """Markdown as HTML, rendered on the server. (solara.Markdown would fetch KaTeX from a CDN.)"""
    html = solara.use_memo(lambda: markdown.markdown(md, extensions=["tables", "fenced_code"]), [md])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["dash-prose"])


@solara.component
def Table(lines: list[str]):
    """A Markdown pipe table (header, rule, rows) as HTML, built directly: it changes every step."""
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cells[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells[2:])
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        classes=["dash-prose"],
    )


@solara.component
def Island(component):
    """Render ``component`` in a render tree of its own, inside this page.

    On every step only the live part of a page changes, but reacton would still walk the whole
    page tree, sidebar included, to reconcile it: with its ~70 controls (~450 widgets) that cost
    more than a step and a redraw. Elements passed into layout components (sidebar, columns) never
    take reacton's skip-unchanged-subtree path. A separate root makes a step walk only the charts.
    """
    host = rv.Html(tag="div", class_="dash-island")

    def mount():
        root = ipyvue.Html(tag="div")  # the inner tree owns (and closes) this widget, not host
        _, context = reacton.render(component(), root)  # errors inside show in its place
        solara.get_widget(host).children = [root]
        return context.close

    solara.use_effect(mount, [component])


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara's layout signature)
    """Solara's app layout; the Tabs each page puts in the AppBar (NavTabs) replace its route tabs."""
    solara.Style(CSS)
    solara.AppLayout(title=TITLE, children=children)  # our Tabs in the AppBar replace the route tabs


@solara.component
def NavTabs():
    """One tab per page, in the app bar."""
    solara.Title(TITLE)
    with solara.AppBar():
        with solara.lab.Tabs(align="center", background_color="primary", dark=True):
            for label, path in (("Explore", "/"), ("Compare", "/compare"), ("Results", "/results")):
                solara.lab.Tab(label, path_or_route=path)


@solara.component
def Section(title: str, specs, prefix: str = "", expand: bool = False, extra: tuple[str, ...] = ()):
    with solara.Details(title, expand=expand):
        for spec in specs:
            Control(spec, prefix + spec.name, values.value, set_value, extra if spec.name == "kind" else ())


@solara.component
def Sidebar():
    """Every control, generated from the declarations in sim/params.py, grouped for a newcomer."""
    by_group = {}
    for p in PARAMS:
        by_group.setdefault(p.group, []).append(p)
    with solara.Column(gap="4px", style={"padding": "4px"}):
        Prose(
            "**Scenario.** Every change restarts the run from step 0 with the new setting. "
            "Hover a slider for its meaning; ranges come from the model's parameter declaration."
        )
        Section("Run: population size, length, seed", RUN, expand=True)
        Section("Initial distributions", by_group["population"])
        Section("Weights of the four sources of efficacy", [p for g in SOURCE_GROUPS for p in by_group[g]])
        Section("Difficulty schedule", SCHEDULE_CONTROLS, "schedule.")
        with solara.Details("Shock: one severe failure"):
            solara.Switch(
                label="add a shock", value=values.value["shock.on"], on_value=lambda v: set_value("shock.on", v)
            )
            for spec in SHOCK_FIELDS:
                Control(spec, "shock." + spec.name, values.value, set_value)
        Section("Intervention", INTERVENTION_FIELDS, "intervention.", extra=(NONE,))
        for g in OTHER_GROUPS:
            Section(f"More: {g}", by_group[g])


@solara.component
def ProblemBanner():
    if problem.value:
        with solara.Row():
            solara.Error(problem.value, classes=["dash-problem"])
            solara.Button("dismiss", text=True, on_click=lambda: problem.set(""))


@solara.component
def Player(runs: Runs, tick: solara.Reactive, playing: solara.Reactive, on_reset, what: str):
    """Run / pause / step / reset, and where the run is."""
    use_player(live if what == "live" else pair, tick, playing)
    _ = tick.value  # re-render on every step (the Runs object itself stays the same)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        if playing.value:
            solara.Button("Pause", icon_name="mdi-pause", color="warning", on_click=lambda: playing.set(False))
        else:
            solara.Button(
                "Run", icon_name="mdi-play", color="primary", on_click=lambda: playing.set(True), disabled=runs.done
            )
        solara.Button(
            "Step",
            icon_name="mdi-step-forward",
            on_click=lambda: advance(live if what == "live" else pair, tick, playing),
            disabled=playing.value or runs.done,
        )
        solara.Button("Reset", icon_name="mdi-restore", on_click=on_reset)
        c = runs.configs[0]
        solara.Text(
            f"Step {runs.t} of {runs.steps} · {runs.agents} agents · seed {c.seed}",
            classes=["dash-status"],
            style={"font-weight": "bold", "margin-left": "12px"},
        )
        solara.Text(
            f"scenario {c.digest()}",
            classes=["dash-digest"],
            style={"color": "#888", "margin-left": "8px", "font-size": "0.8em"},
        )


@solara.component
def ChartImage(chart: figures.Chart, runs: Runs, tick: int, name: str, caption: str = ""):
    data = solara.use_memo(lambda: chart.render(runs), [id(runs), tick, runs.story.agent])
    with solara.Column(gap="0px"):
        rw.Image(value=data, format="png", layout={"max_width": "100%"}, _dom_classes=[f"chart-{name}"])
        if caption:
            solara.Text(caption, style={"font-size": "0.8em", "color": "#555"})


@solara.component
def StoryTable(runs: Runs, tick: int):
    rows = runs.story.rows[-8:][::-1]
    lines = [
        "| step | task | what happened | effort | efficacy | mastery | vicarious | persuasion | physiological |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["t"] == 0:
            what = "start"
        elif r["engagement"] == 2 and not r["attempted"]:
            what = "disengaged"
        elif r["shocked"]:
            what = "shock (severe failure)"
        elif not r["attempted"]:
            what = "avoided the task"
        else:
            what = "success" + (" (handed)" if r["handed"] else "") if r["success"] else "failure"
        task = "-" if r["difficulty"] != r["difficulty"] else f"{r['difficulty']:.2f}"
        lines.append(
            f"| {int(r['t'])} | {task} | {what} | {r['effort']:.2f} | {r['efficacy']:.2f} | {r['d_mastery']:+.3f} | "
            f"{r['d_vicarious']:+.3f} | {r['d_persuasion']:+.3f} | {r['d_physiological']:+.3f} |"
        )
    Table(lines)


@solara.component
def ExplorePage():
    # The page itself does not read the step counter: only ExploreLive re-renders on each step, in
    # its own render tree (Island), so the sidebar's ~70 controls are neither re-rendered nor walked.
    NavTabs()
    with solara.Sidebar():
        Sidebar()
    with solara.Column(style={"padding": "8px"}):
        Prose(
            "### Explore one scenario\n"
            "Learners face tasks, try or avoid them, succeed or fail, and update their **self-efficacy** "
            "(belief in what they can do) from four sources: their own results (*mastery*), what they see "
            "others do (*vicarious*), what they are told (*persuasion*) and how aroused they feel "
            "(*physiological*). Press **Run** to watch beliefs and skills evolve."
        )
        ProblemBanner()
        Island(ExploreLive)


@solara.component
def ExploreLive():
    runs = live.value
    if runs is None:
        runs = make_live()
        live.value = runs
    ch = session_charts()
    tick = live_tick.value
    Player(runs, live_tick, live_playing, reset_live, "live")
    with solara.Columns([3, 2]):
        ChartImage(ch["time"], runs, tick, "time", "Population over time: means with ±1 SD bands.")
        ChartImage(ch["calibration"], runs, tick, "calibration", "Each dot is an agent. Colour: arousal.")
    with solara.Columns([1, 1]):
        ChartImage(ch["histogram"], runs, tick, "histogram", "Black outline: where the population started.")
        ChartImage(ch["network"], runs, tick, "network", "Agents in ring order; chords are rewired links.")
    solara.HTML(tag="h3", unsafe_innerHTML="One agent's story")
    solara.SliderInt(
        "follow agent",
        value=runs.story.agent,
        min=0,
        max=runs.agents - 1,
        on_value=lambda i: pick_agent(i),
        thumb_label="always",
    )
    solara.Text(f"Following agent {runs.story.agent}", classes=["dash-story-agent"], style={"font-weight": "bold"})
    ChartImage(ch["story"], runs, tick, "story", "Top: tasks and outcomes. Bottom: what moved its efficacy, by source.")
    StoryTable(runs, tick)


def pick_agent(i: int) -> None:
    picked.value = int(i)
    runs = live.value
    if runs is not None:
        runs.pick(int(i))
    live_tick.value += 1


@solara.component
def ComparePage():
    NavTabs()
    with solara.Sidebar():
        Sidebar()
    with solara.Column(style={"padding": "8px"}):
        Prose(
            "### Compare: control vs an intervention\n"
            "Two runs of the scenario from the sidebar, one without and one with the chosen intervention "
            "(timing and targeting from the sidebar's *Intervention* section). They use the **same random "
            "numbers** (same seed, run index 0), so differences come from the intervention, not from luck."
        )
        ProblemBanner()

        def choose(kind: str) -> None:
            compare_kind.value = kind
            reset_pair()

        solara.Select(
            "intervention in the second run", values=list(INTERVENTION_KINDS), value=compare_kind.value, on_value=choose
        )
        Island(CompareLive)


@solara.component
def CompareLive():
    runs = pair.value
    if runs is None:
        try:
            runs = make_pair()
        except Exception as exc:
            solara.Error(f"Could not build the comparison: {exc}")
            return
        pair.value = runs
    ch = session_charts()
    tick = pair_tick.value
    Player(runs, pair_tick, pair_playing, reset_pair, "pair")
    with solara.Columns([3, 2]):
        ChartImage(ch["pair_time"], runs, tick, "pair-time", "Blue: control. Red: with the intervention.")
        with solara.Column():
            ChartImage(ch["pair_histogram"], runs, tick, "pair-histogram")
            ChartImage(ch["difference"], runs, tick, "difference")
    CompareTable(runs, tick)


@solara.component
def CompareTable(runs: Runs, tick: int):
    now = runs.history[-1]
    names = {
        "efficacy_mean": "mean efficacy",
        "skill_mean": "mean skill",
        "arousal_mean": "mean arousal",
        "success_rate": "success rate",
        "disengaged_share": "share disengaged",
    }
    lines = [f"| step {runs.t} | {runs.labels[0]} | {runs.labels[1]} | difference |", "|---|---|---|---|"]
    for k, label in names.items():
        a, b = float(now[k][0]), float(now[k][1])
        lines.append(f"| {label} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    Table(lines)


@solara.component
def ResultsPage():
    refresh, set_refresh = solara.use_state(0)
    found = solara.use_memo(results.find_experiments, [refresh])
    NavTabs()
    with solara.Column(style={"padding": "8px"}):
        with solara.Row(style={"align-items": "center"}):
            Prose(f"### Experiment results\nFolder: `{results.results_dir()}`")
            solara.Button("Refresh", icon_name="mdi-refresh", on_click=lambda: set_refresh(refresh + 1))
        if not found:
            solara.Info(
                "No results yet. Experiments write their figures (PNG/SVG) and summaries (Markdown) into "
                "results/<experiment>/; run one, e.g. `make demo`, then press Refresh.",
                classes=["dash-empty"],
            )
            return
        for n, exp in enumerate(found):
            ResultsCard(exp, expand=n == 0)


@solara.component
def ResultsCard(exp: results.Experiment, expand: bool):
    extra = results.unreferenced(exp)
    n_s, n_f = len(exp.summaries), len(exp.figures)
    label = f"{exp.name}: {n_s} summar{'y' if n_s == 1 else 'ies'}, {n_f} figure{'' if n_f == 1 else 's'}"
    with solara.Card(style={"margin-bottom": "8px"}):
        with solara.Details(label, expand=expand):
            solara.Text(str(exp.path), style={"font-size": "0.8em", "color": "#666"})
            for md in exp.summaries:
                solara.HTML(tag="div", unsafe_innerHTML=results.summary_html(md), classes=["dash-prose"])
            with solara.Row(style={"flex-wrap": "wrap"}):
                for fig in extra:
                    with solara.Column(gap="0px", style={"max-width": "520px"}):
                        fmt = "svg+xml" if fig.suffix.lower() == ".svg" else "png"
                        rw.Image(value=fig.read_bytes(), format=fmt, layout={"max_width": "500px"})
                        solara.Text(str(fig.relative_to(exp.path)), style={"font-size": "0.8em"})


routes = [
    solara.Route(path="/", component=ExplorePage, label="Explore", layout=Layout),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="results", component=ResultsPage, label="Results"),
]
