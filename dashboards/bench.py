"""How fast is the dashboard? ``.venv/bin/python dashboards/bench.py [--agents 1000] [--browser]``.

Server side: one step of the model plus a redraw of the five Explore charts (PNG bytes), per step.
With ``--browser``: the real app in headless Chromium, timed two ways per click on *Step*:

* in the page (``performance.now()``): until the step counter shows the new step, and until all five
  charts show their new image, decoded (what a person sees);
* from Python through Playwright (click, then wait for the counter), which adds Playwright's own
  actionability checks and polling (tens of ms) to the same round trip.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboards import figures  # noqa: E402
from dashboards.simulation import Runs, default_values, to_config  # noqa: E402
from sim.commands.dashboard import serve_command  # noqa: E402


def server_side(agents: int, steps: int) -> list[float]:
    runs = Runs([to_config({**default_values(), "agents": agents, "steps": steps})], ["scenario"])
    charts = [figures.TimeSeries(), figures.Calibration(), figures.Histogram(), figures.Network(), figures.Story()]
    for c in charts:
        c.render(runs)  # first draw of the static parts, paid once per scenario
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        runs.step()
        for c in charts:
            c.render(runs)
        times.append(time.perf_counter() - t0)
    return times


CHARTS = ("time", "calibration", "histogram", "network", "story")

# Click Step in the page; resolve with ms until the counter shows step `i` and until every chart's
# <img> got a new src and decoded it.
CLICK_JS = """
async ([i, charts]) => {
  const status = document.querySelector('.dash-status');
  const img = (c) => document.querySelector('img.chart-' + c);
  const old = Object.fromEntries(charts.map(c => [c, img(c).getAttribute('src')]));
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toLowerCase() === 'step');
  const out = {};
  const t0 = performance.now();
  return await new Promise(resolve => {
    const decoded = {};
    const check = () => {
      if (out.status === undefined && status.innerText.includes('Step ' + i + ' of')) out.status = performance.now() - t0;
      for (const c of charts) {
        const im = img(c);
        if (!(c in decoded) && im.getAttribute('src') !== old[c]) {
          decoded[c] = im.decode().catch(() => null);
        }
      }
      if (out.status !== undefined && Object.keys(decoded).length === charts.length && !out.waiting) {
        out.waiting = true;
        observer.disconnect();
        Promise.all(Object.values(decoded)).then(() => { out.charts = performance.now() - t0; resolve(out); });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    button.click();
    setTimeout(() => { observer.disconnect(); resolve(out); }, 10000);
  });
}
"""


def browser(agents: int, clicks: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    cmd = serve_command("127.0.0.1", port)
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            status = page.locator(".dash-status").first
            status.filter(has_text="Step 0 of").wait_for(timeout=60_000)
            if agents != 1000:
                box = page.locator(".dash-input-agents input").first
                box.fill(str(agents))
                box.press("Enter")
                status.filter(has_text=f"{agents} agents").wait_for()
            page.wait_for_timeout(1500)
            times: dict[str, list[float]] = {"status": [], "charts": [], "playwright": []}
            button = page.get_by_role("button", name="Step", exact=True)
            for i in range(1, 2 * clicks + 1):
                if i % 2:  # odd steps: timed in the page
                    got = page.evaluate(CLICK_JS, [i, list(CHARTS)])
                    times["status"].append(got.get("status", float("inf")) / 1000)
                    times["charts"].append(got.get("charts", float("inf")) / 1000)
                else:  # even steps: timed from Python through Playwright
                    t0 = time.perf_counter()
                    button.click()
                    page.locator(".dash-status").filter(has_text=re.compile(rf"Step {i} of")).wait_for()
                    times["playwright"].append(time.perf_counter() - t0)
                page.wait_for_timeout(100)  # a person does not click within the same frame
            b.close()
        return times
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def report(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name}: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} steps")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--browser", action="store_true", help="also time Step clicks in headless Chromium")
    args = ap.parse_args()
    report(f"server: step + redraw of 5 charts, {args.agents} agents", server_side(args.agents, args.steps))
    if args.browser:
        times = browser(args.agents, 20)
        report(f"browser, in page: click Step -> counter shows it, {args.agents} agents", times["status"])
        report(f"browser, in page: click Step -> all 5 charts decoded, {args.agents} agents", times["charts"])
        report(f"browser, via Playwright: click Step -> counter shows it, {args.agents} agents", times["playwright"])


if __name__ == "__main__":
    main()
