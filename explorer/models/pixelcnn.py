"""A gated PixelCNN over binary images: an explicit, exact density by the chain rule.

    p(x) = prod_i p(x_i | x_<i),   i = 0 .. H*W - 1 in raster order (row by row, left to right)

Each factor is a Bernoulli whose logit the network computes from the pixels above and to the left
only. The network is the gated PixelCNN of van den Oord et al. (2016, "Conditional Image
Generation with PixelCNN Decoders", Fig. 2): a vertical stack that sees every row above (no blind
spot) and a horizontal stack that sees the pixels to the left in the current row; the first layer
is "type A" (it may not see pixel i itself), the later ones "type B" (they may see position i of
the previous layer, which never saw x_i).

Contract (as the character models): forward(x, targets=None) -> (logits, loss), with loss the mean
over the batch of -log p(x) in nats. log_prob_pixels(x) gives every log p(x_i | x_<i); their sum
is log_prob(x). sample() and complete() draw pixels in raster order with a torch.Generator, caching
every layer's features so that a step computes one new pixel (and one new row of the vertical stack
per row), not the whole network again (Ramachandran et al. 2017, "Fast Generation for
Convolutional Autoregressive Models").
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class PixelCNNConfig:
    image_size: int = 28  # H = W; one binary channel
    n_channels: int = 64  # p: feature maps in each stack (the gates use 2p)
    n_layers: int = 8  # gated layers after the first (type A) one
    first_kernel: int = 7  # k x k receptive window of the type-A layer (odd)
    kernel: int = 3  # k x k window of the type-B layers (odd)
    n_head: int = 128  # hidden width of the 1x1 output head

    def __post_init__(self):
        for name in ("image_size", "n_channels", "n_layers", "first_kernel", "kernel", "n_head"):
            setattr(self, name, int(getattr(self, name)))
        for name in ("first_kernel", "kernel"):
            k = getattr(self, name)
            if k < 3 or k % 2 == 0:
                raise ValueError(f"{name} must be an odd number >= 3, got {k}")
        if self.image_size < 2 or self.n_channels < 1 or self.n_layers < 0 or self.n_head < 1:
            raise ValueError(f"invalid PixelCNN shape: {self}")

    @property
    def n_pixels(self) -> int:
        return self.image_size * self.image_size

    def to_dict(self) -> dict:
        return asdict(self)


def gate(a: torch.Tensor) -> torch.Tensor:
    """tanh(W_f * x) . sigmoid(W_g * x): the gated activation unit, on a (B, 2p, ...) tensor."""
    f, g = a.chunk(2, dim=1)
    return torch.tanh(f) * torch.sigmoid(g)


class GatedLayer(nn.Module):
    """One gated layer. Every convolution is unpadded; forward() pads so that

        vertical   output row r   sees input rows r - k//2 .. r        (all columns c - k//2 .. c + k//2)
        horizontal output (r, c)  sees input row r, columns c - k//2 .. c  (type B)
                                  or columns c - k//2 .. c - 1             (type A: not x_i itself)

    and the vertical stack reaches the horizontal one shifted down a row, so (r, c) only ever sees
    rows < r through it. The sampler feeds the same convolutions the few rows/columns they need.
    """

    def __init__(self, c_in: int, p: int, k: int, first: bool):
        super().__init__()
        self.k, self.first = k, first
        self.v_conv = nn.Conv2d(c_in, 2 * p, (k // 2 + 1, k))
        self.h_conv = nn.Conv2d(c_in, 2 * p, (1, k // 2 if first else k // 2 + 1))
        self.v_to_h = nn.Conv2d(2 * p, 2 * p, 1)
        self.h_out = nn.Conv2d(p, p, 1)

    def v_pre(self, v: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, 2p, H, W): row r from rows r - k//2 .. r (zeros above the image)."""
        k = self.k
        return self.v_conv(F.pad(v, (k // 2, k // 2, k // 2, 0)))

    def h_pre(self, h: torch.Tensor) -> torch.Tensor:
        """(B, C, R, W) -> (B, 2p, R, W): column c from columns to its left (and c, for type B)."""
        k = self.k
        if self.first:  # type A: pad k//2 on the left, drop the last output -> columns c-k//2 .. c-1
            return self.h_conv(F.pad(h, (k // 2, 0)))[..., :-1]
        return self.h_conv(F.pad(h, (k // 2, 0)))

    def forward(self, v: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v_pre = self.v_pre(v)
        # shift down one row: the horizontal stack at row r hears the vertical stack of row r - 1
        v_down = F.pad(self.v_to_h(v_pre), (0, 0, 1, 0))[:, :, :-1]
        h_new = self.h_out(gate(self.h_pre(h) + v_down))
        return gate(v_pre), h_new if self.first else h + h_new


class PixelCNN(nn.Module):
    def __init__(self, config: PixelCNNConfig):
        super().__init__()
        self.config = config
        p = config.n_channels
        self.layers = nn.ModuleList(
            [GatedLayer(1, p, config.first_kernel, first=True)]
            + [GatedLayer(p, p, config.kernel, first=False) for _ in range(config.n_layers)])
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(p, config.n_head, 1), nn.ReLU(),
                                  nn.Conv2d(config.n_head, 1, 1))

    # ------------------------------------------------------------------ density
    def _check(self, x: torch.Tensor) -> torch.Tensor:
        s = self.config.image_size
        if x.dim() == 3:
            x = x.unsqueeze(1)
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, s, s):
            raise ValueError(f"PixelCNN expects binary images of shape (B, 1, {s}, {s}), got {tuple(x.shape)}")
        return x.float()

    def forward(self, x: torch.Tensor, targets: torch.Tensor | None = None):
        """x: (B, 1, H, W) in {0, 1}. Returns (logits (B, 1, H, W) of p(x_i = 1 | x_<i), loss).

        loss = mean over the batch of -log p(targets) in nats; targets default to x itself (the
        density of the image being read); None is returned when targets is None and x is not binary.
        """
        x = self._check(x)
        v = h = x
        for layer in self.layers:
            v, h = layer(v, h)
        logits = self.head(h)
        if targets is None:
            targets = x
        loss = F.binary_cross_entropy_with_logits(logits, self._check(targets), reduction="sum") / x.size(0)
        return logits, loss

    def log_prob_pixels(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) binary -> (B, 1, H, W): log p(x_i | x_<i) for every pixel."""
        x = self._check(x)
        logits, _ = self(x)
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none")

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) binary -> (B,): the exact log p(x) = sum_i log p(x_i | x_<i), nats."""
        return self.log_prob_pixels(x).flatten(1).sum(1)

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None,
               temperature: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """n images drawn pixel by pixel in raster order. Returns (x (n, 1, H, W) in {0, 1},
        probs (n, 1, H, W): the p(x_i = 1 | x_<i) each pixel was drawn from, after temperature)."""
        s = self.config.image_size
        x = torch.zeros(n, 1, s, s)
        return self.complete(x, start=0, generator=generator, temperature=temperature)

    @torch.no_grad()
    def complete(self, x: torch.Tensor, start: int, generator: torch.Generator | None = None,
                 temperature: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """Keep pixels 0 .. start-1 (raster order) of x, draw pixels start .. H*W-1 given them.

        Returns (x, probs) as sample() does; probs before `start` are the model's own p(x_i = 1 |
        x_<i) for the kept pixels. temperature divides the logits (1 = the model's distribution).
        """
        x = self._check(x).clone()
        B, _, H, W = x.shape
        if not 0 <= start <= H * W:
            raise ValueError(f"start must be a raster index in 0..{H * W}, got {start}")
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        x[:, :, (start // W) + 1:] = 0  # the pixels to be drawn never leak in
        x[:, :, start // W, start % W:] = 0
        probs = torch.zeros_like(x)
        L, p = len(self.layers), self.config.n_channels
        # The horizontal stack as matrices over channels-last row caches, left-padded with zeros, so
        # that one pixel step is a few small matrix products per layer, not a convolution call.
        pad = max(layer.h_conv.kernel_size[1] for layer in self.layers)
        mats = [(layer.h_conv.weight.squeeze(2).permute(0, 2, 1).flatten(1).t().contiguous(),  # (kw*C, 2p)
                 layer.h_out.weight.flatten(1).t().contiguous(), layer.h_out.bias,  # (p, p), (p,)
                 layer.h_conv.kernel_size[1], layer.first) for layer in self.layers]
        head_1, head_2 = self.head[1], self.head[3]
        w_1, w_2 = head_1.weight.flatten(1).t(), head_2.weight.flatten(1).t()
        # caches: v[l] (B, C, H, W) output of layer l's vertical stack (v[0] = x)
        v = [x] + [x.new_zeros(B, p, H, W) for _ in range(L)]
        for r in range(H):
            # the horizontal stack of row r hears the vertical stack of row r - 1 (nothing for r = 0),
            # (B, W, 2p) each, with the horizontal convolution's bias folded in
            v_down = [(layer.h_conv.bias if r == 0 else
                       self._vertical_row(v, r - 1, l).squeeze(2).transpose(1, 2) + layer.h_conv.bias
                       ).expand(B, W, 2 * p).contiguous() for l, layer in enumerate(self.layers)]
            if r < start // W:
                continue
            h = [x.new_zeros(B, pad + W, 1)] + [x.new_zeros(B, pad + W, p) for _ in range(L)]  # row r
            h[0][:, pad:, 0] = x[:, 0, r]  # the kept pixels of this row; the rest are still 0
            for c in range(W):
                for l, (w_h, w_out, b_out, kw, first) in enumerate(mats):
                    hi = pad + c + (0 if first else 1)  # type A stops before c, type B includes it
                    a = torch.addmm(v_down[l][:, c], h[l][:, hi - kw:hi].reshape(B, -1), w_h)  # (B, 2p)
                    out = torch.addmm(b_out, torch.tanh(a[:, :p]) * torch.sigmoid(a[:, p:]), w_out)
                    h[l + 1][:, pad + c] = out if first else out + h[l][:, pad + c]
                z = torch.relu(torch.addmm(head_1.bias, torch.relu(h[L][:, pad + c]), w_1))
                prob = torch.sigmoid(torch.addmm(head_2.bias, z, w_2).squeeze(1) / temperature)  # (B,)
                probs[:, 0, r, c] = prob
                if r * W + c >= start:
                    x[:, 0, r, c] = torch.bernoulli(prob, generator=generator)
                    h[0][:, pad + c, 0] = x[:, 0, r, c]
        if start // W > 0:  # the rows above the first drawn row skipped the horizontal stack: score them in one pass
            probs[:, :, :start // W] = torch.sigmoid(self(x)[0] / temperature)[:, :, :start // W]
        return x, probs

    def _vertical_row(self, v: list[torch.Tensor], r: int, l: int) -> torch.Tensor:
        """Compute row r of layer l's vertical stack into v[l + 1] from rows r - k//2 .. r of v[l];
        return the shifted-down contribution v_to_h(v_pre) that row r + 1's horizontal stack hears.
        Called for l = 0, 1, ... in order, so v[l]'s row r is ready."""
        layer = self.layers[l]
        k = layer.k
        rows = v[l][:, :, max(0, r - k // 2):r + 1]
        rows = F.pad(rows, (k // 2, k // 2, k // 2 + 1 - rows.size(2), 0))
        v_pre = layer.v_conv(rows)  # (B, 2p, 1, W)
        v[l + 1][:, :, r:r + 1] = gate(v_pre)
        return layer.v_to_h(v_pre)


def receptive_mask(config: PixelCNNConfig, i: int) -> torch.Tensor:
    """(H, W) bool: the pixels the prediction for raster pixel i is allowed to see (j < i).

    The gated stacks see exactly this set, bar the far corners their finite windows cannot reach;
    the causality test checks that nothing at j >= i is ever seen."""
    s = config.image_size
    return (torch.arange(s * s) < i).view(s, s)
