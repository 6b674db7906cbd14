"""generate() runs one new character per step from the carried state (model.extend): the same names,
cut flags and log p(x) as recomputing the whole prefix every step, which is kept here, and only
here, as the reference. On the shipped character models."""
import math

import pytest
import torch
import torch.nn.functional as F

from explorer import checkpoints
from explorer.models.autoregressive import (Generated, _check_prefix, _draws, context, draw_seed,
                                            filtered_probs, generate, sample_step)

NAMES = ["names_transformer", "names_gru"]
# (temperature, top_k, prefix); the last prefix is far from any name and leaves 3 characters
SETTINGS = [(1.0, None, ""), (0.5, 3, ""), (3.0, None, ""), (1.3, 10, "em"), (2.0, None, "ab"),
            (0.8, 5, "k"), (5.0, None, "qxzqxzqxzqxz")]


@torch.no_grad()
def full_recompute_generate(model, vocab, n=1, temperature=1.0, top_k=None, seed=0, prefix=""):
    """generate() as it was: every step reruns the whole prefix of every unfinished row, and every
    draw is its own torch.multinomial call."""
    _check_prefix(vocab, prefix)
    model.eval()
    idx = context(vocab, prefix)[None].repeat(n, 1)
    done = torch.zeros(n, dtype=torch.bool)
    log_p = torch.zeros(n, dtype=torch.float64)
    for step in range(len(prefix), vocab.max_len + 1):
        active = (~done).nonzero()[:, 0]
        logits, _ = model(idx[active])
        logits = logits[:, -1].float()
        probs = filtered_probs(logits, temperature, top_k)
        nxt = torch.zeros(len(active), dtype=torch.long)
        if step < vocab.max_len:
            for j, i in enumerate(active.tolist()):
                g = torch.Generator().manual_seed(draw_seed(seed, i, step))
                nxt[j] = int(torch.multinomial(probs[j], 1, generator=g))
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


def close(a: Generated, b: Generated, prefix: str) -> bool:
    """Same text and cut flag, and log p within 1e-5 plus 3e-6 per scored token: a one-row step's
    float32 logits and a whole-prefix forward's differ in their last bits, up to ~4e-6 per token in
    log p (on the odd prefix), as the old path's own do between batch sizes (n = 1 and n = 8 of
    the same seed: up to 1.6e-5 in all). The names themselves must match exactly."""
    tokens = len(a.text) - len(prefix) + 1
    return a.text == b.text and a.cut == b.cut and abs(a.log_p - b.log_p) <= 1e-5 + 3e-6 * tokens


class ForwardOnly(torch.nn.Module):
    """A model without extend(): generate() must fall back to the full recompute."""

    def __init__(self, model):
        super().__init__()
        self.inner = model
        self.calls = []

    def forward(self, idx, targets=None):
        self.calls.append(tuple(idx.shape))
        return self.inner(idx, targets)


