"""What a student feels: click -> result drawn, in headless Chromium, for each main action of every
tab, 20 clicks each in one page; next to the echo button of a bare Gradio app in the same run. First,
--opens times each, the page opened (request -> its first view drawn), the app's and the echo app's.

    python scripts/bench_browser.py                 # writes bench/browser.json
    python scripts/bench_browser.py --clicks 10

"Drawn" = every watched output of the action has changed (image source, text, plotted traces) and
two animation frames have passed. Each click changes a setting (a seed, a name, beta) so that every
click has a new result to draw. Reports per action: median, worst, and the first five clicks
against the last five (a page that slows down as it is used is a leak: figures re-created instead of
updated, listeners or WebGL contexts piling up), and how many loading statuses gradio's page walked
at each status change by the end of the action, with the walks per click (a logpoint in the page's
own code: every click pays for each status the page keeps, see page.LEAN_STATUS_JS). Both servers run
as subprocesses; Chromium is Debian's /usr/bin/chromium, as in the tests.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_classroom import FLOOR_APP, Server  # noqa: E402

# the signature of an output: what changes when it is redrawn
SIGNATURE_JS = """(ids) => ids.map((id) => {
  const el = document.getElementById(id);
  if (!el) return "missing";
  const img = el.querySelector("img");
  const plot = el.querySelector(".js-plotly-plot");
  const traces = plot && plot.data ? JSON.stringify(plot.data.map((t) => [t.name, t.x && t.x.length,
      t.x && t.x.length ? t.x[0] : null, t.y && t.y.length ? t.y[t.y.length - 1] : null])) : "";
  const inputs = Array.from(el.querySelectorAll("textarea, input")).map((i) => i.value).join("|");
  return (img ? img.src : "") + "#" + traces + "#" + inputs + "#" + el.innerText.slice(0, 4000);
})"""

TWO_FRAMES_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))"

# action -> (tab label regex, [(selector of a number/text box to change, values by click)], button, outputs)
ACTIONS = {
    "interpolate": ("interpolation", [("#interp-seed input", "{i}")], "#interp-run",
                    ["interp-strip", "interp-info", "interp-map"]),
    "sample posterior": ("prior_posterior", [("#pp-post-seed input", "{i}")], "#pp-post-run",
                         ["pp-samples", "pp-numbers", "pp-map", "pp-hist"]),
    "sample prior": ("prior_posterior", [("#pp-prior-seed input", "{i}")], "#pp-prior-run",
                     ["pp-prior-grid", "pp-map"]),
    "score a name": ("tokens", [("#tokens-text textarea, #tokens-text input", "{name}")], "#tokens-score",
                     ["tokens-strip", "tokens-chain", "tokens-table"]),
    "generate names": ("tokens", [("#tokens-seed input", "{i}")], "#tokens-generate",
                       ["tokens-samples", "tokens-gen-md"]),
    # no button: moving the beta slider one step (right, then back left) is the click
    "move the β slider": ("tradeoff", [], "#tradeoff-index input[type=range]",
                          ["tradeoff-summary", "tradeoff-plane", "tradeoff-kl"]),
}
NAMES = ["emma", "olivia", "noah", "liam", "ava", "mia", "lucas", "zoe", "ella", "leo"]


def open_tab(page, tab_id: str) -> None:
    """Select a tab by its id (gradio marks each tab button with data-tab-id)."""
    page.locator(f'button[role="tab"][data-tab-id="{tab_id}"]').first.click()
    page.wait_for_timeout(1000)


def watch_loading_statuses(page) -> list[int] | None:
    """A logpoint in gradio's update_loading_stati_state (the page's walk over every component it keeps
    a loading status for, at each status message of each click): appends the count it walks to the
    returned list. None where gradio's page no longer has that function."""
    import gradio
    head = "async update_loading_stati_state(){"
    for f in sorted((Path(gradio.__file__).parent / "templates" / "frontend" / "assets").glob("Blocks-*.js")):
        for i, line in enumerate(f.read_text(encoding="utf-8").split("\n")):
            if head in line:
                counts: list[int] = []
                page.on("console", lambda m: counts.append(int(m.text.split()[1]))
                        if m.text.startswith("STATUS-WALK ") else None)
                cdp = page.context.new_cdp_session(page)
                cdp.send("Debugger.enable")
                cdp.send("Debugger.setBreakpointByUrl", {
                    "lineNumber": i, "columnNumber": line.index(head) + len(head), "urlRegex": re.escape(f.name),
                    "condition": "console.log('STATUS-WALK ' + Object.keys(this.loading_stati.current).length), false"})
                return counts
    return None


def time_clicks(page, setters, button: str, outputs: list[str], clicks: int, timeout_ms: int = 60_000) -> list[float]:
    times = []
    for i in range(clicks):
        for sel, template in setters:
            box = page.locator(sel).first
            box.fill(template.format(i=i + 1, name=NAMES[(i + 1) % len(NAMES)]))
            box.press("Tab")
        page.wait_for_timeout(150)  # let a change event settle before the click
        before = page.evaluate(SIGNATURE_JS, outputs)
        t0 = time.perf_counter()
        if "type=range" in button:
            page.locator(button).first.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        else:
            page.locator(button).first.click()
        page.wait_for_function(
            "([ids, before, sig]) => { const now = eval(sig)(ids);"
            " return now.every((s, k) => s !== before[k] && !/\\d+\\.\\ds/.test(s.split('#').pop().slice(0, 12))); }",
            arg=[outputs, before, SIGNATURE_JS], polling="raf", timeout=timeout_ms)
        page.evaluate(TWO_FRAMES_JS)
        times.append(time.perf_counter() - t0)
    return times


