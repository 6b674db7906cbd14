"""The conditional tab's work on tiny untrained models under a fixed seed (no data, no shipped
checkpoints): the conditional VAE, Bayes' rule, the rejection rule, the checks and the figures."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from explorer import checkpoints
from explorer.errors import InputError
from explorer.models import VAE, VAEConfig, bayes
from explorer.models.classifier import Classifier, ClassifierConfig
from explorer.training.evaluate import auroc
from explorer.views import conditional as views
from explorer.zoo import CondEntry, CondRecord, Zoo

K = 10


def tiny_entry(dataset: str, seed: int = 0, threshold: float = -1e9) -> CondEntry:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    cvae = VAE(VAEConfig(hidden=(32,), latent_dim=4, n_classes=K)).eval()
    clf = Classifier(ClassifierConfig(channels=(4, 8), hidden=16)).eval()
    gallery = torch.rand(20, 1, 28, 28, generator=g)
    record = CondRecord(val_log_px=np.linspace(-600, -500, 100), test_log_px=np.linspace(-600, -480, 200),
                        outlier_log_px=np.linspace(-700, -520, 200), threshold=threshold,
                        log_prior=torch.full((K,), -math.log(K)), gallery=gallery,
                        gallery_labels=np.arange(20) % K, gallery_index=np.arange(20) * 3)
    other = "fashion" if dataset == "mnist" else "mnist"
    meta = {"kind": "vae", "dataset": dataset, "metrics": {"iwae_k": 16, "auroc_log_px": 0.95 if dataset == "mnist"
                                                          else 0.2, "auroc_max_softmax": 0.9,
                                                          "outlier_dataset": other}}
    return CondEntry(dataset, f"cvae_{dataset}", cvae, meta, record, f"clf_{dataset}", clf, {"kind": "classifier"})


@pytest.fixture()
def zoo() -> Zoo:
    z = Zoo()
    z.conditional = {"mnist": tiny_entry("mnist"), "fashion": tiny_entry("fashion", seed=1)}
    return z


def a_digit() -> torch.Tensor:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 5:23, 12:16] = 1.0  # a "1"
    return x


# ---------------------------------------------------------------------------- the model
def test_both_classifiers_give_distributions_over_labels(zoo):
    v = views.classify(zoo.conditional["mnist"], a_digit())
    for p in (v.p_discriminative, v.p_generative):
        assert p.shape == (K,) and (p >= 0).all()
        assert p.sum() == pytest.approx(1.0, abs=1e-6)


def test_log_px_is_the_logsumexp_of_the_joint(zoo):
    v = views.classify(zoo.conditional["mnist"], a_digit())
    joint = v.log_px_y + v.log_prior
    assert v.log_px == pytest.approx(float(np.logaddexp.reduce(joint)), abs=1e-6)
    # and Bayes' rule: p(y|x) = p(x|y) p(y) / p(x)
    assert np.allclose(v.p_generative, np.exp(joint - v.log_px), atol=1e-9)


def test_bayes_on_a_batch():
    log_px_y = torch.randn(5, K, generator=torch.Generator().manual_seed(0)).double() * 10 - 300
    log_prior = torch.log_softmax(torch.randn(K, generator=torch.Generator().manual_seed(1)).double(), -1)
    log_py_x, log_px = bayes(log_px_y, log_prior)
    assert torch.allclose(log_py_x.exp().sum(-1), torch.ones(5, dtype=log_py_x.dtype))
    assert torch.allclose(log_px, torch.logsumexp(log_px_y + log_prior, -1))


def test_log_px_given_each_y_is_the_iwae_estimate_with_that_label():
    torch.manual_seed(0)
    m = VAE(VAEConfig(hidden=(32,), latent_dim=4, n_classes=K)).eval()
    x = (torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(2)) > 0.7).float()
    each = m.iwae_log_px_each_y(x, 8, torch.Generator().manual_seed(5), chunk=8)
    g = torch.Generator().manual_seed(5)
    one_by_one = torch.stack([m.iwae_log_px(x, 8, g, 8, y=torch.full((3,), c)) for c in range(K)], -1)
    assert each.shape == (3, K) and torch.allclose(each, one_by_one)


def test_conditional_vae_save_then_load_is_identical(tmp_path):
    torch.manual_seed(0)
    m = VAE(VAEConfig(hidden=(32,), latent_dim=4, n_classes=K)).eval()
    checkpoints.save(m, tmp_path / "cvae_tiny", {"seed": 0})
    back, meta = checkpoints.load("cvae_tiny", tmp_path)
    assert back.config == m.config and meta["config"]["n_classes"] == K
    z = torch.randn(6, 4, generator=torch.Generator().manual_seed(1))
    y = torch.arange(6)
    assert torch.equal(back.decode(z, y), m.decode(z, y))
    x = (torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(3)) > 0.5).float()
    a = m.iwae_log_px(x, 10, torch.Generator().manual_seed(4), y=torch.tensor([1, 2]))
    b = back.iwae_log_px(x, 10, torch.Generator().manual_seed(4), y=torch.tensor([1, 2]))
    assert torch.equal(a, b)


def test_an_unconditional_config_without_n_classes_still_loads(tmp_path):
    """Old checkpoints' JSON has no n_classes: they must load unchanged as unconditional VAEs."""
    torch.manual_seed(0)
    m = VAE(VAEConfig(hidden=(32,), latent_dim=2)).eval()
    checkpoints.save(m, tmp_path / "old", {"seed": 0})
    import json
    path = tmp_path / "old.json"
    rec = json.loads(path.read_text())
    del rec["config"]["n_classes"]
    path.write_text(json.dumps(rec))
    back, _ = checkpoints.load("old", tmp_path)
    assert back.config.n_classes == 0 and not back.conditional
    z = torch.randn(3, 2, generator=torch.Generator().manual_seed(0))
    assert torch.equal(back.decode(z), m.decode(z))
    with pytest.raises(ValueError, match="unconditional"):
        back.decode(z, torch.tensor([1, 2, 3]))


