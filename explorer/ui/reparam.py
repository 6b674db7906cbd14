"""Tab: reparameterisation. For one digit x and a shipped VAE: draws eps ~ N(0, I), their z = mu + sigma * eps
in latent space inside the ellipses of q(z|x), the decoded samples, and the gradients that autograd computes
through them (dz/dmu = 1, dz/dsigma = eps), beside a direct draw z ~ N(mu, sigma^2) through which none flow.
Layout and wiring only: the work is in views/reparam.py, the figures in plots/reparam.py, every sentence in
explorer/texts/reparam.py ("rep.")."""
from __future__ import annotations

import gradio as gr

from ..views import limits
from ..zoo import Zoo
from .deferred import Deferred
from .output_image import OutputImage
from . import image_input
from .common import friendly
from .page import Page, parse_choice, parse_number, tr, tr_fmt

views = Deferred("explorer.views.reparam")


def build(zoo: Zoo, page: Page | None = None) -> None:
    gr.Markdown(tr("rep.explain"), elem_classes=["explain"])
    models = limits.reparam_models(zoo)
    if not models:
        gr.Markdown(tr("rep.no_model"))
        return
    default = limits.REPARAM_MODEL if limits.REPARAM_MODEL in models else models[0]
    # the first view, sent when a page first opens the tab (page.lazy), not in the page's config
    def first_view(lang="en"):
        return views.reparam_outputs(zoo, default, 3, 0, 0, limits.DEFAULT_DRAWS, lang=lang)
    init = first_view() if page is None else [None] * 5
    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler

    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown([(tr_fmt("vae.label", ds="MNIST", z=zoo.vaes[n].latent_dim), n) for n in models],
                                value=default, label=tr("rep.model"), elem_id="rep-model")
            x_in = image_input.build(tr("rep.x_from"), zoo.vaes[default], cls=3, key="rep-x")
            pick = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("rep.pick"),
                             elem_id="rep-pick", elem_classes=["presenter-hide"])
            n = gr.Slider(limits.DRAWS[0], limits.DRAWS[1], value=limits.DEFAULT_DRAWS, step=1, label=tr("rep.n"),
                          elem_id="rep-n")
            seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("rep.seed"),
                             elem_id="rep-seed")
            run = gr.Button(tr("rep.run"), variant="primary", elem_id="rep-run")
        with gr.Column(scale=2):
            main = gr.Plot(init[0], label=tr("rep.latent"), elem_id="rep-main")
            images = OutputImage(init[1], label=tr("rep.images"), type="numpy", interactive=False, format="png",
                                 elem_id="rep-images", buttons=[])
    graph = gr.Plot(init[2], label=tr("rep.graph"), elem_id="rep-graph")
    numbers = gr.Markdown(init[3], label=tr("rep.numbers"), elem_id="rep-numbers")
    with gr.Accordion(tr("rep.raw"), open=False, elem_classes=["presenter-hide"]):
        raw = gr.JSON(init[4], label=tr("rep.raw_label"), elem_id="rep-raw")

    @friendly
    def reparameterize(model_name=limits.REPARAM_MODEL, class_index=3, pick=0, seed=0, n=limits.DEFAULT_DRAWS,
                       source="gallery", sketch=None, upload=None, lang="en"):
        """z = mu + sigma * eps for n draws eps ~ N(0, I) (this seed), with (mu, sigma) the encoder's q(z|x) of
        one digit x: a test image of class class_index (-1 = any; pick is the seed that picks it) or a
        drawing / upload with source 'draw' / 'upload'. model_name: an MNIST VAE ('vae_mnist_z2' or
        'vae_mnist_z32'). Returns the latent figure, the decoded samples, the computation graph, a summary,
        and a JSON object with eps, z, mu, sigma, autograd's dz/dmu and dz/dsigma, the reconstruction loss
        and its gradients grad_mu, grad_sigma (and those of a direct draw, 'direct', which are zero).
        lang: 'en' (default) or 'zh', the language of the text and figures."""
        sketch, upload = x_in.received(source, sketch, upload, "x")
        return views.reparam_outputs(zoo, model_name, class_index, pick, seed, n, source, sketch, upload, lang)

    inputs = [model, x_in.cls, pick, seed, n, x_in.source, x_in.sketch, x_in.upload]
    outputs = [main, images, graph, numbers, raw]
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([run.click, n.release, model.input], reparameterize, inputs + lang, outputs, api_name="reparameterize",
          show_progress="minimal", preprocess=False)
    seed.submit(reparameterize, inputs + lang, outputs, api_visibility="private", show_progress="minimal",
                preprocess=False)

    if page is not None:  # another language, or a link to this view: redraw what the handler wrote
        page.lazy("reparam", outputs, first_view)
        page.redraw(reparameterize, inputs, outputs, preprocess=False)
        page.param("reparam", "model", model, parse_choice(models))
        page.param("reparam", "n", n, parse_number(*limits.DRAWS, integer=True), _int)
        page.param("reparam", "seed", seed, parse_number(*limits.SEED, integer=True), _int)
        page.param("reparam", "pick", pick, parse_number(*limits.SEED, integer=True), _int)


def _int(v):
    return None if v is None else str(int(v))
