"""Tab: latent interpolation. Two end points (test image, drawing or upload) -> the decoded path
between their posterior means, on the latent map; for 2-D models the manifold over the prior."""
from __future__ import annotations

import gradio as gr
from ..views import limits
from ..zoo import Zoo
from .deferred import Deferred
from .output_image import OutputImage
from . import image_input
from .common import friendly
from .page import Page, parse_choice, parse_number, tr

views = Deferred("explorer.views.interpolation")

def build(zoo: Zoo, page: Page | None = None) -> None:
    default = limits.default_model(zoo)
    entry = zoo.vaes.get(default) if default else None
    is_2d = entry is not None and entry.latent_dim == 2
    has_map = entry is not None and entry.ships("map")

    def first_view(lang="en") -> list:
        """The tab's first path and manifold (deterministic): sent when a page first opens the tab."""
        if not has_map:
            return [None, None, "", None, None, ""]
        manifold = views.manifold_outputs(zoo, default, 0.0, 0.0, lang) if is_2d else (None, None, "")
        return [*views.interpolation_outputs(zoo, default, 1, 7, 10, "linear", 0, lang=lang), *manifold]
    init = first_view() if page is None else [None, None, ""]
    init_manifold = init[3:] if page is None else (None, None, "")
    gr.Markdown(tr("interp.explain"), elem_classes=["explain"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown(image_input.vae_choices(zoo), value=default, label=tr("vae.model"),
                                elem_id="interp-model")
            steps = gr.Slider(limits.STEPS[0], limits.STEPS[1], value=10, step=1, label=tr("interp.steps"),
                              elem_id="interp-steps")
            method = gr.Radio([(tr("interp.linear"), "linear"), (tr("interp.slerp"), "slerp")], value="linear",
                              label=tr("interp.path"), elem_id="interp-method")
            seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1],
                             label=tr("interp.seed"), elem_id="interp-seed", elem_classes=["presenter-hide"])
            run = gr.Button(tr("interp.run"), variant="primary", elem_id="interp-run")
        with gr.Column(scale=1, min_width=300):
            in_a = image_input.build(tr("interp.a"), entry, cls=1, key="interp-a")
        with gr.Column(scale=1, min_width=300):
            in_b = image_input.build(tr("interp.b"), entry, cls=7, key="interp-b")
    strip = OutputImage(value=init[0], label=tr("interp.strip"), show_label=False, type="numpy",
                        interactive=False, format="png", elem_id="interp-strip", buttons=["fullscreen"])
    info = gr.Markdown(init[2], label=tr("interp.summary"), elem_id="interp-info")
    with gr.Row(equal_height=True, elem_classes=["presenter-hide"]):  # files: not for the projector
        export = gr.Button(tr("interp.export"), elem_id="interp-export", scale=0, min_width=160)
        png = gr.File(None, label=tr("interp.png"), elem_id="interp-png", height=70, interactive=False)
        gif = gr.File(None, label=tr("interp.gif"), elem_id="interp-gif", height=70, interactive=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            latent = gr.Plot(init[1], label=tr("vae.latent_map"), elem_id="interp-map")
        with gr.Column(scale=2, visible=is_2d) as manifold_col:
            gr.Markdown(tr("interp.manifold_explain"), elem_classes=["explain"])
            manifold = OutputImage(init_manifold[0], label=tr("interp.manifold"), show_label=False, type="numpy",
                                   interactive=False, format="png", elem_id="interp-manifold", buttons=["fullscreen"],
                                   height=470)
            with gr.Row(equal_height=False):
                with gr.Column(min_width=200):
                    z1 = gr.Slider(-limits.Z_LIMIT, limits.Z_LIMIT, value=0.0, step=0.01, label="z₁", elem_id="interp-z1")
                    z2 = gr.Slider(-limits.Z_LIMIT, limits.Z_LIMIT, value=0.0, step=0.01, label="z₂", elem_id="interp-z2")
                    point_md = gr.Markdown(init_manifold[2], elem_id="interp-point-md")
                point = OutputImage(init_manifold[1], label=tr("interp.point"), type="numpy", interactive=False,
                                    format="png", elem_id="interp-point", height=200, min_width=160)

    inputs = [model, in_a.cls, in_b.cls, steps, method, seed, in_a.source, in_b.source,
              in_a.sketch, in_a.upload, in_b.sketch, in_b.upload]
    outputs = [strip, latent, info]

    @friendly
    def interpolate(model, class_a=1, class_b=7, steps=10, method="linear", seed=0, source_a="gallery",
                    source_b="gallery", sketch_a=None, upload_a=None, sketch_b=None, upload_b=None, lang="en"):
        """Decode the latent path between two images. Classes are indices (-1 = any class); with
        source 'gallery' the seed picks which test images; 'draw'/'upload' take an image instead.
        lang: 'en' (default) or 'zh', the language of the summary and the figure's text."""
        sketch_a, upload_a = in_a.received(source_a, sketch_a, upload_a, "start point A")
        sketch_b, upload_b = in_b.received(source_b, sketch_b, upload_b, "end point B")
        return views.interpolation_outputs(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                                     sketch_a, upload_a, sketch_b, upload_b, lang=lang)

    @friendly
    def interpolate_export(model, class_a=1, class_b=7, steps=10, method="linear", seed=0, source_a="gallery",
                           source_b="gallery", sketch_a=None, upload_a=None, sketch_b=None, upload_b=None):
        """The same path as /interpolate, as files: the strip (PNG) and the path as an animated GIF."""
        sketch_a, upload_a = in_a.received(source_a, sketch_a, upload_a, "start point A")
        sketch_b, upload_b = in_b.received(source_b, sketch_b, upload_b, "end point B")
        return views.interpolation_exports(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                                           sketch_a, upload_a, sketch_b, upload_b)

    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler
    # preprocess=False: the handlers decode images themselves, through image_input.receive
    gr.on([run.click, steps.release, method.change], interpolate, inputs + lang, outputs, api_name="interpolate",
          concurrency_limit=4, show_progress="minimal", preprocess=False)
    # files only on request: writing a GIF on every click would slow every click down
    export.click(interpolate_export, inputs, [png, gif], api_name="interpolate_export", concurrency_limit=2,
                 show_progress="minimal", preprocess=False)
    # a new path empties the old files, in the page (no round trip)
    gr.on([run.click, steps.release, method.change, model.change], None, None, [png, gif],
          js="() => [null, null]", api_visibility="private", show_progress="hidden")

    @friendly
    def on_model(model, z1v, z2v, lang="en"):
        entry = zoo.vae(model)
        choices = image_input.class_choices(entry)
        two_d = entry.latent_dim == 2
        grid, pt, md = views.manifold_outputs(zoo, model, z1v, z2v, lang) if two_d else (None, None, "")
        return (gr.Dropdown(choices=choices), gr.Dropdown(choices=choices), gr.Column(visible=two_d), grid, pt, md)

    model.change(on_model, [model, z1, z2] + lang, [in_a.cls, in_b.cls, manifold_col, manifold, point, point_md],
                 api_visibility="private", show_progress="hidden").then(
        interpolate, inputs + lang, outputs, api_visibility="private", show_progress="minimal", preprocess=False)

    @friendly
    def decode_at(model, z1v, z2v, lang="en"):
        return views.manifold_outputs(zoo, model, z1v, z2v, lang)

    gr.on([z1.release, z2.release], decode_at, [model, z1, z2] + lang, [manifold, point, point_md],
          api_visibility="private", show_progress="hidden")

    @friendly
    def pick_on_manifold(model, lang="en", evt: gr.SelectData = None):
        zz1, zz2 = views.manifold_click(zoo, model, evt.index if evt is not None else None)
        return zz1, zz2, *views.manifold_outputs(zoo, model, zz1, zz2, lang)

    manifold.select(pick_on_manifold, [model] + lang, [z1, z2, manifold, point, point_md], api_visibility="private",
                    show_progress="hidden")

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        page.lazy("interpolation", outputs + [manifold, point, point_md], first_view)
        page.redraw(interpolate, inputs, outputs, preprocess=False)
        page.redraw(decode_at, [model, z1, z2], [manifold, point, point_md])
        classes = parse_number(-1, 9, integer=True)
        page.param("interpolation", "model", model, parse_choice(zoo.vaes))
        page.param("interpolation", "a", in_a.cls, classes, _int)
        page.param("interpolation", "b", in_b.cls, classes, _int)
        page.param("interpolation", "steps", steps, parse_number(*limits.STEPS, integer=True), _int)
        page.param("interpolation", "path", method, parse_choice(limits.METHODS))
        page.param("interpolation", "seed", seed, parse_number(*limits.SEED, integer=True), _int)


def _int(v):
    return None if v is None else str(int(v))
