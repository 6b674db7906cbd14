"""The reconstruction-vs-KL tab through gradio_client, against the real app (shipped checkpoints).

One Client is one session: its live run persists from /live_start to /live_stop.
"""
from __future__ import annotations

import time

import pytest
from gradio_client import Client

LIVE_OUTPUTS = ("status", "numbers", "plane", "curves", "reconstructions", "prior", "ellipses")


def numbers(result) -> dict:
    """The JSON status among a live endpoint's outputs (after the timer's value, if present)."""
    return next(r for r in result if isinstance(r, dict) and "trainers_running" in r)


def status(client) -> dict:
    return numbers(client.predict(api_name="/live_status"))


def test_tradeoff_shows_the_nearest_sweep_model(client, shipped_zoo):
    summary, plane, kl, recon, prior = client.predict(4.0, 0, api_name="/tradeoff")
    assert "β = 4" in summary and "rate R" in summary
    assert plane is not None and kl is not None
    summary, *_ = client.predict(3.0, 0, api_name="/tradeoff")  # snaps to 4 on a log scale
    assert "β = 4" in summary
    betas = [p.beta for p in shipped_zoo.sweep]
    assert min(betas) <= 0.1 and max(betas) >= 8 and 1.0 in betas


@pytest.mark.parametrize("bad", [-1, 0, 1e9])  # NaN cannot travel as JSON; see the function tests
def test_tradeoff_rejects_bad_beta(client, bad):
    with pytest.raises(Exception, match="beta must be a number from"):
        client.predict(bad, 0, api_name="/tradeoff")


def test_live_start_status_set_beta_stop(app_url):
    c = Client(app_url, verbose=False)
    first = numbers(c.predict("scratch", 2, 1.0, api_name="/live_start"))
    assert first["state"] in ("running", "waiting")
    t0 = time.time()
    s = status(c)
    while s["step"] < 50 and time.time() - t0 < 30:
        time.sleep(0.3)
        s = status(c)
    assert s["state"] == "running" and s["step"] >= 50
    later = s["step"]
    time.sleep(0.5)
    assert status(c)["step"] > later  # progress
    assert s["distortion"] > 0 and s["rate"] >= 0
    after = c.predict(4.0, api_name="/live_set_beta")
    assert after["beta"] == 4.0
    time.sleep(0.5)
    assert status(c)["beta"] == 4.0
    stopped = numbers(c.predict(api_name="/live_stop"))
    assert stopped["state"] == "stopped" and stopped["reason"] == "stopped by you"
    step = stopped["step"]
    time.sleep(0.3)
    assert status(c)["step"] == step


def test_the_pages_poll_is_answered_past_the_queue_and_nothing_else_is(app_url):
    """The live status poll is declared queue=False: the page POSTs it to /gradio_api/run/live_status
    with its session hash and reads that session's run in the answer (about half the server CPU of a
    queued poll). A queued event (a prior sample) sent the same way is refused (the app's
    api_open=False), so no one skips the queue's limits by calling the REST route directly."""
    import httpx

    c = Client(app_url, verbose=False)
    dep = next(d for d in c.config["dependencies"] if d.get("api_name") == "live_status")
    assert dep["queue"] is False
    c.predict("scratch", 2, 1.0, api_name="/live_start")
    try:
        url = app_url.rstrip("/") + "/gradio_api/run/"
        body = {"data": [None, "en"], "fn_index": dep["id"], "session_hash": c.session_hash}
        t0, s = time.time(), {"step": 0}
        while s["step"] < 20 and time.time() - t0 < 30:
            r = httpx.post(url + "live_status", json=body, timeout=30)
            assert r.status_code == 200, r.text
            s = numbers(r.json()["data"])
            time.sleep(0.2)
        assert s["state"] == "running" and s["step"] >= 20 and s["trainers_running"] >= 1  # this session's run
        assert r.json()["data"][0] == {"active": True, "__type__": "update"}  # the timer keeps ticking
        # another session has no run: its poll answers so, and stops its timer
        other = httpx.post(url + "live_status", json={**body, "session_hash": "someone-else"}, timeout=30).json()
        assert other["data"][0]["active"] is False and numbers(other["data"])["state"] != "running"
    finally:
        c.predict(api_name="/live_stop")
    refused = httpx.post(url + "sample_prior", json={"data": ["vae_mnist_z32", 0, 1.0, 16],
                                                      "session_hash": c.session_hash}, timeout=30)
    assert refused.status_code == 404 and "join the queue" in refused.text


def test_live_rejects_bad_input(app_url):
    c = Client(app_url, verbose=False)
    for bad in (-3, 9):
        with pytest.raises(Exception, match="β must be a number from 0 to 8"):
            c.predict("scratch", 2, bad, api_name="/live_start")
    with pytest.raises(Exception, match=r"latent size must be one of \[2, 32\]"):
        c.predict("scratch", 7, 1.0, api_name="/live_start")
    with pytest.raises(Exception, match="start must be one of \\('scratch', 'sweep'\\)"):
        c.predict("nonsense", 2, 1.0, api_name="/live_start")
    with pytest.raises(Exception, match="β must be a number from 0 to 8"):
        c.predict(100, api_name="/live_set_beta")
    assert status(c)["state"] == "none"


def test_the_cap_makes_the_third_session_wait(app_url):
    clients = [Client(app_url, verbose=False) for _ in range(3)]
    try:
        for c in clients[:2]:
            assert numbers(c.predict("scratch", 2, 1.0, api_name="/live_start"))["state"] == "running"
        third = numbers(clients[2].predict("sweep", 2, 1.0, api_name="/live_start"))
        assert third["state"] == "waiting" and third["queue_position"] == 0
        assert any("Waiting for a free trainer" in r for r in clients[2].predict(api_name="/live_status")
                   if isinstance(r, str))
        clients[0].predict(api_name="/live_stop")
        t0 = time.time()
        while status(clients[2])["state"] == "waiting" and time.time() - t0 < 10:
            time.sleep(0.2)
        s = status(clients[2])
        assert s["state"] == "running" and s["model"] == "started from vae_mnist_z32"  # the beta = 1 point
    finally:
        for c in clients:
            c.predict(api_name="/live_stop")
