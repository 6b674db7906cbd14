"""Figures for the per-token tab: each character coloured by p(x_t | x_<t), -log p per position,
the top alternatives, the Transformer's attention and the next-token distribution when sampling.

Functions take what explorer/token_views.py returns and give plotly figures.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# colour = log10 p on a diverging, colour-blind friendly scale whose white middle is a uniform guess
# 1/V: red = less likely than a blind guess (surprising), blue = more likely (expected)
P_COLORSCALE = [[0.0, "#b2182b"], [0.15, "#ef8a62"], [0.35, "#fddbc7"], [0.5, "#f7f7f7"],
                [0.65, "#d1e5f0"], [0.85, "#67a9cf"], [1.0, "#2166ac"]]
MODEL_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
DRAWN_COLOR = "#d62728"
FONT = dict(size=14)


def _esc(token: str) -> str:
    """Plotly text is HTML-like: "<end>" must be escaped or it vanishes as an unknown tag."""
    return token.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(fig: go.Figure, title: str, height: int, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=15)), height=height, template="plotly_white",
                      font=FONT, margin=dict(l=10, r=10, t=50, b=10), **kw)
    return fig


def _log_p_scale(vocab_size: int) -> dict:
    """zmin/zmax/colorbar for log10 p, centred on the uniform guess log10(1/V)."""
    mid = -np.log10(vocab_size)
    ticks = [(v, f"{p:g}") for p in (0.001, 0.01, 0.1, 1.0) if (v := np.log10(p)) >= 2 * mid]
    ticks.append((mid, f"1/{vocab_size}"))
    return dict(zmin=2 * mid, zmax=0.0, colorscale=P_COLORSCALE,
                colorbar=dict(title=dict(text="p (log scale)", side="right"), thickness=12,
                              tickvals=[v for v, _ in ticks], ticktext=[t for _, t in ticks]))


def _log10(p) -> np.ndarray:
    return np.log10(np.clip(np.asarray(p, dtype=float), 1e-12, 1.0))


def token_strip(scored_list) -> go.Figure:
    """One row per model, one cell per token: the character and its p, coloured by p."""
    n_tok = scored_list[0].n_tokens
    z = _log10([[r.p for r in s.rows] for s in scored_list])
    text = [[f"<b>{_esc(r.token)}</b><br>{r.p:.2f}" for r in s.rows] for s in scored_list]
    hover = [[f"p({_esc(r.token)} | {_esc(r.context)}) = {r.p:.4f}<br>-log p = {r.nll:.2f} nats" for r in s.rows]
             for s in scored_list]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(1, n_tok + 1)), y=[s.label for s in scored_list], text=text, texttemplate="%{text}",
        textfont=dict(size=18, color="black"), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        xgap=3, ygap=3, **_log_p_scale(scored_list[0].vocab_size)))
    many = len(scored_list) > 1
    fig.update_xaxes(tickvals=list(range(1, n_tok + 1)), ticktext=[f"t={t}" for t in range(1, n_tok + 1)],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(autorange="reversed", showgrid=False, visible=many)
    title = (f'p(x<sub>t</sub> | x<sub>&lt;t</sub>) for each token of "{scored_list[0].text}" '
             "(red: less likely than a uniform guess, blue: more likely)")
    return _layout(fig, title, 150 + 70 * len(scored_list))


def nll_bars(scored_list) -> go.Figure:
    """-log p(x_t | x_<t) per position (nats), one bar group per model: their sum is -log p(x)."""
    s0 = scored_list[0]
    x = list(range(1, s0.n_tokens + 1))
    fig = go.Figure()
    for i, s in enumerate(scored_list):
        fig.add_bar(x=x, y=[r.nll for r in s.rows], name=f"{s.label}: total {-s.log_px:.2f} nats",
                    marker_color=MODEL_COLORS[i % len(MODEL_COLORS)],
                    text=[f"{r.nll:.2f}" for r in s.rows], textposition="outside", cliponaxis=False,
                    customdata=[_esc(r.token) for r in s.rows],
                    hovertemplate="%{customdata}: -log p = %{y:.3f} nats<extra>" + s.label + "</extra>")
    fig.update_xaxes(tickvals=x, ticktext=[_esc(r.token) for r in s0.rows], title_text="token x<sub>t</sub>",
                     tickfont=dict(size=16))
    fig.update_yaxes(title_text="-log p (nats)", rangemode="tozero")
    fig = _layout(fig, "Surprise per token, -log p(x<sub>t</sub> | x<sub>&lt;t</sub>): "
                       "the bars add up to -log p(x)", 360, barmode="group", showlegend=True,
                  legend=dict(orientation="h", y=-0.22, yanchor="top", x=0.5, xanchor="center"))
    fig.update_layout(margin=dict(b=50))
    return fig


def top_alternatives(scored) -> go.Figure:
    """The model's TOP_N favourite tokens at each position; the actual token is outlined."""
    rows = scored.rows
    n_top = len(rows[0].top)
    z = _log10([[r.top[k][1] for r in rows] for k in range(n_top)])
    text = [[f"{'<b>' if r.top[k][0] == r.token else ''}{_esc(r.top[k][0])} {r.top[k][1]:.2f}"
             f"{'</b>' if r.top[k][0] == r.token else ''}" for r in rows] for k in range(n_top)]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(1, len(rows) + 1)), y=list(range(1, n_top + 1)), text=text, texttemplate="%{text}",
        textfont=dict(size=13, color="black"), hoverinfo="skip", xgap=2, ygap=2, showscale=False,
        **_log_p_scale(scored.vocab_size)))
    for t, r in enumerate(rows, 1):
        if r.rank is not None:
            fig.add_shape(type="rect", x0=t - 0.5, x1=t + 0.5, y0=r.rank - 0.5, y1=r.rank + 0.5,
                          line=dict(color="black", width=3))
    fig.update_xaxes(tickvals=list(range(1, len(rows) + 1)), side="top", showgrid=False, zeroline=False,
                     ticktext=[f"{_esc(r.context)} → <b>{_esc(r.token)}</b>" for r in rows], tickangle=0
                     if len(rows) <= 6 else -35)
    fig.update_yaxes(autorange="reversed", tickvals=list(range(1, n_top + 1)),
                     ticktext=[f"#{k}" for k in range(1, n_top + 1)], showgrid=False, zeroline=False)
    fig = _layout(fig, f"{scored.label}: the {n_top} most likely tokens at each position "
                       "(outlined: the one actually there)", 330)
    fig.update_layout(margin=dict(t=130 if len(rows) > 6 else 90))
    return fig


