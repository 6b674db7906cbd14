"""The shipped models: VAEs with their precomputed latent maps, the beta sweep, the character models,
the PixelCNN with its per-digit test log-likelihoods, and the conditional tab's pairs (a conditional
VAE p(x|y) and a classifier p(y|x) per data set, with what their evaluation recorded). Read-only once
loaded, so safe to share across sessions.

Two steps, for a cold start close to a bare Gradio app's: `load_zoo()` reads only the checkpoints' JSON
and the side files' headers (names, configs, metrics, what ships), which is all the page needs, and
imports no torch; the weights, maps and records are `Later` parts, loaded at their first use, once,
whichever thread asks first. The app loads them all just after it starts serving (`Zoo.load_all`).
So this module imports torch only inside the functions that load or compute.

Start-up never fits UMAP: maps are computed by `python -m explorer.training.evaluate` and shipped.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import safe_open

from . import checkpoints
from .checkpoints import CHECKPOINT_DIR
from .classes import CLASS_NAMES
from .errors import CheckpointError, InputError
from .models.vocab import Vocab

if TYPE_CHECKING:
    import torch

    from .models import VAE
    from .models.pixelcnn import PixelCNN

MAP_SUFFIX = ".map.safetensors"
MAP_IMAGE_SUFFIX = ".map.png"
# the map pictures live in a folder of their own, served whole as one static path: gradio checks every
# file it sends or serves against each static path (0.18 ms each here), so one folder beats one path per picture
MAP_IMAGE_DIR = "maps"
TEST_LOGP_SUFFIX = ".testlogp.safetensors"
GALLERY_LOGP_SUFFIX = ".gallerylogp.safetensors"  # each gallery image's log p(x), as a click would estimate it
COND_SUFFIX = ".cond.safetensors"
TRAIN_HASHES = "names_train_hashes.safetensors"


def word_hash(word: str) -> int:
    """A 63-bit fingerprint of a word: lets the app tell "in training set" from "new" without
    shipping the word list itself."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big") >> 1


def image_digest(x: torch.Tensor) -> bytes:
    """A 128-bit fingerprint of an image tensor (shape and float32 values): the same picture, from the
    gallery, a drawing or an upload, has the same digest."""
    import torch

    h = hashlib.blake2b(str(tuple(x.shape)).encode(), digest_size=16)
    h.update(x.detach().to(torch.float32).contiguous().numpy().tobytes())
    return h.digest()


class Later:
    """A part of the zoo (weights, a map, an evaluation record) loaded by load(*args) at its first use."""

    def __init__(self, load, *args):
        self._load, self._args = load, args
        self._lock = threading.Lock()
        self._loaded = False
        self._value = None

    def get(self):
        with self._lock:  # two first clicks at once: one loads, the other waits for it
            if not self._loaded:
                self._value = self._load(*self._args)
                self._loaded, self._load, self._args = True, None, ()
        return self._value


class Loadable:
    """For the zoo's dataclasses: a field that holds a Later is loaded when first read, and kept.
    An entry built with its parts already loaded (the tests' tiny zoos) behaves as a plain dataclass."""

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if type(value) is Later:
            value = value.get()
            object.__setattr__(self, name, value)
        return value

    def ships(self, name: str) -> bool:
        """Whether the field is not None (a Later counts as there), without loading it."""
        return object.__getattribute__(self, name) is not None

    def load_all(self) -> None:
        for f in self.__dataclass_fields__:
            getattr(self, f)


