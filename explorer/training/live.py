"""Live training: one small VAE trained in a background thread, with a beta that can be changed
while it runs. No gradio here: the UI asks a `TrainerPool` (training/pool.py) for a slot and polls
`LiveRun.snapshot()`. The app runs each LiveRun in a child process (training/live_process.py), so
that the trainer thread does not share the server's GIL.

    objective per step   D + beta * R   (distortion -E_q log p(x|z), rate KL(q(z|x) || p(z)), nats)

A new beta is a new objective: when the beta of a step differs from the one the weights were last
trained at (the starting sweep model's, the run's previous beta, or none for a run from scratch),
Adam's moments start afresh and the learning rate is `hot_lr` for `hot_steps` steps, then the settled
`lr`. Measured with `scripts/diagnose_live_settings.py` (one thread): from the beta = 1 model trained
at 4, R and D each within 10 % of the beta = 4 frontier point from step 700 on, and staying there,
where plain Adam at 1e-3 on the 2,000 digits shipped before got there at step 1,900 and left again;
trained on at its own beta, the beta = 1 model stays nearer its point at 3e-4 (D 76.7 after 2,400
steps, frontier 75.4) than at 1e-3 (80.0); from scratch, the hot start reaches a lower -ELBO sooner
(32-D: 118.7 against 132.6 nats at step 800) and the same by step 2,400.

A large fall of beta is different: the units a larger beta closed (their q(z_d|x) = p(z_d), no code)
do not reopen. From the beta = 4 model at 0.25 the trainer above stayed at R 24-26 for 3,600 steps (the
frontier point: R 49.8), from the beta = 1 model at 0.5 at R 29.5 (frontier 34.9); re-initialising only
the closed units, warming the rate's weight up from 0, other learning rates and free bits did not get
there either (docs/performance-log.md). So when beta falls to half the weights' beta or less while some
units are closed, the run restarts from fresh weights (the model's own initialisation, from the run's
seed) with a schedule that reaches the frontier from scratch quickly: `restart_steps` steps whose
learning rate falls along a cosine from `restart_lr` to a tenth of it, in batches of
`restart_batch_size`, the rate's weight rising from 0 to beta over `restart_warmup` steps. Measured
with `scripts/diagnose_live_settings.py scratch 0.25 sweep=1,bs=128,...` (one thread, 86 steps/s):
within 10 % of the beta = 0.25 frontier point from step 2,000 on; with the warm-up over 300 steps
(at 3e-3) or in batches of 64, not within 10 % in 3,000 steps. While that schedule runs, a trainer in
its own thread uses `restart_threads` intra-op threads (135-143 steps/s against 86 with one, idle
machine): it runs on CPU no request wants (SCHED_IDLE, and it waits while the server answers a click,
training/clicks_first.py), so the second thread takes the core the server leaves idle.

Every `eval_every` steps the run measures D and R on a fixed batch of binarised test digits with
`VAE.measure` (the same measure as training, evaluation and the beta tab's sweep), so the live point
can be drawn on the rate-distortion plane next to the trained models.

Threads. PyTorch's intra-op thread count is process-wide in name only: `torch.set_num_threads`
sets the calling thread's OpenMP/MKL thread count *and* a global default that threads created
later pick up. `single_thread()` gives the trainer thread one intra-op thread and restores the
global default from a throw-away helper thread, so the app's request threads keep theirs.
(`torch.set_num_interop_threads` does not help here: it sizes the pool for `torch.jit.fork`-style
inter-op work, which plain eager training never uses, and it can only be called once per process.)
"""
from __future__ import annotations

import contextlib
import copy
import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from ..data import binarize
from ..models import VAE, VAEConfig
from ..models.vae import gaussian_kl

_THREADS_LOCK = threading.Lock()  # serialises the set-and-restore of torch's global default


def valid_beta(beta) -> float:
    """The trainer's own contract: a finite beta >= 0 (the tab's narrower range is checked in
    views/tradeoff.py, where the student's input arrives)."""
    b = float(beta)
    if not math.isfinite(b) or b < 0:
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}")
    return b


