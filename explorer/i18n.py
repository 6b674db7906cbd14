"""Every sentence a student reads, in English and in Chinese (the lecture notes' words, from
../shared/GLOSSARY.md; formulas stay as they are). No gradio here: views and plots call t();
explorer/ui/page.py turns the same table into the gr.I18n that translates static component text
in the browser.

    t("pp.outlier", "zh", ds="MNIST")              # text a handler computes, in the page's language
    tr("interp.explain")                           # (ui) static text, translated by the frontend

Adding a string: one entry in TEXT, key -> (English, 中文). Keys are namespaced by tab ("interp.",
"pp.", "tok.", "tradeoff.", "pix.", "page.", "err.") so that no key is ever a real sentence (gradio's
frontend translates any string equal to a key). `tests/test_i18n.py` checks that every key has both.
"""
from __future__ import annotations

import re

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
LANG_NAMES = {"en": "English", "zh": "中文"}
# the browser locales the frontend's translation table is registered under: gradio's own strings
# ship for zh-CN and zh-TW; any other zh-* falls back to "zh" (svelte-i18n tries zh-HK, then zh)
FRONTEND_LOCALES = {"en": ("en",), "zh": ("zh",)}  # zh-CN, zh-TW … fall back to zh in the page (svelte-i18n)
FRONTEND_LOCALE = {"en": "en", "zh": "zh-CN"}  # what the switch sets in the page

TEXT: dict[str, tuple[str, str]] = {}


def add(table: dict[str, tuple[str, str]]) -> None:
    """Register strings (each module of strings below calls this once). A key may be defined once."""
    for key, value in table.items():
        if key in TEXT and TEXT[key] != value:
            raise KeyError(f"translation key {key!r} defined twice")
        if not (isinstance(value, tuple) and len(value) == 2):
            raise ValueError(f"translation {key!r} must be (English, Chinese)")
        TEXT[key] = value


def norm_lang(value) -> str:
    """'zh', 'zh-CN', 'zh_TW', 'ZH' -> 'zh'; 'en', 'en-US' -> 'en'; anything else -> 'en'."""
    if isinstance(value, str):
        v = value.strip().lower().replace("_", "-")
        for lang in LANGS:
            if v == lang or v.startswith(lang + "-"):
                return lang
    return DEFAULT_LANG


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header, by q-value; None if none is."""
    if not header:
        return None
    ranked = []
    for i, part in enumerate(header.split(",")):
        bits = part.strip().split(";")
        tag, q = bits[0].strip(), 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, tag))
    for _, _, tag in sorted(ranked):
        low = tag.lower()
        if low in LANGS or any(low.startswith(lang + "-") for lang in LANGS):
            return norm_lang(tag)
    return None


def t(key: str, lang: str = DEFAULT_LANG, /, **fmt) -> str:
    """The text of key in lang ('en' or 'zh'; locales are accepted), formatted with fmt."""
    en, zh = TEXT[key]
    text = zh if norm_lang(lang) == "zh" else en
    return text.format(**fmt) if fmt else text


def columns(key: str, lang: str = DEFAULT_LANG) -> list[str]:
    """A table's column names in lang: the text of key holds one per line."""
    return t(key, lang).split("\n")


def translations() -> dict[str, dict[str, str]]:
    """{locale: {key: text}} for gr.I18n: every key in English and in Chinese."""
    en = {k: v[0] for k, v in TEXT.items()}
    zh = {k: v[1] for k, v in TEXT.items()}
    out = {loc: en for loc in FRONTEND_LOCALES["en"]}
    out.update({loc: zh for loc in FRONTEND_LOCALES["zh"]})
    return out


# ------------------------------------------------------------------------------------------------
# words that appear inside computed text: class names, model labels, dataset names

CLASS_ZH = {"T-shirt/top": "T恤/上衣", "Trouser": "裤子", "Pullover": "套头衫", "Dress": "连衣裙", "Coat": "外套",
            "Sandal": "凉鞋", "Shirt": "衬衫", "Sneaker": "运动鞋", "Bag": "包", "Ankle boot": "短靴"}


def class_name(name: str, lang: str = DEFAULT_LANG) -> str:
    """A dataset class name in lang (digits stay digits)."""
    return CLASS_ZH.get(name, name) if norm_lang(lang) == "zh" else name


LM_LABELS_ZH = {"GRU (RNN)": "GRU（RNN）"}  # zoo.LMEntry.label; a VAE's label is the key "vae.label"


def lm_label(label: str, lang: str = DEFAULT_LANG) -> str:
    """A character model's label ("Transformer", "GRU (RNN)") in lang."""
    return LM_LABELS_ZH.get(label, label) if norm_lang(lang) == "zh" else label


# ------------------------------------------------------------------------------------------------
# messages raised deep in the checks (explorer/errors.py, images.py, vocab.py, zoo.py) are written
# in English where they are raised; ui/common.friendly shows them in the page's language through
# these patterns, so a check needs no language argument. A message no pattern knows stays English.

NAMES_ZH = {
    "steps": "步数", "seed": "随机种子", "temperature": "温度", "number of prior samples": "先验样本数",
    "number of posterior samples K": "后验样本数 K", "importance samples k": "重要性采样数 k",
    "number of samples": "样本数", "top-k": "top-k", "layer": "层", "head": "头", "beta": "β", "β": "β",
    "z1": "z1", "z2": "z2", "grid size": "网格大小", "sweep index": "扫描序号",
    "class (-1 for any class, else 0..9)": "类别（-1 表示任意类别，否则 0..9）",
    "start point A": "起点 A", "end point B": "终点 B", "x": "x",
    "the clicked pixel's x": "点击像素的 x", "the clicked pixel's y": "点击像素的 y",
}
HINTS_ZH = {
    " (1 = the model's own distribution, lower = safer, higher = wilder)": "（1 = 模型自身的分布，越低越保守，越高越狂野）",
    " (0 = off: sample from every token)": "（0 = 关闭：从所有 token 中采样）",
    " (0 = mean over heads)": "（0 = 所有头的平均）",
    " (the sweep spans 0.1 to 8)": "（扫描范围为 0.1 到 8）",
}

_PATTERNS: list[tuple[re.Pattern, str]] = []


def _pattern(regex: str, zh: str) -> None:
    _PATTERNS.append((re.compile(regex, re.S), zh))


def _name(n: str) -> str:
    n = n.strip()
    if n in NAMES_ZH:
        return NAMES_ZH[n]
    m = re.fullmatch(r"class \(-1 for any class, else 0\.\.(\d+)\)", n)
    if m:
        return f"类别（-1 表示任意类别，否则 0..{m.group(1)}）"
    return n


def _hint(h: str) -> str:
    return HINTS_ZH.get(h, h)


_pattern(r"^(?P<prefix>.+?: )?(?P<name>.+?) must be a number from (?P<lo>\S+) to (?P<hi>\S+?)(?P<hint> \(.*\))?, got (?P<got>.*)$",
         "{prefix}{name}必须是 {lo} 到 {hi} 之间的数{hint}，收到的是 {got}")
_pattern(r"^(?P<prefix>.+?: )?(?P<name>.+?) must be a whole number from (?P<lo>\S+) to (?P<hi>\S+?)(?P<hint> \(.*\))?, got (?P<got>.*)$",
         "{prefix}{name}必须是 {lo} 到 {hi} 之间的整数{hint}，收到的是 {got}")


def _template_regex(en: str) -> re.Pattern:
    """An "err." template such as "{name}: nothing was drawn" as a regex with named groups."""
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)[^}]*\}", en):
        out += re.escape(en[pos:m.start()]) + f"(?P<{m.group(1)}>.+?)"
        pos = m.end()
    return re.compile("^" + out + re.escape(en[pos:]) + "$", re.S)


def from_english(text: str, keys, lang: str = DEFAULT_LANG) -> str | None:
    """text, written in English from one of keys' templates ("started from {name}"), in lang: the
    values it was filled with are kept (a 'name' through NAMES_ZH); None if no template matches."""
    for key in keys:
        en, zh = TEXT[key]
        if text == en:
            return zh if norm_lang(lang) == "zh" else en
        if "{" in en:
            m = _template_regex(en).match(text)
            if m:
                if norm_lang(lang) != "zh":
                    return text
                parts = m.groupdict()
                if "name" in parts:
                    parts["name"] = _name(parts["name"])
                return re.sub(r"\{(\w+)[^}]*\}", lambda g: parts.get(g.group(1), g.group(0)), zh)
    return None


def translate_message(message: str, lang: str = DEFAULT_LANG) -> str:
    """A refusal raised in English, in lang: the known messages whole, numbers and names kept."""
    if norm_lang(lang) != "zh":
        return message
    found = from_english(message, [k for k in TEXT if k.startswith("err.")], lang)
    if found is not None:
        return found
    for regex, zh in _PATTERNS:
        m = regex.match(message)
        if m:
            parts = {k: (v or "") for k, v in m.groupdict().items()}
            if "name" in parts:
                parts["name"] = _name(parts["name"])
            if "hint" in parts:
                parts["hint"] = _hint(parts["hint"])
            if "prefix" in parts and parts["prefix"]:
                parts["prefix"] = _name(parts["prefix"][:-2]) + "："
            return zh.format(**parts)
    return message



