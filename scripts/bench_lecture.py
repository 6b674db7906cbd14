"""Click times of the lecture's newer views, in-process, one torch thread (the work a click does on the
server: the view and its figures, not gradio's transport).

    python scripts/bench_lecture.py            # prints a table, writes bench/lecture.json

Each row: the first call (cold: nothing cached) and the median of --repeats further calls. The
reference row is the per-token tab's Score (views.tokens.score + its figures), measured in the same
run, so that the other rows read as a ratio to a click students already know to be fast.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(fn, repeats: int) -> dict:
    """fn(i): call i; each call asks for something new (another seed, image or temperature), so the
    median is a click that nothing cached answers, except what the view keeps on purpose (a model's
    prefix tree, which temperature only rescales)."""
    t0 = time.perf_counter()
    fn(0)
    cold = time.perf_counter() - t0
    warm = []
    for i in range(1, repeats + 1):
        t0 = time.perf_counter()
        fn(i)
        warm.append(time.perf_counter() - t0)
    return {"cold_s": round(cold, 3), "median_s": round(statistics.median(warm), 4), "repeats": repeats}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default=str(ROOT / "bench" / "lecture.json"))
    args = p.parse_args()
    torch.set_num_threads(1)

    from explorer.plots import mass as mass_plots
    from explorer.plots import tokens as token_plots
    from explorer.views import conditional, mass, reparam
    from explorer.views import tokens as token_views
    from explorer.zoo import load_zoo
    zoo = load_zoo()

    names = ["olivia", "emma", "jonathan", "ava", "noah", "liam", "mia", "zoe", "ethan", "lucas", "isla"]

    def score(i):
        s = token_views.score(zoo.lm("names_transformer"), names[i % len(names)])
        token_plots.token_strip([s]), token_plots.nll_bars([s]), token_plots.top_alternatives(s)

    def mass_click(model):
        def click(i):  # the tab's outputs: four figures and the tables
            m = mass.probability_mass(zoo.lm(model), 3, 0.5 + 0.1 * i, "")
            mass_plots.mass_bars(m), mass_plots.top_names(m), mass_plots.mass_vs_temperature(m)
            mass_plots.entropy_vs_temperature(m), m.lengths_table(), m.top_table(), m.summary()
        return click

    rows = {
        "reference: /token_probabilities (Score)": score,
        "/probability_mass Transformer, L = 3": mass_click("names_transformer"),
        "/probability_mass GRU, L = 3": mass_click("names_gru"),
        "/conditional_sample MNIST (16 + 4 x 10)": lambda i: conditional.sample_outputs(zoo, "mnist", i % 10, 16, i, 4),
        "/classify MNIST model, a Fashion image (k = 100 x 10 labels)":
            lambda i: conditional.classify_outputs(zoo, "mnist", "fashion", 7 + i, 0),
        "/reparameterize z = 2, 16 draws": lambda i: reparam.reparam_outputs(zoo, "vae_mnist_z2", 3, 0, i, 16),
        "/reparameterize z = 32, 16 draws": lambda i: reparam.reparam_outputs(zoo, "vae_mnist_z32", 3, 0, i, 16),
    }
    results = {name: measure(fn, args.repeats) for name, fn in rows.items()}
    ref = results["reference: /token_probabilities (Score)"]["median_s"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, torch threads 1")
    print(f"{'click':66s} {'cold':>7s} {'median':>8s} {'x Score':>8s}")
    for name, r in results.items():
        r["ratio_to_reference"] = round(r["median_s"] / ref, 2)
        print(f"{name:66s} {r['cold_s']:7.3f} {r['median_s']:8.4f} {r['ratio_to_reference']:8.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "load_average": os.getloadavg(),
                               "results": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
