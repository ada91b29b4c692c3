"""The interactive dashboard: ``solara run dashboards/app.py`` (or ``efficacy-sim dashboard``).

Three pages:

* **Explore**: start from a preset (a shipped scenario or strategy), adjust any control (plain labels
  from ``sim/params.py``), and the whole run is computed at once and played back: play / pause, step,
  a speed control and a time slider. Interactive charts (hover values; click a learner to follow it).
* **Compare**: the command line's comparison (``efficacy-sim compare``): named strategies against a
  control on common random numbers, the same window and later test, paired differences with intervals.
* **Results**: figures and summaries of experiments already in ``results/``.

The page state lives in the address (reload it or send the link); a scenario can be saved as TOML for
``efficacy-sim run``; data downloads as CSV or Parquet, every chart as PNG or SVG.

Plain Solara layout (``AppLayout`` with route tabs) rather than Mesa's ``SolaraViz``: the pages need
playback of a precomputed run, a comparison with replications and a results browser. For Mesa's own
``SolaraViz`` with this model, see ``dashboards/mesa_viz.py``.
State lives in module-level reactive variables, which Solara scopes to each browser session.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import html
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `dashboards` and `sim` import

import ipyvue  # noqa: E402
import markdown  # noqa: E402
import pandas  # noqa: E402, F401  (imported here, once: a first import from a worker thread races the renderer)
import reacton  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402
import solara.server.kernel_context as kernel_context  # noqa: E402
import solara.toestand  # noqa: E402
from solara.alias import rv, rw  # noqa: E402

from dashboards import charts, comparing, results  # noqa: E402
from dashboards import simulation as simmod  # noqa: E402
from dashboards.controls import Control, label_of  # noqa: E402
from dashboards.simulation import (  # noqa: E402
    LIMITS,
    NONE,
    SCHEDULE_CONTROLS,
    SCHEDULE_USES,
    SHUTDOWN,
    WINDOW_CONTROLS,
    Cancelled,
    Recording,
    default_values,
    from_query,
    number,
    preset_values,
    presets,
    signed,
    to_config,
    to_query,
    to_toml,
)
from dashboards.vega import Address, Chart, Opaque, Ticker  # noqa: E402
from sim.params import PARAMS, RUN, SHOCK_FIELDS  # noqa: E402

TITLE = "efficacy-sim: self-efficacy feedback loops"
SPEEDS = {"slow (5 steps/s)": 5, "normal (10 steps/s)": 10, "fast (25 steps/s)": 25, "fastest (60 steps/s)": 60}

# --------------------------------------------------------------------------------------------
# Session state
# --------------------------------------------------------------------------------------------
values = solara.reactive(default_values())
problem = solara.reactive("")  # a config error, or an error raised while computing
preset = solara.reactive("")  # key of the preset last loaded
url_read = solara.reactive(False)  # the address's settings were applied to this session
rec = solara.reactive(None)  # Recording of the Explore page (complete)
computing = solara.reactive("")  # progress text while a run computes
frame = solara.reactive(0)
playing = solara.reactive(False)
speed = solara.reactive("normal (10 steps/s)")
picked = solara.reactive(0)
cmp_names = solara.reactive(["mastery_ladder", "trophy"])
cmp_replications = solara.reactive(10)
cmp_result = solara.reactive(None)
cmp_status = solara.reactive("")
frame_times: collections.deque[float] = collections.deque(maxlen=1000)  # seconds of the last played frames
_jobs: dict[tuple[int, str], threading.Event] = {}  # (session, job) -> cancel flag of its running computation
_outbox: dict[int, list] = {}  # session -> state updates posted by its worker threads
busy = solara.reactive(False)  # a worker thread of this session is running
polls = solara.reactive(0)
_fields: dict[str, solara.Reactive] = {}


def field(path: str) -> solara.Reactive:
    """One control's value in :data:`values`, as a reactive of its own.

    A component that reads it re-renders only when that value changes: with ~70 controls, each reading the
    whole dict made every change (and every run) re-render the whole sidebar.
    """
    if path not in _fields:
        _fields[path] = solara.toestand.Ref(values.fields[path])
    return _fields[path]


def _session() -> int:
    return id(kernel_context.get_current_context())


_islands: dict[int, set] = {}  # session -> render contexts of its mounted islands (see Island)


@contextlib.contextmanager
def one_render():
    """Apply several state changes with one render of each island, not one render per change."""
    with contextlib.ExitStack() as stack:
        for context in list(_islands.get(_session(), ())):
            stack.enter_context(context)  # reacton batches renders until the outermost exit
        yield


def _in_thread(target, job: str) -> threading.Event:
    """Run ``target(cancel, post)`` in a daemon thread; cancels the session's previous job of the same kind.

    The thread never touches reactive state: it ``post``s functions that do, and the page's :class:`Poller`
    runs them in the session's event handling (updates made from a worker thread did not reach the browser).
    Daemon, and every loop checks ``cancel`` and :data:`SHUTDOWN`: nothing outlives the server.
    """
    session = _session()
    key = (session, job)
    old = _jobs.get(key)
    if old is not None:
        old.set()
    cancel = threading.Event()
    _jobs[key] = cancel
    box = _outbox.setdefault(session, [])

    def post(fn) -> None:
        if not cancel.is_set():
            box.append(fn)

    def work():
        try:
            target(cancel, post)
        except Cancelled:
            pass
        except Exception as exc:  # shown in the page; the session keeps working
            traceback.print_exc()
            message = f"{type(exc).__name__}: {exc}"
            box.append(lambda: problem.set(message))
        finally:
            if _jobs.get(key) is cancel:
                _jobs.pop(key, None)

    busy.value = True
    threading.Thread(target=work, daemon=True, name=f"dash-{job}").start()
    return cancel


def deliver() -> None:
    """Apply what this session's worker threads posted (called by the browser's :class:`Poller` ticks)."""
    session = _session()
    box = _outbox.get(session, [])
    while box:
        box.pop(0)()
    polls.value += 1
    if not any(k[0] == session for k in _jobs) and not box:
        busy.value = False


@solara.component
def Poller():
    """While a computation runs, the browser asks every 50 ms for its progress and result (:func:`deliver`)."""
    Ticker.element(running=busy.value, interval_ms=50, ack=polls.value, on_tick=deliver)


def _stop_everything(*_args) -> None:
    SHUTDOWN.set()
    for cancel in list(_jobs.values()):
        cancel.set()


def _chain_signals() -> None:
    """On SIGTERM/SIGINT stop every computation and playback loop, then let the server's own handler shut down.

    Solara runs ``use_task`` threads as non-daemon threads: a playback loop that never ended kept the
    process alive after SIGTERM. Our loops are daemon threads that also watch :data:`SHUTDOWN`.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum, frame_, previous=previous):
            _stop_everything()
            if callable(previous):
                previous(signum, frame_)
            elif previous == signal.SIG_DFL:
                raise SystemExit(128 + signum)

        signal.signal(sig, handler)


