"""Per-token probabilities of the character models: the chain rule with numbers, the Transformer's
attention, and sampling with temperature, top-k and a seed, whole or one step at a time.

Plain functions, no UI: explorer/ui/tokens.py shows what they return, explorer/plots/tokens.py
draws it. A word w_1..w_T is scored as T + 1 tokens: each character, then the end token, so
    log p(w) = sum_{t=1}^{T+1} log p(x_t | x_<t)          (the chain rule)
is the log-probability of exactly this word, not of every word starting with it.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .. import errors
from ..errors import InputError, check_float
from ..i18n import columns, lm_label, t
from ..models import Vocab, VocabularyError, context, generate, sample_step, token_log_probs
from ..models.vocab import SPECIAL, SPECIAL_LABEL
from .kept import Kept
from .limits import MAX_INPUT_CHARS, MAX_SAMPLES, SEED_MAX  # noqa: F401
from .limits import TOKEN_TEMPERATURE as TEMPERATURE_RANGE

TOP_N = 5  # alternatives listed per position
# A Score click asks each model about the same text three times at once (the scores, the comparison of
# both models, the attention map): the answers are kept by model and text, and a question already
# being answered is waited for, so each model runs once per text (and a class's repeated names, never).
SCORES = Kept(256)
ATTENTIONS = Kept(128)
SAMPLES = Kept(64)  # generated names depend only on the model and the settings (the seed included)


class SettingError(InputError):
    """A number or choice out of range; the message says what is allowed."""


# ---------------------------------------------------------------------------------------------
# input checks: everything may arrive through the API, so None, NaN, strings and huge values too


def normalise_text(vocab: Vocab, text) -> str:
    """Strip surrounding whitespace and lower-case (names.txt is lower case), then validate."""
    if text is None:
        raise VocabularyError("no text given: type a name, e.g. 'emma'")
    if not isinstance(text, str):
        raise VocabularyError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        raise VocabularyError(f"the text has {len(text)} characters; these models read at most {vocab.max_len}")
    return vocab.validate(text.strip().lower())


def check_temperature(value) -> float:
    lo, hi = TEMPERATURE_RANGE
    return check_float(value, "temperature", lo, hi,
                       " (1 = the model's own distribution, lower = safer, higher = wilder)", SettingError)


def check_int(value, name: str, lo: int, hi: int, hint: str = "") -> int:
    return errors.check_int(value, name, lo, hi, hint, SettingError)


def check_top_k(value, vocab: Vocab) -> int:
    return check_int(value, "top-k", 0, vocab.size, " (0 = off: sample from every token)")


def check_seed(value) -> int:
    return errors.check_seed(value, SettingError)


def check_n(value) -> int:
    return check_int(value, "number of samples", 1, MAX_SAMPLES)


def token_label(i: int, vocab: Vocab) -> str:
    """How token i is named in tables and bars: its character, or <end> for the end token."""
    return SPECIAL_LABEL if i == 0 else vocab.itos(i)


def _is_transformer(model) -> bool:
    return getattr(model, "kind", None) == "transformer"


# ---------------------------------------------------------------------------------------------
# scoring: the chain rule with numbers


@dataclass
class TokenRow:
    position: int  # t, 1-based
    context: str  # x_<t as shown: "." (start) followed by the characters so far
    token: str  # x_t: a character or "<end>"
    p: float  # p(x_t | x_<t)
    nll: float  # -log p(x_t | x_<t), nats
    top: list[tuple[str, float]]  # the TOP_N most likely tokens here, with their probabilities

    @property
    def rank(self) -> int | None:
        """1 if the model's favourite token was x_t, ... None if x_t is outside the top list."""
        for r, (tok, _) in enumerate(self.top, 1):
            if tok == self.token:
                return r
        return None


