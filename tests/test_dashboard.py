"""The dashboard, served for real by `solara run` and driven in headless Chromium (Playwright).

One server and one page (starting them costs most of the time). The checks run in order on that
page as one test, so no test runner can split or reorder them (pytest-xdist's loadgroup did split
module-level groups here). Every request the page makes is recorded: none may fail, return
an error status or go anywhere but the local server; the console must show no error.
Screenshots of every page go to test-artifacts/dashboard/. A second test stops a real
`efficacy-sim dashboard` with a real SIGTERM while a session plays.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sim.commands.dashboard import serve_command

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("dashboard")]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 60_000  # generous: CI machines are small and busy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real app, on a free local port, with an empty temporary results folder."""
    results = tmp_path_factory.mktemp("results")
    log = tmp_path_factory.mktemp("log") / "solara.log"
    port = _free_port()
    env = {**os.environ, "EFFICACY_SIM_RESULTS": str(results)}
    cmd = serve_command("127.0.0.1", port)
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dashboard server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield {"url": url, "results": results, "log": log, "proc": proc}
    proc.send_signal(signal.SIGINT)  # Ctrl-C: the server must stop by itself, promptly
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the dashboard server ignored SIGINT")


@pytest.fixture(scope="module")
def page(server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (scripts/setup.sh --browser installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    host = urlparse(server["url"]).netloc

    def on_request(req):
        if not req.url.startswith(("data:", "blob:")) and urlparse(req.url).netloc != host:
            problems.append(f"request leaves the machine: {req.url}")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(TIMEOUT_MS)
        pg.on("request", on_request)
        pg.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        pg.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        pg.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        pg.problems = problems
        pg.goto(server["url"])
        yield pg
        browser.close()
    # the server must not have tried to fetch anything from the internet either (e.g. a CDN)
    assert "Could not load URL" not in server["log"].read_text()
    assert server["proc"].poll() is None, "the server died during the tests"


CHARTS = ("time", "outcomes", "scatter", "histogram", "network", "story")


def status(page) -> str:
    return page.locator(".dash-status").first.inner_text()


def step_of(page) -> int:
    return int(re.search(r"Step (\d+) of", status(page)).group(1))


def wait_status(page, pattern: str) -> None:
    page.locator(".dash-status").filter(has_text=re.compile(pattern)).first.wait_for()


def wait_drawn(page, step: int, charts=CHARTS) -> None:
    """Every chart has drawn the rows of ``step`` (the widget sets data-stamp once Vega has run)."""
    page.wait_for_function(
        """([names, step]) => names.every(n => {
             const el = document.querySelector(`.dash-vega[data-chart='${n}']`);
             return el && (el.getAttribute('data-stamp') || '').split('-')[1] === String(step);
           })""",
        arg=[list(charts), step],
    )


def view_data(page, chart: str, dataset: str) -> list[dict]:
    """Rows of a named dataset in a chart's live Vega view."""
    return page.evaluate(
        "([c, d]) => document.querySelector(`.dash-vega[data-chart='${c}']`).__vue__.view.data(d)", [chart, dataset]
    )


def following(page) -> int:
    return int(re.search(r"Following learner (\d+)", page.locator(".dash-story-agent").first.inner_text()).group(1))


def open_section(page, title: str) -> None:
    page.get_by_text(title, exact=True).first.click()


def choose(page, select_css: str, option: str) -> None:
    page.locator(select_css).first.click()
    page.get_by_role("option", name=option, exact=True).first.click()


def check_page_loads_offline(page):
    wait_status(page, r"Step 0 of 100 · 1000 agents")
    wait_drawn(page, 0)
    page.get_by_text("Explore one scenario").wait_for()
    page.get_by_text("Start from a preset").first.wait_for()
    # plain labels first, the code name beside the meaning
    page.get_by_text("Number of learners", exact=True).first.wait_for()
    assert page.locator(".dash-code-name", has_text="agents").count() >= 1
    # something is plotted at step 0 already
    assert len(view_data(page, "time", "series")) > 0 and len(view_data(page, "scatter", "points")) == 1000
    page.screenshot(path=ARTIFACTS / "explore.png", full_page=True)
    assert page.problems == []


def check_playback(page):
    page.get_by_role("button", name="Step", exact=True).click()
    wait_status(page, r"Step 1 of")
    wait_drawn(page, 1)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Step ([6-9]|\\d\\d+) of/.test(document.querySelector('.dash-status').innerText)")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    paused_at = step_of(page)
    page.wait_for_timeout(700)
    assert step_of(page) == paused_at, "playback went on after Pause"
    page.screenshot(path=ARTIFACTS / "explore-playing.png")
    page.get_by_role("button", name="To the end", exact=True).click()
    wait_status(page, r"Step 100 of 100")
    wait_drawn(page, 100)
    assert page.get_by_role("button", name="Play", exact=True).is_disabled()
    # the time slider: the keyboard moves it, and the charts follow
    slider = page.locator(".dash-time [role='slider']").first
    slider.focus()
    slider.press("Home")
    wait_status(page, r"Step 0 of 100")
    for _ in range(3):
        slider.press("ArrowRight")
    wait_status(page, r"Step 3 of 100")
    wait_drawn(page, 3)
    # the time charts follow the player's clock in the browser: their `now` param is the step shown
    for chart in ("time", "outcomes", "story"):
        now = page.evaluate(
            "(c) => document.querySelector(`.dash-vega[data-chart='${c}']`).__vue__.view.signal('now')", chart
        )
        assert now == 3, (chart, now)
    page.get_by_role("button", name="To the end", exact=True).click()
    wait_status(page, r"Step 100 of 100")
    assert page.problems == []


def check_following_a_learner(page):
    before = following(page)
    page.locator(".dash-find-virtuous").first.click()
    page.wait_for_function(
        "(b) => !document.querySelector('.dash-story-agent').innerText.endsWith(' ' + b) || document.querySelector('.dash-problem')",
        arg=before,
    )
    virtuous = following(page)
    page.locator(".dash-find-vicious").first.click()
    page.wait_for_timeout(500)
    assert following(page) != virtuous or page.locator(".dash-problem").count() > 0
    # click a dot in the scatter: that learner's story is shown
    page.locator(".dash-vega[data-chart='scatter']").scroll_into_view_if_needed()
    target = page.evaluate(
        """() => {
          const el = document.querySelector(".dash-vega[data-chart='scatter']");
          const view = el.__vue__.view;
          const rows = view.data('points');
          const d = rows.reduce((a, b) => (b.e > a.e ? b : a));
          const [ox, oy] = view.origin();
          const pad = view.padding();
          const box = el.querySelector('canvas').getBoundingClientRect();
          return {agent: d.agent, x: box.left + pad.left + ox + view.scale('x')(d.s),
                  y: box.top + pad.top + oy + view.scale('y')(d.e)};
        }"""
    )
    page.mouse.click(target["x"], target["y"])  # where Vega drew that dot
    page.get_by_text(f"Following learner {target['agent']}", exact=True).wait_for()
    table = page.locator(".dash-story-table table").first
    assert table.locator("tbody tr").first.locator("td").first.inner_text() == str(step_of(page))
    assert "-0.000" not in table.inner_text()
    # charts draw at the browser's next animation frame: wait until the network has drawn that learner
    page.wait_for_function(
        """(a) => document.querySelector(".dash-vega[data-chart='network']").__vue__.view.data('nodes')
                   .some(r => r.agent === a)""",
        arg=target["agent"],
    )
    assert {r["agent"] for r in view_data(page, "network", "nodes")} >= {target["agent"]}
    page.locator(".chart-story").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "explore-story.png")
    assert page.problems == []


def check_controls_and_the_link(page):
    digest = page.locator(".dash-digest").first.inner_text()
    box = page.locator(".dash-input-agents input").first
    box.fill("250")
    box.press("Enter")
    wait_status(page, r"Step 0 of 100 · 250 agents")
    assert page.locator(".dash-digest").first.inner_text() != digest

    # outside the declared range, or beyond the dashboard's limits: refused with a message naming the field
    box.fill("0")
    box.press("Enter")
    page.get_by_text(re.compile(r"agents = 0 is not allowed")).first.wait_for()
    steps = page.locator(".dash-input-steps input").first
    steps.fill("1000000")
    steps.press("Enter")
    page.get_by_text(
        re.compile(r"steps = 1000000 is not allowed: expected at most 1,000 in the dashboard")
    ).first.wait_for()
    assert "of 100 · 250 agents" in status(page)

    # a slider generated from the declaration, with its plain label
    digest = page.locator(".dash-digest").first.inner_text()
    open_section(page, "The four sources of self-belief")
    slider = page.locator("[role='slider'][data-param='mastery_gain_success']").first
    slider.focus()
    slider.press("ArrowRight")
    page.get_by_text(re.compile(r"Belief gained from an unexpected success: 0\.51")).first.wait_for()
    page.wait_for_function("(old) => document.querySelector('.dash-digest').innerText !== old", arg=digest)

    # schedule fields that the chosen kind does not read are hidden
    open_section(page, "Tasks: how difficult they are")
    ramp_rate = re.compile(r"^Difficulty added each step: ")
    assert page.get_by_text(ramp_rate).count() == 0
    choose(page, ".dash-select-kind", "ramp")
    page.get_by_text(ramp_rate).first.wait_for()
    choose(page, ".dash-select-kind", "constant")
    page.wait_for_function("() => !document.body.innerText.includes('Difficulty added each step: ')")
    page.screenshot(path=ARTIFACTS / "explore-controls.png", full_page=True)

    # the settings are in the address: a reload keeps them
    page.wait_for_function(
        "() => location.search.includes('agents=250') && location.search.includes('mastery_gain_success=0.51')"
    )
    page.reload()
    wait_status(page, r"Step 0 of 100 · 250 agents")
    open_section(page, "The four sources of self-belief")
    page.get_by_text(re.compile(r"Belief gained from an unexpected success: 0\.51")).first.wait_for()
    assert page.problems == []


def check_presets_save_and_export(page, tmp_path):
    choose(page, ".dash-preset", "Scenario: early failure")
    wait_status(page, r"Step 0 of 100 · 1000 agents")
    page.locator(".dash-preset-description", has_text="severe").first.wait_for()
    wait_drawn(page, 0)
    assert [e["start"] for e in view_data(page, "time", "events")] == [5]  # the shock is marked

    with page.expect_download() as got:
        page.locator(".dash-save-toml").first.click()
    toml = tmp_path / "saved.toml"
    got.value.save_as(toml)
    out = tmp_path / "cli"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(toml), "--out", str(out)], cwd=ROOT, check=True, timeout=120
    )
    cli = pd.read_parquet(out / "series.parquet")

    with page.expect_download() as got:
        page.locator(".dash-download-csv").first.click()
    got.value.save_as(tmp_path / "series.csv")
    mine = pd.read_csv(tmp_path / "series.csv")
    assert len(mine) == len(cli) == 101
    for col in ("efficacy_mean", "skill_mean", "disengaged_share"):
        np.testing.assert_allclose(mine[col], cli[col], rtol=0, atol=1e-9, err_msg=col)

    with page.expect_download() as got:
        page.locator(".dash-download-parquet").first.click()
    got.value.save_as(tmp_path / "learners.parquet")
    learners = pd.read_parquet(tmp_path / "learners.parquet")
    assert len(learners) == 101 * 1000 and {"step", "agent", "efficacy", "skill", "handed"} <= set(learners.columns)

    for kind, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
        with page.expect_download() as got:
            page.locator(f".dash-vega[data-chart='time'] .dash-save-{kind}").first.click()
        path = tmp_path / f"time.{kind}"
        got.value.save_as(path)
        assert magic in path.read_bytes()[:200], kind
    assert page.problems == []