try:
    _chain_signals()
except ValueError:  # not the main thread of the interpreter
    pass


SYNC_LEARNER_STEPS = 250_000
"""Runs up to this size (learners x steps; ~0.15 s per 100,000 here) are computed in the event itself.

A worker thread reaches the page only through the next poll, and it competes for the interpreter with the
page's own render: for a small run both cost more than the computation."""


def start_run() -> None:
    """Compute the scenario in the controls whole, then show it from step 0 (large runs in a thread)."""
    try:
        cfg = to_config(values.value)
    except Exception as exc:
        problem.value = f"The scenario is not valid: {exc}. The charts still show the last valid scenario."
        return
    problem.value = ""
    playing.value = False

    def show(r: Recording) -> None:
        with one_render():
            picked.value = min(picked.value, r.agents - 1)
            frame.value = 0
            rec.value = r
            computing.value = ""

    if cfg.agents * cfg.steps <= SYNC_LEARNER_STEPS:
        old = _jobs.pop((_session(), "run"), None)
        if old is not None:
            old.set()  # a larger run still computing would replace this one when it ends
        t0 = time.perf_counter()
        r = Recording([cfg], ["scenario"])
        r.compute()
        r.seconds = time.perf_counter() - t0
        show(r)
        return
    computing.value = "computing the run..."

    def work(cancel: threading.Event, post) -> None:
        t0 = time.perf_counter()
        r = Recording([cfg], ["scenario"])
        r.compute(cancel, progress=lambda t: post(lambda: computing.set(f"computing step {t} of {r.steps}...")))
        r.seconds = time.perf_counter() - t0
        post(lambda: show(r))

    _in_thread(work, "run")


def set_value(path: str, value) -> None:
    """Apply one control change: validate the whole scenario, then recompute it."""
    old = values.value
    new = {**old, path: value}
    if path == "steps" and old["intervention.end"] == (old["steps"] * 6) // 10:
        new["intervention.start"], new["intervention.end"] = value // 10, (value * 6) // 10  # keep the default window
    values.value = new
    preset.value = ""
    start_run()


def load_preset(key: str) -> None:
    try:
        new = preset_values(key)
    except Exception as exc:
        problem.value = f"Could not load the preset: {exc}"
        return
    new["agents"] = values.value["agents"] if key.startswith("strategy:") else max(new["agents"], 1000)
    values.value = new
    preset.value = key
    start_run()


