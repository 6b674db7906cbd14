"""The live run in a child process (training/live_process.py): LiveRun's interface kept, the child
trains at a lower priority, obeys beta / pause / resume / reset / stop, reports its end, and never
outlives the server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from explorer.training.live import LiveConfig, LiveRun, small_vae
from explorer.training.live_process import ProcessRun, zygote
from explorer.training.pool import TrainerPool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_run(beta=1.0, **config) -> ProcessRun:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(128, 28, 28, generator=g)
    ev = torch.bernoulli(torch.rand(16, 1, 28, 28, generator=g), generator=g)
    cfg = LiveConfig(batch_size=16, **config)
    return ProcessRun(LiveRun(small_vae(2, hidden=(32,)), x, ev, beta=beta, config=cfg, show_x=ev[:4],
                              ellipse_x=ev, ellipse_labels=list(range(16)), label="test run"))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too: its parent (this test process, or gone) has not reaped it yet
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # it went between the two looks (reading gives ESRCH)
        return False


def wait_for(cond, timeout=30.0) -> bool:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def runs():
    made = []
    yield lambda **kw: made.append(make_run(**kw)) or made[-1]
    for r in made:
        r.stop("test over", join=True)


def test_the_run_trains_in_a_child_process_at_a_lower_priority(runs):
    run = runs()
    assert run.snapshot().state == "waiting" and run.pid is None  # nothing started before start()
    run.start()
    assert run.wait_steps(30, timeout=60)
    assert run.pid is not None and run.pid != os.getpid()
    snap = run.snapshot()
    assert snap.state == "running" and snap.step >= 30 and snap.label == "test run"
    assert len(snap.history["step"]) >= 3 and snap.reconstructions.shape == (4, 28, 28)
    assert snap.prior_samples.shape == (16, 28, 28) and snap.mu.shape == (16, 2)
    assert run.thread_nice == 10 == os.getpriority(os.PRIO_PROCESS, run.pid)
    assert os.getpriority(os.PRIO_PROCESS, 0) == 0  # the server itself keeps its priority
    if hasattr(os, "SCHED_IDLE"):  # Linux: the trainer runs only on CPU time that requests leave
        assert os.sched_getscheduler(run.pid) == os.SCHED_IDLE
        assert os.sched_getscheduler(0) == os.SCHED_OTHER


def test_beta_pause_resume_reset_reach_the_child(runs):
    run = runs()
    run.start()
    assert run.wait_steps(20, timeout=60)
    run.set_beta(4.0)
    assert wait_for(lambda: run.snapshot().history["beta"][-1] == 4.0)
    assert run.snapshot().beta == 4.0
    run.pause()
    assert run.snapshot().state == "paused"
    time.sleep(0.5)  # a step in flight may still land
    a = run.snapshot(fresh=True).step  # a page's poll may show the answer to the poll before it
    time.sleep(0.5)
    assert run.snapshot(fresh=True).step == a
    run.resume()
    assert wait_for(lambda: run.snapshot().step > a + 10)
    # a reset while paused stays at step 0 (a fast run is soon past its old step again)
    run.pause()
    run.reset()
    assert wait_for(lambda: run.snapshot().step == 0)
    assert run.snapshot().beta == 4.0  # reset keeps the current beta
    run.resume()
    assert wait_for(lambda: run.snapshot().step > 10)
    with pytest.raises(ValueError):
        run.set_beta(float("nan"))  # checked here, before anything is sent


def test_a_poll_does_not_wait_for_a_trainer_that_gets_no_cpu(runs):
    """The trainer runs on idle CPU only: in a busy class its answer can wait. A poll then shows the
    newest snapshot it has within FRESH_SECONDS, and the answer it asked for arrives at a later poll."""
    run = runs()
    run.start()
    assert run.wait_steps(20, timeout=60)
    before = run.snapshot()
    os.kill(run.pid, signal.SIGSTOP)  # no CPU at all for the trainer, as on a saturated machine
    try:
        t0 = time.monotonic()
        snaps = [run.snapshot() for _ in range(5)]
        assert time.monotonic() - t0 < 2.0  # 5 s per poll before (REPLY_SECONDS)
        assert all(s.state == "running" and s.step >= before.step for s in snaps)
        run.set_beta(2.0)
        assert run.snapshot().beta == 2.0  # the server's own view of beta is the newest at once
    finally:
        os.kill(run.pid, signal.SIGCONT)
    assert wait_for(lambda: run.snapshot().step > before.step + 10)
    assert wait_for(lambda: run.snapshot().history["beta"][-1] == 2.0)


def test_stop_ends_the_child_and_keeps_the_last_view(runs):
    run = runs()
    finished = []
    run.on_finish = lambda r: finished.append(r.reason)
    run.start()
    assert run.wait_steps(20, timeout=60)
    pid = run.pid
    run.stop("stopped by you", join=True)
    assert finished == ["stopped by you"] and not run.alive
    assert wait_for(lambda: not alive(pid), 10)
    snap = run.snapshot()
    assert snap.state == "stopped" and snap.reason == "stopped by you" and snap.step >= 20
    assert len(snap.history["step"]) >= 3  # the page still shows what the run did


def test_stop_before_start_and_while_starting(runs):
    never = runs()
    finished = []
    never.on_finish = lambda r: finished.append(r.reason)
    never.stop("left the queue")
    assert finished == ["left the queue"] and never.pid is None and never.snapshot().state == "stopped"
    never.start()  # a stopped run never starts
    assert never.pid is None

    early = runs()
    early.start()
    early.stop("replaced by a new run")  # the child is still importing torch
    assert wait_for(lambda: early.state == "stopped", 60)
    assert early.reason == "replaced by a new run"
    assert early.pid is None or wait_for(lambda: not alive(early.pid), 10)


def test_a_child_that_dies_is_reported(runs):
    run = runs()
    finished = []
    run.on_finish = lambda r: finished.append(r.reason)
    run.start()
    assert run.wait_steps(5, timeout=60)
    os.kill(run.pid, signal.SIGKILL)
    # the state turns "stopped" a moment before on_finish reports it (from the listener's thread)
    assert wait_for(lambda: run.state == "stopped" and finished, 10)
    assert "ended unexpectedly" in run.reason and finished == [run.reason]


def test_runs_are_forked_from_one_zygote(runs):
    first = runs()
    first.start()
    assert first.wait_steps(1, timeout=60)  # the first run may wait for the zygote to import torch
    z = zygote(first.config.nice).proc.pid
    with open(f"/proc/{first.pid}/stat") as f:
        assert int(f.read().rsplit(")", 1)[1].split()[1]) == z  # the trainer's parent is the zygote
    second = runs()
    second.start()
    assert second.wait_steps(1, timeout=60)
    assert zygote(second.config.nice).proc.pid == z and second.pid not in (first.pid, z)  # no new interpreter


def test_idle_runs_stop_in_the_child_and_free_the_pools_slot():
    pool = TrainerPool(max_trainers=1, idle_seconds=1.0)
    a = pool.submit("a", make_run())
    b = pool.submit("b", make_run())
    try:
        assert a.state == "running" and b.state == "waiting" and pool.running == 1
        # nobody polls a: its child stops it; the pool starts b, whose page keeps polling
        assert wait_for(lambda: (b.snapshot(), a.state == "stopped")[1], 30)
        assert "without the page asking for news" in a.reason
        assert wait_for(lambda: b.state == "running" and b.pid is not None, 10)
    finally:
        pool.shutdown()
    assert not a.alive and not b.alive


def test_the_child_does_not_outlive_the_server():
    """A server killed outright (no clean shutdown) leaves no trainer behind: the trainer and the
    zygote see their sockets close and leave."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {ROOT!r}); sys.path.insert(0, {os.path.join(ROOT, 'tests')!r})
        from test_live_process import make_run
        from explorer.training.live_process import zygote
        run = make_run()
        run.start()
        assert run.wait_steps(5, timeout=60)
        print(run.pid, zygote(run.config.nice).proc.pid, flush=True)
        time.sleep(600)
    """)
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in server.stdout.readline().split()]
        assert all(alive(p) for p in pids)
        server.kill()
        server.wait()
        assert wait_for(lambda: not any(alive(p) for p in pids), 15)
    finally:
        server.kill()


def test_commands_given_while_the_trainer_starts_are_not_lost(runs):
    run = runs()
    run.start()
    run.set_beta(3.0)  # the trainer is still being forked (or the zygote importing torch)
    run.pause()
    assert wait_for(lambda: run._ready.is_set(), 60)
    time.sleep(0.5)
    a = run.snapshot(fresh=True).step
    time.sleep(0.5)
    assert run.snapshot(fresh=True).step == a and run.snapshot().state == "paused"  # the pause reached the trainer
    run.resume()
    assert wait_for(lambda: run.snapshot().step > a + 10)
    assert run.snapshot().history["beta"][-1] == 3.0  # and so did the beta


def test_the_server_never_builds_an_optimizer_the_trainer_does():
    """The first torch optimizer of a process imports torch's compiler machinery (about 2 s holding
    the GIL): a run built in the server must not make one; the trainer makes it at its first step,
    and the zygote has imported that machinery already, once for every trainer."""
    code = textwrap.dedent("""
        import sys, time, torch
        from explorer.training.live import LiveRun, small_vae
        from explorer.training.live_process import ProcessRun
        run = ProcessRun(LiveRun(small_vae(2, hidden=(16,)), torch.rand(32, 28, 28),
                                 torch.rand(4, 1, 28, 28).round()))
        run.start()
        t0 = time.monotonic()
        while run.snapshot().step < 5 and time.monotonic() - t0 < 60:
            time.sleep(0.05)
        print(run.snapshot().step >= 5, "torch._dynamo" in sys.modules)
        run.stop(join=True)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "False"], out.stdout + out.stderr
