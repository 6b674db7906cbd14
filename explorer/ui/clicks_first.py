"""The server tells the live trainers when it is answering clicks, so that they step aside
(training/clicks_first.py says why and how they wait).

`announce_clicks(demo)`: every event the demo's queue runs, from the moment a worker takes it until
its last message is sent, counts on the board the trainers read. Events outside the queue (a page's
first load, a tab's first opening) are not counted: they are few and short.
"""
from __future__ import annotations

import gradio as gr

from ..training.clicks_first import busy_board


def announce_clicks(demo: gr.Blocks) -> None:
    """Call after demo.queue(...) (and after queue_wakeup.wake_on_events, which wraps the same method)."""
    queue = demo._queue
    board = busy_board()
    process_events = queue.process_events

    async def processed(*args, **kwargs):
        board.enter()
        try:
            return await process_events(*args, **kwargs)
        finally:
            board.leave()

    queue.process_events = processed
