"""Memory that comes back after a class: the server's resident size returns close to where it was.

Clicks run on many request threads; glibc's malloc gives threads their own arenas (up to 8 per core)
and keeps freed memory inside them, so after thirty students the process held about 1.5x the memory it
started with, although nothing was still in use. Two standard glibc settings, made once at start-up:
- at most `arenas` arenas (`mallopt(M_ARENA_MAX)`; what the MALLOC_ARENA_MAX variable would set);
- every `every` seconds a thread returns free memory to the system (`malloc_trim(0)`; a few ms).

Elsewhere (macOS, musl) neither exists and `tune()` does nothing.

And `freeze()`: Python's garbage collector, in its full collections, walks every object the process
holds. The app holds about 390,000 (gradio's page, torch, the models) from start-up to its end, and
a full collection of them took 230 ms holding the interpreter lock, a pause for every click in flight
(one came in a one-minute simulated class). Frozen after start-up, they are never walked again, and a
full collection took 1-35 ms. Start-up itself makes these objects, and its collections walked the
growing heap again and again: 0.56-0.62 s of the 2.4-2.6 s that importing gradio and building the page
took (timed with gc.callbacks). So `python app.py` turns the collector off until the warm-up is done,
then collects once and freezes (app.main; the performance log, eleventh session).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading
import time

M_ARENA_MAX = -8  # glibc's malloc.h

_started = threading.Event()


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def trim() -> bool:
    """Give free heap memory back to the system now; False where malloc cannot."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def tune(arenas: int = 2, every: float = 5.0) -> bool:
    """Cap malloc's arenas and start the trimming thread (once per process); False where not glibc."""
    libc = _libc()
    if libc is None:
        return False
    if not _started.is_set():
        _started.set()
        libc.mallopt(M_ARENA_MAX, int(arenas))

        def loop() -> None:
            while True:
                time.sleep(every)
                libc.malloc_trim(0)

        threading.Thread(target=loop, name="malloc-trim", daemon=True).start()
    return True


def freeze(collect: bool = True) -> int:
    """Move every object the process holds now into the collector's permanent generation (gc.freeze),
    after a full collection (`collect`) so that no garbage is kept with them. For the server's start-up
    objects, which live as long as it does; not for a process that makes and drops whole apps (the
    tests). Returns how many objects are frozen."""
    if collect:
        gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def start_up_done() -> int:
    """The end of `python app.py`'s start-up (after the warm-up; the collector is off since app.py's
    first lines): one full collection, freeze what is left, the collector on again. Returns how many
    objects are frozen."""
    frozen = freeze()
    gc.enable()
    return frozen
