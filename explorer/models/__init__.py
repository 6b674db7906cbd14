"""Model families: the VAE, and two character models sharing one vocabulary.

The names below are imported from their modules at first use (PEP 562), so that the vocabulary, which
needs no torch, can be read while the app builds its page before torch is imported (cold start)."""
from __future__ import annotations

import importlib

_WHERE = {
    "Generated": "autoregressive", "StepDraw": "autoregressive", "context": "autoregressive",
    "generate": "autoregressive", "next_token_distribution": "autoregressive", "sample_step": "autoregressive",
    "token_log_probs": "autoregressive",
    "GRUConfig": "rnn", "GRULanguageModel": "rnn",
    "Transformer": "transformer", "TransformerConfig": "transformer",
    "VAE": "vae", "Measurement": "vae", "VAEConfig": "vae", "VAELoss": "vae", "bayes": "vae",
    "Vocab": "vocab", "VocabularyError": "vocab",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # found once; later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
