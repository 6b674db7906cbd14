"""Tab: latent interpolation. Two end points (test image, drawing or upload) -> the decoded path
between their posterior means, on the latent map; for 2-D models the manifold over the prior."""
from __future__ import annotations

import gradio as gr
from ..views import interpolation as views
from ..views import vae as vv
from ..plots import vae as plots
from ..zoo import Zoo
from . import image_input
from .common import friendly

EXPLAIN = """### Walking through latent space
The encoder maps an image x to q(z|x) = N(μ(x), σ²(x)). Take the means of two images, μ_A and μ_B,
walk between them — **linearly** z_t = (1−t) μ_A + t μ_B, or **spherically** (slerp, which keeps
‖z‖ near the prior's typical radius √Z instead of cutting through its centre) — and decode every z_t.
Because the KL term pulls every q(z|x) towards the prior N(0, I), the latent space has no holes:
points between two codes still decode to plausible images. The map shows the path among the test set's μ(x).
"""

MANIFOLD_EXPLAIN = """### The 2-D manifold (Kingma & Welling 2013, fig. 4)
Latent points on a grid at the **prior's quantiles** (each cell holds the same probability mass
under N(0, I)), each decoded. **Click anywhere on the grid**, or move the sliders, to decode that point.
"""

def build(zoo: Zoo) -> None:
    default = vv.default_model(zoo)
    entry = zoo.vaes.get(default) if default else None
    is_2d = entry is not None and entry.latent_dim == 2
    # First view: computed once when the page is built (deterministic), so the tab opens filled in.
    init = [None] * 3
    init_manifold = (None, None, "")
    if entry is not None and entry.map is not None:
        init = views.interpolation_outputs(zoo, default, 1, 7, 10, "linear", 0)
        if is_2d:
            init_manifold = views.manifold_outputs(zoo, default, 0.0, 0.0)
    gr.Markdown(EXPLAIN)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown(zoo.vae_choices(), value=default, label="VAE (dataset, latent size)",
                                elem_id="interp-model")
            steps = gr.Slider(vv.STEPS[0], vv.STEPS[1], value=10, step=1, label="steps (end points included)",
                              elem_id="interp-steps")
            method = gr.Radio([("linear", "linear"), ("spherical (slerp)", "slerp")], value="linear",
                              label="path", elem_id="interp-method")
            seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1],
                             label="seed (which test images are picked)", elem_id="interp-seed")
            run = gr.Button("Interpolate", variant="primary", elem_id="interp-run")
        with gr.Column(scale=1, min_width=300):
            in_a = image_input.build("start point A", entry, cls=1, key="interp-a")
        with gr.Column(scale=1, min_width=300):
            in_b = image_input.build("end point B", entry, cls=7, key="interp-b")
    strip = gr.Image(value=init[0], label="A, rec. A | decoded path | rec. B, B", show_label=False, type="numpy",
                     interactive=False, format="png", elem_id="interp-strip", buttons=["fullscreen"])
    info = gr.Markdown(init[2], label="summary", elem_id="interp-info")
    with gr.Row(equal_height=True):
        export = gr.Button("Make PNG / GIF", elem_id="interp-export", scale=0, min_width=160)
        png = gr.File(None, label="strip (PNG)", elem_id="interp-png", height=70, interactive=False)
        gif = gr.File(None, label="path (animated GIF)", elem_id="interp-gif", height=70, interactive=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            latent = gr.Plot(init[1], label="latent map", elem_id="interp-map")
        with gr.Column(scale=2, visible=is_2d) as manifold_col:
            gr.Markdown(MANIFOLD_EXPLAIN)
            manifold = gr.Image(init_manifold[0], label="decoded manifold: click a point", show_label=False, type="numpy",
                                interactive=False, format="png", elem_id="interp-manifold", buttons=["fullscreen"],
                                height=470)
            with gr.Row(equal_height=False):
                with gr.Column(min_width=200):
                    z1 = gr.Slider(-vv.Z_LIMIT, vv.Z_LIMIT, value=0.0, step=0.01, label="z₁", elem_id="interp-z1")
                    z2 = gr.Slider(-vv.Z_LIMIT, vv.Z_LIMIT, value=0.0, step=0.01, label="z₂", elem_id="interp-z2")
                    point_md = gr.Markdown(init_manifold[2], elem_id="interp-point-md")
                point = gr.Image(init_manifold[1], label="decoding of (z₁, z₂)", type="numpy", interactive=False,
                                 format="png", elem_id="interp-point", height=200, min_width=160)

    inputs = [model, in_a.cls, in_b.cls, steps, method, seed, in_a.source, in_b.source,
              in_a.sketch, in_a.upload, in_b.sketch, in_b.upload]
    outputs = [strip, latent, info]

    @friendly
    def interpolate(model, class_a=1, class_b=7, steps=10, method="linear", seed=0, source_a="gallery",
                    source_b="gallery", sketch_a=None, upload_a=None, sketch_b=None, upload_b=None):
        """Decode the latent path between two images. Classes are indices (-1 = any class); with
        source 'gallery' the seed picks which test images; 'draw'/'upload' take an image instead."""
        sketch_a, upload_a = in_a.received(source_a, sketch_a, upload_a, "start point A")
        sketch_b, upload_b = in_b.received(source_b, sketch_b, upload_b, "end point B")
        return views.interpolation_outputs(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                                     sketch_a, upload_a, sketch_b, upload_b)

    @friendly
    def interpolate_export(model, class_a=1, class_b=7, steps=10, method="linear", seed=0, source_a="gallery",
                           source_b="gallery", sketch_a=None, upload_a=None, sketch_b=None, upload_b=None):
        """The same path as /interpolate, as files: the strip (PNG) and the path as an animated GIF."""
        sketch_a, upload_a = in_a.received(source_a, sketch_a, upload_a, "start point A")
        sketch_b, upload_b = in_b.received(source_b, sketch_b, upload_b, "end point B")
        return views.interpolation_exports(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                                           sketch_a, upload_a, sketch_b, upload_b)

    # preprocess=False: the handlers decode images themselves, through image_input.receive
    gr.on([run.click, steps.release, method.change], interpolate, inputs, outputs, api_name="interpolate",
          concurrency_limit=4, show_progress="minimal", preprocess=False)
    # files only on request: writing a GIF on every click would slow every click down
    export.click(interpolate_export, inputs, [png, gif], api_name="interpolate_export", concurrency_limit=2,
                 show_progress="minimal", preprocess=False)
    # a new path empties the old files, in the page (no round trip)
    gr.on([run.click, steps.release, method.change, model.change], None, None, [png, gif],
          js="() => [null, null]", api_visibility="private", show_progress="hidden")

    @friendly
    def on_model(model, z1v, z2v):
        entry = zoo.vae(model)
        choices = image_input.class_choices(entry)
        two_d = entry.latent_dim == 2
        grid, pt, md = views.manifold_outputs(zoo, model, z1v, z2v) if two_d else (None, None, "")
        return (gr.Dropdown(choices=choices), gr.Dropdown(choices=choices), gr.Column(visible=two_d), grid, pt, md)

    model.change(on_model, [model, z1, z2], [in_a.cls, in_b.cls, manifold_col, manifold, point, point_md],
                 api_visibility="private", show_progress="hidden").then(
        interpolate, inputs, outputs, api_visibility="private", show_progress="minimal", preprocess=False)

    @friendly
    def decode_at(model, z1v, z2v):
        return views.manifold_outputs(zoo, model, z1v, z2v)

    gr.on([z1.release, z2.release], decode_at, [model, z1, z2], [manifold, point, point_md],
          api_visibility="private", show_progress="hidden")

    @friendly
    def pick_on_manifold(model, evt: gr.SelectData):
        zz1, zz2 = views.manifold_click(zoo, model, evt.index)
        return zz1, zz2, *views.manifold_outputs(zoo, model, zz1, zz2)

    manifold.select(pick_on_manifold, [model], [z1, z2, manifold, point, point_md], api_visibility="private",
                    show_progress="hidden")
