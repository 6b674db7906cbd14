"""Shared by the tab modules: turning the project's own input errors into messages a student can
act on, and everything else into a short generic message (the details go to the server log)."""
from __future__ import annotations

import functools
import logging

import gradio as gr

from ..checkpoints import CheckpointError
from ..errors import InputError
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
    exception is a bug: logged with its traceback, shown as a short message without internals."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        # print_exception=False: a refusal is not a bug, and a bug's traceback is logged just below
        except gr.Error:
            raise
        except USER_ERRORS as e:
            raise gr.Error(str(e), print_exception=False) from None
        except Exception:
            log.exception("bug in %s", getattr(fn, "__qualname__", fn))
            raise gr.Error(BUG_MESSAGE, print_exception=False) from None
    return wrapper
