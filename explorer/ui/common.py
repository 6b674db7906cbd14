"""Helpers shared by the tab modules: turning library errors into messages a student can act on."""
from __future__ import annotations

import functools

import gradio as gr

from ..checkpoints import CheckpointError
from ..errors import InputError
from ..models import VocabularyError

__all__ = ["InputError", "friendly"]


USER_ERRORS = (InputError, VocabularyError, CheckpointError, ValueError, KeyError, TypeError)


def friendly(fn):
    """Wrap an event handler so that bad input becomes a gr.Error (a red toast in the page, an
    exception with the same message through gradio_client) and the server keeps serving."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except USER_ERRORS as e:
            msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
            raise gr.Error(str(msg)) from e
    return wrapper