def check_compare_is_the_cli_comparison(page):
    page.get_by_role("tab", name="Compare").click()
    page.get_by_text("Compare strategies with a control").wait_for()
    reps = page.locator(".dash-compare-reps input").first
    reps.fill("3")
    reps.press("Enter")
    page.locator(".dash-compare-run").first.click()
    table = page.locator(".dash-compare-table table").first
    table.wait_for(timeout=120_000)
    assert table.locator("th").all_inner_texts() == ["outcome", "mastery ladder", "trophy"]
    page.get_by_text(re.compile(r"strategies run from step 10 to 60; later test at step 80")).wait_for()
    rows = {
        r.locator("td").first.inner_text(): r.locator("td").all_inner_texts()[1:]
        for r in table.locator("tbody tr").all()
    }
    # effect on the project's scale (SD across learners, or pp for shares) with its interval, then the raw difference
    num = r"[+-]?\d+\.\d+"
    cell = re.compile(rf"^{num} (SD|pp) \[{num}, {num}\] \(raw {num} (levels|share)\)$")
    for label in (
        "share overconfident before the test (belief > skill + 1)",
        "belief minus skill before the test (> 0: overconfident)",
        "self-belief lost in the test (> 0: fell more than control)",
        "final skill",
        "final share disengaged",
    ):
        assert all(cell.match(c) for c in rows[label]), (label, rows[label])
    # handed successes are drawn apart from earned ones: trophy hands them, control does not
    page.locator(".dash-vega[data-chart='compare-outcomes'][data-stamp]").first.wait_for()
    handed = [r for r in view_data(page, "compare-outcomes", "outcomes") if r["measure"] == "handed successes"]
    assert handed and {r["run"] for r in handed} == {"trophy"}
    page.screenshot(path=ARTIFACTS / "compare.png", full_page=True)
    assert page.problems == []


