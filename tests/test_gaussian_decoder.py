"""The lecture's Gaussian decoder p(x|z) = N(x_hat, sigma^2 I): its log-likelihood is the closed form, it
trains on grey digits, and sigma plays beta's role (beta_eff = 2 sigma^2). Fast tests on tiny models,
then the shipped Gaussian-decoder checkpoints (test_shipped_*) against the manifest."""
from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
import torch

from explorer import checkpoints
from explorer.checkpoints import CHECKPOINT_DIR
from explorer.models import VAE, VAEConfig
from explorer.models.vae import gaussian_squared_error
from explorer.training.catalogue import RECIPES, SIGMA_XS, sigma_name, train_argv
from explorer.training.evaluate import SLICE, gaussian_metrics, vae_slice
from explorer.training.train import parse_args, vae_batch
from explorer.views.tradeoff import fixed_digits, measure_frontier, measure_sigmas, sweep_view
from explorer.zoo import SigmaPoint

D = 784


def tiny(sigma: float, seed: int = 0) -> VAE:
    torch.manual_seed(seed)
    return VAE(VAEConfig(hidden=(32,), latent_dim=4, likelihood="gaussian", sigma_x=sigma)).eval()


@pytest.mark.parametrize("sigma", [0.05, 0.1, 0.3, 1.0, 2.5])
def test_gaussian_log_likelihood_is_the_closed_form(sigma):
    g = torch.Generator().manual_seed(1)
    model = tiny(sigma)
    x = torch.rand(5, D, generator=g, dtype=torch.float64)
    logits = torch.randn(3, 5, D, generator=g, dtype=torch.float64)  # (samples, B, D)
    mu = torch.sigmoid(logits)
    closed = -((x - mu) ** 2).sum(-1) / (2 * sigma ** 2) - (D / 2) * math.log(2 * math.pi * sigma ** 2)
    got = model.log_px_given_z(x, logits)
    assert got.shape == (3, 5)
    assert torch.allclose(got, closed, rtol=1e-12, atol=1e-9)
    # and the same as torch's own Normal density, pixel by pixel
    normal = torch.distributions.Normal(mu, sigma).log_prob(x.expand_as(mu)).sum(-1)
    assert torch.allclose(got, normal, rtol=1e-10, atol=1e-8)


def test_squared_error_inverts_the_distortion_with_the_same_draws():
    sigma = 0.3
    model = tiny(sigma)
    x = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    m = model.measure(x, torch.Generator().manual_seed(0))
    with torch.no_grad():  # the same eps, drawn by hand
        mu, logvar = model.encode(x)
        z = model.reparameterize(mu, logvar, torch.Generator().manual_seed(0))
        se = (x.reshape(20, D) - model.decode(z).reshape(20, D)).pow(2).sum(-1)
    assert torch.allclose(gaussian_squared_error(m.distortion, sigma, D), se, rtol=1e-4, atol=1e-3)
    figures = gaussian_metrics(model.config, m.D)
    assert figures["beta_eff"] == pytest.approx(2 * sigma ** 2)
    assert figures["squared_error"] == pytest.approx(se.mean().item(), rel=1e-4)


def test_sigma_scales_the_objective_like_beta():
    """-log p(x|z) + KL = (||x - x_hat||^2 + 2 sigma^2 KL) / (2 sigma^2) + const: the same minimiser as a
    beta-VAE on squared error with beta = 2 sigma^2."""
    for sigma in (0.1, 0.5):
        model = tiny(sigma)
        x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(3))
        out = model.loss(x, generator=torch.Generator().manual_seed(0))
        se = gaussian_squared_error(out.distortion, sigma, D)
        const = (D / 2) * math.log(2 * math.pi * sigma ** 2)
        assert torch.allclose(out.distortion + out.rate, (se + 2 * sigma ** 2 * out.rate) / (2 * sigma ** 2) + const,
                              rtol=1e-5)


def test_gaussian_decoders_train_on_grey_digits():
    x = torch.rand(10, 1, 28, 28, generator=torch.Generator().manual_seed(4))
    assert torch.equal(vae_batch(x, "gaussian", torch.Generator().manual_seed(0)), x)  # never binarised
    assert set(vae_batch(x, "bernoulli", torch.Generator().manual_seed(0)).unique().tolist()) <= {0.0, 1.0}


def test_sigma_recipes_differ_only_in_sigma():
    recipes = [r for r in RECIPES if r.role == "sigma"]
    assert [r.name for r in recipes] == [sigma_name(s) for s in SIGMA_XS]
    settings = [{k: v for k, v in vars(parse_args(train_argv(r, "d"))).items() if k not in ("out", "argv")}
                for r in recipes]
    assert all(s["likelihood"] == "gaussian" and s["dataset"] == "mnist" for s in settings)
    assert [s["sigma_x"] for s in settings] == list(SIGMA_XS)
    assert all({**s, "sigma_x": 0} == {**settings[0], "sigma_x": 0} for s in settings)


