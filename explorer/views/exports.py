"""Downloadable exports of a view (PNG, animated GIF), made only when someone asks for one.

Each file is written to a private folder, and gradio copies it into its own cache as soon as the
handler returns (the copy is what the page downloads; delete_cache in app.py clears those). So the
originals are needed only for a moment: files older than EXPORT_AGE_S are pruned on every export,
and the whole folder is removed when the server exits.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import PIL.Image

from ..errors import InputError

EXPORT_KEEP = 200  # exported PNG/GIF files kept in the server's own temp folder, at most
EXPORT_AGE_S = 60.0  # ... and none older than this: gradio has long copied them into its cache


_EXPORT_DIR: Path | None = None


def _export_dir() -> Path:
    """A private folder created by the server on first use (removed at exit); old exports are pruned."""
    global _EXPORT_DIR
    if _EXPORT_DIR is None or not _EXPORT_DIR.is_dir():
        _EXPORT_DIR = Path(tempfile.mkdtemp(prefix="vae_explorer_exports_"))
        atexit.register(shutil.rmtree, _EXPORT_DIR, ignore_errors=True)
    files = sorted(_EXPORT_DIR.iterdir(), key=_mtime)
    too_old = time.time() - EXPORT_AGE_S
    for i, old in enumerate(files):
        if i < len(files) - EXPORT_KEEP or _mtime(old) < too_old:
            old.unlink(missing_ok=True)
    return _EXPORT_DIR


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by a concurrent request
        return 0.0


def _new_file(stem: str, suffix: str) -> str:
    fd, path = tempfile.mkstemp(prefix=f"{stem}_{int(time.time())}_", suffix=suffix, dir=_export_dir())
    os.close(fd)
    return path


def save_png(image: np.ndarray, stem: str = "interpolation") -> str:
    """Write an (H, W[, 3]) uint8 image to a new server-side temp file; returns its path."""
    path = _new_file(stem, ".png")
    PIL.Image.fromarray(image).save(path, format="PNG")
    return path


def save_gif(frames: list[np.ndarray], stem: str = "interpolation", ms_per_frame: int = 120) -> str:
    """An animated GIF that plays the path forth and back (boomerang), looping forever."""
    if not frames:
        raise InputError("no frames to animate")
    seq = frames + frames[-2:0:-1]
    ims = [PIL.Image.fromarray(f) for f in seq]
    path = _new_file(stem, ".gif")
    # optimize=False: PIL's palette optimisation costs ~4x the whole encode for greyscale frames
    ims[0].save(path, format="GIF", save_all=True, append_images=ims[1:], duration=ms_per_frame, loop=0,
                optimize=False)
    return path