class Spy(ForwardOnly):
    def extend(self, idx, state=None):
        self.calls.append(tuple(idx.shape))
        return self.inner.extend(idx, state)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """These are tiny batches: with two threads on a busy 2-core machine the reference runs ~10x slower."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def lms():
    return {name: checkpoints.load(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_incremental_generate_matches_the_full_recompute(lms, name):
    """300 seeds, the settings in turn: every name, cut flag and log p as before."""
    model, meta = lms[name]
    vocab = meta["vocab_obj"]
    bad = []
    for seed in range(300):
        temperature, top_k, prefix = SETTINGS[seed % len(SETTINGS)]
        new = generate(model, vocab, 3, temperature, top_k, seed, prefix)
        old = full_recompute_generate(model, vocab, 3, temperature, top_k, seed, prefix)
        bad += [(seed, a, b) for a, b in zip(new, old) if not close(a, b, prefix)]
    assert not bad, bad[:5]


@pytest.mark.parametrize("name", NAMES)
def test_only_the_new_character_of_each_unfinished_row_is_run(lms, name):
    model, meta = lms[name]
    vocab = meta["vocab_obj"]
    spy = Spy(model)
    out = generate(spy, vocab, n=6, temperature=1.5, seed=4, prefix="jo")
    assert spy.calls[0] == (1, 3)  # the shared context, once: start token and "jo"
    widths = [w for _, w in spy.calls[1:]]
    batches = [b for b, _ in spy.calls[1:]]
    assert widths == [1] * len(widths) and batches == sorted(batches, reverse=True)
    assert batches[0] == 6 and len(spy.calls) == max(len(g.text) for g in out) - 1  # no run after the last draw
    assert out == generate(model, vocab, n=6, temperature=1.5, seed=4, prefix="jo")


@pytest.mark.parametrize("name", NAMES)
def test_a_model_without_extend_falls_back_to_the_full_recompute(lms, name):
    model, meta = lms[name]
    vocab = meta["vocab_obj"]
    plain = ForwardOnly(model)
    for seed, (temperature, top_k, prefix) in enumerate(SETTINGS):
        new = generate(plain, vocab, 4, temperature, top_k, seed, prefix)
        old = full_recompute_generate(model, vocab, 4, temperature, top_k, seed, prefix)
        assert all(close(a, b, prefix) for a, b in zip(new, old)), (new, old)
    assert any(w > 2 for _, w in plain.calls)  # whole prefixes were run


@pytest.mark.parametrize("name", NAMES)
def test_stepping_replays_sample_0(lms, name):
    """sample_step (one full forward per draw) and sample 0 of generate() draw the same characters."""
    model, meta = lms[name]
    vocab = meta["vocab_obj"]
    for seed in range(40):
        temperature, top_k, prefix = SETTINGS[seed % len(SETTINGS)]
        whole = generate(model, vocab, 2, temperature, top_k, seed, prefix)[0]
        text = prefix
        while (d := sample_step(model, vocab, text, temperature, top_k, seed)).drawn:
            text += vocab.itos(d.drawn)
        assert text == whole.text, (seed, text, whole.text)


def test_batched_draws_are_multinomials_own_draws():
    """_draws gives, row by row, exactly what torch.multinomial gives with the row's own generator,
    on flat, peaked and top-k-truncated distributions."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(600, 27, generator=g) * torch.tensor([0.1, 1.0, 5.0, 20.0]).repeat(150)[:, None]
    probs = torch.cat([filtered_probs(logits[:300]), filtered_probs(logits[300:], top_k=3)])
    samples = list(range(len(probs)))
    for seed, step in ((0, 0), (7, 3), (123456789, 14)):
        want = [int(torch.multinomial(p, 1, generator=torch.Generator().manual_seed(draw_seed(seed, i, step))))
                for p, i in zip(probs, samples)]
        assert _draws(probs, seed, samples, step).tolist() == want


def test_bad_probabilities_are_refused_as_multinomial_refuses_them():
    probs = torch.full((2, 5), 0.2)
    for bad in (float("nan"), float("inf"), -0.1):
        p = probs.clone()
        p[1, 2] = bad
        with pytest.raises(RuntimeError, match="probability tensor"):
            _draws(p, 0, [0, 1], 0)
    with pytest.raises(RuntimeError, match="sums to 0"):
        _draws(torch.zeros(1, 5), 0, [0], 0)


def test_max_len_prefix_forces_the_end_at_once(lms):
    model, meta = lms["names_transformer"]
    vocab = meta["vocab_obj"]
    prefix = "a" * vocab.max_len
    out = generate(model, vocab, n=2, prefix=prefix)
    ref = full_recompute_generate(model, vocab, n=2, prefix=prefix)
    assert [g.text for g in out] == [prefix] * 2 and all(g.cut for g in out)
    assert all(math.isclose(a.log_p, b.log_p, abs_tol=1e-5) for a, b in zip(out, ref))
