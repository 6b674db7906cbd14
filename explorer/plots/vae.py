"""Figures for the VAE tabs: image grids (numpy, upscaled so 28 px digits read on a projector) and
plotly figures (the latent map, mu/sigma against the prior, KL per dimension, log p(x) histogram)."""
from __future__ import annotations

import functools

import numpy as np
import PIL.Image
import PIL.ImageDraw
import plotly.graph_objects as go
import torch

from .style import ACCENT, class_color, figure, legend_right_margin
from .style import axis as _axis
from ..i18n import class_name, t

SEPARATOR = (70, 90, 120)  # slate blue-grey between cells
GROUP_SEPARATOR = (230, 160, 40)  # amber between groups (originals | path | originals)
PATH_COLOR = ACCENT
PRIOR_COLOR = "#111111"
POSTERIOR_COLOR = ACCENT


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


# A digit picture is built as codes: 0-255 grey levels, then the two separators' colours. As RGB it is
# exact; sent to a page it is a palette PNG (one byte a pixel instead of three: about half the time to
# encode, and about as many bytes as the RGB PNG: decoded digits 14.1 against 14.5 kB for 16 prior
# samples, as Pillow does not filter palette rows), whose 256 entries hold 254 greys and the two
# separators, so a grey level is off by at most one step in 255 (tests/test_vae_views.py checks both).
SEP_CODE, GROUP_CODE = 256, 257
_CODE_RGB = np.concatenate([np.repeat(np.arange(256)[:, None], 3, 1), [SEPARATOR, GROUP_SEPARATOR]]).astype(np.uint8)
_GREYS = 254
_CODE_INDEX = np.concatenate([np.round(np.arange(256) * (_GREYS - 1) / 255.0), [_GREYS, _GREYS + 1]]).astype(np.uint8)
_PALETTE = np.concatenate([np.repeat(np.round(np.arange(_GREYS) * 255.0 / (_GREYS - 1))[:, None], 3, 1),
                           [SEPARATOR, GROUP_SEPARATOR]]).astype(np.uint8).ravel().tolist()


