"""The chain rule on tiny character models under fixed seeds (Transformer and GRU alike)."""
import math

import pytest
import torch

from explorer.data import encode_words, split_words
from explorer.models import (GRUConfig, GRULanguageModel, Transformer, TransformerConfig, Vocab,
                             VocabularyError, generate, next_token_distribution, sample_step,
                             token_log_probs)
from explorer.models.autoregressive import sequence_log_prob

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia"]
VOCAB = Vocab.from_words(WORDS)


def tiny(kind):
    torch.manual_seed(0)
    if kind == "transformer":
        return Transformer(TransformerConfig(VOCAB.size, VOCAB.block_size, n_layer=2, n_head=2, n_embd=16)).eval()
    return GRULanguageModel(GRUConfig(VOCAB.size, VOCAB.block_size, n_embd=8, n_hidden=16)).eval()


KINDS = ["transformer", "gru"]


@pytest.mark.parametrize("kind", KINDS)
def test_forward_contract(kind):
    model = tiny(kind)
    X, Y = encode_words(WORDS, VOCAB)
    logits, loss = model(X, Y)
    assert logits.shape == (len(WORDS), VOCAB.block_size, VOCAB.size)
    assert loss.dim() == 0 and loss > 0
    assert model(X)[1] is None


@pytest.mark.parametrize("kind", KINDS)
def test_causality_later_characters_do_not_change_earlier_log_probs(kind):
    model = tiny(kind)
    a = token_log_probs(model, VOCAB, "emma").log_probs
    b = token_log_probs(model, VOCAB, "emilia").log_probs
    assert torch.allclose(a[:2], b[:2], atol=1e-6)  # p(e|.), p(m|.e) see only "e", "em"
    assert not torch.allclose(a[2], b[2])


@pytest.mark.parametrize("kind", KINDS)
def test_conditionals_sum_to_one_and_log_probs_sum_to_sequence(kind):
    model = tiny(kind)
    s = token_log_probs(model, VOCAB, "olivia")
    assert s.tokens == list("olivia") + ["."]
    assert torch.allclose(s.probs.sum(-1), torch.ones(len(s.tokens)), atol=1e-5)
    assert math.isclose(s.total, sequence_log_prob(model, VOCAB, "olivia"), rel_tol=1e-5)
    p = next_token_distribution(model, VOCAB, "oli")
    assert math.isclose(float(p.sum()), 1.0, rel_tol=1e-5)
    assert torch.allclose(p, s.probs[3], atol=1e-6)


def test_transformer_attention_is_causal():
    model = tiny("transformer")
    x = torch.cat([torch.zeros(1, dtype=torch.long), VOCAB.encode("sophia")])[None]
    _, _, att = model(x, return_attention=True)
    assert att.shape == (2, 1, 2, 7, 7)
    upper = torch.triu(torch.ones(7, 7, dtype=torch.bool), diagonal=1)
    assert (att[..., upper] == 0).all()
    assert torch.allclose(att.sum(-1), torch.ones(2, 1, 2, 7))


@pytest.mark.parametrize("kind", KINDS)
def test_seeded_generation_is_reproducible(kind):
    model = tiny(kind)
    rng = torch.get_rng_state()
    a = generate(model, VOCAB, n=5, temperature=0.9, top_k=5, seed=1)
    b = generate(model, VOCAB, n=5, temperature=0.9, top_k=5, seed=1)
    assert torch.equal(rng, torch.get_rng_state())  # the global RNG is never touched
    assert a == b and len(a) == 5
    assert all(len(g.text) <= VOCAB.max_len and set(g.text) <= set(VOCAB.chars) for g in a)
    assert all(g.text.startswith("em") for g in generate(model, VOCAB, n=3, prefix="em", seed=2))


@pytest.mark.parametrize("kind", KINDS)
def test_stepping_replays_the_first_sample_and_log_p_is_the_models(kind):
    model = tiny(kind)
    whole = generate(model, VOCAB, n=3, temperature=0.7, top_k=4, seed=5)[0]
    prefix = ""
    while True:
        d = sample_step(model, VOCAB, prefix, temperature=0.7, top_k=4, seed=5)
        if d.drawn == 0:
            break
        prefix += VOCAB.itos(d.drawn)
    assert prefix == whole.text
    if not whole.cut:
        assert math.isclose(whole.log_p, sequence_log_prob(model, VOCAB, whole.text), rel_tol=1e-4)


def test_top_k_and_temperature():
    model = tiny("transformer")
    p = next_token_distribution(model, VOCAB, "a", top_k=3)
    assert int((p > 0).sum()) == 3
    cold = next_token_distribution(model, VOCAB, "a", temperature=0.1)
    warm = next_token_distribution(model, VOCAB, "a", temperature=10.0)
    assert cold.max() > warm.max()
    d = sample_step(model, VOCAB, "a", seed=0)
    assert d.probs[d.drawn] > 0 and torch.allclose(d.probs, next_token_distribution(model, VOCAB, "a"))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        next_token_distribution(model, VOCAB, "a", temperature=0.0)


def test_vocabulary_errors_say_what_is_allowed():
    with pytest.raises(VocabularyError, match="empty"):
        VOCAB.encode("")
    with pytest.raises(VocabularyError, match=r"unknown character\(s\) '!', 'Z'.*allowed are characters"):
        VOCAB.encode("Zoe!")
    with pytest.raises(VocabularyError, match="at most 9"):
        VOCAB.encode("a" * 50)
    with pytest.raises(ValueError, match="block size is only"):
        tiny("gru")(torch.zeros(1, 40, dtype=torch.long))


def test_makemore_split_is_exact():
    words = [f"w{i}" for i in range(20_000)]
    train, test = split_words(words)
    torch.manual_seed(3407)  # makemore's own lines, verbatim
    rp = torch.randperm(len(words)).tolist()
    assert test == [words[i] for i in rp[-1000:]] and len(train) == 19_000
