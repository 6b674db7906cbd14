"""The beta tab's live-training digits: MNIST training digits shipped with the app, so live training
works offline and on a hosted Space.

    python -m explorer.training.live_digits --data-root ../shared/data

Stored as a lossless greyscale PNG of 28 x 28 tiles, `COLUMNS` to a row (10,000 digits: 1.7 MB where
the raw bytes are 7.8 MB; the checkpoints stay within their 40 MB together,
tests/test_shipped_checkpoints.py), with a JSON beside it: the labels, the tiling and the provenance.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from ..checkpoints import CHECKPOINT_DIR, LIVE_DIGITS

LIVE_DIGITS_META = "live_digits.json"
COLUMNS = 100  # digits per row of the PNG
SIDE = 28


def pick(labels: torch.Tensor, per_class: int | None = None, seed: int = 0) -> torch.Tensor:
    """Indices of the shipped digits: all of them, or per_class of each class (torch.randperm with
    Generator().manual_seed(seed)); then shuffled with the same generator."""
    g = torch.Generator().manual_seed(seed)
    if per_class is None:
        idx = torch.arange(len(labels))
    else:
        of_class = [(labels == c).nonzero().squeeze(1) for c in range(10)]
        idx = torch.cat([i[torch.randperm(len(i), generator=g)[:per_class]] for i in of_class])
    return idx[torch.randperm(len(idx), generator=g)]


def build_live_digits(data_root: str | Path = "../shared/data", out: str | Path | None = None,
                      per_class: int | None = None, seed: int = 0) -> Path:
    """Write the live trainer's MNIST training digits with their provenance: every digit of the training
    set found under data_root (the shared 10,000-digit subset), or per_class of each. Returns the PNG's
    path; the JSON goes beside it (same name, .json).

    Why all of them: on 2,000 digits (200 per class, shipped before) a live run over-fits within its
    first minute (D on its training digits falls while D on the test digits the frontier is measured
    on rises), and even a run started on the beta = 0.25 model drifts out of 10 % of its own frontier
    point (scripts/diagnose_live_settings.py)."""
    import PIL.Image

    from ..data import DATA_DESCRIPTION, load_images

    x, y = load_images("mnist", data_root, train=True, download=False)
    idx = pick(y, per_class, seed)
    images = (x[idx, 0] * 255).round().to(torch.uint8).numpy()  # (N, 28, 28)
    n = len(images)
    rows = -(-n // COLUMNS)
    padded = np.zeros((rows * COLUMNS, SIDE, SIDE), np.uint8)
    padded[:n] = images
    sheet = padded.reshape(rows, COLUMNS, SIDE, SIDE).transpose(0, 2, 1, 3).reshape(rows * SIDE, COLUMNS * SIDE)
    out = Path(out) if out else CHECKPOINT_DIR / LIVE_DIGITS
    out.parent.mkdir(parents=True, exist_ok=True)
    PIL.Image.fromarray(sheet, "L").save(out, "PNG", optimize=True)  # lossless: the same bytes come back
    meta = {
        "what": f"{n} MNIST training digits for the app's live trainer",
        "source": DATA_DESCRIPTION[("mnist", "train")],
        "selection": ("every training digit" if per_class is None else
                      f"{per_class} per class, torch.randperm with Generator().manual_seed({seed})")
                     + f"; shuffled with Generator().manual_seed({seed})",
        "licence": "MNIST: CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
        "command": "python -m explorer.training.live_digits --data-root <data root>",
        "layout": f"{SIDE}x{SIDE} greyscale tiles (0 = background), {COLUMNS} to a row, row by row; "
                  "the last row padded with blank tiles",
        "count": n, "columns": COLUMNS,
        "labels": y[idx].tolist(),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    return out


def load_live_digits(path: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(images (N, 28, 28) uint8, labels (N,) long) of the shipped training digits."""
    import PIL.Image

    path = Path(path) if path else CHECKPOINT_DIR / LIVE_DIGITS
    meta_path = path.with_suffix(".json")
    if not (path.is_file() and meta_path.is_file()):
        raise FileNotFoundError(f"live training digits {path} (with {meta_path.name}) are missing; build them "
                                f"with `python -m explorer.training.live_digits --data-root ../shared/data`")
    meta = json.loads(meta_path.read_text())
    n, columns = int(meta["count"]), int(meta["columns"])
    with PIL.Image.open(path) as im:
        sheet = np.asarray(im.convert("L"))
    rows = sheet.shape[0] // SIDE
    tiles = sheet.reshape(rows, SIDE, columns, SIDE).transpose(0, 2, 1, 3).reshape(rows * columns, SIDE, SIDE)
    labels = torch.tensor(meta["labels"], dtype=torch.long)
    if len(labels) != n or len(tiles) < n:
        raise ValueError(f"{path}: {len(tiles)} tiles and {len(labels)} labels for {n} digits")
    return torch.from_numpy(np.ascontiguousarray(tiles[:n])), labels


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
