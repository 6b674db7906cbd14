"""Tab: prior vs posterior. Decoded samples z ~ p(z) next to one image's q(z|x): its mean and spread
per dimension, samples decoded, and its ELBO against the importance-sampled log p(x)."""
from __future__ import annotations

import gradio as gr
from ..views import limits
from ..zoo import Zoo
from .deferred import Deferred
from .output_image import OutputImage
from . import image_input
from .common import friendly
from .page import Page, parse_choice, parse_number, tr

views = Deferred("explorer.views.prior_posterior")

def build(zoo: Zoo, page: Page | None = None) -> None:
    default = limits.default_model(zoo)
    entry = zoo.vaes.get(default) if default else None
    has_map = entry is not None and entry.ships("map")

    def first_view(lang="en") -> list:
        """The posterior of the first test 3 (its map shows the prior samples too) and the grid of 16
        prior samples, deterministic: sent when a page first opens the tab."""
        if not has_map:
            return [None] * 9
        post = views.posterior_outputs(zoo, default, 3, 0, 8, 1000, "gallery", lang=lang)
        return [*post, views.prior_grid(zoo, default, 0, 1.0, 16)]
    init_post, init_prior = (None,) * 8, (None,)
    if page is None:
        first = first_view()
        init_post, init_prior = first[:8], first[8:]
    gr.Markdown(tr("pp.explain"), elem_classes=["explain"])
    model = gr.Dropdown(image_input.vae_choices(zoo), value=default, label=tr("vae.model"), elem_id="pp-model")
    state = gr.State(init_post[7])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            gr.Markdown(tr("pp.prior_head"))
            prior_seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("pp.seed"),
                                   elem_id="pp-prior-seed", elem_classes=["presenter-hide"])
            temperature = gr.Slider(limits.TEMPERATURE[0], limits.TEMPERATURE[1], value=1.0, step=0.05, label=tr("pp.temperature"),
                                    elem_id="pp-temperature")
            prior_n = gr.Slider(limits.PRIOR_COUNT[0], limits.PRIOR_COUNT[1], value=16, step=1, label=tr("pp.samples"),
                                elem_id="pp-prior-n")
            prior_btn = gr.Button(tr("pp.prior_run"), variant="primary", elem_id="pp-prior-run")
            prior_grid_out = OutputImage(init_prior[0], label=tr("pp.prior_grid"), type="numpy",
                                         interactive=False, format="png", elem_id="pp-prior-grid",
                                         buttons=["fullscreen"])
        with gr.Column(scale=2):
            latent = gr.Plot(init_post[6], label=tr("vae.latent_map"), elem_id="pp-map")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            gr.Markdown(tr("pp.post_head"))
            x_in = image_input.build(tr("pp.x_from"), entry, cls=3, key="pp-x")
            post_seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1],
                                  label=tr("pp.post_seed"), elem_id="pp-post-seed", elem_classes=["presenter-hide"])
            n_samples = gr.Slider(limits.POSTERIOR_SAMPLES[0], limits.POSTERIOR_SAMPLES[1], value=8, step=1,
                                  label=tr("pp.K"), elem_id="pp-k-samples")
            k = gr.Slider(limits.IWAE_K[0], limits.IWAE_K[1], value=1000, step=1,
                          label=tr("pp.k"), elem_id="pp-iwae-k", elem_classes=["presenter-hide"])
            post_btn = gr.Button(tr("pp.post_run"), variant="primary", elem_id="pp-post-run")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                inputs_img = OutputImage(init_post[0], label=tr("pp.inputs"), type="numpy",
                                         interactive=False, format="png", elem_id="pp-inputs", height=180)
                samples_img = OutputImage(init_post[1], label=tr("pp.post_samples"), type="numpy",
                                          interactive=False, format="png", elem_id="pp-samples", height=180)
            numbers = gr.Markdown(init_post[5], label=tr("pp.numbers"), elem_id="pp-numbers")
            hist = gr.Plot(init_post[4], label=tr("pp.hist"), elem_id="pp-hist")
    with gr.Row(equal_height=False):
        mu_sigma = gr.Plot(init_post[2], label=tr("pp.mu_sigma"), elem_id="pp-musigma")
        kl = gr.Plot(init_post[3], label=tr("pp.kl"), elem_id="pp-kl")

    @friendly
    def sample_prior(model, seed=0, temperature=1.0, n=16, state=None, lang="en"):
        """Decode n samples z ~ N(0, temperature² I) drawn with this seed. lang: 'en' or 'zh' (figure text)."""
        return views.prior_outputs(zoo, model, seed, temperature, n, state, lang)

    @friendly
    def sample_posterior(model, class_index=3, seed=0, n_samples=8, k=1000, source="gallery", sketch=None,
                         upload=None, prior_seed=0, temperature=1.0, prior_n=16, lang="en"):
        """q(z|x) for one image: a test image of class class_index (-1 = any; the seed picks it), or a
        drawing / upload with source 'draw' / 'upload'. Returns its ELBO split, importance-sampled
        log p(x) with k samples, and K = n_samples decoded posterior samples. lang: 'en' or 'zh'."""
        sketch, upload = x_in.received(source, sketch, upload, "x")
        return views.posterior_outputs(zoo, model, class_index, seed, n_samples, k, source, sketch, upload,
                                 prior_seed, temperature, prior_n, lang)

    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler
    prior_inputs = [model, prior_seed, temperature, prior_n, state] + lang
    prior_outputs_ = [prior_grid_out, latent]
    post_inputs = [model, x_in.cls, post_seed, n_samples, k, x_in.source, x_in.sketch, x_in.upload,
                   prior_seed, temperature, prior_n] + lang
    post_outputs = [inputs_img, samples_img, mu_sigma, kl, hist, numbers, latent, state]

    gr.on([prior_btn.click, temperature.release, prior_n.release], sample_prior, prior_inputs, prior_outputs_,
          api_name="sample_prior", show_progress="minimal")
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([post_btn.click, n_samples.release, k.release], sample_posterior, post_inputs, post_outputs,
          api_name="sample_posterior", show_progress="minimal", preprocess=False)

    @friendly
    def on_model(model):
        return gr.Dropdown(choices=image_input.class_choices(zoo.vae(model)))

    @friendly
    def prior_grid(model, seed=0, temperature=1.0, n=16, lang="en"):
        return views.prior_grid(zoo, model, seed, temperature, n)

    # a new model: its class names, then the posterior, whose map already shows the new model's prior
    # samples (the same seed); beside them (not after), the prior samples' grid
    posterior = model.change(on_model, model, x_in.cls, api_visibility="private", show_progress="hidden").then(
        sample_posterior, post_inputs, post_outputs, api_visibility="private", show_progress="minimal",
        preprocess=False)
    # a posterior that fails (nothing drawn yet, say): the map still moves to the new model's prior samples
    posterior.failure(sample_prior, prior_inputs, prior_outputs_, api_visibility="private", show_progress="hidden")
    model.change(prior_grid, [model, prior_seed, temperature, prior_n] + lang, prior_grid_out,
                 api_visibility="private", show_progress="hidden")

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        page.lazy("prior_posterior", post_outputs + [prior_grid_out], first_view)
        page.redraw(sample_posterior, post_inputs[:-1], post_outputs, preprocess=False)
        page.redraw(sample_prior, prior_inputs[:-1], prior_outputs_, after_previous=True)
        page.param("prior_posterior", "model", model, parse_choice(zoo.vaes))
        page.param("prior_posterior", "x", x_in.cls, parse_number(-1, 9, integer=True), _int)
        page.param("prior_posterior", "seed", post_seed, parse_number(*limits.SEED, integer=True), _int)
        page.param("prior_posterior", "K", n_samples, parse_number(*limits.POSTERIOR_SAMPLES, integer=True), _int)
        page.param("prior_posterior", "k", k, parse_number(*limits.IWAE_K, integer=True), _int)
        page.param("prior_posterior", "temperature", temperature, parse_number(*limits.TEMPERATURE))
        page.param("prior_posterior", "n", prior_n, parse_number(*limits.PRIOR_COUNT, integer=True), _int)
        page.param("prior_posterior", "prior_seed", prior_seed, parse_number(*limits.SEED, integer=True), _int)


def _int(v):
    return None if v is None else str(int(v))
