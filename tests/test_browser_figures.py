"""Figures are drawn once per update (explorer/plots/style.py, "Margins"): gradio draws each update of a
gr.Plot into a new plot, and plotly draws a new plot a second time when its labels, legend or colorbar
need more margin than the figure asks for. So every figure of the tabs' first views asks for at least
the margins that plotly's automargin ends at, in English and in Chinese (1400 px wide, as measured).

Every tab's first view is checked in test_browser_i18n.py::test_every_tab_in_each_language, which
opens each tab in each language anyway (assert_drawn_once); this file checks the views a link opens
with other settings: long names, a 32-D latent space, Fashion-MNIST."""
from __future__ import annotations

import json

import pytest

from conftest import open_view

# tab -> how many figures its first view shows at least (live ones were measured by hand during a live
# run: tradeoff-live-plane, tradeoff-curves, tradeoff-ellipses)
FIRST_FIGURES = {
    "tokens": 6,
    "prior_posterior": 4,
    "interpolation": 1,
    "tradeoff": 3,
    "reparam": 1,
    "conditional": 3,
    "mass": 4,
    "pixels": 4,
}

# views a link opens with other settings -> figures, as above
LINKED = {
    "tokens&text=alexandria": 6,  # long names: the top-5 table's labels turn and take the right margin
    "prior_posterior&model=vae_mnist_z32": 4,
    "interpolation&model=vae_fashion_z32": 1,
}

# each visible plot: the margins the figure asks for and the ones plotly ended at
MARGINS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(gd => gd.offsetParent !== null
    && gd._fullLayout && gd._fullLayout._size && gd.data && gd.data.length).map(gd => {
  const m = gd.layout.margin || {}, s = gd._fullLayout._size;
  const title = ((gd.layout.title || {}).text || '').slice(0, 50);
  return {title, asked: [m.l, m.r, m.t, m.b], final: [s.l, s.r, s.t, s.b]};
})"""


def _pushed(figures: list[dict]) -> list[dict]:
    return [f for f in figures if any(a is not None and fin > a + 0.5 for fin, a in zip(f["final"], f["asked"]))]


def assert_drawn_once(page, at_least: int, timeout_s: float = 60) -> None:
    """Once the page shows at_least figures and they have stopped changing (the redraws in the page's
    language land after the first figures), none of them was widened by plotly."""
    page.wait_for_function(f"() => ({MARGINS_JS})().length >= {at_least}", timeout=timeout_s * 1000)
    figures, stable = page.evaluate(MARGINS_JS), 0
    for _ in range(int(timeout_s / 0.5)):  # the same figures and margins over 1.5 s: settled
        page.wait_for_timeout(500)
        now = page.evaluate(MARGINS_JS)
        stable = stable + 1 if json.dumps(now) == json.dumps(figures) else 0
        figures = now
        if stable >= 3:
            break
    assert len(figures) >= at_least
    assert not _pushed(figures), f"plotly widened these figures' margins (drawing them twice): {_pushed(figures)}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", list(LINKED))
def test_figures_ask_for_the_margins_they_end_with(browser, app_url, view, lang):
    context, page = open_view(browser, app_url, f"?tab={view}&lang={lang}")
    try:
        assert_drawn_once(page, LINKED[view])
    finally:
        context.close()
