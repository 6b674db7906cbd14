"""Tab: per-token probabilities. The chain rule with numbers, Transformer vs GRU, the masked
attention, and sampling (whole or one step at a time). Work happens in explorer/token_views.py,
figures in explorer/plots/tokens.py; this module only builds components and wires events.
"""
from __future__ import annotations

import secrets

import gradio as gr

from ..views import tokens as tv
from ..plots import tokens as plots
from .common import friendly

EXPLAIN = """### Per-token probabilities: the chain rule, one character at a time
An autoregressive model scores a whole name exactly, as a product of next-character predictions:
**p(x) = ∏ₜ p(xₜ | x₍<ₜ₎)**, so **log p(x) = Σₜ log p(xₜ | x₍<ₜ₎)**
(no bound, unlike the VAE's ELBO).
Each character, and the end token that closes the name, is coloured by the probability the model gave
it *before* seeing it: **blue** = more likely than a blind, uniform guess, **red** = less likely (a surprise).
In the contexts, `.` marks the start of the name; `<end>` is the end token.
The text is stripped and lower-cased, as names.txt is lower case."""

COMPARE = """### Transformer vs GRU on the same text
Both models read the same characters and are trained on the same names; they differ only in how they
summarise the past: the GRU squeezes it into one hidden vector, the Transformer looks back at every
earlier position. Lower total -log p (nats) = the model finds the name more plausible."""

ATTENTION = """### Inside the Transformer: masked self-attention
Row *t* shows how strongly the position reading the *t*-th input token looks at each earlier position
(each row sums to 1). The blank upper triangle is the causal mask: a prediction may never peek at
the future, which is what makes the chain rule above valid. Row `.` (the start) can only look at itself."""

GENERATE = """### Generate: sample x₁ ~ p(x₁ | .), x₂ ~ p(x₂ | . x₁), … until the end token
**Temperature** divides the logits before the softmax (below 1: safer, more common names; above 1:
wilder). **Top-k** keeps only the k most likely characters (0 = off). The **seed** fixes every draw:
same seed and settings give the same names, and *Step* from an empty prefix replays sample #1."""

SAMPLE_HEADERS = ["#", "name", "chars", "log p(x) (model, T=1)", "training set?"]
TABLE_HEADERS = ["t", "context x<t", "token xt", "p(xt | x<t)", "-log p (nats)", "top-5 (✓ = the actual token)"]
HISTORY_HEADERS = ["step", "context", "drawn", "p sampled from", "p model (T=1)"]


def _score_outputs(s: tv.Scored):
    chain = f"```text\n{s.chain_rule()}\n```\n{s.summary()}"
    return (plots.token_strip([s]), chain, plots.nll_bars([s]), plots.top_alternatives(s), s.table())


def _compare_outputs(scored: list[tv.Scored]):
    return plots.token_strip(scored), plots.nll_bars(scored), tv.compare_summary(scored)


