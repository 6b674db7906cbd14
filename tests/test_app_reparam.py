"""The reparameterisation tab through gradio_client against the launched app (shipped checkpoints):
bad input first (a clear message saying what is allowed), then working calls."""
from __future__ import annotations

import json

import numpy as np
import PIL.Image
import pytest
from gradio_client import handle_file


def _figure(plot) -> dict:
    assert plot["type"] == "plotly"
    return json.loads(plot["plot"])


def _call(client, *args, lang=None):
    extra = () if lang is None else (lang,)
    return client.predict(*args, *extra, api_name="/reparameterize")


def test_reparameterize_bad_input_then_a_working_call(client):
    with pytest.raises(Exception, match=r"(maximum value 64|from 1 to 64)"):
        _call(client, "vae_mnist_z2", 3, 0, 0, 100, "gallery", None, None)
    with pytest.raises(Exception, match=r"(minimum value 0|seed must be a whole number)"):
        _call(client, "vae_mnist_z2", 3, 0, -5, 8, "gallery", None, None)
    with pytest.raises(Exception, match=r"(model must be one of|not in the list of choices|Value: .* is not in)"):
        _call(client, "vae_fashion_z2", 3, 0, 0, 8, "gallery", None, None)
    with pytest.raises(Exception, match=r"draw a digit"):
        _call(client, "vae_mnist_z2", 3, 0, 0, 8, "draw", None, None)
    main, images, graph, md, raw = _call(client, "vae_mnist_z2", 3, 0, 0, 16, "gallery", None, None)
    assert PIL.Image.open(images).size[0] > 0
    assert "test image" in md and "∂L/∂σ" in md
    eps, z = np.array(raw["eps"]), np.array(raw["z"])
    mu, sigma = np.array(raw["mu"]), np.array(raw["sigma"])
    assert eps.shape == z.shape == (16, 2) and mu.shape == sigma.shape == (2,)
    assert np.allclose(z, mu + sigma * eps, atol=1e-5)
    assert np.allclose(raw["dz_dmu"], 1.0) and np.allclose(raw["dz_dsigma"], eps)
    assert np.abs(raw["grad_mu"]).sum() > 0 and np.abs(raw["grad_sigma"]).sum() > 0
    assert not np.any(raw["direct"]["grad_mu"]) and not np.any(raw["direct"]["grad_sigma"])
    fig = _figure(main)
    draws = [t for t in fig["data"] if t.get("name", "").startswith("draws i")]
    assert len(draws) == 1 and len(draws[0]["x"]) == 16
    assert any("nothing flows back" in a.get("text", "") for a in _figure(graph)["layout"]["annotations"])
    # seeded: the same draws again; another seed, other draws of the same q(z|x)
    assert _call(client, "vae_mnist_z2", 3, 0, 0, 16, "gallery", None, None)[4]["eps"] == raw["eps"]
    other = _call(client, "vae_mnist_z2", 3, 0, 1, 16, "gallery", None, None)[4]
    assert other["eps"] != raw["eps"] and other["mu"] == raw["mu"]


def test_reparameterize_the_32_d_model_in_chinese(client):
    *_, md, raw = _call(client, "vae_mnist_z32", -1, 4, 2, 8, "gallery", None, None, lang="zh")
    assert "重建损失" in md and np.array(raw["z"]).shape == (8, 32)


def test_reparameterize_an_upload(client, tmp_path):
    digit = np.full((120, 90), 255, np.uint8)  # a dark '1' on white paper
    digit[15:105, 40:52] = 10
    path = tmp_path / "one.png"
    PIL.Image.fromarray(digit).save(path)
    md = _call(client, "vae_mnist_z2", -1, 0, 0, 4, "upload", None, handle_file(str(path)))[3]
    assert "your upload" in md
