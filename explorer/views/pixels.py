"""The PixelCNN tab's work: an exact density beside the VAE's bound, on the same binarised digit.

    score     p(x_i = 1 | x_<i) for every pixel, the running sum of log p(x_i | x_<i), the exact
              log p(x), and the VAE's ELBO and importance-sampled log p(x) for the same pixels
    sample    digits drawn pixel by pixel in raster order (frames for a step slider and a GIF)
    complete  the top rows of a digit kept, the rest drawn several times

Every input limit is defined here, once; the UI reads its slider ranges from these constants.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data import BINARIZE_SEED, binarize
from ..errors import InputError, check_float, check_int
from ..i18n import t
from ..models.pixelcnn import PixelCNN
from ..plots import pixels as plots
from . import exports
from . import vae as vv

from .limits import COMPLETIONS, DEFAULT_PIXEL, KEEP_ROWS  # noqa: F401
from .limits import PIXEL_SAMPLES as SAMPLES
from .limits import PIXEL_TEMPERATURE as TEMPERATURE

IWAE_K = vv.IWAE_K  # the VAE's importance samples, as in the prior-vs-posterior tab
GIF_FRAMES = 28  # frames of the raster-order animation: one per row


def check_pixel(model: PixelCNN, value, name: str = "pixel index i") -> int:
    n = model.config.n_pixels
    return check_int(value, name, 0, n - 1, f" (raster order: row * {model.config.image_size} + column)")


def check_step(model: PixelCNN, value) -> int:
    n = model.config.n_pixels
    return check_int(value, "step", 0, n, f" (pixels drawn so far, 0..{n})")


# ---------------------------------------------------------------------------- per-pixel view
@dataclass
class PixelScores:
    x: torch.Tensor  # (1, 1, H, W) the input in [0, 1]
    x_bin: torch.Tensor  # (1, 1, H, W) its fixed-seed binarisation: what both models score
    p_one: np.ndarray  # (H, W) p(x_i = 1 | x_<i)
    log_p: np.ndarray  # (H, W) log p(x_i | x_<i) of the pixel actually there, nats
    log_px: float  # exact log p(x) = sum of log_p, nats
    elbo: float  # the VAE's ELBO on x_bin, nats
    iwae: float  # the VAE's importance-sampled log p(x), k samples, nats
    k: int
    pixel: int  # the pixel i whose mask is shown
    saliency: np.ndarray  # (H, W) |d logit_i / d x_j|: what the prediction for pixel i looks at
    percentile: float | None  # share (%) of test digits the PixelCNN finds less likely

    @property
    def running(self) -> np.ndarray:
        """(H*W,) sum_{j <= i} log p(x_j | x_<j) in raster order; the last entry is log p(x)."""
        return np.cumsum(self.log_p.reshape(-1).astype(np.float64))


def saliency(model: PixelCNN, x_bin: torch.Tensor, i: int) -> np.ndarray:
    """(H, W): |d logit_i / d x_j| at this image. Zero for every j >= i (the masks), so the picture
    shows which of the allowed pixels j < i the prediction for pixel i actually leans on."""
    x = x_bin.detach().clone().requires_grad_(True)
    logits, _ = model(x)
    (g,) = torch.autograd.grad(logits.flatten()[i], x)
    return g[0, 0].abs().numpy()


def score(model: PixelCNN, vae_entry, x: torch.Tensor, pixel=DEFAULT_PIXEL, k=1000, seed=0,
          test=None) -> PixelScores:
    """Everything the per-pixel panel shows for one image x (1, 1, H, W) in [0, 1]."""
    pixel = check_pixel(model, pixel)
    # the VAE binarises x with the fixed seed, exactly as the test set was; the PixelCNN scores the
    # very same black-or-white pixels, so the three numbers are comparable
    post = vv.analyse_posterior(vae_entry, x, n_samples=1, k=k, seed=seed)
    x_bin = post.x_eval if post.binarised else binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    with torch.no_grad():
        logits, _ = model(x_bin)
        log_p = model.log_prob_pixels(x_bin)[0, 0]
    log_px = float(log_p.double().sum())
    pct = None
    if test is not None:
        pct = float((test.log_px < log_px).mean() * 100.0)
    return PixelScores(x, x_bin, torch.sigmoid(logits)[0, 0].numpy(), log_p.numpy(), log_px, post.elbo,
                       post.log_px, post.k, pixel, saliency(model, x_bin, pixel), pct)


# ---------------------------------------------------------------------------- sampling
@dataclass
class Samples:
    x: torch.Tensor  # (n, 1, H, W) in {0, 1}
    probs: torch.Tensor  # (n, 1, H, W) p(x_i = 1 | x_<i) each pixel was drawn from
    log_px: torch.Tensor  # (n,) the model's log p(x) of each sample (temperature 1)


def sample(model: PixelCNN, n=16, seed=0, temperature=1.0) -> Samples:
    n = check_int(n, "number of samples", *SAMPLES)
    temperature = check_float(temperature, "temperature", *TEMPERATURE, " (1 = the model itself)")
    x, probs = model.sample(n, vv.generator(seed), temperature)
    with torch.no_grad():
        log_px = model.log_prob(x)
    return Samples(x, probs, log_px)


def partial(x: torch.Tensor, step: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The images after `step` pixels of raster sampling: (pixels, drawn mask), each (n, 1, H, W);
    pixels not yet drawn are 0 and their mask is False."""
    n, _, h, w = x.shape
    drawn = (torch.arange(h * w) < step).view(1, 1, h, w).expand(n, 1, h, w)
    return x * drawn, drawn


