"""The mass tab's views (explorer/views/mass.py) and the prefix tree they enumerate
(models.autoregressive.prefix_tree): exact sums over every name, on tiny untrained models (fast)
and on the shipped checkpoints (test_shipped_* below)."""
from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from explorer.errors import InputError
from explorer.models import VocabularyError
from explorer.models.autoregressive import _prefix_tree_full, prefix_tree, sequence_log_prob
from explorer.plots import mass as plots
from explorer.views import mass as mv

MODELS = ["names_transformer", "names_gru"]


def _names_logp(m: mv.Mass, entry, temperature) -> dict[str, float]:
    tree = mv.logits_tree(entry, m.prefix, m.length)
    lm = mv.log_mass(tree, entry.vocab, temperature)
    return {mv.name_of(m.prefix, entry.vocab, d, i): float(lp)
            for d, level in enumerate(lm.names_logp) for i, lp in enumerate(level)}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.5])
def test_mass_sums_to_one_once_the_tail_is_counted(tiny_zoo, name, temperature):
    entry = tiny_zoo.lm(name)
    for length in (1, 2, 3):
        m = mv.probability_mass(entry, length, temperature, "")
        assert len(m.mass) == length + 1 and m.lengths == list(range(length + 1))
        assert np.all(m.mass >= 0) and m.tail >= 0
        assert m.total == pytest.approx(1.0, abs=1e-5)
        assert m.budget == pytest.approx(1.0)
        # the stacked curves add up to 1 at every temperature of the sweep too
        np.testing.assert_allclose(m.sweep.mass.sum(1) + m.sweep.tail, 1.0, atol=1e-4)
        assert np.all(m.sweep.mass >= 0)


@pytest.mark.parametrize("name", MODELS)
def test_tail_is_the_next_depth(tiny_zoo, name):
    """The mass left to longer names at L is exactly what the names of L + 1, L + 2 ... take:
    mass(L + 1) + tail(L + 1) = tail(L)."""
    entry = tiny_zoo.lm(name)
    m2, m3 = mv.probability_mass(entry, 2, 0.8, ""), mv.probability_mass(entry, 3, 0.8, "")
    np.testing.assert_allclose(m3.mass[:3], m2.mass, rtol=1e-9)
    assert m3.mass[3] + m3.tail == pytest.approx(m2.tail, rel=1e-9)


@pytest.mark.parametrize("name", MODELS)
def test_enumerated_probability_is_the_models_own_sequence_log_prob(tiny_zoo, name):
    """Brute force: P(name) from the tree equals the training loss's log p(x) for every name of
    up to 2 characters that we check (the chain rule, end token included)."""
    entry = tiny_zoo.lm(name)
    m = mv.probability_mass(entry, 2, 1.0, "")
    logp = _names_logp(m, entry, 1.0)
    n = len(entry.vocab.chars)
    assert len(logp) == 1 + n + n ** 2
    c = entry.vocab.chars
    for word in ["a", c[-1], "em", c[0] + c[-1], c[-1] * 2, "ia"]:
        assert logp[word] == pytest.approx(sequence_log_prob(entry.model, entry.vocab, word), abs=1e-4), word
    top = m.top[0]
    if top.text:
        assert math.log(top.p) == pytest.approx(sequence_log_prob(entry.model, entry.vocab, top.text), abs=1e-4)


