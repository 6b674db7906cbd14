"""The shipped PixelCNN against its manifest entry: size, hash, provenance, the figures it must beat,
its per-digit test artefact, and (where the data is present) a slice of the test set re-evaluated."""
import json
import math
import shlex

import numpy as np
import pytest
import torch

from explorer import checkpoints
from explorer.checkpoints import CHECKPOINT_DIR
from explorer.data import BINARIZE_SEED, binarize, load_images
from explorer.training import pixelcnn as training
from explorer.training.catalogue import HEADLINE_VAE, recipe, train_argv
from explorer.training.evaluate import SLICE
from explorer.zoo import TEST_LOGP_SUFFIX, load_pixel_test
from test_shipped_checkpoints import DATA, needs_data

NAME = "pixelcnn_mnist"
MODELS = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())["models"]
REC = MODELS.get(NAME)


@pytest.fixture(scope="module", autouse=True)
def shipped():
    if REC is None:
        pytest.fail(f"{NAME} is not in checkpoints/manifest.json: train and evaluate it (README) first")


def test_weights_are_small_and_match_the_manifest():
    path = CHECKPOINT_DIR / f"{NAME}.safetensors"
    assert path.stat().st_size < 10 * 2**20
    assert checkpoints.sha256(path) == REC["files"][path.name]["sha256"]
    assert (CHECKPOINT_DIR / f"{NAME}{TEST_LOGP_SUFFIX}").name in REC["files"]


def test_recorded_command_is_the_catalogue_recipe():
    r = recipe(NAME)
    words = shlex.split(REC["command"])
    assert words[:3] == ["python", "-m", "explorer.training.pixelcnn"]
    ignored = {"out", "threads", "data_root"}
    ours = {k: v for k, v in vars(training.parse_args(train_argv(r, "d"))).items() if k not in ignored}
    recorded = {k: v for k, v in vars(training.parse_args(words[3:])).items() if k not in ignored}
    assert recorded == ours
    curve = REC["training"]["learning_curve"]
    assert curve and curve[-1]["step"] == REC["training"]["steps_run"]
    assert min(p["val_nll"] for p in curve) == pytest.approx(REC["training"]["best_val_nll"], abs=1e-3)


def test_exact_density_beats_the_vae_s_figures():
    m = REC["metrics"]
    head = MODELS[HEADLINE_VAE]["metrics"]
    assert m["n_test"] == 10_000 and m["compared_vae"] == HEADLINE_VAE
    assert m["vae_iwae_nll"] == pytest.approx(head["nll"], abs=1e-3)  # the same digits, the same figure
    assert m["test_nll"] < m["vae_iwae_nll"] < m["vae_elbo_nll"]


def test_per_digit_artefact_agrees_with_the_manifest():
    test = load_pixel_test(NAME, CHECKPOINT_DIR)
    assert test.vae == HEADLINE_VAE and len(test.log_px) == 10_000
    assert -test.log_px.mean() == pytest.approx(REC["metrics"]["test_nll"], abs=1e-3)
    assert -test.vae_iwae.mean() == pytest.approx(REC["metrics"]["vae_iwae_nll"], abs=1e-3)
    assert -test.vae_elbo.mean() == pytest.approx(REC["metrics"]["vae_elbo_nll"], abs=1e-3)
    assert (test.log_px < 0).all() and sorted(np.unique(test.labels)) == list(range(10))


@needs_data
def test_slice_reproduces_manifest():
    x, _ = load_images("mnist", DATA, train=False, download=False)
    xb = binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    model, _ = checkpoints.load(NAME)
    nll = -training.pixelcnn_evaluate(model, xb[:SLICE]).mean().item()
    assert math.isclose(nll, REC["metrics"]["slice_nll"], rel_tol=1e-4)
