"""One look for every figure: the class palette (a digit class keeps its colour from tab to tab),
the fonts, the axes, and a figure builder that skips plotly's per-property validation.

Figures are written as plain plotly.js dicts and serialised once, straight to the JSON that gr.Plot
sends (`Figure.to_json`): building a plotly object costs 15 ms per figure even unvalidated (it walks
every array), and gr.Plot's own `to_json` deep-copies it again (20 ms), too much for a click. The
plotly object is built only when someone inspects the figure (the tests, which validate it fully).
"""
from __future__ import annotations

import functools
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

try:
    import orjson  # gradio depends on it
except ImportError:  # pragma: no cover
    orjson = None

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
    layout = {k: layout[k] for k in keep if k in layout}
    for ax in ("xaxis", "yaxis"):
        # plotly's default for these axes, "hide past div", measures every tick label's box after
        # drawing it (a forced layout per label); automargin already keeps labels inside the figure
        layout[ax] = {**layout[ax], "ticklabeloverflow": "allow"}
    return {"layout": layout}


def _plain(obj):
    """What orjson cannot write by itself: tensors, non-contiguous arrays, numpy scalars."""
    if hasattr(obj, "detach"):  # a torch tensor
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        return np.ascontiguousarray(obj).tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} into a figure")


class Figure:
    """A plotly figure kept as plain plotly.js dicts. gr.Plot calls `to_json()`: one serialisation,
    no copies. Anything else (`.data`, `.layout`, `.to_dict()` ...) is answered by the plotly object,
    built on first use."""

    def __init__(self, data: list[dict], layout: dict):
        self._spec = {"data": data, "layout": layout}
        self._figure: go.Figure | None = None

    @property
    def figure(self) -> go.Figure:
        if self._figure is None:
            self._figure = go.Figure(self._spec, _validate=False)
        return self._figure

    def to_json(self) -> str:
        if self._figure is not None:  # it may have been changed through plotly's own API
            return self._figure.to_json()
        if orjson is None:  # pragma: no cover
            return json.dumps(self._spec, default=_plain, allow_nan=False)
        return orjson.dumps(self._spec, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY).decode()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.figure, name)


def figure(data: list[dict], layout: dict) -> Figure:
    """A figure from plain dicts, in the app's one style (~1 ms to build and serialise)."""
    layout = {"template": _template(), "font": FONT, "hoverlabel": {"font": {"size": 14}}, **layout}
    return Figure(data, layout)


# Margins. gradio draws every update of a gr.Plot into a new plot, and plotly draws a new plot twice
# when its axis labels, legend or colorbar need more margin than the layout asks for (automargin
# measures them after the first draw, then draws again). So each figure asks up front for the margins
# automargin settles on, measured in Chromium at 1400 px in English and Chinese (the larger of the
# two): the figure looks the same and is drawn once. Were labels to need more (a narrower window,
# presenter mode), automargin still makes room, at the cost of the second draw.


def text_px(text: str, size: float) -> float:
    """About how wide Chromium writes text at this font size: half an em per Latin character, 1.15 em
    per Chinese one (its fallback font's glyphs; measured on a legend on the right)."""
    return sum(1.15 * size if ord(c) >= 0x2E80 else 0.5 * size for c in text)


def legend_right_margin(names, size: float = 13) -> int:
    """The right margin a vertical legend of these entry names takes (symbol and padding: 70 px)."""
    return int(70 + max((text_px(str(n), size) for n in names), default=0))


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
