"""A cap on live trainings: at most `max_trainers` run at once on the machine (one CPU thread
each); the others wait in order of arrival. One run per session key."""
from __future__ import annotations

import threading
import time

from typing import TYPE_CHECKING

from ..errors import InputError
from ..settings import whole_number_from_env

if TYPE_CHECKING:  # the pool only holds runs: importing them (and torch) waits for the first one
    from .live import LiveRun

DEFAULT_MAX_TRAINERS = 2
MAX_WAITING = 16  # runs waiting for a free trainer, at most: each holds its model and data while it waits


def max_trainers_from_env(default: int = DEFAULT_MAX_TRAINERS) -> int:
    """EXPLORER_MAX_TRAINERS: a whole number >= 0 (0: nobody trains live), else the app stops at start
    with a message (the pool is made while the page is built)."""
    return whole_number_from_env("EXPLORER_MAX_TRAINERS", default, 0)


class TrainerPool:
    """At most `max_trainers` runs train at once; the others wait in order of arrival.

    One run per session key: submitting a new run for a key stops that key's old one. The pool is
    process-wide (one per app); the runs themselves belong to their sessions.
    """

    def __init__(self, max_trainers: int | None = None, idle_seconds: float = 600.0,
                 max_seconds: float = 1800.0, max_waiting: int = MAX_WAITING):
        self.max_trainers = max_trainers_from_env() if max_trainers is None else int(max_trainers)
        self.max_waiting = max_waiting
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self._lock = threading.Lock()
        self._runs: dict[str, LiveRun] = {}
        self._waiting: list[str] = []

    def submit(self, key: str, run: LiveRun) -> LiveRun:
        run.config.idle_seconds = min(run.config.idle_seconds, self.idle_seconds)
        run.config.max_seconds = min(run.config.max_seconds, self.max_seconds)
        run.on_finish = lambda r: self._finished(key, r)
        self.reap()
        with self._lock:
            if key not in self._waiting and len(self._waiting) >= self.max_waiting:
                raise InputError(f"all {self.max_trainers} live trainers are busy and {len(self._waiting)} runs "
                                 f"are already waiting (at most {self.max_waiting}); try again in a few minutes")
            old = self._runs.pop(key, None)
            if key in self._waiting:
                self._waiting.remove(key)
            self._runs[key] = run
            self._waiting.append(key)
        if old is not None:
            old.stop("replaced by a new run")
        self._promote()
        return run

    def release(self, key: str, reason: str = "stopped") -> bool:
        """Stop and forget this key's run (Stop button, page closed); frees its slot."""
        with self._lock:
            run = self._runs.pop(key, None)
            if key in self._waiting:
                self._waiting.remove(key)
        if run is None:
            return False
        run.stop(reason)
        self._promote()
        return True

    def get(self, key: str) -> LiveRun | None:
        with self._lock:
            return self._runs.get(key)

    def queue_position(self, key: str) -> int | None:
        """How many runs wait ahead of this key's run; None when it is not waiting."""
        self.reap()
        with self._lock:
            return self._waiting.index(key) if key in self._waiting else None

    @property
    def running(self) -> int:
        with self._lock:
            return self._n_running()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def reap(self) -> None:
        """Drop waiting runs nobody polls any more (their page is gone)."""
        now = time.monotonic()
        with self._lock:
            stale = [k for k in self._waiting if now - self._runs[k].last_poll > self._runs[k].config.idle_seconds]
            for k in stale:
                self._waiting.remove(k)
                self._runs.pop(k).stop("left the queue: no poll from its page")
        if stale:
            self._promote()

    def shutdown(self) -> None:
        with self._lock:
            runs, self._runs, self._waiting = list(self._runs.values()), {}, []
        for run in runs:
            run.stop("server shutting down", join=True)

    # ------------------------------------------------------------------ internals
    def _n_running(self) -> int:
        return sum(1 for k, r in self._runs.items() if k not in self._waiting and r.alive)

    def _finished(self, key: str, run: LiveRun) -> None:
        with self._lock:
            if self._runs.get(key) is run:
                del self._runs[key]
        self._promote()

    def _promote(self) -> None:
        to_start = []
        with self._lock:
            while self._waiting and self._n_running() < self.max_trainers:
                key = self._waiting.pop(0)
                to_start.append(self._runs[key])
        for run in to_start:
            run.start()
