"""The per-pixel tab through gradio_client against the launched app (shipped checkpoints): for each
public API name, bad input first (a clear message saying what is allowed), then a working call."""
from __future__ import annotations

import json
import re

import numpy as np
import PIL.Image
import pytest
from gradio_client import handle_file


@pytest.fixture(scope="module", autouse=True)
def shipped_pixelcnn(shipped_zoo):
    if not shipped_zoo.pixelcnns:
        pytest.fail("the shipped checkpoint pixelcnn_mnist is missing: train it (README) first")


def _figure(plot) -> dict:
    assert plot["type"] == "plotly"
    return json.loads(plot["plot"])


def _nats(md: str, label: str) -> float:
    row = next(line for line in md.splitlines() if label in line)
    return float(re.findall(r"-?\d+\.\d+", row.split("|")[-2])[0])


def test_pixel_probabilities_bad_input_then_a_working_call(client):
    with pytest.raises(Exception, match=r"(maximum value 783|from 0 to 783)"):
        client.predict(3, 0, 784, 100, "gallery", None, None, api_name="/pixel_probabilities")
    with pytest.raises(Exception, match=r"draw a digit"):
        client.predict(3, 0, 406, 100, "draw", None, None, api_name="/pixel_probabilities")
    strip, maps, mask, running, md = client.predict(3, 0, 406, 500, "gallery", None, None,
                                                    api_name="/pixel_probabilities")
    assert PIL.Image.open(strip).size[0] > 0
    exact = _nats(md, "PixelCNN: exact log p(x)")
    iwae = _nats(md, "importance-sampled, k = 500")
    elbo = _nats(md, "ELBO")
    assert elbo <= iwae + 1.0  # the bound sits below the estimate (up to Monte Carlo noise)
    assert -200 < exact < 0  # a trained model on a real test digit
    p_one = np.array(_figure(maps)["data"][0]["z"], dtype=float)
    assert p_one.shape == (28, 28) and ((0 <= p_one) & (p_one <= 1)).all()
    # the running sum ends at the stated exact log p(x)
    assert _figure(running)["data"][0]["y"][-1] == pytest.approx(exact, abs=0.01)
    # the mask: nothing at or after pixel 406 is coloured
    z = _figure(mask)["data"][1]["z"]
    flat = [v for row in z for v in row]
    assert all(v is None for v in flat[406:]) and any(v is not None and v > 0 for v in flat[:406])


def test_pixel_probabilities_of_an_upload(client, tmp_path):
    digit = np.full((120, 90), 255, np.uint8)  # a dark '1' on white paper
    digit[15:105, 40:52] = 10
    path = tmp_path / "one.png"
    PIL.Image.fromarray(digit).save(path)
    md = client.predict(-1, 0, 406, 100, "upload", None, handle_file(str(path)), api_name="/pixel_probabilities")[4]
    assert "your upload" in md and "exact log p(x)" in md


def test_pixel_complete_bad_input_then_a_working_call(client):
    with pytest.raises(Exception, match=r"(minimum value 1\b|from 1 to 27)"):
        client.predict(7, 0, 0, 4, 1.0, "gallery", None, None, api_name="/pixel_complete")
    with pytest.raises(Exception, match=r"(maximum value 16|from 1 to 16)"):
        client.predict(7, 0, 14, 100, 1.0, "gallery", None, None, api_name="/pixel_complete")
    image, md = client.predict(7, 0, 14, 4, 1.0, "gallery", None, None, api_name="/pixel_complete")
    w, h = PIL.Image.open(image).size
    assert w > 3 * h  # original | given | 4 completions, side by side
    assert md.count(", ") >= 3 and "completions" in md
    again = client.predict(7, 0, 14, 4, 1.0, "gallery", None, None, api_name="/pixel_complete")[1]
    assert again == md  # seeded: the same completions


def test_pixel_sample_bad_input_then_a_working_call(client):
    with pytest.raises(Exception, match=r"(maximum value 2\.0|from 0.25 to 2)"):
        client.predict(4, 0, 5.0, api_name="/pixel_sample")
    grid, gif, md = client.predict(4, 0, 1.0, api_name="/pixel_sample")
    assert PIL.Image.open(grid).size[0] > 0
    assert PIL.Image.open(gif).n_frames > 10
    assert md.startswith("4 digits")
