"""Figures are drawn once per update (explorer/plots/style.py, "Margins"): gradio draws each update of a
gr.Plot into a new plot, and plotly draws a new plot a second time when its labels, legend or colorbar
need more margin than the figure asks for. So every figure of the tabs' first views asks for at least
the margins that plotly's automargin ends at, in English and in Chinese (1400 px wide, as measured)."""
from __future__ import annotations

import pytest

from test_browser_i18n import open_view

# tab (and link settings) -> how many figures its first view shows at least (live ones: measured by hand
# during a live run: tradeoff-live-plane, tradeoff-curves, tradeoff-ellipses)
VIEWS = {
    "tokens": 6,
    "tokens&text=alexandria": 6,  # long names: the top-5 table's labels turn and take the right margin
    "prior_posterior": 4,
    "prior_posterior&model=vae_mnist_z32": 4,
    "interpolation&model=vae_fashion_z32": 1,
    "tradeoff": 3,
    "reparam": 1,
    "conditional": 3,
    "mass": 4,
    "pixels": 4,
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


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_figures_ask_for_the_margins_they_end_with(browser, app_url, view, lang):
    context, page = open_view(browser, app_url, f"?tab={view}&lang={lang}")
    try:
        page.wait_for_function(f"() => ({MARGINS_JS})().length >= {VIEWS[view]}", timeout=60_000)
        page.wait_for_timeout(2500)  # the redraws in the page's language, and any second draw, land
        figures = page.evaluate(MARGINS_JS)
        assert len(figures) >= VIEWS[view]
        assert not _pushed(figures), f"plotly widened these figures' margins (drawing them twice): {_pushed(figures)}"
    finally:
        context.close()
