"""What a new session costs the server: REST calls, each one a session of its own.

    python scripts/bench_sessions.py               # 80 calls after 20 to warm up
    python scripts/bench_sessions.py --calls 200 --out bench/sessions_200.json

Starts `python app.py` as a subprocess, makes --warm calls to /sample_prior through gradio's REST
route (`POST /gradio_api/call/...`, then its event stream), waits for the memory trim, and then times
--calls more, one after another. Every such call comes without a session hash, so gradio makes a
session for each and keeps it (up to EXPLORER_MAX_SESSIONS). Prints and writes (bench/sessions.json):
the server's RSS before and after, per call, and the median time of a call.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classroom import ROOT, Server  # noqa: E402

ARGS = ["vae_mnist_z32", 0, 1.0, 16, "en"]  # model, seed, temperature, n, language


def rest_call(url: str) -> float:
    t0 = time.perf_counter()
    event = httpx.post(url + "gradio_api/call/sample_prior", json={"data": ARGS}, timeout=60).json()["event_id"]
    with httpx.stream("GET", url + f"gradio_api/call/sample_prior/{event}", timeout=60) as stream:
        lines = list(stream.iter_lines())
    if not any(line.startswith("event: complete") for line in lines):
        raise RuntimeError(f"the call did not complete: {lines[-4:]}")
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=80)
    p.add_argument("--warm", type=int, default=20)
    p.add_argument("--port", type=int, default=7885)
    p.add_argument("--out", default=str(ROOT / "bench" / "sessions.json"))
    args = p.parse_args()
    server = Server([sys.executable, "app.py"], args.port)
    try:
        for _ in range(args.warm):
            rest_call(server.url)
        time.sleep(6)  # the app returns freed memory to the system every 5 s
        before = server.rss()
        times = [rest_call(server.url) for _ in range(args.calls)]
        time.sleep(6)
        after = server.rss()
    finally:
        server.close()
    report = {"settings": vars(args), "rss_mb_before": round(before, 1), "rss_mb_after": round(after, 1),
              "kib_per_call": round((after - before) * 1024 / args.calls, 1),
              "median_call_ms": round(statistics.median(times) * 1000, 1)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"{args.calls} REST calls, each a new session: RSS {before:.0f} -> {after:.0f} MB "
          f"({report['kib_per_call']} KiB per call), median call {report['median_call_ms']} ms")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
