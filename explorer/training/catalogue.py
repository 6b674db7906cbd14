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
# the lecture's Gaussian decoder p(x|z) = N(x_hat, sigma_x^2 I) on grey MNIST: sigma_x plays beta's role
# (beta_eff = 2 sigma_x^2 against squared error); smaller networks and fewer epochs keep them cheap
SIGMA_XS = (0.1, 0.3, 1.0)
SIGMA_ARGS = ["--hidden", "256", "128", "--epochs", "100", "--warmup-epochs", "10", "--seed", "0"]
# the conditional VAEs p(x|y) and the classifiers p(y|x) of the conditional tab: smaller networks than the
# VAE_ARGS ones (both cVAEs together must stay under 5 MB), the same seed, warm-up and binarised inputs
CVAE_ARGS = ["--conditional", "--latent-dim", "16", "--hidden", "384", "192", "--seed", "0"]
CLASSIFIER_ARGS = ["--channels", "16", "32", "--hidden-units", "128", "--seed", "0"]


TRAIN = "explorer.training.train"
PIXELCNN = "explorer.training.pixelcnn"


@dataclass(frozen=True)
class Recipe:
    name: str
    role: str  # "main" (a tab's model), "sweep" (a beta-sweep point), "sigma" (a Gaussian-decoder
    # point), "lm" (character model), "conditional" (a conditional VAE p(x|y)), "classifier" (a CNN p(y|x))
    args: tuple[str, ...]
    module: str = TRAIN  # python -m <module> <args> trains it

    @property
    def family(self) -> str:
        return "pixelcnn" if self.module == PIXELCNN else self.args[0]

    @property
    def dataset(self) -> str:
        if self.family == "pixelcnn":
            return "mnist"
        return "names" if self.family not in ("vae", "classifier") else self.args[self.args.index("--dataset") + 1]


def sigma_name(sigma_x: float) -> str:
    return f"gauss_mnist_sigma{sigma_x:g}"


def _vae(dataset: str, z: int, epochs: int | None = None) -> tuple[str, ...]:
    args = ["vae", "--dataset", dataset, "--latent-dim", str(z), *VAE_ARGS]
    if epochs is not None:
        args[args.index("--epochs") + 1] = str(epochs)
    return tuple(args)


def _cvae(dataset: str, epochs: int, warmup: int) -> tuple[str, ...]:
    return ("vae", "--dataset", dataset, *CVAE_ARGS, "--epochs", str(epochs), "--warmup-epochs", str(warmup))


RECIPES: list[Recipe] = [
    Recipe("vae_mnist_z2", "main", _vae("mnist", 2)),
    Recipe(HEADLINE_VAE, "main", _vae("mnist", 32)),
    # 60,000 images: six times the steps per epoch, so a sixth of the epochs
    Recipe("vae_fashion_z2", "main", _vae("fashion", 2, epochs=50)),
    Recipe("vae_fashion_z32", "main", _vae("fashion", 32, epochs=50)),
    *[Recipe(f"sweep_mnist_beta{b:g}", "sweep", (*_vae("mnist", 32), "--beta", f"{b:g}"))
      for b in SWEEP_BETAS if b != 1.0],
    *[Recipe(sigma_name(s), "sigma", ("vae", "--dataset", "mnist", "--latent-dim", "32", "--likelihood", "gaussian",
                                      "--sigma-x", f"{s:g}", *SIGMA_ARGS))
      for s in SIGMA_XS],
    # the conditional tab: p(x|y) (latent 16) and p(y|x) on the same binarised images; Fashion-MNIST has
    # six times the steps per epoch, so fewer epochs
    Recipe("cvae_mnist", "conditional", _cvae("mnist", epochs=200, warmup=20)),
    Recipe("cvae_fashion", "conditional", _cvae("fashion", epochs=30, warmup=5)),
    Recipe("clf_mnist", "classifier", ("classifier", "--dataset", "mnist", *CLASSIFIER_ARGS, "--epochs", "15")),
    Recipe("clf_fashion", "classifier", ("classifier", "--dataset", "fashion", *CLASSIFIER_ARGS, "--epochs", "5")),
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
