"""The page around the tabs: the language switch (and ?lang=), "link to this view" (?tab=... and each
tab's settings), presenter mode (?present=1). Tabs register here what the page needs from them.

How the language is chosen (gradio 6 translates static text in the browser from gr.I18n, by the
browser's locale, and offers no URL parameter for it):
1. ?lang=zh / ?lang=en in the URL, else the browser's Accept-Language (read on load, gr.Request);
2. the hidden-in-plain-sight switch `lang` (a Radio) holds it; every handler that computes text
   takes it as its last input, so text a handler writes follows the page;
3. the same value is pushed into gradio's frontend locale (its `changeLocale`, loaded from the page's
   own module graph), so static text (gr.I18n keys) follows too, without a reload.
"""
from __future__ import annotations

import gradio as gr
from gradio.i18n import I18nData

from ..i18n import DEFAULT_LANG, FRONTEND_LOCALE, LANG_NAMES, LANGS, TEXT, t, translations

I18N = gr.I18n(**translations())


def tr(key: str) -> I18nData:
    """Static component text (labels, Markdown, buttons, choices): translated by the frontend."""
    if key not in TEXT:
        raise KeyError(f"no translation for {key!r}: add it to explorer/i18n.py")
    return I18nData(key)


def lang_switch() -> gr.Radio:
    return gr.Radio([(LANG_NAMES[lang], lang) for lang in LANGS], value=DEFAULT_LANG, label=tr("page.lang"),
                    elem_id="lang-switch", container=False, min_width=160, scale=0)


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
  return lang;
}""".replace("LOCALES", str({k: v for k, v in FRONTEND_LOCALE.items()}).replace("'", '"'))