def test_conditioning_changes_the_decoded_image():
    torch.manual_seed(0)
    m = VAE(VAEConfig(hidden=(32,), latent_dim=4, n_classes=K)).eval()
    z = torch.randn(1, 4, generator=torch.Generator().manual_seed(0)).expand(K, 4)
    x = m.decode(z, torch.arange(K))
    diffs = [(x[0] - x[c]).abs().max().item() for c in range(1, K)]
    assert min(diffs) > 1e-4
    with pytest.raises(ValueError, match="labels"):
        m.decode(z, torch.full((K,), K))  # no label 10
    with pytest.raises(ValueError, match="conditional"):
        m.decode(z)


def test_same_z_every_label_keeps_z_and_changes_the_label(zoo):
    entry = zoo.conditional["mnist"]
    rows = views.same_z_every_label(entry, seed=3, styles=2)
    assert rows.shape == (2, K, 1, 28, 28)
    z = torch.randn(2, 4, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(rows[1, 4], entry.cvae.decode(z[1:2], torch.tensor([4]))[0])
    assert torch.equal(views.sample_label(entry, 4, 5, seed=9), views.sample_label(entry, 4, 5, seed=9))
    assert not torch.equal(views.sample_label(entry, 4, 5, seed=9), views.sample_label(entry, 4, 5, seed=10))


# ---------------------------------------------------------------------------- the rejection rule
def test_the_reject_rule_uses_the_threshold(zoo):
    entry = zoo.conditional["mnist"]
    log_px = views.classify(entry, a_digit()).log_px
    entry.record.threshold = log_px - 1.0
    v = views.classify(entry, a_digit())
    assert v.accepted
    r = views.result(entry, v, views.Input(a_digit(), "a digit", None, "draw"))
    assert r["accepted"] is True and r["label"] == entry.class_names[v.generative_label]
    entry.record.threshold = log_px + 1.0
    v = views.classify(entry, a_digit())
    assert not v.accepted
    r = views.result(entry, v, views.Input(a_digit(), "a digit", None, "draw"))
    assert r["accepted"] is False and r["label"] is None
    assert r["discriminative_label"] in entry.class_names  # the CNN labels it all the same
    assert views.accept(-100.0, -100.0) and not views.accept(-100.1, -100.0)


def test_auroc_is_the_pairwise_ranking_probability():
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(1, 1, 60), rng.normal(0, 1, 50)
    pairwise = np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg])
    assert auroc(pos, neg) == pytest.approx(pairwise, abs=1e-12)
    assert auroc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert auroc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 0.0
    assert auroc(np.ones(4), np.ones(3)) == 0.5