# ================================================================================================
# THE STRINGS. One add() per part of the app; (English, 中文).
# ================================================================================================

add({  # the page: title, language switch, links, presenter mode
    "page.title": ("VAE & Autoregressive Explorer", "VAE 与自回归模型探索器（VAE & Autoregressive Explorer）"),
    "page.intro": (
        "# VAE & Autoregressive Explorer\n"
        "Interactive companion to CS231n Lecture 11 (generative models). Every model here was trained by this "
        "project's own code; their measured figures are in the README and `checkpoints/manifest.json`.\n"
        "**Autoregressive models** give an exact density by the chain rule, p(x) = ∏ₜ p(xₜ | x₍<ₜ₎).\n"
        "**VAEs** give a lower bound on it, the ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)).",
        "# VAE 与自回归模型探索器（VAE & Autoregressive Explorer）\n"
        "CS231n 第 11 讲（生成模型）的交互式配套工具。这里的每个模型都由本项目自己的代码训练；"
        "测得的指标见 README 和 `checkpoints/manifest.json`。\n"
        "**自回归模型**通过概率链式法则给出精确的密度：p(x) = ∏ₜ p(xₜ | x₍<ₜ₎)。\n"
        "**变分自编码器**（VAE）给出它的一个下界，即证据下界（ELBO）= E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))。"),
    "page.lang": ("Language / 语言", "语言 / Language"),
    "page.present": ("Presenter mode (large type for a projector)", "演示模式（投影仪用大字号）"),
    "page.link_btn": ("Link to this view", "链接到此视图"),
    "page.link": ("Link to this view (copy it)", "此视图的链接（复制即可）"),
    "page.copied": ("Link copied to the clipboard.", "链接已复制到剪贴板。"),
    "page.ignored": ("Ignored in the link: {items}.", "链接中已忽略：{items}。"),
    "page.ignored_item": ("{name} = {value!r} ({why})", "{name} = {value!r}（{why}）"),
    "page.unknown_param": ("unknown parameter", "未知参数"),
    "page.bad_value": ("not an allowed value", "取值不允许"),
})

add({  # shared by every tab's handlers (ui/common.py)
    "err.bug": ("Something went wrong on the server while handling this (it has been logged). "
                "Try again, or try other settings.",
                "服务器处理时出错（已记录）。请重试，或换一组设置。"),
})

add({  # tab names
    "tab.interpolation": ("Latent interpolation", "潜在空间插值"),
    "tab.prior_posterior": ("Prior vs posterior", "先验与后验"),
    "tab.tokens": ("Per-token probabilities", "逐 token 概率"),
    "tab.pixels": ("Per-pixel probabilities", "逐像素概率"),
    "tab.tradeoff": ("Reconstruction vs KL (β)", "重建与 KL 的权衡（β）"),
    "tab.lecture": ("Lecture map", "课程地图"),
    "tab.reparam": ("Reparameterisation", "重参数化"),
    "tab.conditional": ("p(x|y) and p(y|x)", "条件生成与判别"),
    "tab.mass": ("Probability mass", "概率质量"),
})

add({  # the image chooser shared by the VAE tabs (ui/image_input.py, views/vae.py)
    "img.test_image": ("test image", "测试图像"),
    "img.draw": ("draw", "手绘"),
    "img.upload": ("upload", "上传"),
    "img.class": ("class", "类别"),
    "img.any_class": ("any class (random)", "任意类别（随机）"),
    "img.sketch": ("draw a digit (big, centred)", "画一个数字（大一些，居中）"),
    "img.upload_label": ("upload an image", "上传一张图像"),
    "img.gallery_pick": ("test image (gallery #{i}, class {cls})", "测试图像（图库第 {i} 张，类别 {cls}）"),
    "img.your_drawing": ("your drawing", "你的手绘"),
    "img.your_upload": ("your upload", "你上传的图像"),
    "vae.model": ("VAE (dataset, latent size)", "变分自编码器（数据集，潜在维度）"),
    "vae.latent_map": ("latent map", "潜在空间图"),
    "vae.label": ("{ds}, {z}-D latent", "{ds}，{z} 维潜在空间"),
    "err.nothing_drawn": ("{name}: nothing was drawn; draw a digit on the sketchpad or choose 'gallery'",
                          "{name}：还没有画任何东西；请在画板上画一个数字，或选择“测试图像”"),
    "err.nothing_uploaded": ("{name}: nothing was uploaded; upload a PNG or JPEG image or choose 'gallery'",
                             "{name}：还没有上传任何图像；请上传 PNG 或 JPEG 图像，或选择“测试图像”"),
    "vae.legend.path": ("interpolation path", "插值路径"),
    "vae.legend.ends": ("end points", "端点"),
    "vae.legend.prior": ("prior samples z ~ p(z)", "先验样本 z ~ p(z)"),
    "vae.legend.mu": ("μ(x): this x's mean", "μ(x)：这个 x 的均值"),
    "vae.legend.posterior": ("posterior samples z ~ q(z|x)", "后验样本 z ~ q(z|x)"),
    "vae.hover.class": ("class", "类别"),
    "vae.hover.test_image": ("test image", "测试图像"),
    "vae.hover.step": ("step", "第几步"),
    "vae.hover.prior": ("prior sample", "先验样本"),
    "vae.hover.posterior": ("posterior sample", "后验样本"),
    "vae.latent_dimension": ("latent dimension", "潜在维度"),
    "vae.mu_sigma.legend": ("posterior q(z|x): μ ± 2σ", "后验 q(z|x)：μ ± 2σ"),
    "vae.mu_sigma.prior": ("prior p(z): 0 ± 2", "先验 p(z)：0 ± 2"),
    "vae.mu_sigma.title": ("Encoder's q(z|x) per latent dimension vs the prior N(0, 1)",
                           "编码器给出的每个潜在维度的 q(z|x)，对比先验 N(0, 1)"),
    "vae.kl.title": ("KL(q(z|x) ‖ p(z)) per dimension: total {total:.1f} nats",
                     "每个维度的 KL(q(z|x) ‖ p(z))：合计 {total:.1f} nats"),
    "vae.hist.test_images": ("test images", "测试图像"),
    "vae.hist.far_below": ("◀ {label} = {value:.1f}, far below every test image",
                           "◀ {label} = {value:.1f}，远低于所有测试图像"),
    "vae.hist.title": ("Where this x falls among the test set{pct}", "这个 x 在测试集中的位置{pct}"),
    "vae.hist.pct": (" (above {p:.1f} % of test images)", "（高于 {p:.1f} % 的测试图像）"),
    "vae.hist.x": ("log p(x), nats (importance-sampled)", "log p(x)，nats（重要性采样）"),
    "vae.hist.y": ("test images", "测试图像数"),
    "vae.hover.dim": ("dim", "维度"),
})

