"""Live trainers step aside while the server answers a click.

The trainers already run on idle CPU only (SCHED_IDLE, `live_process.ZYGOTE`): a waking request
handler takes a core from them at once. They still slow a click down, because their steps share the
caches and memory bandwidth with it: in a one-off measurement on the 2-core machine (one client, a new
seed every click, two SCHED_IDLE processes training an MLP beside the server), a prior sample took
9.5-11.3 -> 13.2 ms of server CPU and an interpolation 9.0-9.3 -> 12.5-12.8 ms, the same work in more
cycles.

So the server keeps a small board in shared memory: how many queued events it is working on, and
until when it counts as busy after the last one ended (GRACE_SECONDS: the page fetches the event's
images right after). A trainer looks at the board before each training step and, while the server is
busy, waits, at most `most` seconds per step, so that a class clicking all the time slows training
down but never stops it. Measured with `scripts/bench_classroom.py --vary-seeds 100` (30 students,
two of them training live, old and new code alternating four times): class p95 1.92, 1.46, 1.66 and
1.90x the echo app's -> 1.44, 1.49, 1.45 and 1.46x (two later runs: 1.52, 1.48x), p99 118-146 ->
101-114 ms, while the trainers used 73 s of CPU per run instead of 87 s. With every click the same
settings (answers the app has kept, little to slow down) no difference beyond the spread. Waiting up
to 200 ms per step and 25 ms after each event gained nothing more (1.36, 1.59x) and cost the
trainers another 18 % of their CPU. `scripts/bench_live.py`: one trainer took 97 steps/s instead of
109 while another client clicked, and beta 1 -> 4 came within 10 % after 7.3 s (6.2 s in the run
before this change).

    BusyBoard()          the server's board (16 bytes in a file with no name, mapped); fileno() for the
                         trainers' processes, which map the same file with BusyBoard(fd)
    board.enter(), board.leave()   the server: an event starts, ends (one thread or many)
    board.wait_while_busy(most)    a trainer, between steps: seconds it waited

No gradio and no torch here: the server side is wired into gradio's queue by `ui/clicks_first.py`.
"""
from __future__ import annotations

import mmap
import os
import struct
import tempfile
import threading
import time

GRACE_SECONDS = 0.01  # after the last event ends: its images are fetched next
POLL_SECONDS = 0.001  # how often a waiting trainer looks again
_LAYOUT = struct.Struct("=qd")  # events in progress, busy until (time.monotonic(), the system's clock)


def _new_file(size: int) -> int:
    """A descriptor of a zeroed file that has no name: in memory on Linux (memfd), else an unlinked
    temporary file; only processes that inherit the descriptor can reach it."""
    if hasattr(os, "memfd_create"):
        try:
            fd = os.memfd_create("explorer-busy-board", os.MFD_CLOEXEC)
            os.ftruncate(fd, size)
            return fd
        except OSError:  # no memfd here (an old kernel, a sandbox): a temporary file will do
            pass
    with tempfile.TemporaryFile() as f:
        f.write(bytes(size))
        f.flush()
        return os.dup(f.fileno())


class BusyBoard:
    def __init__(self, fd: int | None = None):
        self._fd = _new_file(_LAYOUT.size) if fd is None else fd
        self._map = mmap.mmap(self._fd, _LAYOUT.size)
        self._lock = threading.Lock()
        self._count = 0

    def fileno(self) -> int:
        return self._fd

    def read(self) -> tuple[int, float]:
        return _LAYOUT.unpack_from(self._map, 0)

    # ---- the server
    def enter(self) -> None:
        with self._lock:
            self._count += 1
            _LAYOUT.pack_into(self._map, 0, self._count, 0.0)

    def leave(self) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)
            _LAYOUT.pack_into(self._map, 0, self._count, time.monotonic() + GRACE_SECONDS)

    # ---- a trainer
    def busy(self) -> bool:
        count, until = self.read()
        return count > 0 or time.monotonic() < until

    def wait_while_busy(self, most: float) -> float:
        """Wait while the server is busy, at most `most` seconds; the seconds waited."""
        t0 = time.monotonic()
        deadline = t0 + most
        while self.busy():
            now = time.monotonic()
            if now >= deadline:
                break
            time.sleep(min(POLL_SECONDS, deadline - now))
        return time.monotonic() - t0


_BOARD: BusyBoard | None = None
_BOARD_LOCK = threading.Lock()


def busy_board() -> BusyBoard:
    """The server's board of clicks in progress, shared with every trainer it starts (live_process.py)."""
    global _BOARD
    with _BOARD_LOCK:
        if _BOARD is None:
            _BOARD = BusyBoard()
        return _BOARD
