"""Compressed pages: the page a student loads first (its HTML, which embeds the config), the config
and the API description go out gzip-compressed to browsers that accept it.

Every student downloads the page before the first click: about 0.75 MB of HTML and JSON, mostly
gradio's description of each component and event, which compresses about tenfold. Nothing else is
compressed: the queue's event stream must reach the page as it is written (gzip would buffer it);
images and files are compressed already; and gradio's JavaScript and CSS are static files that the
browser caches, where compressing on every request cost more than it saved (measured in headless
Chromium on localhost, on a machine busy with other work: with every asset compressed, a page showed
its first figure 0.8-2.3 s later than uncompressed; with only the page and config, 0.1-0.7 s sooner).

    LAUNCH = dict(..., app_kwargs=compress.APP_KWARGS)  # gradio builds its FastAPI app with it
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
