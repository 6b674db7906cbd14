"""Live training: one small VAE trained in a background thread per browser session, with a beta
that can be changed while it runs. No gradio here: the UI asks a `TrainerPool` for a `LiveRun`
and polls `LiveRun.snapshot()`.

    objective per step   D + beta * R   (distortion -E_q log p(x|z), rate KL(q(z|x) || p(z)), nats)

Every `eval_every` steps the run measures D and R on a fixed batch of binarised test digits (the
same kind of digits the sweep's frontier is measured on), so the live point can be drawn on the
rate-distortion plane next to the trained models.

Threads. PyTorch's intra-op thread count is process-wide in name only: `torch.set_num_threads`
sets the calling thread's OpenMP/MKL thread count *and* a global default that threads created
later pick up. `single_thread()` gives the trainer thread one intra-op thread and restores the
global default from a throw-away helper thread, so the app's request threads keep theirs.
(`torch.set_num_interop_threads` does not help here: it sizes the pool for `torch.jit.fork`-style
inter-op work, which plain eager training never uses, and it can only be called once per process.)

Training digits ship with the app: `checkpoints/live_digits.safetensors`, 2,000 MNIST training
digits (200 per class), built by `python -m explorer.live --build-data`.
"""
from __future__ import annotations

import argparse
import copy
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .checkpoints import CHECKPOINT_DIR
from .data import BINARIZE_SEED, binarize
from .errors import InputError, check_float
from .models import VAE, VAEConfig

LIVE_DIGITS = "live_digits.safetensors"
MAX_BETA = 20.0
DEFAULT_MAX_TRAINERS = 2

_THREADS_LOCK = threading.Lock()  # serialises the set-and-restore of torch's global default


class LiveError(InputError):
    """A request the live trainer cannot honour; the message says what is allowed."""


def check_beta(beta) -> float:
    return check_float(beta, "beta", 0.0, MAX_BETA, error=LiveError)


def single_thread() -> None:
    """Give the calling thread one intra-op thread without changing other threads' default."""
    with _THREADS_LOCK:
        previous = torch.get_num_threads()
        torch.set_num_threads(1)  # this thread's OpenMP + MKL count, and the global default
        torch.ones(1 << 16).sum()  # first parallel op: fixes this thread's count at 1
        helper = threading.Thread(target=torch.set_num_threads, args=(previous,))
        helper.start()  # restores the global default from a thread that then exits
        helper.join()


# ---------------------------------------------------------------------------- training digits
def build_live_digits(data_root: str | Path = "../shared/data", out: str | Path | None = None,
                      per_class: int = 200, seed: int = 0) -> Path:
    """Write a small, shippable set of MNIST training digits (uint8) with their provenance."""
    from safetensors.torch import save_file

    from .data import DATA_DESCRIPTION, load_images

    x, y = load_images("mnist", data_root, train=True, download=False)
    g = torch.Generator().manual_seed(seed)
    picked = []
    for c in range(10):
        idx = (y == c).nonzero().squeeze(1)
        picked.append(idx[torch.randperm(len(idx), generator=g)[:per_class]])
    idx = torch.cat(picked)
    idx = idx[torch.randperm(len(idx), generator=g)]
    images = (x[idx, 0] * 255).round().to(torch.uint8).contiguous()  # (N, 28, 28)
    out = Path(out) if out else CHECKPOINT_DIR / LIVE_DIGITS
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "what": f"{len(idx)} MNIST training digits ({per_class} per class) for the app's live trainer",
        "source": DATA_DESCRIPTION[("mnist", "train")],
        "selection": f"per class, torch.randperm with Generator().manual_seed({seed}); then shuffled",
        "licence": "MNIST: CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
        "command": "python -m explorer.live --build-data",
    }
    save_file({"images": images, "labels": y[idx].to(torch.uint8).contiguous()}, str(out), metadata=meta)
    return out