add({  # tab: latent interpolation (ui/interpolation.py, views/interpolation.py)
    "interp.explain": (
        "### Walking through latent space\n"
        "The encoder maps an image x to q(z|x) = N(μ(x), σ²(x)). Take the means of two images, μ_A and μ_B,\n"
        "walk between them — **linearly** z_t = (1−t) μ_A + t μ_B, or **spherically** (slerp, which keeps\n"
        "‖z‖ near the prior's typical radius √Z instead of cutting through its centre) — and decode every z_t.\n"
        "Because the KL term pulls every q(z|x) towards the prior N(0, I), the latent space has no holes:\n"
        "points between two codes still decode to plausible images. The map shows the path among the test set's μ(x).",
        "### 在潜在空间中行走\n"
        "编码器网络把图像 x 映射为后验 q(z|x) = N(μ(x), σ²(x))。取两张图像的均值 μ_A 和 μ_B，"
        "在它们之间行走——**线性插值** z_t = (1−t) μ_A + t μ_B，或**球面插值**（slerp，让 ‖z‖ 保持在先验的典型半径 √Z 附近，"
        "而不是穿过它的中心）——再用解码器网络解码每个 z_t。"
        "由于 KL 项（先验损失）把每个 q(z|x) 拉向先验 N(0, I)，潜在空间里没有空洞：两个编码之间的点仍然能解码成合理的图像。"
        "右图显示这条路径在测试集的 μ(x) 之间的位置。"),
    "interp.manifold_explain": (
        "### The 2-D manifold (Kingma & Welling 2013, fig. 4)\n"
        "Latent points on a grid at the **prior's quantiles** (each cell holds the same probability mass\n"
        "under N(0, I)), each decoded. **Click anywhere on the grid**, or move the sliders, to decode that point.",
        "### 二维流形（Kingma & Welling 2013，图 4）\n"
        "潜在空间中按**先验的分位数**排成网格的点（在 N(0, I) 下每格概率质量相同），逐个解码。"
        "**点击网格上任意位置**，或移动滑块，即可解码那个点。"),
    "interp.steps": ("steps (end points included)", "步数（含两个端点）"),
    "interp.path": ("path", "路径"),
    "interp.linear": ("linear", "线性"),
    "interp.slerp": ("spherical (slerp)", "球面（slerp）"),
    "interp.seed": ("seed (which test images are picked)", "随机种子（决定选中哪些测试图像）"),
    "interp.run": ("Interpolate", "插值"),
    "interp.a": ("start point A", "起点 A"),
    "interp.b": ("end point B", "终点 B"),
    "interp.strip": ("A, rec. A | decoded path | rec. B, B", "A，A 的重建 | 解码路径 | B 的重建，B"),
    "interp.summary": ("summary", "摘要"),
    "interp.export": ("Make PNG / GIF", "生成 PNG / GIF"),
    "interp.png": ("strip (PNG)", "图像条（PNG）"),
    "interp.gif": ("path (animated GIF)", "路径（GIF 动画）"),
    "interp.manifold": ("decoded manifold: click a point", "解码后的流形：点击一个点"),
    "interp.point": ("decoding of (z₁, z₂)", "(z₁, z₂) 的解码结果"),
    "interp.map_title": ("{model}: test set μ(x) on the {method}, and the {path} path",
                         "{model}：测试集的 μ(x)（{method}）与{path}路径"),
    "interp.map_plane": ("latent plane", "潜在平面"),
    "interp.path_linear": ("linear", "线性"),
    "interp.path_spherical": ("spherical", "球面"),
    "interp.info": (
        "**A** = {a} → **B** = {b}; {n} steps, {path} path. ‖z‖ along the path: start {start:.2f}, middle {mid:.2f}, "
        "end {end:.2f} (a typical prior sample has ‖z‖ ≈ √{z} = {typical:.2f}).  \n"
        "Strip: *A, reconstruction of A* | **decoded path** | *reconstruction of B, B*.",
        "**A** = {a} → **B** = {b}；{n} 步，{path}路径。路径上的 ‖z‖：起点 {start:.2f}，中点 {mid:.2f}，"
        "终点 {end:.2f}（先验的典型样本 ‖z‖ ≈ √{z} = {typical:.2f}）。  \n"
        "图像条：*A，A 的重建* | **解码路径** | *B 的重建，B*。"),
    "interp.path_info_linear": ("linear", "线性"),
    "interp.path_info_slerp": ("spherical (slerp)", "球面（slerp）"),
    "interp.decoded_z": ("Decoded z = ({z1:.2f}, {z2:.2f})", "解码的 z = ({z1:.2f}, {z2:.2f})"),
    "interp.manifold_2d_only": ("*{model}: the manifold grid is drawn for 2-D latent spaces only.*",
                                "*{model}：流形网格只对二维潜在空间绘制。*"),
})

add({f"class.{en}": (en, zh) for en, zh in CLASS_ZH.items()})  # class names as static choices

add({  # tab: prior vs posterior (ui/prior_posterior.py, views/prior_posterior.py)
    "pp.explain": (
        "### The prior p(z) and the posterior q(z|x)\n"
        "- **Prior.** A VAE generates by drawing z ~ p(z) = N(0, I) and decoding it. The *temperature* scales the\n"
        "prior's standard deviation: below 1 samples stay near the centre (cleaner, less varied), above 1 they\n"
        "land where no training image was encoded, and the decodings degrade.\n"
        "- **Posterior.** The encoder gives each image x its own Gaussian q(z|x) = N(μ(x), σ²(x)): a small cloud\n"
        "(red diamonds on the map) around its mean, much narrower than the prior (black crosses).\n"
        "- **ELBO and log p(x).** log p(x) ≥ ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)); the gap is\n"
        "KL(q(z|x) ‖ p(z|x)). With k importance samples, log (1/k) Σ p(x, zᵢ)/q(zᵢ|x) (Burda et al. 2015) climbs\n"
        "towards log p(x) as k grows. A density model can flag **outliers**: an image unlike the training\n"
        "data gets a log p(x) below almost every test image.",
        "### 先验 p(z) 与后验 q(z|x)\n"
        "- **先验。** 变分自编码器这样生成数据：从先验采样 z ~ p(z) = N(0, I)（单位高斯分布），再用解码器网络解码。"
        "*温度*缩放先验的标准差：小于 1 时样本靠近中心（更干净、变化更少），大于 1 时样本落到没有任何训练图像被编码过的地方，解码结果变差。\n"
        "- **后验。** 编码器网络给每张图像 x 一个自己的高斯分布 q(z|x) = N(μ(x), σ²(x))：围绕其均值的一小团点"
        "（图中的红色菱形），比先验（黑色叉号）窄得多。\n"
        "- **证据下界与 log p(x)。** log p(x) ≥ ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))；两者之差是 "
        "KL(q(z|x) ‖ p(z|x))。用 k 个重要性样本，log (1/k) Σ p(x, zᵢ)/q(zᵢ|x)（Burda 等，2015）随 k 增大逼近 log p(x)。"
        "密度模型可以**检测异常值**：与训练数据不同的图像，其 log p(x) 低于几乎所有测试图像。"),
    "pp.prior_head": ("#### Prior: z ~ N(0, temperature² I)", "#### 先验：z ~ N(0, 温度² I)"),
    "pp.seed": ("seed", "随机种子"),
    "pp.temperature": ("temperature (std of the prior)", "温度（先验的标准差）"),
    "pp.samples": ("samples", "样本数"),
    "pp.prior_run": ("Sample prior", "从先验采样"),
    "pp.prior_grid": ("decoded prior samples", "解码后的先验样本"),
    "pp.post_head": ("#### Posterior: z ~ q(z|x)", "#### 后验：z ~ q(z|x)"),
    "pp.x_from": ("x from", "x 来自"),
    "pp.post_seed": ("seed (test image pick and samples)", "随机种子（选测试图像和采样）"),
    "pp.K": ("K posterior samples to decode", "要解码的后验样本数 K"),
    "pp.k": ("k importance samples for log p(x)", "估计 log p(x) 的重要性样本数 k"),
    "pp.post_run": ("Sample posterior", "从后验采样"),
    "pp.inputs": ("x | (x binarised) | reconstruction", "x |（二值化的 x）| 重建"),
    "pp.post_samples": ("decoded samples z ~ q(z|x)", "解码后的样本 z ~ q(z|x)"),
    "pp.numbers": ("ELBO, log p(x) and percentile", "证据下界、log p(x) 与百分位"),
    "pp.hist": ("log p(x) among the test set", "log p(x) 在测试集中的位置"),
    "pp.mu_sigma": ("μ and σ per dimension", "每个维度的 μ 与 σ"),
    "pp.kl": ("KL per dimension", "每个维度的 KL"),
    "pp.map_title": ("{model}: data μ(x), prior samples and posterior samples ({method})",
                     "{model}：数据的 μ(x)、先验样本与后验样本（{method}）"),
    "pp.binarise_note": (
        "This model's decoder is Bernoulli: its likelihood is defined on black-or-white pixels. "
        "As for the test set, log-likelihoods are computed on a fixed-seed stochastic binarisation "
        "of x (each pixel is 1 with probability equal to its intensity), shown as x binarised.",
        "这个模型的解码器是伯努利分布：它的似然定义在黑白像素上。与测试集一样，对数似然在 x 的一次固定随机种子的随机二值化上计算"
        "（每个像素以等于其亮度的概率取 1），即图中的“二值化的 x”。"),
    "pp.table": (
        "**x** = {x}. Strip: *x* | {binarised}*reconstruction* decode(μ(x)).\n\n"
        "| term | nats |\n|---|---:|\n"
        "| reconstruction E_q[log p(x\\|z)] (mean over k samples) | {rec:.2f} |\n"
        "| − KL(q(z\\|x) ‖ p(z)) (closed form, sum of {z} dims) | {kl:.2f} |\n"
        "| **= ELBO** | **{elbo:.2f}** |\n"
        "| **log p(x)**, importance-sampled, k = {k} | **{log_px:.2f}** |\n"
        "| gap log p(x) − ELBO ≈ KL(q(z\\|x) ‖ p(z\\|x)) | {gap:.2f} |\n\n",
        "**x** = {x}。图像条：*x* | {binarised}*重建* decode(μ(x))。\n\n"
        "| 项 | nats |\n|---|---:|\n"
        "| 重建项 E_q[log p(x\\|z)]（k 个样本的平均；即负的重建损失） | {rec:.2f} |\n"
        "| − KL(q(z\\|x) ‖ p(z))（闭式解，{z} 个维度之和；即负的先验损失） | {kl:.2f} |\n"
        "| **= 证据下界（ELBO）** | **{elbo:.2f}** |\n"
        "| **log p(x)**，重要性采样，k = {k} | **{log_px:.2f}** |\n"
        "| 差距 log p(x) − ELBO ≈ KL(q(z\\|x) ‖ p(z\\|x)) | {gap:.2f} |\n\n"),
    "pp.binarised": ("*x binarised* | ", "*二值化的 x* | "),
    "pp.k1_note": ("With k = 1 the importance-sampled estimate is a single-sample ELBO and can fall below "
                   "the ELBO by chance; raise k to see the bound tighten.",
                   "k = 1 时，重要性采样估计就是单样本的证据下界，可能偶然低于证据下界；增大 k 可以看到下界变紧。"),
    "pp.no_percentile": ("No test-set log-likelihoods are stored for this model, so no percentile.",
                         "这个模型没有保存测试集的对数似然，因此没有百分位。"),
    "pp.outlier": ("**Outlier.** Fewer than 1 % of the {ds} test images are less likely: the model "
                   "finds this x very unlikely (a scribble, or an image from another dataset, reads like this).",
                   "**异常值。** {ds} 测试图像中不到 1 % 比它更不可能：模型认为这个 x 非常不可能"
                   "（随手的涂鸦或来自其他数据集的图像就是这样）。"),
    "pp.unusual": ("**Unusual.** Fewer than 5 % of the test images are less likely than this one.",
                   "**不寻常。** 不到 5 % 的测试图像比它更不可能。"),
    "pp.typical": ("**Typical.** This x is about as likely as the {ds} test images the model was evaluated on.",
                   "**典型。** 这个 x 的可能性与模型评估时所用的 {ds} 测试图像相当。"),
    "pp.percentile": ("log p(x) ≈ {log_px:.1f} nats is higher than {pct:.1f} % of the test images. {verdict}",
                      "log p(x) ≈ {log_px:.1f} nats，高于 {pct:.1f} % 的测试图像。{verdict}"),
})

