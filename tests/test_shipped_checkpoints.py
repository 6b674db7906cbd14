"""The shipped checkpoints against their manifest: hashes, sizes, quality bars, and (where the
data is present) a re-evaluation of a small held-out slice to the manifest's figure."""
import json
import math
import os
from pathlib import Path

import pytest
import torch

from explorer import checkpoints
from explorer.training.catalogue import HEADLINE_VAE, RECIPES, SWEEP_BETAS, recipe
from explorer.checkpoints import CHECKPOINT_DIR
from explorer.data import binarize, encode_words, load_images, load_words, split_words
from explorer.training.evaluate import BINARIZE_SEED, SLICE, vae_slice
from explorer.training.train import lm_evaluate

MANIFEST = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())
MODELS = MANIFEST["models"]
ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path | None:
    for p in (os.environ.get("EXPLORER_DATA_ROOT"), ROOT.parent / "shared" / "data", ROOT / "data"):
        if p and (Path(p) / "MNIST" / "raw").is_dir():
            return Path(p)
    return None


DATA = data_root()
needs_data = pytest.mark.skipif(DATA is None, reason="MNIST / names.txt not found (set EXPLORER_DATA_ROOT "
                                                      "to a torchvision data root): slice re-evaluation skipped")


def test_manifest_lists_every_recipe():
    assert [r.name for r in RECIPES] == list(MODELS)


@pytest.mark.parametrize("name", list(MODELS))
def test_files_match_manifest_sha256_and_size_limits(name):
    for fname, rec in MODELS[name]["files"].items():
        path = CHECKPOINT_DIR / fname
        assert path.is_file(), f"{path} listed in the manifest is missing"
        assert checkpoints.sha256(path) == rec["sha256"], f"{path} differs from the manifest's sha256"
        assert path.stat().st_size < 10 * 2**20, f"{path} is over 10 MB"


def test_everything_together_is_at_most_40_mb():
    total = sum(p.stat().st_size for p in CHECKPOINT_DIR.rglob("*") if p.is_file())  # maps/ included
    assert total <= 40 * 2**20


@pytest.mark.parametrize("name", list(MODELS))
def test_every_checkpoint_loads_and_records_its_provenance(name):
    model, meta = checkpoints.load(name)
    rec = MODELS[name]
    assert checkpoints.parameter_count(model) == rec["parameters"]
    assert rec["command"].startswith(f"python -m {recipe(name).module} ")
    assert isinstance(rec["seed"], int) and rec["data"]
    if rec["dataset"] == "mnist":
        assert "10,000-digit training subset" in rec["data"]


def test_quality_bars():
    assert MODELS["names_transformer"]["metrics"]["test_nll"] <= 1.92
    assert MODELS["names_gru"]["metrics"]["test_nll"] <= 2.03
    head = MODELS[HEADLINE_VAE]["metrics"]
    assert head["iwae_k"] == 1000 and head["nll"] <= 96.0
    assert head["elbo"] <= head["iwae_log_px"]


def test_sweep_is_a_rate_distortion_frontier():
    points = sorted((m["config"]["beta"], m["metrics"]) for m in MODELS.values()
                    if m["role"] == "sweep" or m.get("in_sweep"))
    assert [b for b, _ in points] == list(SWEEP_BETAS)
    rates = [m["rate"] for _, m in points]
    distortions = [m["distortion"] for _, m in points]
    assert rates == sorted(rates, reverse=True), "rate must fall as beta grows"
    assert distortions == sorted(distortions), "distortion must rise as beta grows"
    one = dict(points)[1.0]
    assert one == MODELS[HEADLINE_VAE]["metrics"]


@needs_data
@pytest.mark.parametrize("name", [r.name for r in RECIPES if r.family == "vae"])
def test_vae_slice_reproduces_manifest(name):
    rec = MODELS[name]
    x, _ = load_images(rec["dataset"], DATA, train=False, download=False)
    xb = binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    model, _ = checkpoints.load(name)
    x_eval = x if model.config.likelihood == "gaussian" else xb  # a Gaussian decoder scores grey digits
    assert math.isclose(vae_slice(model, x_eval), rec["metrics"]["slice_elbo"], rel_tol=1e-4)


@needs_data
@pytest.mark.parametrize("name", ["names_transformer", "names_gru"])
def test_lm_slice_reproduces_manifest(name):
    model, meta = checkpoints.load(name)
    _, test = split_words(load_words(DATA / "names.txt"))
    X, Y = encode_words(test[:SLICE], meta["vocab_obj"])
    assert math.isclose(lm_evaluate(model, X, Y), MODELS[name]["metrics"]["slice_nll"], rel_tol=1e-4)


@pytest.mark.parametrize("fname", list(MANIFEST["artefacts"]))
def test_artefacts_match_manifest_sha256(fname):
    path = CHECKPOINT_DIR / fname
    assert checkpoints.sha256(path) == MANIFEST["artefacts"][fname]["sha256"], f"{path} differs from the manifest"


def test_every_tab_vae_ships_a_complete_latent_map(shipped_zoo):
    mains = [n for n, m in MODELS.items() if m["kind"] == "vae" and m["role"] == "main"]
    assert sorted(shipped_zoo.vaes) == sorted(mains)
    for name, entry in shipped_zoo.vaes.items():
        lmap = entry.map
        assert lmap is not None, f"{name} has no latent map"
        n = len(lmap.labels)
        assert n == 10_000 and lmap.mu.shape == (n, entry.latent_dim) and lmap.coords.shape == (n, 2)
        assert lmap.test_log_px.shape == (n,)
        assert abs(lmap.test_log_px.mean() + MODELS[name]["metrics"]["nll"]) < 1e-3
        counts = [int((lmap.gallery_labels == c).sum()) for c in range(10)]
        assert max(counts) <= 50 and min(counts) > 0
