"""The per-token tab's functions on the tiny untrained models: the chain rule adds up, attention is
causal, sampling is reproducible from its seed, and bad input is refused with a helpful message."""
from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from explorer.views import tokens as tv
from explorer.models import VocabularyError
from explorer.models.autoregressive import sequence_log_prob
from explorer.plots import tokens as plots

MODELS = ["names_transformer", "names_gru"]


@pytest.fixture(params=MODELS)
def entry(request, tiny_zoo):
    return tiny_zoo.lm(request.param)


@pytest.fixture()
def transformer(tiny_zoo):
    return tiny_zoo.lm("names_transformer")


# ---- scoring ------------------------------------------------------------------------------------

def test_per_token_log_probs_sum_to_total(entry):
    s = tv.score(entry, "emma")
    assert [r.token for r in s.rows] == ["e", "m", "m", "a", "<end>"]
    assert [r.context for r in s.rows] == [".", ".e", ".em", ".emm", ".emma"]
    assert sum(math.log(r.p) for r in s.rows) == pytest.approx(s.log_px, abs=1e-5)
    assert -sum(r.nll for r in s.rows) == pytest.approx(s.log_px, abs=1e-5)
    # the same number the training loss gives
    assert s.log_px == pytest.approx(sequence_log_prob(entry.model, entry.vocab, "emma"), abs=1e-4)
    assert s.bits == pytest.approx(-s.log_px / math.log(2))
    assert s.perplexity == pytest.approx(math.exp(-s.log_px / 5))


def test_conditionals_are_distributions(entry):
    s = tv.score(entry, "olivia")
    for r in s.rows:
        tops = [p for _, p in r.top]
        assert len(r.top) == tv.TOP_N and tops == sorted(tops, reverse=True)
        assert 0 < r.p <= tops[0] + 1e-7
        assert sum(tops) <= 1 + 1e-6
    for prefix in ["", "e", "em", "olivia"]:
        step = tv.generate_step(entry, prefix, temperature=1.0, top_k=0, seed=1)
        assert step.probs.sum() == pytest.approx(1.0, abs=1e-6)
        assert step.model_probs.sum() == pytest.approx(1.0, abs=1e-9)


def test_rank_marks_the_actual_token(transformer):
    s = tv.score(transformer, "emma")
    for r in s.rows:
        if r.rank is not None:
            assert r.top[r.rank - 1][0] == r.token
        else:
            assert r.p <= r.top[-1][1] + 1e-7


def test_text_is_stripped_and_lower_cased(transformer):
    assert tv.score(transformer, "  EmMa \n").text == "emma"
    assert tv.score(transformer, "EMMA").log_px == pytest.approx(tv.score(transformer, "emma").log_px)


def test_chain_rule_is_written_out_with_numbers(transformer):
    s = tv.score(transformer, "emma")
    text = s.chain_rule()
    assert text.startswith('log p("emma") = log p(e | .) + log p(m | .e)')
    assert "log p(<end> | .emma)" in text
    for r in s.rows:
        assert f"{math.log(r.p):.2f}".lstrip("-") in text
    assert f"= {s.log_px:.2f} nats" in text
    assert f"{s.perplexity:.2f}" in s.summary()
    table = s.table()
    assert len(table) == 5 and table[-1][2] == "<end>" and table[0][1] == "."


def test_compare_scores_both_models_on_the_same_text(tiny_zoo):
    scored = tv.compare(tiny_zoo, "Olivia")
    assert [s.model for s in scored] == ["names_transformer", "names_gru"]
    assert all(s.text == "olivia" and s.n_tokens == 7 for s in scored)
    assert scored[0].log_px != pytest.approx(scored[1].log_px)


# ---- attention ----------------------------------------------------------------------------------

