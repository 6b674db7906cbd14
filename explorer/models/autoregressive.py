"""What every character model offers, whatever its architecture (Transformer or GRU):
the chain rule p(x) = prod_t p(x_t | x_<t) made concrete.

All functions take a model with forward(idx) -> (logits, loss) and the shared Vocab; where the model
also has extend(idx, state) -> (logits, state) (both of ours do), generate() and prefix_tree() use it
to run only the new characters.
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


def _draws(probs: torch.Tensor, seed: int, samples: list[int], step: int) -> torch.Tensor:
    """One draw from each row of probs (m, vocab), row j with its own generator g_j seeded from
    (seed, samples[j], step): exactly torch.multinomial(probs[j], 1, generator=g_j), whose one-draw
    algorithm this is (argmax of p / q, q ~ Exp(1) drawn from g_j), with one check and one argmax
    for all rows; m multinomial calls each check their row on their own, 5x slower in all. (m,)"""
    if not ((probs >= 0).all() and (probs < float("inf")).all() and (probs.sum(-1) > 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0, or sums to 0")
    q = torch.empty_like(probs)
    g = torch.Generator()
    for j, sample in enumerate(samples):
        q[j].exponential_(generator=g.manual_seed(draw_seed(seed, sample, step)))
    return (probs / q).argmax(-1)  # (m,)


def _draw(probs: torch.Tensor, seed: int, sample: int, step: int) -> int:
    return int(_draws(probs[None], seed, [sample], step)[0])


@dataclass
class Generated:
    text: str
    log_p: float  # log p(text) under the model itself (T = 1, no top-k), end token included
    cut: bool  # True if the model reached max_len characters and the end was forced


@torch.no_grad()
def generate(model, vocab: Vocab, n: int = 1, temperature: float = 1.0, top_k: int | None = None,
             seed: int = 0, prefix: str = "") -> list[Generated]:
    """Sample n strings, each starting with prefix, one character at a time from p(x_t | x_<t)
    (after temperature and top-k), until the end token; at max_len characters the end is forced.

    With model.extend each step runs only the new characters of the rows still going, from their
    carried state (keys and values, or the hidden state); without it, the whole prefix again."""
    _check_prefix(vocab, prefix)
    model.eval()
    start = len(prefix)
    idx = torch.zeros(n, vocab.max_len + 2, dtype=torch.long)  # start token, max_len characters, end
    idx[:, :start + 1] = context(vocab, prefix)
    incremental = hasattr(model, "extend")
    if incremental:  # the context, shared by all n samples, is run once, as one row
        logits, state = model.extend(idx[:1, :start + 1])
        state = tuple(s.expand(n, *s.shape[1:]) for s in state)
    else:
        logits, _ = model(idx[:1, :start + 1])
    # only the rows still going are run: the models are causal, so no row's numbers depend on another's
    active = torch.arange(n)
    log_p = torch.zeros(n, dtype=torch.float64)
    for step in range(start, vocab.max_len + 1):
        logits = logits[:, -1].float().expand(len(active), -1)  # (n_active, vocab)
        probs = filtered_probs(logits, temperature, top_k)
        if step < vocab.max_len:
            nxt = _draws(probs, seed, active.tolist(), step)
        else:
            nxt = torch.zeros(len(active), dtype=torch.long)
        log_p[active] += F.log_softmax(logits, dim=-1).gather(1, nxt[:, None])[:, 0].double()
        idx[active, step + 1] = nxt
        going = nxt != 0
        active = active[going]
        if not len(active):
            break
        if incremental:
            if len(active) < len(going):  # only when a row ended: indexing copies the whole state
                nxt, state = nxt[going], tuple(s[going] for s in state)
            logits, state = model.extend(nxt[:, None], state)
        else:
            logits, _ = model(idx[active, :step + 2])
    out = []
    for row, lp in zip(idx[:, 1:].tolist(), log_p.tolist()):
        text = vocab.decode(row[: row.index(0)])
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


# ---------------------------------------------------------------------------------------------
# the prefix tree: every continuation of a prefix up to a depth, for exact sums over strings


@dataclass
class PrefixTree:
    """The model's logits at every node of the tree of strings that continue prefix by up to
    depth characters. levels[d] is ((V-1)^d, vocab): the logits for x_t after prefix + s, one row
    per string s of d characters (no end token), in lexicographic order of s, so that the row of s
    at depth d + 1 is row(s[:-1]) * (V-1) + index(s[-1]) - 1."""
    prefix: str
    prefix_logits: torch.Tensor  # (len(prefix), vocab): the logits that predict each prefix character
    levels: list[torch.Tensor]


@torch.no_grad()
def prefix_tree(model, vocab: Vocab, prefix: str = "", depth: int = 3, chunk: int = 4096) -> PrefixTree:
    """Logits for every continuation of prefix by 0..depth characters: one batch per depth, each
    node run once (model.extend carries its parent's state) when the model offers it, else the full
    forward of each depth's contexts (start token, prefix, continuation)."""
    _check_prefix(vocab, prefix)
    if len(prefix) + depth > vocab.max_len:
        raise VocabularyError(f"the prefix and its continuations reach {len(prefix) + depth} characters; "
                              f"at most {vocab.max_len} are allowed")
    model.eval()
    n = vocab.size - 1  # the characters; the end token is never inside a string
    chars = torch.arange(1, vocab.size)
    ctx = context(vocab, prefix)[None]  # (1, 1 + len(prefix))
    if not hasattr(model, "extend"):
        return _prefix_tree_full(model, vocab, prefix, depth, chunk)
    logits, state = model.extend(ctx)
    levels = [logits[:, -1].float()]
    for d in range(1, depth + 1):
        n_parents = n ** (d - 1)
        out, states = [], []
        step = max(1, chunk // n)
        for i in range(0, n_parents, step):  # children of parents i..i+step, in order
            j = min(i + step, n_parents)
            parent = tuple(s[i:j].repeat_interleave(n, dim=0) for s in state)
            lg, st = model.extend(chars.repeat(j - i)[:, None], parent)
            out.append(lg[:, -1].float())
            if d < depth:
                states.append(st)
        levels.append(torch.cat(out))
        if d < depth:
            state = tuple(torch.cat(parts) for parts in zip(*states))
    return PrefixTree(prefix, logits[0, :-1].float(), levels)


def _prefix_tree_full(model, vocab: Vocab, prefix: str, depth: int, chunk: int) -> PrefixTree:
    n = vocab.size - 1
    ctx = context(vocab, prefix)
    levels, prefix_logits = [], None
    for d in range(depth + 1):
        tails = (torch.cartesian_prod(*[torch.arange(1, vocab.size)] * d).reshape(n ** d, d) if d
                 else torch.zeros(1, 0, dtype=torch.long))
        x = torch.cat([ctx.expand(len(tails), -1), tails], dim=1)
        rows = [model(x[i:i + chunk])[0][:, -1].float() for i in range(0, len(x), chunk)]
        levels.append(torch.cat(rows))
        if d == 0:
            prefix_logits = model(x)[0][0, :-1].float()
    return PrefixTree(prefix, prefix_logits, levels)
