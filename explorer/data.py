"""Data: MNIST / Fashion-MNIST through torchvision, and word lists split as makemore does."""
from __future__ import annotations

from pathlib import Path

import torch

from .classes import CLASS_NAMES, IMAGE_DATASETS  # noqa: F401  (also importable without torch)

DATA_DESCRIPTION = {
    ("mnist", "train"): "MNIST, 10,000-digit training subset (../shared/data; the full set has 60,000)",
    ("mnist", "test"): "MNIST, official 10,000-digit test set",
    ("fashion", "train"): "Fashion-MNIST, official 60,000-image training set",
    ("fashion", "test"): "Fashion-MNIST, official 10,000-image test set",
}


# one fixed stochastic binarisation for every evaluation: the test set's figures, a user's image in
# the app, and the live trainer's evaluation digits all see pixels drawn with this seed
BINARIZE_SEED = 1234


class DataMissingError(FileNotFoundError):
    pass


def load_images(dataset: str, root: str | Path = "./data", train: bool = True,
                download: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (images (N, 1, 28, 28) float in [0, 1], labels (N,) long)."""
    if dataset not in IMAGE_DATASETS:
        raise ValueError(f"dataset must be one of {sorted(IMAGE_DATASETS)}, got {dataset!r}")
    import torchvision  # imported here: the app never needs it at start-up

    cls = getattr(torchvision.datasets, IMAGE_DATASETS[dataset])
    try:
        ds = cls(str(root), train=train, download=False)
    except RuntimeError:
        if not download:
            raise DataMissingError(_missing(dataset, root)) from None
        try:
            ds = cls(str(root), train=train, download=True)
        except Exception as e:  # no network, or a mirror down
            raise DataMissingError(_missing(dataset, root) + f" Download failed: {e}") from None
    x = ds.data.float().div(255.0).unsqueeze(1)
    return x, ds.targets.long()


def _missing(dataset: str, root) -> str:
    return (f"{IMAGE_DATASETS[dataset]} was not found under {Path(root).resolve()} "
            f"(expected {IMAGE_DATASETS[dataset]}/raw/*-ubyte files) and could not be downloaded. "
            f"Pass --data-root pointing at a torchvision data folder, e.g. --data-root ../shared/data.")


def binarize(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Stochastic binarisation: each pixel ~ Bernoulli(intensity) (Salakhutdinov & Murray 2008)."""
    return torch.bernoulli(x, generator=generator)


def fixed_binary(x: torch.Tensor, seed: int = BINARIZE_SEED) -> torch.Tensor:
    """One fixed binarisation of grey images, so every measurement sees the same pixels."""
    return binarize(x.float().clamp(0, 1), torch.Generator().manual_seed(seed))


def load_words(path: str | Path) -> list[str]:
    path = Path(path)
    if not path.is_file():
        raise DataMissingError(f"word list {path.resolve()} not found; pass --data ../shared/data/names.txt")
    words = [w.strip() for w in path.read_text().splitlines()]
    return [w for w in words if w]


def split_words(words: list[str], test_size: int = 1000) -> tuple[list[str], list[str]]:
    """makemore's split, exactly: torch.manual_seed(3407); randperm; the last test_size are test."""
    test_size = min(test_size, int(len(words) * 0.1))
    rp = torch.randperm(len(words), generator=torch.Generator().manual_seed(3407)).tolist()
    return [words[i] for i in rp[:-test_size]], [words[i] for i in rp[-test_size:]]


def encode_words(words: list[str], vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """makemore's CharDataset: x = <.> w, y = w <.>, padding targets -1 (ignored by the loss)."""
    T = vocab.block_size
    X = torch.zeros(len(words), T, dtype=torch.long)
    Y = torch.full((len(words), T), -1, dtype=torch.long)
    for i, w in enumerate(words):
        ix = vocab.encode(w)
        X[i, 1:1 + len(ix)] = ix
        Y[i, :len(ix)] = ix
        Y[i, len(ix)] = 0
    return X, Y