@pytest.mark.parametrize("layer,head", [(1, 0), (1, 1), (2, 2), (2, 0)])
def test_attention_is_causal_and_normalised(transformer, layer, head):
    a = tv.attention(transformer, "isabel", layer, head)
    assert a.weights.shape == (7, 7) and a.labels == [".", "i", "s", "a", "b", "e", "l"]
    assert np.all(a.weights[np.triu_indices(7, k=1)] == 0)  # upper triangle: the mask
    assert np.allclose(a.weights.sum(1), 1.0, atol=1e-5)
    assert a.weights[0, 0] == pytest.approx(1.0)


def test_mean_over_heads_is_the_mean(transformer):
    heads = [tv.attention(transformer, "emma", 2, h).weights for h in (1, 2)]
    assert np.allclose(tv.attention(transformer, "emma", 2, 0).weights, np.mean(heads, 0), atol=1e-6)
    assert not np.allclose(heads[0], heads[1])


def test_attention_refuses_gru_and_bad_layers(tiny_zoo, transformer):
    with pytest.raises(tv.SettingError, match="only the Transformer attends"):
        tv.attention(tiny_zoo.lm("names_gru"), "emma", 1, 0)
    with pytest.raises(tv.SettingError, match="layer must be a whole number from 1 to 2"):
        tv.attention(transformer, "emma", 3, 0)
    with pytest.raises(tv.SettingError, match=r"head must be a whole number from 0 to 2 \(0 = mean over heads\)"):
        tv.attention(transformer, "emma", 1, -1)


# ---- generation ---------------------------------------------------------------------------------

def test_seeded_generation_reproduces(entry):
    a = tv.generate_samples(entry, n=8, temperature=1.0, top_k=0, seed=123)
    tv.SAMPLES.clear()  # drawn again, not taken from the kept answers
    b = tv.generate_samples(entry, n=8, temperature=1.0, top_k=0, seed=123)
    c = tv.generate_samples(entry, n=8, temperature=1.0, top_k=0, seed=124)
    assert [s.text for s in a] == [s.text for s in b]
    assert [s.text for s in a] != [s.text for s in c]
    assert len(a) == 8 and all(len(s.text) <= entry.vocab.max_len for s in a)
    assert all(set(s.text) <= set(entry.vocab.chars) for s in a)
    # a sample's own draws do not depend on how many others are drawn beside it
    assert [s.text for s in tv.generate_samples(entry, 3, 1.0, 0, 123)] == [s.text for s in a[:3]]


def test_generation_uses_no_global_rng(transformer):
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    tv.generate_samples(transformer, 5, 1.0, 0, 7)
    tv.generate_step(transformer, "e", 1.0, 0, 7)
    assert torch.rand(1) == before


def test_sample_log_p_is_the_models_own(entry):
    for s in tv.generate_samples(entry, 6, temperature=0.7, top_k=5, seed=3):
        if s.text and not s.cut:
            assert s.log_p == pytest.approx(tv.score(entry, s.text).log_px, abs=1e-4)


def test_training_set_marks(tiny_zoo):
    e = tiny_zoo.lm("names_gru")
    assert tv.Sample("emma", -5.0, False, e.in_training_set("emma")).status == "in training set"
    assert tv.Sample("qqq", -5.0, False, e.in_training_set("qqq")).status == "new"
    assert tv.Sample("qqq", -5.0, False, None).status == "unknown"
    assert all(s.status in {"in training set", "new", "unknown", "empty (end drawn first)"}
               for s in tv.generate_samples(e, 20, 1.0, 0, 0))


def test_step_by_step_replays_sample_one(entry):
    for seed, temperature, top_k in [(0, 1.0, 0), (99, 0.5, 3), (2**31 - 1, 2.0, 0)]:
        whole = tv.generate_samples(entry, 4, temperature, top_k, seed)[0]
        state = tv.StepState()
        while not state.done:
            state = state.advance(tv.generate_step(entry, state.prefix, temperature, top_k, seed))
        assert state.prefix == whole.text
        assert len(state.history) == len(whole.text) + 1
        assert sum(math.log(h[4]) for h in state.history) == pytest.approx(whole.log_p, abs=1e-4)


