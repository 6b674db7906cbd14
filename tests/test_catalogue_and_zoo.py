"""The catalogue (what ships, and how it is trained) and the zoo's map helpers."""
import json
import shlex

import numpy as np
import torch

from explorer.training import pixelcnn as pixelcnn_training
from explorer.training.catalogue import PIXELCNN, RECIPES, TRAIN, train_argv
from explorer.checkpoints import CHECKPOINT_DIR
from explorer.training.train import parse_args
from explorer.zoo import LatentMap

MODELS = json.loads((CHECKPOINT_DIR / "manifest.json").read_text())["models"]
IGNORED = {"out", "threads", "data", "data_root", "argv"}  # where it ran, not what it trained


def settings(argv: list[str], module: str = TRAIN) -> dict:
    parse = pixelcnn_training.parse_args if module == PIXELCNN else parse_args
    return {k: v for k, v in vars(parse(argv)).items() if k not in IGNORED}


def test_every_recipe_parses_and_matches_the_command_that_trained_the_shipped_file():
    for r in RECIPES:
        ours = settings(train_argv(r, "../shared/data"), r.module)
        recorded = shlex.split(MODELS[r.name]["command"])
        assert recorded[:3] == ["python", "-m", r.module], r.name
        assert settings(recorded[3:], r.module) == ours, r.name


def test_sweep_differs_from_the_headline_only_in_beta():
    head = settings(train_argv(next(r for r in RECIPES if r.name == "vae_mnist_z32"), "d"))
    for r in RECIPES:
        if r.role == "sweep":
            s = settings(train_argv(r, "d"))
            assert s["beta"] != 1.0 and {**s, "beta": 1.0} == head


def tiny_map(z_dim):
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(50, z_dim, generator=g)
    coords = np.random.default_rng(0).normal(size=(50, 2))
    return LatentMap(mu=mu, coords=coords, labels=np.arange(50) % 10, gallery=torch.zeros(10, 1, 28, 28),
                     gallery_labels=np.arange(10), test_log_px=np.linspace(-200, -100, 50),
                     class_names=[str(i) for i in range(10)], method="UMAP")


def test_projection_puts_a_stored_latent_on_its_own_coordinates():
    m = tiny_map(8)
    assert np.allclose(m.project(m.mu[[3, 7]]), m.coords[[3, 7]], atol=1e-4)
    between = m.project((m.mu[3] + m.mu[7]) / 2)
    lo, hi = m.coords.min(0), m.coords.max(0)
    assert ((lo <= between) & (between <= hi)).all()  # a weighted mean of stored points


def test_two_d_latents_are_their_own_map():
    m = tiny_map(2)
    z = torch.tensor([[0.5, -1.0]])
    assert np.allclose(m.project(z), z.numpy())


def test_log_px_percentile():
    m = tiny_map(2)
    assert m.log_px_percentile(-1e9) == 0.0 and m.log_px_percentile(0.0) == 100.0
    assert 45 <= m.log_px_percentile(-150.0) <= 55
