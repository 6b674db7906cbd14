"""Tab: per-pixel probabilities. A PixelCNN's exact log p(x) = Σᵢ log p(xᵢ | x<ᵢ) on a digit, beside
the VAE's ELBO and importance-sampled log p(x) for the same pixels; the mask of one prediction;
sampling in raster order (step by step and animated); completion of a half-hidden digit; and the
test set's exact log p(x) against the VAE's figures. Layout and wiring only: the work is in
views/pixels.py, the figures in plots/pixels.py, every sentence in explorer/i18n.py ("pix.")."""
from __future__ import annotations

import gradio as gr

from ..views import limits
from ..zoo import Zoo
from .deferred import Deferred
from .output_image import OutputImage
from . import image_input
from .common import friendly
from .page import Page, parse_number, tr

views = Deferred("explorer.views.pixels")


def build(zoo: Zoo, page: Page | None = None) -> None:
    gr.Markdown(tr("pix.explain"), elem_classes=["explain"])
    if not zoo.pixelcnns:
        gr.Markdown(tr("pix.no_model"))
        return
    entry = zoo.pixelcnn()
    vae_entry = zoo.vaes.get(entry.vae)
    # the first view (a test "3"), sent when the tab first opens (page.lazy), not in the page's config
    def first_view(lang="en"):
        return views.probability_outputs(zoo, 3, 0, limits.DEFAULT_PIXEL, 1000, "gallery", lang=lang)
    init = first_view() if page is None else [None] * 5
    n_pixels = entry.n_pixels
    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler

    # ------------------------------------------------------------ per-pixel probabilities
    gr.Markdown(tr("pix.probs_head"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            x_in = image_input.build(tr("pix.x_from"), vae_entry, cls=3, key="px-x")
            seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("pix.seed_pick"),
                             elem_id="px-seed", elem_classes=["presenter-hide"])
            pixel = gr.Slider(0, n_pixels - 1, value=limits.DEFAULT_PIXEL, step=1, label=tr("pix.pixel"),
                              elem_id="px-pixel")
            k = gr.Slider(limits.IWAE_K[0], limits.IWAE_K[1], value=1000, step=1, label=tr("pix.k"), elem_id="px-k",
                          elem_classes=["presenter-hide"])
            score_btn = gr.Button(tr("pix.score"), variant="primary", elem_id="px-run")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=200):
                    strip = OutputImage(init[0], label=tr("pix.strip"), type="numpy", interactive=False, format="png",
                                        elem_id="px-strip", height=130)
                with gr.Column(scale=2):
                    numbers = gr.Markdown(init[4], label=tr("pix.numbers"), elem_id="px-numbers")
            maps = gr.Plot(init[1], label=tr("pix.maps"), elem_id="px-maps")
    with gr.Row(equal_height=False):
        mask = gr.Plot(init[2], label=tr("pix.mask"), elem_id="px-mask")
        running = gr.Plot(init[3], label=tr("pix.running"), elem_id="px-running")

    @friendly
    def pixel_probabilities(class_index=3, seed=0, pixel=limits.DEFAULT_PIXEL, k=1000, source="gallery",
                            sketch=None, upload=None, lang="en"):
        """p(x_i = 1 | x_<i) for every pixel of one binarised digit, the running sum of
        log p(x_i | x_<i), the exact log p(x) beside the VAE's ELBO and importance-sampled log p(x)
        (k samples), and the mask of pixel i. The digit: a test image of class class_index (-1 = any;
        the seed picks it), or a drawing / upload with source 'draw' / 'upload'. lang: 'en' or 'zh'."""
        sketch, upload = x_in.received(source, sketch, upload, "x")
        return views.probability_outputs(zoo, class_index, seed, pixel, k, source, sketch, upload, lang)

    prob_inputs = [x_in.cls, seed, pixel, k, x_in.source, x_in.sketch, x_in.upload]
    prob_outputs = [strip, maps, mask, running, numbers]
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([score_btn.click, pixel.release, k.release], pixel_probabilities, prob_inputs + lang, prob_outputs,
          api_name="pixel_probabilities", show_progress="minimal", preprocess=False)

    # ------------------------------------------------------------ sampling in raster order
    gr.Markdown(tr("pix.sample_head"))
    samples_state = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            n = gr.Slider(limits.PIXEL_SAMPLES[0], limits.PIXEL_SAMPLES[1], value=16, step=1, label=tr("pix.n_samples"),
                          elem_id="px-n")
            sample_seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("pix.seed"),
                                    elem_id="px-sample-seed")
            temperature = gr.Slider(limits.PIXEL_TEMPERATURE[0], limits.PIXEL_TEMPERATURE[1], value=1.0, step=0.05,
                                    label=tr("pix.temperature"), elem_id="px-temperature")
            sample_btn = gr.Button(tr("pix.sample"), variant="primary", elem_id="px-sample-run")
            sample_md = gr.Markdown(elem_id="px-sample-numbers")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                grid = OutputImage(label=tr("pix.samples"), type="numpy", interactive=False, format="png",
                                   elem_id="px-samples", height=300)
                gif = OutputImage(label=tr("pix.gif"), type="filepath", interactive=False, elem_id="px-gif", height=300)
            step = gr.Slider(0, n_pixels, value=n_pixels // 2, step=1, label=tr("pix.step"), elem_id="px-step")
            step_img = OutputImage(label=tr("pix.step_image"), type="numpy", interactive=False, format="png",
                                   elem_id="px-step-image", height=300)

    @friendly
    def pixel_sample(n=16, seed=0, temperature=1.0, lang="en"):
        """n digits drawn pixel by pixel in raster order from the PixelCNN (this seed; temperature
        divides the logits). Returns the samples, an animated GIF of the raster order, and their
        log p(x). lang: 'en' or 'zh'."""
        return views.sample_outputs(zoo, n, seed, temperature, lang)

    @friendly
    def at_step(state, step):
        return views.frame_outputs(zoo, state, step)

    @friendly
    def relabel_samples(state, lang="en"):
        return views.relabel_samples(state, lang)

    gr.on([sample_btn.click], pixel_sample, [n, sample_seed, temperature] + lang,
          [grid, gif, sample_md, samples_state], api_name="pixel_sample", show_progress="minimal").then(
        at_step, [samples_state, step], step_img, api_visibility="private", show_progress="hidden")
    step.change(at_step, [samples_state, step], step_img, api_visibility="private", show_progress="hidden",
                trigger_mode="always_last")

    # ------------------------------------------------------------ completion
    gr.Markdown(tr("pix.complete_head"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            c_in = image_input.build(tr("pix.x_from"), vae_entry, cls=7, key="px-c")
            c_seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("pix.seed_pick"),
                               elem_id="px-c-seed", elem_classes=["presenter-hide"])
            keep_rows = gr.Slider(limits.KEEP_ROWS[0], limits.KEEP_ROWS[1], value=14, step=1, label=tr("pix.keep_rows"),
                                  elem_id="px-keep")
            c_n = gr.Slider(limits.COMPLETIONS[0], limits.COMPLETIONS[1], value=8, step=1,
                            label=tr("pix.n_completions"), elem_id="px-c-n")
            c_temperature = gr.Slider(limits.PIXEL_TEMPERATURE[0], limits.PIXEL_TEMPERATURE[1], value=1.0, step=0.05,
                                      label=tr("pix.temperature"), elem_id="px-c-temperature",
                                      elem_classes=["presenter-hide"])
            complete_btn = gr.Button(tr("pix.complete"), variant="primary", elem_id="px-c-run")
        with gr.Column(scale=2):
            completion = OutputImage(label=tr("pix.completion"), type="numpy", interactive=False, format="png",
                                     elem_id="px-completion", height=260)
            completion_md = gr.Markdown(elem_id="px-c-numbers")

    @friendly
    def pixel_complete(class_index=7, seed=0, keep_rows=14, n=8, temperature=1.0, source="gallery",
                       sketch=None, upload=None, lang="en"):
        """Keep the top keep_rows rows of a binarised digit (a test image of class class_index, -1 =
        any, the seed picks it; or a drawing / upload) and draw the rest n times, pixel by pixel.
        lang: 'en' or 'zh'."""
        sketch, upload = c_in.received(source, sketch, upload, "x")
        return views.complete_outputs(zoo, class_index, seed, keep_rows, n, temperature, source, sketch, upload,
                                      lang)

    complete_inputs = [c_in.cls, c_seed, keep_rows, c_n, c_temperature, c_in.source, c_in.sketch, c_in.upload]
    gr.on([complete_btn.click], pixel_complete, complete_inputs + lang, [completion, completion_md],
          api_name="pixel_complete", show_progress="minimal", preprocess=False)

    # ------------------------------------------------------------ test-set scatter
    @friendly
    def scatter_figure(lang="en"):
        return views.scatter_output(zoo, lang)

    scatter = None
    if entry.ships("test"):
        gr.Markdown(tr("pix.scatter_head"))
        scatter = gr.Plot(views.scatter_output(zoo) if page is None else None, label=tr("pix.scatter"),
                          elem_id="px-scatter")

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        page.lazy("pixels", prob_outputs, first_view)
        if scatter is not None:
            page.lazy("pixels", [scatter], lambda lang: [views.scatter_output(zoo, lang)])
        page.redraw(pixel_probabilities, prob_inputs, prob_outputs, preprocess=False)
        page.redraw(relabel_samples, [samples_state], [sample_md])
        if scatter is not None:
            page.redraw(scatter_figure, [], [scatter])
        page.param("pixels", "pixel", pixel, parse_number(0, n_pixels - 1, integer=True), _int)
        page.param("pixels", "seed", seed, parse_number(*limits.SEED, integer=True), _int)
        page.param("pixels", "n", n, parse_number(*limits.PIXEL_SAMPLES, integer=True), _int)
        page.param("pixels", "T", temperature, parse_number(*limits.PIXEL_TEMPERATURE))
        page.param("pixels", "keep", keep_rows, parse_number(*limits.KEEP_ROWS, integer=True), _int)


def _int(v):
    return None if v is None else str(int(v))
