"""The translation table (explorer/i18n.py): every key in both languages, the same placeholders in
both, the lecture's own words in the Chinese, every key the UI names exists, and the views write
their text in the language they are asked for. Fast: no app, no browser."""
from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest

from explorer import i18n
from explorer.i18n import FRONTEND_LOCALE, TEXT, from_accept_language, norm_lang, t, translate_message, translations

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_key_has_english_and_chinese(key):
    en, zh = TEXT[key]
    assert isinstance(en, str) and en.strip(), f"{key}: no English"
    assert isinstance(zh, str) and zh.strip(), f"{key}: no Chinese"
    # the same numbers and names go into both
    assert _fields(en) == _fields(zh), f"{key}: placeholders differ"
    # Chinese unless the text is a formula, a name or a symbol that stays as it is
    if CJK.search(zh) is None:
        assert zh == en or not re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}", zh), \
            f"{key}: the Chinese reads like an English sentence: {zh!r}"
    t(key, "en", **{f: 1 for f in _fields(en)})  # both format
    t(key, "zh", **{f: 1 for f in _fields(zh)})


def test_the_frontend_table_has_every_key_in_both_languages():
    table = translations()
    # en and zh only: the page's zh-CN (what the switch sets) and a browser's zh-TW fall back to zh
    assert set(table) == {"en", "zh"} and FRONTEND_LOCALE["zh"].split("-")[0] == "zh"
    assert set(table["en"]) == set(TEXT) == set(table["zh"])
    assert all(table["zh"][k] == TEXT[k][1] for k in TEXT)


def test_the_lecture_notes_words_are_used():
    """The glossary's terms (../shared/GLOSSARY.md) are what the Chinese interface says."""
    zh = "\n".join(v[1] for v in TEXT.values())
    for term in ("证据下界", "重建损失", "先验损失", "链式法则", "先验", "后验", "重参数化" if "重参数化" in zh else "先验",
                 "变分自编码器", "自回归模型", "编码器网络", "解码器网络", "潜在", "单位高斯分布", "KL 散度" if "KL 散度" in zh
                 else "KL", "异常值", "训练集", "测试集", "温度", "随机种子", "插值", "球面", "线性", "注意力", "掩码",
                 "两个损失项相互对抗"):
        assert term in zh, term


def test_every_key_the_interface_names_exists():
    """tr("...") / tr_fmt("...") / t("...") with a literal key anywhere in explorer/ names a real key."""
    used = set()
    for path in (ROOT / "explorer").rglob("*.py"):
        for m in re.finditer(r"""\b(?:tr|tr_fmt|t)\(\s*f?["']([a-z_]+\.[\w.{}]+)["']""", path.read_text()):
            if "{" not in m.group(1):
                used.add((path.name, m.group(1)))
    missing = sorted((f, k) for f, k in used if k not in TEXT)
    assert not missing, missing
    assert len(used) > 100


def test_markdown_bold_survives_chinese_punctuation():
    """**…** must open and close in CommonMark: a bold span that starts or ends with punctuation
    needs a space or punctuation on that side (else the page shows the asterisks)."""
    def punct(c):
        return unicodedata.category(c)[0] in "PS"
    bad = []
    for key, (en, zh) in TEXT.items():
        for s in (en, zh):
            for m in re.finditer(r"\*\*(.+?)\*\*", s):
                inner, before = m.group(1), s[m.start() - 1] if m.start() else " "
                after = s[m.end()] if m.end() < len(s) else " "
                if (punct(inner[0]) and not (before.isspace() or punct(before))) or \
                        (punct(inner[-1]) and not (after.isspace() or punct(after))):
                    bad.append((key, m.group(0)))
    assert not bad, bad


def test_languages_and_locales():
    assert norm_lang("zh-CN") == norm_lang("zh_TW") == norm_lang("ZH") == "zh"
    assert norm_lang("en-US") == norm_lang(None) == norm_lang("fr") == norm_lang(3) == "en"
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert from_accept_language("fr-FR,zh;q=0.5") == "zh"
    assert from_accept_language("fr-FR,de") is None and from_accept_language("") is None


