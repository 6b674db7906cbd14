"""A longer hostile run: N malformed calls (the fuzz suite's generator, with new seeds each round),
then what the server kept: RSS against the start, live trainers, sessions, export files.

    python scripts/bench_hostile.py --calls 1500     # prints a summary, writes bench/hostile.json

Also measures what a decompression bomb costs: Gradio's own decode of a 10000 x 10000 PNG with
Pillow's default limit (what the app did before it set its own), and the app's refusal now.
The server runs in this process (RSS is read from /proc/self/status).
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bomb_decode_seconds(bomb: bytes) -> float:
    """What gradio 6's gr.Image preprocessing spends on a bomb under Pillow's default limit."""
    import gradio as gr
    import PIL.Image
    from gradio.data_classes import ImageData

    limit = PIL.Image.MAX_IMAGE_PIXELS
    PIL.Image.MAX_IMAGE_PIXELS = 89_478_485  # Pillow's default
    try:
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(bomb)
            f.flush()
            component = gr.Image(type="numpy", image_mode="RGBA", render=False)
            t = time.perf_counter()
            try:
                component.preprocess(ImageData(path=f.name, orig_name="bomb.png"))
            except Exception:  # noqa: BLE001 (only the time matters here)
                pass
            return time.perf_counter() - t
    finally:
        PIL.Image.MAX_IMAGE_PIXELS = limit


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=1500)
    p.add_argument("--out", default=str(ROOT / "bench" / "hostile.json"))
    args = p.parse_args()
    torch.set_num_threads(1)

    import app as front_door
    from gradio_client import Client

    from explorer.views import exports
    from tests.test_fuzz_api import (LIVE_SESSION, Rest, arguments, generated_calls, live_trainers,
                                     make_hostile_files, png_bomb, public_endpoints, rss_mb)

    bomb = png_bomb(10000, 10000)
    before_fix = bomb_decode_seconds(bomb)

    demo = front_door.build_demo()  # with app.py's queue settings
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=7899, **front_door.LAUNCH)
    client = Client(url, verbose=False)
    rest = Rest(url)
    endpoints = public_endpoints(client)
    files = make_hostile_files(rest, client, endpoints)

    bomb_args = arguments(endpoints, "interpolate", steps=5, source_a="upload", upload_a=files["bomb"])
    refusals = []
    for _ in range(5):
        t = time.perf_counter()
        kind, message = rest.call("interpolate", bomb_args)
        refusals.append(time.perf_counter() - t)
    assert kind == "error" and "megapixels" in message, message

    for name in sorted(endpoints):  # warm up, as the fuzz suite does
        api = name.lstrip("/")
        rest.call(api, arguments(endpoints, api), LIVE_SESSION if api.startswith("live_") else None)
    rest.call("live_stop", arguments(endpoints, "live_stop"), LIVE_SESSION)
    gc.collect()
    rss_start = rss_mb()
    sessions_start = len(demo.state_holder.session_data)

    outcomes, slowest, done, seed = Counter(), 0.0, 0, 0
    started = time.monotonic()
    while done < args.calls:
        for api, call_args, _ in generated_calls(endpoints, files, seed=seed):
            if done >= args.calls:
                break
            t = time.perf_counter()
            kind, out = rest.call(api, call_args, LIVE_SESSION if api.startswith("live_") else None)
            slowest = max(slowest, time.perf_counter() - t)
            outcomes["result" if kind == "complete" else "message" if kind == "error" and out else
                     "refused by gradio"] += 1
            done += 1
        seed += 1
    elapsed = time.monotonic() - started
    rest.call("live_stop", arguments(endpoints, "live_stop"), LIVE_SESSION)
    healthy = rest.call("sample_prior", arguments(endpoints, "sample_prior", n=1))[0] == "complete"
    gc.collect()
    rss_end = rss_mb()
    trainers = len(live_trainers())
    export_dir = exports._EXPORT_DIR
    summary = {
        "calls": done, "seconds": round(elapsed, 1), "outcomes": dict(outcomes),
        "slowest_call_s": round(slowest, 3), "server_answers_after": healthy,
        "rss_start_mb": round(rss_start), "rss_end_mb": round(rss_end), "rss_ratio": round(rss_end / rss_start, 3),
        "live_trainers_left": trainers,
        "sessions_start": sessions_start, "sessions_kept": len(demo.state_holder.session_data),
        "session_capacity": demo.state_session_capacity,
        "export_files_kept": len(list(export_dir.iterdir())) if export_dir and export_dir.is_dir() else 0,
        "bomb_10000x10000_gradio_decode_default_limit_s": round(before_fix, 3),
        "bomb_10000x10000_refusal_round_trip_s_median": round(sorted(refusals)[len(refusals) // 2], 4),
        "threads": threading.active_count(),
    }
    demo.close()
    print(json.dumps(summary, indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