@dataclass
class LatentMap:
    """A VAE's test set seen through its encoder, for plotting without the dataset."""
    mu: torch.Tensor  # (N, Z) posterior means of the test images
    coords: np.ndarray  # (N, 2) the plane itself (Z = 2) or stored UMAP coordinates
    labels: np.ndarray  # (N,) class indices
    gallery: torch.Tensor  # (M, 1, 28, 28) test images in [0, 1], at most 50 per class
    gallery_labels: np.ndarray  # (M,)
    test_log_px: np.ndarray  # (N,) importance-sampled log p(x) of the (binarised) test images
    class_names: list[str]
    method: str  # "latent plane" or "UMAP"
    # each gallery image's (log p(x), E_q log p(x|z)) estimated with gallery_k importance samples, exactly
    # as a click estimates them (views.vae.estimate_log_px), by image_digest; shipped beside the map
    gallery_estimates: dict[bytes, tuple[float, float]] = field(default_factory=dict)
    gallery_k: int | None = None

    def project(self, z: torch.Tensor, k: int = 10) -> np.ndarray:
        """Place latent points (n, Z) on the map without refitting: the plane itself for Z = 2,
        else the inverse-distance-weighted mean of the k nearest test latents' coordinates."""
        import torch

        z = torch.as_tensor(z, dtype=torch.float32).detach().reshape(-1, self.mu.shape[1])
        if self.mu.shape[1] == 2:
            return z.numpy().astype(np.float64)
        d = torch.cdist(z, self.mu)  # (n, N)
        dist, idx = d.topk(min(k, len(self.mu)), largest=False)
        w = 1.0 / (dist + 1e-6)
        w = (w / w.sum(1, keepdim=True)).numpy()
        return (self.coords[idx.numpy()] * w[..., None]).sum(1)

    def log_px_percentile(self, log_px: float) -> float:
        """Share of test images (in %) with a lower log p(x) than this one."""
        return float((self.test_log_px < log_px).mean() * 100.0)


@dataclass
class VAEEntry(Loadable):
    name: str
    model: VAE
    meta: dict
    map: LatentMap | None
    map_image: Path | None = None  # the map's points drawn once (plots.vae.map_image), shipped beside it
    map_url: str | None = None  # where a page fetches that picture; set by the app when it serves it

    @property
    def dataset(self) -> str:
        return self.meta.get("dataset", "mnist")

    @property
    def latent_dim(self) -> int:
        config = self.meta.get("config")
        return int(config["latent_dim"]) if config else self.model.config.latent_dim

    @property
    def class_names(self) -> list[str]:
        return CLASS_NAMES.get(self.dataset, [str(i) for i in range(10)])

    @property
    def label(self) -> str:
        ds = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(self.dataset, self.dataset)
        return f"{ds}, {self.latent_dim}-D latent"


@dataclass
class LMEntry(Loadable):
    name: str
    model: torch.nn.Module
    vocab: Vocab
    meta: dict
    train_hashes: frozenset[int] = frozenset()  # hashes of the training names (see word_hash)

    def in_training_set(self, word: str) -> bool | None:
        """Whether word was a training name; None when the hash list was not shipped."""
        return word_hash(word) in self.train_hashes if self.train_hashes else None

    @property
    def kind(self) -> str:
        return self.meta.get("kind") or getattr(self.model, "kind", "")

    def shape(self, key: str) -> int:
        """A number of the model's config (n_layer, n_head, ...), from the checkpoint's JSON when it has one."""
        config = self.meta.get("config")
        return int(config[key]) if config and key in config else int(getattr(self.model.config, key))

    @property
    def label(self) -> str:
        return {"transformer": "Transformer", "gru": "GRU (RNN)"}.get(self.meta["kind"], self.name)


@dataclass
class PixelTestSet:
    """Per-digit figures on the official test set (binarised with BINARIZE_SEED), written by the
    evaluation so that the app never recomputes them. All (N,) float64 nats, labels (N,) int."""
    log_px: np.ndarray  # the PixelCNN's exact log p(x)
    vae_iwae: np.ndarray  # the compared VAE's importance-sampled log p(x)
    vae_elbo: np.ndarray  # the compared VAE's ELBO
    labels: np.ndarray
    vae: str  # which VAE


@dataclass
class PixelEntry(Loadable):
    name: str
    model: PixelCNN
    meta: dict
    test: PixelTestSet | None
    vae: str  # the VAE whose bound is shown beside the exact density

    @property
    def n_pixels(self) -> int:
        config = self.meta.get("config")
        return int(config["image_size"]) ** 2 if config else self.model.config.n_pixels


@dataclass
class SweepPoint(Loadable):
    beta: float
    name: str
    model: VAE
    rate: float  # test KL, nats
    distortion: float  # test -E log p(x|z), nats
    kl_per_dim: list[float]
    latent: int | None = None  # from the checkpoint's JSON (None: ask the model)

    @property
    def latent_dim(self) -> int:
        return self.latent if self.latent is not None else self.model.config.latent_dim


@dataclass
class SigmaPoint(Loadable):
    """A Gaussian-decoder VAE, p(x|z) = N(x_hat, sigma_x^2 I) on grey digits: sigma_x plays beta's role."""
    sigma_x: float
    name: str
    model: VAE
    rate: float  # test KL, nats
    distortion: float  # test -E log N(x; x_hat, sigma_x^2 I), nats (shifts with sigma_x)
    squared_error: float  # test ||x - x_hat||^2 per image (comparable across sigma_x)