def test_sigma_panel_on_the_plane(tiny_zoo):
    """The tradeoff tab's lower panel: one point per Gaussian decoder at (R, squared error) measured on the
    fixed grey digits, each with a line of slope -2 sigma^2."""
    zoo = copy.copy(tiny_zoo)
    zoo.sigmas = [SigmaPoint(s, f"gauss_sigma{s:g}", tiny(s), float("nan"), float("nan"), float("nan"))
                  for s in (0.1, 0.3, 1.0)]
    digits = fixed_digits(zoo)
    sig = measure_sigmas(zoo, digits)
    assert digits.grey is not None and not set(digits.grey.unique().tolist()) <= {0.0, 1.0}
    m = zoo.sigmas[1].model.measure(digits.grey, torch.Generator().manual_seed(0))
    assert np.isclose(sig.rates[1], m.R) and np.isclose(sig.squared_errors[1], gaussian_squared_error(m.D, 0.3, D))
    assert np.allclose(sig.beta_eff, [0.02, 0.18, 2.0])
    v = sweep_view(zoo, measure_frontier(zoo, digits), digits, 1.0, lang="en", sigmas=sig)
    points = next(t for t in v.plane.data if t.name == "Gaussian decoders (σ)")
    assert np.allclose(points.x, sig.rates) and np.allclose(points.y, sig.squared_errors)
    assert points.xaxis == "x2" and v.plane.layout.xaxis2.matches == "x"
    lines = next(t for t in v.plane.data if t.name.startswith("slope −β_eff"))
    x, y = np.asarray(lines.x, float).reshape(-1, 3), np.asarray(lines.y, float).reshape(-1, 3)
    slopes = (y[:, 1] - y[:, 0]) / (x[:, 1] - x[:, 0])
    assert np.allclose(slopes, -sig.beta_eff)
    zh = sweep_view(zoo, measure_frontier(zoo, digits), digits, 1.0, lang="zh", sigmas=sig)
    assert any(t.name == "高斯解码器（σ）" for t in zh.plane.data)
    assert "trained models (β sweep)" in [t.name for t in v.plane.data]  # the β sweep is still there


# ---------------------------------------------------------------------------- shipped checkpoints
MODELS = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())["models"]
SHIPPED = [sigma_name(s) for s in SIGMA_XS]


def test_shipped_gaussian_decoders_match_the_manifest():
    total = 0
    for name in SHIPPED:
        assert name in MODELS, f"{name} is not in the manifest: run python -m explorer.training.evaluate --only {name}"
        rec = MODELS[name]
        for fname, f in rec["files"].items():
            path = CHECKPOINT_DIR / fname
            assert checkpoints.sha256(path) == f["sha256"], f"{path} differs from the manifest"
            total += path.stat().st_size
        model, meta = checkpoints.load(name)
        assert model.config.likelihood == "gaussian" and model.config.sigma_x == rec["config"]["sigma_x"]
        assert next(model.parameters()).dtype == torch.float32  # stored as float16, computed in float32
        assert "grey" in rec["eval_data"] and "binarised" not in rec["eval_data"]
        m = rec["metrics"]
        assert m["beta_eff"] == pytest.approx(2 * model.config.sigma_x ** 2)
        assert m["squared_error"] == pytest.approx(gaussian_squared_error(m["distortion"], model.config.sigma_x, D))
    assert total <= 3.5 * 2**20


def test_shipped_sigma_acts_like_beta():
    """Measured on the whole test set: as sigma (so beta_eff) rises, the rate falls and the squared error
    rises, as along the beta sweep; the Gaussian -log p(x|z) itself is not comparable across sigma."""
    ms = [MODELS[n]["metrics"] for n in SHIPPED]
    rates = [m["rate"] for m in ms]
    errors = [m["squared_error"] for m in ms]
    assert rates == sorted(rates, reverse=True) and rates[0] > 2 * rates[-1]
    assert errors == sorted(errors) and errors[-1] > 2 * errors[0]
    active = [m["active_units"] for m in ms]
    assert active == sorted(active, reverse=True)


def test_shipped_slice_reproduces_on_grey_test_digits():
    from explorer.data import load_images
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    if not (root / "MNIST" / "raw").is_dir():
        pytest.skip("MNIST not found under ../shared/data")
    x, _ = load_images("mnist", root, train=False, download=False)
    for name in SHIPPED:
        model, _ = checkpoints.load(name)
        assert math.isclose(vae_slice(model, x[:SLICE]), MODELS[name]["metrics"]["slice_elbo"], rel_tol=1e-4)
