"""Model families: the VAE, and two character models sharing one vocabulary."""
from .autoregressive import (Generated, StepDraw, context, generate, next_token_distribution, sample_step,
                             token_log_probs)
from .rnn import GRUConfig, GRULanguageModel
from .transformer import Transformer, TransformerConfig
from .vae import VAE, Measurement, VAEConfig, VAELoss, bayes
from .vocab import Vocab, VocabularyError

__all__ = [
    "VAE", "VAEConfig", "VAELoss", "Measurement", "bayes", "Transformer", "TransformerConfig", "GRUConfig",
    "GRULanguageModel", "Vocab", "VocabularyError", "generate", "next_token_distribution",
    "sample_step", "token_log_probs", "context", "Generated", "StepDraw",
]