# --------------------------------------------------------------------------------------------
# Small components
# --------------------------------------------------------------------------------------------
CSS = """
.dash-prose table { border-collapse: collapse; font-size: 0.9em; margin: 6px 0; }
.dash-prose th, .dash-prose td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
.dash-prose th:first-child, .dash-prose td:first-child { text-align: left; }
.dash-prose h3 { margin: 4px 0 6px 0; }
.dash-story-head { margin: 18px 0 4px 0; font-size: 1.1em; font-weight: 600; }
.dash-chart-card { padding: 6px 8px; margin: 4px; border: 1px solid #eee; border-radius: 4px; min-width: 0; }
.dash-player { align-items: center; flex-wrap: wrap; gap: 8px; }
.dash-island { contain: layout style; }  /* what changes every frame lays out inside its own box only */
.dash-status { display: inline-block; min-width: 24em; }  /* a longer step number does not move the row */
"""


@solara.component
def Prose(md: str):
    """Markdown as HTML, rendered on the server. (solara.Markdown would fetch KaTeX from a CDN.)"""
    text = solara.use_memo(lambda: markdown.markdown(md, extensions=["tables", "fenced_code"]), [md])
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=["dash-prose"])


@solara.component
def Table(head: list[str], rows: list[list[str]], css: str = ""):
    """A table of text cells (escaped)."""
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>",
        classes=["dash-prose", *([css] if css else [])],
    )


@solara.component
def Island(component, style: str = ""):
    """Render ``component`` (called without arguments) in a render tree of its own, inside this page.

    Each render walks its whole tree, changed or not (~0.1 ms an element here): on every frame only the
    live parts of a page change, so each is a small tree of its own, apart from the page and its sidebar
    (~1,500 widgets). ``style``: CSS of the host element (e.g. its share of a row).
    """
    host = rv.Html(tag="div", class_="dash-island", style_=style)

    def mount():
        root = ipyvue.Html(tag="div")  # the inner tree owns (and closes) this widget, not host
        _, context = reacton.render(component(), root)  # errors inside show in its place
        solara.get_widget(host).children = [root]
        session = _session()
        _islands.setdefault(session, set()).add(context)

        def unmount():
            mine = _islands.get(session, set())
            mine.discard(context)
            if not mine:
                _islands.pop(session, None)
            context.close()

        return unmount

    solara.use_effect(mount, [component])


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara's layout signature)
    solara.Style(CSS)
    solara.AppLayout(title=TITLE, children=children)


@solara.component
def NavTabs():
    solara.Title(TITLE)
    with solara.AppBar():
        with solara.lab.Tabs(align="center", background_color="primary", dark=True):
            for label, path in (("Explore", "/"), ("Compare", "/compare"), ("Results", "/results")):
                solara.lab.Tab(label, path_or_route=path)


@solara.component
def UrlState():
    """Keep the settings in the address: read them once per session, then write every change back."""
    router = solara.use_router()
    query = to_query(values.value)

    def read():
        if url_read.value:
            return
        url_read.value = True
        if router.search:
            try:
                values.value = from_query(router.search)
            except Exception as exc:
                problem.value = f"The link's settings were not applied: {exc}"
            start_run()

    solara.use_effect(read, [])
    if url_read.value:
        Address.element(query=query)  # written in the browser: router.push re-rendered the whole layout


@solara.component
def ProblemBanner():
    if problem.value:
        with solara.Row():
            solara.Error(problem.value, classes=["dash-problem"])
            solara.Button("dismiss", text=True, on_click=lambda: problem.set(""))


# --------------------------------------------------------------------------------------------
# Sidebar
# --------------------------------------------------------------------------------------------
@solara.component
def Field(spec, path: str):
    """The control of one declaration, re-rendered only when its own value changes."""
    Control(spec, path, {path: field(path).value}, set_value)


@solara.component
def Section(title: str, specs, prefix: str = "", expand: bool = False):
    with solara.Details(title, expand=expand):
        for spec in specs:
            Field(spec, prefix + spec.name)


@solara.component
def PresetPicker():
    options = solara.use_memo(presets, [])
    by_title = {p.title: p for p in options}
    current = next((p for p in options if p.key == preset.value), None)
    solara.Select(
        "Start from a preset",
        values=list(by_title),
        value=current.title if current else None,
        on_value=lambda title: load_preset(by_title[title].key),
        dense=True,
        classes=["dash-preset"],
    )
    if current:
        solara.Text(
            current.description, style={"font-size": "0.8em", "color": "#444"}, classes=["dash-preset-description"]
        )


