"""A live run in its own process, so training never competes with the students' clicks for the
server's Python interpreter.

Why a process. A trainer thread inside the server shares its GIL: between its torch operations it
holds the interpreter that every request, the queue and the event loop need, and lowering the
thread's CPU priority cannot help with that (a low-priority thread preempted while holding the GIL
makes everyone wait for it). Measured with `scripts/bench_classroom.py`'s class (30 students, 45 s,
2 cores): two trainer *threads* raised the class's p95 from 1.5 s to 4.7 s; two trainer *processes*
at nice 10 left it at 1.45 s while each still took ~85 steps/s. The trainers now also take Linux's
SCHED_IDLE policy (see ZYGOTE); a trainer then answers its page's status polls on idle CPU too, so a
poll waits at most FRESH_SECONDS for that answer and otherwise shows the newest snapshot it has.

    ProcessRun(run)  wraps an unstarted `LiveRun` (training/live.py, the training itself, unchanged);
                     start() has a trainer process forked from the `Zygote` (a process that has
                     imported torch once, at nice `config.nice`) and ships it the run's model,
                     digits and settings; the trainer trains it in a thread, with one intra-op
                     thread, and answers the server over its own socket.

The parent keeps `LiveRun`'s interface (start, pause, resume, reset, stop, set_beta, touch,
snapshot, alive, state, reason, on_finish), so the pool and the views need not know. Messages go
over a private socket pair between the server and its own child, pickled by
`multiprocessing.connection`; nothing a student sends is ever unpickled (a student's input reaches
the child only as a float beta the server has already checked). The child ends when its run ends,
and on its own when the server goes away (the socket closes).
"""
from __future__ import annotations

import gc
import itertools
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from .clicks_first import BusyBoard, busy_board
from .live import HISTORY_KEYS, LiveConfig, LiveRun, LiveSnapshot, valid_beta

ROOT = Path(__file__).resolve().parents[2]  # the directory holding the explorer package
REPLY_SECONDS = 5.0  # the first snapshot: one the child has not sent by then is replaced by an empty one
# later polls wait this long for the child's answer, then show the newest snapshot it sent: a trainer
# runs on idle CPU only (SCHED_IDLE), and in a busy class its answer can wait for a free core
FRESH_SECONDS = 0.1
START_SECONDS = 120.0  # a child that has not said it is ready by then is stopped
# the zygote lowers its priority first, so that even its start (importing torch: seconds of CPU) yields
# to the students' clicks; the trainers it forks inherit that priority. Linux: besides the nice value,
# the SCHED_IDLE policy (no privilege needed to take it): such a process runs only on CPU time that no
# other process wants, and a waking request handler takes its core at once. Measured with
# scripts/bench_live.py, old and new one after the other: with two trainers running, a clicking
# client's /tradeoff took 94.5 ms median (p90 138) at nice 10 alone and 72.4 ms (p90 78) with
# SCHED_IDLE, as with no trainer (73-75 ms), while the trainers took as many steps or more.
ZYGOTE = ("import os, sys\n"
          "nice = int(sys.argv[2])\n"
          "if nice > 0 and hasattr(os, 'nice'): os.nice(nice)\n"
          "if nice > 0 and hasattr(os, 'SCHED_IDLE'):\n"
          "    try: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\n"
          "    except OSError: pass\n"  # not permitted here (some sandboxes): the nice value alone
          "from explorer.training.live_process import zygote_main\n"
          "zygote_main(int(sys.argv[1]), int(sys.argv[3]))\n")


