"""The per-pixel tab's work (views/pixels) on a tiny PixelCNN and the tiny zoo: no dataset, no
shipped checkpoints."""
import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from explorer.errors import InputError
from explorer.models.pixelcnn import PixelCNN, PixelCNNConfig
from explorer.views import pixels as views
from explorer.zoo import PixelEntry, PixelTestSet


@pytest.fixture(scope="module")
def zoo():
    from conftest import make_tiny_zoo
    z = make_tiny_zoo()
    torch.manual_seed(0)
    model = PixelCNN(PixelCNNConfig(n_channels=8, n_layers=2, n_head=16)).eval()
    rng = np.random.default_rng(0)
    test = PixelTestSet(-100 - rng.gamma(2, 5, 300), -105 - rng.gamma(2, 5, 300), -110 - rng.gamma(2, 5, 300),
                        np.arange(300) % 10, "vae_mnist_z4")
    z.pixelcnns["pixelcnn_mnist"] = PixelEntry("pixelcnn_mnist", model, {}, test, "vae_mnist_z4")
    return z


def test_score_is_the_chain_rule_on_the_vae_s_binarised_pixels(zoo):
    entry = zoo.pixelcnn()
    vae_entry = zoo.vae(entry.vae)
    x = vae_entry.map.gallery[:1]
    s = views.score(entry.model, vae_entry, x, pixel=300, k=50, seed=0, test=entry.test)
    assert set(np.unique(s.x_bin.numpy())) <= {0.0, 1.0}
    assert s.running[-1] == pytest.approx(s.log_px, abs=1e-4)
    with torch.no_grad():
        assert s.log_px == pytest.approx(float(entry.model.log_prob(s.x_bin)), abs=1e-3)
    assert (s.saliency.reshape(-1)[300:] == 0).all() and s.saliency.reshape(-1)[:300].max() > 0
    assert s.elbo <= s.iwae + 1.0 and 0.0 <= s.percentile <= 100.0


def test_outputs_of_each_section(zoo):
    strip, maps, mask, running, md = views.probability_outputs(zoo, 3, 0, 100, 20)
    assert strip.ndim == 3 and "exact log p(x)" in md
    for fig in (maps, mask, running):
        go.Figure(fig.to_dict())  # a valid plotly figure (validated in full)
    grid, gif, md, state = views.sample_outputs(zoo, 2, 0, 1.0)
    assert state["x"].shape == (2, 1, 28, 28) and md.startswith("2 digits") and gif.endswith(".gif")
    assert views.relabel_samples(state, "en") == md and "随机种子 0" in views.relabel_samples(state, "zh")
    frame = views.frame_outputs(zoo, state, 30)
    assert frame.ndim == 3
    image, md = views.complete_outputs(zoo, 7, 0, 20, 3, 1.0)
    assert image.shape[1] > 3 * image.shape[0] and "3 completions" in md
    go.Figure(views.scatter_output(zoo).to_dict())


def test_text_follows_the_language(zoo):
    md = views.probability_outputs(zoo, 3, 0, 100, 20, lang="zh")[4]
    assert "精确的 log p(x)" in md and "证据下界" in md
    assert "的掩码" in views.probability_outputs(zoo, 3, 0, 100, 20, lang="zh")[2].layout.title.text
    assert "补全" in views.complete_outputs(zoo, 7, 0, 20, 2, 1.0, lang="zh")[1]
    assert "测试集" in views.scatter_output(zoo, "zh").layout.title.text


def test_completion_keeps_the_top_rows(zoo):
    entry = zoo.pixelcnn()
    x = zoo.vae(entry.vae).map.gallery[:1]
    out = views.complete(entry.model, x, keep_rows=20, n=3, seed=1)
    assert torch.equal(out.completions[:, :, :20], out.x_bin.expand(3, -1, -1, -1)[:, :, :20])


def test_sampling_is_seeded(zoo):
    m = zoo.pixelcnn().model
    assert torch.equal(views.sample(m, 2, seed=3).x, views.sample(m, 2, seed=3).x)


@pytest.mark.parametrize("call,message", [
    (lambda z: views.probability_outputs(z, 3, 0, 784), "pixel index i must be a whole number from 0 to 783"),
    (lambda z: views.probability_outputs(z, 3, 0, 2.5), "pixel index i must be a whole number"),
    (lambda z: views.probability_outputs(z, 3, 0, 10, 20, "draw"), "draw a digit"),
    (lambda z: views.sample_outputs(z, 17), "number of samples must be a whole number from 1 to 16"),
    (lambda z: views.sample_outputs(z, 2, 0, 0.0), "temperature must be a number from 0.25 to 2"),
    (lambda z: views.complete_outputs(z, 7, 0, 28), "rows kept must be a whole number from 1 to 27"),
    (lambda z: views.complete_outputs(z, 7, 0, 14, 0), "number of completions must be a whole number from 1 to 16"),
    (lambda z: views.frame_outputs(z, None, 3), "press 'Sample'"),
    (lambda z: views.frame_outputs(z, {"x": np.zeros((1, 1, 28, 28))}, 785), "step must be a whole number from 0 to 784"),
])
def test_bad_input_says_what_is_allowed(zoo, call, message):
    with pytest.raises(InputError, match=message):
        call(zoo)
