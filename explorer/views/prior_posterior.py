"""The prior-vs-posterior tab's work: decoded prior samples, one image's posterior (its ELBO split,
importance-sampled log p(x) and percentile among the test set), all placed on one latent map."""
from __future__ import annotations

import numpy as np
import torch

from ..plots import vae as plots
from ..zoo import Zoo
from . import vae as vv

BINARISE_NOTE = ("This model's decoder is Bernoulli: its likelihood is defined on black-or-white pixels. "
                 "As for the test set, log-likelihoods are computed on a fixed-seed stochastic binarisation "
                 "of x (each pixel is 1 with probability equal to its intensity), shown as x binarised.")


def _prior_z(entry, seed, temperature, n) -> torch.Tensor:
    z, _ = vv.sample_prior(entry, seed, temperature, n)
    return z


def prior_outputs(zoo: Zoo, model, seed=0, temperature=1.0, n=16, state=None):
    """-> (prior grid image, latent map figure). state: the session's last posterior, drawn on the map."""
    entry = zoo.vae(model)
    lmap = vv.require_map(entry)
    z, x_hat = vv.sample_prior(entry, seed, temperature, n)
    ncol = int(np.ceil(np.sqrt(len(z))))
    grid = plots.image_grid(x_hat, ncol=ncol, scale=3)
    post = state if isinstance(state, dict) and state.get("model") == model else None
    fig = _map(entry, lmap, z, post)
    return grid, fig


def _map(entry, lmap, z_prior: torch.Tensor, post: dict | None):
    """Data, prior samples and (if any) the posterior samples and mean, placed in one projection."""
    title = f"{entry.label}: data μ(x), prior samples and posterior samples ({lmap.method})"
    if not post:
        return plots.latent_map(lmap, title, prior=lmap.project(z_prior))
    z_post, mu = torch.as_tensor(post["z"]), torch.as_tensor(post["mu"])[None]
    xy = lmap.project(torch.cat([z_prior, z_post, mu]))
    n, k = len(z_prior), len(z_post)
    return plots.latent_map(lmap, title, prior=xy[:n], posterior=xy[n:n + k], mu_x=xy[n + k:])


def posterior_outputs(zoo: Zoo, model, class_index=-1, seed=0, n_samples=8, k=1000, source="gallery",
                      sketch=None, upload=None, prior_seed=0, temperature=1.0, prior_n=16):
    """-> (inputs strip, posterior samples grid, mu/sigma figure, KL figure, histogram, markdown,
    latent map, session state)."""
    entry = zoo.vae(model)
    lmap = vv.require_map(entry)
    g = vv.generator(seed)
    pick = vv.pick_input(entry, source, class_index, g, sketch, upload, name="x")
    p = vv.analyse_posterior(entry, pick.x, n_samples, k, seed)
    groups = [pick.x, p.x_eval, p.recon] if p.binarised else [pick.x, p.recon]
    inputs_img = plots.strip(groups)
    ncol = min(len(p.x_samples), 8)
    samples_img = plots.image_grid(p.x_samples, ncol=ncol, scale=3)
    hist = plots.log_px_histogram(lmap.test_log_px, p.log_px, p.elbo, p.percentile)
    gap = p.log_px - p.elbo
    md = (f"**x** = {pick.description}. "
          f"Strip: *x* | {'*x binarised* | ' if p.binarised else ''}*reconstruction* decode(μ(x)).\n\n"
          f"| term | nats |\n|---|---:|\n"
          f"| reconstruction E_q[log p(x\\|z)] (mean over k samples) | {p.reconstruction:.2f} |\n"
          f"| − KL(q(z\\|x) ‖ p(z)) (closed form, sum of {entry.latent_dim} dims) | {-p.kl:.2f} |\n"
          f"| **= ELBO** | **{p.elbo:.2f}** |\n"
          f"| **log p(x)**, importance-sampled, k = {p.k} | **{p.log_px:.2f}** |\n"
          f"| gap log p(x) − ELBO ≈ KL(q(z\\|x) ‖ p(z\\|x)) | {gap:.2f} |\n\n"
          f"{outlier_sentence(p, entry)}"
          + (f"\n\n*{BINARISE_NOTE}*" if p.binarised else "")
          + ("\n\n*With k = 1 the importance-sampled estimate is a single-sample ELBO and can fall below "
             "the ELBO by chance; raise k to see the bound tighten.*" if p.k == 1 else ""))
    state = {"model": model, "z": p.z_samples.numpy(), "mu": p.mu.numpy()}
    z_prior = _prior_z(entry, prior_seed, temperature, prior_n)
    fig = _map(entry, lmap, z_prior, state)
    return (inputs_img, samples_img, plots.mu_sigma_figure(p.mu, p.sigma), plots.kl_figure(p.kl_per_dim),
            hist, md, fig, state)


def outlier_sentence(p: Posterior, entry: VAEEntry) -> str:
    if p.percentile is None:
        return "No test-set log-likelihoods are stored for this model, so no percentile."
    pct = p.percentile
    ds = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(entry.dataset, entry.dataset)
    if pct < 1:
        verdict = (f"**Outlier.** Fewer than 1 % of the {ds} test images are less likely: the model "
                   f"finds this x very unlikely (a scribble, or an image from another dataset, reads like this).")
    elif pct < 5:
        verdict = "**Unusual.** Fewer than 5 % of the test images are less likely than this one."
    else:
        verdict = f"**Typical.** This x is about as likely as the {ds} test images the model was evaluated on."
    return f"log p(x) ≈ {p.log_px:.1f} nats is higher than {pct:.1f} % of the test images. {verdict}"