add({  # tab: per-token probabilities (ui/tokens.py, views/tokens.py, plots/tokens.py)
    "tok.explain": (
        "### Per-token probabilities: the chain rule, one character at a time\n"
        "An autoregressive model scores a whole name exactly, as a product of next-character predictions:\n"
        "**p(x) = ∏ₜ p(xₜ | x₍<ₜ₎)**, so **log p(x) = Σₜ log p(xₜ | x₍<ₜ₎)**\n"
        "(no bound, unlike the VAE's ELBO).\n"
        "Each character, and the end token that closes the name, is coloured by the probability the model gave\n"
        "it *before* seeing it: **blue** = more likely than a blind, uniform guess, **red** = less likely (a surprise).\n"
        "In the contexts, `.` marks the start of the name; `<end>` is the end token.\n"
        "The text is stripped and lower-cased, as names.txt is lower case.",
        "### 逐 token 概率：概率链式法则，一次一个字符\n"
        "自回归模型精确地给整个名字打分，把它写成一连串“预测下一个字符”的乘积：\n"
        "**p(x) = ∏ₜ p(xₜ | x₍<ₜ₎)**，因此 **log p(x) = Σₜ log p(xₜ | x₍<ₜ₎)**"
        "（这是精确值，不像变分自编码器的证据下界只是一个下界）。\n"
        "每个字符，以及结束名字的结束 token，都按模型在*看到它之前*给它的概率着色："
        "**蓝色** = 比盲目的均匀猜测更可能，**红色** = 更不可能（出乎意料）。\n"
        "在上下文中，`.` 表示名字的开始；`<end>` 是结束 token。\n"
        "文本会去掉首尾空白并转为小写，因为 names.txt 全是小写。"),
    "tok.compare": (
        "### Transformer vs GRU on the same text\n"
        "Both models read the same characters and are trained on the same names; they differ only in how they\n"
        "summarise the past: the GRU squeezes it into one hidden vector, the Transformer looks back at every\n"
        "earlier position. Lower total -log p (nats) = the model finds the name more plausible.",
        "### 同一段文本上的 Transformer 与 GRU\n"
        "两个模型读取相同的字符，在相同的名字上训练；区别只在于如何概括过去：GRU 把它压缩进一个隐藏向量，"
        "Transformer 回看之前的每一个位置。总的 -log p（nats）越低，模型认为这个名字越合理。"),
    "tok.attention": (
        "### Inside the Transformer: masked self-attention\n"
        "Row *t* shows how strongly the position reading the *t*-th input token looks at each earlier position\n"
        "(each row sums to 1). The blank upper triangle is the causal mask: a prediction may never peek at\n"
        "the future, which is what makes the chain rule above valid. Row `.` (the start) can only look at itself.",
        "### Transformer 内部：掩码自注意力\n"
        "第 *t* 行显示读取第 *t* 个输入 token 的位置对之前每个位置的注意力有多强（每行之和为 1）。"
        "空白的上三角就是因果掩码：预测永远不能偷看未来，正因如此上面的链式法则才成立。"
        "`.`（开始）这一行只能看它自己。"),
    "tok.generate": (
        "### Generate: sample x₁ ~ p(x₁ | .), x₂ ~ p(x₂ | . x₁), … until the end token\n"
        "**Temperature** divides the logits before the softmax (below 1: safer, more common names; above 1:\n"
        "wilder). **Top-k** keeps only the k most likely characters (0 = off). The **seed** fixes every draw:\n"
        "same seed and settings give the same names, and *Step* from an empty prefix replays sample #1.",
        "### 生成：采样 x₁ ~ p(x₁ | .)，x₂ ~ p(x₂ | . x₁)，…… 直到结束 token\n"
        "**温度**在 softmax 之前除 logits（小于 1：更保守、更常见的名字；大于 1：更狂野）。"
        "**Top-k** 只保留最可能的 k 个字符（0 = 关闭）。**随机种子**固定每一次抽取："
        "相同的随机种子和设置给出相同的名字；从空前缀开始*单步*会重放第 1 个样本。"),
    "tok.no_model": ("No character model is loaded: train one with `python -m explorer.training.train transformer` "
                     "(see the README), then restart the app.",
                     "没有加载字符模型：先用 `python -m explorer.training.train transformer` 训练一个（见 README），再重启应用。"),
    "tok.model": ("Model", "模型"),
    "tok.text": ("Text (a name)", "文本（一个名字）"),
    "tok.text_info": ("lower case a–z, at most {max_len} characters (it is stripped and lower-cased for you)",
                      "小写字母 a–z，最多 {max_len} 个字符（会自动去掉首尾空白并转为小写）"),
    "tok.score": ("Score", "打分"),
    "tok.examples": ("Examples (xzqj: an unlikely name)", "示例（xzqj：一个不太可能的名字）"),
    "tok.strip": ("Each token coloured by p(xₜ | x₍<ₜ₎)", "每个 token 按 p(xₜ | x₍<ₜ₎) 着色"),
    "tok.chain": ("The chain rule with numbers", "代入数字的链式法则"),
    "tok.table": ("p and -log p per position, with the top-5", "每个位置的 p 与 -log p，以及前 5 名"),
    "tok.layer": ("Layer", "层"),
    "tok.layer_i": ("layer {i}", "第 {i} 层"),
    "tok.head": ("Head", "注意力头"),
    "tok.mean_heads": ("mean over heads", "所有头的平均"),
    "tok.head_i": ("head {i}", "第 {i} 个头"),
    "tok.attention_hint": ("Earlier layers often look at the previous character; later ones spread out. "
                           "Try a long name such as *jonathan*.",
                           "较早的层常常看前一个字符；较晚的层更分散。试试长一点的名字，比如 *jonathan*。"),
    "tok.temperature": ("Temperature T", "温度 T"),
    "tok.top_k": ("Top-k (0 = off)", "Top-k（0 = 关闭）"),
    "tok.seed": ("Seed", "随机种子"),
    "tok.dice": ("Random seed", "随机换一个种子"),
    "tok.n": ("Number of names (whole)", "名字数量（整体生成）"),
    "tok.gen_btn": ("Generate whole names", "生成完整的名字"),
    "tok.samples": ("Samples", "样本"),
    "tok.step_btn": ("Step: draw one character", "单步：抽取一个字符"),
    "tok.reset": ("Reset", "重置"),
    "tok.history": ("Steps so far", "目前的步骤"),
    "tok.h.samples": ("#\nname\nchars\nlog p(x) (model, T=1)\ntraining set?",
                      "#\n名字\n字符数\nlog p(x)（模型，T=1）\n在训练集中？"),
    "tok.h.table": ("t\ncontext x<t\ntoken xt\np(xt | x<t)\n-log p (nats)\ntop-5 (✓ = the actual token)",
                    "t\n上下文 x<t\ntoken xt\np(xt | x<t)\n-log p (nats)\n前 5 名（✓ = 实际的 token）"),
    "tok.h.history": ("step\ncontext\ndrawn\np sampled from\np model (T=1)",
                      "步\n上下文\n抽到的\n采样所用的 p\n模型的 p（T=1）"),
    "tok.summary": ("**{label}**: log p(x) = **{log_px:.2f} nats** = {bits:.2f} bits; NLL per token = {nll:.3f} nats; "
                    "perplexity per token = **{ppl:.2f}** (over {n} tokens: {chars} characters + the end token)",
                    "**{label}**：log p(x) = **{log_px:.2f} nats** = {bits:.2f} bits；每个 token 的负对数似然 = {nll:.3f} nats；"
                    "每个 token 的困惑度 = **{ppl:.2f}**（共 {n} 个 token：{chars} 个字符 + 结束 token）"),
    "tok.better": ("→ **{label}** gives \"{text}\" the higher probability, by a factor of e^{diff:.2f} = {factor:.3g}.",
                   "→ **{label}** 给 \"{text}\" 的概率更高，高出 e^{diff:.2f} = {factor:.3g} 倍。"),
    "tok.att_title": ("layer {layer} of {n_layer}, {which}", "第 {layer} 层（共 {n_layer} 层），{which}"),
    "tok.status.empty": ("empty (end drawn first)", "空（第一个就抽到了结束）"),
    "tok.status.in": ("in training set", "在训练集中"),
    "tok.status.new": ("new", "新名字"),
    "tok.status.unknown": ("unknown", "未知"),
    "tok.status.cut": (" (hit max length)", "（达到最大长度）"),
    "tok.empty_name": ("(empty)", "（空）"),
    "tok.found_unknown": ("In the training set or new? Unknown: the list of training names was not shipped",
                          "在训练集中还是新名字？未知：没有附带训练名字列表"),
    "tok.found": ("**{new} new**, {old} in the training set", "**{new} 个新名字**，{old} 个在训练集中"),
    "tok.samples_summary": ("{found} — seed {seed}, T = {T:g}, top-k = {k}", "{found} —— 随机种子 {seed}，T = {T:g}，top-k = {k}"),
    "tok.off": ("off", "关闭"),
    "tok.step_first": ("Press **Step** to draw the first character.", "按**单步**抽取第一个字符。"),
    "tok.step_done": ("Drew **{token}**: finished **\"{name}\"**{forced}; log p(x) = {log_p:.2f} nats under the model. "
                      "Press **Reset** for a new one.",
                      "抽到 **{token}**：完成了 **\"{name}\"**{forced}；模型下 log p(x) = {log_p:.2f} nats。按**重置**开始新的名字。"),
    "tok.step_forced": (" (reached the longest length, end forced)", "（达到最大长度，强制结束）"),
    "tok.step_next": ("Drew **{token}** (p = {p:.3f}); the name so far: **\"{name}\"**",
                      "抽到 **{token}**（p = {p:.3f}）；目前的名字：**\"{name}\"**"),
    "tok.finished_warning": ("\"{name}\" is finished (the end token was drawn): press Reset to start a new name.",
                             "\"{name}\" 已经结束（抽到了结束 token）：按重置开始新的名字。"),
    "tok.no_transformer": ("no Transformer is loaded, so there is no attention to show",
                           "没有加载 Transformer，因此没有注意力可显示"),
    # figures
    "tok.fig.colorbar": ("p (log scale)", "p（对数刻度）"),
    "tok.fig.strip_title": ('p(x<sub>t</sub> | x<sub>&lt;t</sub>) per token of "{text}" (white = uniform guess)',
                            '"{text}" 每个 token 的 p(x<sub>t</sub> | x<sub>&lt;t</sub>)（白色 = 均匀猜测）'),
    "tok.fig.nll_title": ("Surprise per token, -log p(x<sub>t</sub> | x<sub>&lt;t</sub>): the bars add up to -log p(x)",
                          "每个 token 的“意外程度” -log p(x<sub>t</sub> | x<sub>&lt;t</sub>)：各柱之和就是 -log p(x)"),
    "tok.fig.total": ("{label}: total {total:.2f} nats", "{label}：合计 {total:.2f} nats"),
    "tok.fig.top_title": ("{label}: the {n} most likely tokens at each position (outlined: the one actually there)",
                          "{label}：每个位置最可能的 {n} 个 token（加框的是实际出现的那个）"),
    "tok.fig.att_title": ("Attention, {which}<br><sup>row = query (the position reading), column = key (the "
                          "position read); each row sums to 1</sup>",
                          "注意力，{which}<br><sup>行 = 查询（正在读取的位置），列 = 键（被读取的位置）；每行之和为 1</sup>"),
    "tok.fig.weight": ("weight", "权重"),
    "tok.fig.masked": ("masked:<br>the future", "被掩码：<br>未来"),
    "tok.fig.query": ("query: position reading", "查询：正在读取的位置"),
    "tok.fig.reads": ("query %{y} reads key %{x}: weight %{z:.3f}", "查询 %{y} 读取键 %{x}：权重 %{z:.3f}"),
    "tok.fig.model_T1": ("model, T = 1", "模型，T = 1"),
    "tok.fig.sampled_from": ("sampled from: T = {T:g}, top-k = {k}", "采样所用：T = {T:g}，top-k = {k}"),
    "tok.fig.drawn": ("drawn", "抽到"),
    "tok.fig.forced": (" (forced: longest length)", "（强制：最大长度）"),
    "tok.fig.step_title": ('Step {i}: p(next | "{prefix}")', '第 {i} 步：p(下一个 | "{prefix}")'),
    "tok.fig.probability": ("probability", "概率"),
    "tok.fig.model_p": ("model p", "模型 p"),
    "tok.fig.sampling_p": ("sampling p", "采样 p"),
})

