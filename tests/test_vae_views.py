"""The VAE tabs' plain functions on tiny untrained models: shapes, reproducible seeds, the
interpolation's end points, ELBO <= importance-sampled log p(x), and the errors bad numbers raise."""
from __future__ import annotations

import math

import numpy as np
import PIL.Image
import pytest
import torch

from explorer.views import exports
from explorer.views import vae as vv
from explorer.views.prior_posterior import outlier_sentence
from explorer.images import InputError
from explorer.plots import vae as plots

from tests.conftest import count_importance_sampling


@pytest.fixture()
def e2(tiny_zoo):
    return tiny_zoo.vae("vae_mnist_z2")


@pytest.fixture()
def e4(tiny_zoo):
    return tiny_zoo.vae("vae_mnist_z4")


def two_images(entry, seed=0):
    g = vv.generator(seed)
    return vv.pick_gallery(entry, 1, g).x, vv.pick_gallery(entry, 7, g).x


# ---------------------------------------------------------------------------- argument checks
@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), 3.5, "abc", True, 40, 1])
def test_check_int_refuses_what_is_not_a_whole_number_in_range(value):
    with pytest.raises(InputError, match="whole number from 2 to 32"):
        vv.check_int(value, "steps", 2, 32)


def test_check_int_accepts_integral_floats_and_strings():
    assert vv.check_int(3.0, "steps", 2, 32) == 3 and vv.check_int("5", "steps", 2, 32) == 5


@pytest.mark.parametrize("value", [None, float("nan"), -1.0, 99.0, "x"])
def test_check_float_refuses_out_of_range(value):
    with pytest.raises(InputError, match="from 0.1 to 3"):
        vv.check_float(value, "temperature", 0.1, 3.0)


# ---------------------------------------------------------------------------- gallery
def test_gallery_pick_by_class_is_seeded(e2):
    a = vv.pick_gallery(e2, 3, vv.generator(5))
    b = vv.pick_gallery(e2, 3, vv.generator(5))
    assert a.label == 3 and a.x.shape == (1, 1, 28, 28) and torch.equal(a.x, b.x)
    labels = {vv.pick_gallery(e2, -1, vv.generator(s)).label for s in range(30)}
    assert len(labels) > 3  # any class: random over the gallery


@pytest.mark.parametrize("cls", [10, -2, 2.5, None])
def test_gallery_class_out_of_range(e2, cls):
    with pytest.raises(InputError, match="any class"):
        vv.pick_gallery(e2, cls, vv.generator(0))


def test_pick_input_sources(e2):
    sketch = {"background": None, "layers": [], "composite": None}
    with pytest.raises(InputError, match="source of x must be one of"):
        vv.pick_input(e2, "webcam", 1, vv.generator(0))
    with pytest.raises(InputError, match="nothing was drawn"):
        vv.pick_input(e2, "draw", 1, vv.generator(0), sketch=None)
    with pytest.raises(InputError, match="x: The drawing is empty"):
        vv.pick_input(e2, "draw", 1, vv.generator(0), sketch=sketch)
    digit = np.zeros((100, 100), np.uint8)
    digit[20:80, 45:55] = 255
    p = vv.pick_input(e2, "upload", 1, vv.generator(0), upload=digit)
    assert p.x.shape == (1, 1, 28, 28) and p.label is None and "upload" in p.description


# ---------------------------------------------------------------------------- interpolation
@pytest.mark.parametrize("method", vv.METHODS)
def test_interpolation_shapes_and_end_points_equal_the_encodings(e4, method):
    x_a, x_b = two_images(e4)
    r = vv.interpolate(e4, x_a, x_b, 9, method)
    mu, _ = e4.model.encode(torch.cat([x_a, x_b]))
    assert r.z_path.shape == (9, 4) and r.x_path.shape == (9, 1, 28, 28)
    assert torch.allclose(r.z_path[0], mu[0]) and torch.allclose(r.z_path[-1], mu[1])
    assert torch.allclose(r.recon_a, e4.model.decode(mu[:1]))


def test_slerp_keeps_the_norm_between_unit_vectors_and_linear_does_not():
    a, b = torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    t = torch.linspace(0, 1, 11)
    assert torch.allclose(vv.slerp(a, b, t).norm(dim=1), torch.ones(11), atol=1e-5)
    assert torch.lerp(a, b, t[:, None]).norm(dim=1)[5] < 0.75
    assert torch.allclose(vv.slerp(a, a, t), a.expand(11, 3))  # parallel: falls back to linear


