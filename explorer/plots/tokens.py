"""Figures for the per-token tab: each character coloured by p(x_t | x_<t), -log p per position,
the top alternatives, the Transformer's attention and the next-token distribution when sampling.

Functions take what explorer/views/tokens.py returns and give plotly figures, in the style of
plots/style.py.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from . import style
from ..i18n import lm_label, t

# colour = log10 p on a diverging, colour-blind friendly scale whose white middle is a uniform guess
# 1/V: red = less likely than a blind guess (surprising), blue = more likely (expected)
P_COLORSCALE = [[0.0, "#b2182b"], [0.15, "#ef8a62"], [0.35, "#fddbc7"], [0.5, "#f7f7f7"],
                [0.65, "#d1e5f0"], [0.85, "#67a9cf"], [1.0, "#2166ac"]]
MODEL_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
DRAWN_COLOR = "#d62728"
BAR_COLOR = "#4c78a8"
# written out: a named scale left to plotly.js would run the other way (dark = low)
BLUES = [[i / (len(sequential.Blues) - 1), c] for i, c in enumerate(sequential.Blues)]


def _esc(token: str) -> str:
    """Plotly text is HTML-like: "<end>" must be escaped or it vanishes as an unknown tag."""
    return token.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figure(data: list[dict], title: str, height: int, xaxis: dict, yaxis: dict, **layout) -> go.Figure:
    base = dict(title=style.title(title, 15), height=height, margin=dict(l=10, r=10, t=50, b=10),
                xaxis=style.axis(**xaxis), yaxis=style.axis(**yaxis))
    return style.figure(data, base | layout)


def _log_p_scale(vocab_size: int, colorbar: bool = True, lang: str = "en") -> dict:
    """zmin/zmax/colorbar for log10 p, centred on the uniform guess log10(1/V)."""
    mid = -np.log10(vocab_size)
    ticks = [(v, f"{p:g}") for p in (0.001, 0.01, 0.1, 1.0)
             if (v := np.log10(p)) >= 2 * mid and abs(v - mid) > 0.3]  # keep labels apart
    ticks.append((mid, f"1/{vocab_size}"))
    out = dict(zmin=2 * mid, zmax=0.0, colorscale=P_COLORSCALE, showscale=colorbar)
    if colorbar:
        out["colorbar"] = dict(title=dict(text=t("tok.fig.colorbar", lang), side="right"), thickness=12,
                               tickvals=[v for v, _ in ticks], ticktext=[t for _, t in ticks])
    return out


def _log10(p) -> list:
    return np.log10(np.clip(np.asarray(p, dtype=float), 1e-12, 1.0)).tolist()


def token_strip(scored_list, lang: str = "en") -> go.Figure:
    """One row per model, one cell per token: the character and its p, coloured by log p."""
    n_tok = scored_list[0].n_tokens
    positions = list(range(1, n_tok + 1))
    heat = dict(
        type="heatmap", z=_log10([[r.p for r in s.rows] for s in scored_list]), x=positions,
        y=[lm_label(s.label, lang) for s in scored_list], texttemplate="%{text}", textfont=dict(size=18, color="black"),
        text=[[f"<b>{_esc(r.token)}</b><br>{r.p:.2f}" for r in s.rows] for s in scored_list],
        customdata=[[f"p({_esc(r.token)} | {_esc(r.context)}) = {r.p:.4f}<br>-log p = {r.nll:.2f} nats"
                     for r in s.rows] for s in scored_list],
        hovertemplate="%{customdata}<extra></extra>", xgap=3, ygap=3, **_log_p_scale(scored_list[0].vocab_size, lang=lang))
    title = t("tok.fig.strip_title", lang, text=scored_list[0].text)
    return _figure([heat], title, 150 + 70 * len(scored_list),
                   xaxis=dict(tickvals=positions, ticktext=[f"t={t}" for t in positions], showgrid=False,
                              zeroline=False),
                   yaxis=dict(autorange="reversed", showgrid=False, visible=len(scored_list) > 1),
                   margin=dict(l=112 if len(scored_list) > 1 else 10, r=120, t=50, b=36))  # style.py: margins


def nll_bars(scored_list, lang: str = "en") -> go.Figure:
    """-log p(x_t | x_<t) per position (nats), one bar group per model: their sum is -log p(x)."""
    s0 = scored_list[0]
    x = list(range(1, s0.n_tokens + 1))
    bars = [dict(type="bar", x=x, y=[r.nll for r in s.rows], name=t("tok.fig.total", lang, label=lm_label(s.label, lang), total=-s.log_px),
                 marker=dict(color=MODEL_COLORS[i % len(MODEL_COLORS)]), text=[f"{r.nll:.2f}" for r in s.rows],
                 textposition="outside", cliponaxis=False, customdata=[_esc(r.token) for r in s.rows],
                 hovertemplate="%{customdata}: -log p = %{y:.3f} nats<extra>" + s.label + "</extra>")
            for i, s in enumerate(scored_list)]
    return _figure(bars, t("tok.fig.nll_title", lang), 360,
                   xaxis=dict(tickvals=x, ticktext=[_esc(r.token) for r in s0.rows], tickfont=dict(size=16)),
                   yaxis=dict(title=dict(text="-log p (nats)"), rangemode="tozero"),
                   barmode="group", showlegend=True, margin=dict(l=62, r=10, t=50, b=92),
                   legend=dict(orientation="h", y=-0.22, yanchor="top", x=0.5, xanchor="center"))


def top_alternatives(scored, lang: str = "en") -> go.Figure:
    """The model's TOP_N favourite tokens at each position; the actual token is outlined."""
    rows = scored.rows
    n_top = len(rows[0].top)
    positions = list(range(1, len(rows) + 1))

    def cell(r, k):
        tok, p = r.top[k]
        return f"<b>{_esc(tok)} {p:.2f}</b>" if tok == r.token else f"{_esc(tok)} {p:.2f}"

    heat = dict(type="heatmap", z=_log10([[r.top[k][1] for r in rows] for k in range(n_top)]), x=positions,
                y=list(range(1, n_top + 1)), text=[[cell(r, k) for r in rows] for k in range(n_top)],
                texttemplate="%{text}", textfont=dict(size=13, color="black"), hoverinfo="skip", xgap=2, ygap=2,
                **_log_p_scale(scored.vocab_size, colorbar=False, lang=lang))
    outlines = [dict(type="rect", x0=t - 0.5, x1=t + 0.5, y0=r.rank - 0.5, y1=r.rank + 0.5,
                     line=dict(color="black", width=3)) for t, r in enumerate(rows, 1) if r.rank is not None]
    long = len(rows) > 6
    return _figure([heat], t("tok.fig.top_title", lang, label=lm_label(scored.label, lang), n=n_top), 330,
                   xaxis=dict(tickvals=positions, side="top", showgrid=False, zeroline=False,
                              ticktext=[f"{_esc(r.context)} → <b>{_esc(r.token)}</b>" for r in rows],
                              tickangle=-35 if long else 0),
                   yaxis=dict(autorange="reversed", tickvals=list(range(1, n_top + 1)), showgrid=False,
                              ticktext=[f"#{k}" for k in range(1, n_top + 1)], zeroline=False),
                   shapes=outlines, margin=dict(l=32, r=110 if long else 10, t=130 if long else 90, b=10))


