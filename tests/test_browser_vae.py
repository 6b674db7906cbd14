"""The VAE tabs in a real browser (headless Debian chromium, shipped checkpoints): draw on the
sketchpads with the mouse, run each tab's main action, click the 2-D manifold, and check that the
results appear. Screenshots go to tests/screenshots/."""
from __future__ import annotations

import re

from conftest import SCREENSHOTS


def draw_digit(page, sketch_selector: str) -> None:
    """Draw a '7' with real mouse moves across the sketchpad's canvas. The app selects the brush
    itself when "draw" is chosen: a student can start drawing at once."""
    sketch = page.locator(sketch_selector)
    sketch.scroll_into_view_if_needed()
    page.wait_for_selector(f'{sketch_selector} button[aria-label="Brush"].highlight', timeout=10_000)
    box = sketch.locator("canvas").last.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    s = min(box["width"], box["height"]) * 0.3
    points = [(cx - s, cy - s), (cx + s, cy - s), (cx - 0.2 * s, cy + s)]
    page.mouse.move(*points[0])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points[:-1], points[1:]):
        for i in range(1, 16):
            page.mouse.move(ax + (bx - ax) * i / 15, ay + (by - ay) * i / 15)
    page.mouse.up()
    page.wait_for_timeout(500)


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def wait_for_text(page, selector: str, text: str, timeout: int = 30_000) -> None:
    page.wait_for_function("([sel, text]) => document.querySelector(sel)?.innerText.includes(text)",
                           arg=[selector, text], timeout=timeout)


def image_loaded(page, selector: str) -> bool:
    return page.locator(f"{selector} img").first.evaluate("img => img.complete && img.naturalWidth > 0")


def test_interpolation_tab_draw_interpolate_and_pick_on_the_manifold(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("tab", name="Latent interpolation").click()
    page.wait_for_selector("#interp-strip img", timeout=30_000)
    page.locator("#interp-a-source").get_by_text("draw").click()
    draw_digit(page, "#interp-a-sketch")
    page.locator("#interp-method").get_by_text("spherical (slerp)").click()
    page.locator("#interp-run").click()
    wait_for_text(page, "#interp-info", "your drawing")
    assert "spherical" in text_of(page, "#interp-info")
    assert image_loaded(page, "#interp-strip")
    assert page.locator("#interp-map .js-plotly-plot").count() == 1
    page.locator("#interp-export").click()  # files only on request
    page.wait_for_selector("#interp-png a, #interp-png [download]", timeout=30_000)
    page.wait_for_selector("#interp-gif a, #interp-gif [download]", timeout=30_000)
    # the 2-D manifold: clicking a point decodes it
    manifold = page.locator("#interp-manifold img").first
    manifold.scroll_into_view_if_needed()
    box = manifold.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.wait_for_function("() => !document.querySelector('#interp-point-md').innerText.includes('(0.00, 0.00)')",
                           timeout=30_000)
    assert "Decoded z" in text_of(page, "#interp-point-md")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "vae_interpolation.png"), full_page=True)


def test_prior_posterior_tab_sample_prior_and_posterior_of_a_drawing(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("tab", name="Prior vs posterior").click()
    page.wait_for_selector("#pp-prior-grid img", timeout=30_000)
    first_grid = page.locator("#pp-prior-grid img").first.get_attribute("src")  # the tab's first grid (seed 0)
    page.locator("#pp-prior-seed input").fill("7")
    page.locator("#pp-prior-run").click()
    # the first grid is loaded already: wait for this click's own grid (another picture, so another file)
    page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel + ' img'); "
                           "return !!i && i.getAttribute('src') !== old; }",
                           arg=["#pp-prior-grid", first_grid], timeout=30_000)
    assert image_loaded(page, "#pp-prior-grid")
    page.locator("#pp-x-source").get_by_text("draw").click()
    draw_digit(page, "#pp-x-sketch")
    page.locator("#pp-post-run").click()
    wait_for_text(page, "#pp-numbers", "your drawing")
    numbers = text_of(page, "#pp-numbers")
    assert "ELBO" in numbers and "log p(x)" in numbers and "% of the test images" in numbers
    for sel in ("#pp-inputs", "#pp-samples"):
        assert image_loaded(page, sel)
    for sel in ("#pp-map", "#pp-musigma", "#pp-kl", "#pp-hist"):
        assert page.locator(f"{sel} .js-plotly-plot").count() == 1
    assert page.locator("#pp-map").get_by_text("posterior samples z ~ q(z|x)").count() >= 1
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "vae_prior_posterior.png"), full_page=True)


def _map_title(page) -> str:
    return page.locator("#pp-map .gtitle").first.text_content() or ""


def test_prior_posterior_a_model_change_redraws_the_tab(page):
    """A new model: its class names, the posterior and the map (with the new model's prior samples,
    drawn by the posterior's event), and beside them the prior samples' grid. A posterior that fails
    (nothing drawn yet) still moves the map to the new model."""
    page.get_by_role("tab", name="Prior vs posterior").click()
    page.wait_for_selector("#pp-prior-grid img", timeout=30_000)
    page.locator("#pp-map .gtitle", has_text="MNIST, 2-D latent").wait_for(timeout=30_000)
    grid = page.locator("#pp-prior-grid img").first.get_attribute("src")
    page.locator("#pp-model input").click()
    page.get_by_role("option", name="Fashion-MNIST, 2-D latent", exact=True).click()
    page.locator("#pp-numbers", has_text="Dress").wait_for(timeout=30_000)  # gallery class 3 of Fashion-MNIST
    assert page.locator("#pp-x-class input").input_value() == "Dress"  # the class names follow the model
    page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel + ' img'); "
                           "return !!i && i.getAttribute('src') !== old; }",
                           arg=["#pp-prior-grid", grid], timeout=30_000)
    assert "Fashion-MNIST, 2-D latent" in _map_title(page)
    names = page.evaluate("() => document.querySelector('#pp-map .js-plotly-plot').data.map(t => t.name)")
    assert any("prior" in (n or "") for n in names) and any("posterior" in (n or "") for n in names), names

    page.locator("#pp-x-source").get_by_text("draw").click()  # nothing drawn: the posterior fails ...
    page.locator("#pp-model input").click()
    page.get_by_role("option", name="MNIST, 32-D latent", exact=True).click()
    # the error's toast itself (the sketchpad's own label says "draw a digit" too)
    page.get_by_test_id("toast-body").filter(has_text=re.compile(r"draw a digit")).first.wait_for(timeout=30_000)
    page.locator("#pp-map .gtitle", has_text="MNIST, 32-D latent").wait_for(timeout=30_000)  # ... the map moves on
    names = page.evaluate("() => document.querySelector('#pp-map .js-plotly-plot').data.map(t => t.name)")
    assert not any("posterior" in (n or "") for n in names), names  # the old model's posterior is not drawn
