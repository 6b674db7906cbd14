"""Benchmark the live trainer inside the real app (shipped checkpoints), as users would see it.

    python scripts/bench_live.py            # writes bench/live.json and bench/live.html

Measures
1. how many seconds after a beta change the live (rate, distortion) comes within 10% of the
   frontier point for that beta (the sweep model trained with it, measured on the same fixed test
   digits), starting from the beta = 1 sweep model;
2. training steps per second while another client keeps clicking;
3. that client's click latency (/tradeoff and /sample_prior) with no trainer, one and two trainers.

A client polls /live_status about three times a second, as the page's timer does.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def numbers(result) -> dict:
    return next(r for r in result if isinstance(r, dict) and "trainers_running" in r)


class Poller(threading.Thread):
    """Polls /live_status like the browser's timer and keeps every answer with its time."""

    def __init__(self, client, period: float = 0.35):
        super().__init__(daemon=True)
        self.client, self.period, self.log, self.halt = client, period, [], threading.Event()

    def run(self):
        while not self.halt.is_set():
            t = time.time()
            try:
                self.log.append((t, numbers(self.client.predict(api_name="/live_status"))))
            except Exception as e:  # keep polling; record what went wrong
                self.log.append((t, {"error": str(e)}))
            self.halt.wait(max(0.0, self.period - (time.time() - t)))


