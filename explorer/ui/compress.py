"""Compressed pages: the page a student loads first (its HTML, which embeds the config), the config
and the API description go out gzip-compressed to browsers that accept it; and the config leaves out
what nobody reads (`slim_config`).

Every student downloads the page before the first click: about 0.4 MB of HTML and JSON (the config
slimmed, and the API description), mostly gradio's description of each component and event, which
compresses about eightfold. Nothing else is
compressed: the queue's event stream must reach the page as it is written (gzip would buffer it);
images and files are compressed already; and gradio's JavaScript and CSS are static files that the
browser caches, where compressing on every request cost more than it saved (measured in headless
Chromium on localhost, on a machine busy with other work: with every asset compressed, a page showed
its first figure 0.8-2.3 s later than uncompressed; with only the page and config, 0.1-0.7 s sooner).

    LAUNCH = dict(..., app_kwargs=compress.APP_KWARGS)  # gradio builds its FastAPI app with it
    compress.slim_config(demo)                         # before launch: gradio makes its config there
"""
from __future__ import annotations

from gradio_client.utils import SKIP_COMPONENTS, value_is_file
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PAGES = frozenset({"/", "/config", "/info", "/gradio_api/info"})


def compressible(scope: Scope) -> bool:
    """A GET of the page itself, its config or the API description; nothing else."""
    return scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope["path"] in PAGES


class CompressPages:
    """gzip at level 6 (zlib's default; Starlette's is 9) for what `compressible` allows."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024, compresslevel: int = 6) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if compressible(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


APP_KWARGS = {"middleware": [Middleware(CompressPages)]}


# a component's entries in gradio's config that neither the page nor gradio_client reads: gradio's frontend
# reads the API description from /info, which the page embeds; gradio_client reads `api_info` only to tell
# which inputs are files (`Endpoint.value_is_file`: absent, not a file). gradio's server builds /info from
# them (`Blocks.get_api_info`), and is given the whole config for it (`slim_config`).
API_ONLY = ("example_inputs", "api_info_as_input", "api_info_as_output")
# what a file component's `api_info` becomes: the least schema gradio_client still counts as a file
# (`gradio_client.utils.value_is_file`: a `path` and a `meta` whose default is gradio's FileData); about
# 1 kB less for each of the page's 36 images, drawings and files. Any other component's is left out.
FILE_SCHEMA = {"properties": {"path": {}, "meta": {"default": {"_type": "gradio.FileData"}}}}
# a component's props that no file of gradio's frontend names (tests/test_compression.py reads them all):
# gradio keeps them on the Python object (gr.render's keys, an image's mode, a file's delete callback)
PROPS_UNREAD = ("preserved_by_key", "delete_callback", "image_mode", "render_children", "time_to_live",
                "column_count")
# the page loads a built-in component by its type when its class id is absent (gradio's frontend:
# `id || name` when it looks the component up); the 64-character id, the same for every component of a
# class (395 components, 24 classes), matters only to custom components, which this app has none of
CLASS_ID = "component_class_id"

# an event's entries that can be left out where they hold this value: what reads them treats them as absent
# and as this value alike (gradio 6.31's frontend, its JavaScript client and gradio_client, read for each one:
# a truth test, `?? null`, `|| []`, `!= null`, `typeof js == "string"`, or not read at all), and gradio's
# server reads only an event's id from the config. 141 events repeat them (about 60 kB of 111 kB).
# Kept whatever they hold: what any of them reads by name (id, targets, inputs, outputs, cancels,
# backend_fn, api_name, api_visibility, show_progress, trigger_mode).
EVENT_DEFAULTS = {
    "js": None,  # a function run in the page (typeof == "string")
    "js_implementation": None,  # truth test
    "queue": True,  # the JavaScript client: `queue == null ? !enable_queue : !queue`; the app's queue is on
    "connection": "sse",  # compared only with "stream"
    "trigger_after": None,  # `!== undefined` then looked up by id (null finds none), or `!= null`
    "trigger_only_on_success": False, "trigger_only_on_failure": False,  # truth tests
    "show_progress_on": None,  # `|| null` (an empty list is kept: it means no progress shown)
    "component_prop_inputs": [],  # `|| []`
    "event_specific_args": None,  # `?.length`
    "rendered_in": None, "render_id": None,  # gr.render's bookkeeping; compared with a render's number
    # not read by the page, the JavaScript client or gradio_client (`types` only copied into the
    # JavaScript client's API description, which nothing in the page reads it from)
    "types": {"generator": False, "cancel": False},
    "api_description": None, "scroll_to_output": False, "batch": False, "max_batch_size": 4,
    "collects_event_data": False, "time_limit": None, "stream_every": 0.5,
}


def _slim_component(component: dict) -> dict:
    slim = {k: v for k, v in component.items() if k not in API_ONLY and k != CLASS_ID and k != "api_info"}
    if "api_info" in component and value_is_file(component["api_info"]):
        slim["api_info"] = FILE_SCHEMA
    if slim.get("skip_api") is False and slim.get("type") not in SKIP_COMPONENTS:
        del slim["skip_api"]  # gradio_client: `skip_api` absent is False unless the type is one it skips
    if "props" in component:
        slim["props"] = {k: v for k, v in component["props"].items() if k not in PROPS_UNREAD}
    return slim


def _slim_event(event: dict, defaults: dict) -> dict:
    return {k: v for k, v in event.items()
            if not (k in defaults and v == defaults[k] and type(v) is type(defaults[k]))}


def slimmed(config: dict) -> dict:
    """The config the page and clients are served: each component without what only gradio's /info reads
    (its example inputs, its API schema, which becomes FILE_SCHEMA for a file), without its class id
    (built-in components are found by type), the props the frontend never names (PROPS_UNREAD) and
    `skip_api` where it is False; each event without the entries that hold what their readers
    assume when they are absent (EVENT_DEFAULTS). A new dict; `config` is left as it was, and what is left
    unchanged is shared with it. 543 kB of JSON as gradio makes it, 245 kB slimmed
    (tests/test_compression.py)."""
    defaults = EVENT_DEFAULTS if config.get("enable_queue") is True else {
        k: v for k, v in EVENT_DEFAULTS.items() if k != "queue"}
    return {**config,
            "components": [_slim_component(c) for c in config.get("components", [])],
            "dependencies": [_slim_event(e, defaults) for e in config.get("dependencies", [])]}


class _WithConfig:
    """The page as gradio's `Blocks.get_api_info` sees it: everything the page has, and the whole config."""

    def __init__(self, blocks, config: dict) -> None:
        self._blocks, self.config = blocks, config

    def __getattr__(self, name):
        return getattr(self._blocks, name)


def slim_config(demo) -> None:
    """Every config gradio makes of this page from now on (at launch, and when it remakes one) is
    `slimmed`: the one the page embeds and /config serves. The API description (/info, the page's
    "Use via API", gradio_client's view_api) is still built from the whole config, kept beside it."""
    make = demo.get_config_file
    whole: dict = {}

    def get_config_file():
        whole["config"] = make()
        return slimmed(whole["config"])

    def get_api_info(*args, **kwargs):
        config = whole.get("config") or make()
        return type(demo).get_api_info(_WithConfig(demo, config), *args, **kwargs)

    demo.get_config_file = get_config_file
    demo.get_api_info = get_api_info
