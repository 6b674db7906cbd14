"""Tab: prior vs posterior. Decoded samples z ~ p(z) next to one image's q(z|x): its mean and spread
per dimension, samples decoded, and its ELBO against the importance-sampled log p(x)."""
from __future__ import annotations

import gradio as gr
from ..views import prior_posterior as views
from ..views import vae as vv
from ..plots import vae as plots
from ..zoo import Zoo
from . import image_input
from .common import friendly

EXPLAIN = """### The prior p(z) and the posterior q(z|x)
- **Prior.** A VAE generates by drawing z ~ p(z) = N(0, I) and decoding it. The *temperature* scales the
prior's standard deviation: below 1 samples stay near the centre (cleaner, less varied), above 1 they
land where no training image was encoded, and the decodings degrade.
- **Posterior.** The encoder gives each image x its own Gaussian q(z|x) = N(μ(x), σ²(x)): a small cloud
(red diamonds on the map) around its mean, much narrower than the prior (black crosses).
- **ELBO and log p(x).** log p(x) ≥ ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)); the gap is
KL(q(z|x) ‖ p(z|x)). With k importance samples, log (1/k) Σ p(x, zᵢ)/q(zᵢ|x) (Burda et al. 2015) climbs
towards log p(x) as k grows. A density model can flag **outliers**: an image unlike the training
data gets a log p(x) below almost every test image.
"""

def build(zoo: Zoo) -> None:
    default = vv.default_model(zoo)
    entry = zoo.vaes.get(default) if default else None
    init_prior, init_post = (None, None), (None,) * 7 + (None,)
    if entry is not None and entry.map is not None:
        init_post = views.posterior_outputs(zoo, default, 3, 0, 8, 1000, "gallery")
        init_prior = views.prior_outputs(zoo, default, 0, 1.0, 16, init_post[7])
    gr.Markdown(EXPLAIN)
    model = gr.Dropdown(zoo.vae_choices(), value=default, label="VAE (dataset, latent size)", elem_id="pp-model")
    state = gr.State(init_post[7])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            gr.Markdown("#### Prior: z ~ N(0, temperature² I)")
            prior_seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1], label="seed",
                                   elem_id="pp-prior-seed")
            temperature = gr.Slider(vv.TEMPERATURE[0], vv.TEMPERATURE[1], value=1.0, step=0.05, label="temperature (std of the prior)",
                                    elem_id="pp-temperature")
            prior_n = gr.Slider(vv.PRIOR_COUNT[0], vv.PRIOR_COUNT[1], value=16, step=1, label="samples",
                                elem_id="pp-prior-n")
            prior_btn = gr.Button("Sample prior", variant="primary", elem_id="pp-prior-run")
            prior_grid = gr.Image(init_prior[0], label="decoded prior samples", type="numpy", interactive=False,
                                  format="png", elem_id="pp-prior-grid", buttons=["fullscreen"])
        with gr.Column(scale=2):
            latent = gr.Plot(init_post[6], label="latent map", elem_id="pp-map")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            gr.Markdown("#### Posterior: z ~ q(z|x)")
            x_in = image_input.build("x from", entry, cls=3, key="pp-x")
            post_seed = gr.Number(0, precision=0, minimum=vv.SEED[0], maximum=vv.SEED[1],
                                  label="seed (test image pick and samples)", elem_id="pp-post-seed")
            n_samples = gr.Slider(vv.POSTERIOR_SAMPLES[0], vv.POSTERIOR_SAMPLES[1], value=8, step=1,
                                  label="K posterior samples to decode", elem_id="pp-k-samples")
            k = gr.Slider(vv.IWAE_K[0], vv.IWAE_K[1], value=1000, step=1,
                          label="k importance samples for log p(x)", elem_id="pp-iwae-k")
            post_btn = gr.Button("Sample posterior", variant="primary", elem_id="pp-post-run")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                inputs_img = gr.Image(init_post[0], label="x | (x binarised) | reconstruction", type="numpy",
                                      interactive=False, format="png", elem_id="pp-inputs", height=180)
                samples_img = gr.Image(init_post[1], label="decoded samples z ~ q(z|x)", type="numpy",
                                       interactive=False, format="png", elem_id="pp-samples", height=180)
            numbers = gr.Markdown(init_post[5], label="ELBO, log p(x) and percentile", elem_id="pp-numbers")
            hist = gr.Plot(init_post[4], label="log p(x) among the test set", elem_id="pp-hist")
    with gr.Row(equal_height=False):
        mu_sigma = gr.Plot(init_post[2], label="μ and σ per dimension", elem_id="pp-musigma")
        kl = gr.Plot(init_post[3], label="KL per dimension", elem_id="pp-kl")

    @friendly
    def sample_prior(model, seed=0, temperature=1.0, n=16, state=None):
        """Decode n samples z ~ N(0, temperature² I) drawn with this seed."""
        return views.prior_outputs(zoo, model, seed, temperature, n, state)

    @friendly
    def sample_posterior(model, class_index=3, seed=0, n_samples=8, k=1000, source="gallery", sketch=None,
                         upload=None, prior_seed=0, temperature=1.0, prior_n=16):
        """q(z|x) for one image: a test image of class class_index (-1 = any; the seed picks it), or a
        drawing / upload with source 'draw' / 'upload'. Returns its ELBO split, importance-sampled
        log p(x) with k samples, and K = n_samples decoded posterior samples."""
        sketch, upload = x_in.received(source, sketch, upload, "x")
        return views.posterior_outputs(zoo, model, class_index, seed, n_samples, k, source, sketch, upload,
                                 prior_seed, temperature, prior_n)

    prior_inputs = [model, prior_seed, temperature, prior_n, state]
    prior_outputs_ = [prior_grid, latent]
    post_inputs = [model, x_in.cls, post_seed, n_samples, k, x_in.source, x_in.sketch, x_in.upload,
                   prior_seed, temperature, prior_n]
    post_outputs = [inputs_img, samples_img, mu_sigma, kl, hist, numbers, latent, state]

    gr.on([prior_btn.click, temperature.release, prior_n.release], sample_prior, prior_inputs, prior_outputs_,
          api_name="sample_prior", show_progress="minimal")
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([post_btn.click, n_samples.release, k.release], sample_posterior, post_inputs, post_outputs,
          api_name="sample_posterior", show_progress="minimal", preprocess=False)

    @friendly
    def on_model(model):
        return gr.Dropdown(choices=image_input.class_choices(zoo.vae(model)))

    model.change(on_model, model, x_in.cls, api_visibility="private", show_progress="hidden").then(
        sample_posterior, post_inputs, post_outputs, api_visibility="private", show_progress="minimal",
        preprocess=False).then(
        sample_prior, prior_inputs, prior_outputs_, api_visibility="private", show_progress="hidden")
