"""Compressed pages: the text a page loads first (its HTML with the embedded config, the config, the
API description, the JavaScript and CSS) goes out gzip-compressed to browsers that accept it.

Every student downloads the page before the first click: about 0.75 MB of HTML and JSON, mostly
gradio's description of each component and event, which compresses about tenfold. Nothing else is
compressed: the queue's event stream must reach the page as it is written (gzip would buffer it), and
images and files are compressed already.

    LAUNCH = dict(..., app_kwargs=compress.APP_KWARGS)  # gradio builds its FastAPI app with it
"""
from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PAGES = frozenset({"/", "/config", "/info", "/gradio_api/info", "/manifest.json"})
SUFFIXES = (".js", ".mjs", ".css", ".svg", ".json", ".html", ".map")
NEVER = ("/gradio_api/file", "/file=", "/gradio_api/queue", "/gradio_api/stream", "/gradio_api/heartbeat",
         "/gradio_api/upload", "/gradio_api/call")


def compressible(scope: Scope) -> bool:
    """A GET of the page itself or of its static text; never user files, uploads or event streams."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    path = scope["path"]
    if path.startswith(NEVER):
        return False
    return path in PAGES or path.endswith(SUFFIXES)


class CompressPages:
    """gzip (level 6: most of level 9's saving at a fraction of its CPU) for what `compressible` allows."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024, compresslevel: int = 6) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if compressible(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


APP_KWARGS = {"middleware": [Middleware(CompressPages)]}
