"""A variational autoencoder, in the lecture's notation.

    encoder  q(z|x) = N(mu, diag(sigma^2))       (returns mu, logvar)
    sample   z = mu + sigma * eps, eps ~ N(0, I)  (the reparameterisation trick)
    decoder  p(x|z): Bernoulli(x_hat) over binarised pixels, or N(x_hat, sigma_x^2 I)
    ELBO     E_q[log p(x|z)] - beta * KL(q(z|x) || p(z)),  p(z) = N(0, I)

The loss is reported as named terms (Alemi et al. 2018, "Fixing a Broken ELBO"):
distortion = -E_q log p(x|z) and rate = KL(q(z|x) || p(z)), both in nats.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

LIKELIHOODS = ("bernoulli", "gaussian")
ACTIVE_THRESHOLD = 0.01  # Burda et al. (2015): latent unit d is active if Cov_x(E_q[z_d]) > 0.01


@dataclass
class VAEConfig:
    image_shape: tuple[int, int, int] = (1, 28, 28)  # C, H, W
    hidden: tuple[int, ...] = (512, 256)
    latent_dim: int = 16
    likelihood: str = "bernoulli"
    sigma_x: float = 0.1  # fixed std of the Gaussian likelihood; unused for Bernoulli
    beta: float = 1.0
    n_classes: int = 0  # > 0: a conditional VAE (Sohn et al. 2015), label one-hot fed to encoder and decoder

    def __post_init__(self):
        self.image_shape = tuple(int(s) for s in self.image_shape)
        self.hidden = tuple(int(h) for h in self.hidden)
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        if self.latent_dim < 1:
            raise ValueError(f"latent_dim must be >= 1, got {self.latent_dim}")
        if self.beta < 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")
        if self.n_classes < 0:
            raise ValueError(f"n_classes must be >= 0 (0 = unconditional), got {self.n_classes}")

    @property
    def n_pixels(self) -> int:
        c, h, w = self.image_shape
        return c * h * w

    def to_dict(self) -> dict:
        return asdict(self)


class VAELoss(NamedTuple):
    loss: torch.Tensor  # scalar: mean over the batch of distortion + beta * rate
    elbo: torch.Tensor  # (B,) per-example ELBO, -(distortion + rate), beta not applied
    distortion: torch.Tensor  # (B,) -E_q log p(x|z), nats
    rate: torch.Tensor  # (B,) KL(q(z|x) || p(z)), nats
    kl_per_dim: torch.Tensor  # (B, latent_dim)


class Measurement(NamedTuple):
    """Single-sample rate and distortion of a set of images at beta = 1, with their posterior means."""
    distortion: torch.Tensor  # (N,) -E_q log p(x|z), nats
    rate: torch.Tensor  # (N,) KL(q(z|x) || p(z)), nats
    kl_per_dim: torch.Tensor  # (N, Z)
    mu: torch.Tensor  # (N, Z) posterior means

    @property
    def D(self) -> float:
        return self.distortion.mean().item()

    @property
    def R(self) -> float:
        return self.rate.mean().item()

    @property
    def elbo(self) -> float:
        return -(self.D + self.R)

    @property
    def active(self) -> torch.Tensor:
        """(Z,) bool: Burda et al.'s active units, Var_x(E_q[z_d]) > ACTIVE_THRESHOLD."""
        return self.mu.var(0) > ACTIVE_THRESHOLD if len(self.mu) > 1 else torch.zeros(self.mu.shape[1], dtype=torch.bool)

    @property
    def active_units(self) -> int:
        return int(self.active.sum())

    @staticmethod
    def cat(parts: list["Measurement"]) -> "Measurement":
        return Measurement(*(torch.cat(t) for t in zip(*parts)))


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) per dimension, shape of mu.

    Appendix B of Kingma & Welling (2013): -1/2 (1 + log sigma^2 - mu^2 - sigma^2).
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def log_normal(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mu, diag(exp(logvar))), summed over the last dimension."""
    return -0.5 * (math.log(2 * math.pi) + logvar + (z - mu).pow(2) / logvar.exp()).sum(-1)


def gaussian_squared_error(distortion, sigma_x: float, n_pixels: int):
    """||x - x_hat||^2 per image from the Gaussian distortion -log N(x; x_hat, sigma_x^2 I), the closed
    form of VAE.log_px_given_z solved for the squared error. Unlike the distortion itself (which shifts
    with sigma_x by the normaliser D/2 log(2 pi sigma_x^2)), it compares decoders of different sigma_x."""
    return 2 * sigma_x ** 2 * (distortion - 0.5 * n_pixels * math.log(2 * math.pi * sigma_x ** 2))


def mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.GELU())
    return nn.Sequential(*layers)


def bernoulli_log_likelihood(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """sum_d x_d log sigmoid(l_d) + (1 - x_d) log sigmoid(-l_d) = sum_d x_d l_d - softplus(l_d), over the
    last axis: what -binary_cross_entropy_with_logits(...).sum(-1) gives, within float32 rounding
    (tests/test_vae_model.py), about four times faster on CPU, where torch's softplus and log1p run
    one element at a time and exp and log do not. softplus(l) = max(l, 0) + log(1 + exp(-|l|)): the
    1 + exp(...) lies in (1, 2], so log loses at most 6e-8 per pixel against log1p. This is most of the
    time of the 1,000 importance samples behind each posterior's log p(x)."""
    softplus = logits.clamp(min=0) + torch.log(1 + torch.exp(-logits.abs()))
    return (logits * x).sum(-1) - softplus.sum(-1)