@pytest.mark.parametrize("name", MODELS)
def test_prefix_tree_matches_the_full_forward(tiny_zoo, name):
    """model.extend (keys and values or the hidden state carried) gives forward()'s logits."""
    entry = tiny_zoo.lm(name)
    fast = prefix_tree(entry.model, entry.vocab, "em", 2)
    slow = _prefix_tree_full(entry.model, entry.vocab, "em", 2, 4096)
    n, v = len(entry.vocab.chars), entry.vocab.size
    assert [lv.shape for lv in fast.levels] == [(1, v), (n, v), (n * n, v)]
    for a, b in zip(fast.levels, slow.levels):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(fast.prefix_logits, slow.prefix_logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_temperature_one_is_the_plain_model(tiny_zoo, name):
    entry = tiny_zoo.lm(name)
    tree = mv.logits_tree(entry, "", 2)
    lm = mv.log_mass(tree, entry.vocab, 1.0)
    plain = [torch.log_softmax(level.double(), -1) for level in tree.levels]
    p_a = plain[0][0, 1] + plain[1][0, 0]  # p(a | start) p(end | a)
    assert lm.names_logp[1][0] == pytest.approx(float(p_a), abs=1e-9)
    assert lm.names_logp[0][0] == pytest.approx(float(plain[0][0, 0]), abs=1e-9)
    # and the temperature sweep's T = 1 point (where the grid has one) is the same distribution
    m = mv.probability_mass(entry, 2, 1.0, "")
    i = int(np.argmin(abs(m.sweep.temperatures - 1.0)))
    if abs(m.sweep.temperatures[i] - 1.0) < 1e-9:
        np.testing.assert_allclose(m.sweep.mass[i], m.mass, rtol=1e-4)


def test_temperature_is_a_power_of_each_step(tiny_zoo):
    """p_T(x_t | x_<t) = p^(1/T) / sum p^(1/T) at every step: checked on the one-letter names."""
    entry = tiny_zoo.lm("names_transformer")
    tree = mv.logits_tree(entry, "", 1)
    for T in (0.3, 2.5):
        lm = mv.log_mass(tree, entry.vocab, T)
        p0, p1 = (torch.softmax(level.double(), -1) for level in tree.levels)  # the plain model

        def powered(p):
            q = p ** (1 / T)
            return q / q.sum(-1, keepdim=True)
        want = torch.log(powered(p0)[0, 1:] * powered(p1)[:, 0])
        np.testing.assert_allclose(lm.names_logp[1], want.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", MODELS)
def test_a_prefix_splits_its_own_share(tiny_zoo, name):
    """With a prefix the sum is P(a name starts with it), and the branches of every first letter
    together hold everything but the empty name."""
    entry = tiny_zoo.lm(name)
    whole = mv.probability_mass(entry, 1, 1.2, "")
    shares = [mv.probability_mass(entry, 1, 1.2, c) for c in entry.vocab.chars]
    assert all(s.total == pytest.approx(s.budget, rel=1e-6) for s in shares)
    assert whole.mass[0] + sum(s.budget for s in shares) == pytest.approx(1.0, abs=1e-6)
    em = mv.probability_mass(entry, 2, 1.0, " EM ")
    assert em.prefix == "em" and em.lengths == [2, 3, 4]
    assert all(n.text.startswith("em") for n in em.top)


def test_top_names_are_sorted_and_marked(tiny_zoo):
    entry = tiny_zoo.lm("names_gru")
    m = mv.probability_mass(entry, 3, 1.0, "")
    ps = [n.p for n in m.top]
    assert ps == sorted(ps, reverse=True) and len(ps) == mv.TOP_N
    for n in m.top:
        assert n.in_training == (entry.in_training_set(n.text) if n.text else None)
    assert mv.probability_mass(entry, 3, 1.0, "ava").top  # "ava" is a tiny training name
    rows = m.lengths_table("en")
    assert rows[-1][2] == pytest.approx(1.0, abs=1e-5) and rows[-2][0] == "longer than 3"
    assert len(m.top_table("zh")[0]) == len(mv.headers("top", "zh"))


@pytest.mark.parametrize("args,message", [
    ((0, 1.0, ""), "maximum length L must be a whole number from 1 to 3"),
    ((4, 1.0, ""), "maximum length L must be a whole number from 1 to 3"),
    ((2.5, 1.0, ""), "whole number"),
    ((None, 1.0, ""), "whole number"),
    ((3, float("nan"), ""), "temperature must be a number from 0.05 to 5"),
    ((3, float("inf"), ""), "temperature"),
    ((3, 0.0, ""), "temperature"),
    ((3, "hot", ""), "temperature"),
    ((3, 1.0, "em1!"), "unknown character(s) '!', '1'"),
    ((3, 1.0, "a" * 13), "the prefix has 13 characters; with L = 3 at most 5 are allowed"),
    ((3, 1.0, "a" * 5000), "the prefix has 5000 characters"),
    ((3, 1.0, 7), "the prefix must be text"),
])
def test_bad_input_says_what_is_allowed(tiny_zoo, args, message):
    with pytest.raises((InputError, VocabularyError)) as err:
        mv.probability_mass(tiny_zoo.lm("names_transformer"), *args)
    assert message in str(err.value)


def test_refusals_are_translated():
    from explorer.i18n import translate_message
    zh = translate_message("maximum length L must be a whole number from 1 to 3 (longer names would take too long "
                           "to enumerate), got 9", "zh")
    assert zh.startswith("最大长度 L 必须是 1 到 3 之间的整数") and zh.endswith("9")
    assert translate_message("the prefix has 13 characters; with L = 3 at most 12 are allowed", "zh") == \
        "前缀有 13 个字符；L = 3 时最多允许 12 个"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_and_text_in_both_languages(tiny_zoo, lang):
    m = mv.probability_mass(tiny_zoo.lm("names_transformer"), 3, 0.8, "em")
    figs = [plots.mass_bars(m, lang), plots.top_names(m, lang), plots.mass_vs_temperature(m, lang),
            plots.entropy_vs_temperature(m, lang)]
    for f in figs:
        go.Figure(json.loads(f.to_json()))  # plotly validates every property
    bars = figs[0].data[0]
    assert len(bars.y) == (3 + 1) + 1 + 1 and bars.y[-1] == pytest.approx(m.total)  # lengths, longer, total
    text = m.summary(lang)
    assert ("的" in text) == (lang == "zh")


# ---- the shipped checkpoints ------------------------------------------------------------------

@pytest.mark.parametrize("name", MODELS)
def test_shipped_models_sum_to_one_and_agree_with_their_own_scores(shipped_zoo, name):
    if name not in shipped_zoo.lms:
        pytest.fail(f"the shipped checkpoint {name} is missing: train it (README) first")
    entry = shipped_zoo.lm(name)
    for temperature in (0.5, 1.0, 2.0):
        m = mv.probability_mass(entry, 3, temperature, "")
        assert m.total == pytest.approx(1.0, abs=1e-5)
        assert np.all(m.mass >= 0)
    m = mv.probability_mass(entry, 2, 1.0, "")
    logp = _names_logp(m, entry, 1.0)
    for word in ["al", "jo", "a", "em"]:
        assert logp[word] == pytest.approx(sequence_log_prob(entry.model, entry.vocab, word), abs=1e-4), word
    # colder: fewer, likelier names; up to T = 1 the short names' entropy grows with T (far above,
    # every step nears uniform, so each longer name gets less than a shorter one and it falls again)
    cold, hot = mv.probability_mass(entry, 3, 0.5, ""), mv.probability_mass(entry, 3, 1.5, "")
    assert cold.entropy < hot.entropy < math.log2(sum(hot.n_names))
    assert np.all(np.diff(m.sweep.entropy[m.sweep.temperatures <= 1.0]) > 0)
    # a trained model's favourite short names are mostly real names
    m = mv.probability_mass(entry, 3, 1.0, "")
    assert sum(bool(n.in_training) for n in m.top) >= 8
