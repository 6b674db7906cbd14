"""The page in a real browser (shipped checkpoints): every tab in English and in Chinese, links to a
view (?tab=...), the "link to this view" round trip, and presenter mode on a 1280 x 720 projector.
Screenshots go to tests/screenshots/ (i18n_<lang>_<tab>.png, present_<lang>_<tab>.png)."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import SCREENSHOTS, open_view
from test_browser_figures import FIRST_FIGURES, assert_drawn_once

KNOWN_TABS = ["lecture", "interpolation", "prior_posterior", "reparam", "conditional", "tokens", "mass", "pixels",
              "tradeoff"]
# what each tab draws first: present when the tab is filled in (its main figure, for presenter mode)
MAIN = {"lecture": "#lecture-map", "reparam": "#rep-main", "conditional": "#cond-main", "mass": "#mass-main",
        "interpolation": "#interp-map", "prior_posterior": "#pp-map", "tokens": "#tokens-strip",
        "pixels": "#px-maps", "tradeoff": "#tradeoff-plane"}

# English words a Chinese page may show: names of models, datasets, units, symbols and code
ALLOWED = {w.lower() for w in """
    VAE VAEs ELBO KL UMAP MNIST Fashion Transformer GRU RNN PixelCNN API Gradio README PNG GIF JSON WebP JPEG BMP
    nats nat bits log exp softmax logits slerp top token tokens end start CS231n checkpoints manifest json txt names
    python explorer training live_digits data root shared Kingma Welling Burda et al van den Oord Alemi
    emma olivia jonathan xzqj anna sweep mnist beta vae fashion z2 z32 safetensors sigma mu Var max min
    T-shirt top IWAE Explorer Autoregressive
""".split()}
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def untranslated(text: str) -> list[str]:
    """Runs of three or more English words (not names, units or code) in a line: an English sentence."""
    found = []
    for line in text.splitlines():
        run = []
        for tok in re.split(r"\s+", line.strip()):
            words = WORD.findall(tok)
            if words and all(w.lower() not in ALLOWED and len(w) > 1 for w in words) and \
                    not re.search(r"[\u4e00-\u9fff]", tok):
                run.append(tok)
                if len(run) >= 3:
                    found.append(line.strip()[:120])
                    break
            else:
                run = []
    return found


VISIBLE_TEXT_JS = """() => {
  const parts = [document.body.innerText];
  document.querySelectorAll('.js-plotly-plot svg text').forEach(t => {
    const r = t.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) parts.push(t.textContent);
  });
  return parts.join("\\n");
}"""


@pytest.fixture(scope="module")
def tabs(browser, app_url) -> list[str]:
    """The tabs the app shows (each by its id), in order."""
    context, page = open_view(browser, app_url, "")
    try:  # the language switch can be drawn before the tab bar: wait for the tab buttons themselves
        page.wait_for_function("(n) => document.querySelectorAll('button[role=\"tab\"][data-tab-id]').length >= n",
                               arg=len(KNOWN_TABS) - 1, timeout=60_000)
        ids = page.eval_on_selector_all('button[role="tab"][data-tab-id]', "bs => bs.map(b => b.dataset.tabId)")
    finally:
        context.close()
    assert set(ids) >= set(KNOWN_TABS) - {"pixels"}
    return ids


def wait_tab(page, tab: str):
    page.locator(f'button[role="tab"][data-tab-id="{tab}"][aria-selected="true"]').wait_for(timeout=20_000)
    main = page.locator(MAIN.get(tab, "#no-main-figure"))
    if tab == "lecture":  # text and buttons, no figure
        main.first.wait_for(timeout=30_000)
    elif main.count():
        main.first.locator(".js-plotly-plot, img").first.wait_for(timeout=30_000)


def settled_text(page, ok, timeout_s: float = 30) -> str:
    """The page's visible text once ok(text) holds, polled (or the last text read, at the timeout): a
    tab's redraws in the page's language are events of their own, and some land after the figures that
    wait_tab waits for (the tokens and prior-vs-posterior tabs show their English first figures at once)."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = page.evaluate(VISIBLE_TEXT_JS)
        if ok(text) or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(250)  # the poll's interval: returns as soon as ok(text) holds


