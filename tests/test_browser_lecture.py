"""The lecture map (the first tab) in a real browser: it opens first, each box's buttons open the tab
that shows the idea live, and GAN and diffusion are marked as not part of this app."""
from __future__ import annotations

import pytest

from conftest import SCREENSHOTS
from test_browser_i18n import open_view, wait_lang, wait_tab


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_map_opens_first_and_its_buttons_open_tabs(browser, app_url, lang):
    context, page = open_view(browser, app_url, f"?lang={lang}")
    try:
        wait_tab(page, "lecture")
        wait_lang(page, lang)
        text = "\n".join(page.locator("#lecture-map .lec-box").all_inner_texts())
        if lang == "en":
            assert "Supervised learning" in text and "Conditional generative model" in text
            assert text.count("Not part of this app") == 2  # GAN and diffusion
        else:
            assert "监督学习" in text and "条件生成模型" in text and "自回归模型" in text
            assert text.count("不在本应用之中") == 2
        page.screenshot(path=str(SCREENSHOTS / f"lecture_{lang}.png"), full_page=True)
        for button, tab in [("#lec-tractable-mass", "mass"), ("#lec-approximate-reparam", "reparam"),
                            ("#lec-discriminative-conditional", "conditional"), ("#lec-tractable-tokens", "tokens")]:
            page.locator('button[role="tab"][data-tab-id="lecture"]').click()
            page.locator(button).click()
            page.locator(f'button[role="tab"][data-tab-id="{tab}"][aria-selected="true"]').wait_for(timeout=20_000)
    finally:
        context.close()
