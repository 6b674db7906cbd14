"""The front door: start-up work, launch settings, and the Spaces front matter."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import app as front_door

ROOT = Path(__file__).resolve().parent.parent


def test_startup_loads_shipped_models_without_fitting_or_importing_umap():
    # the page, then what the app does once it serves (app.warm_up: every model and first view)
    code = ("import sys, app; demo, site, zoo = app.build_page(); app.warm_up(zoo); "
            "assert 'umap' not in sys.modules, 'umap imported at start-up'; "
            "assert 'torchvision' not in sys.modules, 'torchvision imported at start-up'; "
            "print(len(demo.fns))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip().splitlines()[-1]) > 10


def test_importing_the_app_does_no_work():
    code = ("import explorer.checkpoints as c; calls = []; "
            "c.load = lambda *a, **k: calls.append(a); "
            "import app; assert not calls, calls; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_safe_launch_settings():
    assert front_door.LAUNCH["max_file_size"] == "2mb"
    assert front_door.LAUNCH["enable_monitoring"] is False
    assert "allowed_paths" not in front_door.LAUNCH and "share" not in front_door.LAUNCH
    import gradio
    major, minor = (int(p) for p in gradio.__version__.split(".")[:2])
    assert (major, minor) >= (6, 22)


def test_public_api_names(shipped_zoo):
    demo = front_door.build_demo(shipped_zoo)
    names = {f.api_name for f in demo.fns.values() if f.api_name}
    assert {"interpolate", "sample_prior", "sample_posterior", "token_probabilities", "generate",
            "tradeoff", "live_start", "live_status", "live_set_beta", "live_stop"} <= names


def test_readme_is_a_space():
    head = (ROOT / "README.md").read_text().split("---")[1]
    assert "sdk: gradio" in head and "app_file: app.py" in head


def test_memory_tuning_runs_once_and_trims():
    import threading

    from explorer.ui import memory
    if not sys.platform.startswith("linux"):
        assert memory.tune() is False
        return
    assert memory.tune() is True and memory.tune() is True
    assert [t.name for t in threading.enumerate()].count("malloc-trim") == 1
    assert memory.trim() is True


def test_freezing_start_up_objects_keeps_them_out_of_full_collections_and_drops_garbage_first():
    """memory.freeze (memory.start_up_done, which app.main calls after the warm-up): the collector's full
    collections no longer walk what the page and the models hold. In a process of its own: a frozen
    test process would keep every test's objects."""
    code = textwrap.dedent("""
        import gc, weakref
        import app
        from explorer.ui import memory
        demo, site, zoo = app.build_page()
        class Cycle: pass
        a, b = Cycle(), Cycle(); a.b, b.a = b, a
        gone = weakref.ref(a); del a, b          # garbage, reachable only from itself
        frozen = memory.freeze()
        assert gone() is None                    # collected before the freeze, not kept with it
        assert frozen == gc.get_freeze_count() > 100_000
        assert len(gc.get_objects()) < frozen / 100  # a full collection now walks only what came after
        kept = Cycle(); kept.me = kept
        assert memory.freeze(collect=False) > frozen
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-1] == "ok"


def test_python_app_py_collects_no_garbage_until_warm_then_freezes_and_answers():
    """`python app.py` (the README's start command; what Spaces runs): the collector is off from the
    first line to the end of the warm-up, whose one full collection comes before the freeze; then it is
    on again, the start-up objects are frozen, and the app answers a click."""
    code = textwrap.dedent("""
        import gc, os, runpy, threading, time, urllib.request
        seen = []  # (generation, collector on?) of each collection, as it starts
        gc.callbacks.append(lambda phase, info: phase == "start" and seen.append((info["generation"], gc.isenabled())))
        threading.Thread(target=runpy.run_path, args=("app.py",), kwargs={"run_name": "__main__"}, daemon=True).start()
        url = f"http://127.0.0.1:{os.environ['GRADIO_SERVER_PORT']}/"
        for _ in range(600):
            time.sleep(0.1)
            try:
                urllib.request.urlopen(url, timeout=5); break
            except OSError:
                pass
        while not gc.isenabled():  # off since app.py's first lines (the page serves): on after the warm-up
            time.sleep(0.05)
        assert gc.isenabled() and gc.get_freeze_count() > 100_000, (gc.isenabled(), gc.get_freeze_count())
        assert seen and seen[0] == (2, False), seen[:5]  # none before the warm-up's own full collection
        from gradio_client import Client
        grid, _plot = Client(url, verbose=False).predict("vae_mnist_z32", 5, 1.0, 16, api_name="/sample_prior")
        assert grid
        print("ok", flush=True)
        os._exit(0)
    """)
    from conftest import free_port
    env = {**os.environ, "GRADIO_SERVER_PORT": str(free_port())}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-1] == "ok"


def test_the_queue_skips_gradios_dashboard_summary(monkeypatch):
    """gradio rebuilds a pandas summary of its last events after every event, for a dashboard the app
    turns off; the app's setting makes its queue skip that (and keep fewer records)."""
    import gradio as gr

    from explorer.ui import hardening
    monkeypatch.delenv("GRADIO_ANALYTICS_CACHE_FREQUENCY", raising=False)
    monkeypatch.delenv("GRADIO_ANALYTICS_MAX_EVENTS", raising=False)
    hardening.no_queue_analytics()
    with gr.Blocks() as demo:
        gr.Button().click(lambda: None)
    demo.queue()
    queue = demo._queue
    queue.events_recorded = 10**6  # a long class: the summary is still not rebuilt
    assert queue.compute_analytics_summary([{"function": "f", "status": "success", "process_time": 0.1}]) \
        == {"functions": {}}
    assert queue.ANALYTICS_MAX_EVENTS == 1000
    monkeypatch.setenv("GRADIO_ANALYTICS_MAX_EVENTS", "50")  # a deployer's own setting is kept
    hardening.no_queue_analytics()
    assert os.environ["GRADIO_ANALYTICS_MAX_EVENTS"] == "50"


def test_the_page_is_built_with_its_queue(shipped_zoo):
    """build_demo sets the queue itself, before the tabs: a later queue() call would rebuild gradio's
    web app with the whole page's config (about 0.3 s of start-up)."""
    demo = front_door.build_demo(shipped_zoo)
    assert demo._queue.max_size == front_door.QUEUE["max_size"] == 64
    assert demo._queue.default_concurrency_limit == front_door.QUEUE["default_concurrency_limit"] == 4
    assert demo.api_open is False  # queued events only through the queue (test_app_tradeoff: the REST route refuses them)
    assert demo._queue.ANALYTICS_MAX_EVENTS <= 1000  # made after hardening.no_queue_analytics
    from gradio import blocks, route_utils, state_holder

    from explorer.ui import hardening
    for module in (state_holder, route_utils, blocks):  # the sessions its pages and callers will get
        assert module.SessionState is hardening.LeanSessionState


def test_lean_sessions_keep_no_configs_but_give_gradios_deep_link_configs():
    """hardening.LeanSessionState: a new session builds no block configs, and after the same events
    (plain values, a State, a prop update) the configs its deep-link route reads are gradio's own."""
    import asyncio
    import concurrent.futures

    import gradio as gr
    import orjson

    from explorer.ui.hardening import LeanSessionState
    SessionState = LeanSessionState.__bases__[0]  # gradio's own (build_demo puts the lean one in its place)

    with gr.Blocks() as demo:
        name = gr.Textbox("emma", label="name")
        n = gr.Number(3)
        state = gr.State([])
        pick = gr.Radio(["a", "b"], value="a", label="pick")
        out = gr.Markdown()
        gr.Button("go").click(lambda s, k, st: (f"{s} x{k}", st + [s], gr.update(choices=["a", "b", "c"], value="c",
                                                                             label="now three")),
                              [name, n, state], [out, state, pick])
    fn = next(iter(demo.fns.values()))
    assert set(vars(SessionState(demo))) - set(vars(LeanSessionState(demo))) == {"config_values"}

    def configs(cls) -> bytes:
        session = cls(demo)
        for args in (["olivia", 2, None], ["anna", 5, None]):
            # a loop of its own, in a thread: Playwright's sync API leaves a running loop in this one
            # when a browser test ran earlier in the same process
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, demo.process_api(fn, args, state=session)).result()
        return orjson.dumps(list(session.components), option=orjson.OPT_SERIALIZE_NUMPY, default=str)

    lean = configs(LeanSessionState)
    assert lean == configs(SessionState)
    assert b"now three" in lean and b"anna" in lean  # the prop update and the last input are in it
    calls = []
    original = demo.default_config.config_for_block
    demo.default_config.config_for_block = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        LeanSessionState(demo)
        assert not calls
    finally:
        del demo.default_config.config_for_block
