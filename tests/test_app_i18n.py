"""The running app (shipped checkpoints) through gradio_client: the optional `lang` of the endpoints
that return text. Without it, English as before; with "zh", the same numbers in Chinese."""
from __future__ import annotations

import re

import pytest
from gradio_client.exceptions import AppError

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_token_probabilities_in_chinese(client):
    en = client.predict("names_transformer", "olivia", api_name="/token_probabilities")
    zh = client.predict("names_transformer", "olivia", lang="zh", api_name="/token_probabilities")
    assert not CJK.search(en[1]) and CJK.search(zh[1])
    assert en[1].split("```")[1] == zh[1].split("```")[1]  # the chain rule itself, the same formula
    assert en[4]["headers"][1] == "context x<t" and zh[4]["headers"][1] == "上下文 x<t"
    assert en[4]["data"] == zh[4]["data"]


def test_the_sweep_and_the_posterior_in_chinese(client):
    summary = client.predict(4.0, 0, "zh", api_name="/tradeoff")[0]
    assert "码率" in summary and "β = 4" in summary
    numbers = client.predict("vae_mnist_z32", 3, 0, 8, 100, lang="zh", api_name="/sample_posterior")[5]
    assert "证据下界" in numbers and "重建" in numbers
    samples, md = client.predict("names_gru", 0.8, 0, 42, 5, lang="zh", api_name="/generate")
    assert samples["headers"][1] == "名字" and CJK.search(md)


def test_refusals_in_the_language_asked_for(client):
    with pytest.raises(AppError, match="未知字符"):
        client.predict("names_transformer", "Zoë!", lang="zh", api_name="/token_probabilities")
    with pytest.raises(AppError, match="unknown character"):
        client.predict("names_transformer", "Zoë!", api_name="/token_probabilities")
    with pytest.raises(AppError, match="步数必须是 2 到 32 之间的整数"):
        client.predict("vae_mnist_z2", 1, 7, 99, "slerp", 0, lang="zh", api_name="/interpolate")


def test_an_unknown_language_means_english(client):
    out = client.predict("names_transformer", "emma", lang="fr", api_name="/token_probabilities")
    assert not CJK.search(out[1])


def test_the_api_description_names_parameters_by_their_english_labels(client):
    """The page's "Use via API" and view_api: labels as text, not the translation keys they are built from."""
    from explorer.i18n import t
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    items = [item for endpoint in info.values() for item in endpoint["parameters"] + endpoint["returns"]]
    assert len(items) > 100 and all(isinstance(item["label"], str) for item in items)
    model, class_a = info["/interpolate"]["parameters"][:2]
    assert (model["label"], class_a["label"]) == (t("vae.model"), t("img.class"))
    assert info["/interpolate"]["returns"][0]["label"] == t("interp.strip")
