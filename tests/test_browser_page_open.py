"""scripts/bench_browser.py's page opens (--opens): a fresh tab asks for the page and waits for its first
view, the lecture map, to be drawn. Checked here on the real page, so that the selector it waits for
stays the lecture map's (a wrong one would time out, or time nothing)."""
from __future__ import annotations

from conftest import load_script


def test_a_page_open_waits_for_the_lecture_map(browser, app_url):
    bb = load_script("bench_browser")
    times = bb.time_page_opens(browser, {"app": app_url}, 2)
    assert len(times["app"]) == 2 and all(0 < t < 60 for t in times["app"])
    page = browser.new_page()
    try:
        page.goto(app_url)
        first = page.wait_for_selector(bb.OPEN_READY["app"], timeout=60_000)
        # the first of the lecture map's buttons that open a tab, in the first tab (shown at once)
        assert first.is_visible() and first.get_attribute("id").startswith("lec-")
    finally:
        page.close()