@solara.component
def StrategyPicker():
    lib = simmod.library()
    chosen = field("strategy").value
    solara.Select(
        "Intervention strategy",
        values=[NONE, *lib],
        value=chosen,
        on_value=lambda s: set_value("strategy", s),
        dense=True,
        classes=["dash-select-strategy"],
    )
    if chosen != NONE:
        s = lib[chosen]
        solara.Text(s.description, style={"font-size": "0.8em", "color": "#444", "display": "block"})
        targeted = field("intervention.target").value == "below"
        for spec in WINDOW_CONTROLS:
            if spec.name == "threshold" and not targeted:
                continue  # applies only to targeted strategies
            if spec.name == "target" and s.schedule:
                continue  # a schedule reaches everyone
            Field(spec, f"intervention.{spec.name}")


@solara.component
def ScheduleControls():
    """The schedule's kind, then only the fields that kind reads."""
    kind = field("schedule.kind").value
    kind_spec = next(f for f in SCHEDULE_CONTROLS if f.name == "kind")
    Field(kind_spec, "schedule.kind")
    for spec in SCHEDULE_CONTROLS:
        if spec.name in SCHEDULE_USES.get(kind, ()):  # fields this kind does not read are hidden
            Field(spec, f"schedule.{spec.name}")


@solara.component
def ShockControls():
    on = field("shock.on").value
    solara.Switch(label="add a severe failure", value=on, on_value=lambda x: set_value("shock.on", x))
    if on:
        for spec in SHOCK_FIELDS:
            Field(spec, "shock." + spec.name)


DOMAIN_TEXT = (
    ("domains.names", "Domains (subjects), separated by commas", "empty: one domain, the model without domains"),
    ("domains.relatedness", "How related they are: rows separated by ';'", "e.g. 1, 0.6; 0.6, 1 (empty: unrelated)"),
    ("schedule.domain", "Tasks practise, in turn", "domain names separated by commas (empty: the first domain)"),
)


@solara.component
def DomainControls():
    """Several domains (docs/ODD.md 7.22): names, relatedness, which the tasks practise; then the
    generality, transfer and self-esteem constants, shown only when more than one domain is declared."""
    for path, label, hint in DOMAIN_TEXT:
        solara.InputText(
            label,
            value=field(path).value,
            on_value=lambda x, path=path: set_value(path, x),
            continuous_update=False,
            classes=[f"dash-{path.replace('.', '-')}"],
        )
        solara.Text(hint, style={"font-size": "0.75em", "color": "#555", "display": "block"})
    if field("domains.names").value.strip():
        if field("shock.on").value:
            solara.InputText(
                "The severe failure's domain (empty: the task's own)",
                value=field("shock.domain").value,
                on_value=lambda x: set_value("shock.domain", x),
                continuous_update=False,
            )
        if field("strategy").value != NONE:
            solara.InputText(
                "The intervention works in (empty: every domain)",
                value=field("intervention.domain").value,
                on_value=lambda x: set_value("intervention.domain", x),
                continuous_update=False,
                classes=["dash-intervention-domain"],
            )
        for spec in (p for p in PARAMS if p.group in ("domains", "self_esteem") and not p.advanced):
            Field(spec, spec.name)


@solara.component
def SaveScenario():
    """Save scenario (TOML): the file is written when clicked, from the values at that moment."""
    solara.FileDownload(
        lambda: to_toml(to_config(values.value, name=values.value.get("name", "dashboard"))),
        filename="scenario.toml",
        label="Save scenario (TOML)",
        mime_type="application/toml",
        children=[
            solara.Button("Save scenario (TOML)", icon_name="mdi-content-save", small=True, classes=["dash-save-toml"])
        ],
    )


def _part(name: str, render):
    @solara.component
    def SidebarPart():
        render()

    SidebarPart.__name__ = f"Sidebar_{name}"
    return SidebarPart


