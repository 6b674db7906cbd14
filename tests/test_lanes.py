"""Short clicks take turns (explorer/ui/lanes.py): the events answered in tens of milliseconds share
one lane of gradio's queue; the long ones (PixelCNN sampling, exports, the live run's controls) keep
their own places, so they never hold up the short clicks."""
from __future__ import annotations

import threading
import time

import gradio as gr
import pytest
from gradio_client import Client

import app as front_door
from explorer.ui import lanes
from tests.conftest import free_port


def test_the_short_lane_holds_the_short_clicks_and_nothing_long(shipped_zoo):
    demo = front_door.build_demo(shipped_zoo)
    by_lane: dict = {}
    for fn in demo.fns.values():
        by_lane.setdefault(fn.concurrency_id == lanes.SHORT_LANE, set()).add(fn.api_name)
    short, other = by_lane[True], by_lane[False]
    # every name in SHORT is a handler of this page (the list cannot rot unnoticed)
    assert lanes.SHORT <= {lanes.handler_name(fn) for fn in demo.fns.values()}
    for api in ("interpolate", "sample_prior", "sample_posterior", "token_probabilities", "compare", "attention",
                "generate", "tradeoff", "classify", "reparameterize"):
        assert api in short
    for api in ("pixel_sample", "pixel_complete", "interpolate_export", "probability_mass", "live_start",
                "live_stop", "live_status", "live_set_beta"):
        assert api in other
    limits = {fn.concurrency_limit for fn in demo.fns.values() if fn.concurrency_id == lanes.SHORT_LANE}
    assert limits == {lanes.SHORT_LANE_LIMIT} == {1}
    assert not any(fn.queue is False for fn in demo.fns.values() if fn.concurrency_id == lanes.SHORT_LANE)


def test_events_in_one_lane_take_turns_and_others_run_beside_them():
    """Two events in a lane of one never run at once; an event outside it runs beside them."""
    running, most, lock = {"lane": 0, "other": 0}, {"lane": 0, "both": 0}, threading.Lock()

    def work(kind):
        def f(x):
            with lock:
                running[kind] += 1
                most["lane"] = max(most["lane"], running["lane"])
                most["both"] = max(most["both"], running["lane"] + running["other"])
            time.sleep(0.3)
            with lock:
                running[kind] -= 1
            return x
        f.__name__ = "short_one" if kind == "lane" else "long_one"
        return f

    with gr.Blocks() as demo:
        box, out = gr.Textbox(), gr.Textbox()
        gr.Button("a").click(work("lane"), box, out, api_name="a")
        gr.Button("b").click(work("lane"), box, out, api_name="b")
        gr.Button("c").click(work("other"), box, out, api_name="c")
    demo.queue(default_concurrency_limit=4)
    original = lanes.SHORT
    lanes.SHORT = frozenset({"short_one"})
    try:
        assert sorted(lanes.short_clicks_take_turns(demo, 1)) == ["a", "b"]
    finally:
        lanes.SHORT = original
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        t0 = time.perf_counter()
        jobs = [client.submit(str(i), api_name=f"/{api}") for i, api in enumerate(["a", "b", "a", "c"])]
        assert [j.result(timeout=30) for j in jobs] == ["0", "1", "2", "3"]
        assert time.perf_counter() - t0 >= 0.85  # the three lane events one after another
        assert most["lane"] == 1 and most["both"] == 2  # never two in the lane; the other beside them
    finally:
        demo.close()


def test_no_lane_leaves_every_event_as_it_was():
    with gr.Blocks() as demo:
        gr.Button("a").click(lambda: None, None, None, api_name="interpolate")
    fn = next(iter(demo.fns.values()))
    before = (fn.concurrency_id, fn.concurrency_limit)
    assert lanes.short_clicks_take_turns(demo, 0) == []
    assert (fn.concurrency_id, fn.concurrency_limit) == before


@pytest.mark.parametrize("value, expected", [("", 1), ("0", 0), ("2", 2), (" 3 ", 3)])
def test_the_lane_limit_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("EXPLORER_SHORT_LANE", value)
    assert lanes.limit_from_env() == expected


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_lane_limit_stops_the_app_with_a_message(monkeypatch, value):
    monkeypatch.setenv("EXPLORER_SHORT_LANE", value)
    with pytest.raises(SystemExit, match="EXPLORER_SHORT_LANE must be a whole number >= 0"):
        lanes.limit_from_env()