add({  # refusals students commonly hit, matched whole or as templates by translate_message
    "err.unknown_chars": ("unknown character(s) {chars}; allowed are characters {allowed} (at most {max_len} of them)",
                          "未知字符 {chars}；允许的字符为 {allowed}（最多 {max_len} 个）"),
    "err.empty_text": ("the text is empty: type at least one character, e.g. 'emma'",
                       "文本为空：请至少输入一个字符，例如 'emma'"),
    "err.no_text": ("no text given: type a name, e.g. 'emma'", "没有给出文本：请输入一个名字，例如 'emma'"),
    "err.too_long": ("the text has {n} characters; these models read at most {max_len}",
                     "文本有 {n} 个字符；这些模型最多读取 {max_len} 个"),
    "err.empty_drawing": ("The drawing is empty or almost empty: draw a digit (a few strokes, big enough to "
                          "fill a good part of the canvas) or upload an image of one.",
                          "画板是空的或几乎是空的：请画一个数字（几笔即可，大到占据画布的相当一部分），或上传一张数字图像。"),
    "err.empty_drawing_of": ("{name}: The drawing is empty or almost empty: draw a digit (a few strokes, big enough to "
                             "fill a good part of the canvas) or upload an image of one.",
                             "{name}：画板是空的或几乎是空的：请画一个数字（几笔即可，大到占据画布的相当一部分），或上传一张数字图像。"),
    "err.no_image": ("no image given: draw a digit on the sketchpad or upload an image",
                     "没有给出图像：请在画板上画一个数字，或上传一张图像"),
    "err.no_live_run": ("no live run: press Start first", "没有正在进行的实时训练：请先按“开始”"),
    "err.unknown_vae": ("unknown VAE {name}; choose one of {choices}", "未知的变分自编码器 {name}；请从 {choices} 中选择"),
    "err.unknown_lm": ("unknown character model {name}; choose one of {choices}", "未知的字符模型 {name}；请从 {choices} 中选择"),
    "err.live_digits_missing": ("live training digits are missing (checkpoints/live_digits.png); "
                                "build them with `python -m explorer.training.live_digits --data-root ../shared/data`",
                                "缺少实时训练用的数字（checkpoints/live_digits.png）；"
                                "请用 `python -m explorer.training.live_digits --data-root ../shared/data` 生成"),
})