@functools.cache
def sidebar_parts() -> tuple:
    """The sidebar's sections, each a component for an :class:`Island` of its own (made once, so each
    island keeps its tree): a control change walks only its section (~100 widgets), not ~1,500."""
    by_group: dict[str, list] = {}
    for p in PARAMS:
        by_group.setdefault(p.group, []).append(p)

    def basic(*groups):
        return [p for g in groups for p in by_group[g] if not p.advanced]

    def details(title: str, inner):
        def render():
            with solara.Details(title, expand=False):
                inner()

        return render

    def advanced():
        with solara.Details("Advanced: mechanism constants", expand=False):
            solara.Text(
                "Constants of the model's mechanisms; most studies leave them at their defaults.",
                style={"font-size": "0.8em"},
            )
            for g, specs in by_group.items():
                adv = [p for p in specs if p.advanced]
                if adv:
                    Section(f"{g}", adv)

    sections = [
        ("run", lambda: Section("Learners and length of the run", RUN, expand=True)),
        ("population", lambda: Section("The learners at the start", basic("population"))),
        ("schedule", details("Tasks: how difficult they are", ScheduleControls)),
        ("shock", details("A severe failure (shock)", ShockControls)),
        ("strategy", details("Intervention strategy", StrategyPicker)),
        (
            "sources",
            lambda: Section(
                "The four sources of self-belief", basic("mastery", "vicarious", "persuasion", "physiological")
            ),
        ),
        (
            "choosing",
            lambda: Section(
                "Choosing, learning and watching others",
                basic("choice", "skill", "network", "arousal", "effort", "performance"),
            ),
        ),
        (
            "others",
            lambda: Section(
                "Teacher, peers and models: expectations, credibility, praise",
                basic("modelling", "expectations", "praise"),
            ),
        ),
        ("clarity", lambda: Section("How clearly learners see their own results", basic("feedback", "complexity"))),
        ("domains", details("Domains (school subjects) and self-esteem", DomainControls)),
        ("advanced", advanced),
    ]
    return tuple(_part(name, render) for name, render in sections)


@solara.component
def Sidebar():
    """Presets first; then every control, generated from the declarations in sim/params.py.

    Reads no state itself: each control (and each part that shows or hides controls) reads only its own
    values, so a change re-renders one control, not the ~70 of them; and each section is a render tree
    of its own (:func:`sidebar_parts`).
    """
    with solara.Column(gap="4px", style={"padding": "4px"}):
        PresetPicker()
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            SaveScenario()
        Prose(
            "Every change recomputes the run. Your settings are kept in this page's address: reload it or send "
            "the link. A saved scenario runs from the command line: `efficacy-sim run scenario.toml`."
        )
        for part in sidebar_parts():
            Island(part)


# --------------------------------------------------------------------------------------------
# Explore
# --------------------------------------------------------------------------------------------
def advance() -> int:
    """One playback frame (the browser's :class:`~dashboards.vega.Ticker` asks for each); stops at the end."""
    r = rec.value
    if r is None or not playing.value or SHUTDOWN.is_set():
        playing.value = False
        return frame.value
    if frame.value >= r.steps:
        playing.value = False
        return frame.value
    t0 = time.perf_counter()
    frame.value = frame.value + 1  # renders the frame
    frame_times.append(time.perf_counter() - t0)
    if frame.value >= r.steps:
        playing.value = False
    return frame.value


@solara.lab.computed
def at_end() -> bool:
    """The player shows the last step (changes twice a run, not every frame: the buttons read this)."""
    r = rec.value
    return r is not None and frame.value >= r.steps


@solara.component
def PlayerButtons(r: Recording):
    """Play / Pause, Step, to the start / end and the speed: re-rendered when playing starts or stops, or at the end."""
    on, end = playing.value, at_end.value
    with solara.Row(classes=["dash-player"]):
        if on:
            solara.Button("Pause", icon_name="mdi-pause", color="warning", on_click=lambda: playing.set(False))
        else:
            solara.Button(
                "Play", icon_name="mdi-play", color="primary", on_click=lambda: playing.set(True), disabled=end
            )
        solara.Button(
            "Step",
            icon_name="mdi-step-forward",
            on_click=lambda: frame.set(min(frame.value + 1, r.steps)),
            disabled=on or end,
        )
        solara.Button(
            "To the start", icon_name="mdi-skip-previous", on_click=lambda: (playing.set(False), frame.set(0))
        )
        solara.Button(
            "To the end", icon_name="mdi-skip-next", on_click=lambda: (playing.set(False), frame.set(r.steps))
        )
        solara.Select(
            "speed",
            values=list(SPEEDS),
            value=speed.value,
            on_value=speed.set,
            dense=True,
            style={"max-width": "190px"},
            classes=["dash-speed"],
        )


@solara.component
def Clock(r: Recording):
    """The playback clock (:class:`~dashboards.vega.Ticker`), showing the status line; it tells the step to the
    charts that follow it in the browser."""
    t = frame.value
    c = r.configs[0]
    Ticker.element(
        running=playing.value,
        interval_ms=int(1000 / SPEEDS[speed.value]),
        ack=t,
        on_tick=advance,
        step_event=STEP_EVENT,
        text=f"Step {t} of {r.steps} · {r.agents} agents · seed {c.seed}",
        text_class="dash-status",
        text_style="font-weight: bold; margin-left: 12px",
    )


