"""Train the shipped models. Nothing in this file knows about the app.

    python -m explorer.training.train vae --dataset mnist --latent-dim 16 --out checkpoints/vae_mnist_z16
    python -m explorer.training.train vae --dataset mnist --conditional --out checkpoints/cvae_mnist   # p(x|y)
    python -m explorer.training.train classifier --dataset mnist --out checkpoints/clf_mnist          # p(y|x)
    python -m explorer.training.train transformer --out checkpoints/names_transformer
    python -m explorer.training.train gru --out checkpoints/names_gru

Fixed seeds, a progress bar, best-on-validation selection (the validation set is carved out of
the training data; the test split is never looked at here), safetensors + JSON out.
"""
from __future__ import annotations

import argparse
import copy
import math
import shlex
import sys
import time

import torch
from tqdm import tqdm

from .. import checkpoints
from ..data import (DATA_DESCRIPTION, binarize, encode_words, load_images, load_words, split_words)
from ..models import GRUConfig, GRULanguageModel, Transformer, TransformerConfig, VAE, VAEConfig, Vocab


def holdout(n: int, n_val: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return perm[n_val:], perm[:n_val]


# ---------------------------------------------------------------------------- VAE
def vae_batch(x: torch.Tensor, likelihood: str, generator: torch.Generator) -> torch.Tensor:
    # Bernoulli: a fresh binarisation per visit ("dynamic binarisation") regularises like augmentation
    return binarize(x, generator) if likelihood == "bernoulli" else x


def vae_evaluate(model: VAE, x: torch.Tensor, batch_size: int = 1000, seed: int = 0, y=None) -> dict:
    model.eval()
    m = model.measure(x, torch.Generator().manual_seed(seed), batch_size, y=y)
    return {"distortion": m.D, "rate": m.R, "elbo": m.elbo}


def train_vae(model: VAE, x_train: torch.Tensor, x_val: torch.Tensor, *, epochs: int, batch_size: int,
              lr: float, warmup_epochs: int, seed: int, max_seconds: float | None = None,
              progress: bool = True, y_train: torch.Tensor | None = None, y_val: torch.Tensor | None = None) -> dict:
    """Minimise distortion + beta * rate; keep the weights with the best validation beta-loss.
    A conditional VAE (config.n_classes > 0) is given the labels y_train / y_val as well."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    beta = model.config.beta
    val = vae_batch(x_val, model.config.likelihood, torch.Generator().manual_seed(seed + 1))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=lr / 10)
    best, best_state, best_epoch, history = math.inf, None, -1, []
    t0 = time.time()
    bar = tqdm(range(epochs), desc=f"vae z={model.config.latent_dim} beta={beta:g}", disable=not progress)
    for epoch in bar:
        model.train()
        # KL warm-up (Sønderby et al. 2016): the rate weight ramps 0 -> beta, fewer inactive units
        w = beta * min(1.0, (epoch + 1) / warmup_epochs) if warmup_epochs > 0 else beta
        perm = torch.randperm(len(x_train), generator=g)
        for i in range(0, len(perm), batch_size):
            xb = vae_batch(x_train[perm[i:i + batch_size]], model.config.likelihood, g)
            yb = None if y_train is None else y_train[perm[i:i + batch_size]]
            loss = model.loss(xb, beta=w, generator=g, y=yb).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
        m = vae_evaluate(model, val, seed=seed, y=y_val)
        objective = m["distortion"] + beta * m["rate"]
        history.append({"epoch": epoch + 1, **m})
        if epoch + 1 >= warmup_epochs and objective < best:
            best, best_state, best_epoch = objective, copy.deepcopy(model.state_dict()), epoch + 1
        bar.set_postfix(val_D=f"{m['distortion']:.1f}", val_R=f"{m['rate']:.1f}", best=f"{best:.2f}")
        if max_seconds and time.time() - t0 > max_seconds:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return {"best_epoch": best_epoch, "best_val_objective": best, "epochs_run": len(history),
            "seconds": round(time.time() - t0, 1), "val": vae_evaluate(model, val, seed=seed, y=y_val)}


def main_vae(args) -> None:
    x, labels = load_images(args.dataset, args.data_root, train=True)
    tr, va = holdout(len(x), args.n_val, args.seed)
    config = VAEConfig(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                       likelihood=args.likelihood, sigma_x=args.sigma_x, beta=args.beta,
                       n_classes=10 if args.conditional else 0)
    torch.manual_seed(args.seed)
    model = VAE(config)
    y_train, y_val = (labels[tr], labels[va]) if args.conditional else (None, None)
    report = train_vae(model, x[tr], x[va], epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       warmup_epochs=args.warmup_epochs, seed=args.seed, max_seconds=args.max_seconds,
                       y_train=y_train, y_val=y_val)
    meta = {
        "seed": args.seed, "dataset": args.dataset, "command": command_line(args.argv),
        "data": f"{DATA_DESCRIPTION[(args.dataset, 'train')]}; {args.n_val} held out for validation",
        "training": report,
    }
    dtype = {"float16": torch.float16, "float32": torch.float32}[args.weights_dtype]
    print(checkpoints.save(model, args.out, meta, dtype=dtype), report)


# ---------------------------------------------------------------------------- classifier p(y|x)
def main_classifier(args) -> None:
    from ..models.classifier import Classifier, ClassifierConfig
    from .classifier import train_classifier

    x, labels = load_images(args.dataset, args.data_root, train=True)
    tr, va = holdout(len(x), args.n_val, args.seed)  # the same held-out images as the VAEs
    config = ClassifierConfig(channels=tuple(args.channels), hidden=args.hidden_units, dropout=args.dropout)
    torch.manual_seed(args.seed)
    model = Classifier(config)
    report = train_classifier(model, x[tr], labels[tr], x[va], labels[va], epochs=args.epochs,
                              batch_size=args.batch_size, lr=args.lr, weight_decay=args.weight_decay,
                              seed=args.seed, max_seconds=args.max_seconds)
    meta = {
        "seed": args.seed, "dataset": args.dataset, "command": command_line(args.argv),
        "data": (f"{DATA_DESCRIPTION[(args.dataset, 'train')]}; {args.n_val} held out for validation; "
                 f"binarised (a fresh torch.bernoulli draw per batch), like the VAEs' inputs"),
        "training": report,
    }
    dtype = {"float16": torch.float16, "float32": torch.float32}[args.weights_dtype]
    print(checkpoints.save(model, args.out, meta, dtype=dtype), {k: v for k, v in report.items() if k != "history"})


# ---------------------------------------------------------------------------- character models
@torch.no_grad()
def lm_evaluate(model, X: torch.Tensor, Y: torch.Tensor, batch_size: int = 1000) -> float:
    """Mean NLL in nats per scored token (characters and end tokens), as makemore reports it."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(X), batch_size):
        logits, _ = model(X[i:i + batch_size])
        y = Y[i:i + batch_size]
        nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1),
                                                ignore_index=-1, reduction="sum")
        total += float(nll)
        count += int((y >= 0).sum())
    return total / count


