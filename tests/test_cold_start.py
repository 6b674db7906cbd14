"""Cold start: the page is built from the checkpoints' JSON without importing torch; the models, the
tabs' work and their first views load just after the app starts serving (app.warm_up), or at the
first click that needs them. What the catalogue says before loading is what loading gives."""
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from explorer.zoo import Later, Loadable, load_zoo

ROOT = Path(__file__).resolve().parent.parent


def run(code: str, timeout: int = 300) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_building_the_page_imports_no_torch():
    code = ("import sys, app; demo, site, zoo = app.build_page(); "
            "assert 'torch' not in sys.modules, [m for m in sys.modules if m.startswith('explorer')]; "
            "assert 'safetensors.torch' not in sys.modules; "
            "print(len(demo.fns), len(site.lazies))")
    fns, lazies = map(int, run(code).split())
    assert fns > 100 and lazies >= 9  # every tab's first view is lazy, the three VAE and token tabs included


def test_warm_up_loads_every_model_and_the_tabs_work():
    code = ("import sys, app, torch; from explorer.zoo import Later; demo, site, zoo = app.build_page(); "
            "app.warm_up(zoo); "
            "left = [(type(e).__name__, f) for e in zoo.entries() for f in e.__dataclass_fields__ "
            "        if type(object.__getattribute__(e, f)) is Later]; "
            "assert not left, left; "
            "from explorer.ui.deferred import NAMED; assert len(NAMED) >= 10 and all(m in sys.modules for m in NAMED); "
            "assert not site._made, 'first views are computed when a page first opens a tab'; "
            "assert torch.get_num_threads() == 1; print('ok')")
    assert run(code) == "ok"


def test_the_catalogue_says_what_the_loaded_models_are():
    zoo = load_zoo()  # read from the JSON: nothing loaded yet
    for name, e in zoo.vaes.items():
        assert type(object.__getattribute__(e, "model")) is Later
        latent = e.latent_dim
        assert e.model.config.latent_dim == latent, name
        assert e.ships("map") == (e.map is not None), name
        if e.map is not None:
            assert e.class_names == e.map.class_names and e.map_image is not None and e.map_image.is_file()
    for p in zoo.sweep:
        assert p.beta == p.model.config.beta and p.latent_dim == p.model.config.latent_dim
    for p in zoo.sigmas:
        assert p.sigma_x == p.model.config.sigma_x
    for name, e in zoo.lms.items():
        assert e.kind == e.model.kind
        for key in ("n_layer", "n_head") if e.kind == "transformer" else ():
            assert e.shape(key) == getattr(e.model.config, key)
        assert e.vocab.size == e.model.config.vocab_size
    for e in zoo.pixelcnns.values():
        assert e.n_pixels == e.model.config.n_pixels and e.ships("test") == (e.test is not None)
        assert e.test is None or e.vae == e.test.vae
    assert zoo.conditional
    for e in zoo.conditional.values():
        assert e.gallery_size == len(e.record.gallery) == e.gallery_count()


def test_the_zoo_reads_no_torch_and_a_broken_catalogue_names_its_file(tmp_path):
    code = "import sys; from explorer.zoo import load_zoo; z = load_zoo(); print('torch' in sys.modules)"
    assert run(code) == "False"
    (tmp_path / "x.json").write_text('{"kind": "nonsense", "config": {}}')
    (tmp_path / "x.safetensors").write_bytes(b"")
    from explorer.checkpoints import CheckpointError
    with pytest.raises(CheckpointError, match="unknown kind"):
        load_zoo(tmp_path)


def test_a_later_part_loads_once_whichever_threads_ask_first():
    calls = []
    barrier = threading.Barrier(8)

    def slow_load(x):
        calls.append(x)
        return {"value": x}

    class Entry(Loadable):
        def __init__(self):
            self.part = Later(slow_load, 7)

    entry = Entry()
    got = []

    def ask():
        barrier.wait()
        got.append(entry.part)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [7] and all(g is got[0] for g in got) and got[0] == {"value": 7}
    assert entry.ships("part")


def test_a_failed_load_is_retried_and_says_why():
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return 42

    class Entry(Loadable):
        def __init__(self):
            self.part = Later(flaky)

    entry = Entry()
    with pytest.raises(OSError, match="hiccup"):
        entry.part
    assert entry.part == 42 and len(attempts) == 2
