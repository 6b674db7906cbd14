"""Server time per click, for every public api_name, on the shipped checkpoints.

    python scripts/bench_clicks.py            # prints a table, writes bench/clicks.json

"Server time" is the event handler itself (the model work and the figure building), called
in-process; the full HTTP round trip from gradio_client (queue, image encoding, JSON, transfer)
is measured too. Median and 90th percentile over --repeats calls, one torch thread.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLS = {  # api_name -> example arguments (what a student's click sends)
    "/interpolate": ["vae_mnist_z32", 1, 7, 10, "slerp", 0],
    "/sample_prior": ["vae_mnist_z32", 0, 1.0, 16],
    "/sample_posterior": ["vae_mnist_z32", 3, 0, 8, 1000],
    "/token_probabilities": ["names_transformer", "olivia"],
    "/attention": ["olivia", 1, 0],
    "/generate": ["names_transformer", 1.0, 0, 0, 10],
    "/tradeoff": [4.0, 0],
}


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--out", default=str(ROOT / "bench" / "clicks.json"))
    args = p.parse_args()
    torch.set_num_threads(1)

    import app as front_door
    from gradio_client import Client

    demo = front_door.build_demo()  # with app.py's queue settings
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=7899, **front_door.LAUNCH)
    client = Client(url, verbose=False)
    results = {}
    for api, call_args in CALLS.items():
        handler = next(f.fn for f in demo.fns.values() if f.api_name == api.lstrip("/"))
        server, round_trip = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            handler(*call_args)
            server.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            client.predict(*call_args, api_name=api)
            round_trip.append(1000 * (time.perf_counter() - t))
        results[api] = {"server_ms_median": statistics.median(server), "server_ms_p90": percentile(server, 0.9),
                        "round_trip_ms_median": statistics.median(round_trip)}
        r = results[api]
        print(f"{api:22s} server {r['server_ms_median']:6.1f} ms (p90 {r['server_ms_p90']:6.1f})   "
              f"round trip {r['round_trip_ms_median']:6.1f} ms", flush=True)
    demo.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"repeats": args.repeats, "torch_threads": 1, "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