add({  # tab: reconstruction vs KL (ui/tradeoff.py, views/tradeoff.py, plots/tradeoff.py)
    "to.explain": (
        "### The two terms of the ELBO pull in opposite directions\n"
        "The VAE maximises **ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))**. Write **distortion D = −E_q log p(x|z)**\n"
        "(how badly x is reconstructed) and **rate R = KL(q(z|x) ‖ p(z))** (how many nats the code carries about x).\n"
        "A β-VAE minimises **D + β·R**:\n"
        "- **small β**: reconstruction wins: each x gets its own sharp code (σ → 0, distinct μ); reconstructions are\n"
        "  crisp, but samples from the prior N(0, I) land where no digit was encoded.\n"
        "- **large β**: the prior wins: q(z|x) is pushed toward N(0, I); latent dimensions switch off (their KL → 0,\n"
        "  grey bars), reconstructions blur toward an average digit.\n\n"
        "On the plane every trained model is a point (R, D); together they trace the **frontier**. The dashed lines\n"
        "are constant ELBO (D + R); the plain VAE (β = 1, ★) sits where the frontier touches the best of them.\n"
        "The model trained with β sits where the frontier has slope −β (dotted red).",
        "### 证据下界的两项朝相反方向拉扯（两个损失项相互对抗）\n"
        "变分自编码器最大化 **ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))**。记**失真 D = −E_q log p(x|z)**"
        "（重建损失：x 被重建得有多差），**码率 R = KL(q(z|x) ‖ p(z))**（先验损失：编码携带了多少 nats 关于 x 的信息）。"
        "β-VAE 最小化 **D + β·R**：\n"
        "- **β 小**：重建获胜：每个 x 得到自己清晰的编码（σ → 0，μ 各不相同）；重建很清晰，"
        "但从先验 N(0, I) 采样的点落在没有任何数字被编码过的地方。\n"
        "- **β 大**：先验获胜：q(z|x) 被推向 N(0, I)；潜在维度被关掉（它们的 KL → 0，灰色柱），重建模糊成一个平均数字。\n\n"
        "在平面上，每个训练好的模型是一个点 (R, D)；它们连起来就是**前沿**。虚线是等证据下界线（D + R 为常数）；"
        "普通的变分自编码器（β = 1，★）位于前沿与其中最好的一条相切之处。用 β 训练的模型位于前沿斜率为 −β 的地方（红色点线）。"),
    "to.live_explain": (
        "### Live: move β while it trains\n"
        "**Start** trains a small VAE on 10,000 MNIST training digits in the background (one CPU thread, just for\n"
        "your browser tab, on CPU that nobody's clicks need). Every few steps it measures D and R on the same fixed test digits as the sweep and\n"
        "draws the point on the plane (orange). Move **β** while it runs: the next step already uses the new\n"
        "objective, and the orange point walks toward the frontier point for that β: within seconds when β rises\n"
        "(the model gives up code it no longer pays for). When β falls to half or less, the latent dimensions the\n"
        "larger β closed would not reopen (a closed dimension carries no code, so the decoder never learns to use\n"
        "it): the run starts again from fresh weights (on two threads), the rate's weight rising from 0 to β, and\n"
        "reaches the new point in about 20 s on an idle server (the training curves mark the restart). From scratch\n"
        "the small model starts far from the frontier (which was drawn by bigger models trained for minutes);\n"
        "start from a sweep model to see it slide *along* the frontier. With a 2-D latent you see the posteriors\n"
        "themselves: small β shrinks the ellipses to points, large β swells them toward the prior's unit circle.",
        "### 实时：边训练边移动 β\n"
        "**开始**会在后台用 10,000 个 MNIST 训练集数字训练一个小型变分自编码器（一个 CPU 线程，只为你的浏览器标签页，只用其他人的点击用不到的 CPU）。"
        "每隔几步，它在与扫描相同的固定测试数字上测量 D 和 R，并把点画在平面上（橙色）。训练时移动 **β**："
        "下一步就会使用新的目标，橙色点会走向该 β 对应的前沿点：β 增大时几秒钟就到（模型放弃不再划算的编码）。"
        "β 减小到一半或更少时，较大的 β 关掉的潜在维度不会再打开（关掉的维度不携带编码，解码器也就学不会用它）："
        "训练会从新的初始权重重新开始（用两个线程），码率项的权重从 0 逐渐升到 β，在空闲的服务器上大约 20 秒到达新的点"
        "（训练曲线上标出了重新开始的位置）。"
        "从头开始时，小模型离前沿很远（前沿由训练了几分钟的更大模型画出）；"
        "从扫描模型开始，就能看到它*沿着*前沿滑动。潜在空间为二维时，可以直接看到后验本身："
        "β 小时椭圆缩成点，β 大时椭圆膨胀成先验的单位圆。"),
    "to.no_sweep": ("**This app ships no β sweep** (checkpoints `sweep_mnist_beta*`, at least two): nothing to show here.",
                    "**本应用没有附带 β 扫描**（检查点 `sweep_mnist_beta*`，至少两个）：这里没有内容可显示。"),
    "to.cannot_run": ("**This tab cannot run:** {error}. Build the digits with "
                      "`python -m explorer.training.live_digits --data-root ../shared/data`.",
                      "**此标签页无法运行：** {error}。请用 `python -m explorer.training.live_digits --data-root ../shared/data` 生成数字。"),
    "to.index": ("β: which trained model (left: reconstruction wins · right: prior wins)",
                 "β：选择哪个训练好的模型（左：重建获胜 · 右：先验获胜）"),
    "to.beta_box": ("β of the chosen model", "所选模型的 β"),
    "to.seed": ("prior-sample seed", "先验采样的随机种子"),
    "to.summary": ("summary", "摘要"),
    "to.plane": ("Rate–distortion plane", "码率–失真平面"),
    "to.kl": ("KL per latent dimension", "每个潜在维度的 KL"),
    "to.recon": ("Test digits (top) and their reconstructions decode(μ) (bottom)",
                 "测试数字（上）及其重建 decode(μ)（下）"),
    "to.prior": ("Samples from the prior: decode(z), z ~ N(0, I)", "从先验采样：decode(z)，z ~ N(0, I)"),
    "to.init": ("Start", "起点"),
    "to.init_scratch": ("from scratch (small model, 256 hidden units)", "从头开始（小模型，256 个隐藏单元）"),
    "to.init_sweep": ("from the trained sweep model nearest this β", "从最接近这个 β 的扫描模型开始"),
    "to.latent": ("Latent size (from scratch)", "潜在维度（从头开始时）"),
    "to.live_beta": ("β (live: changes the objective on the next step)", "β（实时：下一步就改变目标）"),
    "to.start": ("Start", "开始"),
    "to.pause": ("Pause", "暂停"),
    "to.resume": ("Resume", "继续"),
    "to.reset": ("Reset", "重置"),
    "to.stop": ("Stop", "停止"),
    "to.status": ("status line", "状态"),
    "to.live_plane": ("Live run on the rate–distortion plane", "码率–失真平面上的实时训练"),
    "to.curves": ("Training curves", "训练曲线"),
    "to.live_recon": ("Live reconstructions (top: test digits)", "实时重建（上：测试数字）"),
    "to.live_prior": ("Live prior samples (fixed seed)", "实时先验样本（固定随机种子）"),
    "to.ellipses": ("Posterior ellipses (2-D latent)", "后验椭圆（二维潜在空间）"),
    "to.raw": ("Raw numbers (what /live_status returns)", "原始数字（/live_status 返回的内容）"),
    "to.raw_label": ("live status", "实时状态"),
    "to.sweep_summary": (
        "**β = {b:g}** (`{name}`): rate R = {R:.2f} nats, distortion D = {D:.2f} nats, −ELBO = D + R = {total:.2f} nats "
        "per digit, {active} of {n} latent dimensions active (Var over x of μ > 0.01). Measured on {source}.{shipped}",
        "**β = {b:g}**（`{name}`）：码率 R = {R:.2f} nats，失真 D = {D:.2f} nats，−ELBO = D + R = {total:.2f} nats/数字，"
        "{n} 个潜在维度中 {active} 个活跃（μ 在 x 上的方差 > 0.01）。测量于{source}。{shipped}"),
    "to.shipped": (" On the whole test set (the model's card): R = {R:.2f}, D = {D:.2f}.",
                   "在整个测试集上（模型卡）：R = {R:.2f}，D = {D:.2f}。"),
    "to.source_gallery": ("{n} MNIST test digits from the shipped gallery", " {n} 个来自附带图库的 MNIST 测试数字"),
    "to.source_training": ("{n} MNIST training digits (no gallery shipped)", " {n} 个 MNIST 训练数字（未附带图库）"),
    "to.kl_title": ("KL per latent dimension at β = {b:g}", "β = {b:g} 时每个潜在维度的 KL"),
    "to.status.none": ("No live run yet: press **Start**. ({running} of {capacity} trainers busy on this server.)",
                       "还没有实时训练：按**开始**。（本服务器 {capacity} 个训练器中有 {running} 个正忙。）"),
    "to.status.none_short": ("No live run yet: press **Start**.", "还没有实时训练：按**开始**。"),
    "to.status.waiting": ("⏳ **Waiting for a free trainer** ({k} ahead of you; {running} of {capacity} trainers busy). "
                          "Training starts by itself when one frees up.",
                          "⏳ **正在等待空闲的训练器**（你前面还有 {k} 个；{capacity} 个训练器中有 {running} 个正忙）。"
                          "有训练器空出来时会自动开始训练。"),
    "to.status.measuring": ("measuring…", "测量中…"),
    "to.status.running": ("▶ **Training**", "▶ **训练中**"),
    "to.status.paused": ("⏸ **Paused**", "⏸ **已暂停**"),
    "to.status.stopped": ("⏹ **Stopped**", "⏹ **已停止**"),
    "to.status.line": ("{head} · step {step} · {speed:.0f} steps/s · β = {beta:g} · {nums} · {model}",
                       "{head} · 第 {step} 步 · {speed:.0f} 步/秒 · β = {beta:g} · {nums} · {model}"),
    "to.status.restart": ("↻ fresh weights from step {step}: β fell {prev:g} → {beta:g} while {closed} of {units} "
                          "latent dimensions were closed (KL ≈ 0), and a closed dimension does not reopen",
                          "↻ 从第 {step} 步起换成新的初始权重：β 从 {prev:g} 降到 {beta:g}，而 {units} 个潜在维度中"
                          "有 {closed} 个已被关掉（KL ≈ 0），关掉的维度不会再打开"),
    "to.from_sweep": ("started from {name}", "从 {name} 开始"),
    "to.from_scratch": ("from scratch, {z}-D latent", "从头开始，{z} 维潜在空间"),
    "to.curves_empty": ("Curves appear here once training starts ({msg}).", "训练开始后，曲线会显示在这里（{msg}）。"),
    "to.msg_waiting": ("waiting for a free trainer", "正在等待空闲的训练器"),
    "to.msg_none": ("no live run yet", "还没有实时训练"),
    "to.ellipses_empty": ("Posterior ellipses appear here for a 2-D latent.", "潜在空间为二维时，后验椭圆会显示在这里。"),
    "to.ellipses_dims": ("Posterior ellipses are drawn for a 2-D latent (this run has {z}).",
                         "后验椭圆只对二维潜在空间绘制（这次训练是 {z} 维）。"),
    "to.ellipses_title": ("Posteriors q(z|x) of {n} test digits at step {step}, β = {beta:g}",
                          "第 {step} 步、β = {beta:g} 时 {n} 个测试数字的后验 q(z|x)"),
    "to.live_plane_title": ("Rate–distortion plane: the live run (orange) and the trained sweep",
                            "码率–失真平面：实时训练（橙色）与训练好的扫描"),
    "to.reason.stopped": ("stopped by you", "被你停止"),
    "to.reason.closed": ("page closed", "页面已关闭"),
    "to.reason.replaced": ("replaced by a new run", "被新的训练取代"),
    "to.reason.idle": ("stopped after {s} s without the page asking for news", "页面 {s} 秒没有询问进展，已停止"),
    "to.reason.limit": ("stopped at the time limit of {s} s per run", "达到每次训练 {s} 秒的时间上限，已停止"),
    "to.reason.not_this": ("no longer this session's run", "已不是本会话的训练"),
    "to.reason.session": ("session ended", "会话已结束"),
    "to.reason.queue": ("left the queue: no poll from its page", "已离开队列：页面没有再询问"),
    # figures
    "to.fig.plane": ("Rate–distortion plane", "码率–失真平面"),
    "to.fig.const_elbo": ("constant ELBO: D + R = const", "等证据下界线：D + R = 常数"),
    "to.fig.sweep": ("trained models (β sweep)", "训练好的模型（β 扫描）"),
    "to.fig.beta_one": ("β = 1 (the plain VAE: best ELBO)", "β = 1（普通变分自编码器：最好的证据下界）"),
    "to.fig.chosen": ("chosen β = {b:g}", "所选 β = {b:g}"),
    "to.fig.slope": ("slope −β: D + {b:g}·R = const", "斜率 −β：D + {b:g}·R = 常数"),
    "to.fig.restart": ("fresh weights (β {prev:g} → {beta:g})", "新的初始权重（β {prev:g} → {beta:g}）"),
    "to.fig.live_path": ("live run (path)", "实时训练（路径）"),
    "to.fig.live_now": ("live model now{beta}", "实时模型当前位置{beta}"),
    "to.fig.rate_axis": ("rate R = KL(q(z|x) ‖ p(z)), nats", "码率 R = KL(q(z|x) ‖ p(z))，nats"),
    "to.fig.dist_axis": ("distortion D = −E_q log p(x|z), nats", "失真 D = −E_q log p(x|z)，nats"),
    "to.fig.curves_title": ("Live training on a fixed test batch", "在固定测试批次上的实时训练"),
    "to.fig.objective": ("objective D + β·R", "目标 D + β·R"),
    "to.fig.distortion": ("distortion D", "失真 D"),
    "to.fig.rate": ("rate R", "码率 R"),
    "to.fig.beta_right": ("β (right axis)", "β（右轴）"),
    "to.fig.step": ("training step", "训练步数"),
    "to.fig.nats_digit": ("nats per digit", "每个数字的 nats"),
    "to.fig.active": ("active (Var over x of μ > 0.01)", "活跃（μ 在 x 上的方差 > 0.01）"),
    "to.fig.inactive": ("inactive (collapsed to the prior)", "不活跃（塌缩到先验）"),
    "to.fig.active_title": ("{title}: {active} of {n} dimensions active", "{title}：{n} 个维度中 {active} 个活跃"),
    "to.fig.latent_dim": ("latent dimension", "潜在维度"),
    "to.fig.kl_axis": ("KL(q(z_j|x) ‖ N(0,1)), nats", "KL(q(z_j|x) ‖ N(0,1))，nats"),
    "to.fig.prior_ring": ("prior N(0, I), {n:g}σ", "先验 N(0, I)，{n:g}σ"),
    "to.fig.class": ("class", "类别"),
    "to.fig.dimension": ("dimension", "维度"),
})

