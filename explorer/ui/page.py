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
# static text that handlers send after the page is built: a model change sends its data set's class
# names as a dropdown's choices (image_input.class_choices), which the page translates from its table
RUNTIME_KEYS = ("class.",)


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
        table.update({k: v for k, v in _ALL[loc].items() if k in _USED or k.startswith(GRADIO_KEYS + RUNTIME_KEYS)})


def plain_api_labels(demo: gr.Blocks) -> None:
    """The API description (/info: "Use via API" in the page's footer, gradio_client's view_api) names
    each parameter and result by its component's label, which here is a translation key: the page showed
    'provided in the "[object Object]" Dropdown component'. It gets the English text instead."""
    describe = demo.get_api_info

    def get_api_info(*args, **kwargs):  # gradio passes `page` by keyword where the signature takes it
        info = describe(*args, **kwargs)
        for group in ("named_endpoints", "unnamed_endpoints"):
            for endpoint in (info.get(group) or {}).values():
                for item in endpoint.get("parameters", []) + endpoint.get("returns", []):
                    key = getattr(item.get("label"), "key", None)  # an I18nData (page.tr)
                    if key in _ALL["en"]:
                        item["label"] = _ALL["en"][key]
        return info

    demo.get_api_info = get_api_info


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

# gradio's page keeps a loading status for each component that any event has named, and at every
# status message of any event (about five per click) it looks each one up in the whole component tree
# and deep-copies its properties. When an event finishes, gradio marks its stream "closed" (every
# event, streaming or not), and that mark gives each of the event's *inputs* a loading status too, one
# that only a streaming input would ever show. So the list grew with every input of every event a page
# had run: 19 after the first tab, 50 after six actions over four tabs, and every click later in the
# page paid for all of them. This app has no streaming events (a test checks), so the page's
# LoadingStatus store is given finished events without that mark: its list holds the panels that show
# a spinner (one per event) and nothing else. It patches the class the page itself uses (importing the
# page's own module URL returns the same module); where the class is not found, nothing changes.
LEAN_STATUS_JS = """async () => {
  try {
    const url = performance.getEntriesByType("resource").map((e) => e.name)
      .find((n) => /\\/assets\\/statustracker-[^/]+\\.js(\\?.*)?$/.test(n));
    if (!url) return;
    const mod = await import(url);
    for (const v of Object.values(mod)) {
      const C = v && typeof v.LoadingStatus === "function" ? v.LoadingStatus : v;
      const p = typeof C === "function" ? C.prototype : null;
      if (!p || typeof p.update !== "function" || typeof p.resolve_args !== "function") continue;
      if (!p.update.explorerLean) {
        const update = p.update;
        p.update = function (status) {
          const lean = status && status.stream_state === "closed" ? { ...status, stream_state: null } : status;
          return update.call(this, lean);
        };
        p.update.explorerLean = true;
      }
      document.documentElement.dataset.leanStatus = "1";
      return;
    }
  } catch (e) { console.warn("could not trim the page's loading statuses", e); }
}"""

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