@pytest.mark.parametrize("steps,method", [(1, "linear"), (33, "linear"), (None, "slerp"), (5, "cubic")])
def test_interpolation_bad_arguments(e2, steps, method):
    x_a, x_b = two_images(e2)
    with pytest.raises(InputError):
        vv.interpolate(e2, x_a, x_b, steps, method)


def test_exports_are_server_side_temp_files(e2):
    x_a, x_b = two_images(e2)
    r = vv.interpolate(e2, x_a, x_b, 6, "linear")
    png = exports.save_png(plots.strip([torch.cat([r.x_a, r.recon_a]), r.x_path, torch.cat([r.recon_b, r.x_b])]))
    gif = exports.save_gif(plots.frames(r.x_path))
    for path in (png, gif):
        assert path.startswith(str(exports._export_dir()))
    im = PIL.Image.open(gif)
    assert im.n_frames == 6 + 4 and im.size == (112, 112)  # there and back, 28 px x 4
    assert PIL.Image.open(png).size == (2 * (2 * 86 + 2) + (6 * 86 + 2) + 2 * 6, 88)


# ---------------------------------------------------------------------------- manifold
def test_manifold_grid_over_prior_quantiles_is_cached(e2):
    z = vv.manifold_z(15)
    q = torch.distributions.Normal(0, 1).cdf(z[..., 0][0])
    assert torch.allclose(q, (torch.arange(15) + 0.5) / 15, atol=1e-5)  # equal prior mass per cell
    assert z[0, 0, 1] > z[-1, 0, 1]  # top row is high z2
    m = vv.manifold(e2)
    assert m.shape == (15, 15, 1, 28, 28) and vv.manifold(e2) is m
    assert torch.allclose(m[3, 5], e2.model.decode(z[3, 5][None])[0])


def test_manifold_and_point_need_a_2d_model(e4):
    with pytest.raises(InputError, match="2-D"):
        vv.manifold(e4)
    with pytest.raises(InputError, match="2-D"):
        vv.decode_point(e4, 0, 0)


def test_pixel_and_z_round_trip():
    z1, z2 = vv.pixel_to_z(419.5, 419.5, 840, 840)
    assert abs(z1) < 1e-2 and abs(z2) < 1e-2
    z1, z2 = vv.pixel_to_z(100, 100, 840, 840)
    assert z1 < 0 < z2  # left and up
    px, py = vv.z_to_pixel(z1, z2, 840, 840)
    assert abs(px - 100.5) < 0.1 and abs(py - 100.5) < 0.1


def test_decode_point(e2):
    assert vv.decode_point(e2, 0.5, -1.0).shape == (1, 1, 28, 28)
    for bad in [(5, 0), (0, float("nan")), (None, 0)]:
        with pytest.raises(InputError):
            vv.decode_point(e2, *bad)


# ---------------------------------------------------------------------------- prior
def test_prior_samples_reproduce_with_a_seed(e4):
    z1, x1 = vv.sample_prior(e4, 7, 1.0, 16)
    z2, x2 = vv.sample_prior(e4, 7, 1.0, 16)
    z3, _ = vv.sample_prior(e4, 8, 1.0, 16)
    assert z1.shape == (16, 4) and x1.shape == (16, 1, 28, 28)
    assert torch.equal(z1, z2) and torch.equal(x1, x2) and not torch.equal(z1, z3)
    zt, _ = vv.sample_prior(e4, 7, 0.5, 16)
    assert torch.allclose(zt, 0.5 * z1)  # temperature scales the prior's std


@pytest.mark.parametrize("args", [(0, 1.0, 0), (0, 1.0, 65), (0, 0.0, 4), (0, float("nan"), 4), (-1, 1.0, 4),
                                  (None, 1.0, 4), (2**40, 1.0, 4)])
def test_prior_bad_arguments(e4, args):
    with pytest.raises(InputError):
        vv.sample_prior(e4, *args)