class Running:
    """An app someone else started (--app-url): used as it is, left running."""

    def __init__(self, url: str):
        self.url = url if url.endswith("/") else url + "/"

    def close(self) -> None:
        pass


# what "open" waits for: the echo app's text box; the first button of the app's lecture map (its first tab)
OPEN_READY = {"floor": "textarea", "app": '#lecture-map .lec-go >> nth=0'}


def time_page_opens(browser, urls: dict[str, str], n: int) -> dict[str, list[float]]:
    """Seconds from asking for the page to its first view drawn (OPEN_READY, then two animation
    frames), in a fresh tab each time, the floor's and the app's in turns (the browser's cache of
    gradio's JavaScript and CSS warmed by one open of each first, as a returning student's)."""
    times: dict[str, list[float]] = {k: [] for k in urls}
    for i in range(n + 1):
        for name in (list(urls) if i % 2 == 0 else list(urls)[::-1]):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            page.goto(urls[name], wait_until="commit")
            page.wait_for_selector(OPEN_READY[name], timeout=120_000)
            page.evaluate(TWO_FRAMES_JS)
            if i:  # the first round only warms the cache
                times[name].append(time.perf_counter() - t0)
            page.close()
    return times


def summary(xs: list[float]) -> dict:
    first, last = xs[:5], xs[-5:]
    return {"n": len(xs), "median_ms": round(1000 * statistics.median(xs)), "worst_ms": round(1000 * max(xs)),
            "first5_median_ms": round(1000 * statistics.median(first)),
            "last5_median_ms": round(1000 * statistics.median(last)),
            "last5_vs_first5": round(statistics.median(last) / statistics.median(first), 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clicks", type=int, default=20)
    p.add_argument("--port", type=int, default=7880)
    p.add_argument("--only", nargs="*", help="time only these actions")
    p.add_argument("--opens", type=int, default=10, help="page opens of each app, in turns (0: none)")
    p.add_argument("--app-url", help="time an app that is already running there (e.g. behind nginx: "
                                     "scripts/bench_replicas.py --serve) instead of starting app.py")
    p.add_argument("--out", default=str(ROOT / "bench" / "browser.json"))
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench_browser_"))
    (tmp / "echo_app.py").write_text(FLOOR_APP)
    report: dict = {"clicks_per_action": args.clicks, "browser": "Debian chromium, headless",
                    "load_average_at_start": open("/proc/loadavg").read().split()[:3]}
    floor = Server([sys.executable, str(tmp / "echo_app.py")], args.port)
    app = Running(args.app_url) if args.app_url else Server([sys.executable, "app.py"], args.port + 1)
    report["app_url"] = app.url
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
                "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            if args.opens:  # a student opening the link: the app's page against the echo app's
                opens = time_page_opens(browser, {"floor": floor.url, "app": app.url}, args.opens)
                report["page_open"] = {k: summary(v) for k, v in opens.items()}
                report["page_open"]["app_vs_echo"] = round(statistics.median(opens["app"])
                                                           / statistics.median(opens["floor"]), 2)
                print("page open", report["page_open"], flush=True)
            # the floor: a bare Gradio app's echo button
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(floor.url)
            page.wait_for_selector("textarea")
            times = []
            for i in range(args.clicks):
                page.locator("textarea").first.fill(f"hello {i}")
                before = page.locator("textarea").nth(1).input_value()
                t0 = time.perf_counter()
                page.get_by_role("button", name="echo").click()
                page.wait_for_function("(b) => document.querySelectorAll('textarea')[1].value !== b", arg=before,
                                       polling="raf")
                page.evaluate(TWO_FRAMES_JS)
                times.append(time.perf_counter() - t0)
            report["floor_echo"] = summary(times)
            page.close()
            print("floor echo", report["floor_echo"], flush=True)

            # the app: one page, every action clicked --clicks times
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            walks = watch_loading_statuses(page)
            page.goto(app.url + "?tab=interpolation")  # the page opens on the lecture map otherwise
            page.wait_for_selector("#interp-run", timeout=120_000)
            page.wait_for_timeout(6000)  # the page's own load events (language, links) finish first
            report["app"] = {}
            for name, (tab, setters, button, outputs) in ACTIONS.items():
                if args.only and name not in args.only:
                    continue
                open_tab(page, tab)
                before = len(walks) if walks is not None else 0
                report["app"][name] = summary(time_clicks(page, setters, button, outputs, args.clicks))
                if walks:  # how many loading statuses each status change walked, and how many walks a click
                    report["app"][name]["loading_statuses_walked"] = walks[-1]
                    report["app"][name]["status_walks_per_click"] = round((len(walks) - before) / args.clicks, 1)
                print(name, report["app"][name], flush=True)
            page.close()
            browser.close()
    finally:
        app.close()
        floor.close()
    echo = report["floor_echo"]["median_ms"]
    report["median_vs_echo"] = {k: round(v["median_ms"] / echo, 2) for k, v in report["app"].items()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print("median click -> drawn, vs the echo button:", report["median_vs_echo"])
    print("last five vs first five:", {k: v["last5_vs_first5"] for k, v in report["app"].items()})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
