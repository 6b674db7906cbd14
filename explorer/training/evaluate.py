"""Measure every shipped model on its full held-out split and write checkpoints/manifest.json.

    python -m explorer.training.evaluate --data-root ../shared/data

VAEs: on the official test images, binarised once (seed BINARIZE_SEED; grey for a Gaussian decoder, with
its squared error and beta_eff beside): ELBO, distortion and rate
(nats), KL per latent dimension, active units, and the importance-sampled log p(x) (IWAE bound)
with k = 1000. For the tab models it also writes `<name>.map.safetensors`: the test latent means,
their 2-D coordinates (the plane itself, or UMAP with a fixed random_state), labels, per-image
log p(x) and a gallery of at most 50 test images per class; and `<name>.gallerylogp.safetensors`: each
gallery image's log p(x) and E_q log p(x|z), estimated exactly as a posterior click estimates them
(k = 1000, views.vae.estimate_log_px), so a gallery click does no importance sampling.
PixelCNN: the exact log p(x) of the same binarised test digits, and `<name>.testlogp.safetensors`:
per digit, its log p(x) beside the headline VAE's importance-sampled log p(x) (from that VAE's map)
and ELBO (reconstruction averaged over ELBO_SAMPLES draws of z ~ q(z|x), KL in closed form).
Character models: NLL on the 1,000 makemore test names, in nats and bits per character, and
perplexity; plus `names_train_hashes.safetensors`, fingerprints of the training names.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import platform
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .. import checkpoints
from ..data import (BINARIZE_SEED, DATA_DESCRIPTION, binarize, encode_words, load_images, load_words,
                    split_words)
from ..models import Measurement, bayes
from ..models.vae import gaussian_squared_error
from ..plots.vae import map_image
from ..views.vae import gallery_estimates
from ..zoo import (COND_SUFFIX, GALLERY_LOGP_SUFFIX, MAP_IMAGE_DIR, MAP_IMAGE_SUFFIX, MAP_SUFFIX, TEST_LOGP_SUFFIX,
                   TRAIN_HASHES, VAEEntry, load_map, word_hash)
from .catalogue import HEADLINE_VAE, RECIPES
from .live_digits import LIVE_DIGITS, LIVE_DIGITS_META
from .pixelcnn import pixelcnn_evaluate
from .train import holdout, lm_evaluate

SAMPLE_SEED = 0
SLICE = 200  # the test re-evaluates this many held-out examples against the manifest
GALLERY_PER_CLASS = 50
ELBO_SAMPLES = 100  # z ~ q(z|x) draws behind each digit's ELBO in the PixelCNN's scatter


@torch.no_grad()
def vae_metrics(model, xb: torch.Tensor, k: int, batch: int = 100) -> tuple[dict, torch.Tensor]:
    """Test figures of a VAE on binarised images xb, plus per-image IWAE log p(x)."""
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    parts, log_px = [], []
    for i in range(0, len(xb), batch):  # one generator, shared in this order: the manifest's figures
        parts.append(model.measure(xb[i:i + batch], g, batch))
        log_px.append(model.iwae_log_px(xb[i:i + batch], k=k, generator=g))
    r, log_px = Measurement.cat(parts), torch.cat(log_px)
    m = {
        "elbo": r.elbo, "distortion": r.D, "rate": r.R,
        "kl_per_dim": [round(v, 4) for v in r.kl_per_dim.mean(0).tolist()], "active_units": r.active_units,
        "iwae_k": k, "iwae_log_px": log_px.mean().item(), "nll": -log_px.mean().item(),
    }
    return m, log_px


def gaussian_metrics(config, distortion: float) -> dict:
    """A Gaussian decoder's figures that compare across sigma_x: the squared error ||x - x_hat||^2 per
    image behind the distortion (same draws of z), and beta_eff = 2 sigma_x^2, the beta that the
    objective ||x - x_hat||^2 / (2 sigma_x^2) + KL amounts to against squared error."""
    se = gaussian_squared_error(distortion, config.sigma_x, config.n_pixels)
    return {"sigma_x": config.sigma_x, "beta_eff": 2 * config.sigma_x ** 2, "squared_error": se,
            "mse_per_pixel": se / config.n_pixels}


@torch.no_grad()
def vae_slice(model, xb: torch.Tensor) -> float:
    """Mean ELBO over the first SLICE test images with a fixed sampling seed (for the tests). A
    conditional VAE is not told the labels: log p(x) >= logsumexp_y [ELBO(x, y) + log p(y)], p(y) uniform."""
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    if not getattr(model, "conditional", False):
        return model.measure(xb[:SLICE], g).elbo
    x = xb[:SLICE]
    K = model.config.n_classes
    runs = [model.measure(x, g, y=torch.full((len(x),), c)) for c in range(K)]
    elbo = torch.stack([-(r.distortion + r.rate) for r in runs], -1)  # (SLICE, K) ELBO(x, y)
    return (torch.logsumexp(elbo, -1) - math.log(K)).mean().item()


def latent_coords(mu: torch.Tensor, seed: int = 0) -> np.ndarray:
    if mu.shape[1] == 2:
        return mu.numpy().copy()  # the plane itself; a copy, since safetensors refuses shared memory
    import umap  # only here: the app never fits UMAP

    return umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(mu.numpy())


def gallery_indices(labels: torch.Tensor) -> torch.Tensor:
    return torch.cat([torch.nonzero(labels == c).flatten()[:GALLERY_PER_CLASS] for c in range(10)])


def write_map(path: Path, model, x: torch.Tensor, labels: torch.Tensor, log_px: torch.Tensor) -> None:
    with torch.no_grad():
        mu = torch.cat([model.encode(x[i:i + 1000])[0] for i in range(0, len(x), 1000)])
    gi = gallery_indices(labels)
    save_file({
        "mu": mu.half().contiguous(),  # only used to place new points: half precision is plenty
        "coords": torch.as_tensor(latent_coords(mu), dtype=torch.float32),
        "labels": labels.to(torch.uint8), "test_log_px": log_px.float(),
        "gallery": x[gi, 0].mul(255).round().to(torch.uint8).contiguous(),
        "gallery_labels": labels[gi].to(torch.uint8),
    }, str(path), metadata={"umap": "n_neighbors=15, min_dist=0.1, random_state=0" if mu.shape[1] > 2 else "none"})


@torch.no_grad()
def vae_elbo_per_image(model, xb: torch.Tensor, samples: int = ELBO_SAMPLES) -> torch.Tensor:
    """(N,) ELBO of each image: -(distortion averaged over `samples` draws + rate), nats."""
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    runs = [model.measure(xb, g) for _ in range(samples)]
    return -(torch.stack([r.distortion for r in runs]).mean(0) + runs[0].rate)


def pixelcnn_metrics(model, xb: torch.Tensor, labels: torch.Tensor, out_dir: Path, path: Path) -> dict:
    """Exact test log p(x) of the PixelCNN; writes the per-digit comparison with the headline VAE."""
    log_px = pixelcnn_evaluate(model, xb)
    vae, _ = checkpoints.load(HEADLINE_VAE, out_dir)
    vae_map = load_file(str(out_dir / f"{HEADLINE_VAE}{MAP_SUFFIX}"))
    iwae = vae_map["test_log_px"].float()  # written by this evaluation, on these same binarised digits
    elbo = vae_elbo_per_image(vae, xb)
    save_file({"log_px": log_px.float().contiguous(), "vae_iwae": iwae.contiguous(), "vae_elbo": elbo.float().contiguous(),
               "labels": labels.to(torch.uint8).contiguous()}, str(path),
              metadata={"vae": HEADLINE_VAE, "elbo_samples": str(ELBO_SAMPLES), "binarize_seed": str(BINARIZE_SEED)})
    n_pixels = model.config.n_pixels
    return {
        "test_nll": -log_px.mean().item(), "test_bits_per_pixel": -log_px.mean().item() / (n_pixels * math.log(2)),
        "slice_nll": -log_px[:SLICE].mean().item(), "n_test": len(xb),
        "compared_vae": HEADLINE_VAE, "vae_iwae_nll": -iwae.mean().item(), "vae_elbo_nll": -elbo.mean().item(),
        "vae_elbo_samples": ELBO_SAMPLES,
        "share_above_vae_iwae": (log_px > iwae.double()).double().mean().item(),
    }


def write_map_image(name: str, dataset: str, out_dir: Path) -> Path:
    """maps/<name>.map.png: the map's test points drawn once, so the app sends them once per page."""
    path = out_dir / MAP_IMAGE_DIR / f"{name}{MAP_IMAGE_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    map_image(load_map(name, dataset, out_dir)).save(path, format="PNG", optimize=True)
    return path


