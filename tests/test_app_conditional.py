"""The conditional tab through gradio_client against the launched app (shipped checkpoints): for
each public API name, bad input first (a clear message saying what is allowed), then a working call."""
from __future__ import annotations

import json

import numpy as np
import PIL.Image
import pytest
from gradio_client import handle_file


@pytest.fixture(scope="module", autouse=True)
def shipped_conditional(shipped_zoo):
    missing = {"mnist", "fashion"} - set(shipped_zoo.conditional)
    if missing:
        pytest.fail(f"the shipped conditional VAEs for {sorted(missing)} are missing: "
                    "python -m explorer.training.build --only cvae_mnist cvae_fashion clf_mnist clf_fashion")


def _figure(plot) -> dict:
    assert plot["type"] == "plotly"
    return json.loads(plot["plot"])


def test_conditional_sample_bad_input_then_a_working_call(client):
    with pytest.raises(Exception, match=r"label y must be a whole number from 0 to 9"):
        client.predict("mnist", 10, 16, 0, 4, api_name="/conditional_sample")
    with pytest.raises(Exception, match=r"(maximum value 64|from 1 to 64)"):
        client.predict("mnist", 3, 65, 0, 4, api_name="/conditional_sample")
    with pytest.raises(Exception, match=r"seed"):
        client.predict("mnist", 3, 16, -1, 4, api_name="/conditional_sample")
    with pytest.raises(Exception, match=r"(data set must be one of fashion, mnist|Value: cifar is not in the list)"):
        client.predict("cifar", 3, 16, 0, 4, api_name="/conditional_sample")
    grid, rows, md = client.predict("fashion", 7, 9, 1, 3, api_name="/conditional_sample")
    w, h = PIL.Image.open(grid).size
    assert w == h  # 9 samples: a 3 x 3 grid
    w, h = PIL.Image.open(rows).size
    assert w > 3 * h  # 3 rows of 10 labels
    assert md.startswith("9 samples of **Sneaker**")
    assert client.predict("fashion", 7, 9, 1, 3, api_name="/conditional_sample")[2] == md
    md_zh = client.predict("fashion", 7, 9, 1, 3, "zh", api_name="/conditional_sample")[2]
    assert "运动鞋" in md_zh


def test_classify_bad_input_then_working_calls(client):
    with pytest.raises(Exception, match=r"test image index must be a whole number from 0 to \d+"):
        client.predict("mnist", "mnist", 100000, 0, None, None, api_name="/classify")
    with pytest.raises(Exception, match=r"input x must come from one of"):
        client.predict("mnist", "gallery", 0, 0, None, None, api_name="/classify")
    with pytest.raises(Exception, match=r"nothing was drawn; draw on the sketchpad, or pick a test image or noise"):
        client.predict("mnist", "draw", 0, 0, None, None, api_name="/classify")
    with pytest.raises(Exception, match=r"必须是"):
        client.predict("mnist", "mnist", -5, 0, None, None, "zh", api_name="/classify")

    # an MNIST test digit, MNIST models: accepted, and both classifiers agree with the label
    image, bars, hist, verdict, r = client.predict("mnist", "mnist", 7 * 30 + 1, 0, None, None, api_name="/classify")
    assert PIL.Image.open(image).size[0] > 0
    assert r["true_label"] == 7 and r["accepted"] is True and r["label"] == "7"
    assert r["discriminative_label"] == "7"
    for model in ("discriminative", "generative"):
        assert sum(r[model].values()) == pytest.approx(1.0, abs=1e-4)
    joint = np.array(list(r["log_px_given_y"].values())) + np.log(1 / 10)
    assert r["log_px"] == pytest.approx(float(np.logaddexp.reduce(joint)), abs=0.1)  # p(y) is near uniform
    assert r["log_px"] >= r["threshold"] and "accepted" in verdict
    assert len(_figure(bars)["data"]) == 2 and _figure(hist)["layout"]["shapes"]

    # noise: rejected by the generative model, labelled all the same by the CNN
    r = client.predict("mnist", "noise", 0, 3, None, None, api_name="/classify")[4]
    assert r["accepted"] is False and r["label"] is None and r["log_px"] < r["threshold"]
    assert r["discriminative_label"] is not None

    # a Fashion-MNIST image under the MNIST models: an outlier
    r = client.predict("mnist", "fashion", 0, 0, None, None, api_name="/classify")[4]
    assert r["input"] == "fashion" and r["log_px"] < r["threshold"] and r["accepted"] is False


def test_classify_an_upload(client, tmp_path):
    digit = np.full((120, 90), 255, np.uint8)  # a dark '1' on white paper
    digit[15:105, 40:52] = 10
    path = tmp_path / "one.png"
    PIL.Image.fromarray(digit).save(path)
    r = client.predict("mnist", "upload", 0, 0, None, handle_file(str(path)), api_name="/classify")[4]
    assert r["input"] == "upload" and isinstance(r["accepted"], bool)
    assert r["discriminative"]["1"] > 0.5