class Zygote:
    """One process that imports torch once and forks a trainer per run: a run starts in milliseconds
    instead of the seconds a fresh interpreter takes to import torch, and the trainers share the
    zygote's imported pages (importing torch alone takes ~290 MB of private memory per process). The
    zygote is single-threaded and never runs a torch operation, so forking it is safe. It is started
    on the first run and ends when the server's end of its socket closes."""

    def __init__(self, nice: int):
        self.nice = max(0, min(int(nice), 19))
        self.proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def fork(self, child: socket.socket) -> int:
        """A new trainer process that will speak on `child` (its end of a socket pair) -> its pid."""
        with self._lock:
            for attempt in range(2):  # a zygote that died is replaced once
                if self.proc is None or self.proc.poll() is not None:
                    self._start()
                try:  # a zygote that does not answer in time (it imports torch first) is replaced too
                    socket.send_fds(self._sock, [b"f"], [child.fileno()])
                    reply = b""
                    while len(reply) < 8:
                        more = self._sock.recv(8 - len(reply))
                        if not more:
                            raise OSError("the trainer zygote closed its socket")
                        reply += more
                    return struct.unpack("!q", reply)[0]
                except OSError:
                    if attempt:
                        raise
                    self.close()

    def _start(self) -> None:
        server_end, zygote_end = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        board = busy_board().fileno()  # the server's clicks (clicks_first.py): every trainer reads it
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE, str(zygote_end.fileno()), str(self.nice),
                                          str(board)],
                                         pass_fds=[zygote_end.fileno(), board], env=env, cwd=ROOT,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except OSError:
            server_end.close()
            raise
        finally:
            zygote_end.close()
        server_end.settimeout(START_SECONDS)
        self._sock = server_end

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()  # the zygote sees its socket close and leaves
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = self._sock = None


_ZYGOTES: dict[int, Zygote] = {}
_ZYGOTES_LOCK = threading.Lock()
def zygote(nice: int) -> Zygote:
    """The process-wide zygote for trainers at this nice value."""
    with _ZYGOTES_LOCK:
        return _ZYGOTES.setdefault(max(0, min(int(nice), 19)), Zygote(nice))


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:  # already gone
        pass