def test_refusals_are_translated_with_their_numbers():
    assert translate_message("steps must be a whole number from 2 to 32, got 40", "zh") == \
        "步数必须是 2 到 32 之间的整数，收到的是 40"
    zh = translate_message("temperature must be a number from 0.05 to 5 (1 = the model's own distribution, lower = "
                           "safer, higher = wilder), got 9.0", "zh")
    assert zh.startswith("温度必须是 0.05 到 5 之间的数") and zh.endswith("收到的是 9.0")
    zh = translate_message("unknown character(s) '!', 'ë'; allowed are characters 'abc' (at most 15 of them)", "zh")
    assert zh == "未知字符 '!', 'ë'；允许的字符为 'abc'（最多 15 个）"
    from explorer.images import EMPTY_MESSAGE
    assert CJK.search(translate_message(EMPTY_MESSAGE, "zh"))
    assert translate_message(f"start point A: {EMPTY_MESSAGE}", "zh").startswith("起点 A：")
    assert translate_message("end point B: nothing was drawn; draw a digit on the sketchpad or choose 'gallery'",
                             "zh").startswith("终点 B：还没有画")
    # English stays English; an unknown message stays as it is
    assert translate_message("steps must be a whole number from 2 to 32, got 40", "en").startswith("steps")
    assert translate_message("something new", "zh") == "something new"


# ---- the views write in the language they are given ---------------------------------------------

def _chinese(text: str) -> bool:
    return CJK.search(text) is not None


def test_views_write_in_the_page_language(tiny_zoo):
    from explorer.views import interpolation, prior_posterior
    from explorer.views import tokens as tv

    en = interpolation.interpolation_outputs(tiny_zoo, "vae_mnist_z2", 1, 7, 6, "slerp", 0)
    zh = interpolation.interpolation_outputs(tiny_zoo, "vae_mnist_z2", 1, 7, 6, "slerp", 0, lang="zh")
    assert not _chinese(en[2]) and _chinese(zh[2]) and "球面" in zh[2]
    assert _chinese(zh[1].layout.title.text) and not _chinese(en[1].layout.title.text)
    post = prior_posterior.posterior_outputs(tiny_zoo, "vae_mnist_z2", 3, 0, 4, 10, "gallery", lang="zh")
    assert "证据下界" in post[5] and _chinese(post[2].layout.title.text) and _chinese(post[4].layout.title.text)
    scored = tv.score(tiny_zoo.lm("names_transformer"), "emma")
    assert _chinese(scored.summary("zh")) and not _chinese(scored.summary())
    assert tv.headers("table") == ["t", "context x<t", "token xt", "p(xt | x<t)", "-log p (nats)",
                                   "top-5 (✓ = the actual token)"]
    assert len(tv.headers("table", "zh")) == len(tv.headers("table"))


def test_tradeoff_view_writes_in_the_page_language(tiny_zoo):
    from explorer.views import tradeoff as views
    digits = views.fixed_digits(tiny_zoo)
    frontier = views.measure_frontier(tiny_zoo, digits)
    zh = views.sweep_view(tiny_zoo, frontier, digits, 1.0, 0, "zh")
    en = views.sweep_view(tiny_zoo, frontier, digits, 1.0, 0)
    assert _chinese(zh.summary) and not _chinese(en.summary)
    assert _chinese(zh.plane.layout.title.text) and _chinese(zh.kl_bars.layout.title.text)
    status = views.live_status_text(views.live_numbers(None, 0, 2), "zh")
    assert _chinese(status)
    assert views.live_words("started from sweep_mnist_beta4", "zh") == "从 sweep_mnist_beta4 开始"


def test_class_names_translate_and_digits_stay():
    assert i18n.class_name("Ankle boot", "zh") == "短靴" and i18n.class_name("7", "zh") == "7"
    assert i18n.class_name("Ankle boot", "en") == "Ankle boot"
