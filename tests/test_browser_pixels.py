"""The per-pixel tab in a real browser (shipped checkpoints): score a digit, sample, complete."""
from __future__ import annotations

import re

from conftest import SCREENSHOTS


def _open_tab(page):
    # a link to the tab (?tab=pixels): the page's own load event selects it, so no click races that event
    page.goto(page.url.split("?")[0] + "?tab=pixels")
    page.get_by_role("button", name="Score this digit").wait_for(timeout=60_000)
    assert page.get_by_role("tab", name="Per-pixel probabilities", selected=True).count() == 1
    # the tab's first view (a scored test "3") comes with its first opening, after the button is shown:
    # wait for it, so that it cannot land after (and overwrite) what a test's own click computes
    page.locator("#px-numbers", has_text="class 3").wait_for(timeout=60_000)


def test_score_sample_and_complete(page):
    _open_tab(page)
    # the tab opens with a scored test "3"; score a "5" instead
    page.locator("#px-x-class input").click()
    page.get_by_role("option", name="5", exact=True).click()
    page.get_by_role("button", name="Score this digit").click()
    numbers = page.locator("#px-numbers", has_text="class 5")
    numbers.wait_for(timeout=20_000)
    assert re.search(r"PixelCNN: exact log p\(x\).*?-\d+\.\d\d", numbers.inner_text().replace("\n", " "))
    assert "ELBO" in numbers.inner_text()
    page.locator("#px-maps", has_text="raster order").wait_for(timeout=20_000)
    page.locator("#px-mask", has_text="The mask for pixel i = 406").wait_for(timeout=20_000)
    page.locator("#px-running", has_text="PixelCNN exact log p(x)").wait_for(timeout=20_000)
    assert page.locator("#px-maps .heatmaplayer, #px-maps g.hm").count() + page.locator("#px-maps image").count() > 0

    page.get_by_role("button", name="Sample", exact=True).click()
    page.get_by_text(re.compile(r"^16 digits drawn pixel by pixel")).first.wait_for(timeout=60_000)
    page.locator("#px-samples img").wait_for(timeout=20_000)
    page.locator("#px-gif img").wait_for(timeout=20_000)
    page.locator("#px-step-image img").wait_for(timeout=20_000)

    page.get_by_role("button", name="Complete").click()
    page.get_by_text(re.compile(r"8 completions")).first.wait_for(timeout=60_000)
    page.locator("#px-completion img").wait_for(timeout=20_000)
    page.locator("#px-scatter", has_text="test digits").wait_for(timeout=20_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "pixels.png"), full_page=True)


def test_bad_drawing_shows_a_message_and_the_tab_keeps_working(page):
    _open_tab(page)
    page.locator("#px-x-source").get_by_text("draw", exact=True).click()
    page.get_by_role("button", name="Score this digit").click()  # nothing drawn yet
    # the error's toast itself: the sketchpad's label ("draw a digit (big, centred)") matches already
    page.get_by_test_id("toast-body").filter(has_text=re.compile(r"draw a digit")).first.wait_for(timeout=20_000)
    page.locator("#px-x-source").get_by_text("test image", exact=True).click()
    # another class than the first view's "3", so that the wait below sees this click's own result
    page.locator("#px-x-class input").click()
    page.get_by_role("option", name="5", exact=True).click()
    page.get_by_role("button", name="Score this digit").click()
    page.locator("#px-numbers", has_text=re.compile(r"test image \(gallery #\d+, class 5\)")).wait_for(timeout=20_000)