NAMES_ZH.update({"pixel index i": "像素序号 i", "step": "步数", "rows kept": "保留的行数",
                 "number of completions": "补全个数"})
HINTS_ZH.update({" (raster order: row * 28 + column)": "（光栅顺序：行 * 28 + 列）",
                 " (pixels drawn so far, 0..784)": "（已生成的像素数，0..784）",
                 " (1 = the model itself)": "（1 = 模型本身）"})

add({  # tab: per-pixel probabilities (ui/pixels.py, views/pixels.py, plots/pixels.py)
    "pix.explain": (
        "### An exact density, pixel by pixel\n"
        "A **PixelCNN** (van den Oord et al. 2016) is the image twin of the character models in the per-token "
        "tab: it orders the 784 pixels row by row, left to right, and predicts each black-or-white pixel from "
        "the ones before it, p(x) = ∏ᵢ p(xᵢ | x<ᵢ). Its convolutions are **masked** so that the prediction "
        "for pixel i never sees pixel i or anything after it; then **log p(x) = Σᵢ log p(xᵢ | x<ᵢ) is exact**, "
        "where the VAE only has a lower bound (the ELBO) and an importance-sampled estimate. The price: "
        "drawing a sample takes 784 steps, one pixel at a time.",
        "### 精确的密度，逐像素计算\n"
        "**PixelCNN**（van den Oord 等，2016）是逐 token 概率页中字符模型在图像上的对应：它把 784 个像素按行、"
        "从左到右排好顺序，用前面的像素预测每一个黑白像素，p(x) = ∏ᵢ p(xᵢ | x<ᵢ)（概率链式法则）。它的卷积带有"
        "**掩码**，因此对像素 i 的预测看不到像素 i 本身及其后的任何像素；于是 **log p(x) = Σᵢ log p(xᵢ | x<ᵢ) "
        "是精确的**（可处理密度），而变分自编码器只有一个下界（证据下界 ELBO）和一个重要性采样估计（近似密度）。"
        "代价是：采样生成一张图需要 784 步，一次一个像素。"),
    "pix.no_model": ("No PixelCNN checkpoint ships with this copy: train it with "
                     "`python -m explorer.training.pixelcnn --data-root <data root> --out checkpoints/pixelcnn_mnist`.",
                     "此副本没有附带 PixelCNN 检查点：请用 "
                     "`python -m explorer.training.pixelcnn --data-root <data root> --out checkpoints/pixelcnn_mnist` 训练。"),
    "pix.probs_head": ("#### Per-pixel conditional probabilities", "#### 逐像素条件概率"),
    "pix.x_from": ("digit from", "数字来源"),
    "pix.seed_pick": ("seed (test image pick)", "随机种子（选取测试图像）"),
    "pix.pixel": ("pixel i whose mask is shown (row × 28 + column)", "显示其掩码的像素 i（行 × 28 + 列）"),
    "pix.k": ("k importance samples for the VAE's log p(x)", "变分自编码器 log p(x) 的重要性采样数 k"),
    "pix.score": ("Score this digit", "计算这个数字的概率"),
    "pix.strip": ("x | x binarised (what both models score)", "x | 二值化的 x（两个模型评估的对象）"),
    "pix.numbers": ("exact log p(x) beside the VAE's bound", "精确的 log p(x) 与变分自编码器的下界"),
    "pix.maps": ("p(xᵢ = 1 | x<ᵢ) and −log p(xᵢ | x<ᵢ)", "p(xᵢ = 1 | x<ᵢ) 与 −log p(xᵢ | x<ᵢ)"),
    "pix.mask": ("the mask of pixel i", "像素 i 的掩码"),
    "pix.running": ("running sum of log p(xᵢ | x<ᵢ)", "log p(xᵢ | x<ᵢ) 的累加和"),
    "pix.sample_head": ("#### Sampling in raster order", "#### 按光栅顺序采样"),
    "pix.n_samples": ("digits", "数字个数"),
    "pix.seed": ("seed", "随机种子"),
    "pix.temperature": ("temperature (divides the logits; 1 = the model itself)", "温度（除以 logits；1 = 模型本身）"),
    "pix.sample": ("Sample", "采样"),
    "pix.samples": ("samples", "样本"),
    "pix.gif": ("raster order, animated", "光栅顺序（动画）"),
    "pix.step": ("step: pixels drawn so far (slate = not yet drawn, red = the next one)",
                 "步数：已生成的像素数（灰蓝 = 尚未生成，红色 = 下一个）"),
    "pix.step_image": ("the samples at this step", "这一步时的样本"),
    "pix.complete_head": ("#### Completion: hide the bottom, draw it again", "#### 补全：遮住下半部分，重新生成"),
    "pix.keep_rows": ("rows kept from the top", "保留的顶部行数"),
    "pix.n_completions": ("completions", "补全个数"),
    "pix.complete": ("Complete", "补全"),
    "pix.completion": ("x | what the model is given | completions", "x | 模型看到的部分 | 补全结果"),
    "pix.scatter_head": ("#### Exact vs bound on the test set", "#### 测试集上：精确密度与下界"),
    "pix.scatter": ("test digits: exact log p(x) vs the VAE", "测试集数字：精确的 log p(x) 与变分自编码器"),
    # computed text (views/pixels.py)
    "pix.md.scored": ("**x** = {what}, binarised with the fixed seed the test set used; both models score exactly "
                      "these black-or-white pixels.",
                      "**x** = {what}，用与测试集相同的固定随机种子二值化；两个模型评估的正是这些黑白像素。"),
    "pix.md.exact": ("**PixelCNN: exact log p(x)** = Σᵢ log p(xᵢ \\| x<ᵢ) over {n} pixels",
                     "**PixelCNN：精确的 log p(x)** = 对 {n} 个像素求和 Σᵢ log p(xᵢ \\| x<ᵢ)"),
    "pix.md.iwae": ("VAE ({vae}): log p(x) ≈ importance-sampled, k = {k}", "变分自编码器（{vae}）：log p(x) ≈ 重要性采样，k = {k}"),
    "pix.md.elbo": ("VAE ({vae}): ELBO (a lower bound)", "变分自编码器（{vae}）：证据下界 ELBO"),
    "pix.md.gap": ("exact − VAE's importance-sampled estimate", "精确值 − 变分自编码器的重要性采样估计"),
    "pix.md.pixel": ("Pixel i = {i} (row {r}, col {c}): x_i = {xi}, p(x_i = 1 | x<i) = {p:.3f}, "
                     "log p(x_i | x<i) = {lp:.3f} nats.",
                     "像素 i = {i}（第 {r} 行，第 {c} 列）：x_i = {xi}，p(x_i = 1 | x<i) = {p:.3f}，"
                     "log p(x_i | x<i) = {lp:.3f} nats。"),
    "pix.md.percentile": ("The PixelCNN finds this digit more likely than {pct:.1f} % of the {n:,} test digits.",
                          "PixelCNN 认为这个数字比 {pct:.1f} % 的测试集数字（共 {n:,} 个）更可能。"),
    "pix.md.samples": ("{n} digits drawn pixel by pixel in raster order (seed {seed}, temperature {temperature:g}); "
                       "their exact log p(x): mean {mean:.1f} nats, from {lo:.1f} to {hi:.1f}.",
                       "按光栅顺序逐像素采样生成的 {n} 个数字（随机种子 {seed}，温度 {temperature:g}）；"
                       "它们精确的 log p(x)：平均 {mean:.1f} nats，范围 {lo:.1f} 到 {hi:.1f}。"),
    "pix.md.completion": ("**x** = {what}, binarised. Strip: *x* | *what the model is given* (the top {rows} rows; "
                          "slate = hidden) | *{n} completions* drawn from p(x_rest | x_top) pixel by pixel "
                          "(seed {seed}, temperature {temperature:g}).\n\n"
                          "Exact log p(x): the original {orig:.1f} nats; the completions {values}.",
                          "**x** = {what}，已二值化。图条：*x* | *模型看到的部分*（顶部 {rows} 行；灰蓝 = 被遮住）| "
                          "从 p(x_rest | x_top) 逐像素采样的 *{n} 个补全*（随机种子 {seed}，温度 {temperature:g}）。\n\n"
                          "精确的 log p(x)：原图 {orig:.1f} nats；各补全 {values}。"),
    "err.pix.no_samples": ("draw some samples first (press 'Sample')", "请先采样（点击“采样”）"),
    # figures (plots/pixels.py)
    "pix.fig.maps": ("p(xᵢ = 1 | x<ᵢ) in raster order (left); −log p(xᵢ | x<ᵢ) of the pixel there "
                     "(right, ink outlined; sums to −log p(x) = {nll:.1f})",
                     "按光栅顺序的 p(xᵢ = 1 | x<ᵢ)（左）；该处像素的 −log p(xᵢ | x<ᵢ)"
                     "（右，笔画加框；总和为 −log p(x) = {nll:.1f}）"),
    "pix.fig.hover": ("pixel i = {i} (row {r}, col {c})", "像素 i = {i}（第 {r} 行，第 {c} 列）"),
    "pix.fig.cost": ("−log p (nats)", "−log p（nats）"),
    "pix.fig.mask": ("The mask for pixel i = {i} (row {r}, col {c}): it may see the {i} pixels before it "
                     "(blue; dark = the prediction leans on it, {seen} reached),<br>never itself or anything after it (grey)",
                     "像素 i = {i}（第 {r} 行，第 {c} 列）的掩码：它可以看到它之前的 {i} 个像素"
                     "（蓝色；越深 = 预测越依赖它，实际触及 {seen} 个），<br>看不到它本身及其后的任何像素（灰色）"),
    "pix.fig.influence": ("|∂ logitᵢ / ∂ xⱼ|<br>(scaled)", "|∂ logitᵢ / ∂ xⱼ|<br>（缩放后）"),
    "pix.fig.influence_hover": ("pixel j (row {r}, col {c})<br>influence {v}", "像素 j（第 {r} 行，第 {c} 列）<br>影响 {v}"),
    "pix.fig.running": ("The chain rule, pixel by pixel: log p(x) = Σᵢ log p(xᵢ | x<ᵢ)",
                        "逐像素的概率链式法则：log p(x) = Σᵢ log p(xᵢ | x<ᵢ)"),
    "pix.fig.running_trace": ("running Σ log p(xⱼ | x<ⱼ)", "累加 Σ log p(xⱼ | x<ⱼ)"),
    "pix.fig.exact": ("PixelCNN exact log p(x) = {v:.2f}", "PixelCNN 精确的 log p(x) = {v:.2f}"),
    "pix.fig.iwae": ("VAE log p(x) ≈ {v:.2f} (IWAE, k = {k})", "变分自编码器 log p(x) ≈ {v:.2f}（IWAE，k = {k}）"),
    "pix.fig.elbo": ("VAE ELBO = {v:.2f}", "变分自编码器 ELBO = {v:.2f}"),
    "pix.fig.pixel_axis": ("pixel i (raster order)", "像素 i（光栅顺序）"),
    "pix.fig.scatter": ("{n:,} test digits ({shown:,} drawn): exact log p(x) vs the VAE's estimate (left; "
                        "PixelCNN higher on {better:.0f} %) and vs the ELBO (right)",
                        "测试集 {n:,} 个数字（画出 {shown:,} 个）：精确 log p(x) 对比变分自编码器的估计（左；"
                        "PixelCNN 更高的占 {better:.0f} %）与证据下界 ELBO（右）"),
    "pix.fig.vae_iwae_axis": ("VAE log p(x), IWAE (nats)", "变分自编码器 log p(x)，IWAE（nats）"),
    "pix.fig.pixelcnn_axis": ("PixelCNN log p(x) (nats)", "PixelCNN log p(x)（nats）"),
    "pix.fig.elbo_axis": ("VAE ELBO (nats)", "变分自编码器 ELBO（nats）"),
    "pix.fig.log_px_axis": ("log p(x) (nats)", "log p(x)（nats）"),
    "pix.fig.exact_name": ("PixelCNN exact log p(x)", "PixelCNN 精确的 log p(x)"),
    "pix.fig.iwae_name": ("VAE IWAE log p(x)", "变分自编码器 IWAE log p(x)"),
    "pix.fig.digit": ("digit", "数字"),
})

