"""A module imported at its first use.

The tabs' work (explorer/views, explorer/plots, the live trainers) imports torch, which takes about
1.3 s here, longer than everything else the app adds to a bare Gradio app. The tabs name their work
through `Deferred` modules, so that the page is built and served before torch is imported; the app
imports the work just after it starts serving (app.warm_up), and a click that comes first imports what
it needs itself (Python's import lock makes the two wait for each other, never import twice).
Build-time needs (input ranges, choices, labels) come from torch-free modules: explorer/views/limits.py,
explorer/zoo.py's catalogue, explorer/classes.py. tests/test_cold_start.py checks that building the
page imports no torch."""
from __future__ import annotations

import importlib

NAMED: list[str] = []  # every deferred module, as the tabs name them: import_all() imports them


class Deferred:
    def __init__(self, name: str):
        self._name = name
        if name not in NAMED:
            NAMED.append(name)

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


def import_all() -> None:
    """Import every deferred module now (app.warm_up, just after the app starts serving)."""
    for name in NAMED:
        importlib.import_module(name)