@dataclass
class Scored:
    model: str  # zoo name
    label: str  # "Transformer", "GRU (RNN)"
    text: str
    rows: list[TokenRow]
    log_px: float  # log p(x) = sum_t log p(x_t | x_<t), nats
    vocab_size: int  # 1 / vocab_size is what a uniform guess would give each token

    @property
    def n_tokens(self) -> int:
        return len(self.rows)  # the characters and the end token

    @property
    def bits(self) -> float:
        return -self.log_px / math.log(2)

    @property
    def nll_per_token(self) -> float:
        return -self.log_px / self.n_tokens

    @property
    def perplexity(self) -> float:
        """exp(mean NLL): as unsure as a uniform choice among this many characters, on average."""
        return math.exp(self.nll_per_token)

    def table(self) -> list[list]:
        """One row per position: t, context, token, p, -log p, top alternatives (headers: TABLE_HEADERS)."""
        return [[r.position, r.context, r.token, round(r.p, 4), round(r.nll, 3),
                 "  ".join(f"{'✓' if tok == r.token else ''}{tok} {p:.2f}" for tok, p in r.top)]
                for r in self.rows]

    def chain_rule(self, per_line: int = 4) -> str:
        """The chain rule written out with this text's numbers (plain text, monospace)."""
        lhs = f'log p("{self.text}")'
        pad = " " * len(lhs)
        terms = [f"log p({r.token} | {r.context})" for r in self.rows]
        values = [f"{math.log(max(r.p, 1e-300)):.2f}" for r in self.rows]
        lines = []
        for i in range(0, len(terms), per_line):
            lead = f"{lhs} = " if i == 0 else f"{pad}   + "
            lines.append(lead + " + ".join(terms[i:i + per_line]))
        nums = [f"{values[0]}"] + [f"- {v.lstrip('-')}" for v in values[1:]]
        for i in range(0, len(nums), 2 * per_line):
            lines.append(f"{pad} {'=' if i == 0 else ' '} " + " ".join(nums[i:i + 2 * per_line]))
        lines.append(f"{pad} = {self.log_px:.2f} nats  = {-self.bits:.2f} bits")
        lines.append(f'p("{self.text}") = e^({self.log_px:.2f}) = {math.exp(self.log_px):.3g}')
        return "\n".join(lines)

    def summary(self, lang: str = "en") -> str:
        """The totals in one line of Markdown."""
        return t("tok.summary", lang, label=lm_label(self.label, lang), log_px=self.log_px, bits=-self.bits,
                 nll=self.nll_per_token, ppl=self.perplexity, n=self.n_tokens, chars=self.n_tokens - 1)


def score(entry, text: str) -> Scored:
    """Per-position p(x_t | x_<t), -log p and the top alternatives, plus the totals (kept: SCORES;
    each caller gets its own copy)."""
    text = normalise_text(entry.vocab, text)
    return copy.deepcopy(SCORES.get((entry.model, entry.name, text), lambda: _score(entry, text)))


def _score(entry, text: str) -> Scored:
    vocab = entry.vocab
    s = token_log_probs(entry.model, vocab, text)
    top_p, top_i = s.probs.topk(min(TOP_N, vocab.size), dim=-1)  # (T+1, TOP_N)
    rows = []
    for t, (tid, lp) in enumerate(zip(s.ids, s.log_probs.tolist())):
        top = [(token_label(int(i), vocab), float(p)) for p, i in zip(top_p[t], top_i[t])]
        rows.append(TokenRow(t + 1, SPECIAL + text[:t], token_label(tid, vocab), math.exp(lp), -lp, top))
    return Scored(entry.name, entry.label, text, rows, s.total, vocab.size)


def compare_summary(scored: list[Scored], lang: str = "en") -> str:
    lines = [s.summary(lang) for s in scored]
    if len(scored) == 2:
        a, b = scored
        better = a if a.log_px > b.log_px else b
        diff = abs(a.log_px - b.log_px)
        lines.append(t("tok.better", lang, label=lm_label(better.label, lang), text=a.text, diff=diff,
                       factor=math.exp(diff)))
    return "\n\n".join(lines)


