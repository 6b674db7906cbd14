"""explorer/ui/queue_wakeup.py: the queue's loops sleep until an event joins or a run ends, instead of
looking every millisecond, and still answer every event, within each event's concurrency limit."""
from __future__ import annotations

import logging
import threading
import time

import gradio as gr
import pytest

from explorer.ui import queue_wakeup
from tests.conftest import free_port

pytestmark = pytest.mark.skipif(not queue_wakeup.gradio_loops_unchanged(),
                                reason="this gradio's queue loops differ from the copies: gradio's own are used")


@pytest.fixture
def small_app():
    """An echo and a slow event (at most two at once), the queue woken by its events."""
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(x):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return x

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda x: x, box, box, api_name="echo")
        gr.Button().click(slow, box, box, api_name="slow", concurrency_limit=2)
    demo.queue(default_concurrency_limit=4)
    assert queue_wakeup.wake_on_events(demo) and demo._queue.wakes_on_events
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    from gradio_client import Client
    yield Client(f"http://127.0.0.1:{port}/", verbose=False), demo._queue.wakeup_stats, most
    demo.close()


def test_an_idle_queue_sleeps_until_it_is_woken(small_app):
    client, stats, _ = small_app
    assert client.predict("a", api_name="/echo") == "a"
    before = dict(stats)
    time.sleep(1.0)
    # gradio's own loops look about 1,100 times a second; these (two) at most once per IDLE_SECONDS each
    assert stats["slept"] - before["slept"] <= 2 * (1.0 / queue_wakeup.IDLE_SECONDS) + 10
    woken = stats["woken"]
    assert client.predict("b", api_name="/echo") == "b"
    assert stats["woken"] > woken  # the click woke the loops: they did not wait for their sleeps to run out


def test_every_event_is_answered_within_its_concurrency_limit(small_app):
    client, _, most = small_app
    jobs = [client.submit(f"s{i}", api_name="/slow") for i in range(6)]
    jobs += [client.submit(f"e{i}", api_name="/echo") for i in range(10)]
    assert [j.result(timeout=30) for j in jobs] == [f"s{i}" for i in range(6)] + [f"e{i}" for i in range(10)]
    assert most[0] == 2  # the slow event's limit held, and was used


def test_another_gradio_keeps_its_own_loops(monkeypatch, caplog):
    monkeypatch.setitem(queue_wakeup.GRADIO_LOOPS, "start_processing", "0" * 64)
    with gr.Blocks() as demo:
        gr.Button().click(lambda: None, None, None)
    demo.queue()
    original = demo._queue.start_processing
    with caplog.at_level(logging.WARNING):
        assert queue_wakeup.wake_on_events(demo) is False
    assert "gradio's own are kept" in caplog.text
    assert demo._queue.start_processing == original and not hasattr(demo._queue, "wakes_on_events")


def test_the_app_queue_wakes_on_events(shipped_zoo):
    import app as front_door

    demo = front_door.build_demo(shipped_zoo)
    assert demo._queue.wakes_on_events
    assert demo._queue.start_processing.__module__ == queue_wakeup.__name__


def test_a_relaunched_demo_still_answers():
    from gradio_client import Client

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda x: x + "!", box, box, api_name="echo")
    demo.queue()
    assert queue_wakeup.wake_on_events(demo)
    for word in ("one", "two"):  # the second launch runs in a new event loop
        port = free_port()
        demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        try:
            assert Client(f"http://127.0.0.1:{port}/", verbose=False).predict(word, api_name="/echo") == word + "!"
        finally:
            demo.close()
