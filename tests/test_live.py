"""The live trainer: beta changes from the next step, stop stops, the pool's cap holds, closed
sessions and idle runs free their trainer. Tiny model, tiny random data: each test takes < 1 s."""
from __future__ import annotations

import math
import os
import sys
import threading
import time

import numpy as np
import pytest
import torch

from explorer.errors import InputError
from explorer.training.live import (LiveConfig, LiveRun, copy_model, intra_op_threads, lower_priority,
                                    single_thread)
from explorer.training.pool import TrainerPool, max_trainers_from_env
from explorer.views.tradeoff import LIVE_BETA, check_live_beta
from explorer.models import VAE, VAEConfig


def tiny_run(beta: float = 1.0, latent_dim: int = 2, **config) -> LiveRun:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = VAE(VAEConfig(hidden=(16,), latent_dim=latent_dim))
    train_x = (torch.rand(64, 28, 28, generator=g) * 255).to(torch.uint8)
    eval_x = torch.bernoulli(torch.rand(16, 1, 28, 28, generator=g), generator=g)
    show = torch.rand(4, 1, 28, 28, generator=g)
    cfg = LiveConfig(**{"batch_size": 8, "eval_every": 2, **config})
    return LiveRun(model, train_x, eval_x, beta=beta, config=cfg, show_x=show, ellipse_x=show,
                   ellipse_labels=np.arange(4))


def wait_until(cond, timeout: float = 10.0) -> bool:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture()
def runs():
    made: list[LiveRun] = []
    yield made
    for r in made:
        r.stop("test over", join=True)


def test_beta_change_applies_from_the_next_step():
    run = tiny_run(beta=1.0)
    run.run_steps(3)
    run.set_beta(4.0)
    run.run_steps(2)
    assert run.step_betas() == [(1, 1.0), (2, 1.0), (3, 1.0), (4, 4.0), (5, 4.0)]
    h = run.snapshot().history
    assert h["beta"][-1] == 4.0 and h["step"][-1] == 4  # measured after step 4, with its beta
    assert np.allclose(h["beta_rate"], h["beta"] * h["rate"])
    assert np.allclose(h["total"], h["distortion"] + h["beta"] * h["rate"])


def test_beta_change_while_the_thread_trains(runs):
    run = tiny_run(beta=0.5)
    runs.append(run)
    run.start()
    assert run.wait_steps(20)
    run.set_beta(3.0)
    after_call = run.step
    assert run.wait_steps(after_call + 20)
    betas = run.step_betas()
    first_new = next(s for s, b in betas if b == 3.0)
    # step after_call + 1 may have read beta just before the call (it was in flight); none later did
    assert first_new <= after_call + 2
    assert all(b == 3.0 for s, b in betas if s >= first_new)  # and never the old one again


def test_bad_beta_is_refused_with_the_allowed_range():
    for bad in (float("nan"), -1, 1e9, "abc", None, math.inf, LIVE_BETA[1] + 0.01):
        with pytest.raises(InputError, match=f"from 0 to {LIVE_BETA[1]:g}"):
            check_live_beta(bad)
    run = tiny_run()
    for bad in (float("nan"), -1.0, math.inf):  # the trainer's own contract, below the view's check
        with pytest.raises(ValueError):
            run.set_beta(bad)
    assert run.beta == 1.0


def test_stop_stops_the_thread(runs):
    run = tiny_run()
    runs.append(run)
    run.start()
    assert run.wait_steps(5)
    run.stop("test", join=True)
    assert run.state == "stopped" and run.reason == "test"
    assert not run._thread.is_alive()
    step = run.step
    time.sleep(0.1)
    assert run.step == step


def test_pause_resume_and_reset(runs):
    run = tiny_run()
    runs.append(run)
    initial = {k: v.clone() for k, v in run.model.state_dict().items()}
    run.start()
    assert run.wait_steps(10)
    run.pause()
    time.sleep(0.1)
    step = run.step
    time.sleep(0.1)
    assert run.step == step and run.snapshot().state == "paused"
    run.reset()
    assert run.step == 0
    assert all(torch.equal(v, initial[k]) for k, v in run.model.state_dict().items())
    assert list(run.snapshot().history["step"]) == [0]
    run.resume()
    assert run.wait_steps(5)


