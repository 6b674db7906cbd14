"""The prior-vs-posterior tab's work: decoded prior samples, one image's posterior (its ELBO split,
importance-sampled log p(x) and percentile among the test set), all placed on one latent map."""
from __future__ import annotations

import numpy as np
import PIL.Image
import torch

from ..i18n import t
from ..plots import vae as plots
from ..zoo import Zoo
from . import vae as vv

BINARISE_NOTE = t("pp.binarise_note")  # the English text; views write it in the page's language


def _prior_z(entry, seed, temperature, n) -> torch.Tensor:
    """The prior samples' z alone: the posterior's map shows where they are, not what they decode to."""
    return vv.prior_z(entry, seed, temperature, n)


def _prior_samples(entry, seed, temperature, n) -> tuple[torch.Tensor, PIL.Image.Image]:
    """-> (z (n, Z), the grid picture of their decodings)."""
    z, x_hat = vv.sample_prior(entry, seed, temperature, n)
    return z, plots.grid_picture(x_hat, ncol=int(np.ceil(np.sqrt(len(z)))), scale=3)


def prior_grid(zoo: Zoo, model, seed=0, temperature=1.0, n=16) -> PIL.Image.Image:
    """The prior samples' grid alone (a model change: the posterior's map already shows the samples)."""
    return _prior_samples(zoo.vae(model), seed, temperature, n)[1]


def prior_outputs(zoo: Zoo, model, seed=0, temperature=1.0, n=16, state=None, lang="en"):
    """-> (prior grid image, latent map figure). state: the session's last posterior, drawn on the map."""
    entry = zoo.vae(model)
    lmap = vv.require_map(entry)
    z, grid = _prior_samples(entry, seed, temperature, n)
    post = state if isinstance(state, dict) and state.get("model") == model else None
    fig = _map(entry, lmap, z, post, lang)
    return grid, fig


def _map(entry, lmap, z_prior: torch.Tensor, post: dict | None, lang: str = "en"):
    """Data, prior samples and (if any) the posterior samples and mean, placed in one projection."""
    title = t("pp.map_title", lang, model=vv.label(entry, lang), method=vv.map_method(lmap, lang))
    if not post:
        return plots.latent_map(lmap, title, prior=lmap.project(z_prior), background=entry.map_url, lang=lang)
    z_post, mu = torch.as_tensor(post["z"]), torch.as_tensor(post["mu"])[None]
    xy = lmap.project(torch.cat([z_prior, z_post, mu]))
    n, k = len(z_prior), len(z_post)
    return plots.latent_map(lmap, title, prior=xy[:n], posterior=xy[n:n + k], mu_x=xy[n + k:],
                            background=entry.map_url, lang=lang)


def posterior_outputs(zoo: Zoo, model, class_index=-1, seed=0, n_samples=8, k=1000, source="gallery",
                      sketch=None, upload=None, prior_seed=0, temperature=1.0, prior_n=16, lang="en"):
    """-> (inputs strip, posterior samples grid, mu/sigma figure, KL figure, histogram, markdown,
    latent map, session state)."""
    entry = zoo.vae(model)
    lmap = vv.require_map(entry)
    g = vv.generator(seed)
    pick = vv.pick_input(entry, source, class_index, g, sketch, upload, name="x", lang=lang)
    p = vv.analyse_posterior(entry, pick.x, n_samples, k, seed)
    groups = [pick.x, p.x_eval, p.recon] if p.binarised else [pick.x, p.recon]
    inputs_img = plots.strip_picture(groups)
    ncol = min(len(p.x_samples), 8)
    samples_img = plots.grid_picture(p.x_samples, ncol=ncol, scale=3)
    hist = plots.log_px_histogram(lmap.test_log_px, p.log_px, p.elbo, p.percentile, lang=lang)
    gap = p.log_px - p.elbo
    md = (t("pp.table", lang, x=pick.description, binarised=t("pp.binarised", lang) if p.binarised else "",
            rec=p.reconstruction, z=entry.latent_dim, kl=-p.kl, elbo=p.elbo, k=p.k, log_px=p.log_px, gap=gap)
          + outlier_sentence(p, entry, lang)
          + (f"\n\n*{t('pp.binarise_note', lang)}*" if p.binarised else "")
          + (f"\n\n*{t('pp.k1_note', lang)}*" if p.k == 1 else ""))
    state = {"model": model, "z": p.z_samples.numpy(), "mu": p.mu.numpy()}
    z_prior = _prior_z(entry, prior_seed, temperature, prior_n)
    fig = _map(entry, lmap, z_prior, state, lang)
    return (inputs_img, samples_img, plots.mu_sigma_figure(p.mu, p.sigma, lang=lang),
            plots.kl_figure(p.kl_per_dim, lang=lang),
            hist, md, fig, state)


def outlier_sentence(p: Posterior, entry: VAEEntry, lang: str = "en") -> str:
    if p.percentile is None:
        return t("pp.no_percentile", lang)
    pct = p.percentile
    ds = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(entry.dataset, entry.dataset)
    if pct < 1:
        verdict = t("pp.outlier", lang, ds=ds)
    elif pct < 5:
        verdict = t("pp.unusual", lang)
    else:
        verdict = t("pp.typical", lang, ds=ds)
    return t("pp.percentile", lang, log_px=p.log_px, pct=pct, verdict=verdict)
