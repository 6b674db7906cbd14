"""Train the discriminative classifier p(y|x). Nothing in this file knows about the app.

    python -m explorer.training.train classifier --dataset mnist --out checkpoints/clf_mnist

It sees the inputs the conditional VAE sees: binarised images (a fresh binarisation of every batch,
the validation images binarised once), so that the tab compares the two models on the same pixels.
The test split is never looked at here.
"""
from __future__ import annotations

import copy
import time

import torch
from tqdm import tqdm

from ..data import binarize
from ..models.classifier import Classifier


@torch.no_grad()
def accuracy(model: Classifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return (model.log_probs(x).argmax(-1) == y).float().mean().item()


def train_classifier(model: Classifier, x_train: torch.Tensor, y_train: torch.Tensor, x_val: torch.Tensor,
                     y_val: torch.Tensor, *, epochs: int, batch_size: int, lr: float, weight_decay: float,
                     seed: int, max_seconds: float | None = None, progress: bool = True) -> dict:
    """Minimise cross-entropy on freshly binarised batches; keep the best validation accuracy."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    val = binarize(x_val, torch.Generator().manual_seed(seed + 1))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * ((len(x_train) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    best, best_state, best_epoch, history, t0 = -1.0, None, -1, [], time.time()
    bar = tqdm(range(epochs), desc="classifier", disable=not progress)
    for epoch in bar:
        model.train()
        perm = torch.randperm(len(x_train), generator=g)
        for i in range(0, len(perm), batch_size):
            ix = perm[i:i + batch_size]
            _, loss = model(binarize(x_train[ix], g), y_train[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        acc = accuracy(model, val, y_val)
        history.append({"epoch": epoch + 1, "val_accuracy": acc})
        if acc > best:
            best, best_state, best_epoch = acc, copy.deepcopy(model.state_dict()), epoch + 1
        bar.set_postfix(loss=f"{loss.item():.3f}", val_acc=f"{acc:.4f}")
        if max_seconds and time.time() - t0 > max_seconds:
            break
    model.load_state_dict(best_state)
    model.eval()
    return {"best_epoch": best_epoch, "best_val_accuracy": best, "epochs_run": len(history),
            "seconds": round(time.time() - t0, 1), "history": history}