def _in_a_new_thread(fn, *args):
    """fn(*args) in a thread that then exits: a new thread starts from the global default."""
    out = []
    helper = threading.Thread(target=lambda: out.append(fn(*args)))
    helper.start()
    helper.join()
    return out[0]


def intra_op_threads(n: int) -> None:
    """Give the calling thread n intra-op threads without changing other threads' default."""
    with _THREADS_LOCK:
        # the global default, read where it applies (the calling thread's own count may differ: a
        # trainer that went to two threads for a restart and comes back to one)
        default = _in_a_new_thread(torch.get_num_threads)
        torch.set_num_threads(max(1, int(n)))  # this thread's OpenMP + MKL count, and the global default
        torch.ones(1 << 16).sum()  # a parallel op: fixes this thread's count
        _in_a_new_thread(torch.set_num_threads, default)  # the global default as it was


def single_thread() -> None:
    """Give the calling thread one intra-op thread without changing other threads' default."""
    intra_op_threads(1)


def lower_priority(nice: int) -> int | None:
    """Lower the calling thread's CPU priority (Linux: a thread is a task with its own nice value), so
    that on a busy machine students' clicks run first and the trainer takes the CPU that is left.
    Returns the thread's nice value, or None where the platform has no per-thread priority."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return None
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), min(int(nice), 19)))
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:  # not permitted here: train at the normal priority
        return None


@dataclass
class LiveConfig:
    batch_size: int = 64
    lr: float = 3e-4  # the settled learning rate, after hot_steps
    hot_lr: float = 3e-3  # the learning rate for the first hot_steps steps at a new beta (and from scratch)
    hot_steps: int = 600
    eval_every: int = 10  # steps between measurements on the evaluation batch
    max_history: int = 1500  # measurements kept; older ones are thinned, never the latest
    n_prior: int = 16  # prior samples shown, from a fixed seed
    seed: int = 0
    idle_seconds: float = 600.0  # stop after this long without a poll
    max_seconds: float = 1800.0  # stop after this long in any case
    pause_between_steps: float = 0.0  # seconds; > 0 leaves CPU to other users
    nice: int = 10  # the trainer's nice value (its thread; its whole process under ProcessRun): clicks first (0: off)
    # the longest a step waits while the server answers clicks (training/clicks_first.py; 0: never waits)
    clicks_first_seconds: float = 0.05
    # a fall of beta to 1/restart_factor of the weights' beta or less, while some latent units are closed
    # (rate under restart_closed_nats on the evaluation digits), restarts from fresh weights: the units
    # that the larger beta closed do not reopen (module docstring). 0: never restart
    restart_factor: float = 2.0
    restart_closed_nats: float = 0.01
    restart_steps: int = 2500  # after a restart: lr from restart_lr along a cosine down to a tenth,
    restart_lr: float = 4e-3
    restart_warmup: int = 1500  # the rate's weight rising from 0 to beta over these steps,
    restart_batch_size: int = 128  # and batches of this size; then batch_size at the settled lr
    # intra-op threads while the restart's schedule runs, in a trainer that runs its own thread (at most
    # the machine's cores; then one again). The trainer takes idle CPU only, so a second thread uses the
    # core the server leaves idle (module docstring)
    restart_threads: int = 2


@dataclass
class LiveSnapshot:
    """Everything the UI draws, copied out of the run under its lock."""
    state: str  # "waiting", "running", "paused", "stopped"
    step: int
    beta: float
    steps_per_second: float
    history: dict[str, np.ndarray]  # step, beta, distortion, rate, beta_rate, total
    reconstructions: np.ndarray | None  # (n, 28, 28) in [0, 1]
    originals: np.ndarray | None  # (n, 28, 28)
    prior_samples: np.ndarray | None  # (n_prior, 28, 28)
    mu: np.ndarray | None  # (m, Z) posterior means of the ellipse batch
    sigma: np.ndarray | None  # (m, Z)
    labels: np.ndarray | None  # (m,)
    latent_dim: int
    label: str
    reason: str | None
    restarts: tuple = ()  # Restart: every fresh start of this run's weights after a fall of beta
    restarted: bool = False  # the weights are the latest restart's, and beta has not changed since
    queue_position: int | None = None  # runs ahead of this one while waiting
    elapsed: float = 0.0
    waited_for_clicks: float = 0.0  # seconds the trainer stepped aside for the server's clicks

    @property
    def last(self) -> dict[str, float] | None:
        if not len(self.history["step"]):
            return None
        return {k: float(v[-1]) for k, v in self.history.items()}


HISTORY_KEYS = ("step", "beta", "distortion", "rate", "beta_rate", "total")


@dataclass(frozen=True)
class Restart:
    """Fresh weights at `step` (the first step trained at `beta`), when beta fell from `previous`
    while `closed` of the `units` latent units carried (almost) no code."""
    step: int
    previous: float
    beta: float
    closed: int
    units: int


class LiveRun:
    """A VAE trained on `train_x` in its own thread; measured on the fixed `eval_x`.

    train_x: (N, 28, 28) uint8 or float in [0, 1] training digits (binarised afresh per batch; uint8
        digits stay uint8, a quarter of the memory, and each batch is converted).
    trained_beta: the beta the starting weights were trained at (None: from scratch).
    eval_x: (M, 1, 28, 28) fixed binary evaluation digits.
    show_x: (n, 1, 28, 28) digits whose reconstructions are shown.
    ellipse_x, ellipse_labels: a fixed batch whose posteriors are drawn (2-D latent).
    """

    def __init__(self, model: VAE, train_x: torch.Tensor, eval_x: torch.Tensor, *, beta: float = 1.0,
                 config: LiveConfig | None = None, show_x: torch.Tensor | None = None,
                 ellipse_x: torch.Tensor | None = None, ellipse_labels=None, label: str = "",
                 trained_beta: float | None = None):
        self.config = config or LiveConfig()
        self.model = model
        self.label = label
        # used as they are (no copy), so many runs can share one tensor
        x = train_x if train_x.dtype == torch.uint8 else train_x.float()
        self.train_x = x.reshape(len(x), -1)
        self.trained_beta = None if trained_beta is None else valid_beta(trained_beta)
        self.eval_x = eval_x.float()
        self.show_x = show_x.float() if show_x is not None else None
        self.ellipse_x = ellipse_x.float() if ellipse_x is not None else None
        self.ellipse_labels = np.asarray(ellipse_labels) if ellipse_labels is not None else None
        self._initial = copy.deepcopy(model.state_dict())
        self._beta = valid_beta(beta)
        self._lock = threading.Lock()  # guards the model, optimiser and recorded results
        # readers waiting for _lock (a snapshot, a reset): the trainer lets them in before its next
        # step. Python's locks are not fair: a trainer that takes the lock again at once, holding the
        # interpreter, left a snapshot waiting 160 ms (median) to 1 s behind a small model's steps
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self._resume = threading.Event()
        self._resume.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_finish = None  # called once from the trainer thread when it ends
        self.state = "waiting"
        self.reason: str | None = None
        self.created = self.last_poll = time.monotonic()
        self.started: float | None = None
        self.thread_nice: int | None = None  # the trainer thread's nice value once it runs
        # before each step: wait_while_busy(most) of the server's BusyBoard (clicks_first.py), if any
        self.clicks_first = None
        self.waited_for_clicks = 0.0  # seconds the trainer has waited for clicks
        self._threads: int | None = None  # the trainer thread's intra-op threads, once _run sets them
        self._fresh()

    # ------------------------------------------------------------------ control (any thread)
    @contextlib.contextmanager
    def _turn(self):
        """_lock for a thread other than the trainer, which steps aside for it (see _waiting)."""
        with self._waiting_lock:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._waiting_lock:
                self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    @property
    def beta(self) -> float:
        return self._beta

    def set_beta(self, beta) -> float:
        """Takes effect from the next training step."""
        self._beta = valid_beta(beta)
        return self._beta

    def start(self) -> None:
        if self._thread is not None or self._stop.is_set():
            return
        self.started = time.monotonic()
        self.state = "running"
        self._thread = threading.Thread(target=self._run, name=f"live-vae-{id(self):x}", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        if self.state == "running":
            self._resume.clear()
            self.state = "paused"

    def resume(self) -> None:
        if self.state == "paused":
            self.state = "running"
            self._resume.set()

    def reset(self) -> None:
        """Back to the starting weights, step 0, empty history; keeps the current beta."""
        with self._turn():
            self.model.load_state_dict(self._initial)
            self._fresh()
            if self._thread is not None:
                self._measure()

    def stop(self, reason: str = "stopped", join: bool = False) -> None:
        if not self._stop.is_set():
            self.reason = reason
            self._stop.set()
        self._resume.set()
        if self._thread is None:
            self.state = "stopped"
        elif join and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def touch(self) -> None:
        """A poll from the page: the run is still wanted."""
        self.last_poll = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.state in ("waiting", "running", "paused")

    def run_steps(self, n: int) -> None:
        """Take n training steps in the calling thread (tests, benchmarks); only before start()."""
        if self._thread is not None:
            raise RuntimeError("this run trains in its own thread; use set_beta/pause/resume instead")
        with self._lock:
            if not self._history:
                self._measure()
            for _ in range(int(n)):
                self._train_step()
                if self.step % self.config.eval_every == 0:
                    self._measure()

    def wait_steps(self, n: int, timeout: float = 30.0) -> bool:
        """Block until the run has taken at least n steps (tests and benchmarks)."""
        t0 = time.monotonic()
        while self.step < n:
            if time.monotonic() - t0 > timeout or not self.alive:
                return self.step >= n
            time.sleep(0.005)
        return True

    def snapshot(self, touch: bool = True) -> LiveSnapshot:
        if touch:
            self.touch()
        with self._turn():
            hist = {k: np.array([h[k] for h in self._history], dtype=np.float64) for k in HISTORY_KEYS}
            views = dict(self._views)
            step = self.step
        return LiveSnapshot(
            state=self.state, step=step, beta=self._beta, steps_per_second=self._rate(),
            history=hist, reconstructions=views.get("reconstructions"), originals=views.get("originals"),
            prior_samples=views.get("prior_samples"), mu=views.get("mu"), sigma=views.get("sigma"),
            labels=self.ellipse_labels if views.get("mu") is not None else None,
            latent_dim=self.model.config.latent_dim, label=self.label, reason=self.reason,
            elapsed=time.monotonic() - self.started if self.started else 0.0,
            waited_for_clicks=self.waited_for_clicks, restarts=tuple(self._restarts),
            restarted=self._restarted,
        )

    def step_betas(self) -> list[tuple[int, float]]:
        """(step, beta used by that step) for the most recent steps."""
        with self._turn():
            return list(self._step_betas)

    # ------------------------------------------------------------------ the trainer thread
    def _fresh(self) -> None:
        self.step = 0
        self._gen = torch.Generator().manual_seed(self.config.seed)
        # made at the first step, in the trainer: the app builds runs in its server process, where the
        # first Adam ever made imports torch's compiler machinery (about 2 s holding the GIL)
        self._opt: torch.optim.Adam | None = None
        self._weights_beta = self.trained_beta  # the beta the weights were last trained at (None: untrained)
        self._hot_until = 0  # steps before this one run at hot_lr
        self._restarted_at: int | None = None  # the step of the latest restart, while its schedule runs
        self._restarts: list[Restart] = []
        self._restarted = False  # the latest change of beta restarted the weights
        self._history: list[dict] = []
        self._step_betas: deque[tuple[int, float]] = deque(maxlen=1000)
        self._views: dict = {}
        self._clock: deque[tuple[float, int]] = deque(maxlen=50)

    def _rate(self) -> float:
        clock = list(self._clock)
        if len(clock) < 2 or clock[-1][0] <= clock[0][0]:
            return 0.0
        return (clock[-1][1] - clock[0][1]) / (clock[-1][0] - clock[0][0])

    def _digits(self, idx: torch.Tensor) -> torch.Tensor:
        """Training digits idx as floats in [0, 1], (len(idx), 784)."""
        x = self.train_x[idx]
        return x.float() / 255.0 if x.dtype == torch.uint8 else x

    def _since_restart(self) -> int | None:
        """Steps taken since the latest restart while its schedule runs, else None."""
        if self._restarted_at is None or self.step - self._restarted_at >= self.config.restart_steps:
            return None
        return self.step - self._restarted_at

    def _batch(self) -> torch.Tensor:
        """One training batch, (batch_size, 784) in {0, 1}."""
        size = self.config.batch_size if self._since_restart() is None else self.config.restart_batch_size
        idx = torch.randint(0, len(self.train_x), (size,), generator=self._gen)
        return binarize(self._digits(idx), self._gen)  # dynamic binarisation, as in explorer.train

    def _objective(self, x: torch.Tensor, beta: float) -> torch.Tensor:
        """The loss a step minimises: D + beta * R, averaged over the batch x; after a restart, the
        rate's weight rises from 0 to beta over restart_warmup steps."""
        out, k = self.model.loss(x, beta=beta, generator=self._gen), self._since_restart()
        if k is None or k + 1 >= self.config.restart_warmup:
            return out.loss
        return out.distortion.mean() + beta * (k + 1) / self.config.restart_warmup * out.rate.mean()

    def _learning_rate(self) -> float:
        k = self._since_restart()
        if k is not None:  # a cosine from restart_lr down to a tenth of it
            return self.config.restart_lr * (0.1 + 0.45 * (1 + math.cos(math.pi * k / self.config.restart_steps)))
        return self.config.hot_lr if self.step < self._hot_until else self.config.lr

    @torch.no_grad()
    def _closed_units(self) -> int:
        """Latent units whose rate, averaged over the evaluation digits, is under restart_closed_nats."""
        kl = gaussian_kl(*self.model.eval().encode(self.eval_x)).mean(0)
        return int((kl < self.config.restart_closed_nats).sum())

    def _should_restart(self, beta: float) -> int:
        """The closed units, if this fall of beta restarts the weights (else 0)."""
        f, before = self.config.restart_factor, self._weights_beta
        if not f or before is None or beta * f > before:
            return 0
        return self._closed_units()

    def _restart(self, beta: float, closed: int) -> None:
        """Fresh weights (as the model's class initialises them, from the run's seed; the same every
        time) and the restart's schedule."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.config.seed)
            fresh = type(self.model)(copy.deepcopy(self.model.config))
        self.model.load_state_dict(fresh.state_dict())
        self._restarts.append(Restart(self.step + 1, float(self._weights_beta), beta, closed,
                                      self.model.config.latent_dim))
        self._restarted_at = self.step

    def _train_step(self) -> None:
        beta = self._beta  # read once: the whole step uses one beta
        if beta != self._weights_beta:  # a new objective: fresh moments, a hot start (module docstring)
            closed = self._should_restart(beta)
            self._restarted_at, self._restarted = None, bool(closed)
            if closed:
                self._restart(beta, closed)
            self._opt = None
            self._hot_until = self.step + self.config.hot_steps
            self._weights_beta = beta
        if self._threads is not None:  # in the run's own thread (_run): more threads while restarting
            want = 1 if self._since_restart() is None else min(self.config.restart_threads, os.cpu_count() or 1)
            if want != self._threads:
                intra_op_threads(want)
                self._threads = want
        self.model.train()
        loss = self._objective(self._batch(), beta)
        if self._opt is None:
            # fused: one kernel per step for all the parameters (torch >= 2.4 on CPU), where plain Adam
            # loops over them op by op: 17 % of a step of the sweep-sized model (torch.profiler); the
            # step 11.4 -> 9.8 ms, 2,400 restart steps 27 -> 23.5 s with measurements (one thread)
            self._opt = torch.optim.Adam(self.model.parameters(), lr=self.config.lr, fused=True)
        for group in self._opt.param_groups:
            group["lr"] = self._learning_rate()
        self._opt.zero_grad(set_to_none=True)
        loss.backward()
        self._opt.step()
        self.step += 1
        self._step_betas.append((self.step, beta))
        self._clock.append((time.monotonic(), self.step))

    @torch.no_grad()
    def _measure(self) -> None:
        """D and R on the fixed evaluation batch (fixed eps, so points are comparable), and views."""
        m = self.model.eval()
        g = torch.Generator().manual_seed(1)
        out = m.loss(self.eval_x, beta=1.0, generator=g)
        d, r = out.distortion.mean().item(), out.rate.mean().item()
        beta = self._step_betas[-1][1] if self._step_betas else self._beta
        self._history.append({"step": self.step, "beta": beta, "distortion": d, "rate": r,
                              "beta_rate": beta * r, "total": d + beta * r})
        if len(self._history) > self.config.max_history:  # thin the past, keep the newest point
            self._history = self._history[:-1:2] + self._history[-1:]
        views = {}
        if self.show_x is not None:
            mu, _ = m.encode(self.show_x)
            views["originals"] = self.show_x[:, 0].numpy()
            views["reconstructions"] = m.decode(mu)[:, 0].numpy()
        _, x_prior = m.sample_prior(self.config.n_prior, torch.Generator().manual_seed(self.config.seed))
        views["prior_samples"] = x_prior[:, 0].numpy()
        if self.ellipse_x is not None:
            mu, logvar = m.encode(self.ellipse_x)
            views["mu"], views["sigma"] = mu.numpy(), (0.5 * logvar).exp().numpy()
        self._views = views

    def _expired(self) -> str | None:
        now = time.monotonic()
        if now - self.last_poll > self.config.idle_seconds:
            return f"stopped after {self.config.idle_seconds:g} s without the page asking for news"
        if self.started and now - self.started > self.config.max_seconds:
            return f"stopped at the time limit of {self.config.max_seconds:g} s per run"
        return None

    def _step_aside(self, most: float = 0.05) -> None:
        """Between steps: let threads waiting for the lock take it first (at most `most` seconds)."""
        deadline = time.monotonic() + most
        while self._waiting and time.monotonic() < deadline:
            time.sleep(0.0005)

    def _run(self) -> None:
        try:
            single_thread()
            self._threads = 1
            self.thread_nice = lower_priority(self.config.nice)
            with self._lock:
                self._measure()
            while not self._stop.is_set():
                reason = self._expired()
                if reason:
                    self.stop(reason)
                    break
                if not self._resume.wait(timeout=0.2):
                    continue
                if self._stop.is_set():
                    break
                if self.clicks_first is not None and self.config.clicks_first_seconds > 0:
                    self.waited_for_clicks += self.clicks_first(self.config.clicks_first_seconds)
                with self._lock:
                    self._train_step()
                    if self.step % self.config.eval_every == 0:
                        self._measure()
                self._step_aside()
                if self.config.pause_between_steps > 0:
                    time.sleep(self.config.pause_between_steps)
        except Exception as e:  # a run must never take the server down; say what happened
            self.reason = f"training failed: {type(e).__name__}: {e}"
        finally:
            self.state = "stopped"
            self._opt = None  # Adam's moments are twice the model's size: free them with the run
            if self.on_finish is not None:
                self.on_finish(self)


def small_vae(latent_dim: int, hidden: tuple[int, ...] = (256,), seed: int = 0) -> VAE:
    """The from-scratch live model: one hidden layer, so a step takes milliseconds on one core."""
    torch.manual_seed(seed)  # only at build time, for reproducible initial weights
    return VAE(VAEConfig(hidden=hidden, latent_dim=int(latent_dim)))


def copy_model(model: VAE) -> VAE:
    """A trainable copy of a shipped model (the shipped one stays untouched)."""
    clone = VAE(copy.deepcopy(model.config))
    clone.load_state_dict(model.state_dict())
    return clone
