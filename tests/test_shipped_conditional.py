"""The shipped conditional VAEs and classifiers against their manifest: the recorded figures are there,
the files match their hashes and the size budget, the per-image arrays behind the figures give the
figures back, and (where the data is present) a slice of the test set is re-scored to those arrays."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from explorer import checkpoints
from explorer.checkpoints import CHECKPOINT_DIR
from explorer.data import BINARIZE_SEED, binarize, load_images
from explorer.training.evaluate import SAMPLE_SEED, auroc
from explorer.zoo import COND_SUFFIX

MODELS = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())["models"]
CVAES = ["cvae_mnist", "cvae_fashion"]
CLFS = ["clf_mnist", "clf_fashion"]
ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path | None:
    for p in (os.environ.get("EXPLORER_DATA_ROOT"), ROOT.parent / "shared" / "data", ROOT / "data"):
        if p and (Path(p) / "MNIST" / "raw").is_dir() and (Path(p) / "FashionMNIST" / "raw").is_dir():
            return Path(p)
    return None


DATA = data_root()


def arrays(name: str) -> dict:
    return load_file(str(CHECKPOINT_DIR / f"{name}{COND_SUFFIX}"))


def test_the_manifest_records_every_figure():
    for name in CVAES:
        m = MODELS[name]["metrics"]
        assert MODELS[name]["role"] == "conditional" and MODELS[name]["config"]["n_classes"] == 10
        for key in ("gen_accuracy", "gen_accuracy_accepted", "acceptance_rate", "outlier_acceptance_rate",
                    "auroc_log_px", "auroc_max_softmax", "classifier_accuracy", "threshold", "threshold_percentile",
                    "iwae_k", "n_test", "n_val", "slice_elbo"):
            assert isinstance(m[key], (int, float)) and np.isfinite(m[key]), (name, key)
        assert m["threshold_percentile"] in (1.0, 5.0) and m["iwae_k"] >= 100
        assert f"{name}{COND_SUFFIX}" in MODELS[name]["files"]
    for name in CLFS:
        m = MODELS[name]["metrics"]
        assert MODELS[name]["kind"] == "classifier" and m["n_test"] == 10_000
        assert 0 <= m["test_accuracy"] <= 1 and 0 <= m["auroc_max_softmax"] <= 1


def test_files_match_their_hashes_and_the_size_budget():
    total = 0
    for name in CVAES + CLFS:
        for fname, rec in MODELS[name]["files"].items():
            path = CHECKPOINT_DIR / fname
            assert checkpoints.sha256(path) == rec["sha256"] and path.stat().st_size == rec["bytes"], fname
            total += path.stat().st_size
    assert total <= 5 * 2**20, f"the conditional tab's files take {total / 2**20:.2f} MB (budget 5 MB)"
    for name in CVAES + CLFS:
        assert json.loads((CHECKPOINT_DIR / f"{name}.json").read_text())["weights_dtype"] == "float16"


def test_quality_bars():
    assert MODELS["clf_mnist"]["metrics"]["test_accuracy"] >= 0.97
    assert MODELS["clf_fashion"]["metrics"]["test_accuracy"] >= 0.85
    mnist = MODELS["cvae_mnist"]["metrics"]
    assert mnist["gen_accuracy"] >= 0.9 and mnist["gen_accuracy_accepted"] >= mnist["gen_accuracy"] - 0.005
    assert mnist["auroc_log_px"] >= 0.95  # Fashion-MNIST garments are clear outliers for the MNIST model
    assert MODELS["cvae_fashion"]["metrics"]["gen_accuracy"] >= 0.75


@pytest.mark.parametrize("name", CVAES)
def test_the_figures_follow_from_the_shipped_arrays(name):
    m, a = MODELS[name]["metrics"], arrays(name)
    val = a["val_log_px"].double().numpy()
    assert len(val) == m["n_val"] and len(a["test_log_px"]) == len(a["outlier_log_px"]) == m["n_test"]
    assert float(a["threshold"][0]) == pytest.approx(np.percentile(val, m["threshold_percentile"]), abs=1e-3)
    assert m["threshold"] == pytest.approx(float(a["threshold"][0]), abs=1e-3)
    test, out = a["test_log_px"].double().numpy(), a["outlier_log_px"].double().numpy()
    assert auroc(test, out) == pytest.approx(m["auroc_log_px"], abs=1e-6)
    assert (test >= m["threshold"]).mean() == pytest.approx(m["acceptance_rate"], abs=1e-6)
    assert (out >= m["threshold"]).mean() == pytest.approx(m["outlier_acceptance_rate"], abs=1e-6)
    assert auroc(a["test_max_softmax"].numpy(), a["outlier_max_softmax"].numpy()) == pytest.approx(
        m["auroc_max_softmax"], abs=1e-6)
    assert torch.exp(a["log_prior"].double()).sum().item() == pytest.approx(1.0, abs=1e-5)


def test_the_reverse_direction_is_reported_as_measured():
    """Nalisnick et al. (2019): a model of Fashion-MNIST gives MNIST digits higher likelihood. The
    figure is whatever the evaluation measured; here only that both directions are recorded and that
    the Fashion model's outliers are not rejected better than its own images are accepted."""
    f = MODELS["cvae_fashion"]["metrics"]
    assert f["outlier_dataset"] == "mnist" and MODELS["cvae_mnist"]["metrics"]["outlier_dataset"] == "fashion"
    assert f["auroc_log_px"] < 0.5 and f["mean_log_px_outliers"] > f["mean_log_px"]


@pytest.mark.parametrize("dataset, bar", [("mnist", 0.85), ("fashion", 0.7)])  # measured: 0.898, 0.750
def test_shipped_samples_of_a_label_are_recognised_by_the_classifier(shipped_zoo, dataset, bar):
    """Conditioning works: the CNN, trained separately, reads the label the cVAE was asked to draw
    (50 prior samples per label; chance would be 0.1)."""
    entry = shipped_zoo.conditional[dataset]
    g = torch.Generator().manual_seed(0)
    y = torch.arange(10).repeat_interleave(50)
    _, x_hat = entry.cvae.sample_prior(len(y), g, y=y)
    x_bin = binarize(x_hat, torch.Generator().manual_seed(BINARIZE_SEED))
    assert (entry.classifier.log_probs(x_bin).argmax(-1) == y).float().mean() >= bar


@pytest.mark.skipif(DATA is None, reason="MNIST / Fashion-MNIST not found (set EXPLORER_DATA_ROOT)")
@pytest.mark.parametrize("name", CVAES)
def test_a_slice_of_the_test_set_reproduces_the_shipped_log_px(name):
    from explorer.training.evaluate import generative_scores
    m, a = MODELS[name]["metrics"], arrays(name)
    model, _ = checkpoints.load(name)
    x, _ = load_images(MODELS[name]["dataset"], DATA, train=False, download=False)
    xb = binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    assert SAMPLE_SEED == 0
    _, log_px = generative_scores(model, xb[:100], a["log_prior"], m["iwae_k"])  # batch 100: the same draws
    assert torch.allclose(log_px.float(), a["test_log_px"][:100], atol=1e-3)
