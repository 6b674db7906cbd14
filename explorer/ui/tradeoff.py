"""Tab: reconstruction vs KL (beta). The trained beta sweep (instant) and a live run whose beta the
student moves while it trains. The work is in explorer/tradeoff_views.py and explorer/live.py."""
from __future__ import annotations


import gradio as gr

from ..data import CLASS_NAMES
from ..live import LiveConfig, LiveRun, TrainerPool, copy_model, load_live_digits, small_vae
from ..tradeoff_views import (Frontier, fixed_digits, live_numbers, live_status_text, live_view, measure_frontier,
                              sweep_view)
from ..errors import check_float
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
LIVE_MAX_BETA = 8.0


def _session(request: gr.Request | None) -> str:
    key = getattr(request, "session_hash", None) if request is not None else None
    if not key:
        raise InputError("live training needs a browser or gradio_client session; none was found")
    return key


def _live_beta(beta) -> float:
    return check_float(beta, "β", 0, LIVE_MAX_BETA)


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
        digits = fixed_digits(zoo, fallback=live_digits)
    except ValueError as e:  # neither a gallery nor the live digits ship: say so instead of crashing
        gr.Markdown(f"**This tab cannot run:** {e}. Build the digits with `python -m explorer.live --build-data`.")
        return
    train_x = live_digits[0].float().div(255.0) if live_digits is not None else None  # shared by all runs
    frontier: Frontier = measure_frontier(zoo, digits)
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
        v = sweep_view(zoo, frontier, digits, beta, 0 if seed is None else seed)
        return v.summary, v.plane, v.kl_bars, v.reconstructions, v.prior_samples

    def beta_of_index(i):
        i = int(min(max(round(float(i or 0)), 0), len(betas) - 1))
        return betas[i]

    sweep_outputs = [summary, plane, kl, recon, prior]
    index.change(beta_of_index, index, beta_box, api_visibility="private", show_progress="hidden")
    beta_box.change(show_sweep, [beta_box, seed_box], sweep_outputs, api_name="tradeoff", show_progress="hidden")
    seed_box.submit(show_sweep, [beta_box, seed_box], sweep_outputs, api_visibility="private", show_progress="hidden")
    demo.load(show_sweep, [beta_box, seed_box], sweep_outputs, api_visibility="private", show_progress="hidden")

    # ------------------------------------------------------------------ live view
    gr.Markdown(LIVE_EXPLAIN)
    pool = TrainerPool()
    run_state = gr.State(None, delete_callback=lambda run: run.stop("session ended") if run is not None else None)
    with gr.Row():
        init = gr.Radio(INIT_CHOICES, value="scratch", label="Start")
        latent = gr.Radio([2, sweep_latent] if sweep_latent != 2 else [2], value=2,
                          label="Latent size (from scratch)")
        live_beta = gr.Slider(0, LIVE_MAX_BETA, value=1.0, step=0.05, elem_id="tradeoff-live-beta",
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

    def render(run: LiveRun | None, key: str | None, only_if_changed: bool = False):
        snap = None
        if run is not None:
            snap = run.snapshot()
            if key is not None and snap.state == "waiting":
                snap.queue_position = pool.queue_position(key)
            seen = (snap.step, snap.state, snap.beta, len(snap.history["step"]), snap.queue_position)
            if only_if_changed and getattr(run, "rendered", None) == seen:
                # nothing new: keep the figures as they are, refresh only the (cheap) numbers
                n = live_numbers(snap, pool.running, pool.max_trainers)
                return [live_status_text(n), n] + [gr.skip()] * (len(live_outputs) - 2)
            run.rendered = seen
        v = live_view(snap, frontier, pool.running, pool.max_trainers, class_names)
        return [v.status, v.numbers, v.plane, v.curves, v.reconstructions, v.prior_samples, v.ellipses]

    def new_run(kind: str, z: int, beta: float) -> LiveRun:
        if live_digits is None:
            raise InputError("live training digits are missing (checkpoints/live_digits.safetensors); "
                             "build them with `python -m explorer.live --build-data`")
        images = train_x
        if kind == "sweep":
            i = frontier.nearest(max(beta, min(betas)))
            model, label = copy_model(zoo.sweep[i].model), f"started from {zoo.sweep[i].name}"
        else:
            model, label = small_vae(z), f"from scratch, {z}-D latent"
        return LiveRun(model, images, digits.evaluation, beta=beta, config=LiveConfig(), show_x=digits.show.x,
                       ellipse_x=digits.ellipses.x, ellipse_labels=digits.ellipses.labels, label=label)

    @friendly
    def start(init, latent_dim, beta, run, request: gr.Request):
        key = _session(request)
        if init not in ("scratch", "sweep"):
            raise InputError(f"start must be 'scratch' or 'sweep', got {init!r}")
        try:
            z = int(latent_dim)
        except (TypeError, ValueError):
            raise InputError(f"latent size must be 2 or {sweep_latent}, got {latent_dim!r}") from None
        if z not in (2, sweep_latent):
            raise InputError(f"latent size must be 2 or {sweep_latent}, got {latent_dim!r}")
        run = pool.submit(key, new_run(init, z, _live_beta(beta)))
        return [run, gr.Timer(active=True), *render(run, key)]

    @friendly
    def poll(run, request: gr.Request):
        key = _session(request)
        if run is not None and pool.get(key) is not run and run.alive:
            run.stop("no longer this session's run")
        out = render(run, key, only_if_changed=True)
        still = run is not None and run.alive
        return [gr.Timer(active=still), *out]

    @friendly
    def set_beta(beta, run):
        b = _live_beta(beta)
        if run is not None and run.alive:
            run.set_beta(b)
        return live_numbers(run.snapshot() if run is not None else None, pool.running, pool.max_trainers)

    @friendly
    def stop(run, request: gr.Request):
        key = _session(request)
        if run is not None:
            if pool.get(key) is run:
                pool.release(key, "stopped by you")
            else:
                run.stop("stopped by you")
        return [gr.Timer(active=False), *render(run, key)]

    def control(action):
        @friendly
        def handler(run, request: gr.Request):
            key = _session(request)
            if run is None:
                raise InputError("no live run: press Start first")
            getattr(run, action)()
            return render(run, key)
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
