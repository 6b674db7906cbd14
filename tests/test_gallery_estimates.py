"""Each gallery image's log p(x) ships beside its map (`<name>.gallerylogp.safetensors`, written by
`python -m explorer.training.evaluate --gallery-estimates`): the numbers a posterior click at the
default k would compute, so a gallery click does no importance sampling."""
from __future__ import annotations

import math

import pytest
import torch
from safetensors.torch import save_file

from explorer.checkpoints import CHECKPOINT_DIR, CheckpointError
from explorer.views import prior_posterior as ppv
from explorer.views import vae as vv
from explorer.zoo import GALLERY_LOGP_SUFFIX, load_gallery_estimates

from tests.conftest import count_importance_sampling


def tab_vaes(zoo):
    return [e for e in zoo.vaes.values() if e.map is not None]


def test_every_tab_map_ships_an_estimate_for_each_gallery_image_at_the_tabs_default_k(shipped_zoo):
    import inspect

    default_k = inspect.signature(vv.analyse_posterior).parameters["k"].default
    assert default_k == inspect.signature(ppv.posterior_outputs).parameters["k"].default == 1000
    entries = tab_vaes(shipped_zoo)
    assert len(entries) >= 4
    for e in entries:
        lmap = e.map
        assert lmap.gallery_k == default_k, e.name
        digests = {vv.image_digest(lmap.gallery[i:i + 1]) for i in range(len(lmap.gallery))}
        assert set(lmap.gallery_estimates) == digests, e.name  # every gallery image, and only those
        for log_px, rec in lmap.gallery_estimates.values():
            assert math.isfinite(log_px) and math.isfinite(rec), e.name
            if e.model.config.likelihood == "bernoulli":  # a probability of black-or-white pixels
                assert log_px < 0.0 and rec < 0.0, e.name


def test_the_shipped_estimates_are_what_a_click_computes(shipped_zoo):
    """Recomputed here for images spread over each gallery: equal to the shipped numbers (to float
    rounding: another CPU may sum in another order)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app runs
    try:
        for e in tab_vaes(shipped_zoo):
            lmap = e.map
            for i in range(0, len(lmap.gallery), 97):
                x = lmap.gallery[i:i + 1].clone()
                fresh = vv._estimate_log_px(e.model, x, lmap.gallery_k)
                shipped = lmap.gallery_estimates[vv.image_digest(x)]
                assert fresh == pytest.approx(shipped, abs=1e-3), (e.name, i)
    finally:
        torch.set_num_threads(threads)


def test_a_gallery_click_through_the_view_does_no_importance_sampling(shipped_zoo, monkeypatch):
    e = shipped_zoo.vae("vae_mnist_z32")
    calls = count_importance_sampling(monkeypatch, e.model)
    vv.POSTERIORS.clear()
    vv.ESTIMATES.clear()
    for seed in range(5):  # five seeds: five gallery images of class 3, five sets of posterior samples
        md = ppv.posterior_outputs(shipped_zoo, "vae_mnist_z32", 3, seed, 8, 1000, "gallery")[5]
        assert "log p(x)" in md
    assert calls == []
    ppv.posterior_outputs(shipped_zoo, "vae_mnist_z32", 3, 0, 8, 999, "gallery")  # another k is estimated
    assert calls == [1]


def test_missing_and_broken_estimate_files(tmp_path):
    gallery = torch.zeros(3, 28, 28, dtype=torch.uint8)
    assert load_gallery_estimates(tmp_path / f"x{GALLERY_LOGP_SUFFIX}", gallery) == {}  # each click estimates
    path = tmp_path / f"short{GALLERY_LOGP_SUFFIX}"
    save_file({"log_px": torch.zeros(2, dtype=torch.float64), "reconstruction": torch.zeros(2, dtype=torch.float64)},
              str(path), metadata={"k": "1000"})
    with pytest.raises(CheckpointError, match="2 images; the map's gallery has 3"):
        load_gallery_estimates(path, gallery)
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match="corrupted"):
        load_gallery_estimates(path, gallery)
    ok = tmp_path / f"ok{GALLERY_LOGP_SUFFIX}"
    save_file({"log_px": -torch.arange(3, dtype=torch.float64), "reconstruction": torch.zeros(3, dtype=torch.float64)},
              str(ok), metadata={"k": "7"})
    loaded = load_gallery_estimates(ok, gallery)
    assert loaded["gallery_k"] == 7 and len(loaded["gallery_estimates"]) == 1  # three equal images: one digest


def test_the_shipped_files_are_in_the_manifest():
    import json

    manifest = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())
    for name, rec in manifest["models"].items():
        if (CHECKPOINT_DIR / f"{name}.map.safetensors").is_file():
            assert f"{name}{GALLERY_LOGP_SUFFIX}" in rec["files"], name