GALLERY_K = 1000  # the posterior tab's default k: the estimates a gallery click at that k reads


def write_gallery_estimates(name: str, model, dataset: str, out_dir: Path, k: int = GALLERY_K) -> Path:
    """<name>.gallerylogp.safetensors: each gallery image's (log p(x), E_q log p(x|z)) at k, as a click
    computes them, with one thread as the app runs (so the same float sums, to the last bit)."""
    path = out_dir / f"{name}{GALLERY_LOGP_SUFFIX}"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        log_px, rec = gallery_estimates(VAEEntry(name, model, {"dataset": dataset}, load_map(name, dataset, out_dir)), k)
    finally:
        torch.set_num_threads(threads)
    save_file({"log_px": torch.tensor(log_px, dtype=torch.float64), "reconstruction": torch.tensor(rec, dtype=torch.float64)},
              str(path), metadata={"k": str(k), "what": "views.vae.estimate_log_px of each gallery image, in gallery order"})
    return path


# ---------------------------------------------------------------------------- p(x|y) against p(y|x)
COND_K = 100  # importance samples per label; the tab uses the same k, so its log p(x) meets the same threshold
COND_N = 10_000  # test images per set scored by the generative classifier (all; 10 labels x k decoder passes each)
THRESHOLD_PERCENTILE = 1.0  # reject x when log p(x) is below this percentile of held-out training images
COND_GALLERY_PER_CLASS = 30