class Clicker(threading.Thread):
    """Another user clicking one button after another; records each click's latency."""

    def __init__(self, client, gap: float = 0.2):
        super().__init__(daemon=True)
        self.client, self.gap, self.halt = client, gap, threading.Event()
        self.latency = {"/tradeoff": [], "/sample_prior": []}

    def click(self, i: int):
        if i % 2 == 0:
            t = time.perf_counter()
            self.client.predict([0.25, 4.0][i // 2 % 2], i, api_name="/tradeoff")
            self.latency["/tradeoff"].append(time.perf_counter() - t)
        else:
            t = time.perf_counter()
            self.client.predict(api_name="/sample_prior")
            self.latency["/sample_prior"].append(time.perf_counter() - t)

    def run(self):
        i = 0
        while not self.halt.is_set():
            self.click(i)
            i += 1
            self.halt.wait(self.gap)

    def take(self) -> dict:
        out = {k: list(v) for k, v in self.latency.items()}
        for v in self.latency.values():
            v.clear()
        return out


def summary(latencies: dict) -> dict:
    out = {}
    for k, v in latencies.items():
        if v:
            v = sorted(v)
            out[k] = {"n": len(v), "median_ms": round(1000 * statistics.median(v), 1),
                      "p90_ms": round(1000 * v[max(0, math.ceil(0.9 * len(v)) - 1)], 1),
                      "max_ms": round(1000 * v[-1], 1)}
    return out


def steps_per_second(log, t0: float, t1: float) -> float | None:
    pts = [(t, s["step"]) for t, s in log if t0 <= t <= t1 and "step" in s and s.get("state") == "running"]
    if len(pts) < 2 or pts[-1][0] <= pts[0][0]:
        return None
    return round((pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0]), 1)


def within(rate: float, dist: float, target: tuple[float, float], tol: float) -> dict:
    r0, d0 = target
    both = abs(rate - r0) <= tol * r0 and abs(dist - d0) <= tol * d0
    dist_rel = ((rate - r0) ** 2 + (dist - d0) ** 2) ** 0.5 / (r0 ** 2 + d0 ** 2) ** 0.5
    return {"both_within": both, "distance_within": dist_rel <= tol}


def follow_beta_change(client, poller, beta: float, target, timeout: float, tol: float = 0.1,
                       hold: float = 10.0) -> dict:
    """Set beta; return seconds until the polled (R, D) first meets each criterion, and whether R and D
    then stay each within for the next `hold` seconds of polls."""
    t_change = time.time()
    client.predict(beta, api_name="/live_set_beta")
    first = {"both_within": None, "distance_within": None}
    while time.time() - t_change < timeout and None in first.values():
        time.sleep(0.1)
        for t, s in list(poller.log):
            if t < t_change or s.get("beta") != beta or s.get("rate") is None:
                continue
            for k, ok in within(s["rate"], s["distortion"], target, tol).items():
                if ok and first[k] is None:
                    first[k] = round(t - t_change, 2)
    stays = None
    if first["both_within"] is not None:
        since = t_change + first["both_within"]
        time.sleep(max(0.0, since + hold - time.time()))
        after = [s for t, s in list(poller.log) if since <= t <= since + hold and s.get("beta") == beta
                 and s.get("rate") is not None]
        stays = all(within(s["rate"], s["distortion"], target, tol)["both_within"] for s in after)
    last = next((s for t, s in reversed(poller.log) if "rate" in s), {})
    return {"beta": beta, f"both_stay_within_for_{hold:g}_s": stays, "frontier_point": {"rate": round(target[0], 2), "distortion": round(target[1], 2)},
            "seconds_until_both_R_and_D_within_10pct": first["both_within"],
            "seconds_until_distance_within_10pct": first["distance_within"], "timeout_s": timeout,
            "last": {"rate": last.get("rate"), "distortion": last.get("distortion"), "step": last.get("step")}}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=7895)
    p.add_argument("--betas", type=float, nargs="+", default=[4.0, 0.25], help="beta changes to follow, in order")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each beta change")
    p.add_argument("--clicks", type=int, default=30, help="clicks per latency phase")
    p.add_argument("--out", default=str(ROOT / "bench" / "live.json"))
    p.add_argument("--tls-per-request", action="store_true",
                   help="let every client request build its own TLS context, as gradio_client does")
    args = p.parse_args(argv)
    if not args.tls_per_request:  # the clients build one TLS context, not one per request (see bench_classroom)
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_classroom import reopen_closed_streams, share_tls_context
        share_tls_context()
        reopen_closed_streams()

    from gradio_client import Client

    import app as front_door
    from explorer.views.tradeoff import fixed_digits, measure_frontier
    from explorer.zoo import load_zoo

    zoo = load_zoo()
    frontier = measure_frontier(zoo, fixed_digits(zoo))
    demo = front_door.build_demo(zoo)  # with app.py's queue settings
    demo.launch(server_name="127.0.0.1", server_port=args.port, prevent_thread_lock=True, quiet=True,
                **front_door.LAUNCH)
    url = f"http://127.0.0.1:{args.port}/"
    report: dict = {"machine": "2 CPU cores, shared with other jobs (see load average)",
                    "frontier_measured_on": "the tab's fixed 250 binarised MNIST test digits"}
    try:
        clicker_client, trainer, second = (Client(url, verbose=False) for _ in range(3))
        clicker = Clicker(clicker_client)

        def latency_phase(name: str):
            clicker.take()
            for i in range(args.clicks):
                clicker.click(i)
                time.sleep(clicker.gap)
            report.setdefault("click_latency", {})[name] = summary(clicker.take())
            print(name, report["click_latency"][name], flush=True)

        with open("/proc/loadavg") as f:
            report["load_average_at_start"] = f.read().split()[:3]
        latency_phase("no trainer")

        # one trainer, started from the beta = 1 sweep model, while the clicker clicks
        trainer.predict("sweep", 2, 1.0, api_name="/live_start")
        poller = Poller(trainer)
        poller.start()
        clicker.start()
        time.sleep(5.0)
        report["beta_changes"] = []
        for beta in args.betas:
            res = follow_beta_change(trainer, poller, beta, frontier.point_for(beta), args.timeout)
            report["beta_changes"].append(res)
            print(res, flush=True)
        t_end = time.time()
        report["steps_per_second_one_trainer_while_clicking"] = steps_per_second(poller.log, t_end - 20, t_end)
        report.setdefault("click_latency", {})["one trainer (during the beta changes)"] = summary(clicker.take())
        clicker.halt.set()
        clicker.join()
        latency_phase("one trainer")

        # a second trainer (from scratch, 2-D latent) joins
        second.predict("scratch", 2, 1.0, api_name="/live_start")
        poller2 = Poller(second)
        poller2.start()
        t0 = time.time()
        latency_phase("two trainers")
        t1 = time.time()
        report["steps_per_second_two_trainers_while_clicking"] = {
            "from sweep model (512-256 MLP, z=32)": steps_per_second(poller.log, t0, t1),
            "from scratch (256 MLP, z=2)": steps_per_second(poller2.log, t0, t1)}
        with open("/proc/loadavg") as f:
            report["load_average_at_end"] = f.read().split()[:3]
        poller.halt.set(), poller2.halt.set()
        keys = ("step", "beta", "rate", "distortion")
        report["trajectory"] = [{"t": round(t - poller.log[0][0], 2), **{k: s.get(k) for k in keys}}
                                for t, s in poller.log if "rate" in s]
        for c in (trainer, second):
            c.predict(api_name="/live_stop")
    finally:
        demo.close()

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    write_figure(report, frontier, out.with_suffix(".html"))
    print(json.dumps({k: v for k, v in report.items() if k != "trajectory"}, indent=2))
    print(f"wrote {out} and {out.with_suffix('.html')}")


def write_figure(report: dict, frontier, path: Path) -> None:
    """The measured trajectory on the plane (plotly HTML: no image exporter ships with the app)."""
    from explorer.plots.tradeoff import rate_distortion_plane
    traj = report.get("trajectory", [])
    fig = rate_distortion_plane(frontier.betas, frontier.rates, frontier.distortions,
                                live_rate=[p["rate"] for p in traj], live_distortion=[p["distortion"] for p in traj],
                                title="bench_live: live run from the β = 1 model, β changed to " +
                                      ", ".join(f"{b['beta']:g}" for b in report.get("beta_changes", [])))
    import plotly.graph_objects as go
    go.Figure(fig.to_dict()).write_html(str(path), include_plotlyjs="cdn")  # validated: write_html needs it


if __name__ == "__main__":
    main()
