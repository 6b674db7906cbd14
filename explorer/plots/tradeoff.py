"""Figures for the reconstruction-vs-KL tab: the rate-distortion plane (Alemi et al. 2018, "Fixing a
Broken ELBO"), training curves over steps, per-dimension KL bars, posterior ellipses (2-D latent).

All functions take plain numbers/arrays and return plotly figures in the style of plots/style.py
(the live view redraws three of them several times a second), or PIL images of digits drawn like
every other tab's.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image

from . import style
from ..i18n import class_name, t
from . import vae as vae_plots

FRONTIER = "#636efa"
CHOSEN = "#ef553b"
BETA_ONE = "#00a65a"
LIVE = "#ff7f0e"
INACTIVE = "#cccccc"
SIGMA = "#9467bd"  # the Gaussian decoders' panel


def _figure(data: list[dict], title: str, x: str, y: str, height: int = 420, xaxis: dict | None = None,
            yaxis: dict | None = None, **layout) -> go.Figure:
    base = dict(title=style.title(title), height=height, margin=dict(l=60, r=20, t=50, b=40),
                xaxis=style.axis(x, **(xaxis or {})), yaxis=style.axis(y, **(yaxis or {})),
                legend=dict(orientation="h", yanchor="top", y=-0.27, x=0, xanchor="left"),  # below the axis title
                uirevision="keep")  # keep the student's zoom across live updates
    return style.figure(data, base | layout)


LIVE_DECIMALS = 3  # nats and latent coordinates: hovers show two decimals, a pixel is coarser still


def _list(a, decimals: int | None = None) -> list:
    """numpy -> JSON-ready list, nan -> None (a break in a line). decimals: rounded first, for the live
    figures that a page receives three times a second (full doubles would triple their bytes)."""
    a = np.asarray(a, dtype=float).ravel()
    if decimals is not None:
        a = np.round(a, decimals)
    out = a.tolist()  # in C: a live poll's ellipses alone are tens of thousands of numbers
    for i in np.flatnonzero(~np.isfinite(a)).tolist():
        out[i] = None
    return out


def rate_distortion_plane(betas: Sequence[float], rates: Sequence[float], distortions: Sequence[float],
                          chosen: int | None = None, live_rate: Sequence[float] | None = None,
                          live_distortion: Sequence[float] | None = None, live_beta: float | None = None,
                          title: str = "Rate–distortion plane", lang: str = "en",
                          sigma_x: Sequence[float] | None = None, sigma_rates: Sequence[float] | None = None,
                          sigma_errors: Sequence[float] | None = None,
                          sigma_distortions: Sequence[float] | None = None) -> go.Figure:
    """The sweep's models as the frontier, with lines of constant ELBO (D + R = const).

    chosen: index of the highlighted sweep point. live_*: a trajectory (oldest first) drawn as a
    line ending in a big marker. sigma_*: Gaussian decoders (their sigma_x, rate, squared error
    ||x - x_hat||^2 and -log p(x|z)), drawn in a second panel below that shares the rate axis.
    """
    betas, R, D = (np.asarray(v, dtype=float) for v in (betas, rates, distortions))
    data: list[dict] = []
    xaxis, yaxis = {}, {}
    # the axes frame the frontier and the live run's recent path; its early wanderings may leave the frame
    recent = slice(-max(10, len(live_rate) // 4), None) if live_rate is not None else slice(None)
    xs = [R[np.isfinite(R)]] + ([np.asarray(live_rate, float)[recent]] if live_rate is not None else [])
    ys = [D[np.isfinite(D)]] + ([np.asarray(live_distortion, float)[recent]] if live_distortion is not None else [])
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    with_sigma = sigma_x is not None and len(sigma_x) > 0
    if with_sigma:  # the shared rate axis frames both panels
        xs = np.concatenate([xs, np.asarray(sigma_rates, float)])
        xs = xs[np.isfinite(xs)]
    if len(xs) and len(ys):
        x0, x1 = 0.0, float(xs.max()) * 1.15 + 1.0
        y_lo, y_hi = float(ys.min()), float(ys.max())
        pad = 0.1 * (y_hi - y_lo) + 2.0
        y0, y1 = max(0.0, y_lo - pad), y_hi + pad
        # -ELBO = D + R: every line of slope -1 is one value of the ELBO; one trace, nan-separated
        cs = np.linspace(x0 + y0, x1 + y1, 8)[1:-1]
        gap = np.full_like(cs, np.nan)
        data.append(dict(type="scatter", x=_list(np.stack([np.full_like(cs, x0), np.full_like(cs, x1), gap], 1)),
                         y=_list(np.stack([cs - x0, cs - x1, gap], 1)), mode="lines", hoverinfo="skip",
                         line=dict(color="#bbbbbb", dash="dash", width=1), name=t("to.fig.const_elbo", lang)))
        xaxis, yaxis = dict(range=[x0, x1]), dict(range=[y0, y1])
    data.append(dict(
        type="scatter", x=_list(R), y=_list(D), mode="lines+markers+text", text=[f"β={b:g}" for b in betas],
        textposition="top right", name=t("to.fig.sweep", lang), line=dict(color=FRONTIER),
        marker=dict(size=9, color=FRONTIER), customdata=[[float(b), float(d + r)] for b, d, r in zip(betas, D, R)],
        hovertemplate="β=%{customdata[0]:g}<br>rate R=%{x:.2f} nats<br>distortion D=%{y:.2f} nats"
                      "<br>−ELBO = D+R = %{customdata[1]:.2f}<extra></extra>"))
    one = np.flatnonzero(np.isclose(betas, 1.0))
    if len(one):
        i = one[0]
        data.append(dict(type="scatter", x=_list(R[i:i + 1]), y=_list(D[i:i + 1]), mode="markers",
                         name=t("to.fig.beta_one", lang), hoverinfo="skip",
                         marker=dict(symbol="star", size=18, color=BETA_ONE, line=dict(width=1, color="black"))))
    if chosen is not None and 0 <= chosen < len(betas):
        i = chosen
        data.append(dict(type="scatter", x=_list(R[i:i + 1]), y=_list(D[i:i + 1]), mode="markers",
                         name=t("to.fig.chosen", lang, b=betas[i]), hoverinfo="skip",
                         marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(width=3, color=CHOSEN))))
        if np.isfinite(R[i]) and np.isfinite(D[i]):
            # the model minimises D + βR, so the frontier touches a line of slope −β here
            dr = np.array([-1.0, 1.0]) * max(2.0, 0.15 * (float(np.nanmax(R)) + 1))
            data.append(dict(type="scatter", x=_list(R[i] + dr), y=_list(D[i] - betas[i] * dr), mode="lines",
                             hoverinfo="skip", line=dict(color=CHOSEN, dash="dot", width=2),
                             name=t("to.fig.slope", lang, b=betas[i])))
    if live_rate is not None and live_distortion is not None and len(live_rate):
        lr, ld = _list(live_rate, LIVE_DECIMALS), _list(live_distortion, LIVE_DECIMALS)
        data.append(dict(type="scatter", x=lr, y=ld, mode="lines", name=t("to.fig.live_path", lang),
                         line=dict(color=LIVE, width=2), opacity=0.6, hoverinfo="skip"))
        beta_txt = f" (β={live_beta:g})" if live_beta is not None else ""
        data.append(dict(type="scatter", x=lr[-1:], y=ld[-1:], mode="markers", name=t("to.fig.live_now", lang, beta=beta_txt),
                         marker=dict(size=16, color=LIVE, line=dict(width=2, color="black")),
                         hovertemplate="live: R=%{x:.2f}, D=%{y:.2f}<extra></extra>"))
    if with_sigma:
        return _with_sigma_panel(data, title, xaxis, yaxis, sigma_x, sigma_rates, sigma_errors, sigma_distortions,
                                 lang)
    return _figure(data, title, t("to.fig.rate_axis", lang), t("to.fig.dist_axis", lang),
                   height=520, xaxis=xaxis, yaxis=yaxis,
                   margin=dict(l=70, r=20, t=50, b=234 if live_rate is not None and len(live_rate) else 162))  # style.py: margins


def _with_sigma_panel(data: list[dict], title: str, xaxis: dict, yaxis: dict, sigma_x, rates, errors, distortions,
                      lang: str) -> go.Figure:
    """The plane above; below, on the same rate axis, Gaussian decoders against squared error, each with
    the line of slope -2 sigma^2 along which its objective ||x - x_hat||^2 / (2 sigma^2) + R is constant."""
    s, R, E = (np.asarray(v, dtype=float) for v in (sigma_x, rates, errors))
    Dg = np.asarray(distortions if distortions is not None else np.full_like(s, np.nan), dtype=float)
    b_eff = 2.0 * s ** 2
    x_range = xaxis.get("range") or [0.0, float(np.nanmax(R)) * 1.15 + 1.0]
    fin = E[np.isfinite(E)]
    pad = 0.15 * (float(fin.max() - fin.min()) if len(fin) else 1.0) + 2.0
    y_range = [max(0.0, float(fin.min()) - pad), float(fin.max()) + pad] if len(fin) else None
    below = dict(xaxis="x2", yaxis="y2")
    data.append(dict(
        type="scatter", x=_list(R), y=_list(E), mode="lines+markers+text", **below,
        text=[f"σ={v:g} · β_eff={b:g}" for v, b in zip(s, b_eff)],
        textposition=["top left" if r > 0.6 * x_range[1] else "top right" for r in R],  # labels stay inside
        name=t("to.sigma.points", lang), line=dict(color=SIGMA), marker=dict(size=11, color=SIGMA, symbol="diamond"),
        customdata=[[float(v), float(b), float(d)] for v, b, d in zip(s, b_eff, Dg)],
        hovertemplate="σ=%{customdata[0]:g}, β_eff = 2σ² = %{customdata[1]:g}<br>rate R=%{x:.2f} nats"
                      "<br>‖x − x̂‖²=%{y:.2f}<br>−log p(x|z)=%{customdata[2]:.1f} nats<extra></extra>"))
    half = max(2.0, 0.08 * (x_range[1] - x_range[0]))
    xs, ys = [], []
    for r, e, b in zip(R, E, b_eff):  # ||x - x_hat||^2 + 2 sigma^2 R = const: slope -beta_eff
        if np.isfinite(r) and np.isfinite(e):
            dr = np.array([-half, half])
            xs += [*(r + dr), np.nan]
            ys += [*(e - b * dr), np.nan]
    data.append(dict(type="scatter", x=_list(xs), y=_list(ys), mode="lines", hoverinfo="skip", **below,
                     line=dict(color=SIGMA, dash="dot", width=2), name=t("to.sigma.slope", lang)))
    # the rate axis is named once, under the lower panel (the two share it)
    return _figure(data, title, None, t("to.fig.dist_axis", lang), height=860,
                   xaxis=dict(xaxis, domain=[0, 1], anchor="y"), yaxis=dict(yaxis, domain=[0.45, 1.0]),
                   margin=dict(l=70, r=20, t=50, b=230),  # style.py: margins
                   legend=dict(orientation="h", yanchor="top", y=-0.09, x=0, xanchor="left"),
                   xaxis2=style.axis(t("to.fig.rate_axis", lang), domain=[0, 1], anchor="y2", matches="x",
                                     range=x_range),
                   yaxis2=style.axis(t("to.sigma.err_axis", lang), domain=[0.0, 0.30],
                                     **({"range": y_range} if y_range else {})),
                   annotations=[dict(text=t("to.sigma.panel_title", lang), xref="paper", yref="paper", x=0,
                                     y=0.34, xanchor="left", yanchor="bottom", showarrow=False,
                                     font=dict(size=15))])


def training_curves(history: dict[str, np.ndarray], title: str = "Live training on a fixed test batch",
                    lang: str = "en", restarts: Sequence[tuple[int, float, float]] = ()) -> go.Figure:
    """D, R, β·R and the objective D + β·R over steps; β itself on a second axis. restarts: (step,
    previous β, β) of each fresh start of the weights, drawn as a dashed line with its label."""
    step = np.asarray(history["step"]).astype(np.int64).tolist()
    data = []
    for key, name, colour in (("total", t("to.fig.objective", lang), "#333333"),
                              ("distortion", t("to.fig.distortion", lang), "#1f77b4"),
                              ("rate", t("to.fig.rate", lang), "#d62728"), ("beta_rate", "β·R", "#ff9896")):
        data.append(dict(type="scatter", x=step, y=_list(history[key], LIVE_DECIMALS), mode="lines", name=name,
                         line=dict(color=colour),
                         hovertemplate=f"step %{{x}}<br>{name}: %{{y:.2f}} nats<extra></extra>"))
    data.append(dict(type="scatter", x=step, y=_list(history["beta"], LIVE_DECIMALS), mode="lines", name=t("to.fig.beta_right", lang),
                     yaxis="y2", line=dict(color=LIVE, dash="dot", shape="hv")))
    marks = [dict(type="line", xref="x", yref="paper", x0=s, x1=s, y0=0, y1=1,
                  line=dict(color="#555555", dash="dash", width=1)) for s, _, _ in restarts]
    notes = [dict(x=s, xref="x", y=1, yref="paper", yanchor="bottom", xanchor="left", showarrow=False,
                  text=t("to.fig.restart", lang, prev=a, beta=b), font=dict(size=12, color="#555555"))
             for s, a, b in restarts]
    return _figure(data, title, t("to.fig.step", lang), t("to.fig.nats_digit", lang), height=520,
                   yaxis2=dict(title=dict(text="β"), overlaying="y", side="right", rangemode="tozero",
                               showgrid=False),
                   shapes=marks, annotations=notes,
                   margin=dict(l=72, r=64, t=50, b=162))  # style.py: margins


def kl_bars(kl_per_dim: Sequence[float], active: Sequence[bool], title: str, lang: str = "en") -> go.Figure:
    """Mean KL of each latent dimension, the active units (Burda et al.'s Var_x(E_q[z_d]) > 0.01)
    in colour and the collapsed ones grey."""
    kl = np.asarray(kl_per_dim, dtype=float)
    active = np.asarray(active, dtype=bool)
    dims = list(range(len(kl)))
    data = [dict(type="bar", x=[d for d in dims if active[d] == on], y=_list(kl[active == on]),
                 name=t("to.fig.active" if on else "to.fig.inactive", lang),
                 marker=dict(color=FRONTIER if on else INACTIVE),
                 hovertemplate=t("to.fig.dimension", lang) + " %{x}<br>KL = %{y:.3f} nats<extra></extra>")
            for on in (True, False)]
    positive = kl[kl > 0]
    log = len(positive) and positive.max() > 50 * max(positive.min(), 1e-3)
    return _figure(data, t("to.fig.active_title", lang, title=title, active=int(active.sum()), n=len(kl)),
                   t("to.fig.latent_dim", lang), t("to.fig.kl_axis", lang), height=360, yaxis=dict(type="log" if log else "linear"),
                   barmode="overlay", legend=dict(orientation="h", yanchor="top", y=-0.36, x=0, xanchor="left"),
                   margin=dict(l=78, r=20, t=50, b=104))  # style.py: margins


def posterior_ellipses(mu: np.ndarray, sigma: np.ndarray, labels: np.ndarray | None,
                       class_names: Sequence[str] | None = None, n_std: float = 1.0,
                       title: str = "Posteriors q(z|x) of a fixed batch (1σ ellipses)",
                       lang: str = "en") -> go.Figure:
    """2-D latent: one ellipse (mu ± n_std·sigma) per digit, coloured by class, with the prior's
    unit circle. Small β: tiny ellipses far apart; large β: ellipses swell toward N(0, I)."""
    mu, sigma = np.asarray(mu, float)[:, :2], np.asarray(sigma, float)[:, :2]
    labels = np.zeros(len(mu), int) if labels is None else np.asarray(labels).astype(int)
    theta = np.linspace(0, 2 * np.pi, 33)
    data = [dict(type="scatter", x=_list(np.cos(theta) * n_std), y=_list(np.sin(theta) * n_std), mode="lines",
                 name=t("to.fig.prior_ring", lang, n=n_std), line=dict(color="black", dash="dash", width=2), hoverinfo="skip")]
    ring = np.stack([np.append(np.cos(theta), np.nan), np.append(np.sin(theta), np.nan)])  # (2, 34); nan breaks the line
    for c in np.unique(labels):
        sel = np.flatnonzero(labels == c)
        xs = mu[sel, 0, None] + n_std * sigma[sel, 0, None] * ring[0]  # (len(sel), 34)
        ys = mu[sel, 1, None] + n_std * sigma[sel, 1, None] * ring[1]
        name = class_name(class_names[c], lang) if class_names is not None and c < len(class_names) else str(c)
        colour = style.class_color(c)
        data.append(dict(type="scatter", x=_list(xs, LIVE_DECIMALS), y=_list(ys, LIVE_DECIMALS), mode="lines",
                         name=name, legendgroup=name,
                         line=dict(color=colour, width=1), fill="toself", opacity=0.5, hoverinfo="skip"))
        data.append(dict(type="scatter", x=_list(mu[sel, 0], LIVE_DECIMALS), y=_list(mu[sel, 1], LIVE_DECIMALS),
                         mode="markers",
                         marker=dict(color=colour, size=4), legendgroup=name, showlegend=False,
                         hovertemplate=f"{t('to.fig.class', lang)} {name}<br>μ=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    extent = float(np.nanmax(np.abs(np.concatenate([mu + sigma, mu - sigma])), initial=1.0))
    r = max(1.5 * n_std, min(extent * 1.1, 50.0))
    return _figure(data, title, "z₁", "z₂", height=520, xaxis=dict(range=[-r, r]),
                   yaxis=dict(range=[-r, r], scaleanchor="x", scaleratio=1),
                   margin=dict(l=64, r=20, t=50, b=152))  # style.py: margins


empty_figure = style.empty_figure


# ---------------------------------------------------------------------------- digits
def image_grid(images, ncols: int, scale: int = 3, pad: int = 2) -> Image.Image:
    """(n, 28, 28) or (n, 1, 28, 28) values in [0, 1] -> one PIL image, drawn like every other
    tab's digits (white on black, thin separators)."""
    a = torch.as_tensor(np.asarray(images.detach() if isinstance(images, torch.Tensor) else images,
                                   dtype=np.float32))
    a = a.reshape(len(a), 1, a.shape[-2], a.shape[-1])
    return vae_plots.grid_picture(a, ncols, scale=scale, sep=pad)


def originals_over_reconstructions(originals, reconstructions) -> Image.Image:
    """Top row: the test digits; bottom row: decode(mu) of each."""
    a, b = np.asarray(originals), np.asarray(reconstructions)
    return image_grid(np.concatenate([a.reshape(len(a), 28, 28), b.reshape(len(b), 28, 28)]), ncols=len(a))