def load_live_digits(path: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(images (N, 28, 28) uint8, labels (N,) long) of the shipped training digits."""
    from safetensors.torch import load_file

    path = Path(path) if path else CHECKPOINT_DIR / LIVE_DIGITS
    if not path.is_file():
        raise FileNotFoundError(f"live training digits {path} are missing; build them with "
                                f"`python -m explorer.live --build-data`")
    t = load_file(str(path))
    return t["images"], t["labels"].long()


# ---------------------------------------------------------------------------- one run
@dataclass
class LiveConfig:
    batch_size: int = 64
    lr: float = 1e-3
    eval_every: int = 10  # steps between measurements on the evaluation batch
    max_history: int = 1500  # measurements kept; older ones are thinned, never the latest
    n_prior: int = 16  # prior samples shown, from a fixed seed
    seed: int = 0
    idle_seconds: float = 600.0  # stop after this long without a poll
    max_seconds: float = 1800.0  # stop after this long in any case
    pause_between_steps: float = 0.0  # seconds; > 0 leaves CPU to other users


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
    queue_position: int | None = None  # runs ahead of this one while waiting
    elapsed: float = 0.0

    @property
    def last(self) -> dict[str, float] | None:
        if not len(self.history["step"]):
            return None
        return {k: float(v[-1]) for k, v in self.history.items()}


HISTORY_KEYS = ("step", "beta", "distortion", "rate", "beta_rate", "total")


class LiveRun:
    """A VAE trained on `train_x` in its own thread; measured on the fixed `eval_x`.

    train_x: (N, 28, 28) uint8 or float in [0, 1] training digits (binarised afresh per batch).
    eval_x: (M, 1, 28, 28) fixed binary evaluation digits.
    show_x: (n, 1, 28, 28) digits whose reconstructions are shown.
    ellipse_x, ellipse_labels: a fixed batch whose posteriors are drawn (2-D latent).
    """

    def __init__(self, model: VAE, train_x: torch.Tensor, eval_x: torch.Tensor, *, beta: float = 1.0,
                 config: LiveConfig | None = None, show_x: torch.Tensor | None = None,
                 ellipse_x: torch.Tensor | None = None, ellipse_labels=None, label: str = ""):
        self.config = config or LiveConfig()
        self.model = model
        self.label = label
        # float digits are used as they are (no copy), so many runs can share one tensor
        x = train_x.float() / 255.0 if train_x.dtype == torch.uint8 else train_x.float()
        self.train_x = x.reshape(len(x), -1)
        self.eval_x = eval_x.float()
        self.show_x = show_x.float() if show_x is not None else None
        self.ellipse_x = ellipse_x.float() if ellipse_x is not None else None
        self.ellipse_labels = np.asarray(ellipse_labels) if ellipse_labels is not None else None
        self._initial = copy.deepcopy(model.state_dict())
        self._beta = check_beta(beta)
        self._lock = threading.Lock()  # guards the model, optimiser and recorded results
        self._resume = threading.Event()
        self._resume.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_finish = None  # called once from the trainer thread when it ends
        self.state = "waiting"
        self.reason: str | None = None
        self.created = self.last_poll = time.monotonic()
        self.started: float | None = None
        self._fresh()

    # ------------------------------------------------------------------ control (any thread)
    @property
    def beta(self) -> float:
        return self._beta

    def set_beta(self, beta) -> float:
        """Takes effect from the next training step."""
        self._beta = check_beta(beta)
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
        with self._lock:
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
            raise LiveError("this run trains in its own thread; use set_beta/pause/resume instead")
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
        with self._lock:
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
        )

    def step_betas(self) -> list[tuple[int, float]]:
        """(step, beta used by that step) for the most recent steps."""
        with self._lock:
            return list(self._step_betas)

    # ------------------------------------------------------------------ the trainer thread
    def _fresh(self) -> None:
        self.step = 0
        self._gen = torch.Generator().manual_seed(self.config.seed)
        self._opt = torch.optim.Adam(self.model.parameters(), lr=self.config.lr)
        self._history: list[dict] = []
        self._step_betas: deque[tuple[int, float]] = deque(maxlen=1000)
        self._views: dict = {}
        self._clock: deque[tuple[float, int]] = deque(maxlen=50)

    def _rate(self) -> float:
        clock = list(self._clock)
        if len(clock) < 2 or clock[-1][0] <= clock[0][0]:
            return 0.0
        return (clock[-1][1] - clock[0][1]) / (clock[-1][0] - clock[0][0])

    def _train_step(self) -> None:
        beta = self._beta  # read once: the whole step uses one beta
        self.model.train()
        idx = torch.randint(0, len(self.train_x), (self.config.batch_size,), generator=self._gen)
        xb = binarize(self.train_x[idx], self._gen)  # dynamic binarisation, as in explorer.train
        loss = self.model.loss(xb, beta=beta, generator=self._gen).loss
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

    def _run(self) -> None:
        try:
            single_thread()
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
                with self._lock:
                    self._train_step()
                    if self.step % self.config.eval_every == 0:
                        self._measure()
                if self.config.pause_between_steps > 0:
                    time.sleep(self.config.pause_between_steps)
        except Exception as e:  # a run must never take the server down; say what happened
            self.reason = f"training failed: {type(e).__name__}: {e}"
        finally:
            self.state = "stopped"
            self._opt = None  # Adam's moments are twice the model's size: free them with the run
            if self.on_finish is not None:
                self.on_finish(self)


# ---------------------------------------------------------------------------- the pool
def max_trainers_from_env(default: int = DEFAULT_MAX_TRAINERS) -> int:
    raw = os.environ.get("EXPLORER_MAX_TRAINERS", "")
    try:
        n = int(raw) if raw.strip() else default
    except ValueError:
        n = default
    return max(0, n)


class TrainerPool:
    """At most `max_trainers` runs train at once; the others wait in order of arrival.

    One run per session key: submitting a new run for a key stops that key's old one. The pool is
    process-wide (one per app); the runs themselves belong to their sessions.
    """

    def __init__(self, max_trainers: int | None = None, idle_seconds: float = 600.0,
                 max_seconds: float = 1800.0):
        self.max_trainers = max_trainers_from_env() if max_trainers is None else int(max_trainers)
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self._lock = threading.Lock()
        self._runs: dict[str, LiveRun] = {}
        self._waiting: list[str] = []

    def submit(self, key: str, run: LiveRun) -> LiveRun:
        run.config.idle_seconds = min(run.config.idle_seconds, self.idle_seconds)
        run.config.max_seconds = min(run.config.max_seconds, self.max_seconds)
        run.on_finish = lambda r: self._finished(key, r)
        with self._lock:
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


# ---------------------------------------------------------------------------- building runs
def small_vae(latent_dim: int, hidden: tuple[int, ...] = (256,), seed: int = 0) -> VAE:
    """The from-scratch live model: one hidden layer, so a step takes milliseconds on one core."""
    torch.manual_seed(seed)  # only at build time, for reproducible initial weights
    return VAE(VAEConfig(hidden=hidden, latent_dim=int(latent_dim)))


def copy_model(model: VAE) -> VAE:
    """A trainable copy of a shipped model (the shipped one stays untouched)."""
    clone = VAE(copy.deepcopy(model.config))
    clone.load_state_dict(model.state_dict())
    return clone


def fixed_binary(x: torch.Tensor, seed: int = BINARIZE_SEED) -> torch.Tensor:
    """One fixed binarisation of grey digits, so every measurement sees the same pixels."""
    return binarize(x.float().clamp(0, 1), torch.Generator().manual_seed(seed))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m explorer.live", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-data", action="store_true", help=f"write checkpoints/{LIVE_DIGITS}")
    p.add_argument("--data-root", default="../shared/data")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    if not args.build_data:
        p.error("nothing to do: pass --build-data")
    out = build_live_digits(args.data_root, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
