"""Compressed pages: the page a student loads first (its HTML, which embeds the config), the config
and the API description go out gzip-compressed to browsers that accept it; and the config leaves out
what nobody reads (`slim_config`).

Every student downloads the page before the first click: about 0.75 MB of HTML and JSON, mostly
gradio's description of each component and event, which compresses about tenfold. Nothing else is
compressed: the queue's event stream must reach the page as it is written (gzip would buffer it);
images and files are compressed already; and gradio's JavaScript and CSS are static files that the
browser caches, where compressing on every request cost more than it saved (measured in headless
Chromium on localhost, on a machine busy with other work: with every asset compressed, a page showed
its first figure 0.8-2.3 s later than uncompressed; with only the page and config, 0.1-0.7 s sooner).

    LAUNCH = dict(..., app_kwargs=compress.APP_KWARGS)  # gradio builds its FastAPI app with it
    compress.slim_config(demo)                         # before launch: gradio makes its config there
"""
from __future__ import annotations

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


# a component's entries in gradio's config that the page does not read (gradio's frontend reads the API
# description from /info, which the page embeds), nor gradio_client (it reads `api_info`, to tell which
# inputs are files), nor gradio's server once the config is made (`Blocks.get_api_info`, which builds /info,
# reads `api_info_as_input`/`_as_output` with `api_info` as their default)
UNREAD = ("example_inputs",)
SAME_AS_API_INFO = ("api_info_as_input", "api_info_as_output")


def slimmed(config: dict) -> dict:
    """The config without what nobody reads: each component's example inputs (gradio's /info calls the
    component for them), and its API schema as an input and as an output where each is the same as its
    `api_info` (gradio's default for them). About 130 kB of the page's 540 kB (tests/test_compression.py)."""
    for component in config.get("components", []):
        for key in UNREAD:
            component.pop(key, None)
        for key in SAME_AS_API_INFO:
            if key in component and component[key] == component.get("api_info"):
                del component[key]
    return config


def slim_config(demo) -> None:
    """Every config gradio makes of this page from now on (at launch, and when it remakes one) is
    `slimmed`: the one the page embeds and /config serve, and the one /info is built from."""
    make = demo.get_config_file

    def get_config_file():
        return slimmed(make())

    demo.get_config_file = get_config_file
