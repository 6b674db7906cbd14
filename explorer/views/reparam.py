"""The reparameterisation tab's work, without gradio: for one input x and a shipped VAE,

    draw      eps_i ~ N(0, I), i = 1..n (seeded), and z_i = mu + sigma * eps_i with (mu, sigma) = encoder(x)
    decode    x_hat_i = decoder(z_i)
    gradient  L = -(1/n) sum_i log p(x | z_i), the reconstruction loss through the samples; autograd gives
              dz/dmu = 1, dz/dsigma = eps, and dL/dmu, dL/dsigma (Kingma & Welling 2013, section 2.4)
    contrast  the same loss through z_i = torch.normal(mu, sigma), a draw taken directly: autograd treats the
              draw as a black box and returns zero gradients for mu and sigma

Every input limit is defined here, once; the UI reads its ranges from these constants.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data import fixed_binary
from ..errors import InputError, check_int, check_seed
from ..i18n import t
from ..models import VAE
from ..plots import reparam as plots
from ..zoo import _shown
from . import vae as vv

from .limits import DEFAULT_DRAWS, DRAWS  # noqa: F401
from .limits import REPARAM_MODEL as DEFAULT_MODEL
from .limits import reparam_models as model_choices

SEED = vv.SEED
SHOWN_DIMS = 8  # rows of the numbers table for a large latent


def check_model(zoo, name) -> str:
    allowed = model_choices(zoo)
    if not isinstance(name, str) or name not in allowed:
        raise InputError(t("err.rep.model", "en", allowed=allowed, got=_shown(name)))
    return name


def check_draws(value) -> int:
    try:
        return check_int(value, "n", *DRAWS)
    except InputError:
        raise InputError(t("err.rep.draws", "en", lo=DRAWS[0], hi=DRAWS[1], got=_shown(value))) from None


@dataclass
class Reparameterised:
    x: torch.Tensor  # (1, 1, 28, 28) the input in [0, 1]
    x_bin: torch.Tensor  # (1, 1, 28, 28) its fixed-seed binarisation: what the loss scores
    mu: torch.Tensor  # (Z,) encoder's mean
    sigma: torch.Tensor  # (Z,) encoder's standard deviation
    eps: torch.Tensor  # (n, Z) eps ~ N(0, I)
    z: torch.Tensor  # (n, Z) mu + sigma * eps
    x_hat: torch.Tensor  # (n, 1, 28, 28) decoder's mean image for each z
    x_mu: torch.Tensor  # (1, 1, 28, 28) decode(mu)
    dz_dmu: torch.Tensor  # (n, Z) autograd's dz_i/dmu (the Jacobian's diagonal; off it, zero)
    dz_dsigma: torch.Tensor  # (n, Z) autograd's dz_i/dsigma
    loss: float  # L = -(1/n) sum_i log p(x | z_i), nats
    dl_dz: torch.Tensor  # (n, Z) dL/dz_i
    grad_mu: torch.Tensor  # (Z,) dL/dmu through the samples
    grad_sigma: torch.Tensor  # (Z,) dL/dsigma through the samples
    direct_grad_mu: torch.Tensor  # (Z,) the same loss through torch.normal(mu, sigma): zero
    direct_grad_sigma: torch.Tensor  # (Z,)
    direct_loss: float
    seed: int

    @property
    def n(self) -> int:
        return len(self.eps)

    @property
    def latent_dim(self) -> int:
        return len(self.mu)

    def shown_dims(self) -> tuple[int, int]:
        """The two latent dimensions the figure shows: both of a 2-D latent, else the two with the
        smallest sigma (the ones this x pins down most)."""
        if self.latent_dim <= 2:
            return 0, min(1, self.latent_dim - 1)
        a, b = torch.argsort(self.sigma)[:2].tolist()
        return a, b

    def numbers(self) -> dict:
        """Plain JSON: what /reparameterize returns besides its figures."""
        def r(a):
            return np.round(a.detach().numpy().astype(np.float64), 6).tolist()
        return {"latent_dim": self.latent_dim, "n": self.n, "seed": self.seed, "mu": r(self.mu), "sigma": r(self.sigma),
                "eps": r(self.eps), "z": r(self.z), "dz_dmu": r(self.dz_dmu), "dz_dsigma": r(self.dz_dsigma),
                "loss": round(self.loss, 6), "grad_mu": r(self.grad_mu), "grad_sigma": r(self.grad_sigma),
                "direct": {"loss": round(self.direct_loss, 6), "grad_mu": r(self.direct_grad_mu),
                           "grad_sigma": r(self.direct_grad_sigma)}}


def reparameterize(model: VAE, x: torch.Tensor, n=DEFAULT_DRAWS, seed=0) -> Reparameterised:
    """n draws z = mu + sigma * eps for one image x (1, 1, 28, 28), with autograd's derivatives."""
    n = check_draws(n)
    g = vv.generator(seed)
    x_bin = fixed_binary(x) if model.config.likelihood == "bernoulli" else x.float()
    x_flat = x_bin.reshape(1, -1)
    with torch.no_grad():  # the encoder sees the pixels the loss scores, as in training
        mu0, logvar = model.encode(x_bin)
    # mu and sigma as the leaves of the graph: the encoder's own weights would sit just above them
    mu = mu0[0].clone().requires_grad_(True)
    sigma = (0.5 * logvar[0]).exp().clone().requires_grad_(True)
    eps = torch.randn(n, len(mu), generator=g)  # an input of the graph: no gradient is asked of it

    # dz/dmu and dz/dsigma, draw by draw: z_i depends on its own copy of (mu, sigma) only
    mu_n = mu.detach().expand(n, -1).clone().requires_grad_(True)
    sigma_n = sigma.detach().expand(n, -1).clone().requires_grad_(True)
    dz_dmu, dz_dsigma = torch.autograd.grad((mu_n + sigma_n * eps).sum(), [mu_n, sigma_n])

    # the reconstruction loss through the reparameterised samples
    z = mu + sigma * eps  # (n, Z)
    loss = -model.log_px_given_z(x_flat, model.decoder_logits(z)).mean()
    grad_mu, grad_sigma, dl_dz = torch.autograd.grad(loss, [mu, sigma, z])

    # the same loss through a draw taken directly from N(mu, sigma^2)
    z_direct = torch.normal(mu.expand(n, -1), sigma.expand(n, -1), generator=vv.generator(seed))
    direct_loss = -model.log_px_given_z(x_flat, model.decoder_logits(z_direct)).mean()
    direct_mu, direct_sigma = torch.autograd.grad(direct_loss, [mu, sigma])

    with torch.no_grad():
        x_hat = model.decode(z)
        x_mu = model.decode(mu[None])
    return Reparameterised(x.float(), x_bin, mu.detach(), sigma.detach(), eps, z.detach(), x_hat, x_mu, dz_dmu,
                           dz_dsigma, float(loss.detach()), dl_dz, grad_mu, grad_sigma, direct_mu, direct_sigma,
                           float(direct_loss.detach()), int(seed))