def other_dataset(dataset: str) -> str:
    return "fashion" if dataset == "mnist" else "mnist"


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties counting one half (Mann-Whitney U / n+ n-)."""
    scores = np.concatenate([positive, negative]).astype(np.float64)
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    ranks = (upper - (counts - 1) / 2.0)[inverse]  # average rank of tied scores, 1-based
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


@torch.no_grad()
def generative_scores(model, xb: torch.Tensor, log_prior: torch.Tensor, k: int,
                      batch: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """The generative classifier on binarised images xb: log p(y|x) (N, K) and log p(x) (N,), from the
    conditional VAE's importance-sampled log p(x|y) (k samples per label) and the label prior."""
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    log_px_y = torch.cat([model.iwae_log_px_each_y(xb[i:i + batch], k, g, chunk=k) for i in range(0, len(xb), batch)])
    return bayes(log_px_y, log_prior)


def label_log_prior(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """log p(y): the label frequencies of the training set."""
    return torch.bincount(labels, minlength=n_classes).double().div(len(labels)).log().float()


def conditional_metrics(name: str, model, meta: dict, dataset: str, data_root: str, out_dir: Path,
                        test_cache: dict, n: int, k: int) -> tuple[dict, list[Path]]:
    """The generative classifier p(y|x) ∝ p(x|y) p(y) with outlier rejection, beside the discriminative
    classifier clf_<dataset>: accuracies, acceptance, and both models' outlier AUROC against the other
    data set. Writes <name>.cond.safetensors (per-image log p(x), the threshold, a gallery)."""
    other = other_dataset(dataset)
    for ds in (dataset, other):
        if ds not in test_cache:
            x, y = load_images(ds, data_root, train=False)
            test_cache[ds] = (x, y, binarize(x, torch.Generator().manual_seed(BINARIZE_SEED)))
    x_train, y_train = load_images(dataset, data_root, train=True)
    log_prior = label_log_prior(y_train, model.config.n_classes)
    n_val = 1000  # the held-out images of training (train.py's --n-val), never trained on
    _, va = holdout(len(x_train), n_val, meta["seed"])
    x_val = binarize(x_train[va], torch.Generator().manual_seed(BINARIZE_SEED))
    x_in, y_in, xb_in = test_cache[dataset]
    _, _, xb_out = test_cache[other]
    print(f"{name}: generative classifier, k={k}, {n_val} validation + 2 x {n} test images ...", flush=True)
    _, val_log_px = generative_scores(model, x_val, log_prior, k)
    threshold = float(np.percentile(val_log_px.numpy(), THRESHOLD_PERCENTILE))
    log_py_x, log_px_in = generative_scores(model, xb_in[:n], log_prior, k)
    _, log_px_out = generative_scores(model, xb_out[:n], log_prior, k)
    n = len(log_px_in)  # n may exceed the test set: then all of it
    accepted = log_px_in >= threshold
    correct = log_py_x.argmax(-1) == y_in[:n]
    m = {
        "iwae_k": k, "n_test": n, "outlier_dataset": other,
        "subset": (f"all {n} images" if n == len(xb_in) and n == len(xb_out) else f"the first {n} images")
        + f" of each official test set (binarised once, seed {BINARIZE_SEED})",
        "threshold_percentile": THRESHOLD_PERCENTILE, "n_val": n_val, "threshold": threshold,
        "threshold_rule": (f"reject x when log p(x) < percentile {THRESHOLD_PERCENTILE:g} of log p(x) on the "
                           f"{n_val} held-out training images"),
        "log_prior": [round(v, 5) for v in log_prior.tolist()],
        "gen_accuracy": correct.float().mean().item(),
        "acceptance_rate": accepted.float().mean().item(),
        "gen_accuracy_accepted": correct[accepted].float().mean().item() if accepted.any() else float("nan"),
        "outlier_acceptance_rate": (log_px_out >= threshold).float().mean().item(),
        "mean_log_px": log_px_in.mean().item(), "mean_log_px_outliers": log_px_out.mean().item(),
        "auroc_log_px": auroc(log_px_in.numpy(), log_px_out.numpy()),
        "slice_elbo": vae_slice(model, xb_in),
    }
    tensors = {"val_log_px": val_log_px.float(), "test_log_px": log_px_in.float(), "outlier_log_px": log_px_out.float(),
               "log_prior": log_prior, "threshold": torch.tensor([threshold])}
    clf_name = f"clf_{dataset}"
    if (out_dir / f"{clf_name}.safetensors").is_file():
        clf, _ = checkpoints.load(clf_name, out_dir)
        msp_in = clf.log_probs(xb_in[:n]).exp().max(-1).values
        msp_out = clf.log_probs(xb_out[:n]).exp().max(-1).values
        m.update({"classifier": clf_name,
                  "classifier_accuracy": (clf.log_probs(xb_in[:n]).argmax(-1) == y_in[:n]).float().mean().item(),
                  "auroc_max_softmax": auroc(msp_in.numpy(), msp_out.numpy()),
                  "classifier_outlier_mean_confidence": msp_out.mean().item()})
        tensors.update({"test_max_softmax": msp_in.float(), "outlier_max_softmax": msp_out.float()})
    gi = torch.cat([torch.nonzero(y_in == c).flatten()[:COND_GALLERY_PER_CLASS] for c in range(10)])
    tensors.update({"gallery": x_in[gi, 0].mul(255).round().to(torch.uint8), "gallery_labels": y_in[gi].to(torch.uint8),
                    "gallery_index": gi.to(torch.int32)})
    path = out_dir / f"{name}{COND_SUFFIX}"
    save_file({key: v.contiguous() for key, v in tensors.items()}, str(path),
              metadata={"dataset": dataset, "outlier_dataset": other, "k": str(k), "n_test": str(n),
                        "threshold_percentile": f"{THRESHOLD_PERCENTILE:g}", "binarize_seed": str(BINARIZE_SEED)})
    return m, [path]


@torch.no_grad()
def classifier_metrics(model, dataset: str, data_root: str, test_cache: dict) -> dict:
    """Test accuracy of p(y|x) on all binarised test images, and its max-softmax outlier AUROC
    against the other data set's test images (the usual baseline: Hendrycks & Gimpel 2017)."""
    other = other_dataset(dataset)
    for ds in (dataset, other):
        if ds not in test_cache:
            x, y = load_images(ds, data_root, train=False)
            test_cache[ds] = (x, y, binarize(x, torch.Generator().manual_seed(BINARIZE_SEED)))
    _, y, xb = test_cache[dataset]
    p_in = model.log_probs(xb).exp()
    p_out = model.log_probs(test_cache[other][2]).exp()
    return {"test_accuracy": (p_in.argmax(-1) == y).float().mean().item(), "n_test": len(xb),
            "slice_accuracy": (p_in[:SLICE].argmax(-1) == y[:SLICE]).float().mean().item(),
            "outlier_dataset": other, "auroc_max_softmax": auroc(p_in.max(-1).values.numpy(), p_out.max(-1).values.numpy()),
            "outlier_mean_confidence": p_out.max(-1).values.mean().item()}


def file_record(paths: list[Path], root: Path) -> dict:
    """Each file's sha256 and size, by its path under root (checkpoints/): "maps/<name>.map.png"."""
    return {p.relative_to(root).as_posix(): {"sha256": checkpoints.sha256(p), "bytes": p.stat().st_size}
            for p in paths}


def evaluate(data_root: str, out_dir: Path, sweep_k: int, main_k: int, only: list[str] | None,
             cond_k: int = COND_K, cond_n: int = COND_N) -> dict:
    # figures of models not re-evaluated now are kept; read at the end, so runs may overlap
    models: dict[str, dict] = {}
    test_cache: dict[str, tuple] = {}
    for r in RECIPES:
        if only and r.name not in only:
            continue
        if not (out_dir / f"{r.name}.safetensors").is_file():
            print(f"skip {r.name}: no checkpoint")
            continue
        model, meta = checkpoints.load(r.name, out_dir)
        files = [out_dir / f"{r.name}.safetensors", out_dir / f"{r.name}.json"]
        record = {
            "kind": meta["kind"], "role": r.role, "config": meta["config"], "command": meta["command"],
            "seed": meta["seed"], "data": meta["data"], "parameters": checkpoints.parameter_count(model),
            "training": meta.get("training", {}),
        }
        if r.role == "conditional":
            m, extra_files = conditional_metrics(r.name, model, meta, r.dataset, data_root, out_dir, test_cache,
                                                 cond_n, cond_k)
            record["dataset"] = r.dataset
            record["eval_data"] = (f"{DATA_DESCRIPTION[(r.dataset, 'test')]} and "
                                   f"{DATA_DESCRIPTION[(other_dataset(r.dataset), 'test')]} as outliers, {m['subset']}; "
                                   f"threshold from the {m['n_val']} held-out training images")
            files += extra_files
        elif r.family == "classifier":
            m = classifier_metrics(model, r.dataset, data_root, test_cache)
            record["dataset"] = r.dataset
            record["eval_data"] = (f"{DATA_DESCRIPTION[(r.dataset, 'test')]}, binarised once (torch.bernoulli, seed "
                                   f"{BINARIZE_SEED}); outliers: {DATA_DESCRIPTION[(m['outlier_dataset'], 'test')]}")
        elif r.family in ("vae", "pixelcnn") and r.dataset not in test_cache:
            x, y = load_images(r.dataset, data_root, train=False)
            test_cache[r.dataset] = (x, y, binarize(x, torch.Generator().manual_seed(BINARIZE_SEED)))
        if r.role == "conditional" or r.family == "classifier":
            pass  # measured above
        elif r.family == "pixelcnn":
            x, y, xb = test_cache[r.dataset]
            print(f"{r.name}: exact log p(x) on {len(xb)} test images ...", flush=True)
            test_path = out_dir / f"{r.name}{TEST_LOGP_SUFFIX}"
            m = pixelcnn_metrics(model, xb, y, out_dir, test_path)
            record["dataset"] = r.dataset
            record["eval_data"] = (f"{DATA_DESCRIPTION[(r.dataset, 'test')]}, binarised once "
                                   f"(torch.bernoulli, seed {BINARIZE_SEED}), as for the VAEs")
            record["compared_vae"] = HEADLINE_VAE
            files.append(test_path)
        elif r.family == "vae":
            x, y, xb = test_cache[r.dataset]
            k = main_k if r.role == "main" else sweep_k
            print(f"{r.name}: IWAE k={k} on {len(xb)} test images ...", flush=True)
            if model.config.likelihood == "gaussian":  # a density over grey values: never binarised
                m, log_px = vae_metrics(model, x, k)
                m.update(gaussian_metrics(model.config, m["distortion"]))
                m["slice_elbo"] = vae_slice(model, x)
                record["dataset"] = r.dataset
                record["eval_data"] = f"{DATA_DESCRIPTION[(r.dataset, 'test')]}, grey values in [0, 1]"
            else:
                m, log_px = vae_metrics(model, xb, k)
                m["slice_elbo"] = vae_slice(model, xb)
                record["dataset"] = r.dataset
                record["eval_data"] = (f"{DATA_DESCRIPTION[(r.dataset, 'test')]}, binarised once "
                                       f"(torch.bernoulli, seed {BINARIZE_SEED})")
            if r.name == HEADLINE_VAE:
                record["in_sweep"] = True
            if r.role == "main":
                map_path = out_dir / f"{r.name}{MAP_SUFFIX}"
                write_map(map_path, model, x, y, log_px)
                files += [map_path, write_map_image(r.name, r.dataset, out_dir),
                          write_gallery_estimates(r.name, model, r.dataset, out_dir)]
        else:
            words = load_words(Path(data_root) / "names.txt")
            train, test = split_words(words)
            vocab = meta["vocab_obj"]
            X, Y = encode_words(test, vocab)
            nll = lm_evaluate(model, X, Y)
            m = {"test_nll": nll, "test_bits_per_char": nll / math.log(2), "test_perplexity": math.exp(nll),
                 "slice_nll": lm_evaluate(model, X[:SLICE], Y[:SLICE]),
                 "n_test_names": len(test), "n_test_tokens": int((Y >= 0).sum())}
            record["dataset"] = "names"
            record["eval_data"] = f"names.txt, the {len(test)} makemore test names (seed 3407), end tokens included"
            hashes = torch.tensor(sorted(word_hash(w) for w in train), dtype=torch.int64)
            save_file({"hashes": hashes}, str(out_dir / TRAIN_HASHES),
                      metadata={"what": "blake2b-64 >> 1 fingerprints of the makemore training names"})
        record["metrics"] = m
        record["files"] = file_record(files, out_dir)
        models[r.name] = record
        print(r.name, json.dumps({k: v for k, v in m.items() if k != "kl_per_dim"}), flush=True)
    manifest_path = out_dir / "manifest.json"
    old = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"models": {}}
    models = {**old.get("models", {}), **models}
    extra = [out_dir / f for f in (TRAIN_HASHES, LIVE_DIGITS, LIVE_DIGITS_META) if (out_dir / f).is_file()]
    order = [r.name for r in RECIPES if r.name in models]
    return {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "evaluate_command": "python -m explorer.training.evaluate --data-root <data root>",
        "environment": {"torch": torch.__version__, "python": platform.python_version()},
        "models": {n: models[n] for n in order},
        "artefacts": file_record(extra, out_dir),
    }


