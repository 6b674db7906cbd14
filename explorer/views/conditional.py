"""The conditional tab's work: a conditional generative model p(x|y) beside a discriminative one p(y|x).

    sample    p(x|y): z ~ N(0, I) decoded with a chosen label; and one z decoded with every label
              (the same "style" written as each digit or garment)
    classify  one image, two classifiers: the CNN's p(y|x), and Bayes' rule on the conditional VAE,
              p(y|x) = p(x|y) p(y) / p(x), log p(x) = logsumexp_y [log p(x|y) + log p(y)], each
              log p(x|y) importance-sampled (k per label). Only the generative model can refuse: x is
              rejected as an outlier when log p(x) is below the threshold that the evaluation chose on
              held-out training images (checkpoints/manifest.json records the rule).

Every input limit is defined here, once; the UI reads its ranges from these constants. Messages are
written in the language asked for (lang), or in English for ui.common.friendly to translate.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

from ..data import BINARIZE_SEED, binarize
from ..errors import InputError, check_int, check_seed
from ..i18n import class_name, t
from ..images import to_model_input
from ..models import bayes
from ..plots import conditional as plots
from ..zoo import CondEntry, Zoo
from .vae import SEED, generator

from .limits import DATASETS, STYLES  # noqa: F401
from .limits import COND_SAMPLES as SAMPLES
from .limits import COND_SOURCES as SOURCES

DEFAULT_K = 100  # importance samples per label, when the evaluation recorded none
SAMPLE_SEED = 0  # the importance samples of one image: the same every time (and cached)
CACHE_SIZE = 512  # images whose ten log p(x|y) are kept


def _names(lang: str) -> dict:
    return {"label": t("cond.name.label", lang), "index": t("cond.name.index", lang),
            "n": t("cond.name.n", lang), "styles": t("cond.name.styles", lang)}


# ---------------------------------------------------------------------------- argument checks
def check_dataset(zoo: Zoo, value, lang: str = "en") -> CondEntry:
    if not isinstance(value, str) or value not in zoo.conditional:
        raise InputError(t("cond.err.dataset", lang, got=repr(value)[:40],
                           allowed=", ".join(sorted(zoo.conditional)) or "-"))
    return zoo.conditional[value]


def check_label(entry: CondEntry, value, lang: str = "en") -> int:
    names = entry.class_names
    hint = "" if all(n == str(i) for i, n in enumerate(names)) else \
        " (" + ", ".join(f"{i} = {class_name(n, lang)}" for i, n in enumerate(names)) + ")"
    return check_int(value, _names(lang)["label"], 0, len(names) - 1, hint)


def iwae_k(entry: CondEntry) -> int:
    """The k the evaluation used to set the threshold: the same estimator must meet the same threshold."""
    return int(entry.meta.get("metrics", {}).get("iwae_k", DEFAULT_K))


def require_record(entry: CondEntry, lang: str = "en"):
    if entry.record is None:
        raise InputError(t("cond.err.no_record", lang, name=entry.cvae_name))
    return entry.record


# ---------------------------------------------------------------------------- p(x|y)
@torch.no_grad()
def sample_label(entry: CondEntry, label, n=16, seed=0, lang: str = "en") -> torch.Tensor:
    """n images of one label: z ~ N(0, I) (this seed), x_hat = mean of p(x|z, y). (n, 1, 28, 28)"""
    label = check_label(entry, label, lang)
    n = check_int(n, _names(lang)["n"], *SAMPLES)
    _, x_hat = entry.cvae.sample_prior(n, generator(seed), y=torch.tensor([label]))
    return x_hat


@torch.no_grad()
def same_z_every_label(entry: CondEntry, seed=0, styles=4, lang: str = "en") -> torch.Tensor:
    """`styles` latent codes z (this seed), each decoded with every label: (styles, K, 1, 28, 28).
    z carries what the label does not (slant, thickness, shape); y says which class to draw."""
    styles = check_int(styles, _names(lang)["styles"], *STYLES)
    K = entry.cvae.config.n_classes
    z = torch.randn(styles, entry.cvae.config.latent_dim, generator=generator(seed))
    z_rep = z.repeat_interleave(K, 0)  # (styles * K, Z): row r is z_r with label 0, 1, ..., K-1
    y = torch.arange(K).repeat(styles)
    return entry.cvae.decode(z_rep, y).reshape(styles, K, *entry.cvae.config.image_shape)


# ---------------------------------------------------------------------------- p(y|x) vs p(x|y) p(y)
@dataclass
class Verdict:
    x: torch.Tensor  # (1, 1, 28, 28) the input in [0, 1]
    x_bin: torch.Tensor  # (1, 1, 28, 28) its fixed-seed binarisation: what both models see
    p_discriminative: np.ndarray | None  # (K,) the CNN's p(y|x); None when no classifier ships
    log_px_y: np.ndarray  # (K,) importance-sampled log p(x|y), nats
    log_prior: np.ndarray  # (K,) log p(y)
    p_generative: np.ndarray  # (K,) p(y|x) = p(x|y) p(y) / p(x)
    log_px: float  # logsumexp_y [log p(x|y) + log p(y)], nats
    threshold: float  # reject below this
    k: int

    @property
    def accepted(self) -> bool:
        return accept(self.log_px, self.threshold)

    @property
    def generative_label(self) -> int:
        return int(np.argmax(self.p_generative))

    @property
    def discriminative_label(self) -> int | None:
        return None if self.p_discriminative is None else int(np.argmax(self.p_discriminative))


def accept(log_px: float, threshold: float) -> bool:
    """The rejection rule: label x only if the model finds it at least as likely as the threshold."""
    return bool(log_px >= threshold)


_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


@torch.no_grad()
def class_log_likelihoods(entry: CondEntry, x_bin: torch.Tensor, k: int) -> np.ndarray:
    """(K,) log p(x|y) of one binarised image for every label, k importance samples each (seeded,
    so the same image always gets the same numbers; cached, as the language switch asks again)."""
    key = (entry.cvae_name, k, x_bin.numpy().astype(np.uint8).tobytes())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    value = entry.cvae.iwae_log_px_each_y(x_bin, k, g, chunk=k)[0].double().numpy()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def binarise(x: torch.Tensor) -> torch.Tensor:
    """The fixed binarisation every evaluation uses (data.BINARIZE_SEED): both models see these pixels."""
    return binarize(x.float().clamp(0, 1), torch.Generator().manual_seed(BINARIZE_SEED))


@torch.no_grad()
def classify(entry: CondEntry, x: torch.Tensor, lang: str = "en") -> Verdict:
    """Both classifiers on one image x (1, 1, 28, 28) in [0, 1], and the generative model's verdict."""
    record = require_record(entry, lang)
    k = iwae_k(entry)
    x_bin = binarise(x)
    log_px_y = class_log_likelihoods(entry, x_bin, k)
    log_prior = record.log_prior.double().numpy()
    log_py_x, log_px = bayes(torch.from_numpy(log_px_y)[None], torch.from_numpy(log_prior))
    p_disc = None
    if entry.classifier is not None:
        p_disc = entry.classifier.log_probs(x_bin)[0].exp().double().numpy()
    return Verdict(x, x_bin, p_disc, log_px_y, log_prior, log_py_x[0].exp().numpy(), float(log_px[0]),
                   record.threshold, k)