class ProcessRun:
    """`LiveRun`'s interface; the training happens in a child process once start() is called."""

    def __init__(self, run: LiveRun):
        self._run = run  # holds the model and digits until start(); never trained here
        self.config: LiveConfig = run.config  # the pool shortens the time limits before start()
        self.label = run.label
        self._latent_dim = run.model.config.latent_dim
        self.on_finish = None
        self.state = "waiting"
        self.reason: str | None = None
        self.created = self.last_poll = time.monotonic()
        self.started: float | None = None
        self.thread_nice: int | None = None  # the child trainer thread's nice value once it runs
        self.pid: int | None = None
        self._beta = run.beta
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self._request_lock = threading.Lock()  # one snapshot request in flight at a time
        self._pending: int | None = None  # the id of the snapshot asked for and not yet received
        self._replies: queue.Queue = queue.Queue()
        self._ids = itertools.count()
        self._ready = threading.Event()
        self._ended = threading.Event()
        self._last: LiveSnapshot | None = None

    # ------------------------------------------------------------------ control (any thread)
    @property
    def beta(self) -> float:
        return self._beta

    @property
    def step(self) -> int:
        return self._last.step if self._last is not None else 0

    @property
    def alive(self) -> bool:
        return self.state in ("waiting", "running", "paused")

    def set_beta(self, beta) -> float:
        self._beta = valid_beta(beta)
        self._send(("set_beta", self._beta))
        return self._beta

    def pause(self) -> None:
        if self.state == "running":
            self.state = "paused"
            self._send(("pause",))

    def resume(self) -> None:
        if self.state == "paused":
            self.state = "running"
            self._send(("resume",))

    def reset(self) -> None:
        self._send(("reset",))

    def touch(self) -> None:
        self.last_poll = time.monotonic()
        self._send(("touch",))

    def start(self) -> None:
        if self._conn is not None or not self.alive:
            return
        self.started = time.monotonic()
        self.state = "running"
        parent, child = socket.socketpair()
        self._conn = Connection(parent.detach())
        r = self._run
        payload = {
            "model_config": asdict(r.model.config), "state": {k: v.numpy() for k, v in r.model.state_dict().items()},
            "train_x": r.train_x.numpy(), "eval_x": r.eval_x.numpy(),
            "show_x": None if r.show_x is None else r.show_x.numpy(),
            "ellipse_x": None if r.ellipse_x is None else r.ellipse_x.numpy(),
            "ellipse_labels": r.ellipse_labels, "beta": self._beta, "config": asdict(self.config), "label": self.label,
            "trained_beta": r.trained_beta,
        }
        threading.Thread(target=self._listen, args=(child, payload), name="live-process", daemon=True).start()

    def stop(self, reason: str = "stopped", join: bool = False) -> None:
        if self.reason is None and self.alive:
            self.reason = reason
        if self._conn is None:
            self._finish(self.reason or reason)
            return
        self._send(("stop", reason))  # before the child is ready: sent once it is
        if join and not self._ended.wait(10):
            if self.pid is not None:
                _kill(self.pid)
            self._ended.wait(5)

    def snapshot(self, touch: bool = True, fresh: bool = False) -> LiveSnapshot:
        """The run as the trainer last described it. A page's poll (fresh=False) waits FRESH_SECONDS
        for the answer it asks for, then shows the newest it has, so it can be one poll old; fresh=True
        waits (up to REPLY_SECONDS) for an answer to a question asked now (tests, benchmarks)."""
        if touch:
            self.last_poll = time.monotonic()
        if self._ended.is_set() or not self._ready.is_set():
            snap = self._last or self._empty_snapshot()
        else:
            with self._request_lock:
                snap = self._answer(REPLY_SECONDS if fresh else 0.0)  # one that came after the last poll
                if fresh:
                    snap, self._pending = None, None  # not answered in time: ask anew in any case
                if self._pending is None:
                    self._pending = next(self._ids)
                    self._send(("snapshot", self._pending, touch))
                elif touch:
                    self._send(("touch",))
                snap = self._answer(REPLY_SECONDS if fresh or self._last is None else FRESH_SECONDS) or snap
            snap = snap or self._last or self._empty_snapshot()
        # the parent's own view of state and beta is the newest (a pause or beta sent a moment ago)
        snap.state, snap.beta = self.state, self._beta
        snap.reason = self.reason
        return snap

    def wait_steps(self, n: int, timeout: float = 30.0) -> bool:
        """Block until the child has taken at least n steps (tests and benchmarks)."""
        t0 = time.monotonic()
        while self.snapshot(touch=False).step < n:
            if time.monotonic() - t0 > timeout or not self.alive:
                return self.step >= n
            time.sleep(0.02)
        return True

    # ------------------------------------------------------------------ internals
    def _answer(self, wait: float) -> LiveSnapshot | None:
        """The child's answer to the pending request, if it comes within `wait` seconds (then none is
        pending); older answers in the queue are dropped. Called with _request_lock held."""
        deadline = time.monotonic() + wait
        while self._pending is not None and not self._ended.is_set():
            try:
                got_id, got = self._replies.get(timeout=max(0.0, min(0.05, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    return None
                continue
            if got_id == self._pending:
                self._pending = None
                return got
        return None

    def _empty_snapshot(self) -> LiveSnapshot:
        """Before the trainer's first answer: the run as the server knows it, nothing measured yet."""
        return LiveSnapshot(state=self.state, step=0, beta=self._beta, steps_per_second=0.0,
                            history={k: np.zeros(0) for k in HISTORY_KEYS}, reconstructions=None,
                            originals=None, prior_samples=None, mu=None, sigma=None, labels=None,
                            latent_dim=self._latent_dim, label=self.label, reason=self.reason)

    def _send(self, msg, before_ready: bool = False) -> None:
        """Commands before the child is ready are not sent: it is told the state it should be in
        (beta, paused, stopped) once it is."""
        if self._conn is None or self._ended.is_set() or not (before_ready or self._ready.is_set()):
            return
        try:
            with self._send_lock:
                self._conn.send(msg)
        except OSError:  # the child is gone; the listener says why
            pass

    def _listen(self, child: socket.socket, payload: dict) -> None:
        """Has the trainer forked (the first run waits for the zygote to import torch) and sends it
        the run, then hears everything it says until it ends: ready, snapshots, the end."""
        reason = None
        try:
            try:
                self.pid = zygote(self.config.nice).fork(child)
            finally:
                child.close()  # the trainer has its own copy
            self._send(("init", payload), before_ready=True)
            del payload
            while True:
                if not self._ready.is_set() and time.monotonic() - self.started > START_SECONDS:
                    reason = f"training failed: the trainer process did not start within {START_SECONDS:g} s"
                    _kill(self.pid)
                    break
                if not self._conn.poll(0.5):
                    continue
                kind, *rest = self._conn.recv()
                if kind == "ready":  # from now on commands go out as they come; first, catch up on
                    self.thread_nice = rest[0]  # those that came while the trainer started
                    self._ready.set()
                    self._send(("set_beta", self._beta))
                    self._send(("pause",) if self.state == "paused" else ("resume",))
                    if self.reason is not None:  # stopped while the trainer was starting
                        self._send(("stop", self.reason))
                elif kind == "snapshot":
                    self._last = rest[1]
                    self._replies.put((rest[0], rest[1]))
                elif kind == "end":
                    self._last, reason = rest[0], rest[0].reason
                    break
        except Exception as e:  # EOF or a broken socket: the trainer died; no zygote; anything else
            reason = ("training failed: the trainer process ended unexpectedly" if self.pid is not None
                      else f"training failed: could not start the trainer process ({type(e).__name__}: {e})")
        finally:
            self._conn.close()
            self._finish(self.reason or reason or "stopped")

    def _finish(self, reason: str | None) -> None:
        with self._send_lock:  # once only, whoever gets here first (stop before start, the listener)
            if self.state == "stopped":
                return
            self.reason = reason
            self.state = "stopped"
        if self._last is not None:
            self._last.state, self._last.reason = "stopped", reason
        self._run = None  # the parent's copy of the model and digits is no longer needed
        try:
            if self.on_finish is not None:
                self.on_finish(self)
        finally:
            self._ended.set()


# ---------------------------------------------------------------------------- the zygote and its trainers
def zygote_main(fd: int, board_fd: int) -> None:
    """Import what a trainer needs, then fork one trainer per request until the server goes away."""
    import torch  # noqa: F401  imported once here; forked trainers share it
    import torch._dynamo  # noqa: F401  what the first optimizer of a process imports (~2 s): once, here

    from .. import models  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished trainers
    gc.freeze()  # the trainers' garbage collector leaves the imported objects' pages shared
    sock = socket.socket(fileno=fd)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 16, 1)
        except OSError:
            return
        if not msg:  # the server is gone
            return
        for child_fd in fds:
            pid = os.fork()
            if pid == 0:  # the trainer
                code = 0
                try:
                    sock.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    child_main(child_fd, board_fd)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                finally:
                    os._exit(code)
            os.close(child_fd)
            sock.sendall(struct.pack("!q", pid))


def child_main(fd: int, board_fd: int) -> None:
    """A trainer: receive the run, train it in a thread (stepping aside while the server answers
    clicks, as its board says), answer the server until the run ends."""
    import torch

    from ..models import VAE, VAEConfig

    conn = Connection(fd)
    kind, p = conn.recv()
    assert kind == "init", kind
    config = LiveConfig(**p["config"])  # its nice value is already the process's (the zygote's)
    torch.set_num_threads(1)
    model = VAE(VAEConfig(**p["model_config"]))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in p["state"].items()})
    tensor = lambda a: None if a is None else torch.from_numpy(a)  # noqa: E731
    run = LiveRun(model, tensor(p["train_x"]), tensor(p["eval_x"]), beta=p["beta"], config=config,
                  show_x=tensor(p["show_x"]), ellipse_x=tensor(p["ellipse_x"]), ellipse_labels=p["ellipse_labels"],
                  label=p["label"], trained_beta=p["trained_beta"])
    del p
    run.clicks_first = BusyBoard(board_fd).wait_while_busy
    run.start()
    conn.send(("ready", os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else None))
    try:
        while run.alive:
            if not conn.poll(0.2):
                continue
            kind, *args = conn.recv()
            if kind == "snapshot":
                conn.send(("snapshot", args[0], run.snapshot(touch=args[1])))
            elif kind == "set_beta":
                run.set_beta(args[0])
            elif kind in ("pause", "resume", "reset", "touch"):
                getattr(run, kind)()
            elif kind == "stop":
                run.stop(args[0], join=True)
    except (EOFError, OSError):  # the server is gone: stop training and leave
        run.stop("server gone", join=True)
        return
    run.stop(run.reason or "stopped", join=True)
    try:
        conn.send(("end", run.snapshot(touch=False)))
    except OSError:
        pass


