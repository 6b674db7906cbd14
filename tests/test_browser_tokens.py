"""The per-token tab in a real browser (shipped checkpoints): score a name, generate, step."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from conftest import SCREENSHOTS

CELL = re.compile(r"^(.+?)([01]\.\d\d)$")  # a coloured token: its character, then its p


def _open_tab(page):
    page.get_by_role("tab", name="Per-token probabilities").click()
    page.get_by_role("button", name="Score").wait_for()


def _score(page, text):
    page.get_by_label("Text (a name)").fill(text)
    page.get_by_role("button", name="Score").click()


def test_score_a_name(page):
    _open_tab(page)
    _score(page, "  Olivia")
    chain = page.locator("#tokens-chain code", has_text='log p("olivia")')
    chain.wait_for(timeout=15_000)
    assert "log p(<end> | .olivia)" in chain.inner_text()
    # the coloured tokens: one heatmap cell per token, showing the character and its p
    page.locator("#tokens-strip", has_text='"olivia"').wait_for(timeout=15_000)
    cells = [m.groups() for t in page.locator("#tokens-strip text").all_text_contents() if (m := CELL.match(t))]
    assert [c for c, _ in cells] == ["o", "l", "i", "v", "i", "a", "<end>"]
    assert all(0 <= float(p) <= 1 for _, p in cells)
    table = page.locator("#tokens-table").inner_text()
    assert ".olivi" in table and "<end>" in table and "✓" in table
    # Score's attention is its own event, beside the chain's: until it lands, the tab's first figure
    # (".emma", 15 cells) is still drawn. ".olivia" is 7 query positions: 7 * 8 / 2 unmasked cells.
    att = page.locator("#tokens-attention", has_text="Attention, layer")
    expect(att.locator("text", has_text=re.compile(r"^[01]\.\d\d$"))).to_have_count(7 * 8 // 2, timeout=15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tokens.png"), full_page=True)


def test_bad_text_shows_a_message_and_the_tab_keeps_working(page):
    _open_tab(page)
    _score(page, "emma42")
    page.get_by_text(re.compile(r"unknown character\(s\) '2', '4'")).first.wait_for(timeout=15_000)
    page.get_by_role("button", name="anna", exact=True).click()  # an example: fills the box and scores it
    page.locator("#tokens-chain code", has_text='log p("anna")').wait_for(timeout=15_000)
    assert page.get_by_label("Text (a name)").input_value() == "anna"


def test_generate_and_step(page):
    _open_tab(page)
    page.get_by_role("button", name="Generate whole names").click()
    page.get_by_text(re.compile(r"seed 0, T = 1")).first.wait_for(timeout=15_000)
    samples = page.locator("#tokens-samples")
    assert samples.get_by_text(re.compile(r"^(new|in training set|unknown)")).count() >= 10  # 10 names
    step = page.get_by_role("button", name="Step: draw one character")
    for k in range(1, 4):
        step.click()
        page.locator("#tokens-step-plot", has_text=f"Step {k}").wait_for(timeout=15_000)
    page.get_by_text(re.compile(r"^Drew ")).first.wait_for(timeout=15_000)
    assert page.locator("#tokens-history td").count() >= 5  # at least one row of 5 cells
    page.locator("#tokens-step-plot").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tokens_generate.png"), full_page=True)
