"""Shared fixtures.

- `tiny_zoo`: untrained tiny models under a fixed seed plus a synthetic latent map; fast tests of
  tab functions use it, so they need neither the dataset nor the shipped checkpoints.
- `shipped_zoo`: the real checkpoints (tests named test_shipped_* / test_app_* use it).
- `app_url`: the real app launched once per test session on a free local port.
- `count_importance_sampling(monkeypatch, model)`, `load_script(name)`: helpers.
"""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from explorer.data import CLASS_NAMES  # noqa: E402
from explorer.models import (GRUConfig, GRULanguageModel, Transformer, TransformerConfig, VAE,  # noqa: E402
                             VAEConfig, Vocab)
from explorer.zoo import LatentMap, LMEntry, SweepPoint, VAEEntry, Zoo, word_hash  # noqa: E402

TINY_WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "zoe", "liam", "noah", "jack"]


def make_tiny_zoo(seed: int = 0) -> Zoo:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    zoo = Zoo()
    for dataset in ("mnist", "fashion"):
        for z_dim in (2, 4):
            model = VAE(VAEConfig(hidden=(32,), latent_dim=z_dim)).eval()
            n = 200
            images = torch.rand(n, 1, 28, 28, generator=g)
            labels = np.arange(n) % 10
            with torch.no_grad():
                mu, _ = model.encode(images)
            coords = mu.numpy()[:, :2].astype(np.float64)
            lmap = LatentMap(mu=mu, coords=coords, labels=labels, gallery=images[:100],
                             gallery_labels=labels[:100], test_log_px=np.linspace(-700, -500, n),
                             class_names=CLASS_NAMES[dataset], method="latent plane" if z_dim == 2 else "UMAP")
            name = f"vae_{dataset}_z{z_dim}"
            zoo.vaes[name] = VAEEntry(name, model, {"kind": "vae", "dataset": dataset}, lmap)
    for beta in (0.5, 1.0, 4.0):
        model = VAE(VAEConfig(hidden=(32,), latent_dim=4, beta=beta)).eval()
        zoo.sweep.append(SweepPoint(beta, f"sweep_beta{beta:g}", model, rate=20 / beta, distortion=80 + 5 * beta,
                                    kl_per_dim=[5 / beta] * 4))
    vocab = Vocab.from_words(TINY_WORDS)
    hashes = frozenset(word_hash(w) for w in TINY_WORDS)
    t = Transformer(TransformerConfig(vocab.size, vocab.block_size, n_layer=2, n_head=2, n_embd=16)).eval()
    r = GRULanguageModel(GRUConfig(vocab.size, vocab.block_size, n_embd=8, n_hidden=16)).eval()
    zoo.lms["names_transformer"] = LMEntry("names_transformer", t, vocab, {"kind": "transformer"}, hashes)
    zoo.lms["names_gru"] = LMEntry("names_gru", r, vocab, {"kind": "gru"}, hashes)
    return zoo


@pytest.fixture(scope="session")
def tiny_zoo() -> Zoo:
    return make_tiny_zoo()


@pytest.fixture(scope="session")
def shipped_zoo():
    from explorer.zoo import load_zoo
    return load_zoo()


def count_importance_sampling(monkeypatch, model) -> list:
    """A list that gets an item at every importance sampling of any model of model's class."""
    calls: list = []
    sample = type(model).importance_samples
    monkeypatch.setattr(type(model), "importance_samples",
                        lambda self, *a, **kw: calls.append(1) or sample(self, *a, **kw))
    return calls


def load_script(name: str):
    """scripts/<name>.py as a module (the scripts are not a package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(shipped_zoo):
    """The real app (shipped checkpoints) with the launch settings of app.py."""
    import app as front_door

    demo = front_door.build_demo(shipped_zoo)  # with the app's queue settings
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **front_door.LAUNCH)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client
    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (CI installs it: see tests/setup.sh)."""
    pw = pytest.importorskip("playwright.sync_api")
    exe = "/usr/bin/chromium"
    if not Path(exe).exists():
        pytest.fail("chromium is not installed at /usr/bin/chromium; run tests/setup.sh first")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.goto(app_url)
    pg.wait_for_selector("text=VAE & Autoregressive Explorer", timeout=60_000)
    yield pg
    context.close()


SCREENSHOTS = ROOT / "tests" / "screenshots"


def open_view(browser, app_url, query: str, locale: str = "en-US", viewport=(1400, 1000)):
    """A new browser context on the app at query ("?tab=...&lang=..."), once the page bar is drawn."""
    context = browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(app_url + query)
    page.wait_for_selector("#lang-switch", timeout=60_000)
    return context, page
