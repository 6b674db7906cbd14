"""The lecture's RNN language model: a GRU over characters (makemore's RNN, GRU cell).

Same contract as the Transformer: forward(idx, targets=None) -> (logits, loss).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GRUConfig:
    vocab_size: int = 27
    block_size: int = 16
    n_embd: int = 64  # character embedding size
    n_hidden: int = 256  # hidden state size
    n_layer: int = 1
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class GRULanguageModel(nn.Module):
    kind = "gru"

    def __init__(self, config: GRUConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.gru = nn.GRU(
            config.n_embd, config.n_hidden, num_layers=config.n_layer, batch_first=True,
            dropout=config.dropout if config.n_layer > 1 else 0.0,
        )
        self.drop = nn.Dropout(config.dropout)
        self.lm_head = nn.Linear(config.n_hidden, config.vocab_size)

    @property
    def block_size(self) -> int:
        return self.config.block_size

    def forward(self, idx, targets=None):
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"Cannot forward sequence of length {T}, block size is only {self.config.block_size}")
        h, _ = self.gru(self.drop(self.wte(idx)))  # (B, T, n_hidden): h_t sees x_<=t only
        logits = self.lm_head(self.drop(h))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    @torch.no_grad()
    def extend(self, idx, state: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        """Continue sequences from the hidden state in state (None: from the start), eval mode.
        idx (B, T_new) -> logits (B, T_new, vocab_size), as forward() gives for those positions,
        and the state after idx: (h,), h (B, n_layer, n_hidden), batch first."""
        h0 = None if state is None else state[0].transpose(0, 1).contiguous()
        h, h_n = self.gru(self.wte(idx), h0)
        return self.lm_head(h), (h_n.transpose(0, 1),)
