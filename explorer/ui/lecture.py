"""Tab: the lecture map. The lecture's taxonomy as boxes (supervised vs unsupervised; discriminative,
generative, conditional generative; explicit tractable / approximate, implicit direct / indirect);
each box's buttons open the tab that shows the idea live (Page.goto). GAN and diffusion are shown
in the tree and marked as not part of this app. Static: no handler, nothing computed.
"""
from __future__ import annotations

import gradio as gr

from .page import Page, tr

# which tabs show each idea (tab ids of app.TABS), in the order a student would open them
LIVE = {
    "supervised": ["conditional"],
    "unsupervised": ["prior_posterior", "interpolation"],
    "discriminative": ["conditional"],
    "generative": ["pixels", "mass"],
    "conditional": ["conditional"],
    "tractable": ["tokens", "mass", "pixels"],
    "approximate": ["interpolation", "prior_posterior", "reparam", "tradeoff"],
}

CSS = """
#lecture-map .lec-box { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  background: var(--block-background-fill); }
#lecture-map .lec-off { opacity: 0.6; border-style: dashed; }
#lecture-map .lec-buttons { flex-wrap: wrap !important; gap: 6px; }
#lecture-map .lec-go { flex: 0 1 auto !important; width: auto !important; min-width: 0 !important; }
#lecture-map .lec-go::before { content: "→ "; }
"""


def _box(page: Page | None, key: str, live: list[str] | None = None, off: bool = False, extra: str | None = None):
    with gr.Column(elem_classes=["lec-box"] + (["lec-off"] if off else []), min_width=220):
        gr.Markdown(tr(f"lec.{key}"))
        if extra:
            gr.Markdown(tr(extra))
        with gr.Row(elem_classes=["lec-buttons"]):
            for tab in live or []:
                button = gr.Button(tr(f"tab.{tab}"), size="sm", variant="secondary",
                                   elem_classes=["lec-go"], elem_id=f"lec-{key}-{tab}")
                if page is not None:
                    page.goto(button, tab)


def build(zoo, page: Page | None = None) -> None:
    with gr.Column(elem_id="lecture-map"):
        gr.Markdown(tr("lec.title"))
        gr.Markdown(tr("lec.intro"), elem_classes=["explain"])
        gr.Markdown(tr("lec.learning"))
        with gr.Row(equal_height=True):
            _box(page, "supervised", LIVE["supervised"])
            _box(page, "unsupervised", LIVE["unsupervised"], extra="lec.unsup_live")
        gr.Markdown(tr("lec.models"))
        with gr.Row(equal_height=True):
            for key in ("discriminative", "generative", "conditional"):
                _box(page, key, LIVE[key])
        gr.Markdown(tr("lec.taxonomy"))
        with gr.Row(equal_height=True):
            with gr.Column(scale=2, min_width=300):
                gr.Markdown(tr("lec.explicit"))
                with gr.Row(equal_height=True):
                    _box(page, "tractable", LIVE["tractable"])
                    _box(page, "approximate", LIVE["approximate"])
            with gr.Column(scale=1, min_width=220):
                gr.Markdown(tr("lec.implicit"))
                _box(page, "direct", off=True)
                _box(page, "indirect", off=True)
