"""Tab: per-pixel probabilities. A PixelCNN's exact log p(x) = Σᵢ log p(xᵢ | x<ᵢ) on a digit, beside
the VAE's ELBO and importance-sampled log p(x) for the same pixels; the mask of one prediction;
sampling in raster order (step by step and animated); completion of a half-hidden digit; and the
test set's exact log p(x) against the VAE's figures. Layout and wiring only: the work is in
views/pixels.py, the figures in plots/pixels.py."""
from __future__ import annotations

import gradio as gr

from ..views import pixels as views
from ..views import vae as vv
from ..zoo import Zoo
from . import image_input
from .common import friendly

# every string a student reads, in one place (ready for translation)
TEXT = {
    "explain": """### An exact density, pixel by pixel
A **PixelCNN** (van den Oord et al. 2016) is the image twin of the character models in the per-token tab:
it orders the 784 pixels row by row, left to right, and predicts each black-or-white pixel from the
ones before it, p(x) = ∏ᵢ p(xᵢ | x<ᵢ). Its convolutions are **masked** so that the prediction for
pixel i never sees pixel i or anything after it; then **log p(x) = Σᵢ log p(xᵢ | x<ᵢ) is exact**, where
the VAE only has a lower bound (the ELBO) and an importance-sampled estimate. The price: drawing a
sample takes 784 steps, one pixel at a time.""",
    "no_model": "No PixelCNN checkpoint ships with this copy: train it with "
                "`python -m explorer.training.pixelcnn --data-root <data root> --out checkpoints/pixelcnn_mnist`.",
    "probs_head": "#### Per-pixel conditional probabilities",
    "x_from": "digit from",
    "seed_pick": "seed (test image pick and the VAE's samples)",
    "pixel": "pixel i whose mask is shown (row × 28 + column)",
    "k": "k importance samples for the VAE's log p(x)",
    "score": "Score this digit",
    "strip": "x | x binarised (what both models score)",
    "numbers": "exact log p(x) beside the VAE's bound",
    "maps": "p(xᵢ = 1 | x<ᵢ) and −log p(xᵢ | x<ᵢ)",
    "mask": "the mask of pixel i",
    "running": "running sum of log p(xᵢ | x<ᵢ)",
    "sample_head": "#### Sampling in raster order",
    "n_samples": "digits",
    "seed": "seed",
    "temperature": "temperature (divides the logits; 1 = the model itself)",
    "sample": "Sample",
    "samples": "samples",
    "gif": "raster order, animated",
    "step": "step: pixels drawn so far (slate = not yet drawn, red = the next one)",
    "step_image": "the samples at this step",
    "complete_head": "#### Completion: hide the bottom, draw it again",
    "keep_rows": "rows kept from the top",
    "n_completions": "completions",
    "complete": "Complete",
    "completion": "x | what the model is given | completions",
    "scatter_head": "#### Exact vs bound on the test set",
    "scatter": "test digits: exact log p(x) vs the VAE",
}