def attention_heatmap(att, lang: str = "en") -> go.Figure:
    """Query rows x key columns; masked (future) cells stay blank: the causal triangle."""
    n = len(att.labels)
    w = att.weights.astype(float).copy()
    w[np.triu_indices(n, k=1)] = np.nan  # the mask: position t never sees t' > t
    z = [[None if np.isnan(v) else float(v) for v in row] for row in w]
    text = [["" if v is None else f"{v:.2f}" for v in row] for row in z]
    ticks = [_esc(c) for c in att.labels]
    heat = dict(type="heatmap", z=z, x=list(range(n)), y=list(range(n)), colorscale=BLUES, zmin=0, zmax=1,
                xgap=1, ygap=1, text=text, texttemplate="%{text}" if n <= 12 else "", textfont=dict(size=11),
                hovertemplate=t("tok.fig.reads", lang) + "<extra></extra>", hoverongaps=False,
                colorbar=dict(title=dict(text=t("tok.fig.weight", lang), side="right"), thickness=12))
    notes = [dict(x=n - 1, y=0, text=t("tok.fig.masked", lang), showarrow=False, xanchor="right", yanchor="top",
                  font=dict(color="#888", size=13))] if n > 2 else []
    title = t("tok.fig.att_title", lang, which=att.title_in(lang))
    return _figure([heat], title, 480,
                   xaxis=dict(tickvals=list(range(n)), ticktext=ticks, side="top", showgrid=False, zeroline=False,
                              tickfont=dict(size=16), constrain="domain"),
                   yaxis=dict(tickvals=list(range(n)), ticktext=ticks, autorange="reversed", showgrid=False,
                              zeroline=False, title=dict(text=t("tok.fig.query", lang)), tickfont=dict(size=16),
                              scaleanchor="x"),
                   annotations=notes, margin=dict(l=10, r=106, t=100, b=10))


def next_token_bars(step, temperature: float, top_k: int, lang: str = "en") -> go.Figure:
    """p(x_t | prefix): the model's own (grey) and the one sampled from (after T and top-k), the
    drawn token in red."""
    x = list(range(len(step.labels)))
    bars = [
        dict(type="bar", x=x, y=step.model_probs.tolist(), name=t("tok.fig.model_T1", lang), width=0.85,
             marker=dict(color="#c7c7c7"), hovertemplate=t("tok.fig.model_p", lang) + " = %{y:.3f}<extra></extra>"),
        dict(type="bar", x=x, y=step.probs.tolist(),
             name=t("tok.fig.sampled_from", lang, T=temperature, k=top_k or t("tok.off", lang)),
             width=0.5, marker=dict(color=[DRAWN_COLOR if i == step.drawn else BAR_COLOR for i in x]),
             hovertemplate=t("tok.fig.sampling_p", lang) + " = %{y:.3f}<extra></extra>"),
    ]
    drawn = dict(x=step.drawn, y=float(step.probs[step.drawn]), showarrow=True, arrowhead=2, ay=-35,
                 text=f"{t('tok.fig.drawn', lang)}: <b>{_esc(step.token)}</b>"
                 + (t("tok.fig.forced", lang) if step.forced else ""),
                 font=dict(color=DRAWN_COLOR, size=14), bgcolor="rgba(255,255,255,0.8)")
    return _figure(bars, t("tok.fig.step_title", lang, i=len(step.prefix) + 1, prefix=_esc("." + step.prefix)), 360,
                   xaxis=dict(tickvals=x, ticktext=[_esc(t) for t in step.labels], tickfont=dict(size=14)),
                   yaxis=dict(title=dict(text=t("tok.fig.probability", lang)), rangemode="tozero"),
                   annotations=[drawn], barmode="overlay", bargap=0.15, margin=dict(l=10, r=10, t=50, b=50),
                   legend=dict(orientation="h", y=-0.12, yanchor="top", x=0.5, xanchor="center"))
