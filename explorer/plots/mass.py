"""Figures for the mass tab: where the unit of probability goes (per length, then longer names, then
the total), the most likely names, and how temperature moves mass between lengths and names.

Functions take what explorer/views/mass.py returns and give plotly figures, in the style of
plots/style.py.
"""
from __future__ import annotations

import math

import numpy as np

from . import style
from ..i18n import lm_label, t

LENGTH_COLORS = style.CLASS_COLORS  # length n keeps its colour in every figure of the tab
TAIL_COLOR = "#9e9e9e"
TOTAL_COLOR = "#2a3f5f"
STATUS_COLORS = {True: "#0072B2", False: "#E69F00", None: "#9e9e9e", "empty": "#CC79A7"}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figure(data: list[dict], title: str, height: int, xaxis: dict, yaxis: dict, **layout):
    base = dict(title=style.title(title, 15), height=height, margin=dict(l=10, r=10, t=60, b=10),
                xaxis=style.axis(**xaxis), yaxis=style.axis(**yaxis))
    return style.figure(data, base | layout)


def _length_color(n: int) -> str:
    return LENGTH_COLORS[n % len(LENGTH_COLORS)]


def _branch(m, lang: str) -> str:
    return t("mass.fig.branch", lang, prefix=m.prefix) if m.prefix else ""


def mass_bars(m, lang: str = "en"):
    """P(a name of each length), P(a longer name) and their sum, on a log axis (the short names'
    share is tiny next to the rest): the sum is written above the bars."""
    labels = [t("mass.fig.len_i", lang, n=n) for n in m.lengths] + [t("mass.fig.longer", lang, n=m.lengths[-1]),
                                                                    t("mass.fig.total", lang)]
    values = [float(v) for v in m.mass] + [m.tail, m.total]
    colors = [_length_color(n) for n in m.lengths] + [TAIL_COLOR, TOTAL_COLOR]
    hover = [t("mass.fig.n_names", lang, n=c) for c in m.n_names] + ["", ""]
    floor = 10 ** math.floor(math.log10(max(min(v for v in values if v > 0), 1e-12)) - 0.3)
    bars = dict(type="bar", x=labels, y=values, marker=dict(color=colors), text=[f"{v:.4g}" for v in values],
                textposition="outside", cliponaxis=False, textfont=dict(size=14), customdata=hover,
                hovertemplate="%{x}: %{y:.6f}<br>%{customdata}<extra></extra>")
    line = " + ".join(f"{v:.3g}" for v in values[:-1]) + f" = <b>{m.total:.6f}</b>"
    note = dict(x=0.5, y=1.0, xref="paper", yref="paper", yanchor="bottom", showarrow=False,
                text=f"Σ: {line}", font=dict(size=14, color=TOTAL_COLOR))
    title = t("mass.fig.main_title", lang, label=lm_label(m.label, lang), T=m.temperature, branch=_branch(m, lang))
    return _figure([bars], title, 400, xaxis=dict(tickfont=dict(size=14)),
                   yaxis=dict(type="log", range=[math.log10(floor), 0.35], dtick=1, exponentformat="power",
                              title=dict(text=t("mass.fig.mass", lang))),
                   annotations=[note], margin=dict(l=80, r=10, t=80, b=52), bargap=0.3)  # style.py: margins


