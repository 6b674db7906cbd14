"""The interpolation tab's work: the decoded path between two images' posterior means on the
latent map, and, for 2-D latents, the manifold over the prior's quantiles with a point picked on it."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import InputError, check_float
from ..i18n import t
from ..plots import vae as plots
from ..zoo import Zoo
from . import vae as vv
from .exports import save_gif, save_png

PATH_COLS = 16  # a longer path wraps onto more rows so the digits stay large
MANIFOLD_SCALE = 1  # 420 px: about the size it is shown at, so each click sends a small PNG


def _path(zoo: Zoo, model, class_a, class_b, steps, method, seed, source_a, source_b, sketch_a, upload_a,
          sketch_b, upload_b, lang="en"):
    entry = zoo.vae(model)
    lmap = vv.require_map(entry)
    g = vv.generator(seed)
    a = vv.pick_input(entry, source_a, class_a, g, sketch_a, upload_a, name="start point A", lang=lang)
    b = vv.pick_input(entry, source_b, class_b, g, sketch_b, upload_b, name="end point B", lang=lang)
    return entry, lmap, a, b, vv.interpolate(entry, a.x, b.x, steps, method)


def interpolation_outputs(zoo: Zoo, model, class_a=-1, class_b=-1, steps=10, method="linear", seed=0,
                          source_a="gallery", source_b="gallery", sketch_a=None, upload_a=None,
                          sketch_b=None, upload_b=None, lang="en"):
    """-> (strip image, latent map figure, explanation markdown), the text in lang."""
    entry, lmap, a, b, r = _path(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                                 sketch_a, upload_a, sketch_b, upload_b, lang)
    n = r.x_path.shape[0]
    image = plots.strip_picture([torch.cat([r.x_a, r.recon_a]), r.x_path, torch.cat([r.recon_b, r.x_b])],
                                ncols=[2, min(n, PATH_COLS), 2])
    coords = lmap.project(r.z_path)
    title = t("interp.map_title", lang, model=vv.label(entry, lang), method=vv.map_method(lmap, lang),
              path=t("interp.path_spherical" if method == "slerp" else "interp.path_linear", lang))
    fig = plots.latent_map(lmap, title, path=coords, background=entry.map_url, lang=lang)
    norms = r.z_path.norm(dim=1)
    info = t("interp.info", lang, a=a.description, b=b.description, n=n,
             path=t("interp.path_info_slerp" if method == "slerp" else "interp.path_info_linear", lang),
             start=float(norms[0]), mid=float(norms[n // 2]), end=float(norms[-1]), z=entry.latent_dim,
             typical=math.sqrt(entry.latent_dim))
    return image, fig, info


def interpolation_exports(zoo: Zoo, model, class_a=-1, class_b=-1, steps=10, method="linear", seed=0,
                          source_a="gallery", source_b="gallery", sketch_a=None, upload_a=None,
                          sketch_b=None, upload_b=None):
    """The same path as files, made only when asked for -> (PNG path: the strip in one row,
    GIF path: the decoded path played forth and back)."""
    *_, r = _path(zoo, model, class_a, class_b, steps, method, seed, source_a, source_b,
                  sketch_a, upload_a, sketch_b, upload_b)
    single_row = plots.strip([torch.cat([r.x_a, r.recon_a]), r.x_path, torch.cat([r.recon_b, r.x_b])])
    return save_png(single_row), save_gif(plots.frames(r.x_path))


def manifold_outputs(zoo: Zoo, model, z1=0.0, z2=0.0, lang="en"):
    """-> (manifold image with the point marked, decoded point (upscaled), markdown in lang)."""
    entry = zoo.vae(model)
    if entry.latent_dim != 2:
        return None, None, t("interp.manifold_2d_only", lang, model=vv.label(entry, lang))
    x_hat = vv.decode_point(entry, z1, z2)  # checks z1, z2 first
    grid = vv.manifold(entry)
    n = grid.shape[0]
    # greyscale: a third of the PNG bytes to encode and send per click
    img = plots.image_grid(grid.reshape(n * n, 1, 28, 28), ncol=n, scale=MANIFOLD_SCALE, sep=0)[..., 0]
    h, w = img.shape[:2]
    px, py = vv.z_to_pixel(float(z1), float(z2), w, h)
    marked = plots.mark_point(img, px, py, radius=5 + 4 * MANIFOLD_SCALE)
    point = plots.upscale(plots.to_uint8(x_hat)[0], 6)
    return marked, point, t("interp.decoded_z", lang, z1=float(z1), z2=float(z2))


def manifold_click(zoo: Zoo, model, index) -> tuple[float, float]:
    """A click on the manifold image (pixel index [x, y]) -> the point (z1, z2) it shows."""
    if not isinstance(index, (list, tuple)) or len(index) != 2:
        raise InputError("click on the manifold image to pick a point")
    if zoo.vae(model).latent_dim != 2:
        raise InputError("the manifold needs a 2-D model")
    side = vv.MANIFOLD_N * 28 * MANIFOLD_SCALE
    px = check_float(index[0], "the clicked pixel's x", 0, side)
    py = check_float(index[1], "the clicked pixel's y", 0, side)
    z1, z2 = vv.pixel_to_z(px, py, side, side)
    return tuple(round(float(np.clip(v, -vv.Z_LIMIT, vv.Z_LIMIT)), 2) for v in (z1, z2))
