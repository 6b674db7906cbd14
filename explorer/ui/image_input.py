"""An image chooser shared by the VAE tabs: a test image from the gallery (by class, or any class at
random), a drawing on a sketchpad, or an uploaded image. Uploads arrive as numpy arrays: nothing the
user sends is ever used as a file path."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ..views.vae import SOURCES
from ..zoo import VAEEntry

SOURCE_LABELS = [("test image", "gallery"), ("draw", "draw"), ("upload", "upload")]


def class_choices(entry: VAEEntry | None) -> list[tuple[str, int]]:
    names = entry.map.class_names if entry is not None and entry.map is not None else [str(i) for i in range(10)]
    return [("any class (random)", -1)] + [(n, i) for i, n in enumerate(names)]


@dataclass
class ImageInput:
    source: gr.Radio
    cls: gr.Dropdown
    sketch: gr.Sketchpad
    upload: gr.Image

    @property
    def components(self) -> list:
        return [self.source, self.cls, self.sketch, self.upload]


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


def build(label: str, entry: VAEEntry | None, cls: int = -1, key: str = "") -> ImageInput:
    """Create the components (call inside a layout block) and wire their visibility."""
    source = gr.Radio(SOURCE_LABELS, value="gallery", label=label, elem_id=f"{key}-source")
    cls_dd = gr.Dropdown(class_choices(entry), value=cls, label="class", elem_id=f"{key}-class")
    sketch = gr.Sketchpad(
        type="numpy", image_mode="RGBA", format="png", canvas_size=(280, 280), layers=False, transforms=(),
        brush=gr.Brush(default_size=12, colors=["#000000"], color_mode="fixed"),
        label="draw a digit (big, centred)", visible=False, elem_id=f"{key}-sketch", height=330,
    )
    upload = gr.Image(type="numpy", image_mode="RGBA", sources=["upload", "clipboard"], label="upload an image",
                      visible=False, elem_id=f"{key}-upload", height=260)

    def show(src):
        if src not in SOURCES:
            src = "gallery"
        return (gr.Dropdown(visible=src == "gallery"), gr.Sketchpad(visible=src == "draw"),
                gr.Image(visible=src == "upload"))

    source.change(show, source, [cls_dd, sketch, upload], api_visibility="private", queue=False,
                  show_progress="hidden", js=SELECT_BRUSH_JS.replace("SKETCH_ID", f"{key}-sketch"))
    return ImageInput(source, cls_dd, sketch, upload)
