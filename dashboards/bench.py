"""How fast is the dashboard? ``.venv/bin/python dashboards/bench.py [--browser]``.

Prints the figures the dashboard issue names:

* full 100-step run + first render at 1,000 agents (target under 1 s): on the server, computing the
  whole run plus building every chart's first rows; with ``--browser``, in the page, from pressing Enter
  in the learners box until every chart has drawn the new run;
* playback frame time (target under 100 ms median): on the server, the rows of one frame; with
  ``--browser``, the time between drawn frames while playing at the fastest speed;
* step latency at 5,000 agents (target under 250 ms median): with ``--browser``, from a click on *Step*
  until every chart has drawn the new step (server-side frame time without it);
* memory per open session: the recording a session keeps (1,000 x 100 and the largest allowed run)
  and, with ``--browser``, the server's resident memory before and after opening three more sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboards import charts  # noqa: E402
from dashboards.simulation import LIMITS, Recording, default_values, to_config  # noqa: E402
from sim.commands.dashboard import serve_command  # noqa: E402

CHARTS = ("time", "outcomes", "scatter", "histogram", "network", "story")
FASTEST = "fastest (60 steps/s)"  # app.SPEEDS


def ms(xs: list[float]) -> str:
    if not xs:
        return "nothing measured (no frame drawn in time)"
    s = sorted(x * 1000 for x in xs)
    p95 = s[min(len(s) - 1, int(0.95 * len(s)))]
    return f"median {statistics.median(s):.0f} ms, p95 {p95:.0f} ms over {len(s)}"


def run_and_first_frame(agents: int, steps: int) -> tuple[float, float, Recording]:
    t0 = time.perf_counter()
    rec = Recording([to_config({**default_values(), "agents": agents, "steps": steps})], ["scenario"])
    rec.compute()
    t1 = time.perf_counter()
    charts.specs(rec)
    json.dumps(charts.static_rows(rec, 0))
    json.dumps(charts.frame_rows(rec, 0, 0))
    return t1 - t0, time.perf_counter() - t1, rec


def frame_times(rec: Recording, agent: int = 0) -> list[float]:
    out = []
    for t in range(rec.steps + 1):
        t0 = time.perf_counter()
        json.dumps(charts.frame_rows(rec, t, agent))
        out.append(time.perf_counter() - t0)
    return out


def server_side() -> None:
    charts.specs(Recording([to_config({**default_values(), "steps": 100})], ["warm"]))  # the server warms up too
    runs = [run_and_first_frame(1000, 100) for _ in range(3)]
    run_s = [r[0] + r[1] for r in runs]
    print(f"server: full 100-step run + first frame, 1,000 agents: {ms(run_s)} (compute {ms([r[0] for r in runs])})")
    rec = runs[-1][2]
    print(f"server: playback frame rows, 1,000 agents: {ms(frame_times(rec))}")
    big = Recording([to_config({**default_values(), "agents": 5000, "steps": 100})], ["big"])
    big.compute()
    print(f"server: playback frame rows, 5,000 agents: {ms(frame_times(big))}")
    largest = LIMITS["agent_steps"]
    print(
        f"memory: recording of 1,000 x 100 = {rec.nbytes / 1e6:.1f} MB; 5,000 x 100 = {big.nbytes / 1e6:.1f} MB; "
        f"largest allowed ({largest:,} learner-steps) ~ {largest * 41 / 1e6:.0f} MB"
    )


DRAWN_JS = """([names, step]) => names.every(n => {
  const el = document.querySelector(`.dash-vega[data-chart='${n}']`);
  return el && (el.getAttribute('data-stamp') || '').split('-')[1] === String(step);
})"""

# Click Step; resolve with ms until every chart has drawn step `i`.
STEP_JS = """
async ([i, names]) => {
  const drawn = () => names.every(n => {
    const el = document.querySelector(`.dash-vega[data-chart='${n}']`);
    return el && (el.getAttribute('data-stamp') || '').split('-')[1] === String(i);
  });
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toLowerCase() === 'step');
  const t0 = performance.now();
  return await new Promise(resolve => {
    const observer = new MutationObserver(() => { if (drawn()) { observer.disconnect(); resolve(performance.now() - t0); } });
    observer.observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-stamp']});
    button.click();
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 20000);
  });
}
"""

# Arm a watch for a new run with `n` learners: resolves with ms from the Enter key press until the status shows
# the new run and every chart has drawn the new run's step 0 (its stamp names another recording). In the page,
# so it sees the moment it happens (Playwright's own waits poll, at up to 500 ms).
ARM_RUN_JS = """
([n, names]) => {
  const stamp = c => (document.querySelector(`.dash-vega[data-chart='${c}']`).getAttribute('data-stamp') || '').split('-');
  const before = Object.fromEntries(names.map(c => [c, stamp(c)[0]]));
  const done = () => {
    const status = document.querySelector('.dash-status');
    return status && status.innerText.includes(`· ${n} agents`)
      && names.every(c => { const s = stamp(c); return s[0] !== before[c] && s[1] === '0'; });
  };
  window.__dashRun = new Promise(resolve => {
    let t0 = null;
    document.addEventListener('keydown', e => { if (e.key === 'Enter') t0 = performance.now(); }, {capture: true, once: true});
    const observer = new MutationObserver(() => {
      if (t0 !== null && done()) { observer.disconnect(); resolve(performance.now() - t0); }
    });
    observer.observe(document.body, {subtree: true, attributes: true, childList: true, characterData: true});
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 60000);
  });
}
"""

# Record the time of every new frame drawn by the scatter while playing.
PLAY_JS = """
async (frames) => {
  const el = document.querySelector(".dash-vega[data-chart='scatter']");
  const times = [];
  return await new Promise(resolve => {
    let last = el.getAttribute('data-stamp');
    const observer = new MutationObserver(() => {
      const now = el.getAttribute('data-stamp');
      if (now === last) return;  // the same frame drawn again (its other datasets)
      last = now;
      times.push(performance.now());
      if (times.length >= frames) { observer.disconnect(); resolve(times); }
    });
    observer.observe(el, {attributes: true, attributeFilter: ['data-stamp']});
    [...document.querySelectorAll('button')].find(b => b.innerText.trim().toLowerCase() === 'play').click();
    setTimeout(() => { observer.disconnect(); resolve(times); }, 60000);
  });
}
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def browser(args_clicks: int = 20) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        serve_command("127.0.0.1", port), cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
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
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_function(DRAWN_JS, arg=[list(CHARTS), 0])
            rss0 = rss_mb(proc.pid)
            # a new run: Enter in the learners box -> every chart drawn
            firsts = []
            for n in () if os.environ.get("BENCH_ONLY_STEP") else (1001, 1000, 999):
                box = page.locator(".dash-input-agents input").first
                box.fill(str(n))
                page.wait_for_timeout(300)  # the typed text reaches the server first
                page.evaluate(ARM_RUN_JS, [n, list(CHARTS)])
                box.press("Enter")
                got = page.evaluate("() => window.__dashRun")
                firsts.append(got / 1000 if got >= 0 else float("inf"))
            if firsts:
                print(f"browser: new 100-step run -> every chart drawn, ~1,000 agents: {ms(firsts)}")
                # the fastest speed asks for a frame every 17 ms: the frame's own time sets the pace, not the clock
                page.locator(".dash-speed").first.click()
                page.get_by_role("option", name=FASTEST, exact=True).first.click()
                page.locator(".dash-speed").filter(has_text=FASTEST).first.wait_for()
                stamps = page.evaluate(PLAY_JS, 60)
                gaps = [(b2 - a) / 1000 for a, b2 in zip(stamps, stamps[1:], strict=False)]
                print(f"browser: playback, time between drawn frames (fastest speed), 1,000 agents: {ms(gaps)}")
                page.get_by_role("button", name="Pause", exact=True).click()
            page.goto(url + "?agents=5000&steps=200")
            page.locator(".dash-status").filter(has_text="5000 agents").first.wait_for()
            page.wait_for_function(DRAWN_JS, arg=[list(CHARTS), 0])
            lat = []
            for i in range(1, args_clicks + 1):
                got = page.evaluate(STEP_JS, [i, list(CHARTS)])
                if got < 0:
                    stamps = page.evaluate(
                        "() => [...document.querySelectorAll('.dash-vega')].map(e => e.dataset.chart + ' ' + e.getAttribute('data-stamp'))"
                    )
                    print("  step not drawn:", page.locator(".dash-status").first.inner_text(), stamps, file=sys.stderr)
                lat.append(got / 1000 if got >= 0 else float("inf"))
                page.wait_for_timeout(100)
            print(f"browser: click Step -> every chart drawn, 5,000 agents: {ms(lat)}")
            others = [b.new_page() for _ in range(3)]
            for o in others:
                o.goto(url)
                o.wait_for_function(DRAWN_JS, arg=[list(CHARTS), 0], timeout=120_000)
            rss1 = rss_mb(proc.pid)
            print(
                f"memory: server RSS {rss0:.0f} MB with 1 session, {rss1:.0f} MB with 4: ~{(rss1 - rss0) / 3:.0f} MB per session"
            )
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--browser", action="store_true", help="also time the real app in headless Chromium")
    ap.add_argument("--clicks", type=int, default=20, help="Step clicks timed at 5,000 agents (default 20)")
    args = ap.parse_args()
    if not os.environ.get("BENCH_ONLY_STEP"):
        server_side()
    if args.browser:
        browser(args.clicks)


if __name__ == "__main__":
    main()