# ---------------------------------------------------------------------------- inputs
@dataclass
class Input:
    x: torch.Tensor  # (1, 1, 28, 28) in [0, 1]
    description: str
    true_label: int | None  # for a test image
    source: str


def test_image(zoo: Zoo, dataset, index, lang: str = "en") -> Input:
    """Image `index` of the gallery of `dataset`'s test images that the evaluation shipped."""
    entry = check_dataset(zoo, dataset, lang)
    record = require_record(entry, lang)
    i = check_int(index, _names(lang)["index"], 0, len(record.gallery) - 1)
    label = int(record.gallery_labels[i])
    return Input(record.gallery[i:i + 1].clone(), t(
        "cond.md.test_image", lang, ds=t(f"cond.ds.{entry.dataset}", lang), i=int(record.gallery_index[i]),
        cls=class_name(entry.class_names[label], lang)), label, dataset)


def noise_image(seed=0) -> torch.Tensor:
    """Uniform grey noise, (1, 1, 28, 28): unlike anything either model was trained on."""
    return torch.rand(1, 1, 28, 28, generator=generator(seed))


def pick_input(zoo: Zoo, entry: CondEntry, source, index=0, seed=0, sketch=None, upload=None,
               lang: str = "en") -> Input:
    """The image to classify, from where the user chose (see SOURCES)."""
    if source not in SOURCES:
        raise InputError(t("cond.err.source", lang, got=repr(source)[:40], allowed=", ".join(SOURCES)))
    if source in DATASETS:
        return test_image(zoo, source, index, lang)
    if source == "noise":
        return Input(noise_image(seed), t("cond.md.noise", lang, seed=check_seed(seed)), None, source)
    value = sketch if source == "draw" else upload
    if value is None:
        raise InputError(t("err.cond.nothing_drawn" if source == "draw" else "err.cond.nothing_uploaded", "en"))
    try:
        x = to_model_input(value, entry.dataset)  # framed like the model's own data set
    except InputError as e:
        raise InputError(f"x: {e}") from None
    return Input(x, t("img.your_drawing" if source == "draw" else "img.your_upload", lang), None, source)


