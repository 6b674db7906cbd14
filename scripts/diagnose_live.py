"""Why the live β run does not reach the frontier after β 4 -> 0.25: it over-fits its 2,000 digits.

    python scripts/diagnose_live.py                 # prints and writes bench/diagnose_live.json

Starts the live trainer from the β = 4 sweep model, trains at β = 0.25 on the shipped live digits
(one thread, no app), and every 200 steps measures D and R on 250 of those training digits and on
the tab's 250 fixed test digits (both binarised once, the same eps): the frontier is a test figure.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from explorer.data import fixed_binary
    from explorer.training.live import LiveConfig, LiveRun, copy_model
    from explorer.training.live_digits import load_live_digits
    from explorer.views import tradeoff as views
    from explorer.zoo import load_zoo

    torch.set_num_threads(1)
    zoo = load_zoo()
    digits = views.fixed_digits(zoo)
    frontier = views.measure_frontier(zoo, digits)
    train_x = load_live_digits()[0].float().div(255)
    train_eval = fixed_binary(train_x[:250].reshape(-1, 1, 28, 28))
    run = LiveRun(copy_model(zoo.sweep[frontier.nearest(4.0)].model), train_x, digits.evaluation, beta=0.25,
                  config=LiveConfig())
    rows = []
    for _ in range(6):
        g = lambda: torch.Generator().manual_seed(views.MEASURE_SEED)  # noqa: E731
        tr, te = run.model.measure(train_eval, g()), run.model.measure(digits.evaluation, g())
        rows.append({"step": run.step, "train_R": round(tr.R, 1), "train_D": round(tr.D, 1),
                     "test_R": round(te.R, 1), "test_D": round(te.D, 1)})
        print(rows[-1], flush=True)
        run.run_steps(200)
    r0, d0 = frontier.point_for(0.25)
    out = {"frontier_point_beta_0.25": {"rate": round(r0, 2), "distortion": round(d0, 2)}, "trajectory": rows}
    path = ROOT / "bench" / "diagnose_live.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