def build(zoo) -> None:
    if not zoo.lms:
        gr.Markdown("No character model is loaded: train one with `python -m explorer.training.train transformer` "
                    "(see the README), then restart the app.")
        return
    transformers = [n for n, e in zoo.lms.items() if getattr(e.model, "kind", None) == "transformer"]
    choices = sorted(zoo.lm_choices(), key=lambda c: c[1] not in transformers)  # the Transformer first
    first = choices[0][1]
    vocab = zoo.lm(first).vocab

    # ---- handlers: validate, call token_views, draw -------------------------------------------
    @friendly
    def token_probabilities(model, text):
        return _score_outputs(tv.score(zoo.lm(model), text))

    @friendly
    def compare(text):
        return _compare_outputs(tv.compare(zoo, text))

    @friendly
    def attention(text, layer, head):
        if not transformers:
            raise tv.SettingError("no Transformer is loaded, so there is no attention to show")
        return plots.attention_heatmap(tv.attention(zoo.lm(transformers[0]), text, layer, head))

    @friendly
    def generate(model, temperature, top_k, seed, n):
        samples = tv.generate_samples(zoo.lm(model), n, temperature, top_k, seed)
        return tv.samples_table(samples), tv.samples_summary(samples, seed, temperature, top_k)

    @friendly
    def generate_step(model, temperature, top_k, seed, state):
        state = state if isinstance(state, tv.StepState) else tv.StepState()
        if state.done:
            gr.Warning(f'"{state.prefix}" is finished (the end token was drawn): press Reset to start a new name.')
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        step = tv.generate_step(zoo.lm(model), state.prefix, temperature, top_k, seed)
        state = state.advance(step)
        fig = plots.next_token_bars(step, float(temperature), int(top_k))
        return state, fig, tv.step_markdown(state, step), state.table()

    def reset():
        return tv.StepState(), None, tv.step_markdown(tv.StepState(), None), []

    def random_seed():
        return secrets.randbelow(tv.SEED_MAX + 1)

    # ---- layout ----------------------------------------------------------------------------
    gr.Markdown(EXPLAIN)
    with gr.Row(equal_height=True):
        model = gr.Radio(choices, value=first, label="Model", scale=1)
        text = gr.Textbox("emma", label="Text (a name)", scale=2, max_lines=1, max_length=200,
                          info=f"lower case a–z, at most {vocab.max_len} characters (it is stripped and "
                               "lower-cased for you)")
        score_btn = gr.Button("Score", variant="primary", scale=0, min_width=120)
    examples = gr.Examples([["emma"], ["olivia"], ["jonathan"], ["xzqj"], ["anna"]], inputs=[text],
                           label="Examples (xzqj: an unlikely name)", api_visibility="private")
    init = _score_outputs(tv.score(zoo.lm(first), "emma"))
    strip = gr.Plot(init[0], label="Each token coloured by p(xₜ | x₍<ₜ₎)", show_label=False,
                    elem_id="tokens-strip")
    chain = gr.Markdown(init[1], label="The chain rule with numbers", elem_id="tokens-chain")
    with gr.Row():
        nll = gr.Plot(init[2], show_label=False)
        top5 = gr.Plot(init[3], show_label=False)
    table = gr.Dataframe(init[4], headers=TABLE_HEADERS, label="p and -log p per position, with the top-5",
                         interactive=False, wrap=True, elem_id="tokens-table")

    gr.Markdown(COMPARE)
    cmp_init = _compare_outputs(tv.compare(zoo, "emma"))
    with gr.Row():
        cmp_strip = gr.Plot(cmp_init[0], show_label=False)
        cmp_bars = gr.Plot(cmp_init[1], show_label=False)
    cmp_md = gr.Markdown(cmp_init[2])

    if transformers:
        gr.Markdown(ATTENTION)
        cfg = zoo.lm(transformers[0]).model.config
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                layer = gr.Radio([(f"layer {i}", i) for i in range(1, cfg.n_layer + 1)], value=1, label="Layer")
                head = gr.Radio([("mean over heads", 0)] + [(f"head {i}", i) for i in range(1, cfg.n_head + 1)],
                                value=0, label="Head")
                gr.Markdown("Earlier layers often look at the previous character; later ones spread out. "
                            "Try a long name such as *jonathan*.")
            att_plot = gr.Plot(attention("emma", 1, 0), show_label=False, scale=3, elem_id="tokens-attention")

    gr.Markdown(GENERATE)
    with gr.Row():
        gen_model = gr.Radio(choices, value=first, label="Model", scale=1)
        temperature = gr.Slider(tv.TEMPERATURE_RANGE[0], tv.TEMPERATURE_RANGE[1], value=1.0, step=0.05,
                                label="Temperature T", scale=2)
        top_k = gr.Slider(0, vocab.size, value=0, step=1, label="Top-k (0 = off)", scale=2)
    with gr.Row(equal_height=True):
        seed = gr.Number(0, precision=0, minimum=0, maximum=tv.SEED_MAX, label="Seed", scale=1)
        dice = gr.Button("Random seed", scale=0, min_width=140)
        n = gr.Slider(1, tv.MAX_SAMPLES, value=10, step=1, label="Number of names (whole)", scale=2)
    with gr.Row():
        with gr.Column():
            gen_btn = gr.Button("Generate whole names", variant="primary")
            gen_md = gr.Markdown()
            samples = gr.Dataframe(headers=SAMPLE_HEADERS, label="Samples", interactive=False, wrap=True,
                                   elem_id="tokens-samples")
        with gr.Column():
            with gr.Row():
                step_btn = gr.Button("Step: draw one character", variant="primary")
                reset_btn = gr.Button("Reset")
            step_state = gr.State(tv.StepState())
            step_md = gr.Markdown(tv.step_markdown(tv.StepState(), None))
            step_plot = gr.Plot(show_label=False, elem_id="tokens-step-plot")
            history = gr.Dataframe(headers=HISTORY_HEADERS, label="Steps so far", interactive=False,
                                   elem_id="tokens-history")

    # ---- events ------------------------------------------------------------------------------
    score_outputs = [strip, chain, nll, top5, table]
    cmp_outputs = [cmp_strip, cmp_bars, cmp_md]

    def wire_analysis(event, public: bool):
        vis = "public" if public else "private"
        event.success(compare, [text], cmp_outputs, api_name="compare" if public else None,
                      api_visibility=vis, show_progress="hidden")
        if transformers:
            event.success(attention, [text, layer, head], att_plot, api_visibility="private",
                          show_progress="hidden")

    if transformers:  # registered first so that it owns the name "attention"
        gr.on([layer.change, head.change], attention, [text, layer, head], att_plot, api_name="attention",
              show_progress="hidden")
    main = gr.on([score_btn.click, text.submit], token_probabilities, [model, text], score_outputs,
                 api_name="token_probabilities")
    wire_analysis(main, public=True)
    on_example = examples.load_input_event.then(token_probabilities, [model, text], score_outputs,
                                                 api_visibility="private")
    wire_analysis(on_example, public=False)
    model.change(token_probabilities, [model, text], score_outputs, api_visibility="private")

    gen_btn.click(generate, [gen_model, temperature, top_k, seed, n], [samples, gen_md], api_name="generate")
    step_btn.click(generate_step, [gen_model, temperature, top_k, seed, step_state],
                   [step_state, step_plot, step_md, history], api_name="generate_step")
    reset_outputs = [step_state, step_plot, step_md, history]
    reset_btn.click(reset, None, reset_outputs, api_name="reset_steps")
    gen_model.change(reset, None, reset_outputs, api_visibility="private")
    dice.click(random_seed, None, seed, api_visibility="private")
