"""The reparameterisation tab's functions on the tiny zoo (untrained tiny VAEs): z = mu + sigma * eps has
mean mu and variance sigma^2, autograd's gradients reach mu and sigma (dz/dmu = 1, dz/dsigma = eps) and are
the real derivatives of the loss, a direct draw passes none, and a seed reproduces everything."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from explorer.data import fixed_binary
from explorer.errors import InputError
from explorer.views import reparam as views


@pytest.fixture(scope="module")
def entry(tiny_zoo):
    return tiny_zoo.vaes["vae_mnist_z2"]


@pytest.fixture(scope="module")
def x(entry):
    return entry.map.gallery[3:4]


def test_samples_have_mean_mu_and_variance_sigma_squared(entry, x):
    runs = [views.reparameterize(entry.model, x, n=64, seed=s) for s in range(100)]
    z = torch.cat([r.z for r in runs])  # 6,400 draws
    mu, sigma = runs[0].mu, runs[0].sigma
    assert all(torch.equal(r.mu, mu) and torch.equal(r.sigma, sigma) for r in runs)  # x fixed: q(z|x) fixed
    N = len(z)
    assert ((z.mean(0) - mu).abs() < 4 * sigma / N ** 0.5).all()
    assert ((z.var(0) / sigma ** 2 - 1).abs() < 0.08).all()  # sd of a sample variance: sqrt(2/N) = 1.8 %
    eps = torch.cat([r.eps for r in runs])
    assert torch.allclose((z - mu) / sigma, eps, atol=1e-5)


def test_autograd_gives_one_and_eps_and_the_chain_rule(entry, x):
    r = views.reparameterize(entry.model, x, n=16, seed=3)
    assert torch.equal(r.dz_dmu, torch.ones_like(r.eps))
    assert torch.allclose(r.dz_dsigma, r.eps)
    assert torch.allclose(r.grad_mu, r.dl_dz.sum(0), atol=1e-6)
    assert torch.allclose(r.grad_sigma, (r.eps * r.dl_dz).sum(0), atol=1e-6)
    assert r.grad_mu.abs().sum() > 0 and r.grad_sigma.abs().sum() > 0  # gradients do reach mu and sigma
    # a direct draw z ~ N(mu, sigma^2) passes nothing back
    assert torch.equal(r.direct_grad_mu, torch.zeros_like(r.mu))
    assert torch.equal(r.direct_grad_sigma, torch.zeros_like(r.sigma))


def test_gradients_are_the_derivatives_of_the_loss(entry, x):
    """Finite differences of L(mu, sigma) = -(1/n) sum_i log p(x | mu + sigma * eps_i), the same eps."""
    r = views.reparameterize(entry.model, x, n=8, seed=5)
    model = copy.deepcopy(entry.model).double()  # float64 for the differences; the shared model stays as it is
    x_flat = fixed_binary(x).reshape(1, -1).double()

    @torch.no_grad()
    def loss(mu, sigma):
        z = mu + sigma * r.eps.double()
        return float(-model.log_px_given_z(x_flat, model.decoder_logits(z)).mean())

    mu, sigma, h = r.mu.double(), r.sigma.double(), 1e-5
    assert loss(mu, sigma) == pytest.approx(r.loss, rel=1e-4)
    for d in range(len(mu)):
        e = torch.zeros_like(mu)
        e[d] = h
        fd_mu = (loss(mu + e, sigma) - loss(mu - e, sigma)) / (2 * h)
        fd_sigma = (loss(mu, sigma + e) - loss(mu, sigma - e)) / (2 * h)
        assert fd_mu == pytest.approx(float(r.grad_mu[d]), rel=1e-3, abs=1e-3)
        assert fd_sigma == pytest.approx(float(r.grad_sigma[d]), rel=1e-3, abs=1e-3)


def test_a_seed_reproduces_the_draws_and_the_gradients(entry, x):
    a = views.reparameterize(entry.model, x, n=12, seed=7).numbers()
    b = views.reparameterize(entry.model, x, n=12, seed=7).numbers()
    c = views.reparameterize(entry.model, x, n=12, seed=8).numbers()
    assert a == b and a["eps"] != c["eps"] and a["mu"] == c["mu"]
    assert np.asarray(a["eps"]).shape == (12, 2) and len(a["grad_sigma"]) == 2


def test_tab_outputs_for_both_latent_sizes(tiny_zoo):
    assert views.model_choices(tiny_zoo) == ["vae_mnist_z2", "vae_mnist_z4"]
    for name in views.model_choices(tiny_zoo):
        fig, strip, graph, md, raw = views.reparam_outputs(tiny_zoo, name, 3, 0, 0, 10)
        names = [t.name for t in fig.data]
        assert "draws i: εᵢ (left), zᵢ (right)" in names and "μ" in names
        draws = next(t for t in fig.data if t.name == "draws i: εᵢ (left), zᵢ (right)")
        assert len(draws.x) == 10 and fig.layout.xaxis2.anchor == "y2"
        assert strip.ndim == 3 and strip.shape[2] == 3
        assert "nats" in md and "∂L/∂σ" in md
        assert raw["model"] == name and np.asarray(raw["z"]).shape == (10, tiny_zoo.vaes[name].latent_dim)
        assert any("nothing flows back" in a.text for a in graph.layout.annotations)
    zh = views.reparam_outputs(tiny_zoo, "vae_mnist_z2", 3, 0, 0, 10, lang="zh")
    assert "重建损失" in zh[3] and any("没有梯度传回" in a.text for a in zh[2].layout.annotations)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), "number of draws n must be a whole number from 1 to 64"),
    (dict(n=65), "from 1 to 64"), (dict(n=2.5), "from 1 to 64"), (dict(n="many"), "from 1 to 64"),
    (dict(seed=-1), "seed must be a whole number"), (dict(seed=2**40), "seed must be a whole number"),
    (dict(pick="x"), "seed must be a whole number"),
    (dict(model_name="vae_fashion_z2"), "model must be one of"), (dict(model_name=None), "model must be one of"),
    (dict(class_index=12), "class"), (dict(source="camera"), "source of x must be one of"),
    (dict(source="draw"), "draw a digit"),
])
def test_bad_input_says_what_is_allowed(tiny_zoo, kwargs, message):
    args = dict(model_name="vae_mnist_z2", class_index=3, pick=0, seed=0, n=8) | kwargs
    with pytest.raises(InputError, match=message):
        views.reparam_outputs(tiny_zoo, **args)


def test_a_blank_drawing_is_refused(tiny_zoo):
    blank = {"background": None, "layers": [], "composite": np.zeros((280, 280, 4), np.uint8)}
    with pytest.raises(InputError, match="blank|empty|nothing"):
        views.reparam_outputs(tiny_zoo, "vae_mnist_z2", 3, 0, 0, 8, "draw", sketch=blank)
