"""What the app sets in gradio against malformed or hostile calls (see the README's security notes).

Gradio converts every input before a handler runs ("preprocessing"), and a value it cannot convert
fails there with gradio's own text: int(NaN) for a seed box, "'<' not supported between 'str' and
'int'" for a string sent to a slider, a server path for a file. The app's views check every argument
themselves (explorer/errors.py) and say what is allowed, so the public events whose inputs are plain
values take them as sent; the events that take images decode them in image_input.receive.
"""
from __future__ import annotations

import os

import gradio as gr

# components whose preprocessing only converts a JSON value (a number, a string, a choice, a flag)
PLAIN_VALUES = (gr.Number, gr.Slider, gr.Dropdown, gr.Radio, gr.Textbox, gr.Checkbox, gr.State)


def values_as_sent(demo: gr.Blocks) -> list[str]:
    """Turn off gradio's preprocessing for every public API event whose inputs are all plain values
    (their handlers check each argument). Returns the API names changed."""
    changed = []
    for fn in demo.fns.values():
        if fn.api_visibility != "public" or not fn.preprocess:
            continue
        if all(isinstance(block, PLAIN_VALUES) for block in fn.inputs):
            fn.preprocess = False
            changed.append(fn.api_name)
    return changed


DEFAULT_MAX_SESSIONS = 100


def max_sessions_from_env(default: int = DEFAULT_MAX_SESSIONS) -> int:
    """EXPLORER_MAX_SESSIONS: how many sessions gradio keeps in memory (launch's state_session_capacity).
    Gradio keeps every session it has seen, about 0.3 MB each here (its copy of the page's components),
    until this many newer ones push it out; every REST call is a session of its own."""
    value = os.environ.get("EXPLORER_MAX_SESSIONS", "")
    try:
        n = int(value) if value.strip() else default
    except ValueError:
        raise SystemExit(f"EXPLORER_MAX_SESSIONS must be a whole number >= 1, got {value!r}") from None
    if n < 1:
        raise SystemExit(f"EXPLORER_MAX_SESSIONS must be a whole number >= 1, got {value!r}")
    return n


def release_sessions(demo: gr.Blocks) -> None:
    """When a page closes, forget its session at once: its gr.State values (their delete_callbacks run,
    which stops a live trainer) and gradio's copy of the page for it. Gradio itself keeps a closed
    session's values for an hour and its copy of the page until state_session_capacity pushes it out."""
    def forget(request: gr.Request):
        holder = getattr(demo, "state_holder", None)
        key = getattr(request, "session_hash", None)
        if holder is None or key is None or key not in holder:
            return
        holder.delete_state(key)
        with holder.lock:
            holder.session_data.pop(key, None)
            holder.time_last_used.pop(key, None)

    demo.unload(forget)


def no_queue_analytics() -> None:
    """Call before demo.queue(). After every event, gradio's queue rebuilds a pandas table of the last
    10,000 events to summarise them for its monitoring dashboard (9-18 ms holding the GIL, measured),
    which this app turns off (launch's enable_monitoring=False). Its own settings, read when the queue is
    made, skip that work and keep fewer records; a deployer who sets them keeps theirs."""
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