def compare(zoo, text: str) -> list[Scored]:
    """Every character model in the zoo on the same text (the Transformer first)."""
    entries = sorted(zoo.lms.values(), key=lambda e: not _is_transformer(e.model))
    if not entries:
        raise SettingError("no character model is loaded")
    return [score(e, text) for e in entries]


# ---------------------------------------------------------------------------------------------
# attention


@dataclass
class Attention:
    weights: np.ndarray  # (T+1, T+1): row = query position, column = key; upper triangle 0 (masked)
    labels: list[str]  # the input tokens at each position: "." (start), then the characters
    layer: int  # 1-based
    head: int  # 1-based, 0 = mean over heads
    n_layer: int
    n_head: int

    @property
    def title(self) -> str:
        return self.title_in("en")

    def title_in(self, lang: str = "en") -> str:
        which = t("tok.mean_heads", lang) if self.head == 0 else t("tok.head_i", lang, i=self.head)
        return t("tok.att_title", lang, layer=self.layer, n_layer=self.n_layer, which=which)


def check_layer_head(model, layer, head) -> tuple[int, int]:
    cfg = model.config
    layer = check_int(layer, "layer", 1, cfg.n_layer)
    head = check_int(head, "head", 0, cfg.n_head, " (0 = mean over heads)")
    return layer, head


@torch.no_grad()
def attention(entry, text: str, layer: int = 1, head: int = 0) -> Attention:
    """The masked self-attention weights of one layer and head (or their mean) on text."""
    if not _is_transformer(entry.model):
        raise SettingError(f"{entry.label} has no attention: only the Transformer attends; the GRU carries "
                           "the past in its hidden state")
    layer, head = check_layer_head(entry.model, layer, head)
    text = normalise_text(entry.vocab, text)
    att = ATTENTIONS.get((entry.model, text), lambda: _attention_weights(entry, text))  # (n_layer, B, n_head, T, T)
    a = att[layer - 1, 0]  # (n_head, T, T)
    a = a.mean(0) if head == 0 else a[head - 1]
    cfg = entry.model.config
    return Attention(a.double().numpy(), [SPECIAL] + list(text), layer, head, cfg.n_layer, cfg.n_head)


@torch.no_grad()
def _attention_weights(entry, text: str) -> torch.Tensor:
    """Every layer's and head's attention on text, one forward pass: (n_layer, 1, n_head, T, T)."""
    entry.model.eval()
    _, _, att = entry.model(context(entry.vocab, text)[None], return_attention=True)  # <.> w_1 .. w_T
    return att


# ---------------------------------------------------------------------------------------------
# generation: models.autoregressive's sampler, with the checks and the training-set lookup


@dataclass
class Sample:
    text: str
    log_p: float  # log p(text) under the model itself (T = 1, no top-k), end token included
    cut: bool  # True if the model reached max_len characters and the end was forced
    in_training: bool | None  # None: the list of training names was not shipped

    @property
    def status(self) -> str:
        return self.status_in("en")

    def status_in(self, lang: str = "en") -> str:
        if not self.text:
            return t("tok.status.empty", lang)
        return t({True: "tok.status.in", False: "tok.status.new", None: "tok.status.unknown"}[self.in_training], lang)


def generate_samples(entry, n: int = 10, temperature: float = 1.0, top_k: int = 0, seed: int = 0) -> list[Sample]:
    """n names drawn one character at a time from p(x_t | x_<t) (after temperature and top-k)."""
    n, temperature = check_n(n), check_temperature(temperature)
    top_k, seed = check_top_k(top_k, entry.vocab), check_seed(seed)
    return copy.deepcopy(SAMPLES.get((entry.model, entry.name, n, float(temperature), top_k, seed),
                                     lambda: _generate_samples(entry, n, temperature, top_k, seed)))


def _generate_samples(entry, n: int, temperature: float, top_k: int, seed: int) -> list[Sample]:
    return [Sample(g.text, g.log_p, g.cut, entry.in_training_set(g.text) if g.text else None)
            for g in generate(entry.model, entry.vocab, n, temperature, top_k, seed)]


