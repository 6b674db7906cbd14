"""Measure every shipped model on its full held-out split and write checkpoints/manifest.json.

    python -m explorer.training.evaluate --data-root ../shared/data

VAEs: on the official test images, binarised once (seed BINARIZE_SEED): ELBO, distortion and rate
(nats), KL per latent dimension, active units, and the importance-sampled log p(x) (IWAE bound)
with k = 1000. For the tab models it also writes `<name>.map.safetensors`: the test latent means,
their 2-D coordinates (the plane itself, or UMAP with a fixed random_state), labels, per-image
log p(x) and a gallery of at most 50 test images per class.
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
from ..models import Measurement
from ..plots.vae import map_image
from ..zoo import MAP_IMAGE_SUFFIX, MAP_SUFFIX, TEST_LOGP_SUFFIX, TRAIN_HASHES, load_map, word_hash
from .catalogue import HEADLINE_VAE, RECIPES
from .live_digits import LIVE_DIGITS
from .pixelcnn import pixelcnn_evaluate
from .train import lm_evaluate

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


@torch.no_grad()
def vae_slice(model, xb: torch.Tensor) -> float:
    """Mean ELBO over the first SLICE test images with a fixed sampling seed (for the tests)."""
    return model.measure(xb[:SLICE], torch.Generator().manual_seed(SAMPLE_SEED)).elbo


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
    """<name>.map.png: the map's test points drawn once, so the app sends them once per page."""
    path = out_dir / f"{name}{MAP_IMAGE_SUFFIX}"
    map_image(load_map(name, dataset, out_dir)).save(path, format="PNG", optimize=True)
    return path


def file_record(paths: list[Path]) -> dict:
    return {p.name: {"sha256": checkpoints.sha256(p), "bytes": p.stat().st_size} for p in paths}


def evaluate(data_root: str, out_dir: Path, sweep_k: int, main_k: int, only: list[str] | None) -> dict:
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
        if r.family in ("vae", "pixelcnn") and r.dataset not in test_cache:
            x, y = load_images(r.dataset, data_root, train=False)
            test_cache[r.dataset] = (x, y, binarize(x, torch.Generator().manual_seed(BINARIZE_SEED)))
        if r.family == "pixelcnn":
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
                files += [map_path, write_map_image(r.name, r.dataset, out_dir)]
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
        record["files"] = file_record(files)
        models[r.name] = record
        print(r.name, json.dumps({k: v for k, v in m.items() if k != "kl_per_dim"}), flush=True)
    manifest_path = out_dir / "manifest.json"
    old = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"models": {}}
    models = {**old.get("models", {}), **models}
    extra = [out_dir / f for f in (TRAIN_HASHES, LIVE_DIGITS) if (out_dir / f).is_file()]
    order = [r.name for r in RECIPES if r.name in models]
    return {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "evaluate_command": "python -m explorer.training.evaluate --data-root <data root>",
        "environment": {"torch": torch.__version__, "python": platform.python_version()},
        "models": {n: models[n] for n in order},
        "artefacts": file_record(extra),
    }


def markdown_table(manifest: dict) -> str:
    """The README's table of shipped models, from the manifest (so no figure is typed by hand)."""
    rows = ["| model | role | data | params | test figures (nats) |", "|---|---|---|---:|---|"]
    for name, rec in manifest["models"].items():
        m = rec["metrics"]
        if rec["kind"] == "vae":
            c = rec["config"]
            fig = (f"trained at β = {c['beta']:g}: −log p(x) ≈ **{m['nll']:.2f}** (IWAE, k = {m['iwae_k']}); "
                   f"ELBO {m['elbo']:.2f} = −(D {m['distortion']:.2f} + R {m['rate']:.2f}); "
                   f"active units {m['active_units']}/{c['latent_dim']}")
            data = {"mnist": "MNIST (10k subset)", "fashion": "Fashion-MNIST"}[rec["dataset"]]
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
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--table", action="store_true", help="print the README table from the manifest and exit")
    p.add_argument("--map-images", action="store_true",
                   help="only redraw <name>.map.png from the shipped maps (no data needed) and record them")
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
                rec["files"].update(file_record([path]))
                print(f"wrote {path}")
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return
    manifest = evaluate(args.data_root, out_dir, args.sweep_k, args.k, args.only)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out_dir / 'manifest.json'} ({len(manifest['models'])} models)")


if __name__ == "__main__":
    main()
