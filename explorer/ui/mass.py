"""Tab: probability mass competes (∫p(x)dx = 1). Every name of up to L characters with its exact
probability, the mass per length and the mass left to longer names (the sum is 1), and how
temperature moves mass between names. Work in explorer/views/mass.py, figures in
explorer/plots/mass.py; this module only builds components and wires events.
"""
from __future__ import annotations

import gradio as gr
import pandas as pd

from ..views import limits
from .common import friendly
from .deferred import Deferred
from .page import Page, parse_choice, parse_number, parse_text, tr

plots = Deferred("explorer.plots.mass")
mv = Deferred("explorer.views.mass")


def _table(rows: list[list], which: str, lang: str = "en") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=mv.headers(which, lang))


def _outputs(m: mv.Mass, lang: str = "en"):
    return (plots.mass_bars(m, lang), m.summary(lang), _table(m.lengths_table(lang), "lengths", lang),
            plots.top_names(m, lang), _table(m.top_table(lang), "top", lang),
            plots.mass_vs_temperature(m, lang), plots.entropy_vs_temperature(m, lang))


def build(zoo, page: Page | None = None) -> None:
    if not zoo.lms:
        gr.Markdown(tr("mass.no_model"))
        return
    choices = zoo.lm_choices()  # the Transformer first
    first = choices[0][1]
    vocab = zoo.lm(first).vocab

    @friendly
    def probability_mass(model, max_length, temperature, prefix, lang="en"):
        """Every name of up to max_length characters after prefix ('' = all names) with its exact
        probability at temperature T: the mass per length, the mass left to longer names, their sum,
        the top names and the same across temperatures. lang: 'en' (default) or 'zh', the language
        of the text and figures."""
        return _outputs(mv.probability_mass(zoo.lm(model), max_length, temperature, prefix), lang)

    # ---- layout ----------------------------------------------------------------------------
    gr.Markdown(tr("mass.explain"), elem_classes=["explain"])
    with gr.Row(equal_height=True):
        model = gr.Radio(choices, value=first, label=tr("mass.model"), scale=1, elem_id="mass-model")
        length = gr.Slider(limits.LENGTH_RANGE[0], limits.LENGTH_RANGE[1], value=limits.MAX_DEPTH, step=1,
                           label=tr("mass.length"), scale=1, elem_id="mass-length")
        temperature = gr.Slider(limits.TOKEN_TEMPERATURE[0], limits.TOKEN_TEMPERATURE[1], value=1.0, step=0.05,
                                label=tr("mass.temperature"), scale=2, elem_id="mass-temperature")
    with gr.Row(equal_height=True):
        prefix = gr.Textbox("", label=tr("mass.prefix"), scale=3, max_lines=1, max_length=40, elem_id="mass-prefix",
                            info=tr("mass.prefix_info"))
        run = gr.Button(tr("mass.run"), variant="primary", scale=0, min_width=140, elem_id="mass-run")
    # the first view: computed (and the model's prefix tree cached) the first time a page opens the
    # tab (page.lazy), not at start-up and not in the page's config
    def first_view(lang="en"):
        return _outputs(mv.probability_mass(zoo.lm(first), limits.MAX_DEPTH, 1.0, ""), lang)
    init = first_view() if page is None else [None] * 7
    main = gr.Plot(init[0], show_label=False, elem_id="mass-main")
    summary = gr.Markdown(init[1], elem_id="mass-summary")
    with gr.Row():
        with gr.Column(scale=2):
            top_plot = gr.Plot(init[3], show_label=False, elem_id="mass-top")
        with gr.Column(scale=3):
            lengths = gr.Dataframe(init[2], label=tr("mass.lengths"), interactive=False, elem_id="mass-lengths")
            top_table = gr.Dataframe(init[4], label=tr("mass.top"), interactive=False, wrap=True,
                                     max_height=420, elem_id="mass-top-table")
    gr.Markdown(tr("mass.vs_T"), elem_classes=["explain"])
    with gr.Row():
        sweep = gr.Plot(init[5], show_label=False, scale=3, elem_id="mass-sweep")
        entropy = gr.Plot(init[6], show_label=False, scale=2, elem_id="mass-entropy")

    # ---- events ------------------------------------------------------------------------------
    lang = [page.lang] if page is not None else []  # the page's language: the last input of every handler
    inputs = [model, length, temperature, prefix]
    outputs = [main, summary, lengths, top_plot, top_table, sweep, entropy]
    gr.on([run.click, prefix.submit], probability_mass, inputs + lang, outputs, api_name="probability_mass")
    gr.on([model.change, length.release, temperature.release], probability_mass, inputs + lang, outputs,
          api_visibility="private", show_progress="hidden")

    if page is not None:  # another language, or a link to this view: redraw what the handler wrote
        page.lazy("mass", outputs, first_view)
        page.redraw(probability_mass, inputs, outputs)
        page.param("mass", "model", model, parse_choice(zoo.lms))
        page.param("mass", "L", length, parse_number(*limits.LENGTH_RANGE, integer=True), _int)
        page.param("mass", "T", temperature, parse_number(*limits.TOKEN_TEMPERATURE))
        page.param("mass", "prefix", prefix, parse_text(vocab.max_len - 1), lambda v: v or None)


def _int(v):
    return None if v is None else str(int(v))
