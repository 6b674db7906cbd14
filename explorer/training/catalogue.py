"""What ships in checkpoints/: every model's name, role and training arguments, in one place.

`python -m explorer.training.build` trains them all from this list and then runs the evaluation; each
checkpoint's JSON records the exact command that produced it.
"""
from __future__ import annotations

from dataclasses import dataclass

# one recipe for every MNIST-sized VAE; the sweep changes only beta
VAE_ARGS = ["--hidden", "512", "256", "--epochs", "300", "--warmup-epochs", "20", "--seed", "0"]
SWEEP_BETAS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
HEADLINE_VAE = "vae_mnist_z32"  # beta = 1, the larger latent; also the sweep's beta = 1 point


TRAIN = "explorer.training.train"
PIXELCNN = "explorer.training.pixelcnn"


@dataclass(frozen=True)
class Recipe:
    name: str
    role: str  # "main" (a tab's model), "sweep" (a beta-sweep point), "lm" (character model)
    args: tuple[str, ...]
    module: str = TRAIN  # python -m <module> <args> trains it

    @property
    def family(self) -> str:
        return "pixelcnn" if self.module == PIXELCNN else self.args[0]

    @property
    def dataset(self) -> str:
        if self.family == "pixelcnn":
            return "mnist"
        return "names" if self.family != "vae" else self.args[self.args.index("--dataset") + 1]


def _vae(dataset: str, z: int, epochs: int | None = None) -> tuple[str, ...]:
    args = ["vae", "--dataset", dataset, "--latent-dim", str(z), *VAE_ARGS]
    if epochs is not None:
        args[args.index("--epochs") + 1] = str(epochs)
    return tuple(args)


RECIPES: list[Recipe] = [
    Recipe("vae_mnist_z2", "main", _vae("mnist", 2)),
    Recipe(HEADLINE_VAE, "main", _vae("mnist", 32)),
    # 60,000 images: six times the steps per epoch, so a sixth of the epochs
    Recipe("vae_fashion_z2", "main", _vae("fashion", 2, epochs=50)),
    Recipe("vae_fashion_z32", "main", _vae("fashion", 32, epochs=50)),
    *[Recipe(f"sweep_mnist_beta{b:g}", "sweep", (*_vae("mnist", 32), "--beta", f"{b:g}"))
      for b in SWEEP_BETAS if b != 1.0],
    Recipe("names_transformer", "lm", ("transformer", "--n-embd", "128", "--n-layer", "4", "--n-head", "4",
                                       "--dropout", "0.1", "--max-steps", "12000", "--batch-size", "64",
                                       "--lr", "2e-3", "--seed", "0")),
    Recipe("names_gru", "lm", ("gru", "--n-embd", "64", "--n-hidden", "256", "--dropout", "0.1",
                               "--max-steps", "15000", "--batch-size", "64", "--lr", "3e-3", "--seed", "0")),
    # the exact density beside the VAEs: same 10,000 digits, same held-out 1,000, same binarisation;
    # planned for 14 epochs, stopped at step 3500 (the schedule still spans 14: see --stop-step)
    Recipe("pixelcnn_mnist", "density", ("--channels", "32", "--layers", "6", "--epochs", "14", "--batch-size", "32",
                                         "--lr", "2e-3", "--eval-every", "250", "--seed", "0", "--stop-step", "3500"),
           module=PIXELCNN),
]


def recipe(name: str) -> Recipe:
    for r in RECIPES:
        if r.name == name:
            return r
    raise KeyError(f"no recipe named {name!r}; known: {[r.name for r in RECIPES]}")


def train_argv(r: Recipe, data_root: str, out_dir: str = "checkpoints", threads: int = 1) -> list[str]:
    data = ["--data-root", data_root] if r.dataset != "names" else ["--data", f"{data_root}/names.txt"]
    return [*r.args, *data, "--threads", str(threads), "--out", f"{out_dir}/{r.name}"]