# ---------------------------------------------------------------------------- posterior
def test_posterior_shapes_and_reproducibility(e4):
    x, _ = two_images(e4)
    p = vv.analyse_posterior(e4, x, 8, 200, 3)
    q = vv.analyse_posterior(e4, x, 8, 200, 3)
    assert p.mu.shape == p.sigma.shape == p.kl_per_dim.shape == (4,)
    assert p.z_samples.shape == (8, 4) and p.x_samples.shape == (8, 1, 28, 28) and p.recon.shape == (1, 1, 28, 28)
    assert p.binarised and set(p.x_eval.unique().tolist()) <= {0.0, 1.0}
    assert p.log_px == q.log_px and torch.equal(p.z_samples, q.z_samples)
    assert 0.0 <= p.percentile <= 100.0
    assert math.isclose(p.elbo, p.reconstruction - p.kl, rel_tol=1e-6)
    assert (p.kl_per_dim >= 0).all()


def test_a_repeated_posterior_question_is_answered_from_the_kept_answers(e4, monkeypatch):
    """The same model, image, K, k and seed: the same answer, without importance sampling again; each
    caller gets its own copy; the estimate of log p(x) depends on the model, image and k only, so another
    seed or K draws other posterior samples beside the same log p(x) without importance sampling again;
    another image or k is estimated; the kept answers are bounded; the same question asked at once is
    computed once."""
    import threading

    x, y = two_images(e4)
    vv.POSTERIORS.clear()
    vv.ESTIMATES.clear()
    calls = count_importance_sampling(monkeypatch, e4.model)
    p = vv.analyse_posterior(e4, x, 8, 200, 3)
    q = vv.analyse_posterior(e4, x.clone(), 8, 200, 3)
    assert len(calls) == 1
    assert q is not p and q.log_px == p.log_px and torch.equal(q.z_samples, p.z_samples) and q.elbo == p.elbo
    p.percentile = -1.0  # a caller changing its copy changes nobody else's
    assert vv.analyse_posterior(e4, x, 8, 200, 3).percentile == q.percentile != -1.0
    other_seed = vv.analyse_posterior(e4, x, 8, 200, 4)
    fewer = vv.analyse_posterior(e4, x, 7, 200, 3)
    assert len(calls) == 1  # new posterior samples, the same estimate
    assert not torch.equal(other_seed.z_samples, p.z_samples) and len(fewer.z_samples) == 7
    assert other_seed.log_px == fewer.log_px == p.log_px and other_seed.elbo == p.elbo
    vv.analyse_posterior(e4, y, 8, 200, 3)
    vv.analyse_posterior(e4, x, 8, 201, 3)
    assert len(calls) == 3
    vv.POSTERIORS.clear()
    vv.ESTIMATES.clear()
    fresh = vv.analyse_posterior(e4, x, 8, 200, 3)  # computed again: the same numbers
    assert len(calls) == 4 and fresh.log_px == p.log_px and torch.equal(fresh.x_samples, p.x_samples)
    vv.POSTERIORS.clear()
    vv.ESTIMATES.clear()
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(vv.analyse_posterior(e4, x, 8, 200, 9)))
               for _ in range(6)]  # six students clicking the same defaults at the same moment
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 5 and len({a.log_px for a in answers}) == 1 and len({id(a) for a in answers}) == 6
    monkeypatch.setattr(vv.POSTERIORS, "size", 3)
    monkeypatch.setattr(vv.ESTIMATES, "size", 2)
    for seed in range(10):
        vv.analyse_posterior(e4, x, 1, 5 + seed, seed)
    assert len(vv.POSTERIORS) == 3 and len(vv.ESTIMATES) == 2


def test_a_gallery_image_at_the_shipped_k_reads_its_estimate_from_the_map(e4, monkeypatch):
    """With estimates beside the map (as the shipped maps have), a gallery click at that k does no
    importance sampling and shows exactly the numbers a click would compute; another k, or an image
    that is not in the gallery (a drawing), is estimated."""
    lmap = e4.map
    images = lmap.gallery[:3]
    table = {vv.image_digest(images[i:i + 1].clone()): vv._estimate_log_px(e4.model, images[i:i + 1].clone(), 300)
             for i in range(3)}
    monkeypatch.setattr(lmap, "gallery_estimates", table)
    monkeypatch.setattr(lmap, "gallery_k", 300)
    vv.POSTERIORS.clear()
    vv.ESTIMATES.clear()
    calls = count_importance_sampling(monkeypatch, e4.model)
    for i in range(3):
        p = vv.analyse_posterior(e4, lmap.gallery[i:i + 1].clone(), 4, 300, 11)
        assert (p.log_px, p.reconstruction) == table[vv.image_digest(lmap.gallery[i:i + 1])]
    assert calls == []
    vv.analyse_posterior(e4, images[:1].clone(), 4, 301, 11)
    vv.analyse_posterior(e4, 1.0 - images[:1], 4, 300, 11)
    assert len(calls) == 2