@dataclass
class CondRecord:
    """What the evaluation recorded for a conditional VAE (explorer.training.evaluate, <name>.cond.safetensors):
    per-image log p(x) (nats) of held-out training images, test images and the other data set's test images,
    the rejection threshold, log p(y), the classifier's max-softmax, and a gallery of grey test images."""
    val_log_px: np.ndarray  # (n_val,)
    test_log_px: np.ndarray  # (n,)
    outlier_log_px: np.ndarray  # (n,) the other data set's test images
    threshold: float
    log_prior: torch.Tensor  # (K,) log p(y)
    gallery: torch.Tensor  # (M, 1, 28, 28) in [0, 1]
    gallery_labels: np.ndarray  # (M,)
    gallery_index: np.ndarray  # (M,) index in the official test set
    test_max_softmax: np.ndarray | None = None  # (n,) the classifier's max_y p(y|x)
    outlier_max_softmax: np.ndarray | None = None


@dataclass
class CondEntry(Loadable):
    """One data set's pair for the conditional tab: the conditional VAE p(x|y) and the classifier p(y|x)."""
    dataset: str
    cvae_name: str
    cvae: VAE
    meta: dict  # the cVAE's checkpoint JSON and manifest record
    record: CondRecord | None
    clf_name: str | None = None
    classifier: torch.nn.Module | None = None
    clf_meta: dict = field(default_factory=dict)
    gallery_size: int | None = None  # the record's gallery, read from its file's header (None: count it)

    @property
    def class_names(self) -> list[str]:
        return CLASS_NAMES[self.dataset]

    def gallery_count(self) -> int:
        """How many gallery images the record holds (from its file's header until it is loaded)."""
        if self.gallery_size is not None:
            return self.gallery_size
        return len(self.record.gallery) if self.ships("record") else 0


@dataclass
class Zoo:
    vaes: dict[str, VAEEntry] = field(default_factory=dict)
    lms: dict[str, LMEntry] = field(default_factory=dict)
    sweep: list[SweepPoint] = field(default_factory=list)
    sigmas: list[SigmaPoint] = field(default_factory=list)  # Gaussian decoders, by sigma_x
    pixelcnns: dict[str, PixelEntry] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    conditional: dict[str, CondEntry] = field(default_factory=dict)  # by data set: p(x|y) beside p(y|x)

    def entries(self) -> list:
        return [*self.vaes.values(), *self.lms.values(), *self.sweep, *self.sigmas, *self.pixelcnns.values(),
                *self.conditional.values()]

    def load_all(self) -> None:
        """Load every Later part now (0.1-0.2 s here, after importing torch): the app calls it just
        after it starts serving, so that no click waits for a model."""
        for entry in self.entries():
            entry.load_all()

    def vae(self, name) -> VAEEntry:
        if not isinstance(name, str) or name not in self.vaes:
            raise InputError(f"unknown VAE {_shown(name)}; choose one of {sorted(self.vaes)}")
        return self.vaes[name]

    def lm(self, name) -> LMEntry:
        if not isinstance(name, str) or name not in self.lms:
            raise InputError(f"unknown character model {_shown(name)}; choose one of {sorted(self.lms)}")
        return self.lms[name]

    def pixelcnn(self, name: str | None = None) -> PixelEntry:
        """The named PixelCNN, or the first one shipped."""
        if name is None and self.pixelcnns:
            return next(iter(self.pixelcnns.values()))
        if not isinstance(name, str) or name not in self.pixelcnns:
            raise InputError(f"unknown PixelCNN {_shown(name)}; choose one of {sorted(self.pixelcnns)}")
        return self.pixelcnns[name]

    def vae_choices(self) -> list[tuple[str, str]]:
        return [(e.label, n) for n, e in self.vaes.items()]

    def transformers(self) -> list[str]:
        """The character models that are masked Transformers (the ones with attention to show)."""
        return [n for n, e in self.lms.items() if e.kind == "transformer"]

    def lm_choices(self) -> list[tuple[str, str]]:
        """(label, name) of every character model, the Transformer first."""
        first = self.transformers()
        return sorted(((e.label, n) for n, e in self.lms.items()), key=lambda c: c[1] not in first)