# ---------------------------------------------------------------------------- the tab's outputs and checks
def test_outputs_in_both_languages(zoo):
    for lang in ("en", "zh"):
        grid, rows, md = views.sample_outputs(zoo, "fashion", 7, 6, 0, 3, lang)
        assert grid.ndim == 3 and rows.ndim == 3 and rows.shape[1] > rows.shape[0]
        assert ("Sneaker" if lang == "en" else "运动鞋") in md
        image, bars, hist, verdict, numbers = views.classify_outputs(zoo, "mnist", "fashion", 3, 0, lang=lang)
        assert image.ndim == 3 and numbers["input"] == "fashion" and numbers["true_label"] == 3
        assert set(numbers["generative"]) == set(zoo.conditional["mnist"].class_names)
        bars.to_dict(), hist.to_dict(), views.ood_outputs(zoo, lang).to_dict()  # valid plotly figures
        assert ("Fashion-MNIST test image #9" if lang == "en" else "Fashion-MNIST 测试图像 #9") in verdict
    noise = views.classify_outputs(zoo, "mnist", "noise", 0, 5)[4]
    assert noise["input"] == "noise" and noise["true_label"] is None


def test_the_recorded_failure_is_flagged_in_the_figure(zoo):
    fig = views.ood_outputs(zoo).to_dict()
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert any("detection fails" in s for s in texts)  # the Fashion model's AUROC (0.2) is below 0.5
    assert sum("AUROC" in s for s in texts) == 2


@pytest.mark.parametrize("call, match", [
    (lambda z: views.sample_outputs(z, "mnist", 10, 4, 0, 2), r"label y must be a whole number from 0 to 9"),
    (lambda z: views.sample_outputs(z, "mnist", -1, 4, 0, 2), r"from 0 to 9"),
    (lambda z: views.sample_outputs(z, "mnist", 1.5, 4, 0, 2), r"whole number"),
    (lambda z: views.sample_outputs(z, "mnist", 1, 0, 0, 2), r"number of samples .* from 1 to 64"),
    (lambda z: views.sample_outputs(z, "mnist", 1, 4, -3, 2), r"seed must be a whole number"),
    (lambda z: views.sample_outputs(z, "mnist", 1, 4, "x", 2), r"seed"),
    (lambda z: views.sample_outputs(z, "mnist", 1, 4, 0, 99), r"from 1 to 8"),
    (lambda z: views.sample_outputs(z, "cifar", 1, 4, 0, 2), r"data set must be one of fashion, mnist"),
    (lambda z: views.classify_outputs(z, "mnist", "gallery", 0, 0), r"input x must come from one of"),
    (lambda z: views.classify_outputs(z, "mnist", "mnist", 20, 0), r"test image index .* from 0 to 19"),
    (lambda z: views.classify_outputs(z, "mnist", "noise", 0, float("nan")), r"seed"),
    (lambda z: views.classify_outputs(z, "mnist", "draw", 0, 0), r"nothing was drawn|draw"),
    (lambda z: views.classify_outputs(z, "mnist", "draw", 0, 0, np.zeros((280, 280, 4), np.uint8)), r"empty"),
    (lambda z: views.classify_outputs(z, "mnist", "upload", 0, 0, None, np.zeros((5000, 10), np.uint8)),
     r"pixels on each side"),
    (lambda z: views.classify_outputs(z, "mnist", "upload", 0, 0, None, np.zeros((4, 4, 7))), r"shape"),
])
def test_bad_input_is_refused_with_what_is_allowed(zoo, call, match):
    with pytest.raises(InputError, match=match):
        call(zoo)


def test_messages_in_chinese(zoo):
    from explorer.i18n import translate_message
    with pytest.raises(InputError) as e:
        views.sample_outputs(zoo, "mnist", 12, 4, 0, 2, lang="zh")
    assert "标签 y必须是 0 到 9 之间的整数" in translate_message(str(e.value), "zh")
    with pytest.raises(InputError, match="数据集必须是"):
        views.classify_outputs(zoo, "cifar", "mnist", 0, 0, lang="zh")


def test_a_drawing_is_framed_and_classified(zoo):
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[40:240, 130:150] = (0, 0, 0, 255)  # a black stroke on a transparent canvas: a "1"
    image, _, _, verdict, numbers = views.classify_outputs(zoo, "mnist", "draw", 0, 0, canvas)
    assert numbers["input"] == "draw" and isinstance(numbers["accepted"], bool)
    assert math.isfinite(numbers["log_px"])
