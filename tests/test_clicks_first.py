"""Live trainers step aside while the server answers clicks (training/clicks_first.py,
ui/clicks_first.py): the board's bookkeeping, its sharing with other processes, a trainer that waits
on it (and never for longer than its limit), and the app's queue counting its events on it."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import gradio as gr
import torch
from gradio_client import Client

from explorer.training import clicks_first
from explorer.training.clicks_first import BusyBoard
from explorer.training.live import LiveConfig, LiveRun, small_vae
from explorer.training.live_process import busy_board

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_board_counts_events_and_stays_busy_for_the_grace_after_the_last(monkeypatch):
    monkeypatch.setattr(clicks_first, "GRACE_SECONDS", 0.2)
    board = BusyBoard()
    assert not board.busy() and board.read() == (0, 0.0)
    board.enter()
    board.enter()
    assert board.busy() and board.read()[0] == 2
    board.leave()
    assert board.busy() and board.read()[0] == 1  # one event still running
    board.leave()
    count, until = board.read()
    assert count == 0 and board.busy()  # the grace: the page fetches the event's images next
    assert 0 < until - time.monotonic() <= 0.2
    time.sleep(0.25)
    assert not board.busy()
    board.leave()  # one leave too many (never happens) does not count below zero
    assert board.read()[0] == 0


def test_another_process_reads_the_same_board():
    """What a trainer forked from the zygote does: map the file by the descriptor it inherited."""
    board = BusyBoard()
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {ROOT!r})
        from explorer.training.clicks_first import BusyBoard
        b = BusyBoard(int(sys.argv[1]))
        print(b.read()[0], b.busy(), flush=True)
        sys.stdin.readline()  # the server has left its events
        print(b.read()[0], flush=True)
    """)
    board.enter()
    board.enter()
    p = subprocess.Popen([sys.executable, "-c", code, str(board.fileno())], pass_fds=[board.fileno()],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().split() == ["2", "True"]
        board.leave()
        board.leave()
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "0"
    finally:
        p.kill()
        p.wait()


def test_waiting_ends_when_the_server_is_free_or_at_the_limit():
    board = BusyBoard()
    assert board.wait_while_busy(5.0) < 0.05  # idle: no wait
    board.enter()
    waited = board.wait_while_busy(0.1)
    assert 0.1 <= waited < 2.0  # always busy: the limit
    threading.Timer(0.1, board.leave).start()
    waited = board.wait_while_busy(10.0)  # freed after 0.1 s (plus the grace)
    assert 0.1 <= waited < 5.0


def small_run(**config) -> LiveRun:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 28, 28, generator=g)
    ev = torch.bernoulli(torch.rand(8, 1, 28, 28, generator=g), generator=g)
    return LiveRun(small_vae(2, hidden=(16,)), x, ev, config=LiveConfig(batch_size=8, nice=0, **config))


def test_a_trainer_steps_aside_while_the_server_is_busy_and_never_longer_than_its_limit():
    board = BusyBoard()
    run = small_run(clicks_first_seconds=0.25)
    run.clicks_first = board.wait_while_busy
    run.start()
    try:
        assert run.wait_steps(20, timeout=60)  # idle server: it trains
        board.enter()  # a click that lasts one second
        time.sleep(0.3)  # the step under way when the click came ends; then it waits
        before = run.step
        time.sleep(1.0)
        during = run.step - before
        board.leave()
        snap = run.snapshot()
        assert 1 <= during <= 6  # one step per limit (0.25 s) at most, never none
        assert snap.waited_for_clicks >= 0.5
        before = run.step
        time.sleep(0.5)
        assert run.step - before > during  # free again: full speed
    finally:
        run.stop("test over", join=True)


def test_a_trainer_that_is_told_not_to_wait_does_not():
    board = BusyBoard()
    board.enter()
    run = small_run(clicks_first_seconds=0.0)
    run.clicks_first = board.wait_while_busy
    run.start()
    try:
        assert run.wait_steps(30, timeout=60)
        assert run.snapshot().waited_for_clicks == 0.0
    finally:
        run.stop("test over", join=True)


def test_a_trainer_process_reads_the_servers_board():
    """ProcessRun: the trainer forked from the zygote waits on the same board the app writes."""
    from tests.test_live_process import make_run
    board = busy_board()
    run = make_run(clicks_first_seconds=0.05)
    run.start()
    try:
        assert run.wait_steps(5, timeout=60)
        waited0 = run.snapshot(fresh=True).waited_for_clicks
        board.enter()
        try:
            time.sleep(0.6)
        finally:
            board.leave()
        waited1 = run.snapshot(fresh=True).waited_for_clicks
        assert waited1 >= waited0 + 0.3
        time.sleep(0.5)  # the server is free again: the trainer no longer waits
        assert run.snapshot(fresh=True).waited_for_clicks < waited1 + 0.2
    finally:
        run.stop("test over", join=True)


def test_the_apps_queue_counts_each_event_on_the_board():
    from explorer.ui.clicks_first import announce_clicks
    board = busy_board()
    seen = []

    def handler(x):
        seen.append(board.read()[0])
        return x

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(handler, box, box, api_name="echo")
    demo.queue()
    announce_clicks(demo)
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=None)
    try:
        client = Client(url, verbose=False)
        assert client.predict("a", api_name="/echo") == "a"
        jobs = [client.submit(str(i), api_name="/echo") for i in range(3)]
        assert [j.result() for j in jobs] == ["0", "1", "2"]
    finally:
        demo.close()
    assert len(seen) == 4 and all(n >= 1 for n in seen)  # each handler ran inside its event's count
    assert board.read()[0] == 0  # every event left


def test_the_app_announces_its_clicks(tiny_zoo):
    import app
    demo = app.build_demo(tiny_zoo)
    assert demo._queue.process_events.__qualname__.startswith("announce_clicks")