def _shown(value, limit: int = 40) -> str:
    """A user's value for a message: repr, cut short (it may be anything sent through the API)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _arrays(path: Path, what: str) -> dict | None:
    """The tensors of a shipped side file (None if it is not there); a broken one names itself."""
    from safetensors.torch import load_file

    if not path.is_file():
        return None
    try:
        return load_file(str(path))
    except Exception as e:
        raise CheckpointError(f"{what} {path} is corrupted: {e}") from e


def load_map(name: str, dataset: str, root: Path) -> LatentMap | None:
    t = _arrays(root / f"{name}{MAP_SUFFIX}", "latent map")
    if t is None:
        return None
    z_dim = t["mu"].shape[1]
    return LatentMap(
        mu=t["mu"].float(), coords=t["coords"].double().numpy(), labels=t["labels"].long().numpy(),
        gallery=t["gallery"].float().div(255.0).unsqueeze(1), gallery_labels=t["gallery_labels"].long().numpy(),
        test_log_px=t["test_log_px"].double().numpy(), class_names=CLASS_NAMES[dataset],
        method="latent plane" if z_dim == 2 else "UMAP",
        **load_gallery_estimates(root / f"{name}{GALLERY_LOGP_SUFFIX}", t["gallery"]),
    )


def load_gallery_estimates(path: Path, gallery: torch.Tensor) -> dict:
    """The shipped estimates of the gallery images (uint8 (M, 28, 28)), by each image's digest as
    pick_gallery hands it out; nothing (each click estimates) where the file is missing."""
    from safetensors.torch import load_file

    if not path.is_file():
        return {}
    try:
        with safe_open(str(path), "pt") as f:
            k = int((f.metadata() or {})["k"])
        t = load_file(str(path))
        log_px, rec = t["log_px"].double().tolist(), t["reconstruction"].double().tolist()
    except Exception as e:
        raise CheckpointError(f"gallery estimates {path} are corrupted: {e}") from e
    if len(log_px) != len(gallery) or len(rec) != len(gallery):
        raise CheckpointError(f"gallery estimates {path} have {len(log_px)} images; the map's gallery has {len(gallery)}")
    images = gallery.float().div(255.0).unsqueeze(1)
    digests = [image_digest(images[i:i + 1]) for i in range(len(images))]
    return {"gallery_estimates": dict(zip(digests, zip(log_px, rec))), "gallery_k": k}


def load_pixel_test(name: str, root: Path) -> PixelTestSet | None:
    from safetensors.torch import load_file

    path = root / f"{name}{TEST_LOGP_SUFFIX}"
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), "pt") as f:  # the compared VAE's name is in the metadata
            meta = f.metadata() or {}
        t = load_file(str(path))
    except Exception as e:
        raise CheckpointError(f"test log-likelihoods {path} are corrupted: {e}") from e
    return PixelTestSet(t["log_px"].double().numpy(), t["vae_iwae"].double().numpy(),
                        t["vae_elbo"].double().numpy(), t["labels"].long().numpy(), meta.get("vae", ""))


def load_cond_record(name: str, root: Path) -> CondRecord | None:
    t = _arrays(root / f"{name}{COND_SUFFIX}", "conditional evaluation")
    if t is None:
        return None
    arr = lambda key: t[key].double().numpy() if key in t else None  # noqa: E731
    return CondRecord(arr("val_log_px"), arr("test_log_px"), arr("outlier_log_px"), float(t["threshold"][0]),
                      t["log_prior"].float(), t["gallery"].float().div(255.0).unsqueeze(1),
                      t["gallery_labels"].long().numpy(), t["gallery_index"].long().numpy(),
                      arr("test_max_softmax"), arr("outlier_max_softmax"))


def _pair_conditional(zoo: Zoo, found: dict[str, dict], root: Path) -> None:
    """found[dataset][kind] = (name, model, meta), kind "vae" (conditional) or "classifier": each data set
    with a conditional VAE becomes one CondEntry, with its classifier when that ships too."""
    for dataset, parts in found.items():
        if "vae" not in parts:
            continue
        name, model, meta = parts["vae"]
        clf_name, clf, clf_meta = parts.get("classifier", (None, None, {}))
        path = root / f"{name}{COND_SUFFIX}"
        record, gallery_size = None, None
        if path.is_file():
            record, gallery_size = Later(load_cond_record, name, root), _header(path)[0].get("gallery", [0])[0]
        zoo.conditional[dataset] = CondEntry(dataset, name, model, meta, record, clf_name, clf, clf_meta,
                                             gallery_size)


def _header(path: Path) -> tuple[dict[str, list[int]], dict]:
    """A safetensors file's tensor shapes and metadata, from its header alone (no torch)."""
    try:
        with safe_open(str(path), "numpy") as f:
            return {k: list(f.get_slice(k).get_shape()) for k in f.keys()}, f.metadata() or {}
    except Exception as e:
        raise CheckpointError(f"{path} is corrupted: {e}") from e


