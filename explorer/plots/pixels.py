"""Figures for the PixelCNN tab: per-pixel probability maps, the mask of one prediction, the running
sum of log p(x_i | x_<i) beside the VAE's bound, raster-order frames, completions, and the test-set
scatter of exact log p(x) against the VAE's importance-sampled log p(x) and ELBO."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from ..i18n import t
from .style import ACCENT, CLASS_COLORS, figure, legend_right_margin, title
from .style import axis as _axis
from .vae import GROUP_SEPARATOR, SEPARATOR, to_uint8, upscale

UNDRAWN = (86, 112, 160)  # not yet drawn / hidden pixels: slate blue, never mistaken for ink
NEXT = (230, 60, 40)  # the pixel being drawn next
EXACT_COLOR = "#0072B2"  # the PixelCNN's exact log p(x), in every figure of the tab
IWAE_COLOR = "#E69F00"  # the VAE's importance-sampled log p(x)
ELBO_COLOR = "#7F7F7F"  # the VAE's ELBO


# ---------------------------------------------------------------------------- images
def rgb_tiles(x: torch.Tensor, drawn: torch.Tensor | None = None, next_pixel: int | None = None) -> np.ndarray:
    """(n, 1, H, W) in [0, 1] -> (n, H, W, 3) uint8, white ink on black; pixels where drawn is False
    in slate blue, and raster pixel next_pixel (if any) in red."""
    g = to_uint8(x)
    out = np.repeat(g[..., None], 3, -1)
    if drawn is not None:
        out[~drawn[:, 0].numpy()] = UNDRAWN
    if next_pixel is not None and 0 <= next_pixel < g.shape[1] * g.shape[2]:
        out[:, next_pixel // g.shape[2], next_pixel % g.shape[2]] = NEXT
    return out


def rgb_grid(tiles: np.ndarray, ncol: int, scale: int = 3, sep: int = 2) -> np.ndarray:
    """(n, H, W, 3) uint8 -> one grid image with thin separators (as plots.vae.image_grid, in colour)."""
    n, h, w, _ = tiles.shape
    ncol = max(1, min(ncol, n))
    nrow = -(-n // ncol)
    H, W = h * scale, w * scale
    out = np.empty((nrow * H + (nrow + 1) * sep, ncol * W + (ncol + 1) * sep, 3), np.uint8)
    out[:] = SEPARATOR
    for i in range(n):
        r, c = divmod(i, ncol)
        y, x = sep + r * (H + sep), sep + c * (W + sep)
        out[y:y + H, x:x + W] = upscale(tiles[i], scale)
    return out


def join(parts: list[np.ndarray], group_sep: int = 6) -> np.ndarray:
    """Grids side by side, top-aligned, parted by the amber bar of the other tabs."""
    h = max(p.shape[0] for p in parts)
    cols = []
    for i, p in enumerate(parts):
        if i:
            bar = np.empty((h, group_sep, 3), np.uint8)
            bar[:] = GROUP_SEPARATOR
            cols.append(bar)
        pad = np.empty((h - p.shape[0], p.shape[1], 3), np.uint8)
        pad[:] = SEPARATOR
        cols.append(np.concatenate([p, pad], 0))
    return np.concatenate(cols, 1)


def completion_strip(x_bin: torch.Tensor, keep_rows: int, completions: torch.Tensor, ncol: int = 8,
                     scale: int = 3) -> np.ndarray:
    """original (binarised) | what the model is given (hidden rows in slate) | the completions."""
    h, w = x_bin.shape[-2:]
    given = (torch.arange(h * w) < keep_rows * w).view(1, 1, h, w)
    return join([rgb_grid(rgb_tiles(x_bin), 1, scale), rgb_grid(rgb_tiles(x_bin * given, given), 1, scale),
                 rgb_grid(rgb_tiles(completions), ncol, scale)])


def raster_frame(x: torch.Tensor, step: int, ncol: int, scale: int = 3) -> np.ndarray:
    """The samples after `step` pixels in raster order: drawn pixels, the next one in red, the rest slate."""
    n, _, h, w = x.shape
    drawn = (torch.arange(h * w) < step).view(1, 1, h, w).expand(n, 1, h, w)
    return rgb_grid(rgb_tiles(x * drawn, drawn, step if step < h * w else None), ncol, scale)


# ---------------------------------------------------------------------------- per-pixel figures
def _image_axes(h: int, w: int, domain: list[float], anchor: str) -> tuple[dict, dict]:
    xa = _axis(None, domain=domain, range=[-0.5, w - 0.5], showgrid=False, zeroline=False, constrain="domain",
               tickvals=list(range(0, w, 7)), anchor=anchor[1])
    ya = _axis(None, range=[h - 0.5, -0.5], showgrid=False, zeroline=False, scaleanchor=anchor[0],
               tickvals=list(range(0, h, 7)), anchor=anchor[0])
    return xa, ya


def _pixel_box(i: int, w: int, xref: str, yref: str) -> dict:
    r, c = divmod(i, w)
    return dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, xref=xref, yref=yref,
                line=dict(color=ACCENT, width=3))


def probability_maps(s, lang: str = "en", height: int = 420) -> go.Figure:
    """Left: p(x_i = 1 | x_<i) for every pixel. Right: -log p(x_i | x_<i) of the pixel that is there,
    the nats each pixel costs; the sum of the right-hand map is -log p(x)."""
    h, w = s.p_one.shape
    idx = np.arange(h * w).reshape(h, w)
    xb = s.x_bin[0, 0].numpy().astype(int)
    # rounded: 784 pixels x 2 maps travel on every click; 4 digits are all the hover shows
    custom = np.stack([idx, xb, np.round(s.p_one, 4), np.round(s.log_p, 4)], -1).tolist()
    hover = (t("pix.fig.hover", lang, i="%{customdata[0]}", r="%{y}", c="%{x}") + "<br>x_i = %{customdata[1]}<br>"
             "p(x_i = 1 | x_<i) = %{customdata[2]:.3f}<br>log p(x_i | x_<i) = %{customdata[3]:.3f} nats<extra></extra>")
    cost = -s.log_p
    data = [
        dict(type="heatmap", z=np.round(s.p_one, 4).tolist(), zmin=0, zmax=1, colorscale="Viridis", xaxis="x", yaxis="y",
             customdata=custom, hovertemplate=hover,
             colorbar=dict(title=dict(text="p(xᵢ=1|x<ᵢ)"), x=0.44, len=0.9, thickness=12)),
        dict(type="heatmap", z=np.round(cost, 4).tolist(), zmin=0, zmax=max(3.0, float(cost.max())), colorscale="Reds",
             xaxis="x2", yaxis="y2", hovertemplate="(%{y}, %{x}): −log p(x_i | x_<i) = %{z:.3f} nats<extra></extra>",
             colorbar=dict(title=dict(text=t("pix.fig.cost", lang)), x=1.0, len=0.9, thickness=12)),
    ]
    xa, ya = _image_axes(h, w, [0.0, 0.42], ("x", "y"))
    xa2, ya2 = _image_axes(h, w, [0.55, 0.97], ("x2", "y2"))
    ink = [dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, xref="x2", yref="y2",
                line=dict(color="rgba(0,0,0,0.35)", width=1)) for r, c in zip(*np.nonzero(xb))]
    return figure(data, dict(
        height=height, margin=dict(l=40, r=156, t=60, b=38),  # style.py: margins
        title=title(t("pix.fig.maps", lang, nll=-s.log_px), 15),
        xaxis=xa, yaxis=ya, xaxis2=xa2, yaxis2=ya2,
        shapes=ink + [_pixel_box(s.pixel, w, "x", "y"), _pixel_box(s.pixel, w, "x2", "y2")]))


def mask_figure(s, lang: str = "en", height: int = 420) -> go.Figure:
    """Which pixels the prediction for pixel i may see (the mask: j < i in raster order, coloured by
    how strongly the prediction depends on each) and which it may not (j >= i, grey)."""
    h, w = s.saliency.shape
    i = s.pixel
    allowed = (np.arange(h * w) < i).reshape(h, w)
    sal = s.saliency / max(float(s.saliency.max()), 1e-12)
    z = np.where(allowed, sal, np.nan)
    hidden = np.where(allowed, np.nan, 1.0)
    r, c = divmod(i, w)
    data = [
        dict(type="heatmap", z=hidden.tolist(), zmin=0, zmax=1, showscale=False, hoverinfo="skip",
             colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]]),
        dict(type="heatmap", z=[[None if np.isnan(v) else v for v in row] for row in z], zmin=0, zmax=1,
             colorscale=[[0, "#eef4fb"], [0.02, "#c6dbef"], [1, "#08306b"]],
             colorbar=dict(title=dict(text=t("pix.fig.influence", lang)), thickness=12),
             hovertemplate=t("pix.fig.influence_hover", lang, r="%{y}", c="%{x}", v="%{z:.3f}") + "<extra></extra>"),
    ]
    xa, ya = _image_axes(h, w, [0.0, 1.0], ("x", "y"))
    n_seen = int((s.saliency > 0).sum())
    return figure(data, dict(
        height=height, margin=dict(l=40, r=144, t=70, b=38), xaxis=xa, yaxis=ya,  # style.py: margins
        title=title(t("pix.fig.mask", lang, i=i, r=r, c=c, seen=n_seen), 14),
        shapes=[_pixel_box(i, w, "x", "y")]))


def running_sum(s, lang: str = "en", height: int = 380) -> go.Figure:
    """sum_{j <= i} log p(x_j | x_<j) along the raster order, ending at the exact log p(x); the VAE's
    ELBO and importance-sampled log p(x) for the same binarised digit as horizontal lines."""
    run = s.running
    n = len(run)
    w = s.log_p.shape[1]
    i = np.arange(n)
    data = [dict(type="scatter", mode="lines", x=i.tolist(), y=run.tolist(), name=t("pix.fig.running_trace", lang),
                 line=dict(color=EXACT_COLOR, width=2.5),
                 customdata=np.stack([i // w, i % w], -1).tolist(),
                 hovertemplate=t("pix.fig.hover", lang, i="%{x}", r="%{customdata[0]}", c="%{customdata[1]}")
                 + "<br>Σ log p = %{y:.2f} nats<extra></extra>")]
    lines = [(s.log_px, t("pix.fig.exact", lang, v=s.log_px), EXACT_COLOR, "solid"),
             (s.iwae, t("pix.fig.iwae", lang, v=s.iwae, k=s.k), IWAE_COLOR, "dash"),
             (s.elbo, t("pix.fig.elbo", lang, v=s.elbo), ELBO_COLOR, "dot")]
    for y, name, color, dash in lines:
        data.append(dict(type="scatter", mode="lines", x=[0, n - 1], y=[y, y], name=name,
                         line=dict(color=color, width=2, dash=dash), hoverinfo="name"))
    return figure(data, dict(
        height=height, margin=dict(l=80, r=20, t=60, b=66),  # style.py: margins
        title=title(t("pix.fig.running", lang), 15),
        xaxis=_axis(t("pix.fig.pixel_axis", lang), range=[0, n - 1]), yaxis=_axis("nats"),
        legend=dict(x=0.01, y=0.02, bgcolor="rgba(255,255,255,0.8)")))


# ---------------------------------------------------------------------------- test-set scatter
SCATTER_PER_CLASS = 200


def test_scatter(test, lang: str = "en", height: int = 480) -> go.Figure:
    """Left: each test digit's exact PixelCNN log p(x) against the VAE's importance-sampled log p(x),
    coloured by class. Right: both against the VAE's ELBO (everything above the diagonal beats it)."""
    lo = float(min(test.log_px.min(), test.vae_iwae.min(), test.vae_elbo.min()))
    hi = float(max(test.log_px.max(), test.vae_iwae.max(), test.vae_elbo.max()))
    diag = [lo, hi]
    data = []
    shown = np.zeros(len(test.labels), bool)  # 200 digits per class drawn (10,000 points would send ~0.5 MB)
    for c in range(10):
        shown[np.flatnonzero(test.labels == c)[:SCATTER_PER_CLASS]] = True
    for c in range(10):
        m = (test.labels == c) & shown
        data.append(dict(type="scattergl", mode="markers", x=test.vae_iwae[m].round(1).tolist(),
                         y=test.log_px[m].round(1).tolist(), name=str(c), legendgroup="class",
                         marker=dict(size=3, color=CLASS_COLORS[c], opacity=0.6), xaxis="x", yaxis="y",
                         hovertemplate=f"{t('pix.fig.digit', lang)} {c}<br>VAE IWAE %{{x:.1f}}<br>PixelCNN "
                                       "%{y:.1f}<extra></extra>"))
    data.append(dict(type="scatter", mode="lines", x=diag, y=diag, xaxis="x", yaxis="y", showlegend=False,
                     line=dict(color="#333333", dash="dash", width=1), hoverinfo="skip"))
    for y, name, color in ((test.log_px, t("pix.fig.exact_name", lang), EXACT_COLOR),
                           (test.vae_iwae, t("pix.fig.iwae_name", lang), IWAE_COLOR)):
        data.append(dict(type="scattergl", mode="markers", x=test.vae_elbo[shown].round(1).tolist(),
                         y=y[shown].round(1).tolist(),
                         name=name, marker=dict(size=3, color=color, opacity=0.45), xaxis="x2", yaxis="y2",
                         hovertemplate=name + "<br>ELBO %{x:.1f}<br>%{y:.1f}<extra></extra>"))
    data.append(dict(type="scatter", mode="lines", x=diag, y=diag, xaxis="x2", yaxis="y2", showlegend=False,
                     line=dict(color="#333333", dash="dash", width=1), hoverinfo="skip"))
    better = float((test.log_px > test.vae_iwae).mean() * 100)
    return figure(data, dict(
        height=height, margin=dict(l=80, r=legend_right_margin([d["name"] for d in data if d.get("showlegend", True) and d.get("name")], 15), t=80, b=66),  # style.py: margins
        title=title(t("pix.fig.scatter", lang, n=len(test.log_px), shown=int(shown.sum()), better=better), 15),
        xaxis=_axis(t("pix.fig.vae_iwae_axis", lang), domain=[0, 0.45]), yaxis=_axis(t("pix.fig.pixelcnn_axis", lang)),
        xaxis2=_axis(t("pix.fig.elbo_axis", lang), domain=[0.55, 1.0], anchor="y2"),
        yaxis2=_axis(t("pix.fig.log_px_axis", lang), anchor="x2"),
        legend=dict(itemsizing="constant")))
