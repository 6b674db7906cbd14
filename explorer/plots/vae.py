"""Figures for the VAE tabs: image grids (numpy, upscaled so 28 px digits read on a projector) and
plotly figures (the latent map, mu/sigma against the prior, KL per dimension, log p(x) histogram)."""
from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
import torch

# Okabe-Ito-like palette extended to 10 classes: distinguishable for most colour-blind viewers
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#7F7F7F", "#8C564B", "#17BECF"]
SEPARATOR = (70, 90, 120)  # slate blue-grey between cells
GROUP_SEPARATOR = (230, 160, 40)  # amber between groups (originals | path | originals)
FONT = dict(size=15)
PATH_COLOR = "#D62728"
PRIOR_COLOR = "#111111"
POSTERIOR_COLOR = "#D62728"


# ---------------------------------------------------------------------------- image grids
def to_uint8(images) -> np.ndarray:
    """(N, 1, H, W) or (N, H, W) floats in [0, 1] -> (N, H, W) uint8."""
    a = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
    if a.ndim == 4:
        a = a[:, 0]
    return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def upscale(a: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour: keeps pixels crisp (no blur) when a 28 px digit is shown at 84 px."""
    return a.repeat(scale, 0).repeat(scale, 1) if scale > 1 else a


def image_grid(images, ncol: int, scale: int = 3, sep: int = 2, sep_color=SEPARATOR) -> np.ndarray:
    """(N, 1, H, W) in [0, 1] -> an (rows*H*scale + seps, ...) RGB uint8 grid, thin separators."""
    tiles = to_uint8(images)
    n, h, w = tiles.shape
    ncol = max(1, min(ncol, n))
    nrow = -(-n // ncol)
    H, W = h * scale, w * scale
    out = np.empty((nrow * H + (nrow + 1) * sep, ncol * W + (ncol + 1) * sep, 3), np.uint8)
    out[:] = sep_color
    for i in range(nrow * ncol):
        r, c = divmod(i, ncol)
        y, x = sep + r * (H + sep), sep + c * (W + sep)
        out[y:y + H, x:x + W] = upscale(tiles[i], scale)[..., None] if i < n else 0
    return out


def strip(groups: list, ncols: list[int] | None = None, scale: int = 3, sep: int = 2, group_sep: int = 6) -> np.ndarray:
    """Groups of images side by side, parted by a wider amber bar; a group with ncols[i] < its
    length wraps onto several rows (long interpolation paths stay readable)."""
    ncols = ncols or [len(g) for g in groups]
    parts = [image_grid(g, ncol=c, scale=scale, sep=sep) for g, c in zip(groups, ncols)]
    h = max(p.shape[0] for p in parts)
    padded = []
    for p in parts:
        pad = np.empty((h - p.shape[0], p.shape[1], 3), np.uint8)
        pad[:] = SEPARATOR
        padded.append(np.concatenate([p, pad], 0))
    bar = np.empty((h, group_sep, 3), np.uint8)
    bar[:] = GROUP_SEPARATOR
    out = [padded[0]]
    for p in padded[1:]:
        out += [bar, p]
    return np.concatenate(out, 1)


def frames(images, scale: int = 4) -> list[np.ndarray]:
    """(N, 1, 28, 28) -> a list of upscaled uint8 frames for an animation."""
    return [upscale(t, scale) for t in to_uint8(images)]


def mark_point(image: np.ndarray, x: float, y: float, radius: int = 7, color=(230, 40, 40)) -> np.ndarray:
    """A crosshair ring at pixel (x, y) of an RGB image; returns a copy."""
    out = image.copy()
    h, w = out.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    d = np.sqrt((xx - x) ** 2 + (yy - y) ** 2)
    out[(d >= radius - 1.5) & (d <= radius + 1.0)] = color
    out[(np.abs(yy - y) <= 1) & (np.abs(xx - x) <= radius + 5) & (np.abs(xx - x) >= radius + 2)] = color
    out[(np.abs(xx - x) <= 1) & (np.abs(yy - y) <= radius + 5) & (np.abs(yy - y) >= radius + 2)] = color
    return out


# ---------------------------------------------------------------------------- the latent map
class _ByIdentity:
    """Hash a latent map by identity, so per-model traces can be cached in an lru_cache."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _ByIdentity) and other.obj is self.obj


@functools.lru_cache(maxsize=16)
def _data_traces(key: _ByIdentity) -> tuple[dict, ...]:
    """One Scattergl trace per class (legend entries named by class), built once per map."""
    lmap = key.obj
    traces = []
    for c, name in enumerate(lmap.class_names):
        idx = np.nonzero(lmap.labels == c)[0]
        if len(idx) == 0:
            continue
        traces.append(dict(
            type="scattergl", mode="markers", name=name, legendgroup="data",
            x=lmap.coords[idx, 0].astype(np.float32), y=lmap.coords[idx, 1].astype(np.float32),
            marker=dict(size=4, color=CLASS_COLORS[c % len(CLASS_COLORS)], opacity=0.55),
            customdata=idx, hovertemplate=f"class {name}<br>test image #%{{customdata}}<extra></extra>",
        ))
    return tuple(traces)


def latent_map(lmap, title: str, path: np.ndarray | None = None, prior: np.ndarray | None = None,
               posterior: np.ndarray | None = None, mu_x: np.ndarray | None = None,
               ends: tuple[str, str] = ("A", "B"), height: int = 560) -> go.Figure:
    """The test set's posterior means on the map, with optional overlays (all (n, 2) map coords):
    an interpolation path, prior samples, posterior samples of one x and that x's mean."""
    fig = go.Figure(data=[go.Scattergl(t) for t in _data_traces(_ByIdentity(lmap))])
    if path is not None:
        fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name="interpolation path",
                                 line=dict(color=PATH_COLOR, width=3), marker=dict(size=7, color=PATH_COLOR),
                                 hovertemplate="step %{pointNumber}<extra></extra>"))
        fig.add_trace(go.Scatter(x=path[[0, -1], 0], y=path[[0, -1], 1], mode="markers+text", name="end points",
                                 text=list(ends), textposition="top center", textfont=dict(size=18, color=PATH_COLOR),
                                 marker=dict(size=16, color="white", symbol="star",
                                             line=dict(color=PATH_COLOR, width=2.5)),
                                 hoverinfo="skip"))
    if prior is not None:
        fig.add_trace(go.Scatter(x=prior[:, 0], y=prior[:, 1], mode="markers", name="prior samples z ~ p(z)",
                                 marker=dict(size=10, symbol="x", color=PRIOR_COLOR, line=dict(width=1)),
                                 hovertemplate="prior sample %{pointNumber}<extra></extra>"))
    if posterior is not None:
        fig.add_trace(go.Scatter(x=posterior[:, 0], y=posterior[:, 1], mode="markers",
                                 name="posterior samples z ~ q(z|x)",
                                 marker=dict(size=10, symbol="diamond", color=POSTERIOR_COLOR,
                                             line=dict(color="white", width=1)),
                                 hovertemplate="posterior sample %{pointNumber}<extra></extra>"))
    if mu_x is not None:
        fig.add_trace(go.Scatter(x=mu_x[:, 0], y=mu_x[:, 1], mode="markers", name="μ(x): this x's mean",
                                 marker=dict(size=18, symbol="star", color="gold", line=dict(color="black", width=2)),
                                 hovertemplate="μ(x)<extra></extra>"))
    axis = "z" if lmap.method == "latent plane" else "UMAP "
    fig.update_layout(
        title=dict(text=title, font=dict(size=18)), height=height, font=FONT, template="plotly_white",
        margin=dict(l=50, r=10, t=60, b=50), legend=dict(itemsizing="constant", font=dict(size=13)),
        xaxis_title=f"{axis}1", yaxis_title=f"{axis}2", hoverlabel=dict(font_size=14),
    )
    if lmap.method == "latent plane":
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


