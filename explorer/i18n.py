"""Every sentence a student reads, in English and in Chinese (the lecture notes' words, from
../shared/GLOSSARY.md; formulas stay as they are). No gradio here: views and plots call t();
explorer/ui/page.py turns the same table into the gr.I18n that translates static component text
in the browser.

    t("pp.numbers.outlier", "zh", ds="MNIST")      # text a handler computes, in the page's language
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
FRONTEND_LOCALES = {"en": ("en",), "zh": ("zh", "zh-CN", "zh-TW", "zh-HK", "zh-SG")}
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


def check_lang(value) -> str:
    """A lang argument from the API: None/'' means English; a known language or locale is accepted;
    anything else is refused (raised by the caller's InputError type)."""
    if value is None or value == "":
        return DEFAULT_LANG
    if isinstance(value, str) and re.fullmatch(r"(en|zh)([-_][A-Za-z]{2,4})?", value.strip(), re.I):
        return norm_lang(value)
    from .errors import InputError
    raise InputError(f"lang must be 'en' or 'zh', got {value!r}")


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


WORDS_ZH = {
    # model labels (zoo.VAEEntry.label, zoo.LMEntry.label)
    "GRU (RNN)": "GRU（RNN）",
    "-D latent": " 维潜在空间",
}


def vae_label(dataset_label: str, latent_dim: int, lang: str = DEFAULT_LANG) -> str:
    """'MNIST, 2-D latent' / 'MNIST，2 维潜在空间'."""
    if norm_lang(lang) == "zh":
        return f"{dataset_label}，{latent_dim} 维潜在空间"
    return f"{dataset_label}, {latent_dim}-D latent"


def lm_label(label: str, lang: str = DEFAULT_LANG) -> str:
    return WORDS_ZH.get(label, label) if norm_lang(lang) == "zh" else label


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


def translate_message(message: str, lang: str = DEFAULT_LANG) -> str:
    """A refusal raised in English, in lang: the known messages whole, numbers and names kept."""
    if norm_lang(lang) != "zh":
        return message
    for key, (en, zh) in TEXT.items():
        if key.startswith("err.") and message == en:
            return zh
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


def pattern(regex: str, zh: str) -> None:
    """Register a message pattern: named groups are copied into zh; 'name'/'hint'/'prefix' are
    translated through NAMES_ZH / HINTS_ZH."""
    _pattern(regex, zh)



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
        "**变分自编码器（VAE）**给出它的一个下界，即证据下界（ELBO）= E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))。"),
    "page.lang": ("Language / 语言", "语言 / Language"),
    "page.present": ("Presenter mode (large type for a projector)", "演示模式（投影仪用大字号）"),
    "page.link_btn": ("🔗 Link to this view", "🔗 链接到此视图"),
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
