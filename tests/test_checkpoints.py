"""Checkpoint I/O: save -> load round trips, and every failure names the file."""
import json

import pytest
import torch

from explorer import checkpoints
from explorer.checkpoints import CheckpointError
from explorer.models import GRUConfig, GRULanguageModel, Transformer, TransformerConfig, VAE, VAEConfig, Vocab

VOCAB = Vocab.from_words(["anna", "bob", "carl"])


def models():
    torch.manual_seed(0)
    return {
        "vae": VAE(VAEConfig(hidden=(16,), latent_dim=2, beta=2.0)),
        "transformer": Transformer(TransformerConfig(VOCAB.size, VOCAB.block_size, 1, 2, 8)),
        "gru": GRULanguageModel(GRUConfig(VOCAB.size, VOCAB.block_size, 4, 8)),
    }


@pytest.mark.parametrize("kind", ["vae", "transformer", "gru"])
def test_save_load_gives_identical_outputs(tmp_path, kind):
    model = models()[kind].eval()
    checkpoints.save(model, tmp_path / f"m_{kind}", {"seed": 0}, vocab=None if kind == "vae" else VOCAB)
    loaded, meta = checkpoints.load(f"m_{kind}", tmp_path)
    assert meta["kind"] == kind and meta["seed"] == 0
    assert type(loaded.config) is type(model.config) and loaded.config == model.config
    if kind == "vae":
        x = torch.rand(3, 1, 28, 28)
        assert torch.equal(model.encode(x)[0], loaded.encode(x)[0])
        assert torch.equal(model.decode(torch.ones(1, 2)), loaded.decode(torch.ones(1, 2)))
    else:
        assert meta["vocab_obj"] == VOCAB
        idx = torch.tensor([[0, 1, 2, 3]])
        assert torch.equal(model(idx)[0], loaded(idx)[0])


def test_no_pickle_in_the_files(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    raw = (tmp_path / "m.safetensors").read_bytes()
    assert b"\x80\x04" not in raw[:64] and raw[8:9] == b"{"  # a JSON header, not a pickle
    json.loads((tmp_path / "m.json").read_text())


def test_missing_weights_name_the_file(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    (tmp_path / "m.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"m\.safetensors are missing"):
        checkpoints.load("m", tmp_path)


def test_missing_config_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match=r"nothing\.json is missing"):
        checkpoints.load("nothing", tmp_path)


def test_corrupted_weights_name_the_file(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    (tmp_path / "m.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(CheckpointError, match=r"m\.safetensors are corrupted"):
        checkpoints.load("m", tmp_path)


def test_truncated_weights_name_the_file(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    p = tmp_path / "m.safetensors"
    p.write_bytes(p.read_bytes()[:500])
    with pytest.raises(CheckpointError, match=r"m\.safetensors"):
        checkpoints.load("m", tmp_path)


def test_corrupted_config_names_the_file(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    (tmp_path / "m.json").write_text("{not json")
    with pytest.raises(CheckpointError, match=r"m\.json is corrupted"):
        checkpoints.load("m", tmp_path)


def test_config_that_does_not_match_weights(tmp_path):
    checkpoints.save(models()["vae"], tmp_path / "m", {})
    meta = json.loads((tmp_path / "m.json").read_text())
    meta["config"]["latent_dim"] = 5
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=r"m\.safetensors do not match their config"):
        checkpoints.load("m", tmp_path)


@pytest.mark.parametrize("name", ["../etc/passwd", "/abs", "a/b", "", "UPPER", "x" * 200])
def test_names_are_never_paths(tmp_path, name):
    with pytest.raises(CheckpointError, match="is not a checkpoint name"):
        checkpoints.load(name, tmp_path)


def test_names_with_dots_keep_their_dots(tmp_path):
    """sweep names carry beta: 'beta0.25' must not be cut at the dot (Path.with_suffix would)."""
    for beta in (0.1, 0.25):
        checkpoints.save(VAE(VAEConfig(hidden=(8,), latent_dim=2, beta=beta)), tmp_path / f"sweep_beta{beta:g}", {})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sweep_beta0.1.json", "sweep_beta0.1.safetensors", "sweep_beta0.25.json", "sweep_beta0.25.safetensors"]
    assert checkpoints.load("sweep_beta0.25", tmp_path)[0].config.beta == 0.25


def test_half_precision_storage_halves_the_file_and_keeps_outputs_close(tmp_path):
    model = models()["vae"].eval()
    checkpoints.save(model, tmp_path / "full", {})
    checkpoints.save(model, tmp_path / "half", {}, dtype=torch.float16)
    full, half = (tmp_path / "full.safetensors").stat().st_size, (tmp_path / "half.safetensors").stat().st_size
    assert half < 0.6 * full
    loaded, meta = checkpoints.load("half", tmp_path)
    assert meta["weights_dtype"] == "float16" and next(loaded.parameters()).dtype == torch.float32
    x = torch.rand(4, 1, 28, 28)
    assert torch.allclose(model.encode(x)[0], loaded.encode(x)[0], atol=1e-2)
