"""An output image written to gradio's cache atomically, once per content.

Gradio saves a computed image (an array or PIL image) under a folder named by the hash of its bytes,
and writes it again on every event that produces the same picture (truncate, then write). In a class,
thirty students click the same defaults: one student's event rewrote the file while another's browser
was downloading it, which arrived empty ("peer closed connection ... received 0 bytes"), two or three
times in 500 clicks of `scripts/bench_classroom.py`. `OutputImage` encodes exactly as gr.Image does,
writes a new file under a temporary name and renames it into place, and leaves an existing one alone
(it only touches it, because `delete_cache` ages files by time). Everything else is gr.Image's.

A picture seen before is not encoded again: the paths of the last KEEP_PATHS pictures are kept by a
digest of their pixels (a class asks for the same defaults: the same prior samples, the same sweep
model's digits), so a repeat costs a hash of its pixels (about 0.1 ms) instead of a PNG encoding.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import gradio as gr
import numpy as np
import PIL.Image
from gradio import processing_utils

from ..views.kept import Kept


KEEP_PATHS = 256
_KEPT = Kept(KEEP_PATHS)  # (cache dir, format, digest of the pixels) -> path


def _pixels_key(image: PIL.Image.Image, cache_dir, fmt: str) -> tuple | None:
    """What decides the encoded bytes: mode, size, palette and pixels (None: an image with metadata,
    which gradio writes into the PNG too; such an image is encoded every time)."""
    if image.info:
        return None
    h = hashlib.blake2b(f"{image.mode}|{image.size}".encode(), digest_size=20)
    if image.mode == "P":
        h.update(bytes(image.getpalette() or []))
    h.update(image.tobytes())
    return str(cache_dir), fmt, h.digest()


def _touch(path: str) -> bool:
    """Mark a kept file as handed out again (delete_cache ages files by time); False if it is gone."""
    try:
        os.utime(path)
        return True
    except OSError:
        return False


def cache_image(value, cache_dir: str | Path, fmt: str = "png") -> str:
    """The image's path in cache_dir, the same path gradio would give it, written at most once."""
    if isinstance(value, np.ndarray):  # gradio's own conversion (floats in [0, 1] or [-1, 1] -> uint8)
        value = PIL.Image.fromarray(processing_utils._convert(value, np.uint8, force_copy=False))
    key = _pixels_key(value, cache_dir, fmt)
    if key is None:
        return _write(value, cache_dir, fmt)
    path = _KEPT.get(key, lambda: _write(value, cache_dir, fmt))
    if _touch(path):
        return path
    _KEPT.forget(key)  # delete_cache aged the file out: write it again
    return _KEPT.get(key, lambda: _write(value, cache_dir, fmt))


def _write(value: PIL.Image.Image, cache_dir: str | Path, fmt: str) -> str:
    """Encode as gradio does; write under the hash of the bytes unless that file is there already."""
    data = processing_utils.encode_pil_to_bytes(value, fmt)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"image.{fmt}"
    if path.exists():
        try:
            os.utime(path)  # handed out again: not aged out on its first use's schedule
        except OSError:
            pass
        return str(path.resolve())
    fd, staging = tempfile.mkstemp(dir=folder, prefix=".image.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(staging, path)  # a reader sees the whole file or none: never a truncated one
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return str(path.resolve())


class OutputImage(gr.Image):
    """gr.Image for images the app computes: written once per content, atomically (see above)."""

    is_template = True  # the frontend draws gradio's "image"

    def postprocess(self, value):
        if isinstance(value, (np.ndarray, PIL.Image.Image)):
            value = cache_image(value, self.GRADIO_CACHE, self.format or "png")
        return super().postprocess(value)
