"""How fast the live trainer reaches the frontier after a change of β, under other training settings.

    python scripts/diagnose_live_settings.py 1 4 base hot=0,lr=1e-3,perclass=200     # now, and the trainer before
    python scripts/diagnose_live_settings.py scratch 1 base hot=0,lr=1e-3             # the small model from scratch
    python scripts/diagnose_live_settings.py 4 0.25 base reopen=0.05,freebits=1.3,bs=256,lr=3e-3,steps=2000

Starts from the sweep model nearest the first β (or, given `scratch`, from the tab's small model from
scratch) and trains it at the second, as the app's trainer does
after a change of β (a fresh Adam, `hot_steps` steps at `hot_lr`; one thread, no app, 2,400 steps
unless steps=N), and every 100 steps measures R and D on the tab's fixed test digits as the app does.
Prints, for each setting, the first step at which R and D are each within 10 % of the frontier point
for the new β (and whether they stay within), (R, D) at steps 900, 1,800 and 2,400, the training steps
per second (one thread, measurements left out), and every fourth point.

Settings, combined with commas (hot=0,perclass=200):
  base          the trainer as it is (explorer/training/live.py): the shipped digits (the 10,000-digit
                MNIST training subset), Adam, lr 3e-4 after hot_steps = 600 steps at 3e-3, batch 64, D + β·R
  lr=X  bs=N    learning rate, batch size
  hot=N         steps at hotlr=X (default 3e-3) after the change; hot=0: lr from the first step
  perclass=N    N training digits of each class (../shared/data, next to the repository), picked as
                `python -m explorer.training.live_digits` picks them: perclass=200 is the 2,000 digits
                the app shipped before the trainer's change of dcdbe84
  latent=N      with `scratch` in place of the first β: the small model's latent size (default 32)
  sweep=1       with `scratch`: the sweep models' architecture (hidden 512, 256) instead of the small model's
  steps=N       steps in all (a multiple of 100)
  seed=N        the run's seed (batches, binarisation, eps)
  shift=N       each training digit moved by up to N pixels in x and y at random, per step
  cos=N         the lr falls along a cosine to a tenth over N steps (explorer.training.train's schedule)
  reopen=X      before the first step, the latent units whose rate on 1,000 training digits is under X nats
                (collapsed: posterior = prior) start again as at initialisation: their encoder rows (mean
                and log-variance) and their decoder column
  reopenlogvar=X  with reopen: the reopened units' log-variance bias (default 0, as at initialisation;
                -6 starts them with sigma about 0.05, so the decoder sees their signal without the prior's noise)
  freebits=X    the rate of each unit under X nats (batch mean) goes unpenalised (Kingma et al. 2016):
                the objective is no longer D + β·R
  klwarm=N      the rate's weight rises from 0 to the new β over the first N steps
  threads=N     torch's intra-op threads for the whole run (default 1, as the app's trainer)
  restart_X=V   LiveConfig's restart_X (the fresh start after a large fall of β, explorer/training/live.py):
                restart_factor=0 turns it off, as the trainer was before it
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.data import binarize  # noqa: E402
from explorer.models.vae import gaussian_kl  # noqa: E402
from explorer.training.live import LiveConfig, LiveRun, copy_model, small_vae  # noqa: E402

DATA_ROOT = ROOT.parent / "shared" / "data"
REPORTED = (900, 1800, 2400)


class Run(LiveRun):
    """The live run under one setting (a dict of the spec's key=value pairs)."""

    setting: dict[str, str] = {}

    def _get(self, key: str, default: float) -> float:
        return float(self.setting.get(key, default))

    def _batch(self) -> torch.Tensor:
        a = int(self._get("shift", 0))
        if not a:
            return super()._batch()
        idx = torch.randint(0, len(self.train_x), (self.config.batch_size,), generator=self._gen)
        x = torch.nn.functional.pad(self._digits(idx).reshape(-1, 28, 28), (a, a, a, a))
        dy, dx = (torch.randint(0, 2 * a + 1, (len(x),), generator=self._gen) for _ in range(2))
        grid = torch.arange(28)
        x = x[torch.arange(len(x))[:, None, None], (dy[:, None] + grid)[:, :, None], (dx[:, None] + grid)[:, None, :]]
        return binarize(x.reshape(len(x), -1), self._gen)

    @torch.no_grad()
    def reopen(self, threshold: float) -> int:
        """Re-initialise the collapsed latent units (rate under `threshold` nats on 1,000 training digits)
        as nn.Linear does: uniform in +-1/sqrt(fan_in), zero bias. Returns how many."""
        x = self._digits(torch.arange(min(1000, len(self.train_x))))
        x = binarize(x, torch.Generator().manual_seed(self.config.seed))
        rate = gaussian_kl(*self.model.encode(x)).mean(0)
        collapsed = (rate < threshold).nonzero().squeeze(1).tolist()
        head, first = self.model.encoder[-1], self.model.decoder[0]
        g, Z = torch.Generator().manual_seed(self.config.seed), self.model.config.latent_dim
        for d in collapsed:
            for row in (d, Z + d):  # mu_d and log sigma_d^2
                head.weight[row] = (torch.rand(head.in_features, generator=g) * 2 - 1) / math.sqrt(head.in_features)
                head.bias[row] = 0.0
            head.bias[Z + d] = self._get("reopenlogvar", 0.0)  # < 0: the reopened unit starts with a narrow q(z_d|x)
            first.weight[:, d] = (torch.rand(first.out_features, generator=g) * 2 - 1) / math.sqrt(first.in_features)
        return len(collapsed)

    def _learning_rate(self) -> float:
        lr = super()._learning_rate()
        n = self._get("cos", 0)
        return lr * (0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, self.step / n)))) if n else lr

    def _objective(self, x: torch.Tensor, beta: float) -> torch.Tensor:
        """LiveRun's D + beta * R, or this setting's rate term."""
        free, warm = self._get("freebits", 0), self._get("klwarm", 0)
        if not (free or warm):
            return super()._objective(x, beta)
        out = self.model.loss(x, beta=beta, generator=self._gen)
        weight = beta * min(1.0, (self.step + 1) / warm) if warm else beta
        rate = out.kl_per_dim.mean(0).clamp(min=free).sum() if free else out.rate.mean()
        return out.distortion.mean() + weight * rate

