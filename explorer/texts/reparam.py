"""Strings of the reparam tab (see explorer/texts/__init__.py)."""
from ..i18n import add

add({
    "rep.explain": (
        "### Reparameterisation: sampling that gradients can pass through\n"
        "The encoder network gives μ and σ of q(z|x) = N(μ, σ²I). Training needs the gradient of "
        "E_q[log p(x|z)] with respect to μ and σ, but a draw z ~ N(μ, σ²) taken directly is a black box: "
        "nothing says how z would move if μ or σ moved. The **reparameterisation** z = μ + σ ⊙ ε, ε ~ N(0, I) "
        "(Kingma & Welling 2013) moves the randomness into an input ε that needs no gradient; z is then an "
        "ordinary function of μ and σ, with ∂z/∂μ = 1 and ∂z/∂σ = ε. Below: n draws of ε from the unit Gaussian, "
        "the same draws as z in latent space inside the ellipses of q(z|x), what the decoder network makes "
        "of each, and the gradients that autograd actually computes, beside those of a direct draw.",
        "### 重参数化：让梯度能够穿过的采样\n"
        "编码器网络给出 q(z|x) = N(μ, σ²I) 的 μ 和 σ。训练需要 E_q[log p(x|z)] 对 μ 和 σ 的梯度，"
        "但直接抽取的 z ~ N(μ, σ²) 是一个黑箱：没有任何东西告诉我们 μ 或 σ 变化时 z 会怎样变化。"
        "**重参数化** z = μ + σ ⊙ ε，ε ~ N(0, I)（Kingma & Welling 2013）把随机性移到一个不需要梯度的输入 ε 中；"
        "于是 z 成为 μ 和 σ 的普通函数，∂z/∂μ = 1，∂z/∂σ = ε。下方：从单位高斯分布中抽取 n 个 ε，"
        "同一批样本在潜在空间中作为 z 落在 q(z|x) 的椭圆内，解码器网络对每个样本的输出，"
        "以及 autograd 实际算出的梯度，并与直接采样的梯度对比。"),
    "rep.no_model": ("This app ships no MNIST VAE (checkpoints vae_mnist_*): nothing to show here.",
                     "本应用没有附带 MNIST 变分自编码器（checkpoints vae_mnist_*）：此处无内容可显示。"),
    "rep.model": ("VAE", "变分自编码器"),
    "rep.x_from": ("digit x from", "数字 x 来源"),
    "rep.pick": ("seed (test image pick)", "随机种子（选取测试图像）"),
    "rep.seed": ("seed of ε", "ε 的随机种子"),
    "rep.n": ("draws n of ε ~ N(0, I)", "ε ~ N(0, I) 的抽样次数 n"),
    "rep.run": ("Draw and differentiate", "采样并求导"),
    "rep.latent": ("ε and z = μ + σ ⊙ ε", "ε 与 z = μ + σ ⊙ ε"),
    "rep.images": ("x | x binarised | decode(μ) ‖ decode(zᵢ) for each draw", "x | 二值化的 x | decode(μ) ‖ 每个样本的 decode(zᵢ)"),
    "rep.graph": ("Computation graph: forward (black), gradients (red)", "计算图：前向（黑色），梯度（红色）"),
    "rep.numbers": ("Gradients", "梯度"),
    "rep.raw": ("ε, z, μ, σ and the gradients as numbers", "ε、z、μ、σ 与梯度的数值"),
    "rep.raw_label": ("/reparameterize returns this", "/reparameterize 返回这些"),
    # figures
    "rep.fig.unit": ("unit Gaussian, {k} sd", "单位高斯分布，{k} 个标准差"),
    "rep.fig.posterior": ("q(z|x), {k} sd", "q(z|x)，{k} 个标准差"),
    "rep.fig.eps": ("draws i: εᵢ (left), zᵢ (right)", "样本 i：εᵢ（左），zᵢ（右）"),
    "rep.fig.z": ("zᵢ = μ + σ ⊙ εᵢ", "zᵢ = μ + σ ⊙ εᵢ"),
    "rep.fig.dims_all": ("the 2-D latent", "二维潜在空间"),
    "rep.fig.dims_some": ("dimensions {a} and {b} of {z} (the smallest σ)", "{z} 维中的第 {a}、{b} 维（σ 最小）"),
    "rep.fig.title": ("The same draws, shifted by μ and stretched by σ: {which}",
                      "同一批样本，平移 μ、缩放 σ：{which}"),
    "rep.fig.left": ("ε ~ N(0, I): an input, no gradient", "ε ~ N(0, I)：输入，不需要梯度"),
    "rep.fig.right": ("z = μ + σ ⊙ ε inside q(z|x) (zoomed in)", "q(z|x) 中的 z = μ + σ ⊙ ε（放大）"),
    "rep.graph.encoder": ("encoder network", "编码器网络"),
    "rep.graph.decoder": ("decoder network", "解码器网络"),
    "rep.graph.eps": ("ε ~ N(0, I)", "ε ~ N(0, I)"),
    "rep.graph.loss": ("L = −log p(x|z)", "L = −log p(x|z)"),
    "rep.graph.back_mu": ("∂z/∂μ = 1 → ∂L/∂μ{d} = {g:+.3f}", "∂z/∂μ = 1 → ∂L/∂μ{d} = {g:+.3f}"),
    "rep.graph.back_sigma": ("∂z/∂σ = ε (ε{d} of draw 1 = {e:+.3f}) → ∂L/∂σ{d} = {g:+.3f}",
                             "∂z/∂σ = ε（样本 1 的 ε{d} = {e:+.3f}）→ ∂L/∂σ{d} = {g:+.3f}"),
    "rep.graph.eps_note": ("ε enters as an input: no gradient is needed (or asked) of it",
                           "ε 作为输入进入：不需要（也不求）它的梯度"),
    "rep.graph.direct": ("z ~ N(μ, σ²) (torch.normal)", "z ~ N(μ, σ²)（torch.normal）"),
    "rep.graph.direct_back": ("∂L/∂μ{d} = {gm:+.0f}<br>∂L/∂σ{d} = {gs:+.0f}<br>nothing flows back",
                              "∂L/∂μ{d} = {gm:+.0f}<br>∂L/∂σ{d} = {gs:+.0f}<br>没有梯度传回"),
    "rep.graph.head_top": ("<b>Reparameterised</b>: z = μ + σ ⊙ ε", "<b>重参数化</b>：z = μ + σ ⊙ ε"),
    "rep.graph.head_bottom": ("<b>Sampled directly</b>: z ~ N(μ, σ²)", "<b>直接采样</b>：z ~ N(μ, σ²)"),
    # the numbers
    "rep.md.head": ("**{what}**, `{model}`: n = {n} draws of ε (seed {seed}); reconstruction loss "
                    "L = −(1/n) Σᵢ log p(x|zᵢ) = **{loss:.2f}** nats (x binarised with the fixed seed).",
                    "**{what}**，`{model}`：ε 抽样 n = {n} 次（随机种子 {seed}）；重建损失 "
                    "L = −(1/n) Σᵢ log p(x|zᵢ) = **{loss:.2f}** nats（x 用固定种子二值化）。"),
    "rep.md.autograd": (
        "Autograd, draw by draw: ∂zᵢ/∂μ = 1 (largest |∂z/∂μ − 1| = {ones:.1e}) and ∂zᵢ/∂σ = εᵢ "
        "(largest |∂z/∂σ − ε| = {eps:.1e}); by the chain rule ∂L/∂σ = Σᵢ εᵢ ⊙ ∂L/∂zᵢ (largest difference "
        "{chain:.1e}). Through a direct draw z ~ N(μ, σ²) (torch.normal), the largest |∂L/∂μ|, |∂L/∂σ| is "
        "**{direct:.1f}**: no gradient reaches the encoder network.",
        "Autograd 逐个样本：∂zᵢ/∂μ = 1（|∂z/∂μ − 1| 的最大值 = {ones:.1e}），∂zᵢ/∂σ = εᵢ"
        "（|∂z/∂σ − ε| 的最大值 = {eps:.1e}）；由链式法则 ∂L/∂σ = Σᵢ εᵢ ⊙ ∂L/∂zᵢ（最大差 {chain:.1e}）。"
        "通过直接采样 z ~ N(μ, σ²)（torch.normal），|∂L/∂μ|、|∂L/∂σ| 的最大值是 **{direct:.1f}**："
        "没有梯度传到编码器网络。"),
    "rep.md.table_head": (
        "| dim | μ | σ | mean of zᵢ | sd of zᵢ | ∂L/∂μ | ∂L/∂σ | direct ∂L/∂μ | direct ∂L/∂σ |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| 维度 | μ | σ | zᵢ 的均值 | zᵢ 的标准差 | ∂L/∂μ | ∂L/∂σ | 直接采样 ∂L/∂μ | 直接采样 ∂L/∂σ |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"),
    "rep.md.more_dims": ("The {k} dimensions with the smallest σ of {z}; /reparameterize returns all of them.",
                         "显示 {z} 维中 σ 最小的 {k} 维；/reparameterize 返回全部维度。"),
    # refusals (ui/common.friendly shows them in the page's language)
    "err.rep.draws": ("number of draws n must be a whole number from {lo} to {hi}, got {got}",
                      "抽样次数 n 必须是 {lo} 到 {hi} 之间的整数，收到的是 {got}"),
    "err.rep.model": ("model must be one of {allowed}, got {got}", "模型必须是 {allowed} 之一，收到的是 {got}"),
})
