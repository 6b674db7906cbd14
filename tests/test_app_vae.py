"""The VAE tabs through gradio_client against the launched app (shipped checkpoints):
/interpolate, /sample_prior, /sample_posterior, and bad numbers that error cleanly."""
from __future__ import annotations

import json
import re

import numpy as np
import PIL.Image
import pytest
from gradio_client import handle_file

MNIST = "vae_mnist_z2"


def plot_traces(plot) -> list[dict]:
    return json.loads(plot["plot"])["data"]


def test_interpolate_with_plain_json_arguments(client):
    strip, plot, info = client.predict(MNIST, 1, 7, 8, "slerp", 3, api_name="/interpolate")
    assert PIL.Image.open(strip).size[0] > PIL.Image.open(strip).size[1] > 80
    png, gif = client.predict(MNIST, 1, 7, 8, "slerp", 3, api_name="/interpolate_export")  # files on request
    im = PIL.Image.open(gif)
    assert im.format == "GIF" and im.n_frames == 8 + 6  # the path there and back
    assert PIL.Image.open(png).format == "PNG"
    names = [t.get("name") for t in plot_traces(plot)]
    assert "interpolation path" in names and "end points" in names and "7" in names
    assert "8 steps" in info and "class 1)" in info and "class 7)" in info


def test_interpolate_is_reproducible_and_seeded(client):
    a = client.predict(MNIST, -1, -1, 5, "linear", 11, api_name="/interpolate")
    b = client.predict(MNIST, -1, -1, 5, "linear", 11, api_name="/interpolate")
    c = client.predict(MNIST, -1, -1, 5, "linear", 12, api_name="/interpolate")
    assert np.array_equal(np.asarray(PIL.Image.open(a[0])), np.asarray(PIL.Image.open(b[0])))
    assert a[2] == b[2] and a[2] != c[2]


def test_interpolate_with_an_uploaded_end_point(client, tmp_path):
    digit = np.full((120, 90), 255, np.uint8)  # a dark '1' on white paper
    digit[15:105, 40:52] = 10
    path = tmp_path / "one.png"
    PIL.Image.fromarray(digit).save(path)
    out = client.predict(MNIST, 1, 7, 6, "linear", 0, "upload", "gallery", None, handle_file(str(path)),
                         api_name="/interpolate")
    assert "your upload" in out[2]


def test_interpolate_and_posterior_from_a_sketch_sent_through_the_api(client, tmp_path):
    """A Sketchpad value as gradio_client sends it: black strokes on a transparent RGBA canvas."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[60:80, 80:200, 3] = 255  # the bar of a '7'
    for i in range(150):
        canvas[80 + i, 190 - i // 2 - 10:190 - i // 2 + 10, 3] = 255
    path = tmp_path / "seven.png"
    PIL.Image.fromarray(canvas, "RGBA").save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    info = client.predict(MNIST, 1, 7, 6, "linear", 0, "draw", "gallery", sketch, api_name="/interpolate")[2]
    assert "your drawing" in info
    md = client.predict(MNIST, 3, 0, 4, 500, "draw", sketch, api_name="/sample_posterior")[5]
    assert "your drawing" in md and "ELBO" in md


def test_sample_prior_reproducible(client):
    g1, plot = client.predict("vae_mnist_z32", 5, 1.0, 16, api_name="/sample_prior")
    g2, _ = client.predict("vae_mnist_z32", 5, 1.0, 16, api_name="/sample_prior")
    g3, _ = client.predict("vae_mnist_z32", 6, 1.0, 16, api_name="/sample_prior")
    a1, a2, a3 = (np.asarray(PIL.Image.open(g)) for g in (g1, g2, g3))
    assert a1.shape[0] == a1.shape[1] > 4 * 84 and np.array_equal(a1, a2) and not np.array_equal(a1, a3)
    assert any(t.get("name") == "prior samples z ~ p(z)" for t in plot_traces(plot))


def test_sample_posterior_shows_the_elbo_gap_and_percentile(client):
    out = client.predict(MNIST, 3, 0, 8, 1000, api_name="/sample_posterior")
    inputs_img, samples_img, mu_sigma, kl, hist, md, latent = out[:7]
    elbo = float(re.search(r"\*\*= ELBO\*\* \| \*\*(-?[\d.]+)\*\*", md).group(1))
    log_px = float(re.search(r"k = 1000 \| \*\*(-?[\d.]+)\*\*", md).group(1))
    assert elbo <= log_px + 0.5
    pct = float(re.search(r"higher than ([\d.]+) %", md).group(1))
    assert 0.0 <= pct <= 100.0
    names = [t.get("name") for t in plot_traces(latent)]
    assert {"prior samples z ~ p(z)", "posterior samples z ~ q(z|x)", "μ(x): this x's mean"} <= set(names)
    assert PIL.Image.open(samples_img).size[0] > PIL.Image.open(samples_img).size[1]


def test_a_fashion_item_is_an_outlier_under_the_mnist_model(client, shipped_zoo, tmp_path):
    """The lecture's point: a density model flags data unlike its training set."""
    if "vae_fashion_z2" not in shipped_zoo.vaes:
        pytest.skip("no Fashion-MNIST model shipped")
    lmap = shipped_zoo.vae("vae_fashion_z2").map
    i = int(np.nonzero(lmap.gallery_labels == 2)[0][0])  # a pullover
    path = tmp_path / "pullover.png"
    PIL.Image.fromarray((lmap.gallery[i, 0].numpy() * 255).astype(np.uint8)).save(path)
    md = client.predict("vae_mnist_z32", -1, 0, 4, 1000, "upload", None, handle_file(str(path)),
                        api_name="/sample_posterior")[5]
    pct = float(re.search(r"higher than ([\d.]+) %", md).group(1))
    assert pct < 5.0 and ("Outlier" in md or "Unusual" in md)


@pytest.mark.parametrize("api,args,message", [
    ("/interpolate", (MNIST, 1, 7, 100, "linear", 0), "32"),
    ("/interpolate", (MNIST, 1, 7, 5, "linear", -1), "0"),
    ("/interpolate", (MNIST, 12, 7, 5, "linear", 0), "from -1 to 9"),
    ("/sample_prior", (MNIST, 0, 9.0, 16), "3"),
    ("/sample_posterior", (MNIST, 3, 0, 8, 100000), "2000"),
    ("/sample_posterior", (MNIST, 3, 0, 8, 100, "draw"), "draw a digit"),
])
def test_out_of_range_calls_error_cleanly_and_the_server_keeps_serving(client, api, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)
    grid, _ = client.predict(MNIST, 0, 1.0, 4, api_name="/sample_prior")
    assert PIL.Image.open(grid).size[0] > 0
