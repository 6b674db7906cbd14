"""Strings of the Gaussian decoder's panel in the reconstruction-vs-KL tab (see explorer/texts/__init__.py);
keys "to.sigma." (the tradeoff tab's namespace)."""
from ..i18n import add

add({
    "to.sigma.explain": (
        "### The lecture's Gaussian decoder: σ plays β's role\n"
        "With a **Gaussian decoder network** p(x|z) = N(x̂, σ²I) on grey digits (not binarised), "
        "log p(x|z) = −‖x − x̂‖²/(2σ²) − (D/2) log(2πσ²), D = 784 pixels. The loss to minimise, −ELBO = "
        "‖x − x̂‖²/(2σ²) + KL + const, equals (1/(2σ²)) · (‖x − x̂‖² + 2σ²·KL) + const: the same optimum "
        "as a β-VAE that trades **squared error** against the KL divergence with **β_eff = 2σ²**. "
        "A small σ (a sharp decoder) is a small β: a high rate and crisp reconstructions; a large σ is a large β: "
        "a low rate, blurry reconstructions, latent units that collapse to the prior.\n\n"
        "The lower panel of the plane puts three such decoders on the same rate axis, against the squared error "
        "per digit: the Gaussian −log p(x|z) itself shifts with σ by (D/2) log(2πσ²) (it is even negative for "
        "small σ), so it cannot be compared across σ. Each model's objective is constant along its dotted line "
        "of slope −2σ², as the β sweep's is along a line of slope −β above.",
        "### 课程中的高斯解码器：σ 起着 β 的作用\n"
        "在灰度数字（不做二值化）上使用**高斯解码器网络** p(x|z) = N(x̂, σ²I)，"
        "log p(x|z) = −‖x − x̂‖²/(2σ²) − (D/2) log(2πσ²)，D = 784 个像素。要最小化的损失 −ELBO = "
        "‖x − x̂‖²/(2σ²) + KL + 常数，等于 (1/(2σ²)) · (‖x − x̂‖² + 2σ²·KL) + 常数：它与一个用**平方误差**"
        "对抗 KL 散度、取 **β_eff = 2σ²** 的 β-VAE 有相同的最优解。"
        "σ 小（解码器很“尖锐”）就是 β 小：码率高、重建清晰；σ 大就是 β 大：码率低、重建模糊，"
        "潜在维度塌缩到先验。\n\n"
        "平面的下方面板把三个这样的解码器放在同一条码率轴上，纵轴是每个数字的平方误差："
        "高斯的 −log p(x|z) 本身会随 σ 平移 (D/2) log(2πσ²)（σ 小时甚至为负），所以不能跨 σ 比较。"
        "每个模型的目标沿它那条斜率为 −2σ² 的点线保持不变，正如上方 β 扫描沿斜率 −β 的直线一样。"),
    "to.sigma.panel_title": ("Gaussian decoders, grey digits: squared error vs rate",
                             "高斯解码器（灰度数字）：平方误差对码率"),
    "to.sigma.points": ("Gaussian decoders (σ)", "高斯解码器（σ）"),
    "to.sigma.slope": ("slope −β_eff = −2σ² (constant objective)", "斜率 −β_eff = −2σ²（目标不变）"),
    "to.sigma.err_axis": ("‖x − x̂‖² per digit", "每个数字的 ‖x − x̂‖²"),
    "to.sigma.recon": ("Gaussian decoders: grey test digits (top), then decode(μ) for σ = {sigmas} (rows, top to bottom)",
                       "高斯解码器：灰度测试数字（第一行），然后是 σ = {sigmas} 的 decode(μ)（自上而下各一行）"),
    "to.sigma.table": (
        "Measured on the same {n} fixed digits (grey) and the same ε as the β sweep; the last two columns are the "
        "whole test set's figures (checkpoints/manifest.json).\n\n"
        "| decoder | β_eff = 2σ² | rate R (nats) | ‖x − x̂‖² | −log p(x\\|z) (nats) | active units | test R | test ‖x − x̂‖² |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n{rows}",
        "在与 β 扫描相同的 {n} 个固定数字（灰度）和相同的 ε 上测得；最后两列是整个测试集上的数值"
        "（checkpoints/manifest.json）。\n\n"
        "| 解码器 | β_eff = 2σ² | 码率 R（nats） | ‖x − x̂‖² | −log p(x\\|z)（nats） | 活跃维度 | 测试集 R | 测试集 ‖x − x̂‖² |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n{rows}"),
})