def test_a_snapshot_waits_for_one_training_step_at_most(runs):
    """Python's locks are not fair: a trainer that takes its lock again straight after each step
    kept a reader (a page's poll) waiting behind dozens of steps. It now steps aside for readers."""
    run = tiny_run(eval_every=1000)
    runs.append(run)
    run.start()
    assert wait_until(lambda: run.snapshot(touch=False).step >= 20)
    first, waited = run.step, []
    for _ in range(40):
        before = run.step  # the step under way when the reader asks
        waited.append(run.snapshot(touch=False).step - before)
        time.sleep(0.005)
    assert max(waited) <= 1, waited  # the step under way, no more (dozens before)
    assert run.step > first  # and between the readers it kept training


def test_history_is_bounded_and_keeps_the_latest_point():
    run = tiny_run(eval_every=1, max_history=10)
    run.run_steps(100)
    h = run.snapshot().history
    assert len(h["step"]) <= 11
    assert h["step"][-1] == 100 and h["step"][0] == 0
    assert np.all(np.diff(h["step"]) > 0)


def test_snapshot_views_have_the_expected_shapes():
    run = tiny_run()
    run.run_steps(4)
    s = run.snapshot()
    assert s.reconstructions.shape == (4, 28, 28) and s.originals.shape == (4, 28, 28)
    assert s.prior_samples.shape == (16, 28, 28)
    assert s.mu.shape == (4, 2) and s.sigma.shape == (4, 2) and (s.sigma > 0).all()
    assert s.last["step"] == 4


