"""Figures for the conditional tab: sample grids of p(x|y), one z written with every label, both
classifiers' label probabilities side by side, log p(x) against the rejection threshold, and the
recorded outlier-detection results (log p(x) of in-distribution images and of the other data set's)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from ..i18n import class_name, t
from .pixels import join, rgb_grid, rgb_tiles
from .style import ACCENT, figure, title
from .style import axis as _axis
from .vae import to_uint8  # noqa: F401  (the API's 0..255 images)

DISCRIMINATIVE_COLOR = "#7F7F7F"  # p(y|x) of the CNN: grey, it has no say on outliers
GENERATIVE_COLOR = "#0072B2"  # p(y|x) by Bayes' rule on the conditional VAE
IN_COLOR = "#0072B2"  # in-distribution test images
OUT_COLOR = "#E69F00"  # the other data set's test images (the outliers)
REJECT_FILL = "rgba(214, 39, 40, 0.08)"  # the rejected region, left of the threshold


# ---------------------------------------------------------------------------- images
def sample_grid(x: torch.Tensor, scale: int = 3) -> np.ndarray:
    """(n, 1, H, W) -> a square-ish RGB grid."""
    return rgb_grid(rgb_tiles(x), int(np.ceil(np.sqrt(len(x)))), scale)


def styles_grid(rows: torch.Tensor, scale: int = 3) -> np.ndarray:
    """(S, K, 1, H, W): one row per z, one column per label."""
    S, K = rows.shape[:2]
    return rgb_grid(rgb_tiles(rows.reshape(S * K, *rows.shape[2:])), K, scale)


def input_strip(x: torch.Tensor, x_bin: torch.Tensor, scale: int = 5) -> np.ndarray:
    """The input as given | the black-and-white pixels both models score."""
    return join([rgb_grid(rgb_tiles(x), 1, scale), rgb_grid(rgb_tiles(x_bin), 1, scale)])


# ---------------------------------------------------------------------------- figures
def label_bars(v, class_names: list[str], lang: str = "en", height: int = 420) -> go.Figure:
    """p(y|x) of the discriminative CNN beside p(y|x) = p(x|y) p(y) / p(x) of the conditional VAE."""
    names = [class_name(n, lang) for n in class_names]
    data = []
    if v.p_discriminative is not None:
        data.append(dict(type="bar", x=names, y=v.p_discriminative, name=t("cond.fig.discriminative", lang),
                         marker=dict(color=DISCRIMINATIVE_COLOR),
                         hovertemplate="%{x}: %{y:.3f}<extra>" + t("cond.fig.discriminative", lang) + "</extra>"))
    data.append(dict(type="bar", x=names, y=v.p_generative, name=t("cond.fig.generative", lang),
                     marker=dict(color=GENERATIVE_COLOR if v.accepted else "#c9c9c9",
                                 line=dict(color=GENERATIVE_COLOR, width=1.5)),
                     customdata=v.log_px_y,
                     hovertemplate=("%{x}: %{y:.3f}<br>log p(x|y) = %{customdata:.1f}<extra>"
                                    + t("cond.fig.generative", lang) + "</extra>")))
    head = t("cond.fig.bars_accepted" if v.accepted else "cond.fig.bars_rejected", lang)
    layout = dict(title=title(head), height=height, barmode="group", bargap=0.25,
                  margin=dict(l=66, r=10, t=60, b=112),  # style.py: margins
                  legend=dict(orientation="h", y=-0.2, yanchor="top", x=0.0),
                  xaxis=_axis(None, type="category", tickangle=-30 if len(max(names, key=len)) > 3 else 0),
                  yaxis=_axis("p(y|x)", range=[0, 1.05]))
    return figure(data, layout)


def _hist(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts, _ = np.histogram(values, bins=edges)
    return counts / max(1, len(values))


def log_px_histogram(record, log_px: float, dataset: str, lang: str = "en", height: int = 420) -> go.Figure:
    """Held-out in-distribution log p(x), the other data set's, the threshold, and this x.
    An x far outside is pinned to the edge with its value written out."""
    vals = np.concatenate([record.test_log_px, record.outlier_log_px])
    lo, hi = float(np.percentile(vals, 0.5)), float(vals.max())
    span = hi - lo + 1.0
    shown = min(max(log_px, lo - 0.02 * span), hi + 0.02 * span)
    edges = np.linspace(lo - 0.03 * span, hi + 0.03 * span, 61)
    centres = (edges[:-1] + edges[1:]) / 2
    width = float(edges[1] - edges[0])
    other = "fashion" if dataset == "mnist" else "mnist"
    data = [dict(type="bar", x=centres, y=_hist(record.test_log_px, edges), width=width, opacity=0.65,
                 marker=dict(color=IN_COLOR, line=dict(width=0)),
                 name=t("cond.fig.in_dist", lang, ds=t(f"cond.ds.{dataset}", lang))),
            dict(type="bar", x=centres, y=_hist(record.outlier_log_px, edges), width=width, opacity=0.65,
                 marker=dict(color=OUT_COLOR, line=dict(width=0)),
                 name=t("cond.fig.outliers", lang, ds=t(f"cond.ds.{other}", lang)))]
    thr = record.threshold
    shapes = [dict(type="rect", xref="x", yref="paper", x0=edges[0], x1=max(edges[0], thr), y0=0, y1=1,
                   fillcolor=REJECT_FILL, line=dict(width=0), layer="below"),
              dict(type="line", yref="paper", y0=0, y1=1, x0=thr, x1=thr, line=dict(color="#444444", width=2, dash="dash")),
              dict(type="line", yref="paper", y0=0, y1=1, x0=shown, x1=shown, line=dict(color=ACCENT, width=3))]
    text = f"log p(x) ≈ {log_px:.1f}" if shown == log_px else t("cond.fig.far", lang, value=log_px)
    annotations = [dict(x=thr, y=0.98, yref="paper", text=t("cond.fig.threshold", lang, thr=thr), showarrow=False,
                        xanchor="right", yanchor="top", font=dict(color="#444444", size=13)),
                   dict(x=shown, y=1.0, yref="paper", text=text, showarrow=False, xanchor="left", yanchor="bottom",
                        font=dict(color=ACCENT, size=14))]
    layout = dict(title=title(t("cond.fig.hist_title", lang)), height=height, barmode="overlay",
                  margin=dict(l=66, r=22, t=60, b=120),  # style.py: margins
                  legend=dict(orientation="h", y=-0.25, yanchor="top", x=0.0),
                  xaxis=_axis(t("cond.fig.log_px_axis", lang)), yaxis=_axis(t("cond.fig.share", lang)),
                  shapes=shapes, annotations=annotations)
    return figure(data, layout)


def ood_figure(entries: list, lang: str = "en", height: int = 430) -> go.Figure:
    """One panel per conditional VAE: log p(x) of its own test images and of the other data set's,
    with the AUROC of log p(x) and of the CNN's max-softmax (both from the manifest). An AUROC below
    0.5 means the outliers get the higher likelihood (Nalisnick et al. 2019)."""
    if not entries:
        from .style import empty_figure
        return empty_figure(t("cond.no_model", lang), height)
    n = len(entries)
    data, annotations, shapes, layout = [], [], [], {}
    for j, e in enumerate(entries):
        r, m = e.record, e.meta.get("metrics", {})
        other = m.get("outlier_dataset", "fashion" if e.dataset == "mnist" else "mnist")
        vals = np.concatenate([r.test_log_px, r.outlier_log_px])
        lo, hi = float(np.percentile(vals, 0.5)), float(vals.max())
        edges = np.linspace(lo, hi, 61)
        centres = (edges[:-1] + edges[1:]) / 2
        xa, ya = ("x", "y") if j == 0 else (f"x{j + 1}", f"y{j + 1}")
        ds, ods = t(f"cond.ds.{e.dataset}", lang), t(f"cond.ds.{other}", lang)
        for values, color, name in ((r.test_log_px, IN_COLOR, t("cond.fig.in_dist", lang, ds=ds)),
                                    (r.outlier_log_px, OUT_COLOR, t("cond.fig.outliers", lang, ds=ods))):
            data.append(dict(type="bar", x=centres, y=_hist(values, edges), width=float(edges[1] - edges[0]),
                             opacity=0.65, marker=dict(color=color, line=dict(width=0)), name=name,
                             legendgroup=f"{j}", xaxis=xa, yaxis=ya))
        shapes.append(dict(type="line", xref=xa, yref=f"{ya} domain", x0=r.threshold, x1=r.threshold, y0=0, y1=1,
                           line=dict(color="#444444", width=2, dash="dash")))
        auc, base = m.get("auroc_log_px"), m.get("auroc_max_softmax")
        text = t("cond.fig.auroc", lang, model=ds, auc=auc if auc is not None else float("nan"),
                 base=base if base is not None else float("nan"))
        if auc is not None and auc < 0.5:
            text += "<br>" + t("cond.fig.fails", lang)
        annotations.append(dict(x=0.01, y=0.98, xref=f"{xa} domain", yref=f"{ya} domain", text=text, showarrow=False,
                                xanchor="left", yanchor="top", align="left", bgcolor="rgba(255,255,255,0.8)",
                                font=dict(size=13, color=ACCENT if auc is not None and auc < 0.5 else "#2a3f5f")))
        gap = 0.12
        w = (1 - gap * (n - 1)) / n
        layout[f"xaxis{'' if j == 0 else j + 1}"] = _axis(t("cond.fig.log_px_model", lang, ds=ds),
                                                          domain=[j * (w + gap), j * (w + gap) + w], anchor=ya)
        layout[f"yaxis{'' if j == 0 else j + 1}"] = _axis(t("cond.fig.share", lang) if j == 0 else None, anchor=xa)
    layout.update(title=title(t("cond.fig.ood_title", lang)), height=height, barmode="overlay",
                  margin=dict(l=66, r=10, t=70, b=112), legend=dict(orientation="h", y=-0.2, x=0.0),
                  shapes=shapes, annotations=annotations)
    return figure(data, layout)