def main() -> None:
    from explorer.data import load_images
    from explorer.training.live_digits import load_live_digits, pick
    from explorer.views import tradeoff as views
    from explorer.zoo import load_zoo

    scratch = sys.argv[1] == "scratch"
    src, dst, specs = 1.0 if scratch else float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:] or ["base"]
    zoo = load_zoo()
    digits = views.fixed_digits(zoo)
    frontier = views.measure_frontier(zoo, digits)
    shipped = load_live_digits()[0]
    r0, d0 = frontier.point_for(dst)
    i = frontier.nearest(src)
    start = "the small model from scratch" if scratch else f"the β = {frontier.betas[i]:g} model"
    print(f"from {start} at β = {dst:g}: frontier R {r0:.2f}, D {d0:.2f}")
    for spec in specs:
        setting = dict(x.split("=") for x in spec.split(",") if "=" in x)
        torch.set_num_threads(int(setting.get("threads", 1)))
        if "perclass" in setting:
            x, y = load_images("mnist", DATA_ROOT, train=True, download=False)
            train_x = x[pick(y, int(setting["perclass"])), 0]
        else:
            train_x = shipped
        defaults = LiveConfig()
        restart = {k: type(getattr(defaults, k))(v) for k, v in setting.items() if k.startswith("restart_")}
        config = LiveConfig(lr=float(setting.get("lr", defaults.lr)), batch_size=int(setting.get("bs", 64)),
                            seed=int(setting.get("seed", 0)), hot_steps=int(setting.get("hot", defaults.hot_steps)),
                            hot_lr=float(setting.get("hotlr", defaults.hot_lr)), **restart)
        hidden = (512, 256) if setting.get("sweep") == "1" else (256,)
        model = small_vae(int(setting.get("latent", 32)), hidden) if scratch else copy_model(zoo.sweep[i].model)
        run = type("SettingRun", (Run,), {"setting": setting})(
            model, train_x, digits.evaluation, beta=dst, config=config,
            trained_beta=None if scratch else float(frontier.betas[i]))
        reopened = run.reopen(float(setting["reopen"])) if "reopen" in setting else None
        first, outside, points, train_seconds = None, 0, [], 0.0
        with run._lock:
            for _ in range(int(setting.get("steps", 2400)) // 100):
                t0 = time.perf_counter()
                for _ in range(100):
                    run._train_step()
                train_seconds += time.perf_counter() - t0
                run._measure()
                h = run._history[-1]
                points.append((run.step, round(h["rate"], 1), round(h["distortion"], 1)))
                if abs(h["rate"] - r0) <= 0.1 * r0 and abs(h["distortion"] - d0) <= 0.1 * d0:
                    first = first or run.step
                else:
                    outside = run.step
        at = {p[0]: p[1:] for p in points}
        stays = "" if first is None else (" (within from then on)" if outside < first
                                          else f" (last outside at step {outside})")
        reported = ", ".join(f"{s}: {at.get(s)}" for s in REPORTED)
        reopened = "" if reopened is None else f"; {reopened} units reopened"
        print(f"{spec}: first within 10 %: {first}{stays}; (R, D) at {reported}; "
              f"{run.step / train_seconds:.0f} steps/s{reopened}; on the way {points[3::4]}", flush=True)


if __name__ == "__main__":
    main()
