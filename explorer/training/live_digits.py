"""The beta tab's live-training digits: MNIST training digits shipped with the app, so live training
works offline and on a hosted Space.

    python -m explorer.training.live_digits --data-root ../shared/data
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from ..checkpoints import CHECKPOINT_DIR

LIVE_DIGITS = "live_digits.safetensors"


def pick(labels: torch.Tensor, per_class: int | None = None, seed: int = 0) -> torch.Tensor:
    """Indices of the shipped digits: all of them, or per_class of each class (torch.randperm with
    Generator().manual_seed(seed)); then shuffled with the same generator."""
    g = torch.Generator().manual_seed(seed)
    if per_class is None:
        idx = torch.arange(len(labels))
    else:
        idx = torch.cat([(labels == c).nonzero().squeeze(1)[torch.randperm(int((labels == c).sum()), generator=g)[:per_class]]
                         for c in range(10)])
    return idx[torch.randperm(len(idx), generator=g)]


def build_live_digits(data_root: str | Path = "../shared/data", out: str | Path | None = None,
                      per_class: int | None = None, seed: int = 0) -> Path:
    """Write the live trainer's MNIST training digits (uint8) with their provenance: every digit of the
    training set found under data_root (the shared 10,000-digit subset: 7.8 MB), or per_class of each.

    Why all of them: on 2,000 digits (200 per class, shipped before) a live run over-fits within its
    first minute (D on its training digits falls while D on the test digits the frontier is measured
    on rises), and even a run started on the beta = 0.25 model drifts out of 10 % of its own frontier
    point (scripts/diagnose_live_settings.py)."""
    from safetensors.torch import save_file

    from ..data import DATA_DESCRIPTION, load_images

    x, y = load_images("mnist", data_root, train=True, download=False)
    idx = pick(y, per_class, seed)
    images = (x[idx, 0] * 255).round().to(torch.uint8).contiguous()  # (N, 28, 28)
    out = Path(out) if out else CHECKPOINT_DIR / LIVE_DIGITS
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "what": f"{len(idx)} MNIST training digits for the app's live trainer",
        "source": DATA_DESCRIPTION[("mnist", "train")],
        "selection": ("every training digit" if per_class is None else
                      f"{per_class} per class, torch.randperm with Generator().manual_seed({seed})")
                     + f"; shuffled with Generator().manual_seed({seed})",
        "licence": "MNIST: CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
        "command": "python -m explorer.training.live_digits --data-root <data root>",
    }
    save_file({"images": images, "labels": y[idx].to(torch.uint8).contiguous()}, str(out), metadata=meta)
    return out


def load_live_digits(path: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(images (N, 28, 28) uint8, labels (N,) long) of the shipped training digits."""
    from safetensors.torch import load_file

    path = Path(path) if path else CHECKPOINT_DIR / LIVE_DIGITS
    if not path.is_file():
        raise FileNotFoundError(f"live training digits {path} are missing; build them with "
                                f"`python -m explorer.training.live_digits --data-root ../shared/data`")
    t = load_file(str(path))
    return t["images"], t["labels"].long()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m explorer.training.live_digits", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", default="../shared/data")
    p.add_argument("--out", default=None, help=f"default: checkpoints/{LIVE_DIGITS}")
    args = p.parse_args(argv)
    out = build_live_digits(args.data_root, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
