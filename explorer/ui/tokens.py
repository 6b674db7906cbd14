"""Tab: per-token probabilities. The chain rule with numbers, Transformer vs GRU, the masked
attention, and sampling (whole or one step at a time). Work happens in explorer/token_views.py,
figures in explorer/plots/tokens.py; this module only builds components and wires events.
"""
from __future__ import annotations

import secrets

import gradio as gr
import pandas as pd

from ..i18n import columns, t
from ..views import limits
from .common import USER_ERRORS, friendly
from .deferred import Deferred
from .page import Page, parse_choice, parse_number, parse_text, tr, tr_fmt

tv = Deferred("explorer.views.tokens")
plots = Deferred("explorer.plots.tokens")
SAMPLE_HEADERS = columns("tok.h.samples")
TABLE_HEADERS = columns("tok.h.table")
HISTORY_HEADERS = columns("tok.h.history")


def _table(rows: list[list], which: str, lang: str = "en") -> pd.DataFrame:
    """Rows under their column names in lang (a DataFrame carries its headers to the page)."""
    return pd.DataFrame(rows, columns=tv.headers(which, lang))


def _score_outputs(s: tv.Scored, lang: str = "en"):
    chain = f"```text\n{s.chain_rule()}\n```\n{s.summary(lang)}"
    return (plots.token_strip([s], lang), chain, plots.nll_bars([s], lang), plots.top_alternatives(s, lang),
            _table(s.table(), "table", lang))


def _compare_outputs(scored: list[tv.Scored], lang: str = "en"):
    return plots.token_strip(scored, lang), plots.nll_bars(scored, lang), tv.compare_summary(scored, lang)