def test_step_is_reproducible_and_respects_top_k(transformer):
    a = tv.generate_step(transformer, "em", 1.0, 3, 5)
    b = tv.generate_step(transformer, "em", 1.0, 3, 5)
    assert a.drawn == b.drawn and np.array_equal(a.probs, b.probs)
    assert (a.probs > 0).sum() == 3 and a.probs[a.drawn] > 0
    assert a.labels[0] == "<end>" and a.prefix == "em"
    cold = tv.generate_step(transformer, "em", 0.05, 0, 5)
    assert cold.probs.max() > a.model_probs.max()  # low temperature sharpens


def test_step_at_max_length_forces_the_end(transformer):
    long = "isabella"[: transformer.vocab.max_len]
    step = tv.generate_step(transformer, long, 1.0, 0, 0)
    assert step.forced and step.done and step.text == long


# ---- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,message", [
    ("", "the text is empty"),
    ("   ", "the text is empty"),
    (None, "no text given"),
    (42, "expected text"),
    ("emma1!", r"unknown character\(s\) '!', '1'; allowed are characters"),
    ("mary ann", r"unknown character\(s\) ' '"),
    ("a" * 9, "the text has 9 characters; these models read at most 8"),
    ("a" * 100_000, "the text has 100000 characters"),
])
def test_bad_text_is_refused_with_a_helpful_message(transformer, text, message):
    with pytest.raises(VocabularyError, match=message):
        tv.score(transformer, text)


@pytest.mark.parametrize("kwargs,message", [
    (dict(temperature=0), "temperature must be a number from 0.05 to 5"),
    (dict(temperature=-1), "temperature must be a number from"),
    (dict(temperature=float("nan")), "temperature must be a number from 0.05 to 5"),
    (dict(temperature=float("inf")), "temperature must be a number from 0.05 to 5"),
    (dict(temperature=None), "temperature must be a number from"),
    (dict(temperature="hot"), "temperature must be a number from"),
    (dict(top_k=-1), r"top-k must be a whole number from 0 to 17 \(0 = off"),
    (dict(top_k=2.5), "top-k must be a whole number"),
    (dict(top_k=10**9), "top-k must be a whole number from"),
    (dict(seed=-1), "seed must be a whole number from 0 to 2147483647"),
    (dict(seed=2**31), "seed must be a whole number from"),
    (dict(seed=1e300), "seed must be a whole number from"),
    (dict(seed=True), "seed must be a whole number from 0"),
    (dict(n=0), "number of samples must be a whole number from 1 to 50"),
    (dict(n=51), "number of samples must be a whole number from 1 to 50"),
])
def test_bad_settings_are_refused(transformer, kwargs, message):
    args = dict(n=3, temperature=1.0, top_k=0, seed=0) | kwargs
    with pytest.raises(tv.SettingError, match=message):
        tv.generate_samples(transformer, **args)
    if "n" not in kwargs:
        with pytest.raises(tv.SettingError, match=message):
            tv.generate_step(transformer, "", args["temperature"], args["top_k"], args["seed"])


def test_bad_prefix_is_refused(transformer):
    with pytest.raises(VocabularyError, match="unknown character"):
        tv.generate_step(transformer, "EM", 1.0, 0, 0)
    with pytest.raises(VocabularyError, match="prefix must be text"):
        tv.generate_step(transformer, None, 1.0, 0, 0)


def test_numpy_numbers_are_accepted(transformer):
    assert len(tv.generate_samples(transformer, np.int64(2), np.float32(0.5), np.int64(3), np.int64(9))) == 2


# ---- figures ------------------------------------------------------------------------------------