# The page's fonts: gradio's default theme with whole bold faces. The default asks for Source Sans Pro
# and IBM Plex Mono at weights 400 and 600, but the 600 ("SemiBold") files in gradio 6.31's wheel hold
# 55 and 75 glyphs (A and B among them, no lowercase letter, no digit): every bold or semi-bold word was
# drawn in the system's fallback font except its A and B ("ELBO" with a thin B). The 700 ("Bold") files
# are whole (1,615 and 750 glyphs); text asked for at 600 takes the nearest heavier face, 700.
# tests/test_browser_fonts.py measures each weight's letters in the browser.
THEME = gr.themes.Default(
    font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
    font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas", "monospace"),
)

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
        self.building: str | None = None  # the tab being built (Page.begin)

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
    def begin(self, tab: str) -> None:
        """The tab being built from now on: its redraws run when a page first opens it."""
        if tab not in self.tab_ids:
            raise KeyError(f"no tab {tab!r}; known: {self.tab_ids}")
        self.building = tab

    def redraw(self, fn, inputs: list, outputs: list, preprocess: bool = True, after_previous: bool = False,
               always: bool = False) -> None:
        """fn(*inputs, lang) recomputes outputs in lang; run when the language changes, and when a page
        first opens this tab in a language other than the config's or from a link with its settings
        (always: at every first opening).
        after_previous: run once the previously registered redraw has finished (it reads what that wrote)."""
        if self.building is None:
            raise RuntimeError("Page.redraw outside a tab: call Page.begin(tab) first")
        self.redraws.append((self.building, fn, list(inputs), list(outputs), preprocess, after_previous, always))

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
    def wire(self, demo: gr.Blocks, tab_items: dict[str, gr.Tab]) -> None:
        """Why the wiring is shaped this way: gradio's page keeps the loading status of every component
        any event of the page has ever written, and on each status change of any later click it walks
        all of them (for a layout block such as the gr.Tabs, every component inside it). So no event
        writes the gr.Tabs (a tab is selected by clicking its button, in the page), and what a tab's
        views need (its first figures, a link's settings, redraws in the page's language) is written
        by events that run when a page first opens that tab, not by the page's load event."""
        # the page applies a link's values in this order, and a choice (a model, a layer) starts its own
        # handlers as soon as it changes, reading the others: so plain values first, the model last
        params = sorted(self.params, key=lambda p: (isinstance(p.component, (gr.Radio, gr.Dropdown)),
                                                    p.name.endswith("model")))
        param_components = [p.component for p in params]

        def open_link(request: gr.Request):
            """?lang, ?tab, ?present and the named tab's settings: the language, presenter mode, a notice
            listing anything unknown or malformed, and the link ({"tab", "values"}) that the tab's first
            opening applies (the page then clicks that tab's button)."""
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
            values = {}
            known = set(self.GLOBAL)
            for p in params:
                if p.tab != tab or p.name not in q:
                    continue
                known.add(p.name)
                try:
                    values[p.name] = p.parse(q[p.name])
                except (ValueError, TypeError, OverflowError):
                    ignored.append((p.name, q[p.name], "bad"))
            ignored += [(k, v, "unknown") for k, v in q.items() if k not in known]
            notice = ""
            if ignored:
                items = "; ".join(t("page.ignored_item", lang, name=k, value=v[:40],
                                    why=t("page.unknown_param" if why == "unknown" else "page.bad_value", lang))
                                  for k, v, why in ignored[:8])
                notice = "<small>" + t("page.ignored", lang, items=items) + "</small>"
            link = {"tab": tab, "values": values} if values else gr.skip()
            return [lang, present if "present" in q else gr.skip(), notice, link]

        link = gr.State({"tab": None, "values": {}})  # a link's tab and its settings, applied when it opens
        quiet = dict(api_visibility="private", show_progress="hidden", queue=False)
        load = demo.load(open_link, None, [self.lang, self.present, self.notice, link], **quiet)
        demo.load(None, None, None, js=LEAN_STATUS_JS)  # first thing: a page's clicks stay as cheap as its first
        # what the URL does not name is left as it is: a student may already have clicked a tab
        load.then(None, [self.lang], None, js=SET_LOCALE_JS).then(
            None, [self.present], None, js=PRESENT_JS).then(None, None, None, js=OPEN_LINKED_TAB_JS)
        # the switch: the page's own text at once (in the browser), then what the handlers wrote
        self.lang.input(None, [self.lang], None, js=SET_LOCALE_JS)
        on_switch = None
        for _tab, fn, inputs, outputs, preprocess, after_previous, always in self.redraws:
            kw = dict(api_visibility="private", show_progress="hidden", preprocess=preprocess)
            on_switch = (on_switch.then if after_previous else self.lang.input)(fn, [*inputs, self.lang], outputs, **kw)
        self.present.input(None, [self.present], None, js=PRESENT_JS)

        # a tab's first opening in a page (a click on it, a lecture-map button, or a link): its lazy
        # outputs, a link's settings, and its redraws when the page needs them
        opened = gr.State([])  # the tabs this page has opened
        redraw_now = gr.State("")  # "all": the opening tab's redraws run; "always": only those marked always

        def opener(tab_id: str):
            lazies = [(outs, make) for t_, outs, make in self.lazies if t_ == tab_id]
            redrawn = {id(c) for t_, _f, _i, outs, *_ in self.redraws if t_ == tab_id for c in outs}
            mine = [p for p in params if p.tab == tab_id]
            outputs = [opened, redraw_now, *[c for outs, _ in lazies for c in outs], *[p.component for p in mine]]

            def open_tab(opened_tabs, lang, link_):
                n = len(outputs) - 2
                if tab_id in opened_tabs:
                    return [gr.skip(), ""] + [gr.skip()] * n
                values = (link_ or {}).get("values", {}) if (link_ or {}).get("tab") == tab_id else {}
                redraw = "all" if lang != DEFAULT_LANG or values else "always"
                out = [opened_tabs + [tab_id], redraw]
                for outs, make in lazies:  # the redraws about to run write these themselves
                    if redraw == "all" and all(id(c) in redrawn for c in outs):
                        out += [gr.skip()] * len(outs)
                    else:
                        out += self._lazy_values(make, lang)
                out += [values[p.name] if p.name in values else gr.skip() for p in mine]
                return out
            return open_tab, outputs

        for tab_id, item in tab_items.items():
            open_tab, outputs = opener(tab_id)
            event = item.select(lambda _t=tab_id: _t, None, self.current_tab, **quiet)
            if len(outputs) == 2 and not any(r[0] == tab_id for r in self.redraws):
                continue  # nothing to fill or redraw (the lecture map)
            first = event.then(open_tab, [opened, self.lang, link], outputs, **quiet)
            previous = first
            for _tab, fn, inputs, outs, preprocess, after_previous, always in self.redraws:
                if _tab != tab_id:
                    continue

                def when_needed(now, *args, _fn=fn, _n=len(outs), _always=always):
                    if now == "all" or (now and _always):
                        return _fn(*args)
                    return [gr.skip()] * _n if _n > 1 else gr.skip()
                kw = dict(api_visibility="private", show_progress="hidden", preprocess=preprocess)
                previous = (previous if after_previous else first).then(
                    when_needed, [redraw_now, *inputs, self.lang], outs, **kw)
        for trigger, tab_id in self.gotos:  # a click on the tab's own button: its select event opens it
            trigger.click(None, None, None, js=OPEN_TAB_JS.replace("TAB_ID", json.dumps(tab_id)))

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


