"""User images -> MNIST-style (1, 1, 28, 28) tensors: every input kind the app receives, and the
bad inputs that must be refused with a message saying what is allowed."""
from __future__ import annotations

import numpy as np
import PIL.Image
import pytest
import torch

from explorer import images
from explorer.images import InputError, to_grey, to_model_input


def stroke_canvas(size=280, dtype=np.uint8) -> np.ndarray:
    """A sketchpad composite: an opaque black '7' on a transparent canvas (RGBA, rgb 0 under alpha 0)."""
    a = np.zeros((size, size, 4), dtype)
    s = size / 280
    a[int(50 * s):int(70 * s), int(70 * s):int(210 * s), 3] = 255  # the bar
    for i in range(int(170 * s)):  # the diagonal
        r, c = int(70 * s) + i, int(210 * s) - i // 2
        a[r, c - int(10 * s):c + int(10 * s), 3] = 255
    return a


def ink_box(x: torch.Tensor) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(x[0, 0].numpy() > 0.1)
    return rows.min(), rows.max() + 1, cols.min(), cols.max() + 1


def centre_of_mass(x: torch.Tensor) -> tuple[float, float]:
    a = x[0, 0].numpy()
    return (a.sum(1) * np.arange(28)).sum() / a.sum(), (a.sum(0) * np.arange(28)).sum() / a.sum()


def check_mnist_like(x: torch.Tensor):
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    r0, r1, c0, c1 = ink_box(x)
    assert max(r1 - r0, c1 - c0) in (19, 20, 21)  # longer side scaled to 20 px
    cy, cx = centre_of_mass(x)
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0  # centred by centre of mass
    border = np.concatenate([x[0, 0, 0], x[0, 0, -1], x[0, 0, :, 0], x[0, 0, :, -1]])
    assert border.max() < 0.05  # white ink on a black background


def test_sketchpad_black_strokes_on_transparent_become_white_digit():
    value = {"background": None, "layers": [], "composite": stroke_canvas()}
    x = to_model_input(value)
    check_mnist_like(x)
    assert float(x.max()) > 0.9


def test_editor_value_without_composite_uses_layers_over_background():
    background = np.full((280, 280, 4), 255, np.uint8)  # opaque white page
    value = {"background": background, "layers": [stroke_canvas()], "composite": None}
    check_mnist_like(to_model_input(value))


def test_white_strokes_on_transparent_also_count():
    a = stroke_canvas()
    a[..., :3] = 255  # white ink, still on a transparent canvas
    check_mnist_like(to_model_input(a))


def test_numpy_kinds_give_the_same_digit():
    alpha = stroke_canvas()[..., 3]
    white_on_black = alpha  # (H, W) uint8
    black_on_white = 255 - alpha
    rgb_blue_on_cream = np.stack([np.where(alpha > 0, 20, 250), np.where(alpha > 0, 40, 240),
                                  np.where(alpha > 0, 200, 220)], -1).astype(np.uint8)
    as_float = alpha.astype(np.float64) / 255.0
    as_uint16 = alpha.astype(np.uint16) * 257
    ref = to_model_input(white_on_black)
    for a in (black_on_white, rgb_blue_on_cream, as_float, as_uint16, alpha[..., None], alpha > 0):
        x = to_model_input(a)
        check_mnist_like(x)
        assert (x - ref).abs().mean() < 0.05


def test_pil_images_in_several_modes():
    alpha = stroke_canvas()[..., 3]
    ref = to_model_input(alpha)
    for im in (PIL.Image.fromarray(255 - alpha, "L"), PIL.Image.fromarray(stroke_canvas(), "RGBA"),
               PIL.Image.fromarray(255 - alpha, "L").convert("P"), PIL.Image.fromarray(alpha).convert("RGB")):
        x = to_model_input(im)
        check_mnist_like(x)
        assert (x - ref).abs().mean() < 0.05


def test_an_mnist_sized_digit_passes_through_nearly_unchanged():
    x0 = to_model_input(stroke_canvas()[..., 3])
    x1 = to_model_input(x0[0, 0].numpy())
    assert (x1 - x0).abs().mean() < 0.03


def test_fashion_framing_fills_the_frame():
    x = to_model_input(stroke_canvas()[..., 3], dataset="fashion")
    r0, r1, c0, c1 = ink_box(x)
    assert max(r1 - r0, c1 - c0) >= 27