# ---------------------------------------------------------------------------- posterior figures
def mu_sigma_figure(mu: torch.Tensor, sigma: torch.Tensor, height: int = 360) -> go.Figure:
    """q(z|x) per dimension, mu ± 2 sigma, against the prior N(0, 1)'s ± 2 band."""
    mu, sigma = mu.numpy(), sigma.numpy()
    dims = np.arange(1, len(mu) + 1)
    fig = go.Figure()
    fig.add_hrect(y0=-2, y1=2, fillcolor="#9ecae1", opacity=0.35, line_width=0,
                  annotation_text="prior p(z): 0 ± 2", annotation_position="top left")
    fig.add_hline(y=0, line=dict(color="#3182bd", width=1, dash="dot"))
    fig.add_trace(go.Scatter(
        x=dims, y=mu, mode="markers", name="posterior q(z|x): μ ± 2σ",
        marker=dict(size=9, color=POSTERIOR_COLOR),
        error_y=dict(type="data", array=2 * sigma, thickness=2.5, width=4, color=POSTERIOR_COLOR),
        customdata=sigma, hovertemplate="dim %{x}<br>μ = %{y:.2f}<br>σ = %{customdata:.3f}<extra></extra>"))
    fig.update_layout(title="Encoder's q(z|x) per latent dimension vs the prior N(0, 1)", height=height,
                      font=FONT, template="plotly_white", margin=dict(l=50, r=10, t=60, b=45),
                      xaxis_title="latent dimension", yaxis_title="z", showlegend=True,
                      legend=dict(orientation="h", y=-0.25))
    fig.update_xaxes(dtick=1 if len(mu) <= 16 else 2)
    return fig