def _grid_codes(images, ncol: int, scale: int, sep: int) -> np.ndarray:
    """(N, 1, H, W) in [0, 1] -> (rows*H*scale + seps, cols*W*scale + seps) codes, separators between
    cells and around them; cells past the last image keep the separator: no fake blank digits."""
    tiles = to_uint8(images)
    n, h, w = tiles.shape
    ncol = max(1, min(ncol, n))
    nrow = -(-n // ncol)
    H, W = h * scale, w * scale
    cells = np.full((nrow * ncol, H + sep, W + sep), SEP_CODE, np.uint16)  # each cell: separator below, right
    cells[:n, :H, :W] = tiles.repeat(scale, 1).repeat(scale, 2) if scale > 1 else tiles
    out = cells.reshape(nrow, ncol, H + sep, W + sep).transpose(0, 2, 1, 3).reshape(nrow * (H + sep), ncol * (W + sep))
    return np.pad(out, ((sep, 0), (sep, 0)), constant_values=SEP_CODE)


def _strip_codes(groups: list, ncols: list[int] | None, scale: int, sep: int, group_sep: int) -> np.ndarray:
    ncols = ncols or [len(g) for g in groups]
    parts = [_grid_codes(g, c, scale, sep) for g, c in zip(groups, ncols)]
    h = max(p.shape[0] for p in parts)
    out = []
    for i, p in enumerate(parts):
        if i:
            out.append(np.full((h, group_sep), GROUP_CODE, np.uint16))
        out.append(np.pad(p, ((0, h - p.shape[0]), (0, 0)), constant_values=SEP_CODE))
    return np.concatenate(out, 1)


def picture(codes: np.ndarray) -> PIL.Image.Image:
    """Codes -> a palette image for the page (see SEP_CODE above)."""
    img = PIL.Image.fromarray(_CODE_INDEX.take(codes), "P")
    img.putpalette(_PALETTE)
    return img


def image_grid(images, ncol: int, scale: int = 3, sep: int = 2) -> np.ndarray:
    """(N, 1, H, W) in [0, 1] -> an (rows*H*scale + seps, ...) RGB uint8 grid, thin separators."""
    return _CODE_RGB.take(_grid_codes(images, ncol, scale, sep), axis=0)


def grid_picture(images, ncol: int, scale: int = 3, sep: int = 2) -> PIL.Image.Image:
    """image_grid as a palette image, for an image output (a page shows it the same)."""
    return picture(_grid_codes(images, ncol, scale, sep))


def strip(groups: list, ncols: list[int] | None = None, scale: int = 3, sep: int = 2, group_sep: int = 6) -> np.ndarray:
    """Groups of images side by side, parted by a wider amber bar; a group with ncols[i] < its
    length wraps onto several rows (long interpolation paths stay readable). RGB uint8."""
    return _CODE_RGB.take(_strip_codes(groups, ncols, scale, sep, group_sep), axis=0)


def strip_picture(groups: list, ncols: list[int] | None = None, scale: int = 3, sep: int = 2,
                  group_sep: int = 6) -> PIL.Image.Image:
    """strip as a palette image, for an image output."""
    return picture(_strip_codes(groups, ncols, scale, sep, group_sep))


def frames(images, scale: int = 4) -> list[np.ndarray]:
    """(N, 1, 28, 28) -> a list of upscaled uint8 frames for an animation."""
    return [upscale(t, scale) for t in to_uint8(images)]


def mark_point(image: np.ndarray, x: float, y: float, radius: int = 13, color=(255, 60, 40)) -> np.ndarray:
    """A crosshair ring at pixel (x, y) of an image; returns a copy (only a window is touched).
    For a greyscale (H, W) image the ring is white with a black rim, visible on ink and on background."""
    out = image.copy()
    h, w = out.shape[:2]
    r = radius + 7
    y0, y1, x0, x1 = max(0, int(y) - r), min(h, int(y) + r + 1), max(0, int(x) - r), min(w, int(x) + r + 1)
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((xx - x) ** 2 + (yy - y) ** 2)
    ring = (d >= radius - 2.5) & (d <= radius + 1.5)
    ticks = (((np.abs(yy - y) <= 1.5) & (np.abs(xx - x) <= radius + 6) & (np.abs(xx - x) >= radius + 2))
             | ((np.abs(xx - x) <= 1.5) & (np.abs(yy - y) <= radius + 6) & (np.abs(yy - y) >= radius + 2)))
    win = out[y0:y1, x0:x1]
    if out.ndim == 2:
        rim = (d >= radius - 3.5) & (d <= radius + 2.5)
        win[rim] = 0
        win[ring | ticks] = 255
    else:
        win[ring | ticks] = color
    return out


def _title(text: str, size: int = 18) -> dict:
    return {"text": text, "font": {"size": size}}


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
def _data_traces(key: _ByIdentity, lang: str = "en") -> tuple[dict, ...]:
    """One Scattergl trace per class (legend entries named by class), built once per map."""
    lmap = key.obj
    traces = []
    for c, name in enumerate(lmap.class_names):
        name = class_name(name, lang)
        idx = np.nonzero(lmap.labels == c)[0]
        if len(idx) == 0:
            continue
        traces.append(dict(
            type="scattergl", mode="markers", name=name, legendgroup="data",
            x=lmap.coords[idx, 0].astype(np.float32), y=lmap.coords[idx, 1].astype(np.float32),
            marker=dict(size=4, color=class_color(c), opacity=0.55),
            customdata=idx.astype(np.int32), hovertemplate=f"{t('vae.hover.class', lang)} {name}<br>{t('vae.hover.test_image', lang)} #%{{customdata}}<extra></extra>",
        ))
    return tuple(traces)


MAP_IMAGE_SIZE = (1000, 900)  # px of the rendered data layer: sharp at the size it is shown, and zoomed 2x
MAP_POINT_RADIUS = 2.5


def map_extent(lmap) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): the test set's coordinates with a 4 % margin (every map figure asks)."""
    return _extent(_ByIdentity(lmap.coords))


