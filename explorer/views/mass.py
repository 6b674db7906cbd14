"""Probability mass competes: a normalised model (∫p(x)dx = 1, here a sum over every finite string)
has one unit of probability to share, and every name it makes likelier takes mass from others.

Plain functions, no UI: explorer/ui/mass.py shows what they return, explorer/plots/mass.py draws it.
The character models score a name w_1..w_n by the chain rule with its end token,
    P(w) = prod_{t=1}^{n} p(w_t | w_<t) * p(end | w),
so the names of exactly n characters are the leaves of a prefix tree, enumerated here depth by
depth (models.autoregressive.prefix_tree). Whatever the names of up to L characters do not take is
left to longer names: tail = sum over the L-character strings s of P(s...) * (1 - p(end | s)), and
mass(0) + ... + mass(L) + tail = 1 exactly, at every temperature. With a prefix, the same holds
inside its branch: the sum is P(name starts with prefix).
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import check_int
from ..i18n import columns, lm_label, t
from ..models import Vocab, VocabularyError
from ..models.autoregressive import PrefixTree, prefix_tree
from . import tokens as tv
from .tokens import SettingError, check_temperature

from .limits import LENGTH_RANGE, MAX_DEPTH  # noqa: F401

TEMPERATURE_RANGE = tv.TEMPERATURE_RANGE  # the sampler's range: the same T means the same thing
TOP_N = 15  # names listed
TOP_SET = 10  # the names whose joint mass is followed across temperatures
SWEEP_T = np.geomspace(0.2, 5.0, 25)  # the temperatures of the "mass vs T" curves
MAX_INPUT_CHARS = tv.MAX_INPUT_CHARS
_CACHE_SIZE = 16  # prefix trees kept (each ~2 MB at L = 3)


# ---------------------------------------------------------------------------------------------
# input checks: everything may arrive through the API


def check_length(value) -> int:
    lo, hi = LENGTH_RANGE
    return check_int(value, "maximum length L", lo, hi, " (longer names would take too long to enumerate)",
                     SettingError)


def check_prefix(vocab: Vocab, value, length: int) -> str:
    """'' (no prefix), or lower-case characters of the vocabulary, short enough that the prefix plus
    L more characters fit the models."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise VocabularyError(f"the prefix must be text, got {type(value).__name__}")
    prefix = value.strip().lower() if len(value) <= MAX_INPUT_CHARS else value
    longest = vocab.max_len - length
    if len(prefix) > longest:
        raise SettingError(f"the prefix has {len(prefix)} characters; with L = {length} at most {longest} are allowed")
    if prefix:
        vocab.validate(prefix)
    return prefix


# ---------------------------------------------------------------------------------------------
# the tree of logits, computed once per (model, prefix) and kept: temperature only rescales them


_trees: OrderedDict = OrderedDict()
_lock = threading.Lock()


def logits_tree(entry, prefix: str, length: int) -> PrefixTree:
    """The prefix tree to depth L (cut from a deeper one already computed, if any)."""
    key = (id(entry.model), entry.vocab, prefix)
    with _lock:
        tree = _trees.get(key)
        if tree is not None:
            _trees.move_to_end(key)
    if tree is None or len(tree.levels) <= length:
        tree = prefix_tree(entry.model, entry.vocab, prefix, length)
        with _lock:
            _trees[key] = tree
            _trees.move_to_end(key)
            while len(_trees) > _CACHE_SIZE:
                _trees.popitem(last=False)
    return PrefixTree(tree.prefix, tree.prefix_logits, tree.levels[:length + 1])


@dataclass
class LogMass:
    """Every name of the branch at one temperature, in nats."""
    names_logp: list[np.ndarray]  # [d] ((V-1)^d,): log P(prefix + s) for each string s of d characters
    tail: float  # P(a name longer than prefix + L characters)
    log_budget: float  # log P(a name starts with prefix); 0 without a prefix


def log_mass(tree: PrefixTree, vocab: Vocab, temperature: float | np.ndarray,
             dtype: torch.dtype = torch.float64) -> LogMass | list[LogMass]:
    """log P of every name in the tree under p_T(x_t | x_<t) = softmax(logits / T), per step."""
    temps = np.atleast_1d(np.asarray(temperature, dtype=np.float64))
    T = torch.from_numpy(temps).to(dtype)[:, None, None]  # (n_T, 1, 1)
    ids = vocab.encode(tree.prefix) if tree.prefix else torch.zeros(0, dtype=torch.long)
    pre = F.log_softmax(tree.prefix_logits.to(dtype)[None] / T, -1)  # (n_T, k, vocab)
    path = pre.gather(2, ids[None, :, None].expand(len(temps), -1, 1)).sum((1, 2))[:, None]  # (n_T, 1)
    log_budget = path[:, 0].clone()
    names = []
    tail = None
    for d, level in enumerate(tree.levels):
        step = F.log_softmax(level.to(dtype)[None] / T, -1)  # (n_T, (V-1)^d, vocab)
        names.append(path + step[..., 0])
        nxt = path[..., None] + step[..., 1:]  # the strings one character longer
        if d == len(tree.levels) - 1:
            tail = torch.logsumexp(nxt.flatten(1), dim=1).exp()
        else:
            path = nxt.flatten(1)
    out = [LogMass([n[i].double().numpy() for n in names], float(tail[i]), float(log_budget[i])) for i in range(len(temps))]
    return out[0] if np.ndim(temperature) == 0 else out