def test_small_images_are_upscaled():
    a = np.zeros((10, 10), np.uint8)
    a[2:8, 4:6] = 255
    check_mnist_like(to_model_input(a))


@pytest.mark.parametrize("value", [
    {"background": None, "layers": [], "composite": np.zeros((280, 280, 4), np.uint8)},  # nothing drawn
    {"background": None, "layers": [], "composite": None},
    np.full((100, 100), 255, np.uint8),  # all white
    np.full((100, 100, 3), 128, np.uint8),  # uniform grey
])
def test_blank_drawings_are_refused(value):
    with pytest.raises(InputError, match="empty"):
        to_model_input(value)


def test_almost_blank_drawing_a_dot_is_refused():
    a = np.zeros((280, 280, 4), np.uint8)
    a[140:146, 140:146, 3] = 255
    with pytest.raises(InputError, match="draw a digit"):
        to_model_input(a)


@pytest.mark.parametrize("shape", [(5, 5), (7, 100), (5000, 20), (4096, 4096, 3)])
def test_too_small_or_too_big_images_are_refused_with_the_allowed_sizes(shape):
    a = np.zeros(shape, np.uint8)
    with pytest.raises(InputError, match=r"between 8 and 4096 pixels.*16 megapixels"):
        to_model_input(a)


@pytest.mark.parametrize("value", ["/etc/passwd", b"\x89PNG not really", 3.5, [[0, 1], [1, 0]],
                                   np.array([["a"] * 10] * 10)])
def test_non_images_are_refused_and_strings_never_opened(value):
    with pytest.raises(InputError):
        to_model_input(value)


@pytest.mark.parametrize("bad", [np.full((20, 20), np.nan), np.full((20, 20), -3.0), np.zeros((20, 20, 5)),
                                 np.zeros((2, 20, 20, 3))])
def test_bad_arrays_are_refused(bad):
    with pytest.raises(InputError):
        to_model_input(bad)


def test_none_is_refused_with_a_hint():
    with pytest.raises(InputError, match="draw a digit"):
        to_model_input(None)


def test_to_grey_normalises_contrast():
    a = np.full((40, 40), 200, np.uint8)
    a[10:30, 18:22] = 100  # dim ink on a light page
    g = to_grey(a)
    assert g.shape == (40, 40) and abs(float(g.max()) - 1.0) < 1e-6 and float(g[0, 0]) == 0.0


# ---------------------------------------------------------------------------- files, from the header
def _png(path, w, h):
    from tests.test_fuzz_api import png_bomb
    path.write_bytes(png_bomb(w, h))
    return str(path)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's default limit warns
def test_check_image_file_reads_the_header_only(tmp_path):
    import time
    bomb = _png(tmp_path / "bomb.png", 10000, 10000)  # 100 megapixels in 97 kB
    t = time.perf_counter()
    with pytest.raises(InputError, match="at most 16 megapixels"):  # the words depend on limit_decoding
        images.check_image_file(bomb)
    assert time.perf_counter() - t < 0.05  # a decode would take seconds
    images.check_image_file(_png(tmp_path / "ok.png", 280, 280))
    (tmp_path / "notes.png").write_text("not an image\n")
    with pytest.raises(InputError, match="upload a PNG, JPEG, WebP, GIF or BMP image"):
        images.check_image_file(str(tmp_path / "notes.png"))
    PIL.Image.new("L", (4, 4)).save(tmp_path / "tiny.tiff")  # a format Pillow reads but uploads may not be
    with pytest.raises(InputError, match="upload a PNG"):
        images.check_image_file(str(tmp_path / "tiny.tiff"))


def test_limit_decoding_makes_pillow_refuse_from_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", PIL.Image.MAX_IMAGE_PIXELS)  # restored afterwards
    images.limit_decoding()
    with pytest.raises(PIL.Image.DecompressionBombError):
        PIL.Image.open(_png(tmp_path / "bomb.png", 4100, 4100))  # 16.8 MP: refused before any decoding
    with PIL.Image.open(_png(tmp_path / "big.png", 4000, 4000)) as im:  # 16 MP: allowed
        assert im.size == (4000, 4000)