def check_results_page(page, server):
    page.get_by_role("tab", name="Results").click()
    page.get_by_text("No results yet").wait_for()
    page.screenshot(path=ARTIFACTS / "results-empty.png", full_page=True)

    exp = server["results"] / "demo"
    exp.mkdir()
    (exp / "summary.md").write_text("# Demo summary\n\n| metric | value |\n|---|---|\n| efficacy_mean | 3.1 |\n")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    fig.subplots().plot([0, 1, 2], [1, 3, 2])
    fig.savefig(exp / "efficacy.png")
    fig.savefig(exp / "efficacy.svg")  # a PNG twin exists: shown once, as the PNG
    fig.savefig(exp / "only.svg")
    page.get_by_role("button", name="Refresh", exact=True).click()
    page.get_by_text("Demo summary").wait_for()
    page.get_by_text("only.svg").wait_for()
    page.get_by_text("efficacy.png").wait_for()
    assert page.get_by_text("efficacy.svg").count() == 0
    assert page.locator("img[src]").count() >= 2
    page.screenshot(path=ARTIFACTS / "results.png", full_page=True)
    assert page.problems == []


def check_back_to_explore_still_plays(page):
    # the live part of a page is its own render tree (app.Island): it must mount again, and play, on return
    page.get_by_role("tab", name="Explore").click()
    wait_status(page, r"Step \d+ of 100 · 1000 agents")
    page.get_by_role("button", name="To the start", exact=True).click()
    wait_status(page, r"Step 0 of 100")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_status(page, r"Step 1 of 100 · 1000 agents")
    wait_drawn(page, 1)
    assert page.problems == []


