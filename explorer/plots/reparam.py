"""Figures for the reparameterisation tab: the draws eps ~ N(0, I) beside their images z = mu + sigma * eps
in latent space (with the ellipses of q(z|x)), a strip of the decoded samples, and the computation graph
through which gradients reach mu and sigma (and the direct draw through which they do not).

Plain numbers and arrays in, plotly figures (plots/style.py) or uint8 images out.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from . import vae as vae_plots
from ..i18n import t

EPS_COLOR = "#0072B2"  # the draws, in both panels (same index, same point)
PRIOR = "#777777"
POSTERIOR = style.ACCENT
NO_GRAD = "#999999"
GRAD = "#D62728"
LABELLED = 16  # draws numbered in the figure; beyond, hover only


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _ring(cx: float, cy: float, rx: float, ry: float, k: int = 73) -> tuple[list, list]:
    th = np.linspace(0, 2 * np.pi, k)
    return (cx + rx * np.cos(th)).tolist(), (cy + ry * np.sin(th)).tolist()


def eps_to_z(eps: np.ndarray, z: np.ndarray, mu: np.ndarray, sigma: np.ndarray, dims: tuple[int, int],
             latent_dim: int, lang: str = "en", height: int = 470) -> go.Figure:
    """Left: eps_i ~ N(0, I) with the unit Gaussian's 1 and 2 sd circles. Right: z_i = mu + sigma * eps_i
    on the same two latent dimensions, with q(z|x)'s 1 and 2 sd ellipses and the prior's circles."""
    a, b = dims
    n = len(eps)
    labels = [str(i + 1) if i < LABELLED else "" for i in range(n)]
    idx = [[i + 1] for i in range(n)]
    data: list[dict] = []
    for k, dash in ((1, "dash"), (2, "dot")):  # the unit Gaussian, in both panels
        for ax in ("", "2"):
            xs, ys = _ring(0, 0, k, k)
            data.append(dict(type="scatter", x=xs, y=ys, mode="lines", xaxis=f"x{ax}", yaxis=f"y{ax}",
                             line=dict(color=PRIOR, dash=dash, width=1.5), hoverinfo="skip",
                             name=t("rep.fig.unit", lang, k=k), legendgroup=f"unit{k}", showlegend=ax == ""))
    for k, width in ((1, 2.5), (2, 1.5)):
        xs, ys = _ring(float(mu[a]), float(mu[b]), k * float(sigma[a]), k * float(sigma[b]))
        data.append(dict(type="scatter", x=xs, y=ys, mode="lines", xaxis="x2", yaxis="y2", hoverinfo="skip",
                         line=dict(color=POSTERIOR, width=width), fill="toself" if k == 1 else None,
                         fillcolor="rgba(214,39,40,0.08)", name=t("rep.fig.posterior", lang, k=k)))
    ea, eb = f"ε{_sub(a + 1)}", f"ε{_sub(b + 1)}"
    za, zb = f"z{_sub(a + 1)}", f"z{_sub(b + 1)}"
    data.append(dict(type="scatter", x=eps[:, a].tolist(), y=eps[:, b].tolist(), mode="markers+text", text=labels,
                     textposition="top right", textfont=dict(size=11, color=EPS_COLOR), customdata=idx,
                     marker=dict(size=8, color=EPS_COLOR, line=dict(width=1, color="white")),
                     name=t("rep.fig.eps", lang), legendgroup="draws",
                     hovertemplate=f"#%{{customdata[0]}}<br>{ea}=%{{x:.3f}}<br>{eb}=%{{y:.3f}}<extra></extra>"))
    data.append(dict(type="scatter", x=z[:, a].tolist(), y=z[:, b].tolist(), mode="markers+text", text=labels,
                     textposition="top right", textfont=dict(size=11, color=EPS_COLOR), customdata=idx,
                     xaxis="x2", yaxis="y2", marker=dict(size=8, color=EPS_COLOR, line=dict(width=1, color="white")),
                     name=t("rep.fig.z", lang), legendgroup="draws", showlegend=False,
                     hovertemplate=f"#%{{customdata[0]}}<br>{za}=%{{x:.3f}}<br>{zb}=%{{y:.3f}}<extra></extra>"))
    data.append(dict(type="scatter", x=[float(mu[a])], y=[float(mu[b])], mode="markers", xaxis="x2", yaxis="y2",
                     marker=dict(symbol="star", size=16, color=POSTERIOR, line=dict(width=1, color="black")),
                     name="μ", hovertemplate=f"μ = (%{{x:.3f}}, %{{y:.3f}})<br>σ = ({float(sigma[a]):.3f}, "
                                             f"{float(sigma[b]):.3f})<extra></extra>"))
    r_eps = max(2.5, float(np.abs(eps[:, [a, b]]).max()) * 1.1)
    # the right panel frames q(z|x) (its 2 sd ellipse and every draw): a posterior is often far narrower
    # than the prior, whose circles then pass through the frame or lie outside it
    zs = np.concatenate([z[:, [a, b]], [[mu[a] + 2 * sigma[a], mu[b] + 2 * sigma[b]],
                                        [mu[a] - 2 * sigma[a], mu[b] - 2 * sigma[b]]]])
    lo, hi = zs.min(0), zs.max(0)
    centre, half = (lo + hi) / 2, float((hi - lo).max()) / 2 * 1.15
    which = (t("rep.fig.dims_all", lang) if latent_dim <= 2
             else t("rep.fig.dims_some", lang, a=a + 1, b=b + 1, z=latent_dim))
    layout = dict(
        title=style.title(t("rep.fig.title", lang, which=which)), height=height,
        margin=dict(l=64, r=30, t=60, b=128),  # style.py: margins (the legend: two rows, 77 px, 50 px down)
        xaxis=style.axis(ea, domain=[0, 0.45], range=[-r_eps, r_eps]),
        yaxis=style.axis(eb, range=[-r_eps, r_eps], scaleanchor="x", scaleratio=1),
        xaxis2=style.axis(za, domain=[0.55, 1], anchor="y2", range=[centre[0] - half, centre[0] + half]),
        yaxis2=style.axis(zb, anchor="x2", range=[centre[1] - half, centre[1] + half], scaleanchor="x2",
                          scaleratio=1),
        # under the axis titles (ε₁, z₁), not across them: 50 px below the plot area, which the page draws
        # with a 100 px top margin (gr.Plot's title room, measured): 470 - 100 - 128 = 242 px high
        legend=dict(orientation="h", yanchor="top", y=-50 / (height - 100 - 128), x=0, xanchor="left"),
        annotations=[dict(text=t("rep.fig.left", lang), xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left",
                          yanchor="bottom", showarrow=False, font=dict(size=14)),
                     dict(text=t("rep.fig.right", lang), xref="paper", yref="paper", x=0.55, y=1.0, xanchor="left",
                          yanchor="bottom", showarrow=False, font=dict(size=14))])
    return style.figure(data, layout)


def images_strip(x, x_bin, x_mu, x_hat, per_row: int = 8) -> np.ndarray:
    """x | x binarised | decode(mu) || decode(z_i) for every draw, 8 to a row."""
    return vae_plots.strip([x, x_bin, x_mu, x_hat], ncols=[1, 1, 1, min(per_row, len(x_hat))])


# ---------------------------------------------------------------------------- the computation graph
PX_PER_X, PX_PER_Y = 126.0, 82.0  # the graph's scale at a full-width plot (about 1,250 x 480 px)
CHAR_PX = 7.6  # a 14 px character, about


def _node(x: float, y: float, text: str, colour: str) -> dict:
    return dict(x=x, y=y, text=text, showarrow=False, font=dict(size=14, color="#222222"), bgcolor="white",
                bordercolor=colour, borderwidth=2, borderpad=6, xref="x", yref="y")


def _edge_px(node: dict, dx: float, dy: float) -> float:
    """Pixels from a node's centre to its box's edge in the direction (dx, dy) (pixel space)."""
    width = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in node["text"])  # a CJK character is two wide
    half_w, half_h = width * CHAR_PX / 2 + 9, 19.0
    c, s = abs(dx) / max(np.hypot(dx, dy), 1e-9), abs(dy) / max(np.hypot(dx, dy), 1e-9)
    return min(half_w / c if c > 1e-9 else np.inf, half_h / s if s > 1e-9 else np.inf) + 3


def _arrow(a: dict, b: dict, colour: str, shift: float = 0.0) -> dict:
    """An arrow from node a's box to node b's box (shift: moved up by this much, to run beside another)."""
    dx, dy = (b["x"] - a["x"]) * PX_PER_X, (b["y"] - a["y"]) * PX_PER_Y
    return dict(x=b["x"], y=b["y"] + shift, ax=a["x"], ay=a["y"] + shift, xref="x", yref="y", axref="x", ayref="y",
                showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=2 if colour != GRAD else 1.5,
                arrowcolor=colour, text="", standoff=_edge_px(b, -dx, -dy), startstandoff=_edge_px(a, dx, dy))


def _label(x: float, y: float, text: str, colour: str = GRAD, size: int = 13, **kw) -> dict:
    return dict(x=x, y=y, xref="x", yref="y", showarrow=False, text=text, font=dict(size=size, color=colour), **kw)


def computation_graph(eps_1: float, grad_mu: float, grad_sigma: float, direct_mu: float, direct_sigma: float,
                      dim: int, lang: str = "en", height: int = 480) -> go.Figure:
    """Two graphs, forward in black and backward in red. Top: z = mu + sigma * eps, eps an input with no
    gradient; dz/dmu = 1 and dz/dsigma = eps carry dL/dz back to mu and sigma. Bottom: z drawn directly
    from N(mu, sigma^2): the draw is a black box and the gradients reaching mu and sigma are zero."""
    d = _sub(dim + 1)
    top, bottom = 3.9, 0.5
    fwd = "#444444"
    x = _node(0.3, top, "x", fwd)
    enc = _node(1.8, top, t("rep.graph.encoder", lang), fwd)
    mu, sigma = _node(3.5, top + 0.6, "μ", POSTERIOR), _node(3.5, top - 0.6, "σ", POSTERIOR)
    eps = _node(3.5, top - 1.6, t("rep.graph.eps", lang), NO_GRAD)
    z = _node(5.3, top, "z = μ + σ ⊙ ε", EPS_COLOR)
    dec, loss = _node(7.1, top, t("rep.graph.decoder", lang), fwd), _node(8.8, top, t("rep.graph.loss", lang), fwd)
    mu2, sigma2 = _node(3.5, bottom + 0.45, "μ", POSTERIOR), _node(3.5, bottom - 0.45, "σ", POSTERIOR)
    draw = _node(5.3, bottom, t("rep.graph.direct", lang), NO_GRAD)
    dec2 = _node(7.1, bottom, t("rep.graph.decoder", lang), fwd)
    loss2 = _node(8.8, bottom, t("rep.graph.loss", lang), fwd)
    notes = [x, enc, mu, sigma, eps, z, dec, loss, mu2, sigma2, draw, dec2, loss2,
             _arrow(x, enc, fwd), _arrow(enc, mu, fwd), _arrow(enc, sigma, fwd), _arrow(mu, z, fwd),
             _arrow(sigma, z, fwd), _arrow(eps, z, NO_GRAD), _arrow(z, dec, fwd), _arrow(dec, loss, fwd),
             # backward: beside the forward arrows, from z to mu and to sigma
             _arrow(z, mu, GRAD, shift=0.22), _arrow(z, sigma, GRAD, shift=-0.22),
             _label(4.4, top + 1.15, t("rep.graph.back_mu", lang, d=d, g=grad_mu)),
             _label(4.4, top - 1.0, t("rep.graph.back_sigma", lang, d=d, e=eps_1, g=grad_sigma), xanchor="left"),
             _label(3.5, top - 2.15, t("rep.graph.eps_note", lang), NO_GRAD, 12),
             _arrow(mu2, draw, fwd), _arrow(sigma2, draw, fwd), _arrow(draw, dec2, fwd), _arrow(dec2, loss2, fwd),
             _label(4.25, bottom, "✕", GRAD, 26),  # no gradient gets back through the draw
             _label(1.5, bottom, t("rep.graph.direct_back", lang, d=d, gm=direct_mu, gs=direct_sigma), align="left"),
             _label(0.0, top + 1.15, t("rep.graph.head_top", lang), "#2a3f5f", 14, xanchor="left"),
             _label(0.0, bottom + 0.95, t("rep.graph.head_bottom", lang), "#2a3f5f", 14, xanchor="left")]
    layout = dict(height=height, margin=dict(l=10, r=10, t=20, b=10), showlegend=False,
                  xaxis=dict(visible=False, range=[-0.3, 9.6], fixedrange=True),
                  yaxis=dict(visible=False, range=[-0.2, 5.3], fixedrange=True), annotations=notes,
                  plot_bgcolor="white")
    return style.figure([], layout)
