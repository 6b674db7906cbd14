"""User images -> model input: a (1, 1, 28, 28) float tensor in [0, 1], white ink on black, as in MNIST.

Accepts what the app receives: a gradio Sketchpad / ImageEditor value (a dict with 'background',
'layers' and 'composite'), a numpy array (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) of any numeric
dtype, or a PIL image. Only check_image_file opens a file (an upload the UI layer has already
checked), and it reads the header alone; to_grey and to_model_input reject a string, never use it as a path.

The digit recipe is MNIST's own (LeCun et al.): crop to the ink, scale the longer side to 20 px with
anti-aliasing, and place it in a 28 x 28 frame so that its centre of mass sits at the centre.
Fashion-MNIST items fill the frame instead: longer side to 28 px, centred by bounding box.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import PIL.Image

from .errors import InputError

if TYPE_CHECKING:
    import torch

MIN_SIDE = 8  # px: smaller images carry no recognisable shape
MAX_SIDE = 4096  # px
MAX_PIXELS = 16_000_000  # 16 MP
INK_THRESHOLD = 0.25  # a pixel counts as ink above this (after normalising contrast)
MIN_INK_FRACTION = 0.001  # below 0.1 % of the pixels the drawing counts as empty
MIN_INK_EXTENT = 0.05  # ... or when the ink spans < 5 % of the shorter side (a dot)
MIN_CONTRAST = 0.15  # ink must differ from the background by this much (0..1 scale)

SIZE_RULE = (f"images must be between {MIN_SIDE} and {MAX_SIDE} pixels on each side "
             f"and at most {MAX_PIXELS // 1_000_000} megapixels")
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")  # what an upload may be; Pillow reads many more
FORMAT_RULE = "upload a PNG, JPEG, WebP, GIF or BMP image"
EMPTY_MESSAGE = ("The drawing is empty or almost empty: draw a digit (a few strokes, big enough to "
                 "fill a good part of the canvas) or upload an image of one.")


# ---------------------------------------------------------------------------- files, from the header
def limit_decoding() -> None:
    """Make Pillow refuse, from the header and in milliseconds, every image over MAX_PIXELS, whoever
    decodes it (gradio's own preprocessing included). Pillow raises DecompressionBombError above twice
    MAX_IMAGE_PIXELS whatever the warning filters are (gradio changes them around its own decoding, from
    several threads); between the two it only warns, and those images are refused by _check_shape."""
    PIL.Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2
    warnings.filterwarnings("ignore", category=PIL.Image.DecompressionBombWarning)


def check_image_file(path: str) -> None:
    """An uploaded file must be an image of an allowed format and size; only its header is read."""
    try:
        with PIL.Image.open(path, formats=FORMATS) as im:
            w, h = im.size
    except PIL.Image.DecompressionBombError:
        raise InputError(f"this image is larger than {MAX_PIXELS // 1_000_000} megapixels; {SIZE_RULE}") from None
    except (OSError, ValueError, SyntaxError):  # not an image Pillow reads (UnidentifiedImageError is an OSError)
        raise InputError(f"this file is not an image the app reads; {FORMAT_RULE}") from None
    if min(w, h) < MIN_SIDE or max(w, h) > MAX_SIDE or w * h > MAX_PIXELS:
        raise InputError(f"this image is {w} x {h} pixels; {SIZE_RULE}")


# ---------------------------------------------------------------------------- any input -> array
def _editor_to_array(value: dict) -> np.ndarray | None:
    """A Sketchpad/ImageEditor value -> one (H, W, C) array: the composite when there is one,
    else the layers alpha-composited over the background."""
    composite = value.get("composite")
    if composite is not None:
        return _as_array(composite)
    parts = [p for p in [value.get("background"), *(value.get("layers") or [])] if p is not None]
    if not parts:
        return None
    base = _rgba(_as_array(parts[0]))
    for layer in parts[1:]:
        top = _rgba(_as_array(layer))
        if top.shape != base.shape:
            raise InputError(f"the sketch layers have different sizes ({top.shape[:2]} vs {base.shape[:2]})")
        a = top[..., 3:]
        out_a = a + base[..., 3:] * (1 - a)
        rgb = (top[..., :3] * a + base[..., :3] * base[..., 3:] * (1 - a)) / np.maximum(out_a, 1e-8)
        base = np.concatenate([rgb, out_a], -1)
    return base


def _as_array(value) -> np.ndarray:
    import torch  # here, not at the top: the page uses this module's rules before torch is imported
    if isinstance(value, PIL.Image.Image):
        im = value
        if im.mode in ("P", "LA", "PA") or "transparency" in im.info:
            im = im.convert("RGBA")
        elif im.mode not in ("L", "RGB", "RGBA", "F", "I", "I;16", "1"):
            im = im.convert("RGB")
        return np.asarray(im)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    raise InputError(f"expected an image (a drawing, an uploaded PNG/JPEG, or a numpy array); "
                     f"got {type(value).__name__}")


def _rgba(a: np.ndarray) -> np.ndarray:
    """(H, W[, C]) any dtype -> (H, W, 4) float in [0, 1]."""
    a = _to_unit_float(a)
    if a.ndim == 2:
        a = a[..., None]
    c = a.shape[-1]
    if c == 1:
        a = np.concatenate([a, a, a, np.ones_like(a)], -1)
    elif c == 2:  # grey + alpha
        a = np.concatenate([a[..., :1]] * 3 + [a[..., 1:]], -1)
    elif c == 3:
        a = np.concatenate([a, np.ones_like(a[..., :1])], -1)
    return a


def _to_unit_float(a: np.ndarray) -> np.ndarray:
    if a.dtype == bool:
        return a.astype(np.float32)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise InputError(f"image values must be numbers, got dtype {a.dtype}")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise InputError("the image contains NaN or infinite values")
    lo, hi = float(a.min()), float(a.max())
    if lo < 0:
        raise InputError(f"pixel values must be >= 0 (0..1 floats or 0..255 integers); got minimum {lo:g}")
    if hi <= 1.0:
        return a
    scale = 255.0 if hi <= 255.0 else 65535.0 if hi <= 65535.0 else hi
    return a / scale


def _check_shape(a: np.ndarray) -> None:
    if a.ndim == 3 and a.shape[-1] in (1, 2, 3, 4):
        h, w = a.shape[:2]
    elif a.ndim == 2:
        h, w = a.shape
    else:
        raise InputError(f"expected an image array of shape (H, W), (H, W, 3) or (H, W, 4); got {a.shape}")
    if min(h, w) < MIN_SIDE or max(h, w) > MAX_SIDE or h * w > MAX_PIXELS:
        raise InputError(f"this image is {w} x {h} pixels; {SIZE_RULE}")


def to_grey(value) -> np.ndarray:
    """Any supported input -> (H, W) float32 in [0, 1], white ink on black, contrast stretched.

    Transparency: transparent pixels become background, so a stroke counts whatever its colour
    (the sketchpad draws black on transparent). Light backgrounds are inverted."""
    if value is None:
        raise InputError("no image given: draw a digit on the sketchpad or upload an image")
    if isinstance(value, dict):
        a = _editor_to_array(value)
        if a is None:
            raise InputError(EMPTY_MESSAGE)
    else:
        a = _as_array(value)
    _check_shape(a)
    rgba = _rgba(a)
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma
    if alpha.min() < 0.99:
        # Composite onto the background that contrasts with the opaque content: black strokes on
        # transparent become black on white (then inverted), white strokes become white on black.
        w = alpha.sum()
        ink_level = float((grey * alpha).sum() / w) if w > 0 else 0.0
        bg = 1.0 if ink_level < 0.5 else 0.0
        grey = grey * alpha + bg * (1 - alpha)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if background > 0.5:  # dark ink on a light page: MNIST is white ink on black
        grey, background = 1.0 - grey, 1.0 - background
    contrast = float(grey.max()) - background
    if contrast < MIN_CONTRAST:
        raise InputError(EMPTY_MESSAGE)
    return np.clip((grey - background) / contrast, 0.0, 1.0).astype(np.float32)


def _resize(a: np.ndarray, w: int, h: int) -> np.ndarray:
    im = PIL.Image.fromarray(a.astype(np.float32), mode="F")
    shrink = w < a.shape[1] or h < a.shape[0]
    return np.asarray(im.resize((w, h), PIL.Image.Resampling.BOX if shrink else PIL.Image.Resampling.BILINEAR))


def to_model_input(value, dataset: str = "mnist") -> torch.Tensor:
    """Any supported input -> (1, 1, 28, 28) float tensor in [0, 1], framed like the dataset."""
    import torch
    grey = to_grey(value)
    ink = grey > INK_THRESHOLD
    h, w = grey.shape
    rows, cols = np.nonzero(ink)
    if ink.mean() < MIN_INK_FRACTION or len(rows) == 0:
        raise InputError(EMPTY_MESSAGE)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    if max(r1 - r0, c1 - c0) < MIN_INK_EXTENT * min(h, w):
        raise InputError(EMPTY_MESSAGE)
    crop = grey[r0:r1, c0:c1]
    box = 28 if dataset == "fashion" else 20
    s = box / max(crop.shape)
    nh, nw = max(1, round(crop.shape[0] * s)), max(1, round(crop.shape[1] * s))
    small = np.clip(_resize(crop, nw, nh), 0.0, 1.0)
    out = np.zeros((28, 28), dtype=np.float32)
    if dataset == "fashion":  # centred by bounding box
        top, left = (28 - nh) // 2, (28 - nw) // 2
    else:  # centre of mass at the centre of the 28 x 28 frame
        mass = small.sum()
        cy = (small.sum(1) * np.arange(nh)).sum() / mass
        cx = (small.sum(0) * np.arange(nw)).sum() / mass
        top = int(np.clip(round(13.5 - cy), 0, 28 - nh))
        left = int(np.clip(round(13.5 - cx), 0, 28 - nw))
    out[top:top + nh, left:left + nw] = small
    return torch.from_numpy(out).reshape(1, 1, 28, 28)
