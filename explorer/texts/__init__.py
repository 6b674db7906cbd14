"""Strings of the lecture's newer tabs, one module per tab, each registered with explorer.i18n.add()
(explorer/i18n.py imports them all at its end). Same rules as explorer/i18n.py: key -> (English, 中文),
keys namespaced by tab, the glossary's words."""
