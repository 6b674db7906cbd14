"""The reconstruction-vs-KL tab's functions on the tiny zoo (untrained tiny sweep)."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from explorer.training.live import LiveConfig, LiveRun, Restart
from explorer.models import VAE, VAEConfig
from explorer.plots import tradeoff as plots
from explorer.errors import check_seed
from explorer.plots.tradeoff import image_grid
from explorer.views.tradeoff import (EVAL_PER_CLASS, fixed_digits, live_numbers, live_status_text, live_view,
                                     measure_frontier, sweep_view)


@pytest.fixture(scope="module")
def digits(tiny_zoo):
    return fixed_digits(tiny_zoo)


@pytest.fixture(scope="module")
def frontier(tiny_zoo, digits):
    return measure_frontier(tiny_zoo, digits)


def png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_fixed_digits_are_balanced_binary_test_digits(digits):
    ev = digits.evaluation
    assert ev.shape[1:] == (1, 28, 28)
    assert set(torch.unique(ev).tolist()) <= {0.0, 1.0}
    assert len(ev) == 10 * min(EVAL_PER_CLASS, 10)  # the tiny gallery has 10 digits per class
    assert sorted(digits.show.labels.tolist()) == list(range(10))
    assert np.bincount(digits.ellipses.labels).tolist() == [10] * 10


def test_fixed_digits_fall_back_to_training_digits_without_a_gallery():
    from explorer.zoo import Zoo
    x = (torch.rand(40, 28, 28) * 255).to(torch.uint8)
    d = fixed_digits(Zoo(), fallback=(x, np.arange(40) % 10))
    assert d.evaluation.shape == (40, 1, 28, 28) and "training digits" in d.source
    with pytest.raises(ValueError, match="no MNIST gallery"):
        fixed_digits(Zoo())


def test_frontier_measures_every_sweep_point(tiny_zoo, frontier):
    assert list(frontier.betas) == [p.beta for p in tiny_zoo.sweep]
    assert np.all(frontier.rates >= 0) and np.all(np.isfinite(frontier.distortions))
    for kl, r in zip(frontier.kl_per_dim, frontier.rates):
        assert kl.shape == (4,) and np.isclose(kl.sum(), r, rtol=1e-4)


@pytest.mark.parametrize("beta, expected", [(0.5, 0.5), (0.1, 0.5), (0.7, 0.5), (0.75, 1.0), (3.0, 4.0), (100, 4.0)])
def test_nearest_sweep_point_on_a_log_scale(frontier, beta, expected):
    assert frontier.betas[frontier.nearest(beta)] == expected


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "four", None, 1e6])
def test_bad_beta_says_what_is_allowed(tiny_zoo, frontier, digits, bad):
    with pytest.raises(ValueError, match="beta must be a number from"):
        sweep_view(tiny_zoo, frontier, digits, bad)


@pytest.mark.parametrize("bad", [-1, 1.5, float("nan"), "x", 2**40])
def test_bad_seed_says_what_is_allowed(bad):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        check_seed(bad)


def test_sweep_view_contents(tiny_zoo, frontier, digits):
    v = sweep_view(tiny_zoo, frontier, digits, 4.0, seed=3)
    assert v.beta == 4.0 and v.name == "sweep_beta4"
    assert "β = 4" in v.summary and "nats" in v.summary
    # two rows of ten 28 px digits, scaled 3x with gaps
    assert v.reconstructions.size[0] > v.reconstructions.size[1] > 2 * 28 * 3
    assert sum(len(t.y) for t in v.kl_bars.data) == 4
    assert v.active_units == int(frontier.active[2].sum())
    names = [t.name for t in v.plane.data]
    assert "chosen β = 4" in names and "trained models (β sweep)" in names
    assert any(n.startswith("β = 1") for n in names)  # the plain VAE is marked
    sweep = next(t for t in v.plane.data if t.name == "trained models (β sweep)")
    assert np.allclose(sweep.x, frontier.rates) and np.allclose(sweep.y, frontier.distortions)


def test_prior_samples_reproduce_with_the_seed(tiny_zoo, frontier, digits):
    a = sweep_view(tiny_zoo, frontier, digits, 1.0, seed=7).prior_samples
    b = sweep_view(tiny_zoo, frontier, digits, 1.0, seed=7).prior_samples
    c = sweep_view(tiny_zoo, frontier, digits, 1.0, seed=8).prior_samples
    assert png(a) == png(b) and png(a) != png(c)


def test_elbo_lines_have_constant_d_plus_r(frontier):
    fig = plots.rate_distortion_plane(frontier.betas, frontier.rates, frontier.distortions)
    lines = next(t for t in fig.data if t.name.startswith("constant ELBO"))
    x, y = np.asarray(lines.x, float).reshape(-1, 3), np.asarray(lines.y, float).reshape(-1, 3)
    s = x[:, :2] + y[:, :2]
    assert len(s) >= 3 and np.allclose(s[:, 0], s[:, 1])


def test_chosen_point_gets_a_tangent_of_slope_minus_beta(frontier):
    fig = plots.rate_distortion_plane(frontier.betas, frontier.rates, frontier.distortions, chosen=2)
    tangent = next(t for t in fig.data if t.name.startswith("slope −β"))
    slope = (tangent.y[1] - tangent.y[0]) / (tangent.x[1] - tangent.x[0])
    assert np.isclose(slope, -frontier.betas[2])


def test_kl_bars_count_active_units():
    fig = plots.kl_bars([0.0, 0.005, 0.5, 3.0], [False, False, True, True], "test")
    assert "2 of 4 dimensions active" in fig.layout.title.text
    active, inactive = fig.data
    assert list(active.x) == [2, 3] and list(inactive.x) == [0, 1]


def test_one_measure_for_the_tab_and_the_manifest(tiny_zoo, digits, frontier):
    """The tab's rate, distortion and active units are VAE.measure's, as in training and evaluation."""
    model = tiny_zoo.sweep[1].model
    m = model.measure(digits.evaluation, torch.Generator().manual_seed(0))
    assert np.isclose(frontier.rates[1], m.R) and np.isclose(frontier.distortions[1], m.D)
    assert (frontier.active[1] == (m.mu.var(0) > 0.01).numpy()).all()


def test_posterior_ellipses_draw_the_prior_circle_and_one_ring_per_digit():
    mu = np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 0.5]])
    sigma = np.array([[1.0, 1.0], [0.1, 0.2], [0.5, 0.5]])
    fig = plots.posterior_ellipses(mu, sigma, np.array([0, 1, 1]))
    prior = fig.data[0]
    assert np.allclose(np.hypot(prior.x, prior.y), 1.0)
    ring = next(t for t in fig.data if t.name == "1")
    xs = np.asarray(ring.x, float)
    assert np.isnan(xs).sum() == 2  # two digits of class 1, one break after each ring
    assert np.isclose(np.nanmax(xs), 2.1) and np.isclose(np.nanmin(xs), -1.5)


def tiny_live(latent_dim=2) -> LiveRun:
    torch.manual_seed(0)
    x = torch.rand(10, 1, 28, 28)
    return LiveRun(VAE(VAEConfig(hidden=(16,), latent_dim=latent_dim)), torch.rand(32, 28, 28),
                   torch.bernoulli(x), config=LiveConfig(batch_size=8, eval_every=2), show_x=x,
                   ellipse_x=x, ellipse_labels=np.arange(10))


def test_live_view_draws_the_trajectory_ending_at_the_latest_measurement(frontier):
    run = tiny_live()
    run.run_steps(10)
    snap = run.snapshot()
    v = live_view(snap, frontier, running=1, capacity=2)
    now = next(t for t in v.plane.data if t.name.startswith("live model now"))
    # the live figures carry three decimals (plots.tradeoff.LIVE_DECIMALS)
    assert np.isclose(now.x[0], snap.last["rate"], rtol=0, atol=5e-4)
    assert np.isclose(now.y[0], snap.last["distortion"], rtol=0, atol=5e-4)
    path = next(t for t in v.plane.data if t.name == "live run (path)")
    assert len(path.x) == 6  # measured at steps 0, 2, 4, 6, 8, 10
    assert {t.name for t in v.curves.data} >= {"distortion D", "rate R", "β·R", "objective D + β·R"}
    assert v.ellipses.data[0].name.startswith("prior N(0, I)")
    assert v.reconstructions.size[1] > 2 * 28 and v.prior_samples is not None
    assert v.numbers["step"] == 10 and v.numbers["trainers_running"] == 1
    assert "Waiting" in v.status  # stepped by hand, never started by a pool
    assert "step 10 ·" in live_status_text({**v.numbers, "state": "running"})


def test_live_view_without_a_2d_latent_explains_the_missing_ellipses(frontier):
    run = tiny_live(latent_dim=4)
    run.run_steps(2)
    v = live_view(run.snapshot(), frontier, 1, 2)
    assert "2-D latent" in v.ellipses.layout.annotations[0].text


def test_status_text_for_waiting_and_for_no_run():
    assert "press **Start**" in live_status_text(live_numbers(None, 2, 2))
    run = tiny_live()
    snap = run.snapshot()
    snap.queue_position = 3
    text = live_status_text(live_numbers(snap, 2, 2))
    assert "Waiting for a free trainer" in text and "3 ahead of you" in text


def test_a_restart_is_told_in_the_status_and_marked_on_the_curves_in_both_languages(frontier):
    run = tiny_live(latent_dim=4)
    run.run_steps(4)
    run._restarts.append(Restart(step=5, previous=4.0, beta=1.0, closed=3, units=4))  # as _restart records it
    run._restarted = True
    run.set_beta(1.0)
    run.state = "running"  # stepped by hand, never started by a pool
    en, zh = (live_view(run.snapshot(), frontier, 1, 2, lang=lang) for lang in ("en", "zh"))
    assert en.numbers["restart"] == {"step": 5, "previous_beta": 4.0, "beta": 1.0, "closed_units": 3, "units": 4}
    assert "fresh weights from step 5: β fell 4 → 1 while 3 of 4 latent dimensions were closed" in en.status
    assert "从第 5 步起换成新的初始权重：β 从 4 降到 1" in zh.status
    for v, word in ((en, "fresh weights (β 4 → 1)"), (zh, "新的初始权重（β 4 → 1）")):
        (line,), (note,) = v.curves.layout.shapes, v.curves.layout.annotations
        assert line.x0 == line.x1 == 5 and note.x == 5 and note.text == word
    run.set_beta(2.0)  # a later change of beta: the restart is history, no longer news
    later = live_view(run.snapshot(), frontier, 1, 2)
    assert later.numbers["restart"] is None and "fresh weights from" not in later.status
    assert len(later.curves.layout.shapes) == 1  # still marked where it happened
    run.run_steps(1)
    run.set_beta(1.0)  # back to the restart's β without a restart (no unit is closed in this tiny run)
    run.run_steps(1)
    back = live_view(run.snapshot(), frontier, 1, 2)
    assert run.snapshot().restarts[-1].step == 5 and back.numbers["restart"] is None


def test_image_grid_shapes():
    img = image_grid(np.zeros((5, 28, 28)), ncols=3, scale=1, pad=2)
    assert img.size == (3 * 30 + 2, 2 * 30 + 2)


def test_figures_pass_plotly_validation(tiny_zoo, frontier, digits):
    """The figures are built without validation for speed; every property must still be valid."""
    import plotly.graph_objects as go
    run = tiny_live()
    run.run_steps(6)
    v = live_view(run.snapshot(), frontier, 1, 2)
    s = sweep_view(tiny_zoo, frontier, digits, 0.5)
    for fig in (v.plane, v.curves, v.ellipses, s.plane, s.kl_bars, plots.empty_figure("x")):
        go.Figure(fig.to_dict())  # raises ValueError on any unknown or ill-typed property


def test_polls_redraw_the_figures_at_most_once_a_second_while_training_but_at_once_on_a_change(frontier):
    from explorer.views.tradeoff import FIGURE_SECONDS, LiveSession, LiveView, live_update
    run = tiny_live()
    run.run_steps(2)
    run.state = "running"  # as when its trainer runs (run_steps trains in this thread)
    session = LiveSession(run)
    update = lambda now: live_update(session, frontier, 1, 2, None, only_if_changed=True, now=now)  # noqa: E731
    assert isinstance(update(100.0), LiveView)  # the first poll draws
    assert isinstance(update(100.1), dict)  # nothing new
    run.run_steps(2)
    numbers = update(100.2)  # trained on: the numbers at once, the figures later
    assert isinstance(numbers, dict) and numbers["step"] == 4
    assert isinstance(update(100.0 + FIGURE_SECONDS + 0.01), LiveView)
    run.run_steps(2)
    run.set_beta(3.0)  # a change of beta is drawn at once
    assert isinstance(update(100.0 + FIGURE_SECONDS + 0.1), LiveView)
    run.run_steps(2)
    run.state = "paused"  # and so is a change of state
    assert isinstance(update(100.0 + FIGURE_SECONDS + 0.2), LiveView)
    run.run_steps(2)  # not training: whatever was measured is drawn
    assert isinstance(update(100.0 + FIGURE_SECONDS + 0.3), LiveView)


def test_a_sweep_models_pictures_are_made_once_and_each_caller_gets_its_own(tiny_zoo, frontier, digits, monkeypatch):
    from explorer.views import tradeoff as tv

    tv.SWEEP_PICTURES.clear()
    made = []
    real_recon, real_prior = tv.reconstructions, tv.prior_samples
    monkeypatch.setattr(tv, "reconstructions", lambda m, x: made.append("r") or real_recon(m, x))
    monkeypatch.setattr(tv, "prior_samples", lambda m, s: made.append(("p", s)) or real_prior(m, s))
    a = sweep_view(tiny_zoo, frontier, digits, 2.0, seed=5)
    b = sweep_view(tiny_zoo, frontier, digits, 2.0, seed=5)
    assert made == ["r", ("p", 5)]  # the second view decoded nothing
    assert png(a.prior_samples) == png(b.prior_samples) and png(a.reconstructions) == png(b.reconstructions)
    assert a.prior_samples is not b.prior_samples  # a copy each: one caller's changes stay its own
    a.prior_samples.putpixel((0, 0), 0)
    assert png(sweep_view(tiny_zoo, frontier, digits, 2.0, seed=5).prior_samples) == png(b.prior_samples)
    sweep_view(tiny_zoo, frontier, digits, 2.0, seed=6)  # a new seed: new prior samples, same reconstructions
    sweep_view(tiny_zoo, frontier, digits, 4.0, seed=5)  # another model: both anew
    assert made == ["r", ("p", 5), ("p", 6), "r", ("p", 5)]
    tv.SWEEP_PICTURES.clear()
    fresh = sweep_view(tiny_zoo, frontier, digits, 2.0, seed=5)  # made again: the same pictures
    assert png(fresh.prior_samples) == png(b.prior_samples) and png(fresh.reconstructions) == png(b.reconstructions)
    for s in range(tv.SWEEP_PICTURES.size + 3):
        sweep_view(tiny_zoo, frontier, digits, 2.0, seed=100 + s)
    assert len(tv.SWEEP_PICTURES) <= tv.SWEEP_PICTURES.size
