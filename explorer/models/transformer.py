"""A masked (causal) character Transformer, after nanoGPT / makemore: config, blocks, model.

forward(idx, targets=None) -> (logits, loss), and with return_attention=True also the attention
weights of every layer, (n_layer, B, n_head, T, T), whose upper triangle is zero by the mask.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class TransformerConfig:
    vocab_size: int = 27
    block_size: int = 16
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 64
    dropout: float = 0.0

    def __post_init__(self):
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")

    def to_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.attn_drop = nn.Dropout(config.dropout)
        self.resid_drop = nn.Dropout(config.dropout)
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, config.block_size, config.block_size), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.size()  # batch, time, channels
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, nh, T, T)
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = self.attn_drop(att) @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_drop(self.c_proj(y)), att

    def extend(self, x: torch.Tensor, kv: tuple | None) -> tuple[torch.Tensor, tuple]:
        """forward() for T new positions after the past keys and values kv, each (B, nh, T_past, hs)."""
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if kv is not None:
            k, v = torch.cat([kv[0], k], dim=2), torch.cat([kv[1], v], dim=2)
        past = k.size(2) - T
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, nh, T, T_past + T)
        att = att.masked_fill(~self.mask[:, :, past:past + T, :past + T], float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)), (k, v)


class Block(nn.Module):
    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.dropout),
        )

    def forward(self, x):
        a, att = self.attn(self.ln_1(x))
        x = x + a
        return x + self.mlp(self.ln_2(x)), att

    def extend(self, x, kv):
        a, kv = self.attn.extend(self.ln_1(x), kv)
        x = x + a
        return x + self.mlp(self.ln_2(x)), kv


class Transformer(nn.Module):
    kind = "transformer"

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)

    @property
    def block_size(self) -> int:
        return self.config.block_size

    def forward(self, idx, targets=None, return_attention: bool = False):
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"Cannot forward sequence of length {T}, block size is only {self.config.block_size}")
        pos = torch.arange(T, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        atts = []
        for block in self.blocks:
            x, att = block(x)
            atts.append(att)
        logits = self.lm_head(self.ln_f(x))  # (B, T, vocab_size)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        if return_attention:
            return logits, loss, torch.stack(atts)
        return logits, loss

    @torch.no_grad()
    def extend(self, idx, state: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        """Continue sequences whose past is summarised in state (None: from the start), reusing
        the past's keys and values instead of recomputing them (eval mode). idx (B, T_new) ->
        logits (B, T_new, vocab_size), as forward() gives for those positions, and the state after
        idx: each layer's keys and values, (B, n_head, T_past + T_new, head size), batch first."""
        B, T = idx.size()
        past = 0 if state is None else state[0].size(2)
        if past + T > self.config.block_size:
            raise ValueError(f"Cannot forward sequence of length {past + T}, block size is only "
                             f"{self.config.block_size}")
        x = self.wte(idx) + self.wpe(torch.arange(past, past + T, device=idx.device))
        new = []
        for i, block in enumerate(self.blocks):
            x, kv = block.extend(x, None if state is None else state[2 * i:2 * i + 2])
            new += kv
        return self.lm_head(self.ln_f(x)), tuple(new)
