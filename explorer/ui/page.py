"""The page around the tabs: the language switch (and ?lang=), "link to this view" (?tab=... and each
tab's settings), presenter mode (?present=1). Tabs register here what the page needs from them.

How the language is chosen (gradio 6 translates static text in the browser from gr.I18n, by the
browser's locale - navigator.language - and offers no URL parameter or API to override it):
1. ?lang=zh / ?lang=en in the URL, else the browser's Accept-Language (read on load, gr.Request);
2. the visible switch `lang` (a Radio) holds it; every handler that computes text takes it as its
   last input, so the text a handler writes follows the page, and changing it redraws that text;
3. the same value is pushed into gradio's frontend locale (its `changeLocale`, imported from the
   page's own module graph), so static text (gr.I18n keys) follows too, without a reload.
"""
from __future__ import annotations

import json

import gradio as gr
from gradio.i18n import I18nData

from ..i18n import DEFAULT_LANG, FRONTEND_LOCALE, LANG_NAMES, LANGS, TEXT, t, translations

I18N = gr.I18n(**translations())
_ALL = {loc: dict(table) for loc, table in I18N.translations.items()}  # every key, kept for keep_used_translations
_USED: set[str] = set()  # keys the built page shows through tr() / tr_fmt()
GRADIO_KEYS = ("image_editor.",)  # gradio's own components look these up in the page's table


def tr(key: str) -> I18nData:
    """Static component text (labels, Markdown, buttons, choices): translated by the frontend."""
    if key not in TEXT:
        raise KeyError(f"no translation for {key!r}: add it to explorer/i18n.py")
    _USED.add(key)
    return I18nData(key)


def keep_used_translations() -> None:
    """Send the page only the static text it shows: the handlers' sentences are written on the server,
    so the table every student downloads first holds a third of the keys (call after building)."""
    for loc, table in I18N.translations.items():
        table.clear()
        table.update({k: v for k, v in _ALL[loc].items() if k in _USED or k.startswith(GRADIO_KEYS)})


def tr_fmt(key: str, **fmt) -> I18nData:
    """Static text with numbers known when the page is built ("at most {max_len} characters"): the
    formatted text in every language is registered under a key of its own, then used like tr()."""
    from ..i18n import t as _t
    if key not in TEXT:
        raise KeyError(f"no translation for {key!r}: add it to explorer/i18n.py")
    derived = key + "|" + ",".join(f"{k}={v}" for k, v in sorted(fmt.items()))
    for loc, table in I18N.translations.items():
        table[derived] = _ALL[loc][derived] = _t(key, loc, **fmt)
    _USED.add(derived)
    return I18nData(derived)


def lang_switch() -> gr.Radio:
    return gr.Radio([(LANG_NAMES[lang], lang) for lang in LANGS], value=DEFAULT_LANG, label=tr("page.lang"),
                    elem_id="lang-switch", container=False, min_width=230, scale=0)


# Sets gradio's frontend locale without a reload: changeLocale lives in the page's own "core" module;
# importing the same URL again returns the same module instance, hence the same locale store.
SET_LOCALE_JS = """async (lang) => {
  const locale = LOCALES[lang] || "en";
  try {
    const url = performance.getEntriesByType("resource").map(e => e.name)
      .find(n => /\\/assets\\/core-[^/]+\\.js(\\?.*)?$/.test(n));
    if (url) { (await import(url)).changeLocale(locale); }
  } catch (e) { console.warn("could not set the page's locale", e); }
  document.documentElement.setAttribute("lang", locale);
  // gradio keeps the labels of the tab buttons it drew first: write them in the new language
  const tabs = TABS[lang] || {};
  const ids = [];
  document.querySelectorAll('button[role="tab"][data-tab-id]').forEach(b => {
    ids.push(b.getAttribute("data-tab-id"));
    const label = tabs[b.getAttribute("data-tab-id")];
    if (label && b.textContent !== label) b.textContent = label;
  });
  // ... and their hidden copies, which gradio measures to decide which tabs overflow
  document.querySelectorAll('.tab-container[aria-hidden="true"]').forEach(c => {
    c.querySelectorAll("button").forEach((b, i) => { const l = tabs[ids[i]]; if (l) b.textContent = l; });
  });
  return lang;
}""".replace("LOCALES", json.dumps(FRONTEND_LOCALE)).replace(
    "TABS", json.dumps({lang: {k[4:]: t(k, lang) for k in TEXT if k.startswith("tab.")} for lang in LANGS},
                       ensure_ascii=False))


# ------------------------------------------------------------------------------------------------
# presenter mode: a class on the page root; larger type, secondary controls folded away, figures
# no wider than the window (1280 x 720 projector)

