"""Fast tests of the PixelCNN: tiny models under a fixed seed, real properties."""
import pytest
import torch

from explorer import checkpoints
from explorer.models.pixelcnn import PixelCNN, PixelCNNConfig

S = 8  # an 8 x 8 image: every pixel can be checked


def tiny(seed=0, **kw) -> PixelCNN:
    torch.manual_seed(seed)
    cfg = dict(image_size=S, n_channels=6, n_layers=3, first_kernel=5, kernel=3, n_head=8)
    cfg.update(kw)
    return PixelCNN(PixelCNNConfig(**cfg)).eval()


def binary(n=3, seed=1):
    return torch.bernoulli(torch.full((n, 1, S, S), 0.4), generator=torch.Generator().manual_seed(seed))


def test_shapes_and_loss_is_mean_nll():
    m = tiny()
    x = binary()
    logits, loss = m(x)
    assert logits.shape == x.shape
    assert torch.allclose(loss, -m.log_prob(x).mean(), atol=1e-5)
    with pytest.raises(ValueError, match="shape"):
        m(torch.zeros(2, 1, S + 1, S))


def test_masks_are_causal_gradient():
    """d logit_i / d x_j = 0 for every j >= i: the prediction for pixel i never sees pixel i or later."""
    m = tiny()
    x = binary(1).requires_grad_(True)
    logits, _ = m(x)
    seen_earlier = 0
    for i in range(S * S):
        (g,) = torch.autograd.grad(logits.flatten()[i], x, retain_graph=True)
        g = g.flatten().abs()
        assert g[i:].max().item() == 0.0, f"pixel {i} sees a pixel at or after itself"
        seen_earlier += int(g[:i].max().item() > 0) if i else 1
    assert seen_earlier == S * S  # and every pixel (after the first) does see some earlier pixel


def test_masks_are_causal_perturbation():
    """Changing pixels >= i leaves p(x_i | x_<i) unchanged, for every i."""
    m = tiny(seed=3)
    x = binary(1, seed=2)
    with torch.no_grad():
        base = m(x)[0].flatten()
        for i in range(S * S):
            y = x.clone().flatten()
            y[i:] = 1 - y[i:]
            out = m(y.view_as(x))[0].flatten()
            assert torch.allclose(out[:i + 1], base[:i + 1], atol=1e-6), i


def test_per_pixel_log_probs_sum_to_log_p():
    m = tiny()
    x = binary(4)
    with torch.no_grad():
        per_pixel = m.log_prob_pixels(x)
        assert per_pixel.shape == x.shape
        assert (per_pixel <= 0).all()
        assert torch.allclose(per_pixel.flatten(1).sum(1), m.log_prob(x), atol=1e-5)
        # chain rule by hand: log p(x) = sum_i log Bernoulli(x_i; sigmoid(logit_i))
        p1 = torch.sigmoid(m(x)[0])
        by_hand = torch.where(x > 0, p1, 1 - p1).log().flatten(1).sum(1)
        assert torch.allclose(by_hand, m.log_prob(x), atol=1e-4)


def test_probabilities_normalise_over_all_images():
    """On a 2 x 2 image, sum over all 16 binary images of p(x) is 1: an exact density."""
    m = tiny(image_size=2)
    xs = torch.tensor([[(k >> b) & 1 for b in range(4)] for k in range(16)], dtype=torch.float32)
    with torch.no_grad():
        total = m.log_prob(xs.view(16, 1, 2, 2)).exp().sum()
    assert abs(total.item() - 1.0) < 1e-5


def test_save_load_identical(tmp_path):
    m = tiny()
    path = checkpoints.save(m, tmp_path / "pcnn", {"seed": 0})
    assert checkpoints.read_meta("pcnn", tmp_path)["kind"] == "pixelcnn"
    m2, meta = checkpoints.load("pcnn", tmp_path)
    assert isinstance(m2, PixelCNN) and m2.config == m.config
    x = binary()
    with torch.no_grad():
        assert torch.equal(m.log_prob_pixels(x), m2.log_prob_pixels(x))
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(m.sample(3, g1)[0], m2.sample(3, g2)[0])
    assert path.stat().st_size > 0


def test_seeded_sampling_reproducible_and_leaves_global_rng_alone():
    m = tiny()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, pa = m.sample(4, torch.Generator().manual_seed(7))
    assert torch.equal(torch.get_rng_state(), state)
    b, pb = m.sample(4, torch.Generator().manual_seed(7))
    assert torch.equal(a, b) and torch.equal(pa, pb)
    c, _ = m.sample(4, torch.Generator().manual_seed(8))
    assert not torch.equal(a, c)
    assert set(a.unique().tolist()) <= {0.0, 1.0}


def test_cached_sampler_matches_full_forward():
    """The sampler's per-pixel cache gives the same p(x_i = 1 | x_<i) as the whole network does."""
    m = tiny(seed=4)
    x, probs = m.sample(5, torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = torch.sigmoid(m(x)[0])
    assert torch.allclose(probs, full, atol=1e-5)


def test_completion_keeps_the_given_pixels_and_matches_forward():
    m = tiny(seed=2)
    x = binary(3, seed=9)
    start = S * S // 2 + 3  # mid-row, to exercise a partly kept row
    y, probs = m.complete(x, start, torch.Generator().manual_seed(1))
    assert torch.equal(y.flatten(1)[:, :start], x.flatten(1)[:, :start])
    with torch.no_grad():
        full = torch.sigmoid(m(y)[0])
    assert torch.allclose(probs, full, atol=1e-5)
    # a different future never changes the kept part's probabilities
    z, probs_z = m.complete(x, start, torch.Generator().manual_seed(2))
    assert torch.allclose(probs.flatten(1)[:, :start + 1], probs_z.flatten(1)[:, :start + 1], atol=1e-6)
    with pytest.raises(ValueError, match="start"):
        m.complete(x, S * S + 1)
    with pytest.raises(ValueError, match="temperature"):
        m.sample(1, temperature=0)


def test_a_run_stopped_early_is_the_start_of_the_full_run():
    """--stop-step S: the same first S steps (the schedule still spans every epoch), then stop."""
    from explorer.training.pixelcnn import train_pixelcnn
    x = torch.rand(40, 1, S, S, generator=torch.Generator().manual_seed(0))
    kw = dict(epochs=2, batch_size=8, lr=1e-3, seed=0, eval_every=2, log=lambda s: None)
    full = train_pixelcnn(tiny(), x[:32], x[32:], **kw)
    cut = train_pixelcnn(tiny(), x[:32], x[32:], stop_step=6, **kw)
    strip = lambda curve: [{k: v for k, v in p.items() if k != "seconds"} for p in curve]
    assert cut["steps_run"] == 6 and strip(cut["learning_curve"]) == strip(full["learning_curve"])[:3]
