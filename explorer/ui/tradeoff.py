"""Tab: reconstruction vs KL (beta). The trained beta sweep (instant) and a live run whose beta the
student moves while it trains. The work is in explorer/views/tradeoff.py and explorer/training/live.py."""
from __future__ import annotations


import gradio as gr

from ..data import CLASS_NAMES
from ..training.live_digits import load_live_digits
from ..training.pool import TrainerPool
from ..views import tradeoff as views
from .common import InputError, friendly

EXPLAIN = r"""
### The two terms of the ELBO pull in opposite directions
The VAE maximises **ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))**. Write **distortion D = −E_q log p(x|z)**
(how badly x is reconstructed) and **rate R = KL(q(z|x) ‖ p(z))** (how many nats the code carries about x).
A β-VAE minimises **D + β·R**:
- **small β**: reconstruction wins: each x gets its own sharp code (σ → 0, distinct μ); reconstructions are
  crisp, but samples from the prior N(0, I) land where no digit was encoded.
- **large β**: the prior wins: q(z|x) is pushed toward N(0, I); latent dimensions switch off (their KL → 0,
  grey bars), reconstructions blur toward an average digit.

On the plane every trained model is a point (R, D); together they trace the **frontier**. The dashed lines
are constant ELBO (D + R); the plain VAE (β = 1, ★) sits where the frontier touches the best of them.
The model trained with β sits where the frontier has slope −β (dotted red).
"""

LIVE_EXPLAIN = """
### Live: move β while it trains
**Start** trains a small VAE on 2,000 MNIST training digits in the background (one CPU thread, just for
your browser tab). Every few steps it measures D and R on the same fixed test digits as the sweep and
draws the point on the plane (orange). Move **β** while it runs: the next step already uses the new
objective, and the orange point walks toward the frontier point for that β. From scratch the small model
starts far from the frontier (which was drawn by bigger models trained for minutes); start from a sweep
model to see it slide *along* the frontier. With a 2-D latent you see the posteriors themselves: small β
shrinks the ellipses to points, large β swells them toward the prior's unit circle.
"""

INIT_CHOICES = [("from scratch (small model, 256 hidden units)", "scratch"),
                ("from the trained sweep model nearest this β", "sweep")]
TICK_SECONDS = 0.35


def _session(request: gr.Request | None) -> str:
    key = getattr(request, "session_hash", None) if request is not None else None
    if not key:
        raise InputError("live training needs a browser or gradio_client session; none was found")
    return key