def _load_model(name: str, root: Path):
    return checkpoints.load(name, root)[0]


def load_zoo(root: str | Path = CHECKPOINT_DIR) -> Zoo:
    """Every model that the manifest lists (or, without one, every checkpoint found), from the
    checkpoints' JSON: weights, maps and records are Later parts (see the module's docstring)."""
    from safetensors.numpy import load_file

    root = Path(root)
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    names = list(manifest.get("models", {})) or sorted(p.stem for p in root.glob("*.json")
                                                        if p.name != "manifest.json")
    zoo = Zoo(manifest=manifest)
    hashes = frozenset()
    if (root / TRAIN_HASHES).is_file():
        hashes = frozenset(load_file(str(root / TRAIN_HASHES))["hashes"].tolist())
    conditional: dict[str, dict] = {}  # data set -> conditional VAE and classifier, paired at the end
    for name in names:
        meta = checkpoints.read_meta(name, root)
        record = manifest.get("models", {}).get(name, {})
        meta = {**meta, **record}
        kind = meta.get("kind")
        if kind not in checkpoints.KINDS:
            raise CheckpointError(f"checkpoint config {root / name}.json has unknown kind {kind!r}")
        if not (root / f"{name}.safetensors").is_file():
            raise CheckpointError(f"checkpoint weights {root / name}.safetensors are missing")
        config = meta.get("config") or {}
        model = Later(_load_model, name, root)
        if kind == "vae" and (meta.get("role") == "sweep" or meta.get("in_sweep")):
            m = meta.get("metrics", {})
            zoo.sweep.append(SweepPoint(float(config.get("beta", 1.0)), name, model, m.get("rate", float("nan")),
                                        m.get("distortion", float("nan")), m.get("kl_per_dim", []),
                                        config.get("latent_dim")))
        if kind == "vae" and meta.get("role") == "sigma":
            m = meta.get("metrics", {})
            zoo.sigmas.append(SigmaPoint(float(config.get("sigma_x", 0.1)), name, model, m.get("rate", float("nan")),
                                         m.get("distortion", float("nan")), m.get("squared_error", float("nan"))))
        if kind == "classifier" or (kind == "vae" and meta.get("role") == "conditional") or (
                kind == "vae" and "role" not in meta and config.get("n_classes", 0) > 0):
            conditional.setdefault(meta.get("dataset", "mnist"), {})[kind] = (name, model, meta)
        elif kind == "vae" and meta.get("role", "main") == "main":
            dataset = meta.get("dataset", "mnist")
            has_map = (root / f"{name}{MAP_SUFFIX}").is_file()
            image = root / MAP_IMAGE_DIR / f"{name}{MAP_IMAGE_SUFFIX}"
            zoo.vaes[name] = VAEEntry(name, model, meta, Later(load_map, name, dataset, root) if has_map else None,
                                      image if has_map and image.is_file() else None)
        elif kind == "pixelcnn":
            path = root / f"{name}{TEST_LOGP_SUFFIX}"
            test = Later(load_pixel_test, name, root) if path.is_file() else None
            compared = meta.get("compared_vae") or (_header(path)[1].get("vae") if test else None) or "vae_mnist_z32"
            zoo.pixelcnns[name] = PixelEntry(name, model, meta, test, compared)
        elif kind != "vae":
            if "vocab" not in meta:
                raise CheckpointError(f"checkpoint config {root / name}.json has no vocab")
            zoo.lms[name] = LMEntry(name, model, Vocab(**meta["vocab"]), meta, hashes)
    zoo.sweep.sort(key=lambda p: p.beta)
    _pair_conditional(zoo, conditional, root)
    zoo.sigmas.sort(key=lambda p: p.sigma_x)
    return zoo