# ---------------------------------------------------------------------------- what the tab shows
def numbers_markdown(r: Reparameterised, what: str, model_name: str, lang: str = "en") -> str:
    ones = float((r.dz_dmu - 1).abs().max())
    eps_gap = float((r.dz_dsigma - r.eps).abs().max())
    chain = float((r.grad_sigma - (r.eps * r.dl_dz).sum(0)).abs().max())
    dims = (list(range(r.latent_dim)) if r.latent_dim <= SHOWN_DIMS
            else sorted(torch.argsort(r.sigma)[:SHOWN_DIMS].tolist()))  # the most pinned-down dimensions
    rows = "\n".join(f"| z{_sub(d + 1)} | {float(r.mu[d]):+.3f} | {float(r.sigma[d]):.3f} | "
                     f"{float(r.z[:, d].mean()):+.3f} | {float(r.z[:, d].std(unbiased=False)):.3f} | "
                     f"{float(r.grad_mu[d]):+.3f} | {float(r.grad_sigma[d]):+.3f} | "
                     f"{float(r.direct_grad_mu[d]):+.0f} | {float(r.direct_grad_sigma[d]):+.0f} |" for d in dims)
    more = "" if r.latent_dim <= SHOWN_DIMS else "\n\n" + t("rep.md.more_dims", lang, k=SHOWN_DIMS, z=r.latent_dim)
    return (t("rep.md.head", lang, what=what, model=model_name, n=r.n, seed=r.seed, loss=r.loss) + "\n\n"
            + t("rep.md.autograd", lang, ones=ones, eps=eps_gap, chain=chain,
                direct=float(max(r.direct_grad_mu.abs().max(), r.direct_grad_sigma.abs().max()))) + "\n\n"
            + t("rep.md.table_head", lang) + "\n" + rows + more)


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def reparam_outputs(zoo, model_name=DEFAULT_MODEL, class_index=3, pick=0, seed=0, n=DEFAULT_DRAWS, source="gallery",
                    sketch=None, upload=None, lang="en"):
    """-> (latent figure, images strip, computation-graph figure, markdown, numbers (JSON))."""
    name = check_model(zoo, model_name)
    entry = zoo.vae(name)
    check_draws(n)
    check_seed(seed)
    chosen = vv.pick_input(entry, source, class_index, vv.generator(pick), sketch, upload, name="x", lang=lang)
    r = reparameterize(entry.model, chosen.x, n, seed)
    a, b = r.shown_dims()
    fig = plots.eps_to_z(r.eps.numpy(), r.z.numpy(), r.mu.numpy(), r.sigma.numpy(), (a, b), r.latent_dim, lang)
    images = plots.images_strip(r.x, r.x_bin, r.x_mu, r.x_hat)
    graph = plots.computation_graph(float(r.eps[0, a]), float(r.grad_mu[a]), float(r.grad_sigma[a]),
                                    float(r.direct_grad_mu[a]), float(r.direct_grad_sigma[a]), a, lang)
    out = r.numbers()
    out["model"] = name
    out["input"] = chosen.description
    return fig, images, graph, numbers_markdown(r, chosen.description, name, lang), out