def check_domains_preset(page):
    """A multi-domain scenario draws one self-belief line per subject and the self-esteem line."""
    choose(page, ".dash-preset", "Scenario: three subjects")
    wait_status(page, r"Step 0 of 99 · 1000 agents")  # presets run at least 1,000 learners
    wait_drawn(page, 0)
    measures = {r["measure"] for r in view_data(page, "time", "series")}
    assert {"self-belief: maths", "self-belief: physics", "self-belief: art"} <= measures
    assert any(m.startswith("self-esteem") for m in measures)
    assert [e["start"] for e in view_data(page, "time", "events")] == [9]  # the maths shock is marked
    open_section(page, "Domains (school subjects) and self-esteem")
    assert page.locator(".dash-domains-names input").first.input_value() == "maths, physics, art"
    # an intervention aimed at one subject: set in the page, carried by the link
    open_section(page, "Intervention strategy")
    choose(page, ".dash-select-strategy", "specific_persuasion")
    box = page.locator(".dash-intervention-domain input").first
    box.fill("maths")
    box.press("Enter")
    page.wait_for_function("() => location.search.includes('intervention.domain=maths')")
    assert page.problems == []


def test_dashboard_in_browser(page, server, tmp_path):
    """Load offline; play back; follow learners; controls and the link; presets, save and export; compare; results."""
    check_page_loads_offline(page)
    check_playback(page)
    check_following_a_learner(page)
    check_controls_and_the_link(page)
    check_presets_save_and_export(page, tmp_path)
    check_compare_is_the_cli_comparison(page)
    check_results_page(page, server)
    check_back_to_explore_still_plays(page)
    check_domains_preset(page)


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_the_dashboard_command_stops_on_sigterm_while_a_session_plays(page, tmp_path):
    """`efficacy-sim dashboard` and its server both exit on SIGTERM, with a session playing a long run.

    Uses the module's browser (one Playwright per process), with a page of its own on a server of its own."""
    port = _free_port()
    log = tmp_path / "dashboard.log"
    with open(log, "w") as out:
        cmd = [sys.executable, "-m", "sim", "dashboard", "--port", str(port)]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/?steps=1000"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dashboard did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        servers = _children(proc.pid)
        assert servers, "the command serves from a child process"
        other = page.context.browser.new_page()
        other.set_default_timeout(TIMEOUT_MS)
        other.goto(url)
        wait_status(other, r"Step 0 of 1000")
        # a click that lands while the page is still re-rendering from the address's settings can be lost
        # (the button is replaced under it); press Play again until the session is playing
        pause = other.get_by_role("button", name="Pause", exact=True)
        for _ in range(12):
            other.get_by_role("button", name="Play", exact=True).click()
            try:
                pause.wait_for(timeout=5_000)
                break
            except PlaywrightTimeout:
                continue
        pause.wait_for()  # the session is playing
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        other.close()
        assert code == 128 + signal.SIGTERM
        while any(_alive(s) for s in servers) and time.monotonic() - t0 < 20:
            time.sleep(0.2)
        assert not any(_alive(s) for s in servers), "the server outlived the command (orphan)"
    finally:
        if proc.poll() is None:
            proc.kill()
        for s in _children(proc.pid):
            os.kill(s, signal.SIGKILL)
