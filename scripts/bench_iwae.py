"""A posterior's log p(x) from k importance samples, timed at several decoder pass sizes.

    python scripts/bench_iwae.py              # prints a table, writes bench/iwae.json

The posterior tab estimates a new image's log p(x) from k = 1000 samples z_i ~ q(z|x), each decoded
(views.vae._estimate_log_px, one torch thread as the app runs). VAE.importance_samples decodes them
in passes of at most models.vae.DECODE_ROWS rows; this times the whole estimate for each tab VAE with
all k rows in one pass and with passes of --rows each, in turns, and checks that the numbers are the
same either way.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ONE_PASS = 10 ** 9  # more rows than any k: the whole estimate in one pass


@contextmanager
def decode_rows(rows: int):
    """models.vae.DECODE_ROWS set to rows while the block runs, then as it was."""
    import explorer.models.vae as mv
    kept, mv.DECODE_ROWS = mv.DECODE_ROWS, rows
    try:
        yield
    finally:
        mv.DECODE_ROWS = kept


def time_estimate(model, x, k: int, rows: int, repeats: int) -> list[float]:
    """Milliseconds of each of `repeats` estimates (after one untimed) with passes of `rows`."""
    from explorer.views.vae import _estimate_log_px
    with decode_rows(rows):
        _estimate_log_px(model, x, k)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            _estimate_log_px(model, x, k)
            times.append((time.perf_counter() - start) * 1e3)
    return times


def estimate(model, x, k: int, rows: int) -> tuple[float, float]:
    """(log p(x), E_q log p(x|z)) of x with passes of `rows`."""
    from explorer.views.vae import _estimate_log_px
    with decode_rows(rows):
        return _estimate_log_px(model, x, k)


def run(models: list[str], k: int, rows: list[int], repeats: int, rounds: int) -> dict:
    from explorer.zoo import load_zoo
    zoo = load_zoo()
    report = {"k": k, "repeats": repeats, "rounds": rounds, "threads": torch.get_num_threads(), "models": {}}
    for name in models:
        entry = zoo.vae(name)
        x = entry.map.gallery[:1].clone()
        settings = [ONE_PASS, *rows]
        times = {r: [] for r in settings}
        for _ in range(rounds):  # in turns, so that a slower spell of the machine falls on every setting
            for r in settings:
                times[r] += time_estimate(entry.model, x, k, r, repeats)
        one_pass = estimate(entry.model, x, k, ONE_PASS)
        same = {r: estimate(entry.model, x, k, r) == one_pass for r in rows}
        report["models"][name] = {
            "median_ms": {("one pass" if r == ONE_PASS else str(r)): round(statistics.median(t), 2)
                          for r, t in times.items()},
            "same_numbers": {str(r): s for r, s in same.items()},
        }
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=["vae_mnist_z2", "vae_mnist_z32", "vae_fashion_z2", "vae_fashion_z32"])
    p.add_argument("--k", type=int, default=1000)
    p.add_argument("--rows", type=int, nargs="+", default=[128, 256, 512])
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=str(ROOT / "bench" / "iwae.json"))
    args = p.parse_args()
    torch.set_num_threads(1)  # as the app runs
    report = run(args.models, args.k, args.rows, args.repeats, args.rounds)
    columns = ["one pass", *map(str, args.rows)]
    print(f"log p(x) from k = {args.k} importance samples, median ms (one thread); columns: rows per pass")
    print(f"{'model':18s}" + "".join(f"{c:>10s}" for c in columns) + "   same numbers")
    for name, m in report["models"].items():
        print(f"{name:18s}" + "".join(f"{m['median_ms'][c]:10.2f}" for c in columns)
              + "   " + ("yes" if all(m["same_numbers"].values()) else f"NO {m['same_numbers']}"))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
