"""The VAE tabs' work, as plain functions: interpolation in latent space, the 2-D manifold, prior
samples, and one image's posterior with its ELBO and importance-sampled log p(x).

Every function takes a VAEEntry from the zoo and checks its numeric arguments (they can arrive from
gradio_client as None, NaN or anything else), raising InputError with what is allowed.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from ..data import BINARIZE_SEED, binarize
from ..errors import InputError, check_float, check_int, check_seed
from ..i18n import class_name, t
from ..images import to_model_input
from ..models.vae import VAE, gaussian_kl
from ..zoo import VAEEntry, image_digest
from .kept import Kept
from .limits import (IWAE_K, METHODS, POSTERIOR_SAMPLES, PRIOR_COUNT, SEED, SOURCES, STEPS,  # noqa: F401
                     TEMPERATURE, Z_LIMIT, default_model)

MANIFOLD_N = 15  # cells per side of the manifold grid


# ---------------------------------------------------------------------------- argument checks
def check_class(entry: VAEEntry, value, name: str = "class") -> int:
    """-1 means any class; otherwise a class index of the model's dataset."""
    names = entry.map.class_names if entry.map is not None else [str(i) for i in range(10)]
    return check_int(value, f"{name} (-1 for any class, else 0..{len(names) - 1})", -1, len(names) - 1)


def label(entry: VAEEntry, lang: str = "en") -> str:
    """The model as a student reads it: 'MNIST, 2-D latent' / 'MNIST，2 维潜在空间'."""
    ds = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(entry.dataset, entry.dataset)
    return t("vae.label", lang, ds=ds, z=entry.latent_dim)


def map_method(lmap, lang: str = "en") -> str:
    """How the map was made: 'latent plane' (2-D latents) or 'UMAP'."""
    return t("interp.map_plane", lang) if lmap.method == "latent plane" else lmap.method


def generator(seed) -> torch.Generator:
    return torch.Generator().manual_seed(check_seed(seed))


def require_map(entry: VAEEntry):
    if entry.map is None:
        raise InputError(f"model {entry.name!r} has no precomputed latent map; "
                         f"run `python -m explorer.training.evaluate --only {entry.name}` to create it")
    return entry.map


# ---------------------------------------------------------------------------- inputs
@dataclass
class Pick:
    x: torch.Tensor  # (1, 1, 28, 28)
    label: int | None  # class index when from the gallery
    description: str


def pick_gallery(entry: VAEEntry, cls, g: torch.Generator, lang: str = "en") -> Pick:
    """One test image of class cls (-1: any class), drawn with the generator g."""
    lmap = require_map(entry)
    cls = check_class(entry, cls)
    candidates = np.arange(len(lmap.gallery_labels)) if cls < 0 else np.nonzero(lmap.gallery_labels == cls)[0]
    if len(candidates) == 0:
        raise InputError(f"the gallery has no images of class {lmap.class_names[cls]!r}")
    i = int(candidates[int(torch.randint(len(candidates), (1,), generator=g))])
    label = int(lmap.gallery_labels[i])
    return Pick(lmap.gallery[i:i + 1].clone(), label,
                t("img.gallery_pick", lang, i=i, cls=class_name(lmap.class_names[label], lang)))


def user_image(entry: VAEEntry, value, what: str = "drawing", lang: str = "en") -> Pick:
    """A drawn or uploaded image, framed like the model's dataset."""
    return Pick(to_model_input(value, entry.dataset), None,
                t("img.your_drawing" if what == "drawing" else "img.your_upload", lang))


def pick_input(entry: VAEEntry, source, cls, g: torch.Generator, sketch=None, upload=None, name: str = "x",
               lang: str = "en") -> Pick:
    """One input image from where the user chose: the gallery (class cls, -1 = any, drawn with g),
    the sketchpad, or an upload."""
    if source not in SOURCES:
        raise InputError(f"source of {name} must be one of {SOURCES}; got {source!r}")
    if source == "gallery":
        return pick_gallery(entry, cls, g, lang)
    value = sketch if source == "draw" else upload
    if value is None:
        raise InputError(t("err.nothing_drawn" if source == "draw" else "err.nothing_uploaded", "en", name=name))
    try:
        return user_image(entry, value, "drawing" if source == "draw" else "upload", lang)
    except InputError as e:
        raise InputError(f"{name}: {e}") from None