PRESENT_JS = """(on) => {
  document.body.classList.toggle("presenter", !!on);
  // figures: plotly writes its fonts inline, so they are enlarged (and restored) through plotly itself,
  // again whenever a handler redraws a figure while presenting
  const big = {"title.font.size": 21, "xaxis.tickfont.size": 17, "yaxis.tickfont.size": 17, "legend.font.size": 15};
  const fit = () => {
    const present = document.body.classList.contains("presenter");
    if (!window.Plotly) return;
    document.querySelectorAll(".js-plotly-plot").forEach(div => {
      const fl = div._fullLayout;
      if (!fl || !fl.title || !fl.title.font) return;
      const enlarged = fl.title.font.size === big["title.font.size"];
      if (present && !enlarged) {
        const size = (k) => (fl[k] && fl[k].tickfont) ? fl[k].tickfont.size : fl.font.size;
        div.__small = {"title.font.size": fl.title.font.size, "xaxis.tickfont.size": size("xaxis"),
                       "yaxis.tickfont.size": size("yaxis"),
                       "legend.font.size": fl.legend ? fl.legend.font.size : fl.font.size};
        window.Plotly.relayout(div, big);
      } else if (!present && enlarged && div.__small) {
        window.Plotly.relayout(div, div.__small);
        div.__small = null;
      }
    });
  };
  if (!window.__presenterTimer) window.__presenterTimer = setInterval(fit, 700);
  fit();
  window.dispatchEvent(new Event("resize"));  // plotly figures re-fit their new width
  return on;
}"""

CSS = """
body.presenter .gradio-container { max-width: 100% !important; padding: 0 12px !important; font-size: 20px; }
body.presenter .prose, body.presenter .prose p, body.presenter .prose li, body.presenter .md p,
body.presenter .md li { font-size: 20px !important; line-height: 1.45 !important; }
body.presenter .prose h3, body.presenter .md h3 { font-size: 28px !important; }
body.presenter label span, body.presenter .block-title, body.presenter span[data-testid="block-info"],
body.presenter button, body.presenter input, body.presenter textarea, body.presenter .wrap-inner,
body.presenter table { font-size: 19px !important; }
body.presenter .presenter-hide, body.presenter .explain { display: none !important; }
body.presenter pre, body.presenter code { font-size: 18px !important; }
body.presenter span[data-testid="block-info"] + div, body.presenter .info { font-size: 16px !important; }
body.presenter .gradio-container * { max-width: 100%; }
body.presenter .js-plotly-plot, body.presenter .plot-container { max-width: 100% !important; }
body.presenter .row { flex-wrap: wrap !important; }
body.presenter .tab-container button, body.presenter button[role="tab"] { font-size: 20px !important; }
#page-bar { align-items: center; gap: 8px; }
#page-bar .link-box textarea { font-family: monospace; font-size: 13px; }
"""


# ------------------------------------------------------------------------------------------------
# links to a view: ?tab=<id>&<the tab's settings>; each tab declares its settings with page.param()

class Param:
    """One URL parameter of one tab: parse(text) -> a value for component (ValueError if not
    allowed), show(value) -> the text in a link (None: leave it out)."""

    def __init__(self, tab: str, name: str, component, parse, show=None):
        self.tab, self.name, self.component, self.parse = tab, name, component, parse
        self.show = show or (lambda v: None if v is None else f"{v:g}" if isinstance(v, float) else str(v))


def parse_choice(allowed):
    """A parser accepting one of allowed (strings compared as given, ints by value)."""
    allowed = list(allowed)

    def parse(text: str):
        for a in allowed:
            if str(a) == text:
                return a
        raise ValueError(text)
    return parse


def parse_number(lo: float, hi: float, integer: bool = False):
    def parse(text: str):
        x = float(text)
        if not lo <= x <= hi or (integer and x != int(x)):
            raise ValueError(text)
        return int(x) if integer else x
    return parse


def parse_text(max_len: int = 200):
    def parse(text: str):
        if len(text) > max_len:
            raise ValueError(text)
        return text
    return parse


