"""What gradio's page does at each click besides drawing, in a real browser.

Loading statuses (page.LEAN_STATUS_JS): the page looks up and deep-copies every component it keeps a
loading status for at each status message of every click, and it used to keep one for every input of
every event the page had run (50 after six actions over four tabs; scripts/bench_browser.py reports the
count). Now it keeps only the panels that show a spinner.

Run history (app.LAUNCH's run_history=False): gradio's page would reread and rewrite its list of the
last 100 runs, inputs and outputs included, in the browser's storage at each message of each click.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import gradio
import pytest

from conftest import open_view

# gradio's own class, from the page's own module, on a store of its own: a finished event's inputs get
# no loading status (its progress target does)
FRESH_STORE_JS = """async () => {
  const url = performance.getEntriesByType("resource").map((e) => e.name)
    .find((n) => /\\/assets\\/statustracker-[^/]+\\.js(\\?.*)?$/.test(n));
  const mod = await import(url);
  for (const v of Object.values(mod)) {
    const C = v && typeof v.LoadingStatus === "function" ? v.LoadingStatus : v;
    if (typeof C !== "function" || !C.prototype || typeof C.prototype.resolve_args !== "function") continue;
    const store = new C();
    store.register(1, [10], [11, 12], "full");
    store.update({ fn_index: 1, status: "pending", stream_state: null });
    const during = Object.keys(store.current);
    store.update({ fn_index: 1, status: "complete", stream_state: "closed" });
    return { during, after: Object.keys(store.current), status: store.current[10].status };
  }
  return null;
}"""


def _blocks_asset() -> tuple[str, int, int]:
    """(file name, line, column) of the body of gradio's update_loading_stati_state in its page code."""
    head = "async update_loading_stati_state(){"
    for f in sorted((Path(gradio.__file__).parent / "templates" / "frontend" / "assets").glob("Blocks-*.js")):
        for i, line in enumerate(f.read_text(encoding="utf-8").split("\n")):
            if head in line:
                return f.name, i, line.index(head) + len(head)
    pytest.fail("gradio's page no longer has update_loading_stati_state: check page.LEAN_STATUS_JS against it")


def test_a_finished_event_gives_its_inputs_no_loading_status(browser, app_url):
    context, page = open_view(browser, app_url, "?tab=lecture")
    try:
        page.wait_for_selector("html[data-lean-status='1']", state="attached", timeout=30_000)
        out = page.evaluate(FRESH_STORE_JS)
        assert out == {"during": ["10"], "after": ["10"], "status": "complete"}
    finally:
        context.close()


def test_clicks_in_two_tabs_leave_only_spinner_panels_in_the_store(browser, app_url):
    """What the page's store holds after real clicks, read at each status change through a logpoint."""
    name, line, column = _blocks_asset()
    context, page = open_view(browser, app_url, "?tab=prior_posterior")
    try:
        seen: list[list[str]] = []
        page.on("console", lambda m: seen.append(json.loads(m.text[7:])) if m.text.startswith("STATUS ") else None)
        cdp = context.new_cdp_session(page)
        cdp.send("Debugger.enable")
        cdp.send("Debugger.setBreakpointByUrl", {
            "lineNumber": line, "columnNumber": column, "urlRegex": re.escape(name),
            "condition": "console.log('STATUS ' + JSON.stringify(Object.keys(this.loading_stati.current))), false"})
        page.wait_for_selector("html[data-lean-status='1']", state="attached", timeout=30_000)
        page.locator("#pp-prior-run").click()
        page.locator("#pp-post-run").click()
        page.get_by_role("tab", name="Per-token probabilities").click()
        page.get_by_role("button", name="Score").click()
        page.locator("#tokens-chain code", has_text='log p("emma")').wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the last status messages
        cfg = page.evaluate("async () => (await (await fetch('config')).json())")
        targets = {str(t) for d in cfg["dependencies"] for t in (d.get("show_progress_on") or [])}
        assert len(seen) >= 10, "the logpoint saw the page's status changes"
        held = set(seen[-1])
        assert held and held <= targets, f"held beyond the spinner panels: {sorted(held - targets)}"
        assert len(held) <= 6
    finally:
        context.close()


def test_the_page_keeps_no_run_history(browser, app_url):
    """No run is written to the browser's storage (a classroom computer keeps no student's drawings),
    and gradio's run-history page and routes are off."""
    import urllib.error
    import urllib.request

    context, page = open_view(browser, app_url, "?tab=prior_posterior")
    try:
        page.locator("#pp-prior-run").click()
        page.locator("#pp-post-run").click()
        page.locator("#pp-numbers", has_text="log p(x)").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        keys = page.evaluate("() => Object.keys(window.localStorage)")
        assert not [k for k in keys if k.startswith("gradio:run-history")], keys
        cfg = page.evaluate("async () => (await (await fetch('config')).json())")
        assert cfg["run_history"] is False and "runs" not in cfg["footer_links"]
        # runs that an earlier version (run history on) saved for this app are deleted at the next load
        saved = f"gradio:run-history:v2:{cfg['app_id']}"
        page.evaluate("(k) => { localStorage.setItem(k, JSON.stringify([{id: 'old', inputs: ['a drawing']}]));"
                      " localStorage.setItem('not-gradios', '1'); }", saved)
        page.reload()
        page.wait_for_selector("#lang-switch", timeout=60_000)
        page.wait_for_function("(k) => localStorage.getItem(k) === null", arg=saved, timeout=15_000)
        assert page.evaluate("() => localStorage.getItem('not-gradios')") == "1"  # only the app's runs go
    finally:
        context.close()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(app_url + "gradio_api/runs", timeout=10)
    assert err.value.code == 404
