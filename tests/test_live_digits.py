"""The live trainer's shipped digits (training/live_digits.py): a lossless PNG with its JSON, the
same digits the data holds, rebuilt byte for byte by the documented command."""
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.checkpoints import CHECKPOINT_DIR
from explorer.training import live_digits as ld

DATA_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _data():
    from explorer.data import load_images
    try:
        return load_images("mnist", DATA_ROOT, train=True, download=False)
    except (FileNotFoundError, RuntimeError):
        pytest.skip(f"MNIST not found under {DATA_ROOT}")


def test_the_shipped_digits_are_the_training_subsets_own_with_their_labels():
    images, labels = ld.load_live_digits()
    assert images.shape == (10_000, 28, 28) and images.dtype == torch.uint8 and labels.dtype == torch.long
    x, y = _data()
    idx = ld.pick(y)
    assert torch.equal(images, (x[idx, 0] * 255).round().to(torch.uint8))  # lossless
    assert torch.equal(labels, y[idx])


def test_a_rebuild_is_byte_for_byte_the_shipped_files(tmp_path):
    _data()
    out = ld.build_live_digits(DATA_ROOT, tmp_path / ld.LIVE_DIGITS)
    for name in (ld.LIVE_DIGITS, ld.LIVE_DIGITS_META):
        assert (tmp_path / name).read_bytes() == (CHECKPOINT_DIR / name).read_bytes(), name
    assert out == tmp_path / ld.LIVE_DIGITS


def test_a_partial_last_row_and_per_class_picks_round_trip(tmp_path):
    x, y = _data()
    ld.build_live_digits(DATA_ROOT, tmp_path / "d.png", per_class=13)  # 130 digits: a row of 30 at the end
    images, labels = ld.load_live_digits(tmp_path / "d.png")
    idx = ld.pick(y, 13)
    assert len(images) == 130 and np.bincount(labels.numpy(), minlength=10).tolist() == [13] * 10
    assert torch.equal(images, (x[idx, 0] * 255).round().to(torch.uint8)) and torch.equal(labels, y[idx])


def test_missing_digits_say_how_to_build_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m explorer.training.live_digits"):
        ld.load_live_digits(tmp_path / "nothing.png")