def wait_lang(page, lang: str):
    page.wait_for_function("(l) => document.documentElement.lang === l", arg={"en": "en", "zh": "zh-CN"}[lang],
                           timeout=40_000)  # a busy machine
    page.wait_for_timeout(2500)  # the redraws in the page's language land
    try:  # and the pictures they sent (for the screenshots)
        page.wait_for_function("() => Array.from(document.images).filter(i => i.offsetParent)"
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=10_000)
    except Exception:
        pass


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_tab_in_each_language(browser, app_url, tabs, lang):
    """Each tab opened by link in each language; the Chinese page has no English sentence left
    (numbers, formulas, model names and code excepted), every figure is drawn once (no margin
    widened by plotly: test_browser_figures.py), and presenter mode fits a 1280 x 720 projector."""
    problems = {}
    for tab in tabs:
        context, page = open_view(browser, app_url, f"?tab={tab}&lang={lang}")
        try:
            wait_tab(page, tab)
            wait_lang(page, lang)
            assert page.locator("#lang-switch input[value='%s']" % lang).is_checked()
            if lang == "zh":  # the English first figures stay until the tab's Chinese redraws land
                text = settled_text(page, lambda x: not untranslated(x) and (
                    "证据下界" in x or tab in ("tokens", "pixels")))
            else:
                text = page.evaluate(VISIBLE_TEXT_JS)
            page.screenshot(path=str(SCREENSHOTS / f"i18n_{lang}_{tab}.png"), full_page=True)
            assert_drawn_once(page, FIRST_FIGURES.get(tab, 0))  # (test_browser_figures.py)
            if lang == "zh":
                left = untranslated(text)
                if left:
                    problems[tab] = left
                assert "证据下界" in text or tab in ("tokens", "pixels")
            else:
                assert not re.search(r"[\u4e00-\u9fff]{4,}", text.replace("中文", "")), tab
            # the same view on a 1280 x 720 projector, in presenter mode (in the page's own pages: each
            # tab's page load is most of this test's time)
            page.set_viewport_size({"width": 1280, "height": 720})
            page.locator("#present-toggle").get_by_role("checkbox").check()
            check_presenter(page, tab, lang)
        finally:
            context.close()
    assert not problems, problems


def test_the_browser_language_is_the_default_and_the_switch_changes_it(browser, app_url):
    context, page = open_view(browser, app_url, "?tab=prior_posterior", locale="zh-CN")
    try:
        wait_tab(page, "prior_posterior")
        wait_lang(page, "zh")
        page.locator("#pp-numbers", has_text="证据下界").wait_for(timeout=20_000)
        page.locator("#lang-switch").get_by_text("English").click()
        wait_lang(page, "en")
        # the English table's "= ELBO": the Chinese one says "= 证据下界（ELBO）", so a bare "ELBO" is found
        # before the switch's redraw lands (an event of its own, which wait_lang does not wait for)
        page.locator("#pp-numbers", has_text="= ELBO").wait_for(timeout=20_000)
        page.locator('button[role="tab"][data-tab-id="tokens"]', has_text="Per-token probabilities").wait_for()
        assert "证据下界" not in page.locator("#pp-numbers").inner_text()
    finally:
        context.close()


def test_the_switch_redraws_a_first_view_sent_when_the_tab_opened(browser, app_url):
    """The beta tab's Gaussian-decoder table reaches the page when the tab first opens (Page.lazy), in
    the page's language; switching the language redraws it."""
    context, page = open_view(browser, app_url, "?tab=tradeoff&lang=en")
    try:
        wait_tab(page, "tradeoff")
        page.locator("#tradeoff-sigma-table", has_text="fixed digits").wait_for(timeout=30_000)
        page.locator("#lang-switch").get_by_text("中文").click()
        wait_lang(page, "zh")
        page.locator("#tradeoff-sigma-table", has_text="固定数字").wait_for(timeout=20_000)
        assert "fixed digits" not in page.locator("#tradeoff-sigma-table").inner_text()
    finally:
        context.close()


def test_a_link_opens_the_view_it_names(browser, app_url):
    context, page = open_view(browser, app_url, "?tab=tokens&model=names_gru&text=olivia&layer=2&head=1")
    try:
        wait_tab(page, "tokens")
        page.locator("#tokens-chain", has_text='log p("olivia")').wait_for(timeout=20_000)
        assert page.locator("#tokens-text textarea, #tokens-text input").first.input_value() == "olivia"
        assert page.locator("#tokens-model input[value='names_gru']").is_checked()
        assert page.locator("#tokens-layer input[value='2']").is_checked()
        assert "GRU" in page.locator("#tokens-chain").inner_text()
        page.locator("#tokens-attention", has_text="layer 2").wait_for(timeout=20_000)
    finally:
        context.close()

    context, page = open_view(browser, app_url, "?tab=tradeoff&beta=4")
    try:
        wait_tab(page, "tradeoff")
        page.locator("#tradeoff-summary", has_text="β = 4").wait_for(timeout=30_000)
        assert page.locator("#tradeoff-beta input").input_value() == "4"
    finally:
        context.close()

    context, page = open_view(browser, app_url, "?tab=interpolation&a=1&b=7&path=slerp&steps=12&lang=zh")
    try:
        wait_tab(page, "interpolation")
        page.locator("#interp-info", has_text="12 步").wait_for(timeout=30_000)
        assert "球面" in page.locator("#interp-info").inner_text()
        assert page.locator("#interp-method input[value='slerp']").is_checked()
    finally:
        context.close()


