"""What a caller may send ahead of an event to a sketchpad is bounded: gradio's own sketchpad keeps
every blob under an id the caller picks and grows its layer list to any index (README, security notes)."""
from __future__ import annotations

import gradio as gr
import pytest
from gradio.components.image_editor import AcceptBlobs

from explorer.ui.image_input import BoundedSketchpad


def blob(index, key: str, size: int = 10, kind: str = "layer") -> AcceptBlobs:
    return AcceptBlobs(data={"type": kind, "index": index, "file": b"", "id": key}, files=[("blob", b"x" * size)])


@pytest.fixture()
def pad():
    with gr.Blocks():
        return BoundedSketchpad(sources=(), type="numpy", layers=False)


def test_it_is_drawn_by_gradios_image_editor_and_takes_a_drawing(pad):
    assert pad.get_block_name() == "imageeditor" and pad.sources == ()
    kw = dict(type="numpy", layers=False, transforms=(), brush=gr.Brush(colors=["#000000"], color_mode="fixed"))
    with gr.Blocks():  # the page gets the same settings as from gradio's own sketchpad
        ours, theirs = BoundedSketchpad(sources=(), **kw), gr.Sketchpad(**kw)
    assert ours.get_config() | {"_id": 0} == theirs.get_config() | {"_id": 0}
    pad.accept_blobs(blob(None, "a", kind="composite"))
    pad.accept_blobs(blob(1, "a"))
    assert pad.blob_storage["a"].composite == b"x" * 10 and pad.blob_storage["a"].layers == [None, b"x" * 10]


@pytest.mark.parametrize("index", [4, 10_000_000, -1])
def test_a_layer_index_beyond_the_drawing_is_refused(pad, index):
    with pytest.raises(ValueError, match="layers 0 to 3"):
        pad.accept_blobs(blob(index, "b"))
    assert "b" not in pad.blob_storage


def test_a_blob_over_the_upload_cap_is_refused(pad):
    with pytest.raises(ValueError, match="at most 1 MB"):
        pad.accept_blobs(blob(None, "c", size=BoundedSketchpad.MAX_BLOB_BYTES + 1, kind="composite"))


def test_unused_drawings_are_bounded_oldest_first(pad):
    for i in range(3 * BoundedSketchpad.MAX_PENDING):
        pad.accept_blobs(blob(None, f"id{i}", kind="composite"))
    assert len(pad.blob_storage) == BoundedSketchpad.MAX_PENDING
    assert "id0" not in pad.blob_storage and f"id{3 * BoundedSketchpad.MAX_PENDING - 1}" in pad.blob_storage
