"""Train the PixelCNN on binarised MNIST. Nothing in this file knows about the app.

    python -m explorer.training.pixelcnn --data-root ../shared/data --out checkpoints/pixelcnn_mnist

The same data as the MNIST VAEs: the 10,000-digit training subset, 1,000 of them held out for
validation (the test split is never looked at here), a fresh binarisation of every batch ("dynamic
binarisation"), the validation digits binarised once. Fixed seed, Adam with a cosine schedule, the
weights with the best validation -log p(x) kept, and the learning curve recorded in the JSON.
"""
from __future__ import annotations

import argparse
import copy
import math
import shlex
import sys
import time

import torch

from .. import checkpoints
from ..data import DATA_DESCRIPTION, binarize, load_images
from ..models.pixelcnn import PixelCNN, PixelCNNConfig
from .train import holdout


@torch.no_grad()
def pixelcnn_evaluate(model: PixelCNN, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """(N, 1, H, W) binary -> (N,) exact log p(x) in nats."""
    model.eval()
    return torch.cat([model.log_prob(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def train_pixelcnn(model: PixelCNN, x_train: torch.Tensor, x_val: torch.Tensor, *, epochs: int,
                   batch_size: int, lr: float, seed: int, eval_every: int, stop_step: int | None = None,
                   max_seconds: float | None = None, log=print) -> dict:
    """Minimise the mean -log p(x) of freshly binarised batches; keep the best-on-validation weights.
    stop_step ends the run early at that step, the learning-rate schedule still spanning all epochs
    (so a run stopped at step S is the first S steps of the full run, exactly)."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    val = binarize(x_val, torch.Generator().manual_seed(seed + 1))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    total = epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(  # cosine from lr to lr / 10
        opt, lambda s: 0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, s / total))))
    best, best_state, best_step, history = math.inf, None, 0, []
    t0, step, running = time.time(), 0, []
    for epoch in range(epochs):
        perm = torch.randperm(len(x_train), generator=g)
        for i in range(0, len(perm), batch_size):
            model.train()
            xb = binarize(x_train[perm[i:i + batch_size]], g)
            _, loss = model(xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 100.0)
            opt.step()
            sched.step()
            step += 1
            running.append(loss.item())
            last = step == total or step == stop_step or bool(max_seconds and time.time() - t0 > max_seconds)
            if step % eval_every == 0 or last:
                v = -pixelcnn_evaluate(model, val).mean().item()
                point = {"step": step, "epoch": round(step / steps_per_epoch, 2),
                         "train_nll": round(sum(running) / len(running), 3), "val_nll": round(v, 3),
                         "seconds": round(time.time() - t0, 1)}
                running = []
                history.append(point)
                if v < best:
                    best, best_state, best_step = v, copy.deepcopy(model.state_dict()), step
                log(f"{point}  best {best:.3f}")
            if last:
                break
        if last:
            break
    model.load_state_dict(best_state)
    model.eval()
    return {"best_step": best_step, "best_val_nll": round(best, 3), "steps_run": step,
            "epochs_run": round(step / steps_per_epoch, 2), "seconds": round(time.time() - t0, 1),
            "learning_curve": history}


def command_line(argv: list[str]) -> str:
    """The exact command that reproduces this checkpoint (recorded in its JSON)."""
    return "python -m explorer.training.pixelcnn " + " ".join(shlex.quote(a) for a in argv)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m explorer.training.pixelcnn", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = PixelCNNConfig()
    p.add_argument("--data-root", default="./data", help="torchvision data root (default ./data)")
    p.add_argument("--channels", type=int, default=d.n_channels)
    p.add_argument("--layers", type=int, default=d.n_layers, help="gated layers after the first")
    p.add_argument("--first-kernel", type=int, default=d.first_kernel)
    p.add_argument("--kernel", type=int, default=d.kernel)
    p.add_argument("--head", type=int, default=d.n_head)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eval-every", type=int, default=250, help="validate every this many steps")
    p.add_argument("--stop-step", type=int, default=None,
                   help="stop at this step (the schedule still spans --epochs): the start of the full run")
    p.add_argument("--n-val", type=int, default=1000)
    p.add_argument("--weights-dtype", choices=["float16", "float32"], default="float32",
                   help="how the weights are stored (computation is always float32)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=None, help="stop early after this long")
    p.add_argument("--out", required=True, help="checkpoint path without suffix")
    return p.parse_args(argv)


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    x, _ = load_images("mnist", args.data_root, train=True)
    tr, va = holdout(len(x), args.n_val, args.seed)
    config = PixelCNNConfig(n_channels=args.channels, n_layers=args.layers, first_kernel=args.first_kernel,
                            kernel=args.kernel, n_head=args.head)
    torch.manual_seed(args.seed)
    model = PixelCNN(config)
    report = train_pixelcnn(model, x[tr], x[va], epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                            seed=args.seed, eval_every=args.eval_every, stop_step=args.stop_step,
                            max_seconds=args.max_seconds,
                            log=lambda s: print(s, flush=True))
    meta = {
        "seed": args.seed, "dataset": "mnist", "command": command_line(argv), "threads": args.threads,
        "data": f"{DATA_DESCRIPTION[('mnist', 'train')]}; {args.n_val} held out for validation; "
                "binarised afresh each batch",
        "training": report,
    }
    dtype = {"float16": torch.float16, "float32": torch.float32}[args.weights_dtype]
    print(checkpoints.save(model, args.out, meta, dtype=dtype), {k: v for k, v in report.items()
                                                                  if k != "learning_curve"})


if __name__ == "__main__":
    main()