def name_of(prefix: str, vocab: Vocab, depth: int, index: int) -> str:
    """The string at row index of depth d: index written in base V-1, d digits, most significant first."""
    n = vocab.size - 1
    chars = []
    for _ in range(depth):
        index, r = divmod(index, n)
        chars.append(vocab.chars[r])
    return prefix + "".join(reversed(chars))


def entropy_bits(names_logp: list[np.ndarray]) -> float:
    """-sum q log2 q over the enumerated names, renormalised among themselves (q = P / sum P): how
    spread out a name of up to L characters is; at most log2 of their number (all equally likely)."""
    lp = np.concatenate(names_logp)
    lq = lp - (lp.max() + np.log(np.exp(lp - lp.max()).sum()))
    return -float(np.sum(np.exp(lq) * lq)) / math.log(2)


# ---------------------------------------------------------------------------------------------
# the result of one click


@dataclass
class Name:
    rank: int
    text: str
    p: float  # P(name), end token included
    in_training: bool | None  # None: the training names were not shipped (or the name is empty)

    @property
    def log_p(self) -> float:
        return math.log(self.p) if self.p > 0 else float("-inf")


@dataclass
class Sweep:
    """The same branch at every temperature in SWEEP_T."""
    temperatures: np.ndarray  # (n_T,)
    mass: np.ndarray  # (n_T, L + 1) per length
    tail: np.ndarray  # (n_T,)
    top_mass: np.ndarray  # (n_T,) the joint mass of the TOP_SET names listed at the chosen T
    entropy: np.ndarray  # (n_T,) bits


@dataclass
class Mass:
    model: str
    label: str
    prefix: str
    length: int  # L
    temperature: float
    lengths: list[int]  # len(prefix) .. len(prefix) + L
    n_names: list[int]  # (V-1)^d names of each length
    mass: np.ndarray  # (L + 1,) P(a name of each length)
    tail: float  # P(a longer name)
    budget: float  # P(a name starts with prefix); 1 without a prefix
    top: list[Name]
    entropy: float  # bits, of the enumerated names renormalised (entropy_bits)
    sweep: Sweep

    @property
    def total(self) -> float:
        return float(self.mass.sum()) + self.tail

    @property
    def top_mass(self) -> float:
        return float(sum(n.p for n in self.top[:TOP_SET]))

    def lengths_table(self, lang: str = "en") -> list[list]:
        """length | names | P(length) | share of the branch; then the longer names and the sum."""
        rows = [[str(n), f"{c:,}", round(float(m), 6), _pct(m / self.budget)]
                for n, c, m in zip(self.lengths, self.n_names, self.mass)]
        rows.append([t("mass.longer", lang, n=self.lengths[-1]), "∞", round(self.tail, 6),
                     _pct(self.tail / self.budget)])
        rows.append([t("mass.sum", lang), f"{sum(self.n_names):,} + ∞", round(self.total, 6),
                     _pct(self.total / self.budget)])
        return rows

    def top_table(self, lang: str = "en") -> list[list]:
        """# | name | P(name) | about 1 in … | log P | training set?"""
        return [[n.rank, n.text or t("tok.empty_name", lang), float(f"{n.p:.3g}"),
                 f"{1 / n.p:,.0f}" if n.p > 0 else "∞", round(n.log_p, 2), status(n, lang)] for n in self.top]

    def sum_line(self) -> str:
        """mass(0) + ... + mass(L) + tail = total, written out with the numbers."""
        parts = [f"{m:.3g}" for m in self.mass] + [f"{self.tail:.4g}"]
        return " + ".join(parts) + f" = {self.total:.6f}"

    def summary(self, lang: str = "en") -> str:
        label = lm_label(self.label, lang)
        terms = " + ".join(f"P(|x| = {n})" for n in self.lengths)
        text = t("mass.summary", lang, label=label, T=self.temperature, terms=terms, L=self.lengths[-1],
                 line=self.sum_line(), n=sum(self.n_names))
        if self.prefix:
            text += "\n\n" + t("mass.summary_prefix", lang, prefix=self.prefix, budget=self.budget,
                               one_in=1 / self.budget if self.budget > 0 else float("inf"))
        text += "\n\n" + t("mass.summary_top", lang, k=min(TOP_SET, len(self.top)), top=self.top_mass,
                           H=self.entropy, T=self.temperature, n=sum(self.n_names),
                           H_max=math.log2(sum(self.n_names)))
        return text