# ---------------------------------------------------------------------------- interpolation
def slerp(z_a: torch.Tensor, z_b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (Shoemake 1985; White 2016 for VAEs): follows the great circle and
    interpolates the norms, so paths stay in the prior's typical shell instead of cutting
    through its low-norm centre. z_a, z_b (Z,), t (S,) -> (S, Z)."""
    na, nb = z_a.norm(), z_b.norm()
    if na < 1e-8 or nb < 1e-8:
        return torch.lerp(z_a, z_b, t[:, None])
    cos = torch.clamp((z_a / na) @ (z_b / nb), -1.0, 1.0)
    omega = torch.arccos(cos)
    if omega < 1e-4:  # (anti-)parallel within float precision: the great circle is undefined
        return torch.lerp(z_a, z_b, t[:, None])
    so = torch.sin(omega)
    wa = torch.sin((1 - t) * omega) / so
    wb = torch.sin(t * omega) / so
    return wa[:, None] * z_a + wb[:, None] * z_b


@dataclass
class Interpolation:
    z_path: torch.Tensor  # (S, Z)
    x_path: torch.Tensor  # (S, 1, 28, 28) decoded path
    x_a: torch.Tensor  # (1, 1, 28, 28) originals
    x_b: torch.Tensor
    recon_a: torch.Tensor  # decode(mu(x_a))
    recon_b: torch.Tensor
    method: str


@torch.no_grad()
def interpolate(entry: VAEEntry, x_a: torch.Tensor, x_b: torch.Tensor, steps=8, method="linear") -> Interpolation:
    """Decode the path between the posterior means of x_a and x_b (steps points, ends included)."""
    steps = check_int(steps, "steps", *STEPS)
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}; got {method!r}")
    model: VAE = entry.model
    mu, _ = model.encode(torch.cat([x_a, x_b]))
    t = torch.linspace(0.0, 1.0, steps)
    z = torch.lerp(mu[0], mu[1], t[:, None]) if method == "linear" else slerp(mu[0], mu[1], t)
    z[0], z[-1] = mu[0], mu[1]  # exact end points whatever the float error
    x_path = model.decode(z)
    return Interpolation(z, x_path, x_a, x_b, x_path[:1], x_path[-1:], method)


# ---------------------------------------------------------------------------- the 2-D manifold
def manifold_z(n: int = MANIFOLD_N) -> torch.Tensor:
    """(n, n, 2) latent points at the prior's quantiles (Kingma & Welling 2013, fig. 4): a uniform
    grid on the unit square pushed through the inverse CDF of N(0, 1). Row 0 is the top: high z2."""
    u = (torch.arange(n, dtype=torch.float32) + 0.5) / n
    q = torch.distributions.Normal(0.0, 1.0).icdf(u)
    z1 = q[None, :].expand(n, n)
    z2 = q.flip(0)[:, None].expand(n, n)
    return torch.stack([z1, z2], -1)


@functools.lru_cache(maxsize=16)
@torch.no_grad()
def _manifold_images(model: VAE, n: int) -> torch.Tensor:
    return model.decode(manifold_z(n).reshape(-1, 2)).reshape(n, n, 1, 28, 28)


def manifold(entry: VAEEntry, n: int = MANIFOLD_N) -> torch.Tensor:
    """(n, n, 1, 28, 28) decodings over the manifold grid; only for 2-D latents; cached per model."""
    if entry.latent_dim != 2:
        raise InputError(f"the manifold grid needs a 2-D latent space; {entry.name} has {entry.latent_dim}-D")
    return _manifold_images(entry.model, check_int(n, "grid size", 2, 40))


def pixel_to_z(px: float, py: float, width: int, height: int) -> tuple[float, float]:
    """A pixel of the manifold image (x right, y down) -> (z1, z2): the same quantile map as the grid,
    made continuous, so any point of the plane can be picked."""
    u1 = min(max((px + 0.5) / width, 1e-4), 1 - 1e-4)
    u2 = min(max(1.0 - (py + 0.5) / height, 1e-4), 1 - 1e-4)
    icdf = torch.distributions.Normal(0.0, 1.0).icdf
    return float(icdf(torch.tensor(u1))), float(icdf(torch.tensor(u2)))


def z_to_pixel(z1: float, z2: float, width: int, height: int) -> tuple[float, float]:
    cdf = torch.distributions.Normal(0.0, 1.0).cdf
    return float(cdf(torch.tensor(z1))) * width, (1.0 - float(cdf(torch.tensor(z2)))) * height


@torch.no_grad()
def decode_point(entry: VAEEntry, z1, z2) -> torch.Tensor:
    """Decode one point (z1, z2) of a 2-D latent plane -> (1, 1, 28, 28)."""
    if entry.latent_dim != 2:
        raise InputError(f"picking a point needs a 2-D latent space; {entry.name} has {entry.latent_dim}-D")
    z1 = check_float(z1, "z1", -Z_LIMIT, Z_LIMIT)
    z2 = check_float(z2, "z2", -Z_LIMIT, Z_LIMIT)
    return entry.model.decode(torch.tensor([[z1, z2]], dtype=torch.float32))


# ---------------------------------------------------------------------------- prior and posterior
@torch.no_grad()
def sample_prior(entry: VAEEntry, seed=0, temperature=1.0, n=16) -> tuple[torch.Tensor, torch.Tensor]:
    """z ~ N(0, temperature^2 I), decoded: (z (n, Z), x_hat (n, 1, 28, 28))."""
    n = check_int(n, "number of prior samples", *PRIOR_COUNT)
    temperature = check_float(temperature, "temperature", *TEMPERATURE)
    return entry.model.sample_prior(n, generator(seed), temperature)


def prior_z(entry: VAEEntry, seed=0, temperature=1.0, n=16) -> torch.Tensor:
    """The z of sample_prior with the same settings, not decoded (where only their place on the map is drawn)."""
    n = check_int(n, "number of prior samples", *PRIOR_COUNT)
    temperature = check_float(temperature, "temperature", *TEMPERATURE)
    return entry.model.prior_z(n, generator(seed), temperature)


@dataclass
class Posterior:
    x: torch.Tensor  # (1, 1, 28, 28) the input in [0, 1]
    x_eval: torch.Tensor  # what the likelihood sees: a fixed binarisation of x for Bernoulli models
    binarised: bool
    recon: torch.Tensor  # decode(mu)
    mu: torch.Tensor  # (Z,)
    sigma: torch.Tensor  # (Z,)
    z_samples: torch.Tensor  # (K, Z) z ~ q(z|x)
    x_samples: torch.Tensor  # (K, 1, 28, 28)
    reconstruction: float  # E_q log p(x|z), Monte Carlo over the k IWAE samples, nats
    kl_per_dim: torch.Tensor  # (Z,) closed form KL(q(z_i|x) || N(0, 1)), nats
    elbo: float  # reconstruction - KL
    log_px: float  # IWAE estimate with k samples (Burda et al. 2015)
    k: int
    percentile: float | None  # share of test images (%) with lower log p(x)

    @property
    def kl(self) -> float:
        return float(self.kl_per_dim.sum())


# the last answers of analyse_posterior, by model and question: about 30 kB each at K = 8, 0.2 MB at most (K = 64)
POSTERIORS = Kept(256)
# the last estimates of log p(x), by model, image and k: two numbers each
ESTIMATES = Kept(1024)
# log p(x) is a property of the image (and of k), not of the seed that draws the posterior samples: its
# importance samples come from this seed of their own, so another seed shows other samples of q(z|x)
# beside the same log p(x), and the gallery's estimates can ship with the map (LatentMap.gallery_estimates)
ESTIMATE_SEED = 0


def analyse_posterior(entry: VAEEntry, x: torch.Tensor, n_samples=8, k=1000, seed=0) -> Posterior:
    """Everything the "posterior" panel shows for one image x (1, 1, 28, 28).

    The answer depends only on the model, the image, K, k and the seed (every posterior sample comes
    from generator(seed), the importance samples from ESTIMATE_SEED), so the last answers are kept
    (POSTERIORS): a repeated question (thirty students clicking the defaults) costs no importance
    sampling, and the same question asked at once is computed once. Each caller gets its own copy of
    the answer's fields."""
    n_samples = check_int(n_samples, "number of posterior samples K", *POSTERIOR_SAMPLES)
    k = check_int(k, "importance samples k", *IWAE_K)
    seed = check_seed(seed)
    image = image_digest(x)
    kept = POSTERIORS.get((entry.model, n_samples, k, seed, image),
                          lambda: _analyse_posterior(entry, x, n_samples, k, seed, image))
    return dataclasses.replace(kept)


def evaluation_image(model: VAE, x: torch.Tensor) -> torch.Tensor:
    """What the likelihood sees: for a Bernoulli decoder, x binarised with the fixed seed the test set's
    log p(x) was measured with (so its percentile compares like with like); else x itself."""
    if model.config.likelihood == "bernoulli":
        return binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    return x


def estimate_log_px(entry: VAEEntry, x: torch.Tensor, k: int, image: bytes | None = None) -> tuple[float, float]:
    """(log p(x), E_q log p(x|z)) of image x from k importance samples z_i ~ q(z|x) drawn with
    ESTIMATE_SEED: log p(x) ~ log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x) (IWAE, Burda et al. 2015).
    A gallery image's numbers at the shipped k come from its map; others are computed once and kept."""
    image = image or image_digest(x)
    lmap = entry.map
    if lmap is not None and k == lmap.gallery_k and image in lmap.gallery_estimates:
        return lmap.gallery_estimates[image]
    return ESTIMATES.get((entry.model, k, image), lambda: _estimate_log_px(entry.model, x, k))


@torch.no_grad()
def _estimate_log_px(model: VAE, x: torch.Tensor, k: int) -> tuple[float, float]:
    x_flat = evaluation_image(model, x).reshape(1, -1)
    # in one draw: log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)
    log_w, log_px_z = model.importance_samples(x_flat, k, generator(ESTIMATE_SEED), chunk=k)  # (k, 1) each
    return float(torch.logsumexp(log_w[:, 0], 0) - math.log(k)), float(log_px_z.mean())


def gallery_estimates(entry: VAEEntry, k: int) -> tuple[list[float], list[float]]:
    """Every gallery image's estimate_log_px at k, in gallery order, computed as a click computes it
    (for `python -m explorer.training.evaluate --gallery-estimates`, which ships them)."""
    images = require_map(entry).gallery
    pairs = [_estimate_log_px(entry.model, images[i:i + 1].clone(), k) for i in range(len(images))]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@torch.no_grad()
def _analyse_posterior(entry: VAEEntry, x: torch.Tensor, n_samples: int, k: int, seed: int, image: bytes) -> Posterior:
    g = generator(seed)
    model: VAE = entry.model
    binarised = model.config.likelihood == "bernoulli"
    x_eval = evaluation_image(model, x)  # binarised with the test set's fixed seed (Bernoulli decoders)
    x_flat = x_eval.reshape(1, -1)
    mu, logvar = model.encode(x_flat)
    z_samples, x_samples = model.sample_posterior(x_eval, n_samples, g)
    log_px, reconstruction = estimate_log_px(entry, x, k, image)
    kl_per_dim = gaussian_kl(mu, logvar)[0]
    percentile = entry.map.log_px_percentile(log_px) if entry.map is not None else None
    return Posterior(x, x_eval, binarised, model.decode(mu), mu[0], (0.5 * logvar[0]).exp(), z_samples[:, 0],
                     x_samples[:, 0], reconstruction, kl_per_dim, reconstruction - float(kl_per_dim.sum()),
                     log_px, k, percentile)
