"""A classroom at once: N gradio_client users each click a few times, all together.

    python scripts/bench_crowd.py --students 20 --clicks 5     # prints a summary, writes bench/crowd.json

Half the students send a name with characters outside the vocabulary, which must come back as
a clear error while everyone else is still served. Clients run as threads of this process, beside
the server, so the figures are pessimistic for a real classroom.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=20)
    p.add_argument("--clicks", type=int, default=5)
    p.add_argument("--out", default=str(ROOT / "bench" / "crowd.json"))
    args = p.parse_args()
    torch.set_num_threads(1)

    import app as front_door
    from gradio_client import Client

    demo = front_door.build_demo()  # with app.py's queue settings
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=7898, **front_door.LAUNCH)
    errors, latencies, lock = [], [], threading.Lock()

    def student(i: int) -> None:
        client = Client(url, verbose=False)
        for j in range(args.clicks):
            t = time.perf_counter()
            try:
                if j % 3 == 0:
                    client.predict("vae_mnist_z32", i % 10, i, 8, 1000, api_name="/sample_posterior")
                elif j % 3 == 1:
                    client.predict("names_transformer", "emma" if i % 2 else "Zoë!", api_name="/token_probabilities")
                else:
                    client.predict("vae_mnist_z2", 1, 7, 10, "slerp", i, api_name="/interpolate")
            except Exception as e:  # the intended refusals, and anything else, are counted
                with lock:
                    errors.append(str(e).split(";")[0][:60])
            with lock:
                latencies.append(1000 * (time.perf_counter() - t))

    threads = [threading.Thread(target=student, args=(i,)) for i in range(args.students)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    demo.close()
    result = {"students": args.students, "clicks_each": args.clicks, "wall_s": round(wall, 2),
              "clicks_per_s": round(len(latencies) / wall, 1),
              "latency_ms_median": round(statistics.median(latencies)),
              "latency_ms_max": round(max(latencies)), "errors": dict(Counter(errors))}
    print(json.dumps(result, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