def test_unknown_or_malformed_parameters_are_ignored_with_a_notice(browser, app_url):
    context, page = open_view(browser, app_url, "?tab=tokens&text=" + "x" * 300 + "&foo=1&lang=en&head=99")
    try:
        wait_tab(page, "tokens")
        notice = page.locator("#page-notice")
        notice.get_by_text("Ignored in the link").wait_for(timeout=20_000)
        text = notice.inner_text()
        assert "foo" in text and "text" in text and "head" in text
        assert page.locator("#tokens-text textarea, #tokens-text input").first.input_value() == "emma"
    finally:
        context.close()
    context, page = open_view(browser, app_url, "?tab=nowhere&beta=abc")
    try:
        wait_tab(page, "lecture")  # the first tab
        page.locator("#page-notice").get_by_text("nowhere").wait_for(timeout=20_000)
    finally:
        context.close()


def test_link_to_this_view_round_trip(browser, app_url):
    context, page = open_view(browser, app_url, "")
    try:
        wait_tab(page, "lecture")
        page.locator('button[role="tab"][data-tab-id="tokens"]').click()
        page.locator("#tokens-model").get_by_text("GRU").click()
        box = page.locator("#tokens-text textarea, #tokens-text input").first
        box.fill("jonathan")
        box.press("Enter")
        page.locator("#tokens-chain", has_text='log p("jonathan")').wait_for(timeout=20_000)
        page.locator("#lang-switch").get_by_text("中文").click()
        wait_lang(page, "zh")
        # the switch redraws the chain in an event of its own (beside every other tab's redraws): wait
        # for the Chinese chain itself before it is read below
        page.locator("#tokens-chain", has_text='log p("jonathan")').filter(
            has_text=re.compile(r"[\u4e00-\u9fff]")).wait_for(timeout=30_000)
        page.locator("#link-btn").click()
        link_box = page.locator("#link-box textarea, #link-box input").first
        page.wait_for_function("(el) => el.value.startsWith('http')", arg=link_box.element_handle(), timeout=20_000)
        link = link_box.input_value()
        q = parse_qs(urlparse(link).query)
        assert q["tab"] == ["tokens"] and q["text"] == ["jonathan"] and q["model"] == ["names_gru"]
        assert q["lang"] == ["zh"]
        chain = page.locator("#tokens-chain").inner_text()
    finally:
        context.close()
    context, page = open_view(browser, app_url, "?" + urlparse(link).query)
    try:
        wait_tab(page, "tokens")
        wait_lang(page, "zh")
        page.locator("#tokens-chain", has_text='log p("jonathan")').wait_for(timeout=20_000)
        assert page.locator("#tokens-model input[value='names_gru']").is_checked()
        assert page.locator("#tokens-chain").inner_text() == chain  # the same numbers, the same words
    finally:
        context.close()


def check_presenter(page, tab: str, lang: str) -> None:
    """Presenter mode (on) at 1280 x 720: bigger type, secondary controls folded away, and the tab's main
    figure whole on the screen's width (no horizontal scrolling)."""
    page.wait_for_function("() => document.body.classList.contains('presenter')", timeout=20_000)
    assert page.locator("#present-toggle input").is_checked()
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.prose, .md') "
                         "|| document.body).fontSize)")
    assert size >= 18
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    main = page.locator(MAIN.get(tab, "#no-main-figure"))
    if main.count():
        plot = main.first.locator(".js-plotly-plot")
        if plot.count():  # the figure's own type is enlarged too
            page.wait_for_function("(d) => d._fullLayout && d._fullLayout.title.font.size >= 21",
                                   arg=plot.first.element_handle(), timeout=10_000)
        main.first.scroll_into_view_if_needed()
        box = main.first.bounding_box()
        assert box and box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (tab, box)
    for folded in page.locator(".presenter-hide").all():
        assert not folded.is_visible()
    assert page.locator("#link-btn").is_visible()  # the page bar stays
    page.screenshot(path=str(SCREENSHOTS / f"present_{lang}_{tab}.png"))


@pytest.mark.parametrize("lang, tab", [("en", "tokens"), ("zh", "mass")])
def test_a_link_opens_presenter_mode(browser, app_url, lang, tab):
    """?present=1 opens the view in presenter mode (every tab is checked in presenter mode, switched on
    with its toggle, in test_every_tab_in_each_language)."""
    context, page = open_view(browser, app_url, f"?tab={tab}&present=1&lang={lang}", viewport=(1280, 720))
    try:
        wait_tab(page, tab)
        wait_lang(page, lang)
        check_presenter(page, tab, lang)
    finally:
        context.close()


def test_the_presenter_toggle(browser, app_url):
    context, page = open_view(browser, app_url, "?tab=prior_posterior", viewport=(1280, 720))
    try:
        wait_tab(page, "prior_posterior")
        assert page.locator("#pp-prior-seed").is_visible()
        page.locator("#present-toggle").get_by_role("checkbox").check()
        page.wait_for_function("() => document.body.classList.contains('presenter')", timeout=10_000)
        assert not page.locator("#pp-prior-seed").is_visible()
        page.locator("#present-toggle").get_by_role("checkbox").uncheck()
        page.wait_for_function("() => !document.body.classList.contains('presenter')", timeout=10_000)
    finally:
        context.close()
