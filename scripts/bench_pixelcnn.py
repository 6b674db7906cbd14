"""PixelCNN sampling speed on the shipped checkpoint, one torch thread.

    python scripts/bench_pixelcnn.py          # prints a table, writes bench/pixelcnn.json

Times (median of --repeats runs): a batch of 16 complete samples drawn in raster order; one
completion of 8 test digits (their top 14 rows kept, the bottom 14 drawn); one forward pass (the
per-pixel view's model work). Also the tab's clicks end to end in-process (figures, images and the GIF included): /pixel_probabilities,
/pixel_sample (16 digits) and /pixel_complete (8 completions).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeats: int) -> dict:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "repeats": repeats}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default=str(ROOT / "bench" / "pixelcnn.json"))
    args = p.parse_args()
    torch.set_num_threads(1)

    from explorer.data import BINARIZE_SEED, binarize
    from explorer.views import pixels as views
    from explorer.zoo import load_zoo

    zoo = load_zoo()
    entry = zoo.pixelcnn()
    model = entry.model
    gallery = zoo.vae(entry.vae).map
    # 8 test digits of 8 different classes, binarised as everywhere else, top 14 rows kept
    idx = [int((gallery.gallery_labels == c).nonzero()[0][0]) for c in range(8)]
    x8 = binarize(gallery.gallery[idx], torch.Generator().manual_seed(BINARIZE_SEED))
    start = 14 * model.config.image_size

    results = {
        "sample_16": timed(lambda: model.sample(16, torch.Generator().manual_seed(0)), args.repeats),
        "complete_8_digits_bottom_half": timed(
            lambda: model.complete(x8, start, torch.Generator().manual_seed(0)), args.repeats),
        "forward_1_digit": timed(torch.no_grad()(lambda: model.log_prob_pixels(x8[:1])), args.repeats),
        "click_pixel_probabilities": timed(lambda: views.probability_outputs(zoo, 3, 0), args.repeats),
        "click_pixel_sample_16": timed(lambda: views.sample_outputs(zoo, 16, 0, 1.0), args.repeats),
        "click_pixel_complete_8": timed(lambda: views.complete_outputs(zoo, 7, 0, 14, 8, 1.0), args.repeats),
    }
    report = {"checkpoint": entry.name, "config": model.config.to_dict(), "torch_threads": 1,
              "torch": torch.__version__, "machine": platform.processor() or platform.machine(),
              "results": results}
    for name, r in results.items():
        print(f"{name:32s} median {r['median_s']:.3f} s  (min {r['min_s']:.3f}, max {r['max_s']:.3f}, "
              f"{r['repeats']} runs)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
