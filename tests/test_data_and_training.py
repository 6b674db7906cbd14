"""Data loading errors and the training loops, on tiny synthetic data (no dataset needed)."""
import json

import pytest
import torch

from explorer import checkpoints
from explorer.data import DataMissingError, encode_words, load_images, load_words
from explorer.models import GRUConfig, GRULanguageModel, VAE, VAEConfig, Vocab
from explorer.training.train import lm_evaluate, main, train_lm, train_vae


def test_missing_image_data_says_where_and_what_to_do(tmp_path):
    with pytest.raises(DataMissingError, match=r"MNIST was not found under .*--data-root"):
        load_images("mnist", tmp_path, download=False)
    with pytest.raises(ValueError, match="dataset must be one of"):
        load_images("cifar", tmp_path)


def test_missing_word_list(tmp_path):
    with pytest.raises(DataMissingError, match="names.txt"):
        load_words(tmp_path / "names.txt")


def test_encode_words_follows_makemore():
    vocab = Vocab.from_words(["ab", "b"])
    X, Y = encode_words(["ab", "b"], vocab)
    assert X.tolist() == [[0, 1, 2], [0, 2, 0]]
    assert Y.tolist() == [[1, 2, 0], [2, 0, -1]]


def test_vae_training_lowers_the_loss_and_keeps_the_best():
    g = torch.Generator().manual_seed(0)
    protos = (torch.rand(4, 1, 28, 28, generator=g) > 0.5).float()
    x = protos[torch.arange(200) % 4] * 0.9 + 0.05
    torch.manual_seed(0)
    model = VAE(VAEConfig(hidden=(32,), latent_dim=2))
    before = model.loss(x.bernoulli(generator=g), generator=g).loss.item()
    report = train_vae(model, x[:160], x[160:], epochs=8, batch_size=32, lr=3e-3, warmup_epochs=2, seed=0,
                       progress=False)
    after = model.loss(x.bernoulli(generator=g), generator=g).loss.item()
    assert after < before
    assert 2 <= report["best_epoch"] <= 8 and report["epochs_run"] == 8


def test_lm_training_lowers_the_nll():
    words = ["anna", "bob", "bella", "ben", "ada"] * 20
    vocab = Vocab.from_words(words)
    X, Y = encode_words(words, vocab)
    torch.manual_seed(0)
    model = GRULanguageModel(GRUConfig(vocab.size, vocab.block_size, 8, 16))
    before = lm_evaluate(model, X, Y)
    report = train_lm(model, X, Y, X, Y, max_steps=150, batch_size=16, lr=1e-2, weight_decay=0.0, seed=0,
                      eval_every=50, progress=False)
    assert report["best_val_nll"] < before - 0.3


def test_train_cli_writes_a_self_describing_checkpoint(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(["emma", "olivia", "ava", "mia", "zoe"] * 5))
    out = tmp_path / "lm"
    main(["gru", "--data", str(names), "--n-embd", "4", "--n-hidden", "8", "--max-steps", "20",
          "--n-val", "5", "--seed", "3", "--threads", "1", "--out", str(out)])
    meta = json.loads((tmp_path / "lm.json").read_text())
    assert meta["command"].startswith("python -m explorer.training.train gru --data")
    assert meta["seed"] == 3 and meta["vocab"]["chars"] == "aeilmovz"
    model, meta = checkpoints.load("lm", tmp_path)
    assert meta["vocab_obj"].size == 9