def headers(which: str, lang: str = "en") -> list[str]:
    """The column names of a table in lang: which is 'samples', 'table' (scores) or 'history'."""
    return columns(f"tok.h.{which}", lang)


def samples_table(samples: list[Sample], lang: str = "en") -> list[list]:
    """# | name | chars | log p(x) | training set?"""
    return [[i, s.text or t("tok.empty_name", lang), len(s.text), round(s.log_p, 2),
             s.status_in(lang) + (t("tok.status.cut", lang) if s.cut else "")]
            for i, s in enumerate(samples, 1)]


def samples_summary(samples: list[Sample], seed, temperature, top_k, lang: str = "en") -> str:
    counts = {k: sum(s.status == k for s in samples) for k in ("new", "in training set", "unknown")}
    if counts["unknown"]:
        found = t("tok.found_unknown", lang)
    else:
        found = t("tok.found", lang, new=counts["new"], old=counts["in training set"])
    return t("tok.samples_summary", lang, found=found, seed=int(seed), T=float(temperature),
             k=int(top_k) or t("tok.off", lang))


@dataclass
class Step:
    prefix: str  # the characters before this step
    labels: list[str]  # the token names, in vocabulary order ("<end>" first)
    probs: np.ndarray  # (vocab,) the distribution drawn from (after temperature and top-k)
    model_probs: np.ndarray  # (vocab,) the model's own p(x_t | prefix), T = 1, no top-k
    drawn: int  # the index drawn
    forced: bool  # the prefix had max_len characters, so the end token was forced

    @property
    def token(self) -> str:
        return self.labels[self.drawn]

    @property
    def done(self) -> bool:
        return self.drawn == 0

    @property
    def text(self) -> str:
        """The prefix after this step."""
        return self.prefix if self.done else self.prefix + self.token


def generate_step(entry, prefix: str = "", temperature: float = 1.0, top_k: int = 0, seed: int = 0) -> Step:
    """One draw: p(x_t | prefix) and the token taken from it; stepping from "" replays sample 1 of
    generate_samples with the same settings."""
    vocab = entry.vocab
    temperature, top_k, seed = check_temperature(temperature), check_top_k(top_k, vocab), check_seed(seed)
    d = sample_step(entry.model, vocab, prefix, temperature, top_k, seed)
    labels = [token_label(i, vocab) for i in range(vocab.size)]
    return Step(prefix, labels, d.probs.double().numpy(), d.model_probs.numpy(), d.drawn, d.forced)


@dataclass
class StepState:
    """One student's step-by-step sample (kept in gr.State, never in a module global)."""
    prefix: str = ""
    done: bool = False
    history: list[list] = field(default_factory=list)  # [step, context, drawn, p sampled, p model]
    last: Step | None = None  # the latest draw, so its figure and text can be redrawn in another language
    settings: tuple = ()  # (temperature, top_k) of the latest draw

    def advance(self, step: Step, settings: tuple = ()) -> "StepState":
        row = [len(self.history) + 1, SPECIAL + step.prefix, step.token, float(step.probs[step.drawn]),
               float(step.model_probs[step.drawn])]
        return StepState(step.text, step.done, self.history + [row], step, settings)

    def table(self) -> list[list]:
        return [h[:3] + [round(h[3], 4), round(h[4], 4)] for h in self.history]


def step_markdown(state: StepState, step: Step | None, lang: str = "en") -> str:
    if step is None:
        return t("tok.step_first", lang)
    if state.done:
        log_p = sum(math.log(max(h[4], 1e-300)) for h in state.history)
        return t("tok.step_done", lang, token=step.token, name=state.prefix,
                 forced=t("tok.step_forced", lang) if step.forced else "", log_p=log_p)
    return t("tok.step_next", lang, token=step.token, p=float(step.probs[step.drawn]), name=state.prefix)
