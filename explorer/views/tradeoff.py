"""The reconstruction-vs-KL tab's work, without gradio: the beta sweep seen through fixed test
digits, the Gaussian decoders (sigma_x in beta's role, on the grey versions of the same digits), and a
live run (which model it starts from, what it shows, its status).

Every number on the rate-distortion plane here is measured the same way, by `VAE.measure` (the
measure of training and evaluation too): the mean over a fixed batch of binarised test digits (25 per
class from the shipped gallery, one fixed binarisation, one fixed draw of eps), so the trained models
and the live run can be compared point to point.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image

from ..data import fixed_binary
from ..errors import InputError, check_float, check_seed
from ..i18n import from_english, t
from ..models import VAE, Measurement
from ..models.vae import gaussian_squared_error
from ..plots import tradeoff as plots
from ..training.live import LiveConfig, LiveRun, LiveSnapshot, copy_model, small_vae
from ..training.live_process import ProcessRun
from ..zoo import Zoo
from .kept import Kept

EVAL_PER_CLASS = 25
SHOW_PER_CLASS = 1
ELLIPSE_PER_CLASS = 10
N_PRIOR = 16
MEASURE_SEED = 0  # the eps of every point on the plane
from .limits import LIVE_BETA, SWEEP_BETA, nearest_beta  # noqa: F401
LIVE_STARTS = ("scratch", "sweep")


# ---------------------------------------------------------------------------- fixed digits
@dataclass
class Digits:
    x: torch.Tensor  # (n, 1, 28, 28) grey values in [0, 1]
    labels: np.ndarray  # (n,)
    source: str


def mnist_gallery(zoo: Zoo) -> tuple[torch.Tensor, np.ndarray] | None:
    """The test-digit gallery of the first MNIST VAE that ships a latent map."""
    for entry in zoo.vaes.values():
        if entry.dataset == "mnist" and entry.map is not None and len(entry.map.gallery):
            return entry.map.gallery, np.asarray(entry.map.gallery_labels)
    return None


def per_class(x: torch.Tensor, labels: np.ndarray, k: int, offset: int = 0) -> Digits:
    """The first k digits of each class (after skipping `offset` of them), class by class."""
    idx = []
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        idx.extend(where[offset:offset + k].tolist())
    idx = np.array(idx, dtype=int)
    return Digits(x[torch.as_tensor(idx)], labels[idx], "")


@dataclass
class FixedDigits:
    evaluation: torch.Tensor  # (M, 1, 28, 28) binary: every D and R on the plane
    show: Digits  # whose reconstructions are drawn
    ellipses: Digits  # whose posteriors are drawn (2-D latent)
    source: str
    kind: str = "gallery"  # "gallery" (test digits) or "training" (the live digits: no gallery shipped)
    grey: torch.Tensor | None = None  # (M, 1, 28, 28) the same digits unbinarised: what Gaussian decoders see

    def source_in(self, lang: str = "en") -> str:
        return t(f"to.source_{self.kind}", lang, n=len(self.evaluation))


def fixed_digits(zoo: Zoo, fallback: tuple[torch.Tensor, np.ndarray] | None = None) -> FixedDigits:
    """Test digits from the shipped gallery (or `fallback` images, labels when none ships)."""
    found = mnist_gallery(zoo)
    source = "MNIST test digits from the shipped gallery"
    if found is None:
        if fallback is None:
            raise ValueError("no MNIST gallery in the zoo and no fallback digits: cannot measure rate and distortion")
        x, labels = fallback
        x = x.float().div(255.0) if x.dtype == torch.uint8 else x.float()
        found, source = (x.reshape(-1, 1, 28, 28), np.asarray(labels)), "MNIST training digits (no gallery shipped)"
    x, labels = found
    evaluation = per_class(x, labels, EVAL_PER_CLASS)
    return FixedDigits(fixed_binary(evaluation.x), per_class(x, labels, SHOW_PER_CLASS),
                       per_class(x, labels, ELLIPSE_PER_CLASS), f"{len(evaluation.x)} {source}",
                       "training" if "training" in source else "gallery", evaluation.x.float())


# ---------------------------------------------------------------------------- the sweep
@dataclass
class Frontier:
    betas: np.ndarray
    names: list[str]
    rates: np.ndarray  # nats, on the fixed evaluation digits
    distortions: np.ndarray
    kl_per_dim: list[np.ndarray]
    active: list[np.ndarray]  # (Z,) bool per point: Burda et al.'s active units
    shipped_rates: np.ndarray  # the manifest's figures (whole test set), nan when absent
    shipped_distortions: np.ndarray

    def nearest(self, beta: float) -> int:
        """Index of the sweep point closest to beta on a log scale."""
        return nearest_beta(self.betas, check_sweep_beta(beta))

    def beta_at(self, index) -> float:
        """The beta of sweep point `index` (the slider's position), clamped to the sweep."""
        i = check_float(index, "sweep index", -1e9, 1e9)
        return float(self.betas[int(min(max(round(i), 0), len(self.betas) - 1))])

    def point_for(self, beta: float) -> tuple[float, float]:
        i = self.nearest(beta)
        return float(self.rates[i]), float(self.distortions[i])


def check_sweep_beta(beta) -> float:
    """Any positive beta: the view snaps it to the nearest sweep point (on a log scale)."""
    return check_float(beta, "beta", *SWEEP_BETA, " (the sweep spans 0.1 to 8)")


def check_live_beta(beta) -> float:
    return check_float(beta, "β", *LIVE_BETA)


def measure(model: VAE, x_binary: torch.Tensor) -> Measurement:
    """D, R, KL per dimension and active units on the fixed digits, with the fixed eps."""
    return model.eval().measure(x_binary, torch.Generator().manual_seed(MEASURE_SEED))


def measure_frontier(zoo: Zoo, digits: FixedDigits) -> Frontier:
    if not zoo.sweep:
        raise ValueError("this app ships no beta sweep (checkpoints sweep_mnist_beta*): nothing to show")
    ms = [measure(p.model, digits.evaluation) for p in zoo.sweep]
    return Frontier(np.array([p.beta for p in zoo.sweep], float), [p.name for p in zoo.sweep],
                    np.array([m.R for m in ms]), np.array([m.D for m in ms]),
                    [m.kl_per_dim.mean(0).numpy() for m in ms], [m.active.numpy() for m in ms],
                    np.array([p.rate for p in zoo.sweep], float), np.array([p.distortion for p in zoo.sweep], float))


# ---------------------------------------------------------------------------- the Gaussian decoder
@dataclass
class SigmaFrontier:
    """Gaussian-decoder VAEs, p(x|z) = N(x_hat, sigma_x^2 I), measured by `measure` on the grey versions
    of the fixed digits. Their objective ||x - x_hat||^2 / (2 sigma_x^2) + KL is, up to a constant and the
    factor 1 / (2 sigma_x^2), ||x - x_hat||^2 + 2 sigma_x^2 KL: a beta-VAE against squared error with
    beta_eff = 2 sigma_x^2."""
    sigmas: np.ndarray
    names: list[str]
    rates: np.ndarray  # nats, on the fixed digits
    distortions: np.ndarray  # -log N(x; x_hat, sigma_x^2 I), nats: shifts with sigma_x by D/2 log(2 pi sigma_x^2)
    squared_errors: np.ndarray  # ||x - x_hat||^2 per digit, the same draws: comparable across sigma_x
    active: list[int]  # Burda et al.'s active units of each model
    latent_dim: int
    shipped_rates: np.ndarray  # the manifest's figures (whole test set), nan when absent
    shipped_squared_errors: np.ndarray

    @property
    def beta_eff(self) -> np.ndarray:
        return 2.0 * self.sigmas ** 2


def measure_sigmas(zoo: Zoo, digits: FixedDigits) -> SigmaFrontier | None:
    """The shipped Gaussian decoders on the fixed grey digits (same eps as the beta sweep); None if none ship."""
    if not zoo.sigmas or digits.grey is None:
        return None
    ms = [measure(p.model, digits.grey) for p in zoo.sigmas]
    sigmas = np.array([p.sigma_x for p in zoo.sigmas], float)
    n_pixels = zoo.sigmas[0].model.config.n_pixels
    return SigmaFrontier(sigmas, [p.name for p in zoo.sigmas], np.array([m.R for m in ms]), np.array([m.D for m in ms]),
                         np.array([gaussian_squared_error(m.D, s, n_pixels) for m, s in zip(ms, sigmas)]),
                         [m.active_units for m in ms], zoo.sigmas[0].model.config.latent_dim,
                         np.array([p.rate for p in zoo.sigmas], float),
                         np.array([p.squared_error for p in zoo.sigmas], float))


@torch.no_grad()
def sigma_reconstructions(zoo: Zoo, digits: FixedDigits) -> Image.Image:
    """Top row: one grey test digit per class; below, decode(mu) by each Gaussian decoder, smallest sigma first."""
    x = digits.show.x.float()
    rows = [x[:, 0].numpy()] + [p.model.decode(p.model.encode(x)[0])[:, 0].numpy() for p in zoo.sigmas]
    return plots.image_grid(np.concatenate(rows), ncols=len(x))


def sigma_table(sigmas: SigmaFrontier) -> str:
    """The rows of the Gaussian decoders' table (numbers only; the header is in each language)."""
    return "\n".join(
        f"| σ = {s:g} | {b:g} | {r:.1f} | {se:.1f} | {d:.1f} | {a}/{sigmas.latent_dim} | {tr_:.1f} | {tse:.1f} |"
        for s, b, r, se, d, a, tr_, tse in zip(sigmas.sigmas, sigmas.beta_eff, sigmas.rates, sigmas.squared_errors,
                                               sigmas.distortions, sigmas.active, sigmas.shipped_rates,
                                               sigmas.shipped_squared_errors))


# ---------------------------------------------------------------------------- pictures
@torch.no_grad()
def reconstructions(model: VAE, x: torch.Tensor) -> Image.Image:
    mu, _ = model.encode(x)
    return plots.originals_over_reconstructions(x[:, 0].numpy(), model.decode(mu)[:, 0].numpy())


@torch.no_grad()
def prior_samples(model: VAE, seed: int, n: int = N_PRIOR) -> Image.Image:
    _, x_hat = model.sample_prior(n, torch.Generator().manual_seed(seed))
    return plots.image_grid(x_hat, ncols=8)


# a sweep model's pictures (its reconstructions of the fixed digits; its prior samples for a seed): the
# sweep's models never change, and a class asks for the same few again and again (two decoder passes
# were a third of a /tradeoff call); each caller gets a copy
SWEEP_PICTURES = Kept(64)


def _kept_picture(what: str, model: VAE, arg, make) -> Image.Image:
    return SWEEP_PICTURES.get((what, model, arg), lambda: make(model, arg)).copy()


@dataclass
class SweepView:
    beta: float  # the sweep point's beta
    name: str
    reconstructions: Image.Image
    prior_samples: Image.Image
    kl_bars: go.Figure
    plane: go.Figure
    summary: str
    active_units: int


def sweep_view(zoo: Zoo, frontier: Frontier, digits: FixedDigits, beta, seed=0, lang: str = "en",
               sigmas: SigmaFrontier | None = None) -> SweepView:
    """Everything the sweep view shows for the sweep point nearest to beta, its text in lang; with
    sigmas, the plane gains a panel of Gaussian decoders on the same rate axis."""
    i = frontier.nearest(beta)
    seed = check_seed(seed)
    point = zoo.sweep[i]
    kl = frontier.kl_per_dim[i]
    active = int(frontier.active[i].sum())
    b, R, D = frontier.betas[i], frontier.rates[i], frontier.distortions[i]
    shipped = ""
    if np.isfinite(frontier.shipped_rates[i]) and np.isfinite(frontier.shipped_distortions[i]):
        shipped = t("to.shipped", lang, R=frontier.shipped_rates[i], D=frontier.shipped_distortions[i])
    summary = t("to.sweep_summary", lang, b=b, name=point.name, R=R, D=D, total=D + R, active=active, n=len(kl),
                source=digits.source_in(lang), shipped=shipped)
    return SweepView(
        beta=float(b), name=point.name,
        reconstructions=_kept_picture("reconstructions", point.model, digits.show.x, reconstructions),
        prior_samples=_kept_picture("prior", point.model, seed, prior_samples),
        kl_bars=plots.kl_bars(kl, frontier.active[i], t("to.kl_title", lang, b=b), lang=lang),
        plane=plots.rate_distortion_plane(frontier.betas, frontier.rates, frontier.distortions, chosen=i,
                                          title=t("to.fig.plane", lang), lang=lang,
                                          **(sigma_panel(sigmas) if sigmas is not None else {})),
        summary=summary, active_units=active)


def sigma_panel(sigmas: SigmaFrontier) -> dict:
    """rate_distortion_plane's arguments for the Gaussian decoders' panel."""
    return dict(sigma_x=sigmas.sigmas, sigma_rates=sigmas.rates, sigma_errors=sigmas.squared_errors,
                sigma_distortions=sigmas.distortions)


# ---------------------------------------------------------------------------- a live run
@dataclass
class LiveView:
    status: str
    plane: go.Figure
    curves: go.Figure
    reconstructions: Image.Image | None
    prior_samples: Image.Image | None
    ellipses: go.Figure
    numbers: dict


def live_numbers(snap: LiveSnapshot | None, running: int, capacity: int) -> dict:
    """The run's state as plain JSON (what /live_status returns to gradio_client)."""
    if snap is None:
        return {"state": "none", "step": 0, "trainers_running": running, "max_trainers": capacity}
    last = snap.last or {}
    return {"state": snap.state, "step": snap.step, "steps_per_second": round(snap.steps_per_second, 1),
            "beta": snap.beta, "distortion": last.get("distortion"), "rate": last.get("rate"),
            "objective": last.get("total"), "measured_at_step": int(last["step"]) if last else None,
            "queue_position": snap.queue_position, "latent_dim": snap.latent_dim, "model": snap.label,
            "reason": snap.reason, "seconds": round(snap.elapsed, 1), "restart": _restart(snap),
            "trainers_running": running, "max_trainers": capacity}


def _restart(snap: LiveSnapshot) -> dict | None:
    """The run's latest fresh start of its weights, while β has not changed since."""
    last = snap.restarts[-1] if snap.restarts else None
    if last is None or not snap.restarted or last.beta != snap.beta:  # (a new β takes effect at the next step)
        return None
    return {"step": last.step, "previous_beta": last.previous, "beta": last.beta, "closed_units": last.closed,
            "units": last.units}


def live_status_text(n: dict, lang: str = "en") -> str:
    state = n["state"]
    if state == "none":
        return t("to.status.none", lang, running=n["trainers_running"], capacity=n["max_trainers"])
    if state == "waiting":
        return t("to.status.waiting", lang, k=n.get("queue_position") or 0, running=n["trainers_running"],
                 capacity=n["max_trainers"])
    d, r = n.get("distortion"), n.get("rate")
    nums = f"D = {d:.1f}, R = {r:.2f} nats" if d is not None and r is not None else t("to.status.measuring", lang)
    head = t(f"to.status.{state}", lang)
    text = t("to.status.line", lang, head=head, step=n["step"], speed=n["steps_per_second"], beta=n["beta"],
             nums=nums, model=live_words(n["model"], lang))
    if n.get("restart"):
        r = n["restart"]
        text += " · " + t("to.status.restart", lang, step=r["step"], prev=r["previous_beta"], beta=r["beta"],
                          closed=r["closed_units"], units=r["units"])
    if state == "stopped" and n.get("reason"):
        text += f" · {live_words(n['reason'], lang)}"
    return text


LIVE_WORDS = ("to.from_sweep", "to.from_scratch", "to.reason.stopped", "to.reason.closed", "to.reason.replaced",
              "to.reason.idle", "to.reason.limit", "to.reason.not_this", "to.reason.session", "to.reason.queue")


def live_words(text: str | None, lang: str = "en") -> str:
    """A run's label or stop reason (written in English by the trainer and the pool) in lang."""
    if not text:
        return ""
    return from_english(text, LIVE_WORDS, lang) or text


def live_view(snap: LiveSnapshot | None, frontier: Frontier | None, running: int, capacity: int,
              class_names=None, lang: str = "en") -> LiveView:
    numbers = live_numbers(snap, running, capacity)
    betas = frontier.betas if frontier else []
    rates = frontier.rates if frontier else []
    dists = frontier.distortions if frontier else []
    chosen = frontier.nearest(snap.beta) if frontier is not None and snap is not None and snap.beta > 0 else None
    if snap is None or not len(snap.history["step"]):
        msg = t("to.msg_waiting" if snap is not None and snap.state == "waiting" else "to.msg_none", lang)
        return LiveView(live_status_text(numbers, lang),
                        plots.rate_distortion_plane(betas, rates, dists, chosen=chosen, title=t("to.fig.plane", lang),
                                                    lang=lang),
                        plots.empty_figure(t("to.curves_empty", lang, msg=msg)), None, None,
                        plots.empty_figure(t("to.ellipses_empty", lang)), numbers)
    h = snap.history
    plane = plots.rate_distortion_plane(betas, rates, dists, chosen=chosen, live_rate=h["rate"],
                                        live_distortion=h["distortion"], live_beta=snap.beta,
                                        title=t("to.live_plane_title", lang), lang=lang)
    recon = (plots.originals_over_reconstructions(snap.originals, snap.reconstructions)
             if snap.reconstructions is not None else None)
    prior = plots.image_grid(snap.prior_samples, ncols=8) if snap.prior_samples is not None else None
    if snap.mu is not None and snap.latent_dim == 2:
        title = t("to.ellipses_title", lang, n=len(snap.mu), step=snap.step, beta=snap.beta)
        ellipses = plots.posterior_ellipses(snap.mu, snap.sigma, snap.labels, class_names, title=title, lang=lang)
    else:
        ellipses = plots.empty_figure(t("to.ellipses_dims", lang, z=snap.latent_dim))
    return LiveView(live_status_text(numbers, lang), plane,
                    plots.training_curves(h, title=t("to.fig.curves_title", lang), lang=lang,
                                          restarts=[(r.step, r.previous, r.beta) for r in snap.restarts]),
                    recon, prior,
                    ellipses, numbers)


# ---------------------------------------------------------------------------- starting a live run
def check_start(init, latent_dim, sweep_latent: int) -> tuple[str, int]:
    if init not in LIVE_STARTS:
        raise InputError(f"start must be one of {LIVE_STARTS}, got {init!r}")
    allowed = sorted({2, sweep_latent})
    try:
        z = int(latent_dim)
    except (TypeError, ValueError, OverflowError):
        z = None
    if z not in allowed or float(latent_dim) != z:
        raise InputError(f"latent size must be one of {allowed}, got {latent_dim!r}")
    return init, z


def new_live_run(zoo: Zoo, frontier: Frontier, digits: FixedDigits, train_x: torch.Tensor | None,
                 init, latent_dim, beta) -> LiveRun:
    """A run that starts from scratch (a small VAE with a 2-D or sweep-sized latent) or from a copy of
    the sweep model nearest beta; it trains on the shipped live digits and is measured on `digits`.
    train_x: the digits as shipped, (N, 28, 28) uint8, shared by every run."""
    init, z = check_start(init, latent_dim, zoo.sweep[0].model.config.latent_dim)
    beta = check_live_beta(beta)
    if train_x is None:
        raise InputError("live training digits are missing (checkpoints/live_digits.png); "
                         "build them with `python -m explorer.training.live_digits --data-root ../shared/data`")
    if init == "sweep":
        i = frontier.nearest(max(beta, float(frontier.betas.min())))
        model, label = copy_model(zoo.sweep[i].model), f"started from {zoo.sweep[i].name}"
        trained_beta = float(frontier.betas[i])
    else:
        model, label, trained_beta = small_vae(z), f"from scratch, {z}-D latent", None
    return LiveRun(model, train_x, digits.evaluation, beta=beta, config=LiveConfig(), show_x=digits.show.x,
                   ellipse_x=digits.ellipses.x, ellipse_labels=digits.ellipses.labels, label=label,
                   trained_beta=trained_beta)


# while a run trains, its page polls about three times a second: the status line follows every poll,
# the figures and digits at most once a second (a redraw costs the server about 9 ms of CPU: the view,
# its three figures' JSON and two new PNGs, measured in-process in the eleventh session; and three
# plotly redraws keep the student's page busy); any change of state, beta or queue position is drawn
# at once
FIGURE_SECONDS = 1.0


@dataclass
class LiveSession:
    """One page's live run (a LiveRun, or the ProcessRun that trains one in a child process), and what
    its page was last sent (so unchanged figures are not resent) and when."""
    run: LiveRun | ProcessRun | None = None
    seen: tuple | None = None
    drawn_at: float = float("-inf")

    def stop(self, reason: str) -> None:
        if self.run is not None:
            self.run.stop(reason)


def live_update(session: LiveSession, frontier: Frontier | None, running: int, capacity: int,
                queue_position: int | None, class_names=None, only_if_changed: bool = False,
                lang: str = "en", now: float | None = None) -> LiveView | dict:
    """The live view of this session's run, or, when only_if_changed and nothing was measured since the
    last one (or the run is training and its figures were drawn less than FIGURE_SECONDS ago), just its
    numbers (a dict), so the figures need not be rebuilt and resent."""
    snap = None
    if session.run is not None:
        snap = session.run.snapshot()
        if snap.state == "waiting":
            snap.queue_position = queue_position
        seen = (snap.step, snap.state, snap.beta, len(snap.history["step"]), snap.queue_position)
        now = time.monotonic() if now is None else now
        if only_if_changed and session.seen is not None:
            unchanged = session.seen == seen
            # only training moved on (same state, beta and queue position): redraw at most once a second
            recent = (snap.state == "running" and session.seen[1:3] == seen[1:3] and session.seen[4] == seen[4]
                      and now - session.drawn_at < FIGURE_SECONDS)
            if unchanged or recent:
                return live_numbers(snap, running, capacity)
        session.seen, session.drawn_at = seen, now
    return live_view(snap, frontier, running, capacity, class_names, lang)
