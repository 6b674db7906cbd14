"""Cold start of the app against a bare Gradio app, started in turns on the same machine.

    python scripts/bench_coldstart.py              # 5 rounds: echo app, then app.py, each from scratch
    python scripts/bench_coldstart.py --rounds 3 --out bench/coldstart_small.json

Each round starts the ten-line echo app of `bench_classroom.py` and then `python app.py` as fresh
processes and times, for each: Popen to the first HTTP 200 on its page (what `bench_classroom.py`
calls cold start), and Popen to the first answer of one click (the echo; for the app, a prior sample
of the 32-D MNIST VAE, which needs torch and the models), so that work moved off the start-up path
but still paid before the first click shows up here. Prints and writes (bench/coldstart.json): every
round, the medians, the app's ratio to the echo app's, and the median of each round's ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classroom import FLOOR_APP, ROOT, Server, share_tls_context  # noqa: E402


def first_answer(server: Server, t0: float, api_name: str, args: list) -> float:
    """Seconds from t0 (the server's Popen) to the first answer of one call through gradio_client."""
    from gradio_client import Client
    Client(server.url, verbose=False).predict(*args, api_name=api_name)
    return time.perf_counter() - t0


def start(argv: list[str], port: int, api_name: str, args: list) -> dict:
    t0 = time.perf_counter()
    server = Server(argv, port)
    try:
        answer = first_answer(server, t0, api_name, args)
        return {"http_200_s": round(server.cold_start, 2), "first_answer_s": round(answer, 2)}
    finally:
        server.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--port", type=int, default=7880)
    p.add_argument("--out", default=str(ROOT / "bench" / "coldstart.json"))
    args = p.parse_args()
    share_tls_context()
    floor_script = Path(tempfile.mkdtemp(prefix="bench_coldstart_")) / "echo_app.py"
    floor_script.write_text(FLOOR_APP)
    rounds = []
    for i in range(args.rounds):
        floor = start([sys.executable, str(floor_script)], args.port, "/echo", ["hello"])
        app = start([sys.executable, "app.py"], args.port + 1, "/sample_prior", ["vae_mnist_z32", 0, 1.0, 16])
        rounds.append({"floor": floor, "app": app})
        print(f"round {i + 1}: echo app {floor['http_200_s']} s to HTTP 200, {floor['first_answer_s']} s to "
              f"its first answer; app {app['http_200_s']} s and {app['first_answer_s']} s", flush=True)

    def median(who: str, key: str) -> float:
        return round(statistics.median(r[who][key] for r in rounds), 2)

    # the ratio of the medians, and the median of each round's ratio (the two starts of a round are
    # seconds apart, so they share the machine's state more than two medians do)
    summary = {key: {"floor": median("floor", key), "app": median("app", key),
                     "ratio": round(median("app", key) / median("floor", key), 2),
                     "median_round_ratio": round(statistics.median(r["app"][key] / r["floor"][key]
                                                                   for r in rounds), 2)}
               for key in ("http_200_s", "first_answer_s")}
    report = {"settings": vars(args), "machine": f"{os.cpu_count()} CPU cores",
              "load_average_at_start": open("/proc/loadavg").read().split()[:3],
              "rounds": rounds, "median": summary}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    for key, m in summary.items():
        print(f"median {key}: echo app {m['floor']} s, app {m['app']} s ({m['ratio']}x; "
              f"median of the rounds' ratios {m['median_round_ratio']}x)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