def test_trainer_thread_uses_one_thread_and_leaves_others_alone():
    default = torch.get_num_threads()
    seen = {}

    def worker():
        single_thread()
        torch.ones(1 << 16).sum()
        seen["worker"] = torch.get_num_threads()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    fresh = threading.Thread(target=lambda: seen.setdefault("fresh", torch.get_num_threads()))
    fresh.start()
    fresh.join()
    assert seen["worker"] == 1
    assert torch.get_num_threads() == default
    assert seen["fresh"] == default


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_trainer_thread_runs_at_a_lower_priority_and_leaves_others_alone(runs):
    run = tiny_run()
    runs.append(run)
    run.start()
    assert run.wait_steps(2)
    assert run.thread_nice == 10  # LiveConfig.nice: students' clicks are scheduled first
    assert os.getpriority(os.PRIO_PROCESS, run._thread.native_id) == 10
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0  # this thread keeps its own
    seen = []
    t = threading.Thread(target=lambda: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    t.start()
    t.join()
    assert seen == [0]  # and so do threads started later (request threads)


def test_lower_priority_never_raises_it():
    seen = []

    def worker():
        assert lower_priority(15) == 15
        seen.append(lower_priority(5))  # a thread cannot take back priority it gave up; nothing fails
        seen.append(lower_priority(0))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [15, None]


def test_pool_cap_holds_and_the_next_in_line_starts_when_one_leaves(runs):
    pool = TrainerPool(max_trainers=2)
    a, b, c = tiny_run(), tiny_run(), tiny_run()
    runs += [a, b, c]
    for key, run in (("a", a), ("b", b), ("c", c)):
        pool.submit(key, run)
    assert pool.running == 2 and pool.waiting == 1
    assert c.state == "waiting" and pool.queue_position("c") == 0
    assert a.wait_steps(3) and b.wait_steps(3)
    assert c.step == 0
    assert pool.release("a", "page closed")  # what the page's unload does
    assert a.reason == "page closed"
    assert wait_until(lambda: a.state == "stopped")
    assert c.wait_steps(3)
    assert pool.running == 2 and pool.waiting == 0 and pool.get("a") is None


def test_a_new_run_replaces_the_sessions_old_one(runs):
    pool = TrainerPool(max_trainers=1)
    first, second = tiny_run(), tiny_run()
    runs += [first, second]
    pool.submit("s", first)
    assert first.wait_steps(2)
    pool.submit("s", second)
    assert wait_until(lambda: first.state == "stopped")
    assert second.wait_steps(2)
    assert pool.get("s") is second and pool.running == 1


def test_idle_runs_stop_and_free_their_slot(runs):
    pool = TrainerPool(max_trainers=1, idle_seconds=0.3)
    idle, queued = tiny_run(), tiny_run()
    runs += [idle, queued]
    pool.submit("idle", idle)
    pool.submit("queued", queued)
    assert queued.state == "waiting"
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3 and idle.state != "stopped":
        queued.touch()  # the waiting page keeps polling; the first one went quiet
        time.sleep(0.05)
    assert idle.state == "stopped" and "without the page" in idle.reason
    assert queued.wait_steps(2)
    assert pool.get("idle") is None


def test_waiting_runs_nobody_polls_leave_the_queue(runs):
    pool = TrainerPool(max_trainers=0, idle_seconds=0.1)
    run = tiny_run()
    runs.append(run)
    pool.submit("gone", run)
    time.sleep(0.2)
    assert pool.queue_position("gone") is None  # reaped
    assert run.state == "stopped" and pool.waiting == 0


def test_runs_stop_at_the_time_limit(runs):
    pool = TrainerPool(max_trainers=1, max_seconds=0.3)
    run = tiny_run()
    runs.append(run)
    pool.submit("k", run)
    assert wait_until(lambda: run.state == "stopped", timeout=5)
    assert "time limit" in run.reason
    assert wait_until(lambda: pool.running == 0)


def test_max_trainers_from_env(monkeypatch):
    monkeypatch.setenv("EXPLORER_MAX_TRAINERS", "5")
    assert max_trainers_from_env() == 5
    monkeypatch.setenv("EXPLORER_MAX_TRAINERS", "0")
    assert max_trainers_from_env() == 0
    for bad in ("lots", "-1", "1.5"):  # stops the app at start, as the other settings do (tests/test_settings.py)
        monkeypatch.setenv("EXPLORER_MAX_TRAINERS", bad)
        with pytest.raises(SystemExit, match=f"EXPLORER_MAX_TRAINERS must be a whole number >= 0, got '{bad}'"):
            max_trainers_from_env()
    monkeypatch.delenv("EXPLORER_MAX_TRAINERS")
    assert TrainerPool().max_trainers == 2


def test_copy_model_trains_a_copy_and_leaves_the_original():
    original = VAE(VAEConfig(hidden=(16,), latent_dim=2)).eval()
    before = {k: v.clone() for k, v in original.state_dict().items()}
    clone = copy_model(original)
    run = LiveRun(clone, torch.rand(32, 28, 28), torch.bernoulli(torch.rand(8, 1, 28, 28)),
                  config=LiveConfig(batch_size=8))
    run.run_steps(5)
    assert all(torch.equal(v, before[k]) for k, v in original.state_dict().items())
    assert any(not torch.equal(v, before[k]) for k, v in clone.state_dict().items())


def test_runs_share_float_training_digits_without_copying():
    x = torch.rand(32, 28, 28)
    a, b = (LiveRun(VAE(VAEConfig(hidden=(16,), latent_dim=2)), x, torch.bernoulli(torch.rand(4, 1, 28, 28)))
            for _ in range(2))
    assert a.train_x.data_ptr() == b.train_x.data_ptr() == x.data_ptr()
    assert a.train_x.shape == (32, 784)


def test_the_waiting_line_is_capped(runs):
    """Each waiting run holds its model and data: a flood of starts (one REST call = one session) is refused."""
    pool = TrainerPool(max_trainers=0, max_waiting=3)
    for i in range(3):
        run = tiny_run()
        runs.append(run)
        pool.submit(f"s{i}", run)
    extra = tiny_run()
    runs.append(extra)
    with pytest.raises(InputError, match="3 runs are already waiting"):
        pool.submit("s3", extra)
    pool.submit("s1", extra)  # a session that already waits may replace its own run
    assert pool.waiting == 3


def _diagnostic_run(setting: dict, latent_dim: int = 2) -> LiveRun:
    """tiny_run's model and digits under scripts/diagnose_live_settings.py's Run with `setting`."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "diagnose_live_settings.py"
    spec = importlib.util.spec_from_file_location("diagnose_live_settings", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    base = tiny_run(latent_dim=latent_dim)
    return type("SettingRun", (script.Run,), {"setting": setting})(
        base.model, base.train_x, base.eval_x, beta=base.beta, config=base.config)


def test_the_diagnostics_base_setting_trains_as_the_live_run():
    """scripts/diagnose_live_settings.py repeats LiveRun's step to vary it: `base` must be that step."""
    live, base = tiny_run(), _diagnostic_run({})
    live.run_steps(5)
    base.run_steps(5)
    assert all(torch.equal(v, base.model.state_dict()[k]) for k, v in live.model.state_dict().items())
    assert live.snapshot().history["rate"].tolist() == base.snapshot().history["rate"].tolist()


def test_the_diagnostics_reopen_reinitialises_the_collapsed_units_only():
    run = _diagnostic_run({}, latent_dim=4)
    head, first = run.model.encoder[-1], run.model.decoder[0]
    with torch.no_grad():  # units 0 and 1 collapsed (mu = 0, log sigma^2 = 0), units 2 and 3 clearly used
        for d in (0, 1, 4, 5):
            head.weight[d], head.bias[d] = 0.0, 0.0
        head.weight[2:4] *= 100
        first.weight[:, :2] = 0.0
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    assert run.reopen(0.05) == 2
    after = run.model.state_dict()
    changed_rows = (after["encoder.2.weight"] != before["encoder.2.weight"]).any(1).nonzero().squeeze(1)
    changed_columns = (after["decoder.0.weight"] != before["decoder.0.weight"]).any(0).nonzero().squeeze(1)
    assert changed_rows.tolist() == [0, 1, 4, 5] and changed_columns.tolist() == [0, 1]
    assert all(torch.equal(v, before[k]) for k, v in after.items() if k not in ("encoder.2.weight", "decoder.0.weight"))


def test_the_diagnostics_reopenlogvar_starts_the_reopened_units_narrow():
    run = _diagnostic_run({"reopenlogvar": "-6"}, latent_dim=4)
    head = run.model.encoder[-1]
    with torch.no_grad():  # units 0 and 1 collapsed, units 2 and 3 clearly used (as above)
        for d in (0, 1, 4, 5):
            head.weight[d], head.bias[d] = 0.0, 0.0
        head.weight[2:4] *= 100
    before = head.bias.detach().clone()
    assert run.reopen(0.05) == 2
    assert head.bias[[4, 5]].tolist() == [-6.0, -6.0]  # log sigma^2 of the reopened units: sigma about 0.05
    assert torch.equal(head.bias[[0, 1, 2, 3, 6, 7]], before[[0, 1, 2, 3, 6, 7]])


def _run_from(trained_beta, beta: float = 1.0, **config) -> LiveRun:
    """tiny_run's model and digits, as if started from a model trained at `trained_beta`."""
    base = tiny_run(beta=beta, **{"hot_steps": 3, "hot_lr": 5e-3, "lr": 1e-3, **config})
    return LiveRun(base.model, base.train_x, base.eval_x, beta=beta, config=base.config, trained_beta=trained_beta)


def _lr_and_adam_steps(run: LiveRun) -> tuple[float, int]:
    p = next(run.model.parameters())
    return run._opt.param_groups[0]["lr"], int(run._opt.state[p]["step"])


def test_a_new_beta_starts_adam_afresh_with_a_hot_learning_rate():
    run = _run_from(1.0)
    run.run_steps(2)
    assert _lr_and_adam_steps(run) == (1e-3, 2)  # the starting model's own beta: nothing to reset
    run.set_beta(4.0)
    run.run_steps(1)
    assert _lr_and_adam_steps(run) == (5e-3, 1)  # fresh moments, hot
    run.run_steps(2)
    assert _lr_and_adam_steps(run) == (5e-3, 3)
    run.run_steps(1)
    assert _lr_and_adam_steps(run) == (1e-3, 4)  # hot_steps after the change: back to lr
    run.set_beta(4.0)  # the same beta again is no change
    run.run_steps(1)
    assert _lr_and_adam_steps(run) == (1e-3, 5)
    assert [b for _, b in run.step_betas()] == [1.0, 1.0] + [4.0] * 5


def test_a_run_started_at_another_beta_than_its_model_or_from_scratch_starts_hot():
    started = _run_from(4.0, beta=1.0)
    started.run_steps(1)
    assert _lr_and_adam_steps(started) == (5e-3, 1)
    scratch = _run_from(None, beta=1.0)
    scratch.run_steps(3)
    assert _lr_and_adam_steps(scratch) == (5e-3, 3)
    scratch.run_steps(1)
    assert _lr_and_adam_steps(scratch) == (1e-3, 4)
    scratch.set_beta(2.0)  # a later change of beta is a change like any other
    scratch.run_steps(1)
    assert _lr_and_adam_steps(scratch) == (5e-3, 1)


def test_the_settled_learning_rate_is_below_the_hot_one():
    config = LiveConfig()
    assert config.hot_lr > config.lr and config.hot_steps > 0


def test_a_reset_goes_back_to_the_starting_models_beta():
    run = _run_from(1.0)
    run.set_beta(4.0)
    run.run_steps(5)
    assert _lr_and_adam_steps(run)[0] == 1e-3
    run.reset()  # the starting weights again, still at beta 4: their first steps are hot again
    run.run_steps(1)
    assert run.step == 1 and _lr_and_adam_steps(run) == (5e-3, 1)


def test_uint8_digits_are_shared_not_copied_and_batches_are_binary():
    base = tiny_run()
    digits = base.train_x
    assert digits.dtype == torch.uint8
    other = LiveRun(base.model, digits, base.eval_x, config=base.config)
    assert other.train_x.data_ptr() == digits.data_ptr()  # many runs, one tensor of the shipped digits
    batch = other._batch()
    assert batch.shape == (base.config.batch_size, 784) and set(batch.unique().tolist()) <= {0.0, 1.0}
    assert other._digits(torch.arange(3)).dtype == torch.float32
    assert torch.equal(other._digits(torch.arange(3)), digits[:3].reshape(3, -1).float() / 255)


# ---------------------------------------------------------------------------- a large fall of beta
def _close_units(run: LiveRun, units) -> None:
    """Units whose q(z_d|x) is the prior for every x: mu_d = 0, log sigma_d^2 = 0 (rate exactly 0)."""
    head, Z = run.model.encoder[-1], run.model.config.latent_dim
    with torch.no_grad():
        for d in units:
            for row in (d, Z + d):
                head.weight[row] = 0.0
                head.bias[row] = 0.0


def _fresh_weights(run: LiveRun) -> dict:
    torch.manual_seed(run.config.seed)
    return VAE(VAEConfig(hidden=run.model.config.hidden, latent_dim=run.model.config.latent_dim)).state_dict()


def test_a_large_fall_of_beta_with_closed_units_restarts_from_fresh_weights():
    run = _tiny_from(4.0, closed=[2, 3], restart_batch_size=12, restart_lr=2e-3)
    run.run_steps(2)
    assert run.snapshot().restarts == ()  # its own beta: no change, no restart
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    fresh = _fresh_weights(run)
    run.set_beta(1.0)  # a fall to a quarter, with 2 of 4 units closed
    run.run_steps(1)
    (r,) = run.snapshot().restarts
    assert (r.step, r.previous, r.beta, r.closed, r.units) == (3, 4.0, 1.0, 2, 4) and run.snapshot().restarted
    after = run.model.state_dict()
    for k in fresh:  # one Adam step (at most about lr per weight) away from the fresh weights, far from the old
        assert (after[k] - fresh[k]).abs().max() <= 2.1e-3, k
    assert max((after[k] - before[k]).abs().max() for k in fresh) > 0.1
    assert _lr_and_adam_steps(run) == (2e-3, 1)  # restart_lr, fresh moments
    assert run._batch().shape[0] == 12  # the restart's batch size


def _tiny_from(trained_beta: float, closed=(), latent_dim: int = 4, **config) -> LiveRun:
    base = tiny_run(beta=trained_beta, latent_dim=latent_dim,
                    **{"hot_steps": 3, "hot_lr": 5e-3, "lr": 1e-3, **config})
    _close_units(base, closed)
    return LiveRun(base.model, base.train_x, base.eval_x, beta=trained_beta, config=base.config,
                   trained_beta=trained_beta)


def test_the_restart_schedule_warms_the_rate_up_and_cools_the_learning_rate_then_settles():
    run = _tiny_from(4.0, closed=[0], restart_steps=4, restart_warmup=2, restart_lr=4e-3,
                     restart_batch_size=10)
    run.set_beta(2.0)
    lrs, weights = [], []
    for _ in range(6):
        run.run_steps(1)
        lrs.append(run._opt.param_groups[0]["lr"])
    # a cosine from restart_lr to a tenth of it over restart_steps, then the settled lr (the hot start
    # after the change of beta is over by then: hot_steps = 3 < restart_steps)
    k = np.arange(4)
    assert lrs[:4] == pytest.approx(list(4e-3 * (0.1 + 0.45 * (1 + np.cos(np.pi * k / 4)))))
    assert lrs[4:] == [1e-3, 1e-3]
    assert run._batch().shape[0] == run.config.batch_size == 8  # the restart's batches are over
    # the objective's rate weight during the warm-up: beta * (k + 1) / restart_warmup
    again = _tiny_from(4.0, closed=[0], restart_steps=4, restart_warmup=4)
    again.set_beta(2.0)
    again.run_steps(1)  # restarted at step 0: this is k = 1
    x = again._batch()
    state = again._gen.get_state()
    out = again.model.loss(x, beta=2.0, generator=again._gen)
    again._gen.set_state(state)
    expected = out.distortion.mean() + 2.0 * 2 / 4 * out.rate.mean()
    assert again._objective(x, 2.0).item() == pytest.approx(expected.item(), rel=1e-6)


def test_no_restart_when_beta_rises_falls_less_than_half_no_unit_is_closed_or_restarts_are_off():
    for trained, beta, closed, factor in ((1.0, 4.0, [0, 1], 2.0),   # rises
                                          (1.0, 0.6, [0, 1], 2.0),   # falls less than half
                                          (4.0, 0.25, [], 2.0),      # no unit closed
                                          (4.0, 0.25, [0, 1], 0.0)):  # restarts off
        run = _tiny_from(trained, closed=closed, restart_factor=factor)
        run.set_beta(beta)
        run.run_steps(2)
        assert run.snapshot().restarts == () and not run.snapshot().restarted, (trained, beta, closed, factor)
        assert _lr_and_adam_steps(run) == (5e-3, 2)  # the usual hot start


def test_intra_op_threads_sets_the_calling_threads_count_only():
    default, seen = torch.get_num_threads(), {}

    def count_in_a_new_thread():
        t = threading.Thread(target=lambda: seen.setdefault("new", []).append(torch.get_num_threads()))
        t.start()
        t.join()

    def worker():
        intra_op_threads(1)
        intra_op_threads(3)  # a restart's threads
        torch.ones(1 << 16).sum()
        seen["worker"] = torch.get_num_threads()
        count_in_a_new_thread()
        intra_op_threads(1)  # and back: the global default must stay as it was, not become 3
        seen["after"] = torch.get_num_threads()
        count_in_a_new_thread()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    count_in_a_new_thread()
    assert seen["worker"] == 3 and seen["after"] == 1 and torch.get_num_threads() == default
    assert seen["new"] == [default] * 3  # threads started later keep the process's default


def test_a_restart_trains_with_more_threads_in_the_runs_own_thread_then_one_again(runs):
    run = _tiny_from(4.0, closed=[0, 1], restart_steps=40, restart_threads=2)
    runs.append(run)
    seen = []
    step = run._train_step

    def spy():
        step()
        seen.append((run.step, run._threads, torch.get_num_threads()))
    run._train_step = spy
    run.start()
    assert wait_until(lambda: run.step >= 5)
    run.set_beta(1.0)
    assert wait_until(lambda: run.step >= 80, timeout=30)
    run.stop(join=True)
    want = min(2, os.cpu_count() or 1)
    assert seen[0][1:] == (1, 1)  # before the restart: one thread
    restarted = run.snapshot().restarts[0].step
    during = [s for s in seen if restarted <= s[0] < restarted + 39]
    after = [s for s in seen if s[0] > restarted + 41]
    assert during and all(s[1:] == (want, want) for s in during)
    assert after and all(s[1:] == (1, 1) for s in after)


def test_a_run_stepped_by_hand_leaves_the_callers_threads_alone():
    before = torch.get_num_threads()
    run = _tiny_from(4.0, closed=[0, 1], restart_threads=2)
    run.set_beta(1.0)
    run.run_steps(3)
    assert run.snapshot().restarts and torch.get_num_threads() == before and run._threads is None


def test_the_trainer_steps_adam_fused():
    run = tiny_run()
    run.run_steps(1)
    assert run._opt.defaults["fused"] is True  # one kernel for all the parameters (a step ~14 % faster)


def test_the_same_restart_gives_the_same_weights():
    a, b = (_tiny_from(4.0, closed=[1, 2, 3]) for _ in range(2))
    for run in (a, b):
        run.set_beta(0.5)
        run.run_steps(3)
    assert all(torch.equal(a.model.state_dict()[k], b.model.state_dict()[k]) for k in a.model.state_dict())
    assert a.snapshot().restarts == b.snapshot().restarts and len(a.snapshot().restarts) == 1
