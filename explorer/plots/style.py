"""One look for every figure: the class palette (a digit class keeps its colour from tab to tab),
the fonts, the axes, and a figure builder that skips plotly's per-property validation.

Figures are written as plain plotly.js dicts and wrapped once with `_validate=False`: validated
construction (go.Scatter, update_layout, a deep copy of a template) costs 15-40 ms per figure,
too much for a click; the tests validate the figures fully instead.
"""
from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito-like palette extended to 10 classes: distinguishable for most colour-blind viewers
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#7F7F7F", "#8C564B", "#17BECF"]
FONT = dict(size=15, color="#2a3f5f")
GRID = "#e5ecf6"
ACCENT = "#D62728"  # the thing the student is looking at: a path, a posterior, a chosen point


def class_color(c: int) -> str:
    return CLASS_COLORS[int(c) % len(CLASS_COLORS)]


@functools.lru_cache(maxsize=1)
def _template() -> dict:
    """The layout part of plotly's "plotly_white" template: the full template (every trace type's
    defaults) is 30x larger and gets copied and walked on every figure."""
    layout = pio.templates["plotly_white"].layout.to_plotly_json()
    keep = ("paper_bgcolor", "plot_bgcolor", "colorway", "font", "hovermode", "hoverlabel", "title", "xaxis",
            "yaxis", "annotationdefaults", "shapedefaults")
    return {"layout": {k: layout[k] for k in keep if k in layout}}


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A plotly Figure from plain dicts, in the app's one style, without validation (~2 ms)."""
    layout = {"template": _template(), "font": FONT, "hoverlabel": {"font": {"size": 14}}, **layout}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def title(text: str, size: int = 17) -> dict:
    return {"text": text, "font": {"size": size}, "x": 0.02}


def axis(text: str | None = None, **kw) -> dict:
    out = dict(gridcolor=GRID, zerolinecolor="#cccccc", linecolor="#999999", automargin=True)
    if text is not None:
        out["title"] = {"text": text}
    return out | kw


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A blank panel that says why it is blank."""
    return figure([], dict(height=height, xaxis=dict(visible=False), yaxis=dict(visible=False),
                           margin=dict(l=20, r=20, t=20, b=20),
                           annotations=[dict(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                                             yref="paper", font=dict(size=14, color="#666666"))]))
