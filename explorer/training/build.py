"""Rebuild every shipped checkpoint and the manifest from the data, in one command:

    python -m explorer.training.build --data-root ../shared/data          # everything (about an hour on 2 cores)
    python -m explorer.training.build --data-root ../shared/data --only names_gru --skip-eval

Each model is trained by `python -m explorer.training.train` (the PixelCNN: `python -m
explorer.training.pixelcnn`) with the arguments of explorer/training/catalogue.py,
in its own process (one thread each, --jobs of them side by side), then writes the β tab's
live-training digits (`python -m explorer.training.live_digits`) and `python -m explorer.training.evaluate`
measures them all on the held-out splits and writes checkpoints/manifest.json.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from .catalogue import RECIPES, train_argv


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m explorer.training.build", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", default="./data")
    p.add_argument("--out-dir", default="checkpoints")
    p.add_argument("--only", nargs="*", help="train only these names")
    p.add_argument("--jobs", type=int, default=2, help="trainings side by side (one thread each)")
    p.add_argument("--skip-eval", action="store_true")
    args = p.parse_args(argv)
    todo = [r for r in RECIPES if not args.only or r.name in args.only]

    def run(r):
        cmd = [sys.executable, "-m", r.module, *train_argv(r, args.data_root, args.out_dir)]
        print("$", " ".join(cmd), flush=True)
        return r.name, subprocess.run(cmd).returncode

    with ThreadPoolExecutor(args.jobs) as pool:
        failed = [name for name, rc in pool.map(run, todo) if rc != 0]
    if failed:
        sys.exit(f"training failed for {failed}")
    if not args.only:  # the β tab's live-training digits (a small derived artefact)
        subprocess.run([sys.executable, "-m", "explorer.training.live_digits", "--data-root", args.data_root],
                       check=True)
    if not args.skip_eval:
        subprocess.run([sys.executable, "-m", "explorer.training.evaluate", "--data-root", args.data_root,
                        "--out-dir", args.out_dir], check=True)


if __name__ == "__main__":
    main()