def build(zoo, demo: gr.Blocks) -> None:
    gr.Markdown(EXPLAIN)
    try:
        live_digits = load_live_digits()
    except FileNotFoundError:
        live_digits = None
    if len(zoo.sweep) < 2:
        gr.Markdown("**This app ships no β sweep** (checkpoints `sweep_mnist_beta*`, at least two): "
                    "nothing to show here.")
        return
    try:
        digits = views.fixed_digits(zoo, fallback=live_digits)
    except ValueError as e:  # neither a gallery nor the live digits ship: say so instead of crashing
        gr.Markdown(f"**This tab cannot run:** {e}. Build the digits with "
                    "`python -m explorer.training.live_digits --data-root ../shared/data`.")
        return
    train_x = live_digits[0].float().div(255.0) if live_digits is not None else None  # shared by all runs
    frontier = views.measure_frontier(zoo, digits)
    betas = [float(b) for b in frontier.betas]
    start_index = frontier.nearest(1.0)
    sweep_latent = zoo.sweep[0].model.config.latent_dim
    class_names = CLASS_NAMES["mnist"]

    # ------------------------------------------------------------------ sweep view
    with gr.Row():
        index = gr.Slider(0, len(betas) - 1, value=start_index, step=1, elem_id="tradeoff-index",
                          label="β: which trained model (left: reconstruction wins · right: prior wins)",
                          info="β = " + ", ".join(f"{b:g}" for b in betas))
        beta_box = gr.Number(value=betas[start_index], label="β of the chosen model", interactive=False,
                             elem_id="tradeoff-beta", precision=None)
        seed_box = gr.Number(value=0, label="prior-sample seed", precision=0, minimum=0)
    summary = gr.Markdown(elem_id="tradeoff-summary", label="summary")
    with gr.Row():
        plane = gr.Plot(label="Rate–distortion plane", elem_id="tradeoff-plane")
        kl = gr.Plot(label="KL per latent dimension", elem_id="tradeoff-kl")
    with gr.Row():
        recon = gr.Image(label="Test digits (top) and their reconstructions decode(μ) (bottom)",
                         type="pil", format="png", interactive=False, buttons=[])
        prior = gr.Image(label="Samples from the prior: decode(z), z ~ N(0, I)", type="pil", format="png",
                         interactive=False, buttons=[])

    @friendly
    def show_sweep(beta, seed):
        v = views.sweep_view(zoo, frontier, digits, beta, 0 if seed is None else seed)
        return v.summary, v.plane, v.kl_bars, v.reconstructions, v.prior_samples

    def beta_of_index(i):
        return frontier.beta_at(i)

    sweep_outputs = [summary, plane, kl, recon, prior]
    index.change(beta_of_index, index, beta_box, api_visibility="private", show_progress="hidden")
    beta_box.change(show_sweep, [beta_box, seed_box], sweep_outputs, api_name="tradeoff", show_progress="hidden")
    seed_box.submit(show_sweep, [beta_box, seed_box], sweep_outputs, api_visibility="private", show_progress="hidden")
    demo.load(show_sweep, [beta_box, seed_box], sweep_outputs, api_visibility="private", show_progress="hidden")

    # ------------------------------------------------------------------ live view
    gr.Markdown(LIVE_EXPLAIN)
    pool = TrainerPool()
    run_state = gr.State(views.LiveSession(), delete_callback=lambda s: s.stop("session ended"))
    with gr.Row():
        init = gr.Radio(INIT_CHOICES, value="scratch", label="Start")
        latent = gr.Radio([2, sweep_latent] if sweep_latent != 2 else [2], value=2,
                          label="Latent size (from scratch)")
        live_beta = gr.Slider(*views.LIVE_BETA, value=1.0, step=0.05, elem_id="tradeoff-live-beta",
                              label="β (live: changes the objective on the next step)")
    with gr.Row():
        start_btn = gr.Button("Start", variant="primary", elem_id="tradeoff-start")
        pause_btn = gr.Button("Pause")
        resume_btn = gr.Button("Resume")
        reset_btn = gr.Button("Reset")
        stop_btn = gr.Button("Stop", variant="stop", elem_id="tradeoff-stop")
    status = gr.Markdown("No live run yet: press **Start**.", elem_id="tradeoff-live-status", label="status line")
    with gr.Row():
        live_plane = gr.Plot(label="Live run on the rate–distortion plane", elem_id="tradeoff-live-plane")
        curves = gr.Plot(label="Training curves", elem_id="tradeoff-curves")
    with gr.Row():
        with gr.Column():
            live_recon = gr.Image(label="Live reconstructions (top: test digits)", type="pil", format="png",
                                  interactive=False, buttons=[])
            live_prior = gr.Image(label="Live prior samples (fixed seed)", type="pil", format="png",
                                  interactive=False, buttons=[])
        ellipses = gr.Plot(label="Posterior ellipses (2-D latent)", elem_id="tradeoff-ellipses")
    with gr.Accordion("Raw numbers (what /live_status returns)", open=False):
        numbers = gr.JSON(label="live status")
    timer = gr.Timer(TICK_SECONDS, active=False)
    live_outputs = [status, numbers, live_plane, curves, live_recon, live_prior, ellipses]

    def render(session, key: str | None, only_if_changed: bool = False):
        session = session if isinstance(session, views.LiveSession) else views.LiveSession()
        v = views.live_update(session, frontier, pool.running, pool.max_trainers,
                              pool.queue_position(key) if key else None, class_names, only_if_changed)
        if isinstance(v, dict):  # nothing new: refresh only the (cheap) numbers, keep the figures
            return [views.live_status_text(v), v] + [gr.skip()] * (len(live_outputs) - 2)
        return [v.status, v.numbers, v.plane, v.curves, v.reconstructions, v.prior_samples, v.ellipses]

    @friendly
    def start(init, latent_dim, beta, session, request: gr.Request):
        key = _session(request)
        run = views.new_live_run(zoo, frontier, digits, train_x, init, latent_dim, beta)
        session = views.LiveSession(pool.submit(key, run))
        return [session, gr.Timer(active=True), *render(session, key)]

    @friendly
    def poll(session, request: gr.Request):
        key = _session(request)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None and pool.get(key) is not run and run.alive:
            run.stop("no longer this session's run")
        out = render(session, key, only_if_changed=True)
        return [gr.Timer(active=run is not None and run.alive), *out]

    @friendly
    def set_beta(beta, session):
        b = views.check_live_beta(beta)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None and run.alive:
            run.set_beta(b)
        return views.live_numbers(run.snapshot() if run is not None else None, pool.running, pool.max_trainers)

    @friendly
    def stop(session, request: gr.Request):
        key = _session(request)
        run = session.run if isinstance(session, views.LiveSession) else None
        if run is not None:
            if pool.get(key) is run:
                pool.release(key, "stopped by you")
            else:
                run.stop("stopped by you")
        return [gr.Timer(active=False), *render(session, key)]

    def control(action):
        @friendly
        def handler(session, request: gr.Request):
            key = _session(request)
            if not isinstance(session, views.LiveSession) or session.run is None:
                raise InputError("no live run: press Start first")
            getattr(session.run, action)()
            return render(session, key)
        return handler

    demo.load(lambda: render(None, None), None, live_outputs, api_visibility="private", show_progress="hidden")
    start_btn.click(start, [init, latent, live_beta, run_state], [run_state, timer, *live_outputs],
                    api_name="live_start", show_progress="hidden")
    timer.tick(poll, run_state, [timer, *live_outputs], api_name="live_status", show_progress="hidden",
               trigger_mode="once")
    live_beta.change(set_beta, [live_beta, run_state], numbers, api_name="live_set_beta",
                     show_progress="hidden", trigger_mode="always_last")
    stop_btn.click(stop, run_state, [timer, *live_outputs], api_name="live_stop", show_progress="hidden")
    for btn, action in ((pause_btn, "pause"), (resume_btn, "resume"), (reset_btn, "reset")):
        btn.click(control(action), run_state, live_outputs, api_name=f"live_{action}",
                  api_visibility="undocumented", show_progress="hidden")

    def page_closed(request: gr.Request):
        key = getattr(request, "session_hash", None)
        if key:
            pool.release(key, "page closed")

    demo.unload(page_closed)