@functools.lru_cache(maxsize=16)
def _extent(key: _ByIdentity) -> tuple[float, float, float, float]:
    """Once per map's coordinates, as they do not change: 10,000 points read twice on every click."""
    coords = key.obj
    lo, hi = coords.min(0), coords.max(0)
    pad = 0.04 * np.maximum(hi - lo, 1e-6)
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def map_image(lmap) -> PIL.Image.Image:
    """The test set's 10,000 posterior means drawn once as a picture (each class in its colour),
    so a page receives them once per model as a cached image instead of in every click's figure."""
    W, H = MAP_IMAGE_SIZE
    x0, x1, y0, y1 = map_extent(lmap)
    img = PIL.Image.new("RGBA", (W, H), (255, 255, 255, 0))
    layer = PIL.Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = PIL.ImageDraw.Draw(layer)
    px = (lmap.coords[:, 0] - x0) / (x1 - x0) * (W - 1)
    py = (y1 - lmap.coords[:, 1]) / (y1 - y0) * (H - 1)
    r = MAP_POINT_RADIUS
    order = np.random.default_rng(0).permutation(len(px))  # no class painted last over all the others
    for i in order:
        rgb = tuple(int(class_color(lmap.labels[i])[k:k + 2], 16) for k in (1, 3, 5))
        draw.ellipse((px[i] - r, py[i] - r, px[i] + r, py[i] + r), fill=rgb + (150,))
    return PIL.Image.alpha_composite(img, layer)


def _map_background(lmap, source: str, lang: str = "en") -> tuple[list[dict], dict]:
    """Legend entries per class (no points: the points are in the image) and the layout image."""
    legend = [dict(type="scatter", x=[None], y=[None], mode="markers", name=class_name(name, lang), legendgroup="data",
                   marker=dict(size=9, color=class_color(c)), hoverinfo="skip")
              for c, name in enumerate(lmap.class_names)]
    x0, x1, y0, y1 = map_extent(lmap)
    image = dict(source=source, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                 sizing="stretch", layer="below", opacity=1.0)
    return legend, image


def latent_map(lmap, title: str, path: np.ndarray | None = None, prior: np.ndarray | None = None,
               posterior: np.ndarray | None = None, mu_x: np.ndarray | None = None,
               ends: tuple[str, str] = ("A", "B"), height: int = 560, background: str | None = None,
               lang: str = "en") -> go.Figure:
    """The test set's posterior means on the map, with optional overlays (all (n, 2) map coords):
    an interpolation path, prior samples, posterior samples of one x and that x's mean.

    background: the URL of map_image(lmap), served once per page and cached; the figure then carries
    only the overlays (a few kB). Without it the points travel in the figure as WebGL traces
    (overlays are WebGL too then: plotly draws WebGL above SVG, so SVG overlays would hide)."""
    kind = "scatter" if background else "scattergl"
    images = []
    if background:
        data, image = _map_background(lmap, background, lang)
        images.append(image)
    else:
        data = [dict(tr) for tr in _data_traces(_ByIdentity(lmap), lang)]
    if path is not None:
        data.append(dict(type=kind, x=path[:, 0], y=path[:, 1], mode="lines+markers", name=t("vae.legend.path", lang),
                         line=dict(color=PATH_COLOR, width=3), marker=dict(size=7, color=PATH_COLOR),
                         hovertemplate=t("vae.hover.step", lang) + " %{pointNumber}<extra></extra>"))
        data.append(dict(type=kind, x=path[[0, -1], 0], y=path[[0, -1], 1], mode="markers+text",
                         name=t("vae.legend.ends", lang), text=list(ends), textposition=["top center", "bottom center"],
                         textfont=dict(size=18, color=PATH_COLOR),
                         marker=dict(size=16, color="white", symbol="star", line=dict(color=PATH_COLOR, width=2.5)),
                         hoverinfo="skip"))
    if prior is not None:
        data.append(dict(type=kind, x=prior[:, 0], y=prior[:, 1], mode="markers", name=t("vae.legend.prior", lang),
                         marker=dict(size=10, symbol="x", color=PRIOR_COLOR, line=dict(width=1)),
                         hovertemplate=t("vae.hover.prior", lang) + " %{pointNumber}<extra></extra>"))
    if mu_x is not None:
        data.append(dict(type=kind, x=mu_x[:, 0], y=mu_x[:, 1], mode="markers", name=t("vae.legend.mu", lang),
                         marker=dict(size=22, symbol="star-open", color="black", line=dict(color="black", width=2.5)),
                         hovertemplate="μ(x)<extra></extra>"))
    if posterior is not None:  # after μ(x), so a tight posterior cloud stays visible on top of it
        data.append(dict(type=kind, x=posterior[:, 0], y=posterior[:, 1], mode="markers",
                         name=t("vae.legend.posterior", lang),
                         marker=dict(size=10, symbol="diamond", color=POSTERIOR_COLOR,
                                     line=dict(color="white", width=1)),
                         hovertemplate=t("vae.hover.posterior", lang) + " %{pointNumber}<extra></extra>"))
    plane = lmap.method == "latent plane"
    axis = "z" if plane else "UMAP "
    xaxis, yaxis = _axis(f"{axis}1"), _axis(f"{axis}2", **({"scaleanchor": "x", "scaleratio": 1} if plane else {}))
    if background:
        x0, x1, y0, y1 = map_extent(lmap)
        xaxis["range"], yaxis["range"] = [x0, x1], [y0, y1]
        if plane:
            yaxis["constrain"] = xaxis["constrain"] = "domain"
    names = [d["name"] for d in data if d.get("name") and d.get("showlegend", True)]
    # style.py: margins (the legend on the right is as wide as its longest entry)
    layout = dict(title=_title(title), height=height,
                  margin=dict(l=64, r=legend_right_margin(names, 13), t=60, b=64),
                  legend=dict(itemsizing="constant", font=dict(size=13)), xaxis=xaxis, yaxis=yaxis,
                  images=images, uirevision=title)
    return figure(data, layout)


