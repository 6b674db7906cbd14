"""The latent maps' 10,000 test points travel once per page as a shipped picture: the picture is
exactly the shipped map drawn by plots.vae.map_image, and a click's figure carries only its overlays."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import PIL.Image
import pytest

from explorer.plots import vae as plots


def tab_maps(shipped_zoo):
    return [(n, e.map) for n, e in shipped_zoo.vaes.items() if e.map is not None]


def map_images(shipped_zoo):
    return {n: e.map_image for n, e in shipped_zoo.vaes.items() if e.map is not None}


def test_every_tab_map_ships_its_picture_drawn_from_the_map(shipped_zoo):
    maps = tab_maps(shipped_zoo)
    assert maps
    for name, lmap in maps:
        image = map_images(shipped_zoo)[name]
        assert image is not None and image.name == f"{name}.map.png"
        shipped = np.asarray(PIL.Image.open(image).convert("RGBA"))
        drawn = np.asarray(plots.map_image(lmap))
        assert shipped.shape == drawn.shape and np.array_equal(shipped, drawn), name
        assert (shipped[..., 3] > 0).mean() > 0.02  # the points are there


@pytest.mark.parametrize("background", [None, "gradio_api/file=/x/map.png"])
def test_a_click_sends_only_its_overlays_when_the_picture_is_served(shipped_zoo, background):
    lmap = shipped_zoo.vaes["vae_mnist_z32"].map
    path = np.random.default_rng(0).normal(size=(10, 2))
    fig = plots.latent_map(lmap, "t", path=path, prior=path[:5], background=background)
    sent = json.loads(fig.to_json())
    points = sum(len(t.get("x") or []) for t in sent["data"])
    if background is None:  # no picture: every test point travels in the figure
        assert points >= len(lmap.labels)
    else:
        assert points < 50 and len(fig.to_json()) < 10_000
        (image,) = sent["layout"]["images"]
        assert image["source"] == background and image["xref"] == "x" and image["layer"] == "below"
        x0, x1, y0, y1 = plots.map_extent(lmap)  # the picture spans exactly the axes' range
        assert sent["layout"]["xaxis"]["range"] == [x0, x1] and sent["layout"]["yaxis"]["range"] == [y0, y1]
        legend = [t["name"] for t in sent["data"] if t.get("legendgroup") == "data"]
        assert legend == lmap.class_names  # one legend entry per class, in its colour


def test_the_test_set_histogram_is_binned_once(shipped_zoo):
    lmap = shipped_zoo.vaes["vae_mnist_z32"].map
    fig = plots.log_px_histogram(lmap.test_log_px, -90.0, -95.0, 50.0)
    bars = json.loads(fig.to_json())["data"][0]
    assert bars["type"] == "bar" and len(bars["x"]) == 60 and sum(bars["y"]) == len(lmap.test_log_px)


def test_the_pictures_are_served_as_one_folder_holding_nothing_else(shipped_zoo):
    """gradio checks every file an event sends or a page fetches against each static path, resolving
    both: the map pictures are one folder (checkpoints/maps/), and that folder serves nothing else."""
    import gradio as gr
    from gradio import utils
    from gradio.data_classes import _StaticFiles

    from explorer.checkpoints import CHECKPOINT_DIR
    from explorer.ui.common import serve_map_images

    serve_map_images(shipped_zoo)
    folder = (CHECKPOINT_DIR / "maps").resolve()
    gradio_own = Path(gr.__file__).resolve().parent  # gradio marks two of its icons static in any app
    assert {p for p in _StaticFiles.all_paths if gradio_own not in p.parents} == {folder}
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.map.png" for n, _ in tab_maps(shipped_zoo))
    for name, image in map_images(shipped_zoo).items():
        url = shipped_zoo.vaes[name].map_url
        assert utils.is_static_file(str(image)) and url.endswith(f"maps/{name}.map.png")
        weights = CHECKPOINT_DIR / f"{name}.safetensors"
        assert weights.is_file() and not utils.is_static_file(str(weights))  # the weights are not served