def progress_on_one_panel(demo: gr.Blocks) -> int:
    """Each event shows its progress on one panel, its first visible output; an event that shows no
    progress (show_progress="hidden") names none. Returns how many events it narrowed.

    Why: gradio's page keeps a loading status for every component that any event has ever named as
    a progress target (by default, all of its outputs), and at each status change of any click it
    deep-copies every one of those components' properties (Svelte's snapshot, one structuredClone
    per leaf) after searching the component tree for it. A Score click after the interpolation
    tab copied about 15,600 leaves this way; with one panel per event, about 6,800. What a student
    sees: the spinner of a "full" or "minimal" event sits on its main panel only, and a hidden
    event's outputs, which never showed one, stay as they were. An event that names its own
    show_progress_on keeps it."""
    narrowed = 0
    for fn in demo.fns.values():
        if fn.show_progress_on is not None or not fn.fn:
            continue
        shown = [] if fn.show_progress == "hidden" else [b for b in fn.outputs if not isinstance(b, gr.State)][:1]
        fn.show_progress_on = shown
        narrowed += 1
    return narrowed


# a tab is opened by clicking its own button (never by an event that writes the gr.Tabs): gradio then
# fires the tab's select event, which fills what the tab shows on its first opening
OPEN_TAB_JS = """() => {
  const id = TAB_ID;
  const button = Array.from(document.querySelectorAll('button[role="tab"][data-tab-id]'))
    .find(b => b.getAttribute("data-tab-id") === id && !b.closest('[aria-hidden="true"]'));
  if (button && button.getAttribute("aria-selected") !== "true") button.click();
}"""

# ?tab=<id> -> that tab (an unknown id matches no button and is left alone; the server lists it)
OPEN_LINKED_TAB_JS = """() => {
  const id = new URLSearchParams(window.location.search).get("tab");
  if (!id) return;
  const button = Array.from(document.querySelectorAll('button[role="tab"][data-tab-id]'))
    .find(b => b.getAttribute("data-tab-id") === id && !b.closest('[aria-hidden="true"]'));
  if (button && button.getAttribute("aria-selected") !== "true") button.click();
}"""


# the query string -> the whole address, also put in the address bar (so the browser's own copy works)
LINK_JS = """(q) => {
  if (!q || q.startsWith("http")) return q;
  const url = window.location.origin + window.location.pathname + q;
  try { history.replaceState(null, "", url); } catch (e) {}
  try { navigator.clipboard && navigator.clipboard.writeText(url).catch(() => {}); } catch (e) {}
  return url;
}"""