def test_elbo_is_below_importance_sampled_log_px_on_average(e4):
    g = vv.generator(0)
    gaps = []
    for _ in range(10):
        x = vv.pick_gallery(e4, -1, g).x
        p = vv.analyse_posterior(e4, x, 1, 500, 0)
        gaps.append(p.log_px - p.elbo)
    assert np.mean(gaps) > 0


def test_iwae_matches_the_models_own_estimator(e4):
    x, _ = two_images(e4)
    p = vv.analyse_posterior(e4, x, 1, 2000, 0)
    ref = e4.model.iwae_log_px(p.x_eval, 2000, torch.Generator().manual_seed(1))
    assert abs(p.log_px - float(ref)) < 1.0


@pytest.mark.parametrize("args", [(8, 0, 0), (8, 5001, 0), (0, 10, 0), (65, 10, 0), (8, 10, float("nan"))])
def test_posterior_bad_arguments(e4, args):
    x, _ = two_images(e4)
    with pytest.raises(InputError):
        vv.analyse_posterior(e4, x, *args)


def test_outlier_sentence(e4):
    x, _ = two_images(e4)
    p = vv.analyse_posterior(e4, x, 1, 10, 0)
    p.percentile = 0.3
    assert "Outlier" in outlier_sentence(p, e4)
    p.percentile = 50.0
    assert "Typical" in outlier_sentence(p, e4)


# ---------------------------------------------------------------------------- figures and tab functions
def test_image_grid_and_strip_shapes():
    imgs = torch.rand(5, 1, 28, 28)
    g = plots.image_grid(imgs, ncol=3, scale=3, sep=2)
    assert g.shape == (2 * 84 + 3 * 2, 3 * 84 + 4 * 2, 3) and g.dtype == np.uint8
    s = plots.strip([imgs[:2], imgs, imgs[:2]], ncols=[2, 3, 2])
    assert s.shape[0] == g.shape[0]


def test_image_grid_lays_out_cells_and_separators_exactly():
    imgs = torch.rand(5, 1, 28, 28)
    g = plots.image_grid(imgs, ncol=3, scale=2, sep=1)
    tiles = plots.to_uint8(imgs)
    for i in range(5):  # cell i at row i // 3, column i % 3, each pixel twice as wide and tall
        r, c = divmod(i, 3)
        y, x = 1 + r * 57, 1 + c * 57
        assert np.array_equal(g[y:y + 56, x:x + 56], np.repeat(tiles[i].repeat(2, 0).repeat(2, 1)[..., None], 3, 2))
    assert (g[0] == plots.SEPARATOR).all() and (g[:, 57] == plots.SEPARATOR).all()
    assert (g[58:, 115:] == plots.SEPARATOR).all()  # the sixth cell stays empty: no fake blank digit
    s = plots.strip([imgs[:1], imgs[1:3]], scale=1, sep=2, group_sep=6)
    assert (s[:, 32:38] == plots.GROUP_SEPARATOR).all() and s.shape == (32, 32 + 6 + 62, 3)


@pytest.mark.parametrize("make", ["grid", "strip"])
def test_pictures_for_the_page_show_the_rgb_grid_within_one_grey_level(make):
    """The pictures sent to a page are palette PNGs (about half the time to encode): the same layout
    and separator colours as the RGB grid, each grey at most one step in 255 away."""
    import io

    imgs = torch.rand(16, 1, 28, 28)
    imgs[0] = 0.0
    imgs[1] = 1.0
    if make == "grid":
        rgb, pic = plots.image_grid(imgs, ncol=4), plots.grid_picture(imgs, ncol=4)
    else:
        groups = [imgs[:2], imgs[2:14], imgs[14:]]
        rgb, pic = plots.strip(groups, ncols=[2, 5, 2]), plots.strip_picture(groups, ncols=[2, 5, 2])
    assert pic.mode == "P" and pic.size == (rgb.shape[1], rgb.shape[0])
    shown = np.asarray(pic.convert("RGB")).astype(int)
    assert np.abs(shown - rgb.astype(int)).max() <= 1
    separators = (rgb == plots.SEPARATOR).all(-1) | (rgb == plots.GROUP_SEPARATOR).all(-1)
    assert np.array_equal(shown[separators], rgb[separators].astype(int))  # colours exact
    assert shown[3:5, 3:5].max() == 0 and (shown[3:5, 3 + 86:3 + 88] == 255).all()  # black and white exact
    png = io.BytesIO()
    pic.save(png, "png")
    assert PIL.Image.open(png).mode == "P"  # stays a palette PNG on the way out