def kl_figure(kl_per_dim: torch.Tensor, height: int = 300) -> go.Figure:
    kl = kl_per_dim.numpy()
    dims = np.arange(1, len(kl) + 1)
    fig = go.Figure(go.Bar(x=dims, y=kl, marker_color="#6a51a3",
                           hovertemplate="dim %{x}: KL = %{y:.2f} nats<extra></extra>"))
    fig.update_layout(title=f"KL(q(z|x) ‖ p(z)) per dimension: total {kl.sum():.1f} nats", height=height,
                      font=FONT, template="plotly_white", margin=dict(l=50, r=10, t=60, b=45),
                      xaxis_title="latent dimension", yaxis_title="nats")
    fig.update_xaxes(dtick=1 if len(kl) <= 16 else 2)
    return fig


def log_px_histogram(test_log_px: np.ndarray, log_px: float, elbo: float, percentile: float | None,
                     height: int = 360) -> go.Figure:
    """The test set's log p(x) with this x's importance-sampled log p(x) (solid) and ELBO (dashed)."""
    fig = go.Figure(go.Histogram(x=test_log_px, nbinsx=60, marker_color="#9ecae1", name="test images",
                                 hovertemplate="log p(x) %{x}<br>%{y} test images<extra></extra>"))
    pct = f" (above {percentile:.1f} % of test images)" if percentile is not None else ""
    fig.add_vline(x=log_px, line=dict(color=POSTERIOR_COLOR, width=3))
    fig.add_vline(x=elbo, line=dict(color="#444444", width=2, dash="dash"))
    fig.add_annotation(x=log_px, y=1.0, yref="paper", text=f"log p(x) ≈ {log_px:.1f}", showarrow=False,
                       xanchor="left", yanchor="bottom", font=dict(color=POSTERIOR_COLOR, size=14))
    fig.add_annotation(x=elbo, y=0.88, yref="paper", text=f"ELBO {elbo:.1f}", showarrow=False,
                       xanchor="right", yanchor="bottom", font=dict(color="#444444", size=14))
    lo = min(float(np.percentile(test_log_px, 0.5)), log_px, elbo)
    hi = max(float(test_log_px.max()), log_px)
    pad = 0.05 * (hi - lo + 1.0)
    fig.update_layout(title=f"Where this x falls among the test set{pct}", height=height, font=FONT,
                      template="plotly_white", margin=dict(l=50, r=10, t=70, b=45), showlegend=False,
                      xaxis_title="log p(x), nats (importance-sampled)", yaxis_title="test images",
                      xaxis_range=[lo - pad, hi + pad])
    return fig