def train_lm(model, X: torch.Tensor, Y: torch.Tensor, Xv: torch.Tensor, Yv: torch.Tensor, *,
             max_steps: int, batch_size: int, lr: float, weight_decay: float, seed: int,
             eval_every: int = 250, max_seconds: float | None = None, progress: bool = True) -> dict:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.99))
    warmup = min(200, max_steps // 10)

    def lr_at(step):  # linear warm-up, then cosine to lr / 10
        if step < warmup:
            return lr * (step + 1) / warmup
        p = (step - warmup) / max(1, max_steps - warmup)
        return lr / 10 + 0.5 * (lr - lr / 10) * (1 + math.cos(math.pi * min(1.0, p)))

    best, best_state, best_step, t0 = math.inf, None, 0, time.time()
    bar = tqdm(range(max_steps), desc=type(model).__name__, disable=not progress)
    for step in bar:
        model.train()
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        ix = torch.randint(0, len(X), (batch_size,), generator=g)
        _, loss = model(X[ix], Y[ix])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        last = step == max_steps - 1 or (max_seconds and time.time() - t0 > max_seconds)
        if (step + 1) % eval_every == 0 or last:
            v = lm_evaluate(model, Xv, Yv)
            if v < best:
                best, best_state, best_step = v, copy.deepcopy(model.state_dict()), step + 1
            bar.set_postfix(train=f"{loss.item():.3f}", val=f"{v:.4f}", best=f"{best:.4f}")
        if last:
            break
    model.load_state_dict(best_state)
    model.eval()
    return {"best_step": best_step, "best_val_nll": best, "steps_run": step + 1,
            "seconds": round(time.time() - t0, 1)}


def main_lm(args) -> None:
    words = load_words(args.data)
    vocab = Vocab.from_words(words)
    train_words, _ = split_words(words)  # the test names are never seen here
    tr, va = holdout(len(train_words), args.n_val, args.seed)
    X, Y = encode_words(train_words, vocab)
    if args.family == "transformer":
        config = TransformerConfig(vocab_size=vocab.size, block_size=vocab.block_size, n_layer=args.n_layer,
                                   n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout)
        cls = Transformer
    else:
        config = GRUConfig(vocab_size=vocab.size, block_size=vocab.block_size, n_embd=args.n_embd,
                           n_hidden=args.n_hidden, n_layer=args.n_layer, dropout=args.dropout)
        cls = GRULanguageModel
    torch.manual_seed(args.seed)
    model = cls(config)
    report = train_lm(model, X[tr], Y[tr], X[va], Y[va], max_steps=args.max_steps, batch_size=args.batch_size,
                      lr=args.lr, weight_decay=args.weight_decay, seed=args.seed, max_seconds=args.max_seconds)
    meta = {
        "seed": args.seed, "dataset": "names", "command": command_line(args.argv),
        "data": (f"names.txt ({len(words)} names), makemore split: {len(train_words)} train "
                 f"({args.n_val} of them held out for validation) / {len(words) - len(train_words)} test"),
        "training": report,
    }
    print(checkpoints.save(model, args.out, meta, vocab=vocab), report)


# ---------------------------------------------------------------------------- CLI
def command_line(argv: list[str]) -> str:
    """The exact command that reproduces this checkpoint (recorded in its JSON)."""
    return "python -m explorer.training.train " + " ".join(shlex.quote(a) for a in argv)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m explorer.training.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="family", required=True)

    v = sub.add_parser("vae", help="a VAE on MNIST or Fashion-MNIST")
    v.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    v.add_argument("--data-root", default="./data", help="torchvision data root (default ./data)")
    v.add_argument("--latent-dim", type=int, default=16)
    v.add_argument("--hidden", type=int, nargs="+", default=[512, 256])
    v.add_argument("--likelihood", choices=["bernoulli", "gaussian"], default="bernoulli")
    v.add_argument("--sigma-x", type=float, default=0.1)
    v.add_argument("--beta", type=float, default=1.0)
    v.add_argument("--conditional", action="store_true",
                   help="a conditional VAE p(x|y): the label one-hot goes to the encoder and the decoder")
    v.add_argument("--epochs", type=int, default=100)
    v.add_argument("--warmup-epochs", type=int, default=10)
    v.add_argument("--batch-size", type=int, default=100)
    v.add_argument("--lr", type=float, default=1e-3)
    v.add_argument("--n-val", type=int, default=1000)
    v.add_argument("--weights-dtype", choices=["float16", "float32"], default="float16",
                   help="how the weights are stored (computation is always float32)")

    c = sub.add_parser("classifier", help="a small CNN p(y|x) on binarised MNIST or Fashion-MNIST")
    c.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    c.add_argument("--data-root", default="./data", help="torchvision data root (default ./data)")
    c.add_argument("--channels", type=int, nargs=2, default=[16, 32])
    c.add_argument("--hidden-units", type=int, default=128)
    c.add_argument("--dropout", type=float, default=0.25)
    c.add_argument("--epochs", type=int, default=10)
    c.add_argument("--batch-size", type=int, default=100)
    c.add_argument("--lr", type=float, default=3e-3)
    c.add_argument("--weight-decay", type=float, default=1e-4)
    c.add_argument("--n-val", type=int, default=1000)
    c.add_argument("--weights-dtype", choices=["float16", "float32"], default="float16")

    for name in ("transformer", "gru"):
        a = sub.add_parser(name, help=f"a character {name} on names.txt")
        a.add_argument("--data", default="./data/names.txt")
        a.add_argument("--n-layer", type=int, default=4 if name == "transformer" else 1)
        a.add_argument("--n-head", type=int, default=4)
        a.add_argument("--n-embd", type=int, default=64)
        a.add_argument("--n-hidden", type=int, default=256)
        a.add_argument("--dropout", type=float, default=0.1)
        a.add_argument("--max-steps", type=int, default=20000)
        a.add_argument("--batch-size", type=int, default=64)
        a.add_argument("--lr", type=float, default=2e-3)
        a.add_argument("--weight-decay", type=float, default=0.01)
        a.add_argument("--n-val", type=int, default=1000)

    for s in sub.choices.values():
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--threads", type=int, default=2)
        s.add_argument("--max-seconds", type=float, default=None, help="stop early after this long")
        s.add_argument("--out", required=True, help="checkpoint path without suffix")
    return p.parse_args(argv)


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    args.argv = argv
    torch.set_num_threads(args.threads)
    {"vae": main_vae, "classifier": main_classifier}.get(args.family, main_lm)(args)


if __name__ == "__main__":
    main()