def raster_steps(n_pixels: int, n_frames: int = GIF_FRAMES) -> list[int]:
    """Evenly spaced steps 0 .. n_pixels for an animation."""
    return sorted({round(t) for t in np.linspace(0, n_pixels, n_frames + 1)})


# ---------------------------------------------------------------------------- completion
@dataclass
class Completion:
    x_bin: torch.Tensor  # (1, 1, H, W) the binarised original
    keep_rows: int
    completions: torch.Tensor  # (n, 1, H, W): the kept rows and a drawn rest
    log_px: torch.Tensor  # (n,) exact log p of each completed digit
    log_px_original: float


def complete(model: PixelCNN, x: torch.Tensor, keep_rows=14, n=8, seed=0, temperature=1.0) -> Completion:
    """Keep the top keep_rows rows of x (binarised with the fixed seed) and draw the rest n times."""
    keep_rows = check_int(keep_rows, "rows kept", *KEEP_ROWS)
    n = check_int(n, "number of completions", *COMPLETIONS)
    temperature = check_float(temperature, "temperature", *TEMPERATURE, " (1 = the model itself)")
    x_bin = binarize(x, torch.Generator().manual_seed(BINARIZE_SEED))
    start = keep_rows * model.config.image_size
    y, _ = model.complete(x_bin.expand(n, -1, -1, -1), start, vv.generator(seed), temperature)
    with torch.no_grad():
        log_px = model.log_prob(torch.cat([x_bin, y]))
    return Completion(x_bin, keep_rows, y, log_px[1:], float(log_px[0]))


def require_test(entry):
    if entry.test is None:
        raise InputError(f"model {entry.name!r} has no per-digit test log-likelihoods; run "
                         f"`python -m explorer.training.evaluate --only {entry.name}` to create them")
    return entry.test


