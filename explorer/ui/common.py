"""Shared by the tab modules: turning the project's own input errors into messages a student can
act on, and everything else into a short generic message (the details go to the server log)."""
from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr

from ..checkpoints import CheckpointError
from ..errors import InputError
from ..i18n import t, translate_message
from ..models import VocabularyError

__all__ = ["InputError", "friendly"]

log = logging.getLogger("explorer")

# the project's own refusals: each message says what was wrong and what is allowed
USER_ERRORS = (InputError, VocabularyError, CheckpointError)
BUG_MESSAGE = ("Something went wrong on the server while handling this (it has been logged). "
               "Try again, or try other settings.")


def friendly(fn):
    """Wrap an event handler so that bad input becomes a gr.Error (a red toast in the page, an
    exception with the same message through gradio_client) and the server keeps serving. Any other
    exception is a bug: logged with its traceback, shown as a short message without internals.
    A handler with a `lang` parameter gets its messages in that language (explorer/i18n.py)."""
    sig = inspect.signature(fn)
    has_lang = "lang" in sig.parameters

    def lang_of(args, kwargs) -> str:
        if not has_lang:
            return "en"
        try:
            return str(sig.bind_partial(*args, **kwargs).arguments.get("lang") or "en")
        except TypeError:
            return "en"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        # print_exception=False: a refusal is not a bug, and a bug's traceback is logged just below
        except gr.Error:
            raise
        except USER_ERRORS as e:
            raise gr.Error(translate_message(str(e), lang_of(args, kwargs)), print_exception=False) from None
        except Exception:
            log.exception("bug in %s", getattr(fn, "__qualname__", fn))
            raise gr.Error(t("err.bug", lang_of(args, kwargs)), print_exception=False) from None
    return wrapper


def serve_map_images(zoo) -> None:
    """Serve each latent map's shipped picture of its test points as a static file, so a page
    fetches (and caches) the 10,000 points once per model; every click then sends only what it
    adds to the map. Maps without a picture keep sending their points in the figure."""
    entries = [e for e in zoo.vaes.values() if e.map_image is not None]
    if not entries:
        return
    # their folder (checkpoints/maps/, nothing else in it), not each picture: gradio checks every file an
    # event sends, and every file a page fetches, against each static path (each check resolves both paths)
    gr.set_static_paths(sorted({str(e.map_image.resolve().parent) for e in entries}))
    for e in entries:  # relative: resolved against the page's own address, behind any proxy prefix
        e.map_url = f"gradio_api/file={e.map_image.resolve()}"