add({  # gradio's own words that its zh-CN table lacks: the sketchpad's (gradio's image editor) tools
    # not "image_editor.brush": ui/image_input.py finds the brush button by its label "Brush"
    "image_editor.add_layer": ("Add Layer", "添加图层"),
    "image_editor.brush_size": ("Brush Size", "画笔大小"), "image_editor.clear_canvas": ("Clear canvas", "清空画布"),
    "image_editor.color": ("Color", "颜色"), "image_editor.confirm_crop": ("Confirm crop", "确认裁剪"),
    "image_editor.crop": ("Crop", "裁剪"), "image_editor.erase": ("Erase", "橡皮擦"),
    "image_editor.eraser_size": ("Eraser Size", "橡皮擦大小"), "image_editor.fit_to_screen": ("Fit to screen", "适应画面"),
    "image_editor.layer": ("Layer", "图层"), "image_editor.layers": ("Layers", "图层"), "image_editor.pan": ("Pan", "平移"),
    "image_editor.paste": ("Paste", "粘贴"), "image_editor.redo": ("Redo", "重做"), "image_editor.resize": ("Resize", "调整大小"),
    "image_editor.save_changes": ("Save changes", "保存更改"),
    "image_editor.select_draw_tool": ("select the draw tool to start", "请先选择画笔工具"),
    "image_editor.show_layers": ("Show Layers", "显示图层"), "image_editor.upload": ("Upload", "上传"),
    "image_editor.upload_image": ("Upload an image", "上传一张图像"), "image_editor.webcam": ("Webcam", "摄像头"),
    "image_editor.zoom_in": ("Zoom in", "放大"), "image_editor.zoom_out": ("Zoom out", "缩小"),
})

# the newer tabs keep their strings beside each other, one module per tab (each calls add() above)
from .texts import conditional, lecture, mass, reparam, sigma  # noqa: E402,F401