def test_latent_map_has_classes_and_overlays(e4):
    lmap = e4.map
    path = lmap.project(torch.zeros(5, 4))
    fig = plots.latent_map(lmap, "t", path=path, prior=path, posterior=path, mu_x=path[:1])
    names = [t.name for t in fig.data]
    assert names[:10] == lmap.class_names
    assert {"interpolation path", "prior samples z ~ p(z)", "posterior samples z ~ q(z|x)"} <= set(names)
    assert fig.data[0].type == "scattergl"


def test_tab_functions_run_on_the_tiny_zoo(tiny_zoo):
    from explorer.views import interpolation, prior_posterior

    strip, fig, info = interpolation.interpolation_outputs(tiny_zoo, "vae_mnist_z2", 1, 7, 6, "slerp", 0)
    png, gif = interpolation.interpolation_exports(tiny_zoo, "vae_mnist_z2", 1, 7, 6, "slerp", 0)
    assert strip.mode == "P" and png.endswith(".png") and gif.endswith(".gif") and "6 steps" in info
    grid, point, md = interpolation.manifold_outputs(tiny_zoo, "vae_mnist_z2", 0.3, -0.2)
    assert grid.shape == (420, 420) and point.shape == (168, 168)
    assert interpolation.manifold_outputs(tiny_zoo, "vae_mnist_z4")[0] is None
    with pytest.raises(InputError, match="z1 must be a number"):
        interpolation.manifold_outputs(tiny_zoo, "vae_mnist_z2", None, 0.0)
    out = prior_posterior.posterior_outputs(tiny_zoo, "vae_fashion_z4", 2, 0, 4, 50)
    assert "ELBO" in out[5] and out[7]["z"].shape == (4, 4)
    grid, fig = prior_posterior.prior_outputs(tiny_zoo, "vae_fashion_z4", 0, 1.0, 9, out[7])
    assert grid.mode == "P" and grid.size == (3 * 84 + 4 * 2, 3 * 84 + 4 * 2)
    assert any(t.name == "posterior samples z ~ q(z|x)" for t in fig.data)


def test_old_exports_are_pruned(monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "_EXPORT_DIR", tmp_path)
    monkeypatch.setattr(exports, "EXPORT_KEEP", 3)
    for _ in range(6):
        exports.save_png(np.zeros((28, 28), np.uint8))
    assert len(list(tmp_path.iterdir())) <= 4


def test_the_map_extent_is_kept_with_the_map_and_follows_new_coordinates(e4):
    lmap = e4.map
    first = plots.map_extent(lmap)
    assert plots.map_extent(lmap) is first  # kept: the map's coordinates are read once
    lo, hi = lmap.coords.min(0), lmap.coords.max(0)
    assert first[0] < lo[0] < hi[0] < first[1] and first[2] < lo[1] < hi[1] < first[3]
    coords = lmap.coords
    try:
        lmap.coords = coords * 2.0  # other coordinates: measured again
        assert plots.map_extent(lmap) == tuple(2.0 * v for v in first)
    finally:
        lmap.coords = coords
    assert plots.map_extent(lmap) == first


def test_prior_z_draws_the_z_of_the_prior_samples_without_decoding(e4, monkeypatch):
    z, x_hat = vv.sample_prior(e4, seed=3, temperature=0.7, n=5)
    decoded = []
    monkeypatch.setattr(e4.model, "decode", lambda *a, **k: decoded.append(1))
    assert torch.equal(vv.prior_z(e4, seed=3, temperature=0.7, n=5), z) and not decoded
    with pytest.raises(InputError):
        vv.prior_z(e4, seed=3, temperature=0.7, n=0)
