"""OutputImage: computed images reach gradio's cache at the path gradio would give them, written once,
atomically; a download never sees a file that another event is rewriting."""
import os
import threading

import gradio as gr
import numpy as np
import PIL.Image
from gradio import processing_utils

from explorer.ui.output_image import OutputImage, cache_image


def _picture(seed=0, dtype=np.uint8):
    rng = np.random.default_rng(seed)
    x = rng.random((28, 56))
    return (x * 255).astype(np.uint8) if dtype == np.uint8 else x


def test_same_bytes_and_path_as_gradio(tmp_path):
    for value in (_picture(), _picture(1, np.float64), PIL.Image.fromarray(_picture(2))):
        ours = cache_image(value, tmp_path / "ours")
        theirs = processing_utils.save_img_array_to_cache(value, str(tmp_path / "theirs"), format="png") \
            if isinstance(value, np.ndarray) else \
            processing_utils.save_pil_to_cache(value, str(tmp_path / "theirs"), format="png")
        assert open(ours, "rb").read() == open(theirs, "rb").read()
        assert ours.split("/")[-2:] == theirs.split("/")[-2:]  # the same hash folder and name


def test_written_once_and_never_truncated_while_read(tmp_path):
    picture = _picture(3)
    path = cache_image(picture, tmp_path)
    expected = open(path, "rb").read()
    inode = os.stat(path).st_ino
    sizes, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            with open(path, "rb") as f:
                sizes.append(len(f.read()))

    t = threading.Thread(target=reader)
    t.start()
    for _ in range(300):  # the same picture from many events, as a class clicking the same defaults
        assert cache_image(picture, tmp_path) == path
    stop.set()
    t.join()
    assert set(sizes) == {len(expected)}  # every read saw the whole file
    assert os.stat(path).st_ino == inode  # the file was never replaced or rewritten
    assert not [p for p in (tmp_path).rglob(".image.*")]  # no staging file left behind


def test_output_image_is_drawn_as_gradios_image_and_postprocesses_to_the_cache():
    with gr.Blocks():
        img = OutputImage(type="numpy", format="png", interactive=False)
    assert img.get_block_name() == "image"
    data = img.postprocess(_picture(4))
    assert data.path.startswith(str(img.GRADIO_CACHE)) and data.path.endswith("image.png")
    assert img.postprocess(None) is None


def test_a_picture_seen_before_is_not_encoded_again(tmp_path, monkeypatch):
    from explorer.ui import output_image

    encoded = []
    real = processing_utils.encode_pil_to_bytes
    monkeypatch.setattr(processing_utils, "encode_pil_to_bytes", lambda im, fmt: encoded.append(1) or real(im, fmt))
    picture = _picture(5)
    first = cache_image(picture, tmp_path)
    assert cache_image(picture.copy(), tmp_path) == first and len(encoded) == 1  # same pixels: kept path
    other = picture.copy()
    other[0, 0] ^= 1  # one pixel differs: a picture of its own
    assert cache_image(other, tmp_path) != first and len(encoded) == 2
    pal = PIL.Image.fromarray(picture, "P")
    pal.putpalette([0, 0, 0] * 256)
    pal2 = pal.copy()
    pal2.putpalette([255, 255, 255] * 256)  # the same indices in other colours
    assert cache_image(pal, tmp_path) != cache_image(pal2, tmp_path) and len(encoded) == 4
    os.remove(first)  # delete_cache aged it out: written again, at the same path
    assert cache_image(picture, tmp_path) == first and os.path.exists(first) and len(encoded) == 5
    assert cache_image(picture, tmp_path / "elsewhere") != first  # another cache folder: its own file
    marked = PIL.Image.fromarray(picture)
    marked.info["comment"] = "x"  # metadata goes into the PNG: never taken from the kept paths
    cache_image(marked, tmp_path)
    cache_image(marked, tmp_path)
    assert len(encoded) == 8
    for i in range(output_image.KEEP_PATHS + 5):  # the kept paths are bounded
        cache_image(_picture(100 + i), tmp_path / "many")
    assert len(output_image._KEPT) <= output_image.KEEP_PATHS