@solara.component
def TimeSlider(r: Recording):
    solara.SliderInt(
        "time: step",
        value=frame.value,
        min=0,
        max=r.steps,
        on_value=lambda x: (playing.set(False), frame.set(int(x))),
        thumb_label=False,
    )


@solara.component
def Player(r: Recording):
    """The player. Split so that a frame re-renders only the clock and the slider, not the buttons."""
    with solara.Row(classes=["dash-player"]):
        PlayerButtons(r)
        Island(CLOCK)
        solara.Text(
            f"scenario {r.configs[0].digest()}", classes=["dash-digest"], style={"color": "#888", "font-size": "0.8em"}
        )
    with solara.Div(classes=["dash-time"]):
        Island(SLIDER)


def _story_rows(r: Recording, agent: int, t: int) -> list[list[str]]:
    s = r.story(agent, 0, t)
    rows = []
    for step in range(t, max(-1, t - 8), -1):
        if step == 0:
            what = "start"
        elif s["engagement"][step] == 2 and not s["attempted"][step]:
            what = "has given up (disengaged)"
        elif s["shocked"][step]:
            what = "severe failure (shock)"
        elif not s["attempted"][step]:
            what = "avoided the task"
        elif s["success"][step]:
            what = "success (handed to it)" if s["handed"][step] else "success (earned)"
        else:
            what = "failure"
        d = s["difficulty"][step]
        rows.append(
            [
                str(step),
                "-" if d != d else number(d, 2),
                what,
                number(s["effort"][step], 2),
                number(s["efficacy"][step], 2),
                number(s["skill"][step], 2),
                *(signed(s[k][step]) for k in charts.SOURCES),
            ]
        )
    return rows


STEP_EVENT = "dash-step"
"""The browser event by which the player's clock tells its step to the charts that follow it."""


def follow(datum) -> None:
    """A click on a learner's dot (scatter or network): follow that learner."""
    if datum and "agent" in datum:
        picked.value = int(datum["agent"])


@solara.component
def LiveChart(r: Recording, name: str, clickable: bool = False):
    """One Explore chart, re-rendered alone.

    Its spec is embedded once per run length; rows that hold the whole run go once per run (or followed
    learner). Charts that show one step (``charts.PER_STEP``) get that step's rows on each frame; the others
    move their ``now`` param with the player's clock in the browser and do not read ``frame`` at all.
    Charts that do not follow a learner do not read ``picked``.
    """
    agent = min(picked.value, r.agents - 1) if name in charts.FOLLOWING else 0
    spec = solara.use_memo(lambda: Opaque(charts.specs(r)[name]), [id(r), name])
    static = solara.use_memo(lambda: Opaque(charts.chart_static(r, name, agent)), [id(r), name, agent])
    run = id(r) % 100000
    if name in charts.PER_STEP:
        t = min(frame.value, r.steps)
        rows, signals, stamp, step_event = Opaque(charts.chart_frame(r, name, t, agent)), None, f"{run}-{t}-{agent}", ""
    else:  # moves with the player's clock in the browser: no server render or message per frame
        rows, signals, stamp, step_event = None, None, f"{run}-{{step}}-{agent}", STEP_EVENT
    with solara.Div(classes=["dash-chart-card", f"chart-{name}"]):
        Chart(
            spec,
            name,
            static,
            rows,
            signals,
            stamp=stamp,
            on_click=follow if clickable else None,
            follow_step=step_event,
        )


@solara.component
def Downloads(r: Recording):
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px", "align-items": "center"}):
        solara.Text("Download:", style={"font-size": "0.9em"})
        solara.FileDownload(
            lambda: simmod.to_csv(r.series_table()), filename="series.csv", label="population series (CSV)",
            children=[solara.Button("population series (CSV)", small=True, classes=["dash-download-csv"])],
        )  # fmt: skip
        solara.FileDownload(
            lambda: simmod.to_parquet(r.agents_table()), filename="learners.parquet", label="every learner, every step (Parquet)",
            children=[solara.Button("every learner, every step (Parquet)", small=True, classes=["dash-download-parquet"])],
        )  # fmt: skip
        solara.Text("Charts: PNG / SVG links on each chart.", style={"font-size": "0.8em", "color": "#666"})


