"""Tab: reconstruction vs KL (beta). The trained beta sweep (instant), the lecture's Gaussian decoders
(sigma plays beta's role: a panel of the plane, their reconstructions and figures) and a live run whose
beta the student moves while it trains. The work is in explorer/views/tradeoff.py and
explorer/training/live.py."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import gradio as gr

from ..checkpoints import CHECKPOINT_DIR, LIVE_DIGITS
from ..classes import CLASS_NAMES
from ..training.pool import TrainerPool
from ..i18n import t
from ..views import limits
from .deferred import Deferred
from .output_image import OutputImage
from .common import InputError, friendly
from .page import Page, parse_number, tr, tr_fmt

views = Deferred("explorer.views.tradeoff")
live_digits_ = Deferred("explorer.training.live_digits")
live_process = Deferred("explorer.training.live_process")

INIT_CHOICES = [(tr("to.init_scratch"), "scratch"), (tr("to.init_sweep"), "sweep")]
TICK_SECONDS = 0.35


def _session(request: gr.Request | None) -> str:
    key = getattr(request, "session_hash", None) if request is not None else None
    if not key:
        raise InputError("live training needs a browser or gradio_client session; none was found")
    return key


@dataclass
class Measured:
    """What the tab measures once, at its first use: the fixed test digits, the sweep and the Gaussian
    decoders on them (frontier, sigmas), and the live runs' training digits (train_x)."""
    digits: object
    train_x: object
    frontier: object
    sigmas: object


