"""Strings of the mass tab: a normalised model's probability is a fixed budget that names compete
for (see explorer/texts/__init__.py). Refusals are "err.mass." keys: ui.common.friendly finds a
raised message's translation among the "err." templates."""
from ..i18n import add

add({
    "mass.explain": (
        "### Probability mass competes: ∫p(x)dx = 1\n"
        "A **normalised** model has exactly one unit of probability to share among *all* strings. For the "
        "character models the **chain rule of probability** gives every name its exact share, end token "
        "included: P(name) = ∏ₜ p(cₜ | c₍<ₜ₎) · p(end | name). Below, every name of up to L characters "
        "is enumerated through the prefix tree (26 + 676 + 17,576 names for L = 3) and its probability "
        "summed by length; what is left over belongs to longer names. The sum is 1 at every "
        "**temperature**: making some names likelier must take mass from others.",
        "### 概率质量相互竞争：∫p(x)dx = 1\n"
        "一个**归一化**的模型只有一个单位的概率，要分给*所有*字符串。对字符模型而言，**概率链式法则**给出"
        "每个名字的精确份额（包括结束 token）：P(name) = ∏ₜ p(cₜ | c₍<ₜ₎) · p(end | name)。"
        "下面沿前缀树枚举所有不超过 L 个字符的名字（L = 3 时共 26 + 676 + 17,576 个），"
        "并按长度把概率加起来；剩下的部分属于更长的名字。在任何**温度**下总和都是 1："
        "让某些名字更可能，就必须从别的名字那里拿走概率质量。"),
    "mass.model": ("Model", "模型"),
    "mass.length": ("Maximum length L (characters after the prefix)", "最大长度 L（前缀之后的字符数）"),
    "mass.temperature": ("Temperature T (p_T ∝ p^(1/T) at each step)", "温度 T（每一步 p_T ∝ p^(1/T)）"),
    "mass.prefix": ("Prefix (optional): only names starting with it", "前缀（可选）：只看以它开头的名字"),
    "mass.prefix_info": ("lower-case a–z, e.g. 'em'; empty = every name", "小写字母 a–z，例如 'em'；留空 = 所有名字"),
    "mass.run": ("Enumerate", "枚举"),
    "mass.lengths": ("Mass per length", "各长度的概率质量"),
    "mass.top": ("The most likely names", "最可能的名字"),
    "mass.vs_T": (
        "#### Temperature moves mass, it never creates it\n"
        "T < 1 sharpens every step's distribution (p^(1/T), renormalised): the favourite names and short "
        "names gain, the rest lose. T > 1 flattens it: mass spreads over many unlikely, longer names. "
        "The lines move; their sum (the dark line) stays at 1.",
        "#### 温度只会搬运概率质量，不会创造它\n"
        "T < 1 让每一步的分布更尖锐（p^(1/T) 再归一化）：最受欢迎的名字和短名字得到更多，其余的失去；"
        "T > 1 让分布更平坦：概率质量分散到许多不太可能的长名字上。各条曲线此消彼长，它们的和（深色线）始终为 1。"),
    "mass.no_model": ("No character model is loaded: train one with `python -m explorer.training.train transformer` "
                      "(see the README).",
                      "没有加载字符模型：请用 `python -m explorer.training.train transformer` 训练一个（见 README）。"),
    "mass.longer": ("longer than {n}", "长于 {n}"),
    "mass.sum": ("Σ (total)", "Σ（总和）"),
    "mass.status.empty": ("the empty name", "空名字"),
    "mass.h.lengths": ("length\nnames\nP(length)\nshare", "长度\n名字数\nP(长度)\n占比"),
    "mass.h.top": ("#\nname\nP(name)\nabout 1 in\nlog P (nats)\ntraining set?",
                   "#\n名字\nP(名字)\n约几分之一\nlog P (nats)\n训练集中？"),
    "mass.summary": (
        "**{label}, T = {T:g}**: the {n:,} names of up to {L} characters, then everything longer:\n\n"
        "{terms} + P(|x| > {L}) = `{line}`",
        "**{label}，T = {T:g}**：不超过 {L} 个字符的 {n:,} 个名字，再加上所有更长的名字：\n\n"
        "{terms} + P(|x| > {L}) = `{line}`"),
    "mass.summary_prefix": (
        "Names starting with **'{prefix}'** get P = {budget:.4g} of the whole budget (about 1 in {one_in:,.0f}); "
        "the sum above is that share, split by length.",
        "以 **'{prefix}'** 开头的名字共占总预算的 P = {budget:.4g}（约 {one_in:,.0f} 分之一）；"
        "上面的总和就是这一份额，按长度拆开。"),
    "mass.summary_top": (
        "The top {k} names hold {top:.3g} of it. Among the {n:,} short names alone (renormalised), the entropy "
        "is {H:.2f} bits at T = {T:g}: at most {H_max:.1f} bits, if all were equally likely.",
        "前 {k} 个名字占其中的 {top:.3g}。只看这 {n:,} 个短名字（重新归一化），T = {T:g} 时熵为 {H:.2f} bits；"
        "若它们的可能性都相同，最多为 {H_max:.1f} bits。"),
    # figures
    "mass.fig.main_title": ("Where the probability goes: {label}, T = {T:g}{branch}",
                            "概率去了哪里：{label}，T = {T:g}{branch}"),
    "mass.fig.branch": (", names starting with '{prefix}'", "，以 '{prefix}' 开头的名字"),
    "mass.fig.len_i": ("length {n}", "长度 {n}"),
    "mass.fig.longer": ("longer<br>than {n}", "长于<br>{n} 个字符"),
    "mass.fig.total": ("total", "总和"),
    "mass.fig.mass": ("probability mass", "概率质量"),
    "mass.fig.length": ("name length (characters)", "名字长度（字符数）"),
    "mass.fig.n_names": ("{n:,} names", "{n:,} 个名字"),
    "mass.fig.top_title": ("Top {k} names, T = {T:g}", "前 {k} 个名字，T = {T:g}"),
    "mass.fig.in": ("in the training set", "在训练集中"),
    "mass.fig.new": ("new (not a training name)", "新名字（不在训练集中）"),
    "mass.fig.unknown": ("training set unknown", "未知是否在训练集中"),
    "mass.fig.empty": ("the empty name", "空名字"),
    "mass.fig.sweep_title": ("Mass per length vs temperature: the sum stays 1",
                             "各长度的概率质量随温度的变化：总和始终为 1"),
    "mass.fig.sum_line": ("sum of all (= 1)", "全部之和（= 1）"),
    "mass.fig.top_line": ("the top {k} names at T = {T:g}", "T = {T:g} 时的前 {k} 个名字"),
    "mass.fig.T": ("temperature T (log scale)", "温度 T（对数刻度）"),
    "mass.fig.entropy_title": ("Entropy of the short names (renormalised) vs temperature",
                               "短名字（重新归一化）的熵随温度的变化"),
    "mass.fig.entropy": ("entropy (bits)", "熵（bits）"),
    "mass.fig.chosen": ("T = {T:g}", "T = {T:g}"),
    # refusals (translated by ui.common.friendly from the English raised in views/mass.py)
    "err.mass.length": ("maximum length L must be a whole number from {lo} to {hi} (longer names would take too "
                        "long to enumerate), got {got}",
                        "最大长度 L 必须是 {lo} 到 {hi} 之间的整数（更长的名字枚举起来太慢），收到的是 {got}"),
    "err.mass.prefix_long": ("the prefix has {n} characters; with L = {L} at most {most} are allowed",
                             "前缀有 {n} 个字符；L = {L} 时最多允许 {most} 个"),
    "err.mass.prefix_type": ("the prefix must be text, got {kind}", "前缀必须是文本，收到的是 {kind}"),
})
