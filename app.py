"""VAE & Autoregressive Explorer: the front door. Tabs live in explorer/ui/, the work in explorer/.

    python app.py            # http://127.0.0.1:7860
"""
from __future__ import annotations

import gc
import os
import threading

if __name__ == "__main__":  # no garbage collection until start-up is done (main; explorer/ui/memory.py)
    gc.disable()

import gradio as gr  # noqa: E402 (after the line above: importing gradio is most of start-up)

from explorer.images import limit_decoding
from explorer.ui import (clicks_first, compress, conditional, deferred, hardening, interpolation, lanes, lecture, mass,
                         memory, page, pixels, prior_posterior, queue_wakeup, reparam, tokens, tradeoff)
from explorer.ui.common import serve_map_images
from explorer.zoo import Zoo, load_zoo


# at most four runs of one event at once (gradio's default is one; the short clicks share one lane instead,
# explorer/ui/lanes.py) and 64 clicks waiting in the queue;
# api_open=False: a queued event cannot be called past the queue (and its limits) by a direct POST to
# /gradio_api/run/... (gradio's default outside Hugging Face Spaces allows it). Events declared with
# queue=False (the live run's status poll, the page's own small updates) are still answered directly.
QUEUE = dict(default_concurrency_limit=4, max_size=64, api_open=False)

# the tabs in order (id -> module in explorer/ui/); the lecture map first, then the lecture's order
TABS = {"lecture": lecture, "interpolation": interpolation, "prior_posterior": prior_posterior,
        "reparam": reparam, "conditional": conditional, "tokens": tokens, "mass": mass, "pixels": pixels,
        "tradeoff": tradeoff}


def build_demo(zoo: Zoo | None = None) -> gr.Blocks:
    return build_page(zoo)[0]


def build_page(zoo: Zoo | None = None) -> tuple[gr.Blocks, page.Page, Zoo]:
    """The page, its bookkeeping (page.Page) and the zoo it shows. Builds from the checkpoints' JSON
    and imports no torch (tests/test_cold_start.py): the models load in warm_up."""
    zoo = zoo or load_zoo()
    serve_map_images(zoo)  # the latent maps' 10,000 points reach a page once per model, as a cached picture
    limit_decoding()  # Pillow refuses images over the app's pixel cap from the header, before decoding
    hardening.no_queue_analytics()  # gradio's dashboard summary after every event: off, as the dashboard is
    hardening.lean_sessions()  # a session does not keep a config of every block (40 ms per page opened)
    # delete_cache: every click writes its images to gradio's cache; clear files older than an hour
    with gr.Blocks(title="VAE & Autoregressive Explorer", delete_cache=(3600, 3600)) as demo:
        # the queue is set while the page is still empty: every queue() call rebuilds gradio's web app
        # with the page's config, which after the tabs are built costs about 0.3 s of start-up
        demo.queue(**QUEUE)
        queue_wakeup.wake_on_events(demo)  # its loops wait for events instead of waking 1,100 times a second
        clicks_first.announce_clicks(demo)  # live trainers step aside while a click is answered
        # the page bar (language, presenter mode, link to this view) and the tabs, which register with it
        site = page.Page(list(TABS), "lecture")
        gr.Markdown(page.tr("page.intro"), elem_classes=["explain"])
        site.bar()
        items = {}
        with gr.Tabs(overflow_behavior="wrap"):  # nine tabs: two rows on a projector, no hidden menu
            for tab_id, module in TABS.items():
                with gr.Tab(page.tr(f"tab.{tab_id}"), id=tab_id) as items[tab_id]:
                    site.begin(tab_id)
                    if module is tradeoff:  # its live run listens to the page's unload
                        tradeoff.build(zoo, demo, site)
                    else:
                        module.build(zoo, site)
        site.wire(demo, items)
        hardening.release_sessions(demo)  # a closed page's session is forgotten at once
    page.keep_used_translations()  # the page's table: only the static text it shows
    hardening.values_as_sent(demo)  # the views check every argument and say what is allowed
    page.progress_on_one_panel(demo)  # the page's bookkeeping at each click grows with every progress target
    compress.slim_config(demo)  # the page's config leaves out what neither the page nor a client reads
    page.plain_api_labels(demo)  # the API description names parameters by their English labels
    lanes.short_clicks_take_turns(demo, lanes.limit_from_env())  # short clicks take turns, long ones apart
    return demo, site, zoo


def warm_up(zoo: Zoo) -> None:
    """Run just after the app starts serving (about 1.7 s of one core): import torch and the tabs' work
    and load every model, so that no click waits for them. A click that comes first loads what it needs
    itself (explorer/zoo.py, explorer/ui/deferred.py). Each tab's first view is computed when a page
    first opens the tab (Page.lazy), once per language; computing them all here was tried and left out
    (the README's cold start says why)."""
    import torch

    # small models and many users: one intra-op thread per request beats threads fighting over 2 cores
    # (the default for every thread that first runs torch after this)
    torch.set_num_threads(1)
    deferred.import_all()  # the tabs' work: views, plots, the live trainers
    zoo.load_all()


# the β-sweep slider moves over the trained models; its own number box would show the model's
# index (0..6), so it is hidden and the β of the chosen model is shown beside the slider instead
CSS = ("#tradeoff-index .tab-like-container, #tradeoff-index .min_value, #tradeoff-index .max_value { display: none; }"
       + page.CSS + lecture.CSS)

LAUNCH = dict(
    css=CSS,
    theme=page.THEME,  # gradio's default with whole bold faces (explorer/ui/page.py)
    i18n=page.I18N,  # static text in English and Chinese (explorer/i18n.py)
    max_file_size="2mb",  # sketches and uploads are 28x28 digits: nothing big is needed
    enable_monitoring=False,
    # gradio's run history: the page rereads and rewrites its list of the last 100 runs, every input and
    # output included, in the browser's storage at each message of each click (about 70 ms of a click
    # in the browser here), and leaves a student's drawings in a shared classroom computer's storage
    run_history=False,
    # False: gradio's own errors (preprocessing, paths) reach callers as a generic "Error" without
    # internals; the app's messages are gr.Error, which gradio shows whatever this says
    show_error=False,
    state_session_capacity=hardening.max_sessions_from_env(),  # sessions kept in memory (~0.3 MB each)
    app_kwargs=compress.APP_KWARGS,  # the page and its config go out gzip-compressed (about tenfold smaller)
)


def main() -> None:
    """Build, serve, warm up; the garbage collector is off until the warm-up is done (explorer/ui/memory.py)."""
    memory.tune()  # glibc: two malloc arenas, free memory trimmed every 5 s (RSS comes back after a class)
    demo, _site, zoo = build_page()  # with its queue (QUEUE)
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), prevent_thread_lock=True, **LAUNCH)

    def start() -> None:
        try:
            warm_up(zoo)
        finally:
            memory.start_up_done()  # one collection, freeze what start-up made, the collector on again

    # serving: now torch, the tabs' work and the models (cold start close to a bare Gradio app's)
    threading.Thread(target=start, name="warm-up", daemon=True).start()
    demo.block_thread()


if __name__ == "__main__":
    main()
