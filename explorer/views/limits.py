"""What a student may set in each tab, defined once: the views check every argument against these, and
the tabs (explorer/ui) draw their sliders and parse a link's settings from them. No torch here: the
page is built from these before torch is imported (cold start, app.py)."""
from __future__ import annotations

import math

from ..errors import SEED_RANGE

# ---- the VAE tabs (interpolation, prior vs posterior; views/vae.py)
STEPS = (2, 32)
METHODS = ("linear", "slerp")
PRIOR_COUNT = (1, 64)
TEMPERATURE = (0.1, 3.0)
POSTERIOR_SAMPLES = (1, 64)
IWAE_K = (1, 2000)  # k = 2000 on one image stays well under 0.1 s on one core
SEED = SEED_RANGE
Z_LIMIT = 4.0  # decode_point accepts |z_i| <= 4: beyond, the prior has < 1e-4 of its mass
SOURCES = ("gallery", "draw", "upload")  # where an image comes from


def default_model(zoo, prefer: str = "vae_mnist_z2") -> str | None:
    """The VAE a tab opens with: the 2-D MNIST model when it ships, else the first one."""
    return prefer if prefer in zoo.vaes else next(iter(zoo.vaes), None)


# ---- reparameterisation (views/reparam.py)
DRAWS = (1, 64)  # draws of eps per click: 64 decodes take a few ms on one core
DEFAULT_DRAWS = 16
REPARAM_MODEL = "vae_mnist_z2"  # the tab's first model


def reparam_models(zoo) -> list[str]:
    """The MNIST VAEs (the gallery's classes are digits): the 2-D one first, the most visual."""
    names = [n for n, e in zoo.vaes.items() if e.dataset == "mnist"]
    return sorted(names, key=lambda n: (zoo.vaes[n].latent_dim, n))


# ---- conditional generation (views/conditional.py)
DATASETS = ("mnist", "fashion")
COND_SOURCES = ("mnist", "fashion", "draw", "upload", "noise")  # a test image of either set, a drawing, an upload, noise
COND_SAMPLES = (1, 64)  # images of one label per click
STYLES = (1, 8)  # rows of "same z, every label"

# ---- the PixelCNN (views/pixels.py)
PIXEL_SAMPLES = (1, 16)  # digits per sampling click: 16 take about 2 s on one core
COMPLETIONS = (1, 16)  # completions per click
KEEP_ROWS = (1, 27)  # rows of the digit kept when completing (the rest are drawn)
PIXEL_TEMPERATURE = (0.25, 2.0)  # divides the logits: < 1 sharper, > 1 noisier, 1 = the model itself
DEFAULT_PIXEL = 14 * 28 + 14  # the centre pixel: the mask is easiest to read there

# ---- the character models (views/tokens.py, views/mass.py)
TOKEN_TEMPERATURE = (0.05, 5.0)
SEED_MAX = SEED_RANGE[1]
MAX_SAMPLES = 50
MAX_INPUT_CHARS = 1000  # longer input is refused before any string work
MAX_DEPTH = 3  # L: the last depth holds (V-1)^L = 17,576 strings; 4 would be 457k forward passes
LENGTH_RANGE = (1, MAX_DEPTH)

# ---- the beta trade-off (views/tradeoff.py)
SWEEP_BETA = (1e-3, 1000.0)  # /tradeoff snaps any beta in here to the nearest sweep point
LIVE_BETA = (0.0, 8.0)  # the live slider; beyond 8 every unit collapses within seconds


def nearest_beta(betas, beta: float) -> int:
    """Index of the sweep's beta closest to beta on a log scale."""
    logs = [math.log(max(float(b), 1e-6)) for b in betas]
    target = math.log(max(float(beta), 1e-6))
    return min(range(len(logs)), key=lambda i: abs(logs[i] - target))
