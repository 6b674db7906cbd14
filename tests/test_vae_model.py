"""The VAE's math on tiny models under fixed seeds: no dataset, no shipped checkpoint."""
import math

import pytest
import torch

from explorer.models import VAE, VAEConfig
from explorer.models.vae import gaussian_kl, log_normal


@pytest.fixture()
def vae():
    torch.manual_seed(0)
    return VAE(VAEConfig(hidden=(64, 32), latent_dim=3)).eval()


def binary_images(n=16, seed=0):
    return torch.bernoulli(torch.full((n, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


def test_shapes(vae):
    x = binary_images(5)
    mu, logvar = vae.encode(x)
    assert mu.shape == logvar.shape == (5, 3)
    assert vae.decode(mu).shape == (5, 1, 28, 28)
    out = vae.loss(x)
    assert out.loss.dim() == 0
    assert out.distortion.shape == out.rate.shape == out.elbo.shape == (5,)
    assert out.kl_per_dim.shape == (5, 3)
    assert torch.allclose(out.kl_per_dim.sum(1), out.rate)
    z, x_hat = vae.sample_prior(7, torch.Generator().manual_seed(0))
    assert z.shape == (7, 3) and x_hat.shape == (7, 1, 28, 28)
    assert 0 <= x_hat.min() and x_hat.max() <= 1
    z, x_hat = vae.sample_posterior(x, 4, torch.Generator().manual_seed(0))
    assert z.shape == (4, 5, 3) and x_hat.shape == (4, 5, 1, 28, 28)


def test_accepts_flat_and_unbatched_channel_layouts(vae):
    x = binary_images(2)
    a = vae.encode(x)[0]
    assert torch.allclose(a, vae.encode(x.view(2, 28, 28))[0])
    assert torch.allclose(a, vae.encode(x.view(2, 784))[0])


@pytest.mark.parametrize("shape", [(28, 28), (2, 3, 28, 28), (2, 1, 32, 32), (2, 100)])
def test_wrong_image_shape_says_what_is_allowed(vae, shape):
    with pytest.raises(ValueError, match=r"expected images of shape \(B, 1, 28, 28\)"):
        vae.encode(torch.zeros(shape))


def test_wrong_latent_shape(vae):
    with pytest.raises(ValueError, match=r"expected z of shape \(B, 3\)"):
        vae.decode(torch.zeros(2, 5))


def test_closed_form_kl_matches_monte_carlo():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(4, 3, generator=g)
    logvar = torch.randn(4, 3, generator=g) * 0.5
    z = mu + (0.5 * logvar).exp() * torch.randn(200_000, 4, 3, generator=g)
    zeros = torch.zeros_like(mu)
    mc = (log_normal(z, mu, logvar) - log_normal(z, zeros, zeros)).mean(0)  # E_q[log q - log p]
    closed = gaussian_kl(mu, logvar).sum(-1)
    assert torch.allclose(mc, closed, atol=0.03, rtol=0.01)


def test_gaussian_likelihood_matches_formula():
    torch.manual_seed(0)
    vae = VAE(VAEConfig(hidden=(16,), latent_dim=2, likelihood="gaussian", sigma_x=0.2))
    x = torch.rand(3, 784)
    logits = torch.randn(3, 784)
    mean = torch.sigmoid(logits)
    expected = torch.distributions.Normal(mean, 0.2).log_prob(x).sum(-1)
    assert torch.allclose(vae.log_px_given_z(x, logits), expected, atol=1e-3)


def test_elbo_below_iwae_and_iwae_grows_with_k(vae):
    x = binary_images(32)
    g = torch.Generator().manual_seed(0)
    elbo = torch.stack([vae.loss(x, generator=g).elbo for _ in range(50)]).mean()  # E over eps
    iwae = {k: torch.stack([vae.iwae_log_px(x, k=k, generator=g) for _ in range(5)]).mean()
            for k in (1, 10, 100)}
    assert elbo <= iwae[10] + 1e-3
    assert iwae[1] < iwae[10] < iwae[100]
    assert abs(iwae[1] - elbo) < 0.05 * abs(elbo)  # k = 1 is the ELBO itself, in expectation


def test_iwae_chunking_does_not_change_the_estimate(vae):
    x = binary_images(4)
    a = vae.iwae_log_px(x, k=300, generator=torch.Generator().manual_seed(1), chunk=300)
    b = vae.iwae_log_px(x, k=300, generator=torch.Generator().manual_seed(1), chunk=300)
    assert torch.equal(a, b)
    c = vae.iwae_log_px(x, k=1000, generator=torch.Generator().manual_seed(1), chunk=64)
    assert torch.isfinite(c).all() and c.shape == (4,)


@pytest.mark.parametrize("n_images", [1, 4])
def test_decoding_in_passes_gives_the_numbers_of_one_pass(vae, monkeypatch, n_images):
    """importance_samples decodes at most DECODE_ROWS rows at a time; the draws and the numbers are
    those of decoding every sample at once (a pass is a slice of the same matrix product)."""
    import explorer.models.vae as mv
    x = binary_images(n_images)

    def samples(rows):
        monkeypatch.setattr(mv, "DECODE_ROWS", rows)
        return vae.importance_samples(x, 300, torch.Generator().manual_seed(1), chunk=300)

    one_pass = samples(10 ** 9)
    for rows in (7, 64, mv.DECODE_ROWS):
        log_w, rec = samples(rows)
        assert log_w.shape == rec.shape == (300, n_images)
        torch.testing.assert_close(log_w, one_pass[0], rtol=1e-6, atol=1e-4)
        torch.testing.assert_close(rec, one_pass[1], rtol=1e-6, atol=1e-4)


def test_beta_weights_only_the_rate(vae):
    x = binary_images(8)
    a = vae.loss(x, beta=1.0, generator=torch.Generator().manual_seed(3))
    b = vae.loss(x, beta=4.0, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(b.loss - a.loss, 3.0 * a.rate.mean(), atol=1e-3)
    assert torch.equal(a.elbo, b.elbo)


def test_seeded_sampling_is_reproducible_and_leaves_global_rng_alone(vae):
    state = torch.random.get_rng_state()
    a = vae.sample_prior(4, torch.Generator().manual_seed(5), temperature=0.7)[1]
    b = vae.sample_prior(4, torch.Generator().manual_seed(5), temperature=0.7)[1]
    c = vae.sample_prior(4, torch.Generator().manual_seed(6), temperature=0.7)[1]
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(state, torch.random.get_rng_state())


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="likelihood must be one of"):
        VAEConfig(likelihood="poisson")
    with pytest.raises(ValueError, match="latent_dim"):
        VAEConfig(latent_dim=0)
    with pytest.raises(ValueError, match="beta"):
        VAEConfig(beta=-1)
    with pytest.raises(ValueError, match="k must be"):
        VAE(VAEConfig(hidden=(8,), latent_dim=2)).iwae_log_px(binary_images(1), k=0)
    assert math.isfinite(VAEConfig().n_pixels)


def test_the_bernoulli_log_likelihood_is_torchs_bce_within_float_rounding():
    import torch.nn.functional as F

    from explorer.models.vae import bernoulli_log_likelihood

    g = torch.Generator().manual_seed(0)
    logits = (torch.randn(200, 3, 784, generator=g, dtype=torch.float64) * 12).requires_grad_()
    for x in ((torch.rand(3, 784, generator=g, dtype=torch.float64) > 0.7).double(),
              torch.rand(3, 784, generator=g, dtype=torch.float64)):  # binary, and grey values
        ref = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
        ours = bernoulli_log_likelihood(logits, x)
        assert torch.allclose(ours, ref, rtol=0, atol=1e-9)
        g_ref, = torch.autograd.grad(ref.sum(), logits)
        g_ours, = torch.autograd.grad(ours.sum(), logits)
        assert torch.allclose(g_ours, g_ref, atol=1e-12)  # x - sigmoid(l)
    big = torch.tensor([[-200.0, 200.0, 0.0]])
    assert torch.isfinite(bernoulli_log_likelihood(big, torch.tensor([[1.0, 0.0, 1.0]]))).all()
    small = torch.randn(50, 784, generator=g) * 12  # float32, as the models run
    xb = (torch.rand(784, generator=g) > 0.5).float()
    ref32 = -F.binary_cross_entropy_with_logits(small, xb.expand_as(small), reduction="none").sum(-1)
    assert (bernoulli_log_likelihood(small, xb) - ref32).abs().max() < 2e-3  # nats, on sums of ~2,000