@solara.component
def FollowBar(r: Recording):
    """Find a learner in a virtuous or vicious cycle, or type its number."""
    agent = min(picked.value, r.agents - 1)

    def find(kind: str) -> None:
        t = min(frame.value, r.steps)  # read in the handler: the bar does not re-render every frame
        who = r.find_cycle(kind, max(t, 1))
        if who is None:
            problem.value = f"No learner is in a {kind} cycle by step {t}: play further, or change the scenario."
        else:
            problem.value = ""
            picked.value = who

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "8px"}):
        solara.Button(
            "Show me a learner in a virtuous cycle",
            on_click=lambda: find("virtuous"),
            classes=["dash-find-virtuous"],
            outlined=True,
        )
        solara.Button(
            "Show me a learner in a vicious cycle",
            on_click=lambda: find("vicious"),
            classes=["dash-find-vicious"],
            outlined=True,
        )
        solara.InputInt(
            "learner number",
            value=agent,
            on_value=lambda i: picked.set(min(max(int(i or 0), 0), r.agents - 1)),
            dense=True,
            classes=["dash-follow-input"],
            style={"max-width": "140px"},
        )
        solara.Text(f"Following learner {agent}", classes=["dash-story-agent"], style={"font-weight": "bold"})


STORY_HEAD = ["step", "task", "what happened", "effort", "self-belief", "skill"]
STORY_HEAD += ["own results", "watching", "being told", "tension"]


@solara.component
def StoryTable(r: Recording):
    Table(STORY_HEAD, _story_rows(r, min(picked.value, r.agents - 1), min(frame.value, r.steps)), "dash-story-table")


def _of_the_run(component, *args):
    """A component of the current recording, for an :class:`Island` (which calls it without arguments)."""

    @solara.component
    def OfTheRun():
        r = rec.value
        if r is not None:
            component(r, *args)

    OfTheRun.__name__ = f"{component.__name__}OfTheRun"
    return OfTheRun


LIVE = {n: _of_the_run(LiveChart, n, n in ("scatter", "network")) for n in charts.EXPLORE_CHARTS}
CLOCK, SLIDER, STORY_TABLE = _of_the_run(Clock), _of_the_run(TimeSlider), _of_the_run(StoryTable)
CARD = "flex: 1 1 420px; min-width: 0"


@solara.component
def ExploreRun(r: Recording):
    """The page for one recording. Reads no state; the parts that show the frame are islands of their own."""
    Player(r)
    Downloads(r)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "0px"}):
        Island(LIVE["time"], CARD)
        Island(LIVE["outcomes"], CARD)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "0px"}):
        Island(LIVE["scatter"], CARD)
        Island(LIVE["histogram"], CARD)
    solara.HTML(tag="div", unsafe_innerHTML="One learner's story", classes=["dash-story-head"])
    FollowBar(r)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "0px"}):
        Island(LIVE["story"], CARD)
        Island(LIVE["network"], CARD)
    Island(STORY_TABLE)


@solara.component
def Computing():
    """Progress of a run being computed; always in the page (empty when idle), so it never shifts the charts.

    An element that came and went before the charts made reacton rebuild every chart widget twice a run."""
    solara.Text(computing.value, classes=["dash-computing"], style={"color": "#1565c0", "min-height": "1.4em"})


@solara.component
def ExploreLive():
    r = rec.value
    Poller()

    def first_run():
        if rec.value is None and not computing.value:
            start_run()

    solara.use_effect(first_run, [])
    Computing()
    if r is None:
        solara.ProgressLinear(True)
    else:
        ExploreRun(r)


@solara.component
def ExplorePage():
    NavTabs()
    UrlState()
    with solara.Sidebar():
        Sidebar()
    with solara.Column(style={"padding": "8px"}):
        Prose(
            "### Explore one scenario\n"
            "Learners face tasks, try or avoid them, succeed or fail, and update their **self-belief** "
            "(self-efficacy: what they believe they can do) from four sources: their own results (*mastery*), "
            "watching others (*vicarious*), being told (*persuasion*) and how tense they feel (*physiological*). "
            "The whole run is computed at once: press **Play** to watch it, or drag the time slider."
        )
        ProblemBanner()
        Island(ExploreLive)


# --------------------------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------------------------
def run_comparison() -> None:
    names, reps, v = list(cmp_names.value), int(cmp_replications.value), dict(values.value)
    try:
        comparing.check_request(names, reps, v["agents"], v["steps"])
    except Exception as exc:
        cmp_status.value = f"Cannot compare: {exc}"
        return
    cmp_status.value = f"running {len(names)} strategies + control x {reps} replications..."
    cmp_result.value = None

    def work(cancel: threading.Event, post) -> None:
        try:
            res = comparing.run(v, names, reps, cancel=cancel)
        except Cancelled:
            post(lambda: cmp_status.set("cancelled"))
            return
        except Exception as exc:
            message = f"Cannot compare: {exc}"
            post(lambda: cmp_status.set(message))
            return
        post(lambda: (cmp_result.set(res), cmp_status.set("")))

    _in_thread(work, "compare")


