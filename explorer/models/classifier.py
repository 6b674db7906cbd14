"""A small convolutional classifier p(y|x): the discriminative model beside the conditional VAE.

    x (B, 1, 28, 28) -> conv 3x3 -> GELU -> max-pool -> conv 3x3 -> GELU -> max-pool -> linear -> logits (B, K)

It models only p(y|x): it has no notion of how likely x itself is, so it labels anything, even an
image unlike every training image (the lecture's "discriminative model" column).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ClassifierConfig:
    image_shape: tuple[int, int, int] = (1, 28, 28)  # C, H, W
    channels: tuple[int, int] = (16, 32)  # feature maps of the two conv blocks
    hidden: int = 128  # width of the fully connected layer
    n_classes: int = 10
    dropout: float = 0.25

    def __post_init__(self):
        self.image_shape = tuple(int(s) for s in self.image_shape)
        self.channels = tuple(int(c) for c in self.channels)
        if len(self.channels) != 2 or min(self.channels) < 1:
            raise ValueError(f"channels must be two positive numbers, got {self.channels}")
        if self.n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {self.n_classes}")
        if self.image_shape[1] % 4 or self.image_shape[2] % 4:
            raise ValueError(f"image height and width must be multiples of 4, got {self.image_shape}")

    def to_dict(self) -> dict:
        return asdict(self)


class Classifier(nn.Module):
    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c, h, w = config.image_shape
        c1, c2 = config.channels
        self.conv1 = nn.Conv2d(c, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.fc = nn.Linear(c2 * (h // 4) * (w // 4), config.hidden)
        self.head = nn.Linear(config.hidden, config.n_classes)
        self.drop = nn.Dropout(config.dropout)

    def _images(self, x: torch.Tensor) -> torch.Tensor:
        c, h, w = self.config.image_shape
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor of images, got {type(x).__name__}")
        if x.dim() == 3 and c == 1 and tuple(x.shape[1:]) == (h, w):
            x = x.unsqueeze(1)
        if x.dim() != 4 or tuple(x.shape[1:]) != (c, h, w):
            raise ValueError(f"expected images of shape (B, {c}, {h}, {w}) or (B, {h}, {w}); got {tuple(x.shape)}")
        return x.float()

    def forward(self, x: torch.Tensor, targets: torch.Tensor | None = None):
        """-> (logits (B, K), mean cross-entropy loss or None)."""
        h = F.max_pool2d(F.gelu(self.conv1(self._images(x))), 2)  # (B, c1, H/2, W/2)
        h = F.max_pool2d(F.gelu(self.conv2(h)), 2)  # (B, c2, H/4, W/4)
        h = self.drop(F.gelu(self.fc(h.flatten(1))))
        logits = self.head(self.drop(h))
        loss = None if targets is None else F.cross_entropy(logits, targets)
        return logits, loss

    @torch.no_grad()
    def log_probs(self, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
        """log p(y|x) for every class, (B, K); each row's exp sums to 1."""
        return torch.cat([F.log_softmax(self(x[i:i + batch_size])[0], -1) for i in range(0, len(x), batch_size)])