# Rows (samples x images) decoded in one pass by VAE.importance_samples: a (256, 784) float32 output
# and its (256, 512) input stay in a core's cache. The posterior tab's log p(x) (k = 1000, one thread)
# took 18-19 ms with its 1,000 rows in one pass, 11-14 ms in passes of 256, with the same numbers
# (scripts/bench_iwae.py).
DECODE_ROWS = 256


class VAE(nn.Module):
    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        D, H, Z, K = config.n_pixels, list(config.hidden), config.latent_dim, config.n_classes
        self.encoder = mlp([D + K, *H, 2 * Z])  # q(z|x) or q(z|x,y) -> (mu, logvar)
        self.decoder = mlp([Z + K, *reversed(H), D])  # p(x|z) or p(x|z,y) -> logits or pre-sigmoid mean

    @property
    def conditional(self) -> bool:
        return self.config.n_classes > 0

    def _onehot(self, y, batch_shape: tuple[int, ...]) -> torch.Tensor | None:
        """y (B,) class indices -> one-hot (*batch_shape, K) float; None for an unconditional VAE."""
        K = self.config.n_classes
        if K == 0:
            if y is not None:
                raise ValueError("this VAE is unconditional (n_classes = 0): pass no label y")
            return None
        if y is None:
            raise ValueError(f"this VAE is conditional: pass labels y in 0..{K - 1}")
        y = torch.as_tensor(y, dtype=torch.long).reshape(-1)
        if len(y) == 1 and batch_shape[-1] != 1:
            y = y.expand(batch_shape[-1])
        if y.shape[0] != batch_shape[-1] or (len(y) and (int(y.min()) < 0 or int(y.max()) >= K)):
            raise ValueError(f"expected {batch_shape[-1]} labels in 0..{K - 1}, got {y.tolist()[:10]}")
        return F.one_hot(y, K).float().expand(*batch_shape, K)

    def _with_label(self, h: torch.Tensor, y) -> torch.Tensor:
        """Concatenate the one-hot label to the last dimension of h (..., B, F), if conditional."""
        onehot = self._onehot(y, tuple(h.shape[:-1]))
        return h if onehot is None else torch.cat([h, onehot.to(h.dtype)], -1)

    # ------------------------------------------------------------------ shapes and checks
    def _flatten(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W), (B, H, W) or (B, D) -> (B, D), with a clear error for anything else."""
        c, h, w = self.config.image_shape
        D = self.config.n_pixels
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor of images, got {type(x).__name__}")
        if x.dim() == 4 and tuple(x.shape[1:]) == (c, h, w):
            return x.reshape(x.shape[0], D)
        if x.dim() == 3 and c == 1 and tuple(x.shape[1:]) == (h, w):
            return x.reshape(x.shape[0], D)
        if x.dim() == 2 and x.shape[1] == D:
            return x
        raise ValueError(
            f"expected images of shape (B, {c}, {h}, {w}), (B, {h}, {w}) or (B, {D}) "
            f"with values in [0, 1]; got shape {tuple(x.shape)}"
        )

    def unflatten(self, x_flat: torch.Tensor) -> torch.Tensor:
        return x_flat.reshape(x_flat.shape[0], *self.config.image_shape)

    # ------------------------------------------------------------------ the model
    def encode(self, x: torch.Tensor, y=None) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x) (or q(z|x,y) when conditional): returns mu, logvar, each (B, latent_dim)."""
        h = self.encoder(self._with_label(self._flatten(x).float(), y))
        mu, logvar = h.chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 8.0)

    @staticmethod
    def reparameterize(mu, logvar, generator: torch.Generator | None = None, n: int | None = None):
        """z = mu + sigma * eps. With n, returns (n, B, Z) samples; otherwise (B, Z)."""
        shape = mu.shape if n is None else (n, *mu.shape)
        eps = torch.randn(shape, generator=generator, dtype=mu.dtype, device=mu.device)
        return mu + (0.5 * logvar).exp() * eps

    def decoder_logits(self, z: torch.Tensor, y=None) -> torch.Tensor:
        """(..., B, Z) -> (..., B, D) pre-sigmoid decoder output (y: (B,) labels when conditional)."""
        return self.decoder(self._with_label(z, y))

    def decode(self, z: torch.Tensor, y=None) -> torch.Tensor:
        """p(x|z) (or p(x|z,y)): the mean image x_hat in [0, 1], shape (B, C, H, W)."""
        if z.dim() != 2 or z.shape[1] != self.config.latent_dim:
            raise ValueError(f"expected z of shape (B, {self.config.latent_dim}), got {tuple(z.shape)}")
        return self.unflatten(torch.sigmoid(self.decoder_logits(z, y)))

    def log_px_given_z(self, x_flat: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """log p(x|z) summed over pixels; x_flat (B, D), logits (..., B, D) -> (..., B)."""
        if self.config.likelihood == "bernoulli":
            return bernoulli_log_likelihood(logits, x_flat)
        # Gaussian with fixed sigma: -||x - mu||^2 / (2 sigma^2) - D/2 log(2 pi sigma^2)
        s = self.config.sigma_x
        D = x_flat.shape[-1]
        sq = (x_flat - torch.sigmoid(logits)).pow(2).sum(-1)
        return -sq / (2 * s * s) - 0.5 * D * math.log(2 * math.pi * s * s)

    def loss(
        self,
        x: torch.Tensor,
        beta: float | None = None,
        generator: torch.Generator | None = None,
        y=None,
    ) -> VAELoss:
        """Single-sample estimate of the negative (beta-)ELBO, with its named terms."""
        beta = self.config.beta if beta is None else float(beta)
        _, distortion, kl_per_dim = self._terms(x, generator, y)
        rate = kl_per_dim.sum(-1)
        loss = (distortion + beta * rate).mean()
        return VAELoss(loss, -(distortion + rate), distortion, rate, kl_per_dim)

    def _terms(self, x: torch.Tensor, generator: torch.Generator | None, y=None):
        """mu (B, Z), distortion (B,) from one z = mu + sigma * eps per x, KL per dimension (B, Z)."""
        x_flat = self._flatten(x).float()
        mu, logvar = self.encode(x_flat, y)
        z = self.reparameterize(mu, logvar, generator)
        distortion = -self.log_px_given_z(x_flat, self.decoder_logits(z, y))
        return mu, distortion, gaussian_kl(mu, logvar)

    @torch.no_grad()
    def measure(self, x: torch.Tensor, generator: torch.Generator | None = None,
                batch_size: int = 1000, y=None) -> Measurement:
        """Rate, distortion, KL per dimension and posterior means of x at beta = 1: the one
        measurement behind training's validation, evaluation, the beta tab and the live run.
        Pass a seeded generator for the eps draws so that two models are compared on the same noise."""
        parts = []
        for i in range(0, len(x), batch_size):
            yb = None if y is None else torch.as_tensor(y)[i:i + batch_size]
            mu, distortion, kl = self._terms(x[i:i + batch_size], generator, yb)
            parts.append(Measurement(distortion, kl.sum(-1), kl, mu))
        return Measurement.cat(parts)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None, y=None) -> VAELoss:
        return self.loss(x, generator=generator, y=y)

    @torch.no_grad()
    def importance_samples(
        self, x: torch.Tensor, k: int, generator: torch.Generator | None = None, chunk: int = 250, y=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """z_i ~ q(z|x), i = 1..k: returns log w_i = log p(x, z_i) - log q(z_i|x) and the
        reconstruction term log p(x|z_i), each (k, B). Conditional: every term given y as well."""
        x_flat = self._flatten(x).float()
        mu, logvar = self.encode(x_flat, y)
        zeros = torch.zeros_like(mu)
        log_w, log_px_z = [], []
        rows = max(1, DECODE_ROWS // x_flat.shape[0])  # samples per pass through the decoder
        for start in range(0, k, chunk):
            n = min(chunk, k - start)
            z = self.reparameterize(mu, logvar, generator, n=n)  # (n, B, Z): chunk sets the draws
            for part in z.split(rows):  # the decoding, in passes that stay in cache (same numbers)
                rec = self.log_px_given_z(x_flat, self.decoder_logits(part, y))
                log_px_z.append(rec)
                log_w.append(rec + log_normal(part, zeros, zeros) - log_normal(part, mu, logvar))
        return torch.cat(log_w, 0), torch.cat(log_px_z, 0)

    def log_importance_weights(
        self, x: torch.Tensor, k: int, generator: torch.Generator | None = None, chunk: int = 250, y=None
    ) -> torch.Tensor:
        """log w_i = log p(x, z_i) - log q(z_i|x), z_i ~ q(z|x); returns (k, B)."""
        return self.importance_samples(x, k, generator, chunk, y)[0]

    @torch.no_grad()
    def iwae_log_px(
        self, x: torch.Tensor, k: int = 1000, generator: torch.Generator | None = None, chunk: int = 250,
        y=None,
    ) -> torch.Tensor:
        """Importance-sampled estimate of log p(x) (Burda et al. 2015): the IWAE bound
        log (1/k) sum_i p(x, z_i) / q(z_i|x), which rises toward log p(x) as k grows. (B,)
        Conditional VAE: the same estimate of log p(x|y), with q(z|x,y) and p(x|z,y)."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        log_w = self.log_importance_weights(x, k, generator, chunk, y)
        return torch.logsumexp(log_w, 0) - math.log(k)

    @torch.no_grad()
    def iwae_log_px_each_y(
        self, x: torch.Tensor, k: int = 100, generator: torch.Generator | None = None, chunk: int = 250
    ) -> torch.Tensor:
        """Conditional VAE: the importance-sampled log p(x|y) of every image for every label y,
        (B, n_classes); label by label, each with k samples from q(z|x,y)."""
        if not self.conditional:
            raise ValueError("log p(x|y) needs a conditional VAE (n_classes > 0)")
        B = self._flatten(x).shape[0]
        return torch.stack([self.iwae_log_px(x, k, generator, chunk, y=torch.full((B,), c, dtype=torch.long))
                            for c in range(self.config.n_classes)], -1)

    @torch.no_grad()
    def sample_prior(
        self, n: int, generator: torch.Generator | None = None, temperature: float = 1.0, y=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """z ~ N(0, temperature^2 I) -> (z (n, Z), x_hat (n, C, H, W)); conditional: x_hat ~ p(x|z,y)."""
        z = self.prior_z(n, generator, temperature)
        return z, self.decode(z, y)

    def prior_z(self, n: int, generator: torch.Generator | None = None, temperature: float = 1.0) -> torch.Tensor:
        """The z of sample_prior alone (the same draws for the same generator), without decoding them."""
        device = next(self.parameters()).device
        return temperature * torch.randn(n, self.config.latent_dim, generator=generator, device=device)

    @torch.no_grad()
    def sample_posterior(
        self, x: torch.Tensor, n: int, generator: torch.Generator | None = None, y=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """z ~ q(z|x) for each x -> (z (n, B, Z), x_hat (n, B, C, H, W))."""
        mu, logvar = self.encode(x, y)
        z = self.reparameterize(mu, logvar, generator, n=n)
        y_rep = None if y is None else torch.as_tensor(y).reshape(-1).expand(mu.shape[0]).repeat(n)
        x_hat = self.decode(z.reshape(-1, z.shape[-1]), y_rep)
        return z, x_hat.reshape(n, mu.shape[0], *self.config.image_shape)


def bayes(log_px_y: torch.Tensor, log_prior: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The generative classifier. From log p(x|y) (B, K) and log p(y) (K,):
    log p(x) = logsumexp_y [log p(x|y) + log p(y)] (B,), and Bayes' rule
    log p(y|x) = log p(x|y) + log p(y) - log p(x) (B, K)."""
    log_joint = log_px_y + log_prior
    log_px = torch.logsumexp(log_joint, -1)
    return log_joint - log_px.unsqueeze(-1), log_px