# ---------------------------------------------------------------------------- posterior figures
def _dims_axis(n: int, lang: str = "en") -> dict:
    return _axis(t("vae.latent_dimension", lang), dtick=1 if n <= 16 else 2)


def mu_sigma_figure(mu: torch.Tensor, sigma: torch.Tensor, height: int = 360, lang: str = "en") -> go.Figure:
    """q(z|x) per dimension, mu ± 2 sigma, against the prior N(0, 1)'s ± 2 band."""
    mu, sigma = mu.numpy(), sigma.numpy()
    dims = np.arange(1, len(mu) + 1)
    data = [dict(type="scatter", x=dims, y=mu, mode="markers", name=t("vae.mu_sigma.legend", lang),
                 marker=dict(size=9, color=POSTERIOR_COLOR),
                 error_y=dict(type="data", array=2 * sigma, thickness=2.5, width=4, color=POSTERIOR_COLOR),
                 customdata=sigma, hovertemplate=t("vae.hover.dim", lang) + " %{x}<br>μ = %{y:.2f}<br>σ = %{customdata:.3f}<extra></extra>")]
    shapes = [dict(type="rect", xref="paper", x0=0, x1=1, y0=-2, y1=2, fillcolor="#9ecae1", opacity=0.35,
                   line=dict(width=0), layer="below"),
              dict(type="line", xref="paper", x0=0, x1=1, y0=0, y1=0, line=dict(color="#3182bd", width=1, dash="dot"))]
    annotations = [dict(xref="paper", x=0.0, y=2, text=t("vae.mu_sigma.prior", lang), showarrow=False, xanchor="left",
                        yanchor="bottom", font=dict(color="#3182bd", size=13))]
    ymax = float(max(3.0, np.abs(mu).max() + 2 * sigma.max() + 0.3)) if len(mu) else 3.0
    layout = dict(title=_title(t("vae.mu_sigma.title", lang), 17), height=height,
                  margin=dict(l=64, r=20, t=60, b=88), xaxis=_dims_axis(len(mu), lang), yaxis=_axis("z", range=[-ymax, ymax]),
                  showlegend=True, legend=dict(orientation="h", y=-0.25), shapes=shapes, annotations=annotations)
    return figure(data, layout)