def cancel_comparison() -> None:
    key = (_session(), "compare")
    if key in _jobs:
        _jobs[key].set()
    cmp_status.value = "cancelled"


@solara.component
def CompareResults(res: comparing.CompareResult):
    r = res.recording
    specs = solara.use_memo(
        lambda: {k: Opaque(v) for k, v in charts.compare_specs(r.steps, tuple(r.labels)).items()}, [id(r)]
    )
    static = solara.use_memo(lambda: {k: Opaque(charts.chart_static(r, k, 0)) for k in ("time", "outcomes")}, [id(r)])
    Prose(
        f"**Window**: strategies run from step {res.start} to {res.end}; "
        + (
            f"**later test** at step {res.test_step}: a harder task and a severe failure. "
            if res.test_step is not None
            else "no later test. "
        )
        + f"{res.replications} replications on common random numbers. Each cell: strategy minus control on the "
        "project's one effect-size scale (SD: the difference divided by how much learners differ from one another; "
        "pp: percentage points of learners), with its 95% interval, then the raw difference in levels or as a share."
    )
    head = ["outcome", *[n.replace("_", " ") for n in res.names]]
    rows = []
    for key, label, unit in comparing.ROWS:
        digits = 3 if unit == "share" else 2
        cells = [label]
        for n in res.names:
            c = res.cell(n, key)
            u = "pp" if c["unit"] == "percentage points" else "SD"
            cells.append(
                f"{signed(c['effect'], 2)} {u} [{signed(c['lo'], 2)}, {signed(c['hi'], 2)}] "
                f"(raw {signed(c['raw'], digits)} {unit})"
            )
        rows.append(cells)
    Table(head, rows, "dash-compare-table")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "0px"}):
        for name in ("time", "outcomes"):
            with solara.Div(classes=["dash-chart-card", f"chart-cmp-{name}"], style={"flex": "1 1 420px"}):
                Chart(
                    specs[name],
                    f"compare-{name}",
                    static.get(name),
                    None,
                    Opaque({"now": r.steps}),
                    stamp=f"cmp-{id(r) % 100000}",
                )
    solara.Text(
        "Charts: one run per condition on the same random numbers. Handed successes (failures reported as "
        "successes) are drawn apart from earned ones.",
        style={"font-size": "0.85em", "color": "#555"},
    )


@solara.component
def CompareLive():
    Poller()
    lib = simmod.library()
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "10px"}):
        solara.SelectMultiple(
            "strategies to compare with control",
            values=cmp_names.value,
            all_values=list(lib),
            on_value=cmp_names.set,
            classes=["dash-compare-strategies"],
            style={"min-width": "360px"},
        )
        solara.InputInt(
            "replications",
            value=cmp_replications.value,
            on_value=lambda x: cmp_replications.set(int(x or 0)),
            style={"max-width": "120px"},
            classes=["dash-compare-reps"],
        )
        solara.Button(
            "Run comparison",
            icon_name="mdi-play",
            color="primary",
            on_click=run_comparison,
            classes=["dash-compare-run"],
        )
        solara.Button("Cancel", on_click=cancel_comparison, text=True)
    for n in cmp_names.value:
        if n in lib:
            solara.Text(
                f"{n.replace('_', ' ')}: {lib[n].description}",
                style={"font-size": "0.8em", "color": "#444", "display": "block"},
            )
    if cmp_status.value:
        solara.Text(cmp_status.value, classes=["dash-compare-status"], style={"color": "#1565c0"})
    if cmp_result.value is not None:
        CompareResults(cmp_result.value)


@solara.component
def ComparePage():
    NavTabs()
    UrlState()
    with solara.Sidebar():
        Sidebar()
    with solara.Column(style={"padding": "8px"}):
        Prose(
            "### Compare strategies with a control\n"
            "The command line's comparison (`efficacy-sim compare`) on the sidebar's scenario (its own strategy "
            "is ignored here: choose strategies below). Each strategy and the control run on the **same random "
            "numbers**, with the same window and the same later test, so differences come from the strategy. "
            "Look at calibration and overconfidence too: belief that skill does not back falls in the test."
        )
        ProblemBanner()
        Island(CompareLive)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
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


def _warm_up() -> None:
    """Import the core and build the default charts' specs before the first visitor (Altair takes ~1 s)."""
    r = Recording([to_config(default_values())], ["warm-up"])
    r.compute()
    charts.specs(r)  # the default scenario's specs, cached by what they depend on


_warm_up()
_ = (label_of, LIMITS)  # re-exported for tests and docs

routes = [
    solara.Route(path="/", component=ExplorePage, label="Explore", layout=Layout),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="results", component=ResultsPage, label="Results"),
]
