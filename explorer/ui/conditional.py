"""Tab: p(x|y) and p(y|x). Sampling a conditional VAE by label (and one z written with every label);
one input classified twice, by a CNN p(y|x) and by Bayes' rule on the conditional VAE, which can reject
an outlier; and the recorded outlier detection in both directions. Layout and wiring only: the work is
in views/conditional.py, the figures in plots/conditional.py, every sentence in explorer/texts/conditional.py."""
from __future__ import annotations

import gradio as gr

from ..i18n import TEXT, class_name
from ..views import limits
from ..zoo import Zoo
from .deferred import Deferred
from .output_image import OutputImage
from .common import friendly
from .image_input import SELECT_BRUSH_JS, BoundedSketchpad, receive
from .page import Page, parse_choice, parse_number, tr

views = Deferred("explorer.views.conditional")


def label_choices(zoo: Zoo, dataset: str) -> list[tuple]:
    entry = zoo.conditional[dataset]
    return [(tr(f"class.{n}") if f"class.{n}" in TEXT else n, i) for i, n in enumerate(entry.class_names)]


def build(zoo: Zoo, page: Page | None = None) -> None:
    gr.Markdown(tr("cond.explain"), elem_classes=["explain"])
    datasets = [d for d in limits.DATASETS if d in zoo.conditional]
    if not datasets:
        gr.Markdown(tr("cond.no_model"))
        return
    first = datasets[0]
    ds_choices = [(tr(f"cond.ds.{d}"), d) for d in datasets]
    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler

    # ------------------------------------------------------------ p(x|y)
    gr.Markdown(tr("cond.sample_head"))
    gr.Markdown(tr("cond.sample_explain"), elem_classes=["explain"])
    # each section's first view is sent when a page first opens the tab (page.lazy), not in the config
    def first_samples(lang="en"):
        return views.sample_outputs(zoo, first, 0, 16, 0, 4, lang)
    init = first_samples() if page is None else [None] * 3
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            s_ds = gr.Radio(ds_choices, value=first, label=tr("cond.dataset"), elem_id="cond-s-dataset")
            s_label = gr.Dropdown(label_choices(zoo, first), value=0, label=tr("cond.label"), elem_id="cond-label")
            n = gr.Slider(limits.COND_SAMPLES[0], limits.COND_SAMPLES[1], value=16, step=1, label=tr("cond.n"), elem_id="cond-n")
            seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("cond.seed"),
                             elem_id="cond-seed")
            styles = gr.Slider(limits.STYLES[0], limits.STYLES[1], value=4, step=1, label=tr("cond.styles"),
                               elem_id="cond-styles-n", elem_classes=["presenter-hide"])
            sample_btn = gr.Button(tr("cond.sample_btn"), variant="primary", elem_id="cond-sample-run")
            sample_md = gr.Markdown(init[2], elem_id="cond-sample-md")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                samples = OutputImage(init[0], label=tr("cond.samples"), type="numpy", interactive=False, format="png",
                                      elem_id="cond-samples", height=300)
                rows = OutputImage(init[1], label=tr("cond.styles_img"), type="numpy", interactive=False, format="png",
                                   elem_id="cond-styles", height=300)

    @friendly
    def conditional_sample(dataset=first, label=0, n=16, seed=0, styles=4, lang="en"):
        """n images of one label from the conditional VAE of `dataset` ('mnist' or 'fashion'): z ~ N(0, I)
        with this seed, decoded with label y (0..9); and `styles` latent codes z, each decoded with every
        label. Returns the two image grids and a caption. lang: 'en' or 'zh'."""
        return views.sample_outputs(zoo, dataset, label, n, seed, styles, lang)

    sample_inputs = [s_ds, s_label, n, seed, styles]
    sample_outputs = [samples, rows, sample_md]
    gr.on([sample_btn.click, s_label.input], conditional_sample, sample_inputs + lang, sample_outputs,
          api_name="conditional_sample", show_progress="minimal")

    def relabel(dataset, lang="en"):
        """The label choices of another data set, as plain text in the page's language (a choice's
        translation key would be shown as it is once the choices are replaced)."""
        if dataset not in zoo.conditional:
            return gr.skip()
        names = zoo.conditional[dataset].class_names
        return gr.Dropdown(choices=[(class_name(n, lang), i) for i, n in enumerate(names)])

    s_ds.input(relabel, [s_ds] + lang, s_label, api_visibility="private", queue=False, show_progress="hidden").then(
        conditional_sample, sample_inputs + lang, sample_outputs, api_visibility="private", show_progress="minimal")

    # ------------------------------------------------------------ p(y|x) against p(x|y) p(y)
    gr.Markdown(tr("cond.classify_head"))
    gr.Markdown(tr("cond.classify_explain"), elem_classes=["explain"])
    gallery_len = max([zoo.conditional[d].gallery_count() for d in datasets] + [1])
    can_classify = zoo.conditional[first].ships("record")

    def first_classified(lang="en"):
        return views.classify_outputs(zoo, first, first, 7, 0, lang=lang)
    init_c = (first_classified() if page is None else [None] * 5) if can_classify else None
    source_choices = [(tr(f"cond.src.{s}"), s) for s in limits.COND_SOURCES if s not in limits.DATASETS or s in datasets]
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            c_ds = gr.Radio(ds_choices, value=first, label=tr("cond.model"), elem_id="cond-dataset")
            source = gr.Radio(source_choices, value=first, label=tr("cond.source"), elem_id="cond-source")
            index = gr.Slider(0, gallery_len - 1, value=7, step=1, label=tr("cond.index"), elem_id="cond-index")
            noise_seed = gr.Number(0, precision=0, minimum=limits.SEED[0], maximum=limits.SEED[1], label=tr("cond.noise_seed"),
                                   elem_id="cond-noise-seed", visible=False)
            sketch = BoundedSketchpad(  # the other tabs' sketchpad: draw only, black ink on a 280 px canvas
                sources=(), type="numpy", image_mode="RGBA", format="png", canvas_size=(280, 280), layers=False,
                transforms=(), brush=gr.Brush(default_size=12, colors=["#000000"], color_mode="fixed"),
                label=tr("img.sketch"), visible=False, elem_id="cond-sketch", height=330)
            upload = gr.Image(type="numpy", image_mode="RGBA", sources=["upload", "clipboard"],
                              label=tr("img.upload_label"), visible=False, elem_id="cond-upload", height=260)
            classify_btn = gr.Button(tr("cond.classify_btn"), variant="primary", elem_id="cond-run")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=200):
                    x_img = OutputImage(init_c and init_c[0], label=tr("cond.input_img"), type="numpy",
                                        interactive=False, format="png", elem_id="cond-input", height=170)
                with gr.Column(scale=2):
                    verdict = gr.Markdown(init_c and init_c[3], elem_id="cond-verdict")
            with gr.Row(equal_height=False):
                bars = gr.Plot(init_c and init_c[1], label=tr("cond.bars"), elem_id="cond-main")
                hist = gr.Plot(init_c and init_c[2], label=tr("cond.hist"), elem_id="cond-hist")
            with gr.Accordion(tr("cond.numbers"), open=False, elem_classes=["presenter-hide"]):
                numbers = gr.JSON(init_c and init_c[4], elem_id="cond-numbers")

    def show(src):
        return (gr.Slider(visible=src in limits.DATASETS), gr.Number(visible=src == "noise"),
                gr.update(visible=src == "draw"), gr.Image(visible=src == "upload"))

    source.change(show, source, [index, noise_seed, sketch, upload], api_visibility="private", queue=False,
                  show_progress="hidden", js=SELECT_BRUSH_JS.replace("SKETCH_ID", "cond-sketch"))

    @friendly
    def classify(dataset=first, source=first, index=0, seed=0, sketch=None, upload=None, lang="en"):
        """One image classified by both models of `dataset` ('mnist' or 'fashion'). The image: test image
        `index` of the shipped gallery of source 'mnist' or 'fashion' (the other set's images are outliers),
        uniform noise with this seed ('noise'), or a drawing / upload ('draw' / 'upload'). Returns the
        image, both models' p(y|x) (bar chart), log p(x) against the threshold (histogram), the verdict,
        and the numbers: the CNN's p(y|x), the generative p(y|x) = p(x|y) p(y) / p(x), log p(x|y) per
        label, log p(x), the threshold, accepted (true/false) and the label. lang: 'en' or 'zh'."""
        sketch = receive(sketch_component, sketch, "x") if source == "draw" else None
        upload = receive(upload_component, upload, "x") if source == "upload" else None
        return views.classify_outputs(zoo, dataset, source, index, seed, sketch, upload, lang)

    sketch_component, upload_component = sketch, upload
    classify_inputs = [c_ds, source, index, noise_seed, sketch, upload]
    classify_outputs = [x_img, bars, hist, verdict, numbers]
    # preprocess=False: the handler decodes images itself, through image_input.receive
    gr.on([classify_btn.click, index.release, c_ds.input], classify, classify_inputs + lang, classify_outputs,
          api_name="classify", show_progress="minimal", preprocess=False)

    # ------------------------------------------------------------ recorded outlier detection
    gr.Markdown(tr("cond.ood_head"))
    gr.Markdown(tr("cond.ood_explain"), elem_classes=["explain"])
    ood = gr.Plot(views.ood_outputs(zoo) if page is None else None, label=tr("cond.ood"), elem_id="cond-ood")

    @friendly
    def ood_figure(lang="en"):
        return views.ood_outputs(zoo, lang)

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        page.lazy("conditional", sample_outputs, first_samples)
        if can_classify:
            page.lazy("conditional", classify_outputs, first_classified)
        page.lazy("conditional", [ood], lambda lang: [views.ood_outputs(zoo, lang)])
        page.redraw(relabel, [s_ds], [s_label])
        page.redraw(conditional_sample, sample_inputs, sample_outputs)
        if can_classify:
            page.redraw(classify, classify_inputs, classify_outputs, preprocess=False)
        page.redraw(ood_figure, [], [ood])
        page.param("conditional", "ds", s_ds, parse_choice(datasets))
        page.param("conditional", "y", s_label, parse_number(0, 9, integer=True), _int)
        page.param("conditional", "n", n, parse_number(*limits.COND_SAMPLES, integer=True), _int)
        page.param("conditional", "seed", seed, parse_number(*limits.SEED, integer=True), _int)
        page.param("conditional", "rows", styles, parse_number(*limits.STYLES, integer=True), _int)
        page.param("conditional", "x", source, parse_choice([s for _, s in source_choices]))
        page.param("conditional", "i", index, parse_number(0, gallery_len - 1, integer=True), _int)
        page.param("conditional", "noise", noise_seed, parse_number(*limits.SEED, integer=True), _int)
        page.param("conditional", "model", c_ds, parse_choice(datasets))


def _int(v):
    return None if v is None else str(int(v))
