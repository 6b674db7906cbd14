"""How fast the live trainer reaches the frontier after a change of β, under other training settings.

    python scripts/diagnose_live_settings.py 1 4 base lr=2e-3 lr=3e-3 shift=1 shift=2
    python scripts/diagnose_live_settings.py 4 0.25 base shift=1 shift=2

Starts from the sweep model nearest the first β, trains at the second (one thread, no app, 2,400 steps
unless steps=N), and every 100 steps measures R and D on the tab's fixed test digits as the app does.
Prints, for each setting, the first step at which R and D are each within 10 % of the frontier point
for the new β, the last point, and every fourth point of the way. Settings: `base` (the trainer as it
is), lr=X, bs=N (batch size), shift=N (each training digit moved by up to N pixels in x and y at
random, per step), steps=N; combine them with commas (lr=2e-3,shift=1).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.data import binarize  # noqa: E402
from explorer.training.live import LiveConfig, LiveRun, copy_model  # noqa: E402


class ShiftedRun(LiveRun):
    """The live run with its training digits moved by up to `shift` pixels (zero padded) per step."""

    shift = 1

    def _batch(self) -> torch.Tensor:
        a = self.shift
        idx = torch.randint(0, len(self.train_x), (self.config.batch_size,), generator=self._gen)
        x = torch.nn.functional.pad(self.train_x[idx].reshape(-1, 28, 28), (a, a, a, a))
        dy, dx = (torch.randint(0, 2 * a + 1, (len(x),), generator=self._gen) for _ in range(2))
        grid = torch.arange(28)
        x = x[torch.arange(len(x))[:, None, None], (dy[:, None] + grid)[:, :, None], (dx[:, None] + grid)[:, None, :]]
        return binarize(x.reshape(len(x), -1), self._gen)


def main() -> None:
    from explorer.training.live_digits import load_live_digits
    from explorer.views import tradeoff as views
    from explorer.zoo import load_zoo

    torch.set_num_threads(1)
    src, dst, specs = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:] or ["base"]
    zoo = load_zoo()
    digits = views.fixed_digits(zoo)
    frontier = views.measure_frontier(zoo, digits)
    train_x = load_live_digits()[0].float().div(255)
    r0, d0 = frontier.point_for(dst)
    print(f"from the β = {frontier.betas[frontier.nearest(src)]:g} model at β = {dst:g}: frontier R {r0:.2f}, D {d0:.2f}")
    for spec in specs:
        kw = dict(x.split("=") for x in spec.split(",") if "=" in x)
        config = LiveConfig(lr=float(kw.get("lr", 1e-3)), batch_size=int(kw.get("bs", 64)))
        cls = type("Run", (ShiftedRun,), {"shift": int(kw["shift"])}) if int(kw.get("shift", 0)) else LiveRun
        run = cls(copy_model(zoo.sweep[frontier.nearest(src)].model), train_x, digits.evaluation, beta=dst,
                  config=config)
        t0, first, points = time.time(), None, []
        for _ in range(int(kw.get("steps", 2400)) // 100):
            run.run_steps(100)
            h = run._history[-1]
            points.append((run.step, round(h["rate"], 1), round(h["distortion"], 1)))
            if first is None and abs(h["rate"] - r0) <= 0.1 * r0 and abs(h["distortion"] - d0) <= 0.1 * d0:
                first = run.step
        print(f"{spec}: first within 10 %: {first}; last (step, R, D) {points[-1]}; on the way {points[::4]}; "
              f"{time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
