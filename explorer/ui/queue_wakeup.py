"""gradio's queue, woken by its events instead of looking a thousand times a second.

gradio's queue hands waiting events to workers from a loop that, whenever there is nothing to hand out
(no event waiting, or every worker busy), sleeps 1 ms and looks again (`Queue.sleep_when_free`), and
a second loop looks for progress updates every 10 ms. On an idle server that is about 1,100 wake-ups
a second of the event loop: 25 ms of CPU per second here, measured per thread, in a bare Gradio app
as in this one. Under a class each wake-up also asks for the interpreter lock that the students'
handlers hold, so the handlers are interrupted for it.

`wake_on_events(demo)` gives the demo's queue the same loops, woken when something they wait for
happens: an event joins the queue (`push`) or a run ends and frees its worker (`process_events`).
They also look every IDLE_SECONDS, whatever happens, so nothing can wait longer than that for a
wake-up that was missed. While runs are active the progress loop keeps gradio's 10 ms rhythm.

The two loops are copies of gradio 6.31's `Queue.start_processing` and `Queue.start_progress_updates`
with only their sleeps replaced. They are used only when gradio's own loops are still the ones they
were copied from (their source's sha256, GRADIO_LOOPS); after a gradio upgrade that changes either,
the queue keeps gradio's loops and a warning says so (`tests/test_queue_wakeup.py`).
"""
from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time

import gradio as gr
from gradio.queueing import Queue
from gradio.utils import run_coro_in_background, set_task_name

IDLE_SECONDS = 0.05  # the loops' longest sleep: a missed wake-up costs at most this much
# sha256 of the source of the gradio loops copied below (gradio 6.31)
GRADIO_LOOPS = {
    "start_processing": "d65be5a5cbed97d75e13233ab7d0dfc9f347c4ffd33bdcb47293d696f38aaa1f",
    "start_progress_updates": "7cbbec1cf932324cd2fc80791130a2cf1ad7d31e42aead9798abc4e51d9e2823",
}


def gradio_loops_unchanged() -> bool:
    """Whether the installed gradio's queue loops are the ones copied here."""
    return all(hashlib.sha256(inspect.getsource(getattr(Queue, name)).encode()).hexdigest() == digest
               for name, digest in GRADIO_LOOPS.items())


async def _sleep_until(wake: asyncio.Event, seconds: float) -> bool:
    """Sleep until wake is set or `seconds` pass; True if woken."""
    try:
        await asyncio.wait_for(wake.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return False


def wake_on_events(demo: gr.Blocks) -> bool:
    """Call after demo.queue(...) and before launch: the queue's loops then wait for its events.
    Returns whether it did (False: this gradio's loops differ from the copies, and are kept)."""
    queue = demo._queue
    if not gradio_loops_unchanged():
        logging.getLogger(__name__).warning(
            "gradio's queue loops differ from the copies in %s (made from gradio 6.31): gradio's own are kept",
            __name__)
        return False
    # each loop's wake-up, made when the loop starts, in the server's event loop (a relaunched demo
    # runs in another one, which an asyncio.Event made earlier would refuse)
    wakes: dict[str, asyncio.Event] = {}
    stats = queue.wakeup_stats = {"slept": 0, "woken": 0}  # the loops' sleeps, and those a wake-up ended

    async def sleep(wake: asyncio.Event) -> None:
        woken = await _sleep_until(wake, IDLE_SECONDS)
        stats["slept"] += 1
        stats["woken"] += woken

    def notify() -> None:
        for wake in list(wakes.values()):
            wake.set()

    push, process_events = queue.push, queue.process_events

    async def pushed(*args, **kwargs):
        try:
            return await push(*args, **kwargs)
        finally:
            notify()

    async def processed(*args, **kwargs):
        try:
            return await process_events(*args, **kwargs)
        finally:
            notify()  # a worker is free again

    async def start_processing() -> None:
        """gradio's Queue.start_processing, its `asyncio.sleep(self.sleep_when_free)` replaced."""
        self = queue
        dispatch = wakes["dispatch"] = asyncio.Event()
        try:
            while not self.stopped:
                dispatch.clear()  # before looking: a push from now on wakes the sleep below
                if len(self) == 0:
                    await sleep(dispatch)
                    continue

                if None not in self.active_jobs:
                    await sleep(dispatch)
                    continue

                # Using mutex to avoid editing a list in use
                async with self.delete_lock:
                    event_batch = self.get_events()

                if event_batch:
                    events, batch, concurrency_id = event_batch
                    self.active_jobs[self.active_jobs.index(None)] = events
                    event_queue = self.event_queue_per_concurrency_id[concurrency_id]
                    event_queue.current_concurrency += 1
                    start_time = time.time()
                    fn = events[0].fn
                    event_queue.start_times_per_fn[fn].add(start_time)
                    for event in events:
                        if (a := self.event_analytics.get(event._id)) is not None:
                            a["status"] = "processing"
                    process_event_task = run_coro_in_background(
                        self.process_events, events, batch, start_time, fn
                    )
                    set_task_name(
                        process_event_task,
                        events[0].session_hash,
                        fn._id,
                        events[0]._id,
                        batch,
                    )

                    self._asyncio_tasks.add(process_event_task)
                    process_event_task.add_done_callback(self._asyncio_tasks.discard)
                    if self.live_updates:
                        self.broadcast_estimations(concurrency_id)
                    if "progress" in wakes:
                        wakes["progress"].set()  # a run started: its progress may need sending
                else:
                    await sleep(dispatch)
        finally:
            self.stopped = True
            self._cancel_asyncio_tasks()

    async def start_progress_updates() -> None:
        """gradio's Queue.start_progress_updates, sleeping until a run starts while none is active."""
        self = queue
        progress = wakes["progress"] = asyncio.Event()
        while not self.stopped:
            progress.clear()
            events = [evt for job in self.active_jobs if job is not None for evt in job]
            if len(events) == 0:
                await sleep(progress)
                continue
            for event in events:
                if event.progress_pending and event.progress:
                    event.progress_pending = False
                    self.send_message(event, event.progress)
            await asyncio.sleep(self.progress_update_sleep_when_free)

    queue.push, queue.process_events = pushed, processed
    queue.start_processing, queue.start_progress_updates = start_processing, start_progress_updates
    queue.wakes_on_events = True  # for the tests (and wakeup_stats)
    return True
