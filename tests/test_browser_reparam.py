"""The reparameterisation tab in a real browser (shipped checkpoints): draw and differentiate, in English
and in Chinese; screenshots tests/screenshots/reparam_en.png and reparam_zh.png."""
from __future__ import annotations

import re

from conftest import SCREENSHOTS


def _open_tab(page, query: str = ""):
    # a link to the tab: the page's own load event selects it, so no click races that event
    page.goto(page.url.split("?")[0] + "?tab=reparam" + query)
    page.locator('button[role="tab"][data-tab-id="reparam"][aria-selected="true"]').wait_for(timeout=60_000)
    page.locator("#rep-main .js-plotly-plot").first.wait_for(timeout=30_000)


def test_draw_and_differentiate_in_english(page):
    _open_tab(page)
    page.locator("#rep-x-class input").click()
    page.get_by_role("option", name="7", exact=True).click()
    page.locator("#rep-seed input").fill("5")
    page.get_by_role("button", name="Draw and differentiate").click()
    numbers = page.locator("#rep-numbers", has_text="class 7")
    numbers.wait_for(timeout=20_000)
    text = numbers.inner_text().replace("\n", " ")
    assert re.search(r"seed 5", text) and "∂L/∂σ" in text
    page.locator("#rep-main", has_text="ε ~ N(0, I)").wait_for(timeout=20_000)
    page.locator("#rep-graph", has_text="nothing flows back").wait_for(timeout=20_000)
    page.locator("#rep-images img").wait_for(timeout=20_000)
    assert page.locator("#rep-main .scatterlayer .trace").count() >= 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reparam_en.png"), full_page=True)


def test_the_tab_in_chinese_and_a_bad_drawing(page):
    _open_tab(page, "&lang=zh&n=32&seed=3")
    page.locator("#rep-numbers", has_text="重建损失").wait_for(timeout=30_000)
    page.locator("#rep-graph", has_text="没有梯度传回").wait_for(timeout=20_000)
    assert "n = 32" in page.locator("#rep-numbers").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reparam_zh.png"), full_page=True)
    page.locator("#rep-x-source").get_by_text("手绘", exact=True).click()
    page.locator("#rep-run").click()  # nothing drawn yet
    # the error's toast itself: the sketchpad's label ("画一个数字...") already contains 画
    page.get_by_test_id("toast-body").filter(has_text=re.compile(r"画")).first.wait_for(timeout=20_000)