def _pct(x: float) -> str:
    return f"{100 * x:.3g} %"


def status(name: Name, lang: str = "en") -> str:
    if not name.text:
        return t("mass.status.empty", lang)
    return t({True: "tok.status.in", False: "tok.status.new", None: "tok.status.unknown"}[name.in_training], lang)


_sweeps: OrderedDict = OrderedDict()


def _sweep_lengths(entry, tree: PrefixTree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-length mass, tail and entropy at every temperature of SWEEP_T, kept per (model, branch, L)."""
    key = (id(entry.model), entry.vocab, tree.prefix, len(tree.levels))
    with _lock:
        if key in _sweeps:
            _sweeps.move_to_end(key)
            return _sweeps[key]
    mass, tail, entropy = [], [], []
    for T in SWEEP_T:  # one temperature at a time (all at once would hold 100 MB); float32 draws as well
        m = log_mass(tree, entry.vocab, float(T), torch.float32)
        mass.append([np.exp(n).sum() for n in m.names_logp])
        tail.append(m.tail)
        entropy.append(entropy_bits(m.names_logp))
    out = np.array(mass), np.array(tail), np.array(entropy)
    with _lock:
        _sweeps[key] = out
        while len(_sweeps) > _CACHE_SIZE:
            _sweeps.popitem(last=False)
    return out


def path_log_p(tree: PrefixTree, vocab: Vocab, depth: int, index: int, temps: np.ndarray) -> np.ndarray:
    """log P_T of the one name at (depth, index) for each T in temps: its own path through the tree."""
    n = vocab.size - 1
    rows = torch.stack([tree.levels[j][index // n ** (depth - j)] for j in range(depth + 1)])  # (d + 1, vocab)
    rest = [index // n ** (depth - j) % n + 1 for j in range(1, depth + 1)]  # its characters' ids
    ids = torch.tensor(rest + [0])  # then the end token
    if tree.prefix:
        rows = torch.cat([tree.prefix_logits, rows])
        ids = torch.cat([vocab.encode(tree.prefix), ids])
    T = torch.from_numpy(np.asarray(temps, dtype=np.float64))[:, None, None]
    logp = F.log_softmax(rows.double()[None] / T, -1)  # (n_T, steps, vocab)
    return logp.gather(2, ids[None, :, None].expand(len(T), -1, 1)).sum((1, 2)).numpy()


def _sweep(entry, tree: PrefixTree, top_ids: list[tuple[int, int]]) -> Sweep:
    mass, tail, entropy = _sweep_lengths(entry, tree)
    top = sum(np.exp(path_log_p(tree, entry.vocab, d, i, SWEEP_T)) for d, i in top_ids)
    return Sweep(SWEEP_T.copy(), mass, tail, np.asarray(top, dtype=np.float64), entropy)


def probability_mass(entry, length: int = MAX_DEPTH, temperature: float = 1.0, prefix: str = "") -> Mass:
    """Every name of up to L characters (after prefix) with its exact probability at temperature T,
    the mass of each length, the mass left to longer names, and the same across temperatures."""
    length = check_length(length)
    temperature = check_temperature(temperature)
    vocab = entry.vocab
    prefix = check_prefix(vocab, prefix, length)
    tree = logits_tree(entry, prefix, length)
    m = log_mass(tree, vocab, temperature)
    flat = np.concatenate(m.names_logp)
    starts = np.cumsum([0] + [len(n) for n in m.names_logp])
    k = min(TOP_N, len(flat))
    best = np.argpartition(-flat, k - 1)[:k]
    best = best[np.argsort(-flat[best], kind="stable")]
    top, ids = [], []
    for rank, j in enumerate(best.tolist(), 1):
        d = int(np.searchsorted(starts, j, side="right")) - 1
        i = j - int(starts[d])
        text = name_of(prefix, vocab, d, i)
        top.append(Name(rank, text, math.exp(float(flat[j])), entry.in_training_set(text) if text else None))
        ids.append((d, i))
    sweep = _sweep(entry, tree, ids[:TOP_SET])
    return Mass(entry.name, entry.label, prefix, length, temperature,
                list(range(len(prefix), len(prefix) + length + 1)), [(vocab.size - 1) ** d for d in range(length + 1)],
                np.array([np.exp(n).sum() for n in m.names_logp]), m.tail, math.exp(m.log_budget), top,
                entropy_bits(m.names_logp), sweep)


def headers(which: str, lang: str = "en") -> list[str]:
    """The column names of a table in lang: which is 'lengths' or 'top'."""
    return columns(f"mass.h.{which}", lang)