def build(zoo: Zoo) -> None:
    gr.Markdown(TEXT["explain"])
    if not zoo.pixelcnns:
        gr.Markdown(TEXT["no_model"])
        return
    entry = zoo.pixelcnn()
    vae_entry = zoo.vaes.get(entry.vae)
    init = views.probability_outputs(zoo, 3, 0, views.DEFAULT_PIXEL, 1000, "gallery")
    n_pixels = entry.model.config.n_pixels

    # ------------------------------------------------------------ per-pixel probabilities
    gr.Markdown(TEXT["probs_head"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            x_in = image_input.build(TEXT["x_from"], vae_entry, cls=3, key="px-x")
            seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1], label=TEXT["seed_pick"],
                             elem_id="px-seed")
            pixel = gr.Slider(0, n_pixels - 1, value=views.DEFAULT_PIXEL, step=1, label=TEXT["pixel"],
                              elem_id="px-pixel")
            k = gr.Slider(views.IWAE_K[0], views.IWAE_K[1], value=1000, step=1, label=TEXT["k"], elem_id="px-k")
            score_btn = gr.Button(TEXT["score"], variant="primary", elem_id="px-run")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                strip = gr.Image(init[0], label=TEXT["strip"], type="numpy", interactive=False, format="png",
                                 elem_id="px-strip", height=130)
                numbers = gr.Markdown(init[4], label=TEXT["numbers"], elem_id="px-numbers")
            maps = gr.Plot(init[1], label=TEXT["maps"], elem_id="px-maps")
    with gr.Row(equal_height=False):
        mask = gr.Plot(init[2], label=TEXT["mask"], elem_id="px-mask")
        running = gr.Plot(init[3], label=TEXT["running"], elem_id="px-running")

    @friendly
    def pixel_probabilities(class_index=3, seed=0, pixel=views.DEFAULT_PIXEL, k=1000, source="gallery",
                            sketch=None, upload=None):
        """p(x_i = 1 | x_<i) for every pixel of one binarised digit, the running sum of
        log p(x_i | x_<i), the exact log p(x) beside the VAE's ELBO and importance-sampled log p(x)
        (k samples), and the mask of pixel i. The digit: a test image of class class_index (-1 = any;
        the seed picks it), or a drawing / upload with source 'draw' / 'upload'."""
        sketch, upload = x_in.received(source, sketch, upload, "x")
        return views.probability_outputs(zoo, class_index, seed, pixel, k, source, sketch, upload)

    prob_inputs = [x_in.cls, seed, pixel, k, x_in.source, x_in.sketch, x_in.upload]
    prob_outputs = [strip, maps, mask, running, numbers]
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([score_btn.click, pixel.release, k.release], pixel_probabilities, prob_inputs, prob_outputs,
          api_name="pixel_probabilities", show_progress="minimal", preprocess=False)

    # ------------------------------------------------------------ sampling in raster order
    gr.Markdown(TEXT["sample_head"])
    samples_state = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            n = gr.Slider(views.SAMPLES[0], views.SAMPLES[1], value=16, step=1, label=TEXT["n_samples"],
                          elem_id="px-n")
            sample_seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1], label=TEXT["seed"],
                                    elem_id="px-sample-seed")
            temperature = gr.Slider(views.TEMPERATURE[0], views.TEMPERATURE[1], value=1.0, step=0.05,
                                    label=TEXT["temperature"], elem_id="px-temperature")
            sample_btn = gr.Button(TEXT["sample"], variant="primary", elem_id="px-sample-run")
            sample_md = gr.Markdown(elem_id="px-sample-numbers")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                grid = gr.Image(label=TEXT["samples"], type="numpy", interactive=False, format="png",
                                elem_id="px-samples", height=300)
                gif = gr.Image(label=TEXT["gif"], type="filepath", interactive=False, elem_id="px-gif", height=300)
            step = gr.Slider(0, n_pixels, value=n_pixels // 2, step=1, label=TEXT["step"], elem_id="px-step")
            step_img = gr.Image(label=TEXT["step_image"], type="numpy", interactive=False, format="png",
                                elem_id="px-step-image", height=300)

    @friendly
    def pixel_sample(n=16, seed=0, temperature=1.0):
        """n digits drawn pixel by pixel in raster order from the PixelCNN (this seed; temperature
        divides the logits). Returns the samples, an animated GIF of the raster order, and their log p(x)."""
        return views.sample_outputs(zoo, n, seed, temperature)

    @friendly
    def at_step(x, step):
        return views.frame_outputs(zoo, x, step)

    gr.on([sample_btn.click], pixel_sample, [n, sample_seed, temperature], [grid, gif, sample_md, samples_state],
          api_name="pixel_sample", show_progress="minimal").then(
        at_step, [samples_state, step], step_img, api_visibility="private", show_progress="hidden")
    step.change(at_step, [samples_state, step], step_img, api_visibility="private", show_progress="hidden",
                trigger_mode="always_last")

    # ------------------------------------------------------------ completion
    gr.Markdown(TEXT["complete_head"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            c_in = image_input.build(TEXT["x_from"], vae_entry, cls=7, key="px-c")
            c_seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1], label=TEXT["seed_pick"],
                               elem_id="px-c-seed")
            keep_rows = gr.Slider(views.KEEP_ROWS[0], views.KEEP_ROWS[1], value=14, step=1, label=TEXT["keep_rows"],
                                  elem_id="px-keep")
            c_n = gr.Slider(views.COMPLETIONS[0], views.COMPLETIONS[1], value=8, step=1, label=TEXT["n_completions"],
                            elem_id="px-c-n")
            c_temperature = gr.Slider(views.TEMPERATURE[0], views.TEMPERATURE[1], value=1.0, step=0.05,
                                      label=TEXT["temperature"], elem_id="px-c-temperature")
            complete_btn = gr.Button(TEXT["complete"], variant="primary", elem_id="px-c-run")
        with gr.Column(scale=2):
            completion = gr.Image(label=TEXT["completion"], type="numpy", interactive=False, format="png",
                                  elem_id="px-completion", height=260)
            completion_md = gr.Markdown(elem_id="px-c-numbers")

    @friendly
    def pixel_complete(class_index=7, seed=0, keep_rows=14, n=8, temperature=1.0, source="gallery",
                       sketch=None, upload=None):
        """Keep the top keep_rows rows of a binarised digit (a test image of class class_index, -1 =
        any, the seed picks it; or a drawing / upload) and draw the rest n times, pixel by pixel."""
        sketch, upload = c_in.received(source, sketch, upload, "x")
        return views.complete_outputs(zoo, class_index, seed, keep_rows, n, temperature, source, sketch, upload)

    gr.on([complete_btn.click], pixel_complete,
          [c_in.cls, c_seed, keep_rows, c_n, c_temperature, c_in.source, c_in.sketch, c_in.upload],
          [completion, completion_md], api_name="pixel_complete", show_progress="minimal", preprocess=False)

    # ------------------------------------------------------------ test-set scatter
    if entry.test is not None:
        gr.Markdown(TEXT["scatter_head"])
        gr.Plot(views.scatter_output(zoo), label=TEXT["scatter"], elem_id="px-scatter")