def kl_figure(kl_per_dim: torch.Tensor, height: int = 360, lang: str = "en") -> go.Figure:
    kl = kl_per_dim.numpy()
    dims = np.arange(1, len(kl) + 1)
    data = [dict(type="bar", x=dims, y=kl, marker=dict(color="#6a51a3"), name="KL",
                 hovertemplate=t("vae.hover.dim", lang) + " %{x}: KL = %{y:.2f} nats<extra></extra>")]
    layout = dict(title=_title(t("vae.kl.title", lang, total=float(kl.sum())), 17), height=height,
                  margin=dict(l=50, r=10, t=60, b=60), xaxis=_dims_axis(len(kl), lang), yaxis=_axis("nats"))
    return figure(data, layout)


@functools.lru_cache(maxsize=16)
def _histogram(key: _ByIdentity, bins: int = 60) -> tuple[np.ndarray, np.ndarray, float]:
    """The test set's log p(x) binned once per model: 60 bars travel instead of 10,000 values."""
    counts, edges = np.histogram(np.asarray(key.obj, dtype=np.float64), bins=bins)
    return ((edges[:-1] + edges[1:]) / 2).astype(np.float32), counts.astype(np.int32), float(edges[1] - edges[0])


@functools.lru_cache(maxsize=16)
def _log_px_range(key: _ByIdentity) -> tuple[float, float]:
    """The test set's 0.5th percentile and maximum of log p(x), once per model."""
    return float(np.percentile(key.obj, 0.5)), float(np.max(key.obj))


def log_px_histogram(test_log_px: np.ndarray, log_px: float, elbo: float, percentile: float | None,
                     height: int = 360, lang: str = "en") -> go.Figure:
    """The test set's log p(x) with this x's importance-sampled log p(x) (solid) and ELBO (dashed).
    An x far below the test set (an outlier) is pinned to the left edge with its value written out,
    so the histogram keeps a readable scale."""
    t_lo, t_hi = _log_px_range(_ByIdentity(test_log_px))
    span = t_hi - t_lo + 1.0
    floor = t_lo - 0.6 * span  # beyond this, a line would squash the histogram into a sliver
    lo = max(min(t_lo, log_px, elbo), floor)
    hi = max(t_hi, log_px)
    pad = 0.05 * (hi - lo + 1.0)
    centres, counts, width = _histogram(_ByIdentity(test_log_px))
    data = [dict(type="bar", x=centres, y=counts, width=width, marker=dict(color="#9ecae1", line=dict(width=0)),
                 name=t("vae.hist.test_images", lang),
                 hovertemplate="log p(x) ≈ %{x:.1f}<br>%{y} " + t("vae.hist.test_images", lang) + "<extra></extra>")]
    shapes, annotations = [], []
    for value, label, color, dash, y, anchor in ((log_px, "log p(x)", POSTERIOR_COLOR, "solid", 1.0, "left"),
                                                 (elbo, "ELBO", "#444444", "dash", 0.86, "left")):
        shown = max(value, lo - pad)
        off = value < lo - pad
        shapes.append(dict(type="line", yref="paper", y0=0, y1=1, x0=shown, x1=shown,
                           line=dict(color=color, width=3 if dash == "solid" else 2, dash=dash)))
        text = t("vae.hist.far_below", lang, label=label, value=value) if off else f"{label} ≈ {value:.1f}"
        annotations.append(dict(x=shown, y=y if not off else (0.95 if dash == "solid" else 0.8), yref="paper",
                                text=text, showarrow=False, xanchor="left" if off else anchor,
                                yanchor="bottom", font=dict(color=color, size=14)))
    pct = t("vae.hist.pct", lang, p=percentile) if percentile is not None else ""
    layout = dict(title=_title(t("vae.hist.title", lang, pct=pct), 17), height=height,
                  margin=dict(l=76, r=10, t=70, b=60), showlegend=False,
                  xaxis=_axis(t("vae.hist.x", lang), range=[lo - pad, hi + pad]),
                  yaxis=_axis(t("vae.hist.y", lang)), shapes=shapes, annotations=annotations)
    return figure(data, layout)