def build(zoo, demo: gr.Blocks, page: Page | None = None) -> None:
    gr.Markdown(tr("to.explain"), elem_classes=["explain"])
    if len(zoo.sweep) < 2:
        gr.Markdown(tr("to.no_sweep"))
        return
    has_gallery = any(e.dataset == "mnist" and e.ships("map") for e in zoo.vaes.values())
    if not has_gallery and not (CHECKPOINT_DIR / LIVE_DIGITS).is_file():  # nothing to measure on: say so instead of crashing
        gr.Markdown(t("to.cannot_run", "en", error="no MNIST gallery in the zoo and no fallback digits"))
        return

    @functools.cache
    def measured() -> Measured:
        """Measured at the tab's first use (a page opening it, or a click), in 0.1 s, then kept."""
        try:
            live = live_digits_.load_live_digits()
        except FileNotFoundError:
            live = None
        digits = views.fixed_digits(zoo, fallback=live)
        return Measured(digits, live[0] if live is not None else None,  # uint8, shared by all runs
                        views.measure_frontier(zoo, digits), views.measure_sigmas(zoo, digits))

    betas = [float(p.beta) for p in zoo.sweep]
    start_index = limits.nearest_beta(betas, 1.0)
    sweep_latent = zoo.sweep[0].latent_dim
    class_names = CLASS_NAMES["mnist"]

    # ------------------------------------------------------------------ sweep view
    with gr.Row():
        index = gr.Slider(0, len(betas) - 1, value=start_index, step=1, elem_id="tradeoff-index",
                          label=tr("to.index"),
                          info="β = " + ", ".join(f"{b:g}" for b in betas))
        beta_box = gr.Number(value=betas[start_index], label=tr("to.beta_box"), interactive=False,
                             elem_id="tradeoff-beta", precision=None)
        seed_box = gr.Number(value=0, label=tr("to.seed"), precision=0, minimum=0, elem_id="tradeoff-seed",
                             elem_classes=["presenter-hide"])
    summary = gr.Markdown(elem_id="tradeoff-summary", label=tr("to.summary"))
    with gr.Row():
        plane = gr.Plot(label=tr("to.plane"), elem_id="tradeoff-plane")
        kl = gr.Plot(label=tr("to.kl"), elem_id="tradeoff-kl")
    with gr.Row():
        recon = OutputImage(label=tr("to.recon"),
                            type="pil", format="png", interactive=False, buttons=[])
        prior = OutputImage(label=tr("to.prior"), type="pil", format="png",
                            interactive=False, buttons=[])

    sigma_panel = []
    if zoo.sigmas:  # the lecture's Gaussian decoder: σ plays β's role (lower panel of the plane)
        gr.Markdown(tr("to.sigma.explain"), elem_classes=["explain"])
        with gr.Row(equal_height=False):
            sigma_panel.append(OutputImage(
                type="pil", format="png", interactive=False, buttons=[], elem_id="tradeoff-sigma-recon", scale=2,
                label=tr_fmt("to.sigma.recon", sigmas=", ".join(f"{p.sigma_x:g}" for p in zoo.sigmas))))
            with gr.Column(scale=3):
                sigma_panel.append(gr.Markdown(elem_id="tradeoff-sigma-table"))

    def sigma_table(lang="en") -> str:
        m = measured()
        if m.sigmas is None:
            return ""
        return t("to.sigma.table", lang, n=len(m.digits.evaluation), rows=views.sigma_table(m.sigmas))

    def sigma_view(lang="en") -> list:
        """The Gaussian decoders' reconstructions and table: sent when a page first opens the tab."""
        m = measured()
        return [views.sigma_reconstructions(zoo, m.digits) if m.sigmas is not None else None, sigma_table(lang)]

    @friendly
    def show_sweep(beta, seed, lang="en"):
        """The sweep point nearest beta: summary, the plane, KL per dimension, reconstructions and prior
        samples (seed). lang: 'en' (default) or 'zh', the language of the text and figures."""
        m = measured()
        v = views.sweep_view(zoo, m.frontier, m.digits, beta, 0 if seed is None else seed, lang, m.sigmas)
        return v.summary, v.plane, v.kl_bars, v.reconstructions, v.prior_samples

    @friendly
    def show_sweep_at(index_, seed, lang="en"):
        """show_sweep for the slider's position (0 .. number of sweep models - 1)."""
        return show_sweep(measured().frontier.beta_at(index_), seed, lang)

    lang = [page.lang] if page is not None else []  # the page's language: the last input of every text handler
    sweep_outputs = [summary, plane, kl, recon, prior]
    # the slider's position -> its beta, in the page itself (no round trip); beta_box.change then redraws
    betas_js = json.dumps(betas)
    index.change(None, index, beta_box, js=f"(i) => {{ const b = {betas_js}; "
                 "return b[Math.min(b.length - 1, Math.max(0, Math.round(Number(i) || 0)))]; }")
    beta_box.change(show_sweep, [beta_box, seed_box] + lang, sweep_outputs, api_name="tradeoff", show_progress="hidden")
    seed_box.submit(show_sweep, [beta_box, seed_box] + lang, sweep_outputs, api_visibility="private",
                    show_progress="hidden")
    if page is None:
        demo.load(show_sweep, [beta_box, seed_box], sweep_outputs, api_visibility="private", show_progress="hidden")

    # ------------------------------------------------------------------ live view
    gr.Markdown(tr("to.live_explain"), elem_classes=["explain"])
    pool = TrainerPool()
    # None until the page starts a run (a views.LiveSession then)
    run_state = gr.State(None, delete_callback=lambda s: s.stop("session ended") if s is not None else None)
    with gr.Row():
        init = gr.Radio(INIT_CHOICES, value="scratch", label=tr("to.init"))
        latent = gr.Radio([2, sweep_latent] if sweep_latent != 2 else [2], value=2,
                          label=tr("to.latent"))
        live_beta = gr.Slider(*limits.LIVE_BETA, value=1.0, step=0.05, elem_id="tradeoff-live-beta",
                              label=tr("to.live_beta"))
    with gr.Row():
        start_btn = gr.Button(tr("to.start"), variant="primary", elem_id="tradeoff-start")
        pause_btn = gr.Button(tr("to.pause"))
        resume_btn = gr.Button(tr("to.resume"))
        reset_btn = gr.Button(tr("to.reset"))
        stop_btn = gr.Button(tr("to.stop"), variant="stop", elem_id="tradeoff-stop")
    status = gr.Markdown(tr("to.status.none_short"), elem_id="tradeoff-live-status", label=tr("to.status"))
    with gr.Row():
        live_plane = gr.Plot(label=tr("to.live_plane"), elem_id="tradeoff-live-plane")
        curves = gr.Plot(label=tr("to.curves"), elem_id="tradeoff-curves")
    with gr.Row():
        with gr.Column():
            live_recon = OutputImage(label=tr("to.live_recon"), type="pil", format="png",
                                     interactive=False, buttons=[])
            live_prior = OutputImage(label=tr("to.live_prior"), type="pil", format="png",
                                     interactive=False, buttons=[])
        ellipses = gr.Plot(label=tr("to.ellipses"), elem_id="tradeoff-ellipses")
    with gr.Accordion(tr("to.raw"), open=False, elem_classes=["presenter-hide"]):
        numbers = gr.JSON(label=tr("to.raw_label"))
    timer = gr.Timer(TICK_SECONDS, active=False)
    live_outputs = [status, numbers, live_plane, curves, live_recon, live_prior, ellipses]

    def render(session, key: str | None, only_if_changed: bool = False, lang: str = "en"):
        session = session if isinstance(session, views.LiveSession) else views.LiveSession()
        v = views.live_update(session, measured().frontier, pool.running, pool.max_trainers,
                              pool.queue_position(key) if key else None, class_names, only_if_changed, lang)
        if isinstance(v, dict):  # nothing new: refresh only the (cheap) numbers, keep the figures
            return [views.live_status_text(v, lang), v] + [gr.skip()] * (len(live_outputs) - 2)
        return [v.status, v.numbers, v.plane, v.curves, v.reconstructions, v.prior_samples, v.ellipses]

    @friendly
    def start(init, latent_dim, beta, session, lang="en", request: gr.Request = None):
        key = _session(request)
        m = measured()
        run = views.new_live_run(zoo, m.frontier, m.digits, m.train_x, init, latent_dim, beta)
        # trained in a child process: a trainer thread here would hold the GIL that every click needs
        session = views.LiveSession(pool.submit(key, live_process.ProcessRun(run)))
        return [session, gr.Timer(active=True), *render(session, key, lang=lang)]

    @friendly
    def poll(session, lang="en", request: gr.Request = None):
        key = _session(request)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None and pool.get(key) is not run and run.alive:
            run.stop("no longer this session's run")
        out = render(session, key, only_if_changed=True, lang=lang)
        return [gr.Timer(active=run is not None and run.alive), *out]

    @friendly
    def set_beta(beta, session):
        b = views.check_live_beta(beta)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None and run.alive:
            run.set_beta(b)
        return views.live_numbers(run.snapshot() if run is not None else None, pool.running, pool.max_trainers)

    @friendly
    def stop(session, lang="en", request: gr.Request = None):
        key = _session(request)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None:
            if pool.get(key) is run:
                pool.release(key, "stopped by you")
            else:
                run.stop("stopped by you")
        return [gr.Timer(active=False), *render(session, key, lang=lang)]

    def control(action):
        @friendly
        def handler(session, lang="en", request: gr.Request = None):
            key = _session(request)
            if not isinstance(session, views.LiveSession) or session.run is None:
                raise InputError(t("err.no_live_run", "en"))
            getattr(session.run, action)()
            return render(session, key, lang=lang)
        return handler

    def redraw_live(session, lang="en", request: gr.Request = None):
        key = getattr(request, "session_hash", None) if request is not None else None
        return render(session, key, lang=lang)

    if page is None:
        demo.load(lambda: render(None, None), None, live_outputs, api_visibility="private", show_progress="hidden")
    start_btn.click(start, [init, latent, live_beta, run_state] + lang, [run_state, timer, *live_outputs],
                    api_name="live_start", show_progress="hidden")
    # the poll skips the queue (the page POSTs it to /gradio_api/run/live_status and reads the answer):
    # it only reads the trainer's newest snapshot, and through the queue it cost the server 9-11 ms of
    # CPU against 4-6 (bench_classroom.py's live_poll_cost; its live students poll as the page does)
    timer.tick(poll, [run_state] + lang, [timer, *live_outputs], api_name="live_status", show_progress="hidden",
               trigger_mode="once", queue=False)
    live_beta.change(set_beta, [live_beta, run_state], numbers, api_name="live_set_beta",
                     show_progress="hidden", trigger_mode="always_last")
    stop_btn.click(stop, [run_state] + lang, [timer, *live_outputs], api_name="live_stop", show_progress="hidden")
    for btn, action in ((pause_btn, "pause"), (resume_btn, "resume"), (reset_btn, "reset")):
        btn.click(control(action), [run_state] + lang, live_outputs, api_name=f"live_{action}",
                  api_visibility="undocumented", show_progress="hidden")

    def page_closed(request: gr.Request):
        key = getattr(request, "session_hash", None)
        if key:
            pool.release(key, "page closed")

    demo.unload(page_closed)

    if page is not None:  # another language, or a link to this view: redraw what the handlers wrote
        # drawn when the page opens, in its language (and again when the language changes)
        # the sweep view is sent when a page first opens the tab (not on every page load)
        page.lazy("tradeoff", sweep_outputs, lambda lang: show_sweep(betas[start_index], 0, lang))
        if sigma_panel:
            page.lazy("tradeoff", sigma_panel, sigma_view)
            page.redraw(sigma_table, [], sigma_panel[1:])  # its words; the picture has none
        # it reads the slider, which a link's β is written to before the redraw starts; the β box beside it
        # follows the slider in the page (index.change), and may not have yet when the redraw reads it
        page.redraw(show_sweep_at, [index, seed_box], sweep_outputs)
        page.redraw(redraw_live, [run_state], live_outputs, always=True)
        page.param("tradeoff", "beta", index, _parse_beta(betas), lambda i: f"{betas[_clamp(i, len(betas))]:g}")
        page.param("tradeoff", "seed", seed_box, parse_number(0, 2**31 - 1, integer=True),
                   lambda v: None if v is None else str(int(v)))
        page.param("tradeoff", "live_beta", live_beta, parse_number(*limits.LIVE_BETA))


def _clamp(i, n: int) -> int:
    return int(min(max(round(float(i)), 0), n - 1))


def _parse_beta(betas: list[float]):
    """?beta=4 -> the slider position of the sweep point nearest β = 4 (any β in the sweep's range)."""
    def parse(text: str):
        b = float(text)
        if not limits.SWEEP_BETA[0] <= b <= limits.SWEEP_BETA[1]:
            raise ValueError(text)
        return limits.nearest_beta(betas, b)
    return parse