# ---------------------------------------------------------------------------- what the tab shows
def sample_outputs(zoo: Zoo, dataset="mnist", label=0, n=16, seed=0, styles=4, lang: str = "en"):
    """-> (grid of n samples of one label, same-z-every-label grid, markdown)."""
    entry = check_dataset(zoo, dataset, lang)
    x = sample_label(entry, label, n, seed, lang)
    rows = same_z_every_label(entry, seed, styles, lang)
    label = check_label(entry, label, lang)
    md = t("cond.md.samples", lang, n=len(x), cls=class_name(entry.class_names[label], lang), seed=int(seed),
           styles=len(rows), model=entry.cvae_name)
    return plots.sample_grid(x), plots.styles_grid(rows), md


def sample_result(zoo: Zoo, dataset="mnist", label=0, n=16, seed=0, styles=4, lang: str = "en") -> dict:
    """The numbers behind sample_outputs, for the API: the images as 0..255 integers."""
    entry = check_dataset(zoo, dataset, lang)
    x = sample_label(entry, label, n, seed, lang)
    rows = same_z_every_label(entry, seed, styles, lang)
    return {"model": entry.cvae_name, "label": check_label(entry, label, lang), "seed": int(seed),
            "samples": plots.to_uint8(x).tolist(), "same_z_every_label": plots.to_uint8(rows.flatten(0, 1)).reshape(
                len(rows), rows.shape[1], 28, 28).tolist()}


def result(entry: CondEntry, v: Verdict, inp: Input) -> dict:
    """The classification as plain numbers (the /classify API's last output)."""
    names = entry.class_names
    return {
        "model": entry.cvae_name, "classifier": entry.clf_name, "dataset": entry.dataset,
        "input": inp.source, "true_label": inp.true_label,
        "discriminative": None if v.p_discriminative is None else
        {n: round(float(p), 6) for n, p in zip(names, v.p_discriminative)},
        "generative": {n: round(float(p), 6) for n, p in zip(names, v.p_generative)},
        "log_px_given_y": {n: round(float(lp), 3) for n, lp in zip(names, v.log_px_y)},
        "log_px": round(v.log_px, 3), "threshold": round(v.threshold, 3), "k": v.k,
        "accepted": v.accepted,
        "label": names[v.generative_label] if v.accepted else None,
        "discriminative_label": None if v.discriminative_label is None else names[v.discriminative_label],
    }


def verdict_markdown(entry: CondEntry, v: Verdict, inp: Input, lang: str = "en") -> str:
    names = entry.class_names
    pct = float((require_record(entry, lang).val_log_px < v.log_px).mean() * 100.0)
    lines = [t("cond.md.input", lang, what=inp.description)]
    if v.accepted:
        lines.append(t("cond.md.accepted", lang, cls=class_name(names[v.generative_label], lang),
                       p=100 * float(v.p_generative.max()), logpx=v.log_px, thr=v.threshold))
    else:
        lines.append(t("cond.md.rejected", lang, logpx=v.log_px, thr=v.threshold))
    if v.p_discriminative is not None:
        lines.append(t("cond.md.discriminative", lang, cls=class_name(names[v.discriminative_label], lang),
                       p=100 * float(v.p_discriminative.max())))
    lines.append(t("cond.md.percentile", lang, pct=pct, k=v.k))
    return "\n\n".join(lines)


def classify_outputs(zoo: Zoo, dataset="mnist", source="mnist", index=0, seed=0, sketch=None, upload=None,
                     lang: str = "en"):
    """-> (input | binarised image, both classifiers' bar chart, log p(x) histogram, verdict, numbers)."""
    entry = check_dataset(zoo, dataset, lang)
    inp = pick_input(zoo, entry, source, index, seed, sketch, upload, lang)
    v = classify(entry, inp.x, lang)
    record = require_record(entry, lang)
    image = plots.input_strip(v.x, v.x_bin)
    return (image, plots.label_bars(v, entry.class_names, lang),
            plots.log_px_histogram(record, v.log_px, entry.dataset, lang),
            verdict_markdown(entry, v, inp, lang), result(entry, v, inp))


def ood_outputs(zoo: Zoo, lang: str = "en"):
    """The recorded outlier-detection results of every shipped conditional VAE (manifest figures)."""
    entries = [e for e in zoo.conditional.values() if e.record is not None]
    return plots.ood_figure(entries, lang)