# ---------------------------------------------------------------------------- what the tab shows
def probability_outputs(zoo, class_index=-1, seed=0, pixel=DEFAULT_PIXEL, k=1000, source="gallery",
                        sketch=None, upload=None, lang="en"):
    """-> (x | x binarised image, probability maps, mask figure, running-sum figure, markdown)."""
    entry = zoo.pixelcnn()
    vae_entry = zoo.vae(entry.vae)
    pick = vv.pick_input(vae_entry, source, class_index, vv.generator(seed), sketch, upload, name="x", lang=lang)
    s = score(entry.model, vae_entry, pick.x, pixel, k, seed, entry.test)
    w = s.log_p.shape[1]
    r, c = divmod(s.pixel, w)
    pct = ("" if s.percentile is None else
           "\n\n" + t("pix.md.percentile", lang, pct=s.percentile, n=len(entry.test.log_px)))
    md = (t("pix.md.scored", lang, what=pick.description) + "\n\n"
          "| | nats |\n|---|---:|\n"
          f"| {t('pix.md.exact', lang, n=s.log_p.size)} | **{s.log_px:.2f}** |\n"
          f"| {t('pix.md.iwae', lang, vae=vae_entry.name, k=s.k)} | {s.iwae:.2f} |\n"
          f"| {t('pix.md.elbo', lang, vae=vae_entry.name)} | {s.elbo:.2f} |\n"
          f"| {t('pix.md.gap', lang)} | {s.log_px - s.iwae:+.2f} |\n\n"
          + t("pix.md.pixel", lang, i=s.pixel, r=r, c=c, xi=int(s.x_bin[0, 0, r, c]), p=float(s.p_one[r, c]),
              lp=float(s.log_p[r, c])) + pct)
    strip = plots.join([plots.rgb_grid(plots.rgb_tiles(s.x), 1), plots.rgb_grid(plots.rgb_tiles(s.x_bin), 1)])
    return (strip, plots.probability_maps(s, lang), plots.mask_figure(s, lang), plots.running_sum(s, lang), md)


def sample_summary(log_px: torch.Tensor, seed, temperature, lang="en") -> str:
    return t("pix.md.samples", lang, n=len(log_px), seed=seed, temperature=float(temperature),
             mean=float(log_px.mean()), lo=float(log_px.min()), hi=float(log_px.max()))


def sample_outputs(zoo, n=16, seed=0, temperature=1.0, lang="en"):
    """-> (samples grid, animated GIF path, markdown, the samples for the step slider and a relabel)."""
    entry = zoo.pixelcnn()
    out = sample(entry.model, n, seed, temperature)
    ncol = int(np.ceil(np.sqrt(len(out.x))))
    grid = plots.rgb_grid(plots.rgb_tiles(out.x), ncol)
    frames = [plots.raster_frame(out.x, step, ncol) for step in raster_steps(entry.model.config.n_pixels)]
    gif = exports.save_gif(frames, stem="pixelcnn_samples", ms_per_frame=80)
    state = {"x": out.x, "log_px": out.log_px, "seed": int(seed), "temperature": float(temperature)}
    return grid, gif, sample_summary(out.log_px, seed, temperature, lang), state


def relabel_samples(state, lang="en") -> str:
    """The samples' summary in another language (nothing is drawn again)."""
    if not isinstance(state, dict):
        return ""
    return sample_summary(state["log_px"], state["seed"], state["temperature"], lang)


def frame_outputs(zoo, state, step):
    """The samples after `step` pixels: drawn pixels, the next one red, the rest slate blue."""
    entry = zoo.pixelcnn()
    step = check_step(entry.model, step)
    if not isinstance(state, dict):
        raise InputError(t("err.pix.no_samples"))
    x = torch.as_tensor(np.asarray(state["x"]), dtype=torch.float32)
    return plots.raster_frame(x, step, int(np.ceil(np.sqrt(len(x)))))


def complete_outputs(zoo, class_index=-1, seed=0, keep_rows=14, n=8, temperature=1.0, source="gallery",
                     sketch=None, upload=None, lang="en"):
    """-> (original | given | completions image, markdown)."""
    entry = zoo.pixelcnn()
    vae_entry = zoo.vae(entry.vae)
    pick = vv.pick_input(vae_entry, source, class_index, vv.generator(seed), sketch, upload, name="x", lang=lang)
    out = complete(entry.model, pick.x, keep_rows, n, seed, temperature)
    image = plots.completion_strip(out.x_bin, out.keep_rows, out.completions, ncol=min(8, len(out.completions)))
    md = t("pix.md.completion", lang, what=pick.description, rows=out.keep_rows, n=len(out.completions),
           seed=seed, temperature=float(temperature), orig=out.log_px_original,
           values=", ".join(f"{v:.1f}" for v in out.log_px.tolist()))
    return image, md


def scatter_output(zoo, lang="en"):
    return plots.test_scatter(require_test(zoo.pixelcnn()), lang)
