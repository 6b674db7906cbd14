"""What every character model offers, whatever its architecture (Transformer or GRU):
the chain rule p(x) = prod_t p(x_t | x_<t) made concrete.

All functions take a model with forward(idx) -> (logits, loss) and the shared Vocab.
"""
from __future__ import annotations

import hashlib
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


def context(vocab: Vocab, prefix: str = "") -> torch.Tensor:
    """The model's input for a prefix: the start token, then its characters. (len(prefix) + 1,)"""
    ix = vocab.encode(prefix) if prefix else torch.zeros(0, dtype=torch.long)
    return torch.cat([torch.zeros(1, dtype=torch.long), ix])


def _pair(vocab: Vocab, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = context(vocab, text)  # <.> w_1 .. w_T
    y = torch.cat([x[1:], torch.zeros(1, dtype=torch.long)])  # w_1 .. w_T <.>
    return x, y


@torch.no_grad()
def token_log_probs(model, vocab: Vocab, text: str) -> TokenScores:
    """Per-token log p(x_t | x_<t) for text, its end token included."""
    x, y = _pair(vocab, text)
    model.eval()
    logits, _ = model(x[None])
    logp = F.log_softmax(logits[0].float(), dim=-1)  # (T+1, vocab)
    scores = logp.gather(1, y[:, None]).squeeze(1)
    return TokenScores([vocab.itos(int(i)) for i in y], [int(i) for i in y], scores, logp.exp())


@torch.no_grad()
def sequence_log_prob(model, vocab: Vocab, text: str) -> float:
    """log p(text) straight from the training loss (mean NLL times the number of tokens)."""
    x, y = _pair(vocab, text)
    model.eval()
    _, loss = model(x[None], y[None])
    return -float(loss) * len(y)


def _check_prefix(vocab: Vocab, prefix: str) -> None:
    if not isinstance(prefix, str):
        raise VocabularyError(f"the prefix must be text, got {prefix!r}")
    if len(prefix) > vocab.max_len:
        raise VocabularyError(f"the prefix has {len(prefix)} characters; at most {vocab.max_len} are allowed")
    if prefix:
        vocab.validate(prefix)


@torch.no_grad()
def next_token_logits(model, vocab: Vocab, prefix: str = "") -> torch.Tensor:
    """The model's logits for x_t given the prefix. (vocab,)"""
    _check_prefix(vocab, prefix)
    model.eval()
    logits, _ = model(context(vocab, prefix)[None])
    return logits[0, -1].float()


def next_token_distribution(model, vocab: Vocab, prefix: str = "", temperature: float = 1.0,
                            top_k: int | None = None) -> torch.Tensor:
    """p(x_t | prefix) over the vocabulary (index 0 = end), after temperature and top-k. (vocab,)"""
    return filtered_probs(next_token_logits(model, vocab, prefix), temperature, top_k)


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


# ---------------------------------------------------------------------------------------------
# sampling: every draw has its own generator, seeded from (seed, sample, step), so sample 0 of
# generate() and sample_step() from the same prefix and settings draw exactly the same characters;
# the global RNG is never touched


def draw_seed(seed: int, sample: int, step: int) -> int:
    """A 63-bit seed for one draw, a fixed function of (seed, sample index, step index)."""
    h = hashlib.blake2b(f"{seed}/{sample}/{step}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1


def _draw(probs: torch.Tensor, seed: int, sample: int, step: int) -> int:
    g = torch.Generator().manual_seed(draw_seed(seed, sample, step))
    return int(torch.multinomial(probs, 1, generator=g))


@dataclass
class Generated:
    text: str
    log_p: float  # log p(text) under the model itself (T = 1, no top-k), end token included
    cut: bool  # True if the model reached max_len characters and the end was forced


@torch.no_grad()
def generate(model, vocab: Vocab, n: int = 1, temperature: float = 1.0, top_k: int | None = None,
             seed: int = 0, prefix: str = "") -> list[Generated]:
    """Sample n strings, each starting with prefix, one character at a time from p(x_t | x_<t)
    (after temperature and top-k), until the end token; at max_len characters the end is forced."""
    _check_prefix(vocab, prefix)
    model.eval()
    idx = context(vocab, prefix)[None].repeat(n, 1)  # (n, 1 + len(prefix))
    done = torch.zeros(n, dtype=torch.bool)
    log_p = torch.zeros(n, dtype=torch.float64)
    for step in range(len(prefix), vocab.max_len + 1):
        active = (~done).nonzero()[:, 0]  # finished rows are not run again: the models are causal,
        logits, _ = model(idx[active])  # so each row's numbers do not depend on the others
        logits = logits[:, -1].float()  # (n_active, vocab)
        probs = filtered_probs(logits, temperature, top_k)
        nxt = torch.zeros(len(active), dtype=torch.long)
        if step < vocab.max_len:
            for j, i in enumerate(active.tolist()):
                nxt[j] = _draw(probs[j], seed, i, step)
        log_p[active] += F.log_softmax(logits, dim=-1).gather(1, nxt[:, None])[:, 0].double()
        tokens = torch.zeros(n, dtype=torch.long)
        tokens[active] = nxt
        done[active] |= nxt == 0
        idx = torch.cat([idx, tokens[:, None]], dim=1)
        if done.all():
            break
    out = []
    for row, lp in zip(idx[:, 1:].tolist(), log_p.tolist()):
        text = vocab.decode(row[: row.index(0)] if 0 in row else row)
        out.append(Generated(text, lp, len(text) == vocab.max_len))
    return out


@dataclass
class StepDraw:
    probs: torch.Tensor  # (vocab,) the distribution drawn from (after temperature and top-k)
    model_probs: torch.Tensor  # (vocab,) the model's own p(x_t | prefix), T = 1, no top-k
    drawn: int  # the index drawn
    forced: bool  # the prefix had max_len characters, so the end token was forced


@torch.no_grad()
def sample_step(model, vocab: Vocab, prefix: str = "", temperature: float = 1.0, top_k: int | None = None,
                seed: int = 0) -> StepDraw:
    """One draw after prefix, seeded as sample 0 of generate(): stepping from "" replays it."""
    logits = next_token_logits(model, vocab, prefix)
    probs = filtered_probs(logits, temperature, top_k)
    forced = len(prefix) >= vocab.max_len
    drawn = 0 if forced else _draw(probs, seed, 0, len(prefix))
    return StepDraw(probs, F.softmax(logits.double(), -1), drawn, forced)
