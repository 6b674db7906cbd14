"""A real browser on the reconstruction-vs-KL tab: the sweep view, live training, the live β slider,
and the trainer freed when the page closes. Screenshots: tests/screenshots/tradeoff*.png."""
from __future__ import annotations

import time

from gradio_client import Client

from conftest import SCREENSHOTS


def open_tab(page):
    page.get_by_role("tab", name="Reconstruction vs KL (β)").click()
    # "rate R =" is also in the tab's static explanation: wait for what its first opening draws, the sweep's
    # summary and (an event of its own) the live status, so that neither lands after a test's own click
    page.locator("#tradeoff-summary", has_text="rate R =").wait_for(timeout=30_000)
    page.locator("#tradeoff-live-status", has_text="trainers busy").wait_for(timeout=30_000)


def status_text(page) -> str:
    return page.locator("#tradeoff-live-status").inner_text()


def test_sweep_view_moves_with_the_slider(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    open_tab(page)
    summary = page.locator("#tradeoff-summary")
    page.wait_for_function("() => document.querySelector('#tradeoff-summary').innerText.includes('β = 1 ')",
                           timeout=15_000)
    plane_before = page.locator("#tradeoff-plane").inner_html()
    slider = page.locator("#tradeoff-index input[type=range]")
    slider.focus()
    slider.press("End")  # the far right: the last of the seven sweep models, beta = 8
    page.wait_for_function("() => document.querySelector('#tradeoff-summary').innerText.includes('β = 8')",
                           timeout=15_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "tradeoff_sweep.png"), full_page=True)
    assert "of 32 latent dimensions active" in summary.inner_text()
    assert page.locator("#tradeoff-plane").inner_html() != plane_before  # the highlight moved


def test_live_training_and_the_beta_slider(page, app_url):
    open_tab(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_selector("text=steps/s", timeout=30_000)
    page.wait_for_function("() => /step [1-9]\\d\\d/.test(document.querySelector('#tradeoff-live-status').innerText)",
                           timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "tradeoff_live_beta1.png"), full_page=True)
    plane = page.locator("#tradeoff-live-plane")
    before = plane.inner_html()
    beta = page.locator("#tradeoff-live-beta input[type=number]")
    beta.fill("6")
    beta.press("Enter")
    page.wait_for_function("() => document.querySelector('#tradeoff-live-status').innerText.includes('β = 6 ·')",
                           timeout=15_000)
    page.wait_for_timeout(3000)
    assert "β = 6" in status_text(page)
    assert plane.inner_html() != before  # the live plane redrew with the new point
    assert page.locator("text=live model now (β=6)").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "tradeoff_live_beta6.png"), full_page=True)
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function("() => document.querySelector('#tradeoff-live-status').innerText.includes('Stopped')",
                           timeout=10_000)


def test_closing_the_page_frees_its_trainer(browser, app_url):
    watcher = Client(app_url, verbose=False)
    busy = lambda: next(r for r in watcher.predict(api_name="/live_status")  # noqa: E731
                        if isinstance(r, dict) and "trainers_running" in r)["trainers_running"]
    base = busy()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("text=VAE & Autoregressive Explorer", timeout=60_000)
    open_tab(page)
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_selector("text=steps/s", timeout=30_000)
    assert busy() == base + 1
    context.close()  # gradio's unload event fires when the page's heartbeat stops
    t0 = time.time()
    while busy() > base and time.time() - t0 < 15:
        time.sleep(0.25)
    assert busy() == base
