"""The mass tab in a real browser (shipped checkpoints): open it by link, enumerate the names
starting with a prefix, move the temperature; English and Chinese.
Screenshots: tests/screenshots/mass_en.png, mass_zh.png."""
from __future__ import annotations

import re

from conftest import SCREENSHOTS


def _open(page, query: str):
    # a link to the tab: the page's own load event selects it, so no click races that event
    page.goto(page.url.split("?")[0] + "?tab=mass" + query)
    page.locator('button[role="tab"][data-tab-id="mass"][aria-selected="true"]').wait_for(timeout=60_000)
    page.locator("#mass-main .js-plotly-plot").wait_for(timeout=60_000)


def test_enumerate_a_prefix_and_move_the_temperature(page):
    _open(page, "&model=names_gru&T=0.8")
    page.locator("#mass-main", has_text="GRU (RNN), T = 0.8").wait_for(timeout=20_000)
    assert "= 1.000000" in page.locator("#mass-summary").inner_text()
    page.locator("#mass-prefix textarea, #mass-prefix input").first.fill("em")
    page.locator("#mass-prefix textarea, #mass-prefix input").first.press("Enter")
    page.locator("#mass-summary", has_text="'em'").wait_for(timeout=20_000)
    page.locator("#mass-top", has_text=re.compile(r"1\. em")).wait_for(timeout=20_000)
    ticks = re.findall(r"^\d+\. (\S+)$", "\n".join(page.locator("#mass-top text").all_text_contents()), re.M)
    assert len(ticks) == 15 and all(n.startswith("em") for n in ticks), ticks
    # the temperature: typed into the slider's number box, then the button
    box = page.locator("#mass-temperature input[type=number]")
    box.fill("1.5")
    box.press("Enter")
    page.get_by_role("button", name="Enumerate").click()
    page.locator("#mass-main", has_text="T = 1.5").wait_for(timeout=20_000)
    page.locator("#mass-sweep", has_text="T = 1.5").wait_for(timeout=20_000)
    # a bad prefix: a clear message, and the tab keeps working
    page.locator("#mass-prefix textarea, #mass-prefix input").first.fill("em7")
    page.get_by_role("button", name="Enumerate").click()
    page.get_by_text(re.compile(r"unknown character\(s\) '7'")).first.wait_for(timeout=20_000)
    page.locator("#mass-prefix textarea, #mass-prefix input").first.fill("")
    page.get_by_role("button", name="Enumerate").click()
    page.locator("#mass-summary", has_text="the 18,279 names of up to 3 characters").wait_for(timeout=20_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mass_en.png"), full_page=True)


def test_chinese(page):
    _open(page, "&model=names_transformer&T=0.7&lang=zh")
    page.locator("#mass-summary", has_text="T = 0.7").wait_for(timeout=20_000)
    page.locator("#mass-main", has_text="概率去了哪里").wait_for(timeout=20_000)
    page.locator("#mass-sweep", has_text="总和始终为 1").wait_for(timeout=20_000)
    assert "不超过 3 个字符" in page.locator("#mass-summary").inner_text()
    page.get_by_text("概率质量相互竞争").first.wait_for(timeout=20_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mass_zh.png"), full_page=True)
