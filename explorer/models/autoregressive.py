"""What every character model offers, whatever its architecture (Transformer or GRU):
the chain rule p(x) = prod_t p(x_t | x_<t) made concrete.

All functions take a model with forward(idx) -> (logits, loss) and the shared Vocab.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .vocab import Vocab, VocabularyError


@dataclass
class TokenScores:
    tokens: list[str]  # the scored tokens: each character, then the end token "."
    ids: list[int]
    log_probs: torch.Tensor  # (T+1,) log p(x_t | x_<t), nats
    probs: torch.Tensor  # (T+1, vocab) the full conditional at each position

    @property
    def total(self) -> float:
        """log p(x) = sum_t log p(x_t | x_<t)."""
        return float(self.log_probs.sum())


def _context(vocab: Vocab, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    ix = vocab.encode(text)
    x = torch.cat([torch.zeros(1, dtype=torch.long), ix])  # <.> w_1 .. w_T
    y = torch.cat([ix, torch.zeros(1, dtype=torch.long)])  # w_1 .. w_T <.>
    return x, y


@torch.no_grad()
def token_log_probs(model, vocab: Vocab, text: str) -> TokenScores:
    """Per-token log p(x_t | x_<t) for text, its end token included."""
    x, y = _context(vocab, text)
    model.eval()
    logits, _ = model(x[None])
    logp = F.log_softmax(logits[0].float(), dim=-1)  # (T+1, vocab)
    scores = logp.gather(1, y[:, None]).squeeze(1)
    return TokenScores([vocab.itos(int(i)) for i in y], [int(i) for i in y], scores, logp.exp())


@torch.no_grad()
def sequence_log_prob(model, vocab: Vocab, text: str) -> float:
    """log p(text) straight from the training loss (mean NLL times the number of tokens)."""
    x, y = _context(vocab, text)
    model.eval()
    _, loss = model(x[None], y[None])
    return -float(loss) * len(y)


@torch.no_grad()
def next_token_distribution(model, vocab: Vocab, prefix: str = "", temperature: float = 1.0,
                            top_k: int | None = None) -> torch.Tensor:
    """p(x_t | prefix) over the vocabulary (index 0 = end), after temperature and top-k. (vocab,)"""
    if prefix:
        vocab.validate(prefix)
    if len(prefix) >= vocab.block_size:
        raise VocabularyError(f"the prefix is already {len(prefix)} characters; at most {vocab.max_len} are allowed")
    ix = vocab.encode(prefix) if prefix else torch.zeros(0, dtype=torch.long)
    x = torch.cat([torch.zeros(1, dtype=torch.long), ix])
    model.eval()
    logits, _ = model(x[None])
    return filtered_probs(logits[0, -1], temperature, top_k)


def filtered_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None) -> torch.Tensor:
    """softmax(logits / temperature), restricted to the top_k most likely tokens (None or 0 = all).
    Works on (..., vocab)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    logits = logits.float() / temperature
    if top_k is not None and 0 < top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return F.softmax(logits, dim=-1)


@torch.no_grad()
def generate(model, vocab: Vocab, n: int = 1, temperature: float = 1.0, top_k: int | None = None,
             generator: torch.Generator | None = None, prefix: str = "") -> list[str]:
    """Sample n strings, each starting with prefix, until the end token or max_len characters."""
    if prefix:
        vocab.validate(prefix)
    ix = vocab.encode(prefix).tolist() if prefix else []
    model.eval()
    idx = torch.tensor([[0] + ix] * n, dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    while idx.size(1) < vocab.block_size and not done.all():
        logits, _ = model(idx)
        probs = filtered_probs(logits[:, -1], temperature, top_k)
        nxt = torch.multinomial(probs, 1, generator=generator)
        nxt[done] = 0
        done |= nxt[:, 0] == 0
        idx = torch.cat([idx, nxt], dim=1)
    out = []
    for row in idx[:, 1:].tolist():
        out.append(vocab.decode(row[: row.index(0)] if 0 in row else row))
    return out


@torch.no_grad()
def sample_step(model, vocab: Vocab, prefix: str, temperature: float = 1.0, top_k: int | None = None,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
    """One step of generation: the next-token distribution after prefix and the index drawn."""
    probs = next_token_distribution(model, vocab, prefix, temperature, top_k)
    return probs, int(torch.multinomial(probs, 1, generator=generator))