DATA_NAMES = {"mnist": "MNIST (10k subset)", "fashion": "Fashion-MNIST"}  # the README table's data column


def markdown_table(manifest: dict) -> str:
    """The README's table of shipped models, from the manifest (so no figure is typed by hand)."""
    rows = ["| model | role | data | params | test figures (nats) |", "|---|---|---|---:|---|"]
    for name, rec in manifest["models"].items():
        m = rec["metrics"]
        if rec["role"] == "conditional":
            c = rec["config"]
            fig = (f"p(y\\|x) ∝ p(x\\|y) p(y): accuracy {m['gen_accuracy']:.3f} (accepted: {m['gen_accuracy_accepted']:.3f}, "
                   f"{m['acceptance_rate']:.1%} accepted); outlier AUROC of log p(x) vs {m['outlier_dataset']}: "
                   f"**{m['auroc_log_px']:.4f}** (max-softmax baseline {m.get('auroc_max_softmax', float('nan')):.4f})")
            data = DATA_NAMES[rec["dataset"]]
            data += f", conditional, z = {c['latent_dim']}"
        elif rec["kind"] == "classifier":
            fig = (f"test accuracy **{m['test_accuracy']:.4f}**; max-softmax outlier AUROC vs "
                   f"{m['outlier_dataset']}: {m['auroc_max_softmax']:.4f}")
            data = DATA_NAMES[rec["dataset"]] + ", CNN p(y\\|x)"
        elif rec["kind"] == "vae" and rec["config"].get("likelihood") == "gaussian":
            c = rec["config"]  # a density over grey values: its log p(x) is not comparable with the binarised ones
            fig = (f"Gaussian decoder σ = {c['sigma_x']:g} (β_eff = 2σ² = {m['beta_eff']:g}): "
                   f"‖x − x̂‖² **{m['squared_error']:.2f}** per digit, R {m['rate']:.2f}; "
                   f"−log p(x\\|z) {m['distortion']:.1f} (a density on grey values); "
                   f"active units {m['active_units']}/{c['latent_dim']}")
            data = f"MNIST (10k subset, grey), z = {c['latent_dim']}"
        elif rec["kind"] == "vae":
            c = rec["config"]
            fig = (f"trained at β = {c['beta']:g}: −log p(x) ≈ **{m['nll']:.2f}** (IWAE, k = {m['iwae_k']}); "
                   f"ELBO {m['elbo']:.2f} = −(D {m['distortion']:.2f} + R {m['rate']:.2f}); "
                   f"active units {m['active_units']}/{c['latent_dim']}")
            data = DATA_NAMES[rec["dataset"]]
            data += f", z = {c['latent_dim']}"
        elif rec["kind"] == "pixelcnn":
            c = rec["config"]
            fig = (f"exact −log p(x) = **{m['test_nll']:.2f}** ({m['test_bits_per_pixel']:.4f} bits/pixel), beside "
                   f"`{m['compared_vae']}`'s {m['vae_iwae_nll']:.2f} (IWAE) and {m['vae_elbo_nll']:.2f} (−ELBO)")
            data = f"MNIST (10k subset), gated, {c['n_layers'] + 1} layers × {c['n_channels']} ch."
        else:
            fig = (f"test NLL **{m['test_nll']:.3f}** nats/char ({m['test_bits_per_char']:.3f} bits, "
                   f"perplexity {m['test_perplexity']:.2f})")
            data = "names.txt"
        rows.append(f"| `{name}` | {rec['role']} | {data} | {rec['parameters']:,} | {fig} |")
    return "\n".join(rows)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m explorer.training.evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", default="./data")
    p.add_argument("--out-dir", default="checkpoints")
    p.add_argument("--k", type=int, default=1000, help="importance samples for the tab VAEs")
    p.add_argument("--sweep-k", type=int, default=1000, help="importance samples for sweep points")
    p.add_argument("--only", nargs="*", help="re-evaluate only these (others keep their figures)")
    p.add_argument("--cond-k", type=int, default=COND_K, help="importance samples per label, conditional VAEs")
    p.add_argument("--cond-n", type=int, default=COND_N, help="test images per set for the generative classifier")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--table", action="store_true", help="print the README table from the manifest and exit")
    p.add_argument("--map-images", action="store_true",
                   help="only redraw <name>.map.png from the shipped maps (no data needed) and record them")
    p.add_argument("--gallery-estimates", action="store_true",
                   help="only re-estimate <name>.gallerylogp.safetensors from the shipped models and maps "
                        "(no data needed) and record them")
    args = p.parse_args(argv)
    if args.table:
        print(markdown_table(json.loads((Path(args.out_dir) / "manifest.json").read_text())))
        return
    torch.set_num_threads(args.threads)
    out_dir = Path(args.out_dir)
    if args.map_images:
        manifest = json.loads((out_dir / "manifest.json").read_text())
        for name, rec in manifest["models"].items():
            if (out_dir / f"{name}{MAP_SUFFIX}").is_file():
                path = write_map_image(name, rec["dataset"], out_dir)
                rec["files"].update(file_record([path], out_dir))
                print(f"wrote {path}")
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return
    if args.gallery_estimates:
        manifest = json.loads((out_dir / "manifest.json").read_text())
        for name, rec in manifest["models"].items():
            if (out_dir / f"{name}{MAP_SUFFIX}").is_file():
                model, _ = checkpoints.load(name, out_dir)
                path = write_gallery_estimates(name, model, rec["dataset"], out_dir)
                rec["files"].update(file_record([path], out_dir))
                print(f"wrote {path}", flush=True)
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return
    manifest = evaluate(args.data_root, out_dir, args.sweep_k, args.k, args.only, args.cond_k, args.cond_n)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out_dir / 'manifest.json'} ({len(manifest['models'])} models)")


if __name__ == "__main__":
    main()
