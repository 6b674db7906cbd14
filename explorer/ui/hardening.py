"""What the app sets in gradio against malformed or hostile calls (see the README's security notes).

Gradio converts every input before a handler runs ("preprocessing"), and a value it cannot convert
fails there with gradio's own text: int(NaN) for a seed box, "'<' not supported between 'str' and
'int'" for a string sent to a slider, a server path for a file. The app's views check every argument
themselves (explorer/errors.py) and say what is allowed, so the public events whose inputs are plain
values take them as sent; the events that take images decode them in image_input.receive.
"""
from __future__ import annotations

import datetime
import os
from copy import copy

import gradio as gr
from gradio import state_holder

from ..settings import whole_number_from_env

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
    Gradio keeps every session it has seen, about 50 kB each here (LeanSessionState, below),
    until this many newer ones push it out; every REST call is a session of its own."""
    return whole_number_from_env("EXPLORER_MAX_SESSIONS", default, 1)


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


class LeanSessionState(state_holder.SessionState):
    """gradio's state of one page (a session), without its running copy of every component's config.

    gradio's SessionState builds the config of each of the page's ~400 blocks when a session starts
    (about 40 ms holding the interpreter lock here, for every student's page and every REST caller) and
    updates it with every event's inputs and outputs, for one reader: its deep-link route (the
    `gr.DeepLinkButton`, which this app does not use; its own "link to this view" names settings in the
    URL). Here the session records which blocks and values changed, and the configs are made when that
    route reads them: the same configs (tests/test_app_startup.py compares the two)."""

    def __init__(self, blocks):  # gradio's __init__, less the configs
        self.blocks_config = copy(blocks.default_config)
        self._config_ids = dict.fromkeys(k for k in self.blocks_config.blocks if k in blocks.blocks)
        self._values: dict = {}  # block id -> the value last written into its config
        self.state_data = {}
        self._state_ttl = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    @property
    def config_values(self) -> dict:
        configs = {}
        for key in self._config_ids:
            block = self.blocks_config.blocks.get(key)
            if block is None:
                continue
            config = self.blocks_config.config_for_block(key, [], block)
            if key in self._values and "props" in config:
                config["props"]["value"] = self._values[key]
            configs[key] = config
        return configs

    def __setitem__(self, key: int, value) -> None:  # gradio's, less the config
        from gradio.components import State

        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:
            self.blocks_config.blocks[key] = value
        if block:
            self._changed(key)

    def _changed(self, key: int) -> None:
        self._config_ids[key] = None
        self._values.pop(key, None)

    def _update_config(self, key: int) -> None:
        if self[key] is not None:
            self._changed(key)

    def _update_value_in_config(self, key: int, value) -> None:
        self._config_ids[key] = None
        self._values[key] = value


def lean_sessions() -> None:
    """Sessions made from now on are LeanSessionState: gradio's StateHolder makes them by this name, and
    its routes and Blocks make one by it for a call that comes without a session."""
    from gradio import blocks, route_utils
    for module in (state_holder, route_utils, blocks):
        module.SessionState = LeanSessionState
