"""An image chooser shared by the VAE tabs: a test image from the gallery (by class, or any class at
random), a drawing on a sketchpad, or an uploaded image.

The events that take these images run with preprocess=False and call receive(): gradio would decode
any file in its cache folder that a caller names, the app's own outputs included. receive() accepts
only files that came through gradio's upload route, reads each one's header (format, size) before
anything is decoded, and then lets the component decode it."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from gradio.components.base import server
from gradio.components.image_editor import AcceptBlobs
import PIL.Image
from gradio.context import LocalContext
from pydantic import ValidationError

from ..errors import InputError
from ..images import FORMAT_RULE, SIZE_RULE, check_image_file
from ..i18n import TEXT
from ..views.limits import SOURCES
from ..zoo import VAEEntry
from .page import tr, tr_fmt

NOT_UPLOADED = ("{what}: this file was not uploaded to the app; upload the image itself "
                "(from Python: gradio_client.handle_file(path))")

SOURCE_LABELS = [(tr("img.test_image"), "gallery"), (tr("img.draw"), "draw"), (tr("img.upload"), "upload")]


def vae_choices(zoo) -> list[tuple]:
    """The VAE dropdown's choices, their labels ("MNIST, 2-D latent") in the page's language."""
    return [(tr_fmt("vae.label", ds={"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(e.dataset, e.dataset),
                    z=e.latent_dim), name) for name, e in zoo.vaes.items()]


def class_choices(entry: VAEEntry | None) -> list[tuple[str, int]]:
    names = entry.class_names if entry is not None and entry.ships("map") else [str(i) for i in range(10)]
    return [(tr("img.any_class"), -1)] + [(tr(f"class.{n}") if f"class.{n}" in TEXT else n, i)
                                          for i, n in enumerate(names)]


@dataclass
class ImageInput:
    source: gr.Radio
    cls: gr.Dropdown
    sketch: gr.Sketchpad
    upload: gr.Image

    @property
    def components(self) -> list:
        return [self.source, self.cls, self.sketch, self.upload]

    def received(self, source, sketch, upload, what: str) -> tuple:
        """(sketch, upload) of an event run with preprocess=False, decoded by receive(); only the one
        the source names is read (the other is left as None)."""
        return (receive(self.sketch, sketch, what) if source == "draw" else None,
                receive(self.upload, upload, what) if source == "upload" else None)


# gradio's sketchpad opens with no tool selected ("select the draw tool to start"): when a student
# chooses "draw", select the brush for them, once the canvas is on the page
SELECT_BRUSH_JS = """(src) => {
  if (src === "draw") {
    let tries = 0;
    const pick = () => {
      const b = document.querySelector('#SKETCH_ID button[aria-label="Brush"]');
      if (b) { if (!b.classList.contains("highlight")) b.click(); }
      else if (tries++ < 30) setTimeout(pick, 100);
    };
    setTimeout(pick, 50);
  }
  return src;
}"""


class BoundedSketchpad(gr.ImageEditor):
    """Gradio's sketchpad (its image editor, drawn by the same frontend code) with a bound on what
    a caller may send ahead of an event. The page sends each drawing's layers as blobs before the
    event that uses them; gradio keeps every blob under an id the caller picks, until an event
    consumes it, and grows the layer list to whatever index the caller names (README, security
    notes). Here the index is refused beyond the one drawing layer, a blob beyond the upload cap,
    and the oldest unused drawings are dropped beyond MAX_PENDING."""

    is_template = True  # the frontend draws gradio's "imageeditor"
    MAX_LAYER_INDEX = 3
    MAX_BLOB_BYTES = 1024 * 1024  # a 280 px drawing is ~10 kB
    MAX_PENDING = 8  # drawings sent and not yet used, per sketchpad and session

    @server
    def accept_blobs(self, data: AcceptBlobs):
        index = data.data.get("index")
        if index not in (None, "", "null"):
            try:
                i = int(index)
            except (TypeError, ValueError):
                raise ValueError("a drawing's layer index must be a whole number") from None
            if not 0 <= i <= self.MAX_LAYER_INDEX:
                raise ValueError(f"a drawing has layers 0 to {self.MAX_LAYER_INDEX}, got {i}")
        if any(len(blob) > self.MAX_BLOB_BYTES for _, blob in data.files):
            raise ValueError("a drawing is at most 1 MB")
        key = data.data.get("id")
        while len(self.blob_storage) >= self.MAX_PENDING and key not in self.blob_storage:
            self.blob_storage.pop(next(iter(self.blob_storage)))  # the oldest drawing nobody used
        return super().accept_blobs(data)


def build(label, entry: VAEEntry | None, cls: int = -1, key: str = "") -> ImageInput:
    """Create the components (call inside a layout block) and wire their visibility."""
    source = gr.Radio(SOURCE_LABELS, value="gallery", label=label, elem_id=f"{key}-source")
    cls_dd = gr.Dropdown(class_choices(entry), value=cls, label=tr("img.class"), elem_id=f"{key}-class")
    sketch = BoundedSketchpad(  # sources=(): draw only, as gr.Sketchpad sets
        sources=(), type="numpy", image_mode="RGBA", format="png", canvas_size=(280, 280), layers=False, transforms=(),
        brush=gr.Brush(default_size=12, colors=["#000000"], color_mode="fixed"),
        label=tr("img.sketch"), visible=False, elem_id=f"{key}-sketch", height=330,
    )
    upload = gr.Image(type="numpy", image_mode="RGBA", sources=["upload", "clipboard"], label=tr("img.upload_label"),
                      visible=False, elem_id=f"{key}-upload", height=260)

    def show(src):
        if src not in SOURCES:
            src = "gallery"
        return (gr.Dropdown(visible=src == "gallery"), gr.update(visible=src == "draw"),
                gr.Image(visible=src == "upload"))

    source.change(show, source, [cls_dd, sketch, upload], api_visibility="private", queue=False,
                  show_progress="hidden", js=SELECT_BRUSH_JS.replace("SKETCH_ID", f"{key}-sketch"))
    return ImageInput(source, cls_dd, sketch, upload)


def _files(payload):
    """Every file reference (a dict with a 'path' or a 'url') inside an unprocessed value."""
    if isinstance(payload, dict):
        if "path" in payload or "url" in payload:
            yield payload
        else:
            for v in payload.values():
                yield from _files(v)
    elif isinstance(payload, list):
        for v in payload:
            yield from _files(v)


def receive(component: gr.components.Component, payload, what: str):
    """An event's unprocessed value for `component` (a gr.Image or gr.Sketchpad) -> what the component's
    preprocess gives (numpy arrays), refusing with InputError any file that was not uploaded through
    gradio's upload route, is not an allowed image format, or is too large by its header."""
    if payload is None:
        return None
    blocks = LocalContext.blocks.get(None)
    uploaded = blocks.upload_file_set if blocks is not None else set()
    for ref in _files(payload):
        path = ref.get("path")
        if not isinstance(path, str) or path not in uploaded:
            raise InputError(NOT_UPLOADED.format(what=what))
        try:
            check_image_file(path)
        except InputError as e:
            raise InputError(f"{what}: {e}") from None
    try:
        value = component.data_model.model_validate(payload)
    except ValidationError:
        raise InputError(f"{what}: expected an image (a drawing or an uploaded file); {FORMAT_RULE}") from None
    # the session's own copy of the component (gradio keeps one per session once a handler updates
    # it): the sketchpad's drawing arrives there, sent ahead of the event by the page
    config = LocalContext.blocks_config.get(None)
    own = config.blocks.get(component._id, component) if config is not None else component
    try:
        return own.preprocess(value)
    except PIL.Image.DecompressionBombError:
        raise InputError(f"{what}: this image is too large; {SIZE_RULE}") from None
    except (OSError, ValueError, SyntaxError):
        raise InputError(f"{what}: this is not an image the app reads; {FORMAT_RULE}") from None
