"""Answers kept for the next asker: a small, bounded memory for views whose answer depends only on
their arguments (a shipped model never changes), so that a class asking the same thing again, or the
events of one click asking for the same forward pass at once, pay for it once.

    FORWARDS = Kept(128)
    logits = FORWARDS.get((model, text), lambda: model(x))

A key may hold objects (a model, a tensor): they are compared by identity, and kept alive with the
answer, so an identity cannot be reused by another object while its answer is kept. Askers of a key
that is being computed wait for that computation instead of repeating it (the three events of one
Score click arrive together); if it fails, each computes for itself and sees its own error. Callers
that could change an answer must copy it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")

WAIT_SECONDS = 30.0  # at most this long for another asker's computation; then compute anyway


_PLAIN = (str, bytes, int, float, bool, type(None))


def _identity_key(key: tuple) -> tuple:
    """Plain values (text, bytes, numbers) as they are; anything else (models, tensors, arrays) by identity."""
    return tuple(k if isinstance(k, _PLAIN) else ("id", id(k)) for k in key)


class Kept:
    """The last `size` answers, by key (see the module's docstring); get(key, make) answers or makes."""

    def __init__(self, size: int):
        self.size = int(size)
        self._answers: OrderedDict[Hashable, tuple[tuple, object]] = OrderedDict()  # key -> (objects, answer)
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many answers were computed (tests, benchmarks)

    def __len__(self) -> int:
        return len(self._answers)

    def clear(self) -> None:
        """Forget every answer, and the count of computed ones."""
        with self._lock:
            self._answers.clear()
            self.computed = 0

    def forget(self, key: tuple) -> None:
        """Drop one answer (it no longer holds, e.g. a kept file that was deleted)."""
        with self._lock:
            self._answers.pop(_identity_key(key), None)

    def _kept(self, k: Hashable, key: tuple):
        hit = self._answers.get(k)
        if hit is not None and all(a is b for a, b in zip(hit[0], key) if not isinstance(a, _PLAIN)):
            self._answers.move_to_end(k)
            return True, hit[1]
        return False, None

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        k = _identity_key(key)
        with self._lock:
            found, answer = self._kept(k, key)
            if found:
                return answer
            running = self._running.get(k)
            if running is None:
                running = self._running[k] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            running.wait(WAIT_SECONDS)
            with self._lock:
                found, answer = self._kept(k, key)
            if found:
                return answer
            return make()  # the first asker failed or took too long: this one computes for itself
        try:
            answer = make()
            with self._lock:
                self.computed += 1
                self._answers[k] = (key, answer)
                self._answers.move_to_end(k)
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
            return answer
        finally:
            with self._lock:
                self._running.pop(k, None)
            running.set()