def build(zoo, page: Page | None = None) -> None:
    if not zoo.lms:
        gr.Markdown(tr("tok.no_model"))
        return
    transformers = zoo.transformers()
    choices = zoo.lm_choices()  # the Transformer first
    first = choices[0][1]
    vocab = zoo.lm(first).vocab

    # ---- handlers: validate, call token_views, draw -------------------------------------------
    @friendly
    def token_probabilities(model, text, lang="en"):
        """The chain rule on text: coloured tokens, the written-out sum, -log p per token, the top-5,
        and the table. lang: 'en' (default) or 'zh', the language of the text and figures."""
        return _score_outputs(tv.score(zoo.lm(model), text), lang)

    @friendly
    def compare(text, lang="en"):
        return _compare_outputs(tv.compare(zoo, text), lang)

    @friendly
    def attention(text, layer, head, lang="en"):
        if not transformers:
            raise tv.SettingError(t("tok.no_transformer", lang))
        return plots.attention_heatmap(tv.attention(zoo.lm(transformers[0]), text, layer, head), lang)

    def _samples_out(gen, lang):
        if not gen:
            return _table([], "samples", lang), ""
        samples, seed, temperature, top_k = gen
        return (_table(tv.samples_table(samples, lang), "samples", lang),
                tv.samples_summary(samples, seed, temperature, top_k, lang))

    @friendly
    def generate(model, temperature, top_k, seed, n, lang="en"):
        """n whole names, sampled with temperature, top-k and seed. lang: 'en' or 'zh'."""
        samples = tv.generate_samples(zoo.lm(model), n, temperature, top_k, seed)
        gen = (samples, int(seed), float(temperature), int(top_k))
        return (*_samples_out(gen, lang), gen)

    def relabel_samples(gen, lang="en"):
        return _samples_out(gen, lang)

    def _step_out(state, lang):
        step = state.last
        fig = plots.next_token_bars(step, *state.settings, lang) if step is not None else None
        return fig, tv.step_markdown(state, step, lang), _table(state.table(), "history", lang)

    @friendly
    def generate_step(model, temperature, top_k, seed, state, lang="en"):
        """Draw one more character of the current name. lang: 'en' or 'zh'."""
        state = state if isinstance(state, tv.StepState) else tv.StepState()
        if state.done:
            gr.Warning(t("tok.finished_warning", lang, name=state.prefix))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        step = tv.generate_step(zoo.lm(model), state.prefix, temperature, top_k, seed)
        state = state.advance(step, (float(temperature), int(top_k)))
        return (state, *_step_out(state, lang))

    def relabel_steps(state, lang="en"):
        return _step_out(state if isinstance(state, tv.StepState) else tv.StepState(), lang)

    def reset(lang="en"):
        return tv.StepState(), None, tv.step_markdown(tv.StepState(), None, lang), _table([], "history", lang)

    def random_seed():
        return secrets.randbelow(limits.SEED_MAX + 1)

    # ---- layout ----------------------------------------------------------------------------
    gr.Markdown(tr("tok.explain"), elem_classes=["explain"])
    with gr.Row(equal_height=True):
        model = gr.Radio(choices, value=first, label=tr("tok.model"), scale=1, elem_id="tokens-model")
        text = gr.Textbox("emma", label=tr("tok.text"), scale=2, max_lines=1, max_length=200, elem_id="tokens-text",
                          info=tr_fmt("tok.text_info", max_len=vocab.max_len))
        score_btn = gr.Button(tr("tok.score"), variant="primary", scale=0, min_width=120, elem_id="tokens-score")
    examples = gr.Examples([["emma"], ["olivia"], ["jonathan"], ["xzqj"], ["anna"]], inputs=[text],
                           label=tr("tok.examples"), api_visibility="private")

    def first_view(lang="en") -> list:
        """"emma" scored, compared and its attention: sent when a page first opens the tab."""
        view = [*_score_outputs(tv.score(zoo.lm(first), "emma"), lang), *_compare_outputs(tv.compare(zoo, "emma"), lang)]
        return view + ([attention("emma", 1, 0, lang)] if transformers else [])
    init = first_view() if page is None else [None, "", None, None, None, None, None, "", None]
    strip = gr.Plot(init[0], label=tr("tok.strip"), show_label=False,
                    elem_id="tokens-strip")
    chain = gr.Markdown(init[1], label=tr("tok.chain"), elem_id="tokens-chain")
    with gr.Row():
        nll = gr.Plot(init[2], show_label=False)
        top5 = gr.Plot(init[3], show_label=False)
    table = gr.Dataframe(init[4], headers=TABLE_HEADERS, label=tr("tok.table"),
                         interactive=False, wrap=True, elem_id="tokens-table")

    gr.Markdown(tr("tok.compare"), elem_classes=["explain"])
    cmp_init = init[5:8]
    with gr.Row():
        cmp_strip = gr.Plot(cmp_init[0], show_label=False)
        cmp_bars = gr.Plot(cmp_init[1], show_label=False)
    cmp_md = gr.Markdown(cmp_init[2])

    if transformers:
        gr.Markdown(tr("tok.attention"), elem_classes=["explain"])
        n_layer, n_head = zoo.lm(transformers[0]).shape("n_layer"), zoo.lm(transformers[0]).shape("n_head")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                layer = gr.Radio([(tr_fmt("tok.layer_i", i=i), i) for i in range(1, n_layer + 1)], value=1,
                                 label=tr("tok.layer"), elem_id="tokens-layer")
                head = gr.Radio([(tr("tok.mean_heads"), 0)]
                                + [(tr_fmt("tok.head_i", i=i), i) for i in range(1, n_head + 1)],
                                value=0, label=tr("tok.head"), elem_id="tokens-head")
                gr.Markdown(tr("tok.attention_hint"), elem_classes=["explain"])
            att_plot = gr.Plot(init[8] if len(init) > 8 else None, show_label=False, scale=3, elem_id="tokens-attention")

    gr.Markdown(tr("tok.generate"), elem_classes=["explain"])
    with gr.Row():
        gen_model = gr.Radio(choices, value=first, label=tr("tok.model"), scale=1, elem_id="tokens-gen-model")
        temperature = gr.Slider(limits.TOKEN_TEMPERATURE[0], limits.TOKEN_TEMPERATURE[1], value=1.0, step=0.05,
                                label=tr("tok.temperature"), scale=2, elem_id="tokens-temperature")
        top_k = gr.Slider(0, vocab.size, value=0, step=1, label=tr("tok.top_k"), scale=2, elem_id="tokens-top-k")
    with gr.Row(equal_height=True, elem_classes=["presenter-hide"]):
        seed = gr.Number(0, precision=0, minimum=0, maximum=limits.SEED_MAX, label=tr("tok.seed"), scale=1,
                         elem_id="tokens-seed")
        dice = gr.Button(tr("tok.dice"), scale=0, min_width=140)
        n = gr.Slider(1, limits.MAX_SAMPLES, value=10, step=1, label=tr("tok.n"), scale=2)
    with gr.Row():
        with gr.Column():
            gen_btn = gr.Button(tr("tok.gen_btn"), variant="primary", elem_id="tokens-generate")
            gen_md = gr.Markdown(elem_id="tokens-gen-md")
            samples = gr.Dataframe(headers=SAMPLE_HEADERS, label=tr("tok.samples"), interactive=False, wrap=True,
                                   elem_id="tokens-samples")
            gen_state = gr.State(None)
        with gr.Column():
            with gr.Row():
                step_btn = gr.Button(tr("tok.step_btn"), variant="primary")
                reset_btn = gr.Button(tr("tok.reset"))
            step_state = gr.State(None)  # no step yet: the handlers start a new name
            step_md = gr.Markdown(tr("tok.step_first"))
            step_plot = gr.Plot(show_label=False, elem_id="tokens-step-plot")
            history = gr.Dataframe(headers=HISTORY_HEADERS, label=tr("tok.history"), interactive=False,
                                   elem_id="tokens-history")

    # ---- events ------------------------------------------------------------------------------
    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler
    score_outputs = [strip, chain, nll, top5, table]
    cmp_outputs = [cmp_strip, cmp_bars, cmp_md]

    def quiet(fn, n_outputs: int):
        """fn for the panels that accompany a Score click: they run beside it, not after it (one round
        trip instead of two), and leave the refusal of a bad name to the main event's message."""
        def run(*args):
            try:
                return fn.__wrapped__(*args)
            except USER_ERRORS:
                return gr.skip() if n_outputs == 1 else [gr.skip()] * n_outputs
        return run

    triggers = [score_btn.click, text.submit]
    if transformers:  # registered first so that it owns the name "attention"
        gr.on([layer.change, head.change], attention, [text, layer, head] + lang, att_plot, api_name="attention",
              show_progress="hidden")
    gr.on(triggers, token_probabilities, [model, text] + lang, score_outputs, api_name="token_probabilities")
    gr.on(triggers, quiet(compare, len(cmp_outputs)), [text] + lang, cmp_outputs, api_visibility="private",
          show_progress="hidden")
    if transformers:
        gr.on(triggers, quiet(attention, 1), [text, layer, head] + lang, att_plot, api_visibility="private",
              show_progress="hidden")
    on_example = examples.load_input_event.then(token_probabilities, [model, text] + lang, score_outputs,
                                                 api_visibility="private")
    # the public /compare (the same text, both models) follows a chosen example
    on_example.success(compare, [text] + lang, cmp_outputs, api_name="compare", show_progress="hidden")
    if transformers:
        on_example.success(attention, [text, layer, head] + lang, att_plot, api_visibility="private",
                           show_progress="hidden")
    model.change(token_probabilities, [model, text] + lang, score_outputs, api_visibility="private")

    gen_btn.click(generate, [gen_model, temperature, top_k, seed, n] + lang, [samples, gen_md, gen_state],
                  api_name="generate")
    step_btn.click(generate_step, [gen_model, temperature, top_k, seed, step_state] + lang,
                   [step_state, step_plot, step_md, history], api_name="generate_step")
    reset_outputs = [step_state, step_plot, step_md, history]
    reset_btn.click(reset, lang, reset_outputs, api_name="reset_steps")
    gen_model.change(reset, lang, reset_outputs, api_visibility="private")
    dice.click(random_seed, None, seed, api_visibility="private")

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        page.lazy("tokens", score_outputs + cmp_outputs + ([att_plot] if transformers else []), first_view)
        page.redraw(token_probabilities, [model, text], score_outputs)
        page.redraw(compare, [text], cmp_outputs)
        if transformers:
            page.redraw(attention, [text, layer, head], [att_plot])
            page.param("tokens", "layer", layer, parse_number(1, n_layer, integer=True), _int)
            page.param("tokens", "head", head, parse_number(0, n_head, integer=True), _int)
        page.redraw(relabel_samples, [gen_state], [samples, gen_md])
        page.redraw(relabel_steps, [step_state], [step_plot, step_md, history])
        page.param("tokens", "model", model, parse_choice(zoo.lms))
        page.param("tokens", "text", text, parse_text(vocab.max_len), lambda v: v or None)
        page.param("tokens", "gen_model", gen_model, parse_choice(zoo.lms))
        page.param("tokens", "T", temperature, parse_number(*limits.TOKEN_TEMPERATURE))
        page.param("tokens", "topk", top_k, parse_number(0, vocab.size, integer=True), _int)
        page.param("tokens", "seed", seed, parse_number(0, limits.SEED_MAX, integer=True), _int)


def _int(v):
    return None if v is None else str(int(v))
