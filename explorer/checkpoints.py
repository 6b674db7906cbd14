"""Self-describing checkpoints: `<name>.safetensors` (weights) + `<name>.json` (config, vocab,
seed, data, command, metrics). Nothing is ever unpickled; `load(name)` rebuilds the model alone.

Importing this module imports no torch (save and load import it when called): the app reads the
checkpoints' JSON to build its page before torch is imported (cold start, explorer/zoo.py).
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CheckpointError

if TYPE_CHECKING:
    import torch

    from .models import Vocab

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")
KINDS = ("vae", "transformer", "gru", "pixelcnn", "classifier")  # the keys of families()
LIVE_DIGITS = "live_digits.png"  # the live runs' training digits (explorer/training/live_digits.py)


@functools.cache
def families() -> dict:
    """kind -> (config class, model class), imported at the first call."""
    from .models import GRUConfig, GRULanguageModel, Transformer, TransformerConfig, VAE, VAEConfig
    from .models.classifier import Classifier, ClassifierConfig
    from .models.pixelcnn import PixelCNN, PixelCNNConfig
    return {
        "vae": (VAEConfig, VAE),
        "transformer": (TransformerConfig, Transformer),
        "gru": (GRUConfig, GRULanguageModel),
        "pixelcnn": (PixelCNNConfig, PixelCNN),
        "classifier": (ClassifierConfig, Classifier),
    }


def kind_of(model) -> str:
    for kind, (_, model_cls) in families().items():
        if isinstance(model, model_cls):
            return kind
    raise TypeError(f"no checkpoint format for {type(model).__name__}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save(model, path: str | Path, meta: dict | None = None, vocab: Vocab | None = None,
         dtype: torch.dtype | None = None) -> Path:
    """Write path.safetensors and path.json; returns the .safetensors path. dtype (default float32):
    float16 halves the file (the VAEs: 11 of them must fit in the repository); load() computes in float32."""
    import torch
    from safetensors.torch import save_file

    dtype = torch.float32 if dtype is None else dtype
    path = Path(path)
    for ext in (".safetensors", ".json"):  # not with_suffix(""): "sweep_beta0.25" has a dot
        if path.name.endswith(ext):
            path = path.with_name(path.name[: -len(ext)])
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = kind_of(model)
    record = {"name": path.name, "kind": kind, "config": model.config.to_dict()}
    if vocab is not None:
        record["vocab"] = vocab.to_dict()
    record.update(meta or {})
    state = {k: (v.to(dtype) if v.is_floating_point() else v).detach().cpu().contiguous()
             for k, v in model.state_dict().items()}
    record["weights_dtype"] = str(dtype).removeprefix("torch.")
    weights = path.with_name(path.name + ".safetensors")
    save_file(state, str(weights), metadata={"kind": kind})
    path.with_name(path.name + ".json").write_text(json.dumps(record, indent=2) + "\n")
    return weights


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise CheckpointError(f"{name!r} is not a checkpoint name (lower-case letters, digits, '_', '-', '.')")
    return name


def read_meta(name: str, root: str | Path = CHECKPOINT_DIR) -> dict:
    path = Path(root) / f"{_check_name(name)}.json"
    if not path.is_file():
        raise CheckpointError(f"checkpoint config {path} is missing")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"checkpoint config {path} is corrupted: {e}") from e


def load(name: str, root: str | Path = CHECKPOINT_DIR):
    """Rebuild a model from root/name.{safetensors,json}; returns (model in eval mode, meta)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from .models import Vocab

    meta = read_meta(name, root)
    weights = Path(root) / f"{name}.safetensors"
    if not weights.is_file():
        raise CheckpointError(f"checkpoint weights {weights} are missing")
    kind = meta.get("kind")
    if kind not in families():
        raise CheckpointError(f"checkpoint config {weights.with_suffix('.json')} has unknown kind {kind!r}")
    config_cls, model_cls = families()[kind]
    try:
        model = model_cls(config_cls(**meta["config"]))
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint config {weights.with_suffix('.json')} is invalid: {e}") from e
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"checkpoint weights {weights} are corrupted: {e}") from e
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    try:
        model.load_state_dict(state)
    except RuntimeError as e:
        raise CheckpointError(f"checkpoint weights {weights} do not match their config: {e}") from e
    model.eval()
    if "vocab" in meta:
        meta = {**meta, "vocab_obj": Vocab(**meta["vocab"])}
    return model, meta


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