def top_names(m, lang: str = "en"):
    """The most likely names as horizontal bars, coloured by whether each was a training name."""
    names = list(reversed(m.top))  # plotly draws the first category at the bottom
    labels = [f"{n.rank}. {_esc(n.text) if n.text else t('tok.empty_name', lang)}" for n in names]
    kind = ["empty" if not n.text else n.in_training for n in names]
    traces = []
    for key, name_key in (("empty", "mass.fig.empty"), (True, "mass.fig.in"), (False, "mass.fig.new"),
                          (None, "mass.fig.unknown")):
        idx = [i for i, k in enumerate(kind) if k == key]
        if not idx:
            continue
        traces.append(dict(type="bar", orientation="h", x=[names[i].p for i in idx], y=[labels[i] for i in idx],
                           name=t(name_key, lang), marker=dict(color=STATUS_COLORS[key]),
                           text=[f"{names[i].p:.2g}" for i in idx], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: P = %{x:.3g}<extra></extra>"))
    title = t("mass.fig.top_title", lang, k=len(names), T=m.temperature)
    top = max((n.p for n in names), default=1.0)
    return _figure(traces, title, 150 + 26 * len(names),
                   xaxis=dict(title=dict(text="P(name)"), range=[0, top * 1.25], exponentformat="e"),
                   yaxis=dict(categoryorder="array", categoryarray=labels, tickfont=dict(size=14)),
                   barmode="overlay", showlegend=True,
                   legend=dict(orientation="h", y=-60 / (26 * len(names) + 20), yanchor="top", x=0.5, xanchor="center"),
                   margin=dict(l=80, r=10, t=50, b=100))  # style.py: margins


def _marker(T: float, lang: str, y: float = 1.0) -> tuple[dict, dict]:
    shape = dict(type="line", x0=T, x1=T, y0=0, y1=1, xref="x", yref="paper",
                 line=dict(color=style.ACCENT, width=2, dash="dot"))
    note = dict(x=math.log10(T), y=y, xref="x", yref="paper", text=t("mass.fig.chosen", lang, T=T), showarrow=False,
                yanchor="bottom", font=dict(color=style.ACCENT, size=13), bgcolor="rgba(255,255,255,0.8)")
    return shape, note


T_TICKS = [0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5]


def _t_axis(lang: str) -> dict:
    return dict(type="log", title=dict(text=t("mass.fig.T", lang)), tickvals=T_TICKS, ticktext=[f"{v:g}" for v in T_TICKS])


def mass_vs_temperature(m, lang: str = "en"):
    """The mass of each length, of the longer names and of the listed top names across temperatures,
    on a log axis (the short names hold little next to the rest), and their sum: 1 at every T."""
    s = m.sweep
    x = s.temperatures.tolist()
    hover = "T = %{x:.2f}: %{y:.4g}<extra>%{fullData.name}</extra>"
    traces = [dict(type="scatter", x=x, y=s.mass[:, j].tolist(), mode="lines", name=t("mass.fig.len_i", lang, n=n),
                   line=dict(width=2.5, color=_length_color(n)), hovertemplate=hover)
              for j, n in enumerate(m.lengths)]
    traces.append(dict(type="scatter", x=x, y=s.tail.tolist(), mode="lines",
                       name=t("mass.fig.longer", lang, n=m.lengths[-1]).replace("<br>", " "),
                       line=dict(width=2.5, color=TAIL_COLOR), hovertemplate=hover))
    k = min(10, len(m.top))
    traces.append(dict(type="scatter", x=x, y=s.top_mass.tolist(), mode="lines",
                       name=t("mass.fig.top_line", lang, k=k, T=m.temperature),
                       line=dict(color=style.ACCENT, width=2.5, dash="dash"), hovertemplate=hover))
    total = (s.mass.sum(1) + s.tail).tolist()
    traces.append(dict(type="scatter", x=x, y=total, mode="lines", name=t("mass.fig.sum_line", lang),
                       line=dict(color=TOTAL_COLOR, width=3), hovertemplate=hover))
    shape, note = _marker(m.temperature, lang)
    values = np.concatenate([s.mass.ravel(), s.tail, s.top_mass])
    low = math.log10(max(float(values[values > 0].min()), 1e-12)) if np.any(values > 0) else -6
    return _figure(traces, t("mass.fig.sweep_title", lang), 440, xaxis=_t_axis(lang),
                   yaxis=dict(type="log", title=dict(text=t("mass.fig.mass", lang)), dtick=1, exponentformat="power",
                              range=[max(low, -8) - 0.2, 0.3]),
                   shapes=[shape], annotations=[note], showlegend=True,
                   legend=dict(orientation="h", y=-0.22, yanchor="top", x=0.5, xanchor="center"),
                   margin=dict(l=80, r=18, t=60, b=162))  # style.py: margins


def entropy_vs_temperature(m, lang: str = "en"):
    s = m.sweep
    line = dict(type="scatter", x=s.temperatures.tolist(), y=s.entropy.tolist(), mode="lines",
                line=dict(color=TOTAL_COLOR, width=3), name=t("mass.fig.entropy", lang),
                hovertemplate="T = %{x:.2f}: %{y:.2f} bits<extra></extra>")
    point = dict(type="scatter", x=[m.temperature], y=[m.entropy], mode="markers",
                 marker=dict(color=style.ACCENT, size=11), hovertemplate="T = %{x:.2f}: %{y:.2f} bits<extra></extra>",
                 name=t("mass.fig.chosen", lang, T=m.temperature))
    shape, note = _marker(m.temperature, lang)
    return _figure([line, point], t("mass.fig.entropy_title", lang), 420,
                   xaxis=_t_axis(lang), yaxis=dict(title=dict(text=t("mass.fig.entropy", lang)), rangemode="tozero"),
                   shapes=[shape], annotations=[note], showlegend=False,
                   margin=dict(l=62, r=18, t=60, b=64))  # style.py: margins