class Page:
    """Collects, while the tabs are built, what each tab redraws in another language and which of
    its settings a link carries; wire() then connects the page bar to all of it."""

    GLOBAL = ("tab", "lang", "present")

    def __init__(self, tab_ids: list[str], default_tab: str):
        self.tab_ids, self.default_tab = list(tab_ids), default_tab
        self.redraws: list[tuple] = []
        self.params: list[Param] = []
        self.gotos: list[tuple] = []
        self.lazies: list[tuple] = []
        self._made: dict[tuple, list] = {}
        self.lang: gr.Radio | None = None

    # ---- built first: the bar above the tabs
    def bar(self) -> None:
        with gr.Row(elem_id="page-bar", equal_height=True):
            self.lang = lang_switch()
            self.present = gr.Checkbox(False, label=tr("page.present"), elem_id="present-toggle", container=False,
                                       scale=0, min_width=220)
            self.link_btn = gr.Button(tr("page.link_btn"), size="sm", scale=0, min_width=180, elem_id="link-btn")
            self.link = gr.Textbox("", label=tr("page.link"), show_label=False, container=False, interactive=False,
                                   scale=3,
                                   elem_id="link-box", elem_classes=["link-box"], buttons=["copy"],
                                   placeholder=None)
        self.notice = gr.Markdown("", elem_id="page-notice")
        self.current_tab = gr.State(self.default_tab)

    # ---- called by the tabs while they are built
    def redraw(self, fn, inputs: list, outputs: list, preprocess: bool = True, after_previous: bool = False,
               always: bool = False) -> None:
        """fn(*inputs, lang) recomputes outputs in lang; run when the language changes or a link opens
        (always: on every page load, once the page's language is known).
        after_previous: run once the previously registered redraw has finished (it reads what that wrote)."""
        self.redraws.append((fn, list(inputs), list(outputs), preprocess, after_previous, always))

    def param(self, tab: str, name: str, component, parse, show=None) -> None:
        self.params.append(Param(tab, name, component, parse, show))

    def lazy(self, tab: str, outputs: list, make) -> None:
        """outputs start empty in the page's config and are filled with make(lang) (a list, one value
        per output; computed once per language and kept) the first time the tab opens in a page: a
        student downloads a tab's figures only when opening it, and the first page is small."""
        if tab not in self.tab_ids:
            raise KeyError(f"no tab {tab!r}; known: {self.tab_ids}")
        self.lazies.append((tab, list(outputs), make))

    def _lazy_values(self, make, lang: str) -> list:
        key = (id(make), lang)
        if key not in self._made:
            self._made[key] = list(make(lang))
        return self._made[key]

    def goto(self, trigger, tab: str) -> None:
        """Clicking trigger (a Button) opens tab (one of tab_ids): the lecture map's nodes."""
        if tab not in self.tab_ids:
            raise KeyError(f"no tab {tab!r}; known: {self.tab_ids}")
        self.gotos.append((trigger, tab))

    # ---- the wiring, once every tab is built
    def wire(self, demo: gr.Blocks, tabs: gr.Tabs, tab_items: dict[str, gr.Tab]) -> None:
        # the page applies a link's values in this order, and a choice (a model, a layer) starts its own
        # handlers as soon as it changes, reading the others: so plain values first, the model last
        params = sorted(self.params, key=lambda p: (isinstance(p.component, (gr.Radio, gr.Dropdown)),
                                                    p.name.endswith("model")))
        param_components = [p.component for p in params]

        def open_link(request: gr.Request):
            """?lang, ?tab, ?present and the chosen tab's settings -> the components; anything
            unknown or malformed is left out and listed in a small notice."""
            q = dict(request.query_params) if request is not None else {}
            from ..i18n import from_accept_language, norm_lang
            ignored = []
            lang = None
            if "lang" in q:
                if q["lang"].strip().lower().replace("_", "-").split("-")[0] in LANGS:
                    lang = norm_lang(q["lang"])
                else:
                    ignored.append(("lang", q["lang"], "bad"))
            if lang is None:
                lang = from_accept_language(request.headers.get("accept-language") if request else None) \
                    or DEFAULT_LANG
            tab = self.default_tab
            if "tab" in q:
                if q["tab"] in self.tab_ids:
                    tab = q["tab"]
                else:
                    ignored.append(("tab", q["tab"], "bad"))
            present = False
            if "present" in q:
                if q["present"] in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                    present = q["present"] in ("1", "true", "yes", "on")
                else:
                    ignored.append(("present", q["present"], "bad"))
            values, any_param = [], False
            known = set(self.GLOBAL)
            for p in params:
                if p.tab != tab or p.name not in q:
                    values.append(gr.skip())
                    continue
                known.add(p.name)
                try:
                    values.append(p.parse(q[p.name]))
                    any_param = True
                except (ValueError, TypeError, OverflowError):
                    ignored.append((p.name, q[p.name], "bad"))
                    values.append(gr.skip())
            ignored += [(k, v, "unknown") for k, v in q.items() if k not in known]
            notice = ""
            if ignored:
                items = "; ".join(t("page.ignored_item", lang, name=k, value=v[:40],
                                    why=t("page.unknown_param" if why == "unknown" else "page.bad_value", lang))
                                  for k, v, why in ignored[:8])
                notice = "<small>" + t("page.ignored", lang, items=items) + "</small>"
            linked = lang != DEFAULT_LANG or any_param
            # what the URL does not name is left as it is: a student may already have clicked a tab
            tab_out = (gr.Tabs(selected=tab), tab) if "tab" in q else (gr.skip(), gr.skip())
            return [lang, *tab_out, present if "present" in q else gr.skip(), notice, linked, *values]

        linked = gr.State(False)
        load = demo.load(open_link, None, [self.lang, tabs, self.current_tab, self.present, self.notice, linked,
                                           *param_components],
                         api_visibility="private", show_progress="hidden", queue=False)
        load = load.then(None, [self.lang], None, js=SET_LOCALE_JS).then(
            None, [self.present], None, js=PRESENT_JS)
        # the switch: the page's own text at once (in the browser), then what the handlers wrote
        self.lang.input(None, [self.lang], None, js=SET_LOCALE_JS)
        on_load = on_switch = None
        for fn, inputs, outputs, preprocess, after_previous, always in self.redraws:
            def when_linked(is_linked, *args, _fn=fn, _n=len(outputs), _always=always):
                if not (is_linked or _always):
                    return [gr.skip()] * _n if _n > 1 else gr.skip()
                return _fn(*args)
            kw = dict(api_visibility="private", show_progress="hidden", preprocess=preprocess)
            on_load = (on_load if after_previous else load).then(
                when_linked, [linked, *inputs, self.lang], outputs, **kw)
            on_switch = (on_switch.then if after_previous else self.lang.input)(
                fn, [*inputs, self.lang], outputs, **kw)
        self.present.input(None, [self.present], None, js=PRESENT_JS)

        # lazy outputs: filled the first time their tab opens (by a click, a lecture-map button or a link)
        lazy_outputs = [c for _, outs, _ in self.lazies for c in outs]
        lazy_tabs = {t for t, _, _ in self.lazies}
        opened = gr.State([])  # the tabs of this page whose lazy outputs were filled
        quiet = dict(api_visibility="private", show_progress="hidden", queue=False)

        def fill(tab, opened_tabs, lang, is_linked=False):
            first = tab in lazy_tabs and tab not in opened_tabs
            values = []
            for t, outs, make in self.lazies:
                # a link's own redraws fill its tab in its settings: leave those alone
                if t == tab and first and not is_linked:
                    values += self._lazy_values(make, lang)
                else:
                    values += [gr.skip()] * len(outs)
            return [opened_tabs + [tab] if first else gr.skip(), *values]

        def fill_after(event, tab_id: str | None = None, inputs=()):
            """Once event has set current_tab: fill that tab's lazy outputs if this page has not yet."""
            if tab_id is None or tab_id in lazy_tabs:
                event.then(fill, [self.current_tab, opened, self.lang, *inputs], [opened, *lazy_outputs], **quiet)

        if lazy_outputs:
            fill_after(load, inputs=[linked])  # a link or the default tab

        for tab_id, item in tab_items.items():
            fill_after(item.select(lambda _t=tab_id: _t, None, self.current_tab, **quiet), tab_id)
        for trigger, tab_id in self.gotos:  # selecting a tab from the server fires no select event: fill here
            fill_after(trigger.click(lambda _t=tab_id: (gr.Tabs(selected=_t), _t), None, [tabs, self.current_tab],
                                     **quiet), tab_id)

        def make_link(tab, lang, present, *values):
            """The current tab, language, presenter mode and the tab's settings as a query string."""
            parts = [("tab", tab)]
            for p, v in zip(params, values):
                if p.tab == tab:
                    s = p.show(v)
                    if s is not None:
                        parts.append((p.name, s))
            parts.append(("lang", lang))
            if present:
                parts.append(("present", "1"))
            from urllib.parse import urlencode
            return "?" + urlencode(parts)

        self.link_btn.click(make_link, [self.current_tab, self.lang, self.present, *param_components], self.link,
                            api_visibility="private", show_progress="hidden", queue=False).then(
            None, [self.link], [self.link], js=LINK_JS)


# the query string -> the whole address, also put in the address bar (so the browser's own copy works)
LINK_JS = """(q) => {
  if (!q || q.startsWith("http")) return q;
  const url = window.location.origin + window.location.pathname + q;
  try { history.replaceState(null, "", url); } catch (e) {}
  try { navigator.clipboard && navigator.clipboard.writeText(url).catch(() => {}); } catch (e) {}
  return url;
}"""