def attention_heatmap(att) -> go.Figure:
    """Query rows x key columns; masked (future) cells stay blank: the causal triangle."""
    n = len(att.labels)
    w = att.weights.astype(float).copy()
    w[np.triu_indices(n, k=1)] = np.nan  # the mask: position t never sees t' > t
    ticks = [_esc(c) for c in att.labels]
    fig = go.Figure(go.Heatmap(
        z=w, x=list(range(n)), y=list(range(n)), colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1,
        text=np.where(np.isnan(w), "", np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(w))),
        texttemplate="%{text}" if n <= 12 else "", textfont=dict(size=11),
        hovertemplate="query %{y} reads key %{x}: weight %{z:.3f}<extra></extra>", hoverongaps=False,
        colorbar=dict(title=dict(text="weight", side="right"), thickness=12)))
    if n > 2:
        fig.add_annotation(x=n - 1, y=0, text="masked:<br>the future", showarrow=False, xanchor="right",
                           yanchor="top", font=dict(color="#888", size=13))
    fig.update_xaxes(tickvals=list(range(n)), ticktext=ticks, side="top", showgrid=False, zeroline=False,
                     title_text="key: position attended to", tickfont=dict(size=16), constrain="domain")
    fig.update_yaxes(tickvals=list(range(n)), ticktext=ticks, autorange="reversed", showgrid=False,
                     zeroline=False, title_text="query: position reading", tickfont=dict(size=16),
                     scaleanchor="x")
    fig = _layout(fig, f"Attention, {att.title}: each row sums to 1 over the past", 480)
    fig.update_layout(margin=dict(l=10, r=10, t=100, b=10), plot_bgcolor="white")
    return fig


def next_token_bars(step, temperature: float, top_k: int) -> go.Figure:
    """p(x_t | prefix): the model's own (grey) and the one sampled from (after T and top-k), the
    drawn token in red."""
    x = list(range(len(step.labels)))
    colors = [DRAWN_COLOR if i == step.drawn else "#4c78a8" for i in x]
    fig = go.Figure()
    fig.add_bar(x=x, y=step.model_probs, name="model, T = 1", marker_color="#c7c7c7", width=0.85,
                hovertemplate="model p = %{y:.3f}<extra></extra>")
    fig.add_bar(x=x, y=step.probs, name=f"sampled from: T = {temperature:g}, top-k = {top_k or 'off'}",
                marker_color=colors, width=0.5, hovertemplate="sampling p = %{y:.3f}<extra></extra>")
    fig.add_annotation(x=step.drawn, y=float(step.probs[step.drawn]), text=f"drawn: <b>{_esc(step.token)}</b>"
                       + (" (forced: longest length)" if step.forced else ""), showarrow=True, arrowhead=2,
                       ay=-35, font=dict(color=DRAWN_COLOR, size=14), bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(tickvals=x, ticktext=[_esc(t) for t in step.labels], tickfont=dict(size=14))
    fig.update_yaxes(title_text="probability", rangemode="tozero")
    context = _esc("." + step.prefix)
    fig = _layout(fig, f'Step {len(step.prefix) + 1}: p(next | "{context}")', 360, barmode="overlay",
                  bargap=0.15, legend=dict(orientation="h", y=-0.12, yanchor="top", x=0.5, xanchor="center"))
    fig.update_layout(margin=dict(b=50))
    return fig