def test_figures_are_built(tiny_zoo, transformer):
    scored = tv.compare(tiny_zoo, "emma")
    step = tv.generate_step(transformer, "em", 0.8, 4, 1)
    figs = [plots.token_strip(scored[:1]), plots.token_strip(scored), plots.nll_bars(scored),
            plots.top_alternatives(scored[0]), plots.attention_heatmap(tv.attention(transformer, "emma", 1, 0)),
            plots.next_token_bars(step, 0.8, 4)]
    assert all(f.layout.title.text for f in figs)
    for f in figs:  # built without validation for speed: every property must still be valid plotly,
        go.Figure(f.to_dict())  # and what gr.Plot sends is the same figure
        assert go.Figure(json.loads(f.to_json())).to_dict() == go.Figure(f.to_dict()).to_dict()
    strip = figs[1].data[0]
    assert np.asarray(strip.z).shape == (2, 5)
    assert "&lt;end&gt;" in strip.text[0][-1]  # escaped, or plotly would drop it as an unknown tag
    att = np.asarray(figs[4].data[0].z, dtype=float)
    assert np.isnan(att[np.triu_indices(5, k=1)]).all() and not np.isnan(att[np.tril_indices(5)]).any()
    bars = figs[5].data[1]
    assert list(bars.marker.color).count(plots.DRAWN_COLOR) == 1
    assert bars.marker.color[step.drawn] == plots.DRAWN_COLOR


def test_tab_builds_with_stable_api_names(tiny_zoo):
    import gradio as gr

    from explorer.ui import tokens
    with gr.Blocks() as demo:
        tokens.build(tiny_zoo)
    public = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"token_probabilities", "generate", "generate_step", "attention", "compare", "reset_steps"} <= public


def test_one_score_click_runs_each_model_once_and_callers_get_their_own_copies(tiny_zoo, monkeypatch):
    """Score sends three events at once (scores, comparison, attention): the Transformer runs once for
    the scores and once for the attention map, the GRU once, however many ask."""
    import threading

    for kept in (tv.SCORES, tv.ATTENTIONS):
        kept.clear()
    runs = []
    real = tv.token_log_probs
    monkeypatch.setattr(tv, "token_log_probs", lambda m, v, text: runs.append(type(m).__name__) or real(m, v, text))
    transformer = tiny_zoo.lm("names_transformer")
    results, errors = [], []

    def ask(fn):
        try:
            results.append(fn())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=ask, args=(f,)) for f in (
        lambda: tv.score(transformer, " Olivia "), lambda: tv.compare(tiny_zoo, "olivia"),
        lambda: tv.attention(transformer, "olivia", 1, 0), lambda: tv.score(transformer, "olivia"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and sorted(runs) == ["GRULanguageModel", "Transformer"]
    assert tv.ATTENTIONS.computed == 1
    a, b = tv.score(transformer, "olivia"), tv.score(transformer, "olivia")
    assert a == b and a is not b and a.rows[0] is not b.rows[0]
    a.rows[0].top.clear()  # one caller's change stays in its copy
    assert tv.score(transformer, "olivia").rows[0].top
    tv.SCORES.clear()
    assert tv.score(transformer, "olivia") == b  # computed again: the same numbers
    assert tv.score(transformer, "emma").text == "emma" and len(runs) == 4
    h1, h2 = tv.attention(transformer, "olivia", 2, 1), tv.attention(transformer, "olivia", 2, 1)
    assert np.array_equal(h1.weights, h2.weights) and tv.ATTENTIONS.computed == 1  # other layers: same pass
    h1.weights[:] = 0
    assert tv.attention(transformer, "olivia", 2, 1).weights.sum() > 0


def test_generated_names_are_kept_by_their_settings(transformer, monkeypatch):
    tv.SAMPLES.clear()
    a = tv.generate_samples(transformer, 4, 1.0, 0, 11)
    b = tv.generate_samples(transformer, 4, 1.0, 0, 11)
    assert a == b and a is not b and tv.SAMPLES.computed == 1
    tv.generate_samples(transformer, 4, 1.0, 0, 12)
    tv.generate_samples(transformer, 4, 0.5, 0, 11)
    tv.generate_samples(transformer, 4, 1.0, 3, 11)
    tv.generate_samples(transformer, 5, 1.0, 0, 11)
    assert tv.SAMPLES.computed == 5
