"""Figures for the reconstruction-vs-KL tab: the rate-distortion plane (Alemi et al. 2018, "Fixing a
Broken ELBO"), training curves over steps, per-dimension KL bars, posterior ellipses (2-D latent).

All functions take plain numbers/arrays and return plotly figures.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

FRONTIER = "#636efa"
CHOSEN = "#ef553b"
BETA_ONE = "#00a65a"
LIVE = "#ff7f0e"
CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"]


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 420) -> go.Figure:
    # colours set by hand: a named template is deep-copied on every figure, too slow for live ticks
    axis = dict(gridcolor="#e5e5e5", zerolinecolor="#cccccc", linecolor="#999999")
    fig.update_layout(title=dict(text=title, x=0.02), height=height, margin=dict(l=60, r=20, t=50, b=50),
                      xaxis=dict(title=x, **axis), yaxis=dict(title=y, **axis), template=None,
                      plot_bgcolor="white", paper_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
                      uirevision="keep")  # keep the student's zoom across live updates
    return fig


def rate_distortion_plane(betas: Sequence[float], rates: Sequence[float], distortions: Sequence[float],
                          chosen: int | None = None, live_rate: Sequence[float] | None = None,
                          live_distortion: Sequence[float] | None = None, live_beta: float | None = None,
                          title: str = "Rate–distortion plane") -> go.Figure:
    """The sweep's models as the frontier, with lines of constant ELBO (D + R = const).

    chosen: index of the highlighted sweep point. live_*: a trajectory (oldest first) drawn as a
    line ending in a big marker.
    """
    betas, R, D = (np.asarray(v, dtype=float) for v in (betas, rates, distortions))
    fig = go.Figure()
    xs = [R[np.isfinite(R)]] + ([np.asarray(live_rate, float)] if live_rate is not None else [])
    ys = [D[np.isfinite(D)]] + ([np.asarray(live_distortion, float)] if live_distortion is not None else [])
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    if len(xs) and len(ys):
        x0, x1 = 0.0, float(xs.max()) * 1.15 + 1.0
        y_lo, y_hi = float(ys.min()), float(ys.max())
        pad = 0.1 * (y_hi - y_lo) + 2.0
        y0, y1 = max(0.0, y_lo - pad), y_hi + pad
        # -ELBO = D + R: every line of slope -1 is one value of the ELBO
        lo, hi = x0 + y0, x1 + y1
        cs = np.linspace(lo, hi, 8)[1:-1]
        gap = np.full_like(cs, np.nan)  # one trace, segments separated by nan: cheaper than six traces
        fig.add_trace(go.Scatter(x=np.stack([np.full_like(cs, x0), np.full_like(cs, x1), gap], 1).ravel(),
                                 y=np.stack([cs - x0, cs - x1, gap], 1).ravel(), mode="lines", hoverinfo="skip",
                                 line=dict(color="#bbbbbb", dash="dash", width=1),
                                 name="constant ELBO: D + R = const"))
        fig.update_xaxes(range=[x0, x1])
        fig.update_yaxes(range=[y0, y1])
    labels = [f"β={b:g}" for b in betas]
    fig.add_trace(go.Scatter(
        x=R, y=D, mode="lines+markers+text", text=labels, textposition="top right", name="trained models (β sweep)",
        line=dict(color=FRONTIER), marker=dict(size=9, color=FRONTIER),
        customdata=np.stack([betas, D + R], -1) if len(betas) else None,
        hovertemplate="β=%{customdata[0]:g}<br>rate R=%{x:.2f} nats<br>distortion D=%{y:.2f} nats"
                      "<br>−ELBO = D+R = %{customdata[1]:.2f}<extra></extra>"))
    one = np.flatnonzero(np.isclose(betas, 1.0))
    if len(one):
        i = one[0]
        fig.add_trace(go.Scatter(x=[R[i]], y=[D[i]], mode="markers", name="β = 1 (the plain VAE: best ELBO)",
                                 marker=dict(symbol="star", size=18, color=BETA_ONE, line=dict(width=1, color="black")),
                                 hoverinfo="skip"))
    if chosen is not None and 0 <= chosen < len(betas):
        i = chosen
        fig.add_trace(go.Scatter(x=[R[i]], y=[D[i]], mode="markers", name=f"chosen β = {betas[i]:g}",
                                 marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(width=3, color=CHOSEN)),
                                 hoverinfo="skip"))
        if np.isfinite(R[i]) and np.isfinite(D[i]):
            # the model minimises D + βR, so the frontier touches a line of slope −β here
            t = np.array([-1.0, 1.0]) * max(2.0, 0.15 * (float(np.nanmax(R)) + 1))
            fig.add_trace(go.Scatter(x=R[i] + t, y=D[i] - betas[i] * t, mode="lines", hoverinfo="skip",
                                     line=dict(color=CHOSEN, dash="dot", width=2),
                                     name=f"slope −β: D + {betas[i]:g}·R = const"))
    if live_rate is not None and live_distortion is not None and len(live_rate):
        lr, ld = np.asarray(live_rate, float), np.asarray(live_distortion, float)
        fig.add_trace(go.Scatter(x=lr, y=ld, mode="lines", name="live run (path)",
                                 line=dict(color=LIVE, width=2), opacity=0.6, hoverinfo="skip"))
        beta_txt = f" (β={live_beta:g})" if live_beta is not None else ""
        fig.add_trace(go.Scatter(x=lr[-1:], y=ld[-1:], mode="markers", name=f"live model now{beta_txt}",
                                 marker=dict(size=16, color=LIVE, line=dict(width=2, color="black")),
                                 hovertemplate="live: R=%{x:.2f}, D=%{y:.2f}<extra></extra>"))
    return _layout(fig, title, "rate R = KL(q(z|x) ‖ p(z)), nats", "distortion D = −E_q log p(x|z), nats")


def training_curves(history: dict[str, np.ndarray], title: str = "Live training on a fixed test batch") -> go.Figure:
    """D, R, β·R and the objective D + β·R over steps; β itself on a second axis."""
    step = history["step"]
    fig = go.Figure()
    for key, name, colour in (("total", "objective D + β·R", "#333333"), ("distortion", "distortion D", "#1f77b4"),
                              ("rate", "rate R", "#d62728"), ("beta_rate", "β·R", "#ff9896")):
        fig.add_trace(go.Scatter(x=step, y=history[key], mode="lines", name=name, line=dict(color=colour),
                                 hovertemplate=f"step %{{x}}<br>{name}: %{{y:.2f}} nats<extra></extra>"))
    fig.add_trace(go.Scatter(x=step, y=history["beta"], mode="lines", name="β (right axis)", yaxis="y2",
                             line=dict(color=LIVE, dash="dot", shape="hv")))
    fig.update_layout(yaxis2=dict(title="β", overlaying="y", side="right", rangemode="tozero", showgrid=False))
    fig = _layout(fig, title, "training step", "nats per digit", height=360)
    fig.update_layout(margin=dict(l=60, r=50, t=50, b=50))
    return fig


def kl_bars(kl_per_dim: Sequence[float], threshold: float, title: str) -> go.Figure:
    """Mean KL of each latent dimension; those above threshold are the active units."""
    kl = np.asarray(kl_per_dim, dtype=float)
    active = kl > threshold
    fig = go.Figure(go.Bar(
        x=np.arange(len(kl)), y=kl, marker_color=np.where(active, FRONTIER, "#cccccc"),
        hovertemplate="dimension %{x}<br>KL = %{y:.3f} nats<extra></extra>", name="KL per dimension"))
    fig.add_hline(y=threshold, line=dict(color=CHOSEN, dash="dot"),
                  annotation_text=f"active if KL > {threshold:g} nats", annotation_position="top right")
    fig = _layout(fig, f"{title}: {int(active.sum())} of {len(kl)} dimensions active",
                  "latent dimension", "KL(q(z_j|x) ‖ N(0,1)), nats", height=300)
    fig.update_yaxes(type="log" if np.nanmax(kl, initial=0) > 50 * max(np.nanmin(kl, initial=1), 1e-3) else "linear")
    return fig


def posterior_ellipses(mu: np.ndarray, sigma: np.ndarray, labels: np.ndarray | None,
                       class_names: Sequence[str] | None = None, n_std: float = 1.0,
                       title: str = "Posteriors q(z|x) of a fixed batch (1σ ellipses)") -> go.Figure:
    """2-D latent: one ellipse (mu ± n_std·sigma) per digit, coloured by class, with the prior's
    unit circle. Small β: tiny ellipses far apart; large β: ellipses swell toward N(0, I)."""
    mu, sigma = np.asarray(mu, float)[:, :2], np.asarray(sigma, float)[:, :2]
    labels = np.zeros(len(mu), int) if labels is None else np.asarray(labels).astype(int)
    t = np.linspace(0, 2 * np.pi, 33)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.cos(t) * n_std, y=np.sin(t) * n_std, mode="lines", name=f"prior N(0, I), {n_std:g}σ",
                             line=dict(color="black", dash="dash", width=2), hoverinfo="skip"))
    ring = np.stack([np.append(np.cos(t), np.nan), np.append(np.sin(t), np.nan)])  # (2, 34); nan breaks the line
    for c in np.unique(labels):
        sel = np.flatnonzero(labels == c)
        xs = (mu[sel, 0, None] + n_std * sigma[sel, 0, None] * ring[0]).ravel()  # (len(sel) * 34,)
        ys = (mu[sel, 1, None] + n_std * sigma[sel, 1, None] * ring[1]).ravel()
        name = class_names[c] if class_names is not None and c < len(class_names) else str(c)
        colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=1), name=name,
                                 legendgroup=name, hoverinfo="skip", fill="toself", opacity=0.5))
        fig.add_trace(go.Scatter(x=mu[sel, 0], y=mu[sel, 1], mode="markers", marker=dict(color=colour, size=4),
                                 legendgroup=name, showlegend=False,
                                 hovertemplate=f"class {name}<br>μ=(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    extent = float(np.nanmax(np.abs(np.concatenate([mu + sigma, mu - sigma])), initial=1.0))
    r = max(1.5 * n_std, min(extent * 1.1, 50.0))
    fig = _layout(fig, title, "z₁", "z₂", height=420)
    fig.update_xaxes(range=[-r, r])
    fig.update_yaxes(range=[-r, r], scaleanchor="x", scaleratio=1)
    return fig


def empty_figure(message: str, height: int = 300) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14, color="#666666"))
    fig.update_layout(height=height, template=None, plot_bgcolor="white", paper_bgcolor="white", xaxis=dict(visible=False),
                      yaxis=dict(visible=False), margin=dict(l=20, r=20, t=20, b=20))
    return fig
