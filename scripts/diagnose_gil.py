"""Why a handler made of many small torch operations is slow beside other work in the same server.

Each torch operation called from Python gives up the interpreter lock while it runs and takes it
back afterwards. When another thread wants the lock (the event loop, another event's postprocessing),
it takes it at that moment, and the handler waits until that thread gives it back: at the latest
after the interpreter's switch interval (`sys.getswitchinterval()`, 5 ms by default). Generating ten
names is about a thousand such operations, so beside a thread that is busy in Python it waits for the
lock about a thousand times.

    python scripts/diagnose_gil.py             # generate 10 names, 30 seeds: alone and beside a busy thread
    python scripts/diagnose_gil.py --rounds 10

Prints the median and 90th percentile, alone and beside a thread that builds JSON without pause, at
switch intervals of 5, 1 and 0.5 ms (the busy thread is the extreme case; in the app other events
hold the lock for a few milliseconds at a time). One torch thread, as in the app.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=30, help="seeds generated per setting")
    args = p.parse_args()

    import torch

    from explorer.views import tokens
    from explorer.zoo import load_zoo

    torch.set_num_threads(1)
    entry = load_zoo().lm("names_transformer")
    tokens._generate_samples(entry, 10, 1.0, 0, 0)  # warm

    stop = threading.Event()

    def busy():  # a thread that works in Python without pause
        while not stop.is_set():
            json.dumps([{"x": list(range(200)), "y": [i * 0.5 for i in range(200)]} for _ in range(20)])

    for interval in (0.005, 0.001, 0.0005):
        sys.setswitchinterval(interval)
        for beside in (False, True):
            stop.clear()
            thread = threading.Thread(target=busy, daemon=True) if beside else None
            if thread:
                thread.start()
            times = []
            for seed in range(args.rounds):
                t0 = time.perf_counter()
                tokens._generate_samples(entry, 10, 1.0, 0, 1000 + seed)  # not kept: computed each time
                times.append(1000 * (time.perf_counter() - t0))
            stop.set()
            if thread:
                thread.join()
            times.sort()
            print(f"switch interval {1000 * interval:.1f} ms, {'beside a busy thread' if beside else 'alone':21s}: "
                  f"10 names, median {times[len(times) // 2]:7.1f} ms, p90 {times[int(0.9 * (len(times) - 1))]:7.1f} ms",
                  flush=True)
    sys.setswitchinterval(0.005)


if __name__ == "__main__":
    main()
