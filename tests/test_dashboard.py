"""The dashboard, served for real by `solara run` and driven in headless Chromium (Playwright).

One server and one page (starting them costs most of the time). The checks run in order on that
page as one test, so no test runner can split or reorder them (pytest-xdist's loadgroup did split
module-level groups here). Every request the page makes is recorded: none may fail, return
an error status or go anywhere but the local server.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

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
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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
        pg.problems = problems
        pg.goto(server["url"])
        yield pg
        browser.close()
    # the server must not have tried to fetch anything from the internet either (e.g. a CDN)
    assert "Could not load URL" not in server["log"].read_text()
    assert server["proc"].poll() is None, "the server died during the tests"


def status(page) -> str:
    return page.locator(".dash-status").first.inner_text()


def step_of(page) -> int:
    return int(re.search(r"Step (\d+) of", status(page)).group(1))


def wait_status(page, pattern: str) -> None:
    page.locator(".dash-status").filter(has_text=re.compile(pattern)).first.wait_for()


def img_src(page, name: str) -> str:
    return page.locator(f"img.chart-{name}").first.get_attribute("src")


def check_page_loads_offline(page):
    wait_status(page, r"Step 0 of 100 · 1000 agents")
    for name in ("time", "calibration", "histogram", "network", "story"):
        page.locator(f"img.chart-{name}").first.wait_for()
    page.get_by_text("Explore one scenario").wait_for()
    page.screenshot(path=ARTIFACTS / "explore.png", full_page=True)
    assert page.problems == []


def check_stepping_updates_charts(page):
    before = {n: img_src(page, n) for n in ("time", "histogram", "network", "calibration")}
    page.get_by_role("button", name="Step", exact=True).click()
    wait_status(page, r"Step 1 of")
    for name, src in before.items():
        page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).getAttribute('src') !== old", arg=[f"img.chart-{name}", src]
        )
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("() => /Step ([6-9]|\\d\\d+) of/.test(document.querySelector('.dash-status').innerText)")
    # pause before anything slow (a screenshot): a fast run would otherwise reach the last step and stop by itself
    page.get_by_role("button", name="Pause", exact=True).click()
    page.screenshot(path=ARTIFACTS / "explore-running.png")
    page.get_by_role("button", name="Run", exact=True).wait_for()
    paused_at = step_of(page)
    page.wait_for_timeout(700)
    assert step_of(page) == paused_at, "the run kept stepping after Pause"
    assert paused_at > 5

    # follow another agent: its story is replayed from step 0 up to the current step
    follow = page.locator(".v-input", has_text="follow agent").locator("[role='slider']").first
    follow.focus()
    follow.press("ArrowRight")
    page.get_by_text("Following agent 1").wait_for()
    story = page.locator(".dash-prose table").last
    assert story.locator("tbody tr").first.locator("td").first.inner_text() == str(paused_at)
    page.locator("img.chart-story").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "explore-story.png")
    assert page.problems == []


def check_controls_change_the_model(page):
    digest = page.locator(".dash-digest").first.inner_text()
    box = page.locator(".dash-input-agents input").first
    box.fill("250")
    box.press("Enter")
    wait_status(page, r"Step 0 of 100 · 250 agents")
    assert page.locator(".dash-digest").first.inner_text() != digest

    # a value outside the declared range is refused with a message naming the field; the model keeps 250
    box.fill("0")
    box.press("Enter")
    page.get_by_text(re.compile(r"agents = 0 is not allowed")).first.wait_for()
    assert "250 agents" in status(page)

    # a slider generated from the declaration: the keyboard moves it by one step of its range
    digest = page.locator(".dash-digest").first.inner_text()
    page.get_by_text("Weights of the four sources of efficacy").click()
    slider = page.locator("[role='slider'][data-param='mastery_gain_success']").first
    slider.focus()
    slider.press("ArrowRight")
    page.get_by_text(re.compile(r"mastery gain success: 0\.51")).first.wait_for()
    page.wait_for_function("(old) => document.querySelector('.dash-digest').innerText !== old", arg=digest)
    page.screenshot(path=ARTIFACTS / "explore-controls.png", full_page=True)
    assert page.problems == []


def check_comparison_shows_two_runs(page):
    page.get_by_role("tab", name="Compare").click()
    page.get_by_text("Compare: control vs an intervention").wait_for()
    wait_status(page, r"Step 0 of 100 · 250 agents")
    page.locator("img.chart-pair-time").first.wait_for()
    before = img_src(page, "pair-time")
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_timeout(150)
    wait_status(page, r"Step 3 of")
    page.wait_for_function(
        "(old) => document.querySelector('img.chart-pair-time').getAttribute('src') !== old", arg=before
    )
    table = page.locator(".dash-prose table").last
    header = table.locator("th").all_inner_texts()
    assert header[1:3] == ["control", "mastery ladder"]
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


def check_back_to_explore_still_steps(page):
    # the live part of a page is its own render tree (app.Island): it must mount again, and step, on return
    page.get_by_role("tab", name="Explore").click()
    wait_status(page, r"Step 0 of 100 · 250 agents")
    before = img_src(page, "network")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_status(page, r"Step 1 of 100 · 250 agents")
    page.wait_for_function(
        "(old) => document.querySelector('img.chart-network').getAttribute('src') !== old", arg=before
    )
    assert page.problems == []


def test_dashboard_in_browser(page, server):
    """Load offline; step and play; controls change the model; compare two runs; browse results."""
    check_page_loads_offline(page)
    check_stepping_updates_charts(page)
    check_controls_change_the_model(page)
    check_comparison_shows_two_runs(page)
    check_results_page(page, server)
    check_back_to_explore_still_steps(page)
