"""Strings of the conditional tab (see explorer/texts/__init__.py)."""
from ..i18n import add

add({
    # this tab offers test images and noise, not the other tabs' "gallery"
    "err.cond.nothing_drawn": ("x: nothing was drawn; draw on the sketchpad, or pick a test image or noise",
                               "x：什么也没画；请在画板上手绘，或选择一张测试图像或噪声"),
    "err.cond.nothing_uploaded": ("x: nothing was uploaded; upload a PNG or JPEG image, or pick a test image or noise",
                                  "x：没有上传任何图像；请上传 PNG 或 JPEG 图像，或选择一张测试图像或噪声"),
    # ---- layout (ui/conditional.py)
    "cond.explain": (
        "A **discriminative model** p(y|x) gives a probability over labels for each input: labels compete, "
        "inputs do not, so it labels anything, even noise. A **conditional generative model** p(x|y) gives a "
        "density over inputs for each label. With Bayes' rule, p(y|x) = p(x|y) p(y) / p(x) and "
        "log p(x) = logsumexp_y [log p(x|y) + log p(y)], it assigns labels while rejecting outliers, and it "
        "samples data from a label. Here p(x|y) is a conditional VAE (the label's one-hot goes to the encoder "
        "and the decoder; log p(x|y) is importance-sampled), and p(y|x) a small CNN; both see the same "
        "black-and-white pixels.",
        "**判别模型** p(y|x) 对每个输入给出标签上的概率：标签之间相互竞争，输入之间不竞争，所以它给任何输入"
        "都贴上标签，连噪声也不例外。**条件生成模型** p(x|y) 给出每个标签下输入的密度函数。借助贝叶斯规则 "
        "p(y|x) = p(x|y) p(y) / p(x)，以及 log p(x) = logsumexp_y [log p(x|y) + log p(y)]，它可以在拒绝异常值"
        "的同时分配标签，也可以从标签中采样生成数据。这里的 p(x|y) 是一个条件变分自编码器（标签的 one-hot "
        "同时输入编码器网络和解码器网络；log p(x|y) 用重要性采样估计），p(y|x) 是一个小型卷积网络；两者看到的"
        "是同样的黑白像素。"),
    "cond.no_model": ("No conditional VAE ships with this copy: run `python -m explorer.training.build --only "
                      "cvae_mnist cvae_fashion clf_mnist clf_fashion` to train them.",
                      "此副本没有附带条件变分自编码器：运行 `python -m explorer.training.build --only "
                      "cvae_mnist cvae_fashion clf_mnist clf_fashion` 来训练它们。"),
    "cond.sample_head": ("### Sample data from a label: p(x|y)", "### 从标签中采样生成数据：p(x|y)"),
    "cond.sample_explain": (
        "z ~ N(0, I) is drawn from the prior and decoded together with the chosen label. Below, each row "
        "keeps one z and changes only the label: z carries what the label does not (slant, stroke width, "
        "shape), so the same style is written as every digit or garment.",
        "从先验中采样 z ~ N(0, I)，再与所选标签一起送入解码器网络。下方每一行固定一个 z，只改变标签："
        "z 承载标签之外的信息（倾斜、笔画粗细、形状），所以同一种风格被写成了每个数字或每种服装。"),
    "cond.dataset": ("Data set (model)", "数据集（模型）"),
    "cond.label": ("Label y", "标签 y"),
    "cond.n": ("Number of samples", "样本数"),
    "cond.seed": ("Seed", "随机种子"),
    "cond.styles": ("Rows of \"same z, every label\"", "“同一个 z，每个标签”的行数"),
    "cond.sample_btn": ("Sample", "采样"),
    "cond.samples": ("Samples of p(x|y)", "p(x|y) 的样本"),
    "cond.styles_img": ("Same z, every label (one row per z; columns: labels 0 to 9)",
                        "同一个 z，每个标签（每行一个 z；每列一个标签，0 到 9）"),
    "cond.classify_head": ("### Assign labels while rejecting outliers: p(y|x) against p(x|y) p(y)",
                           "### 在拒绝异常值的同时分配标签：p(y|x) 与 p(x|y) p(y)"),
    "cond.classify_explain": (
        "Pick an input: a test image of either data set (the other data set's images are outliers for this "
        "model), a drawing, an upload, or noise. Both classifiers answer; only the generative one can say "
        "\"this is not like my training data\": it rejects x when log p(x) is below the threshold chosen on "
        "held-out training images.",
        "选择一个输入：任一数据集的测试图像（另一个数据集的图像对这个模型来说是异常值）、手绘、上传的图像或噪声。"
        "两个分类器都会给出答案；只有生成模型能说“这不像我的训练数据”：当 log p(x) 低于在留出的训练图像上选定的"
        "阈值时，它拒绝 x。"),
    "cond.model": ("Model pair (trained on)", "模型对（训练数据）"),
    "cond.source": ("Input x", "输入 x"),
    "cond.src.mnist": ("MNIST test image", "MNIST 测试图像"),
    "cond.src.fashion": ("Fashion-MNIST test image", "Fashion-MNIST 测试图像"),
    "cond.src.draw": ("Draw", "手绘"),
    "cond.src.upload": ("Upload", "上传"),
    "cond.src.noise": ("Noise", "噪声"),
    "cond.index": ("Test image (index into the shipped gallery, 30 per class)",
                   "测试图像（随附图库中的序号，每类 30 张）"),
    "cond.noise_seed": ("Seed of the noise", "噪声的随机种子"),
    "cond.classify_btn": ("Classify", "分类"),
    "cond.input_img": ("x as given | the pixels both models see", "给定的 x | 两个模型看到的像素"),
    "cond.bars": ("Both classifiers' p(y|x)", "两个分类器的 p(y|x)"),
    "cond.hist": ("log p(x) against the threshold", "log p(x) 与阈值"),
    "cond.numbers": ("The numbers (what /classify returns)", "数值（/classify 返回的内容）"),
    "cond.ood_head": ("### Outlier detection on whole test sets, in both directions",
                      "### 在整个测试集上检测异常值：两个方向"),
    "cond.ood_explain": (
        "Recorded by the evaluation (checkpoints/manifest.json). AUROC = the chance that an in-distribution "
        "image gets a higher score than an outlier: 1 is perfect, 0.5 is guessing, below 0.5 the outliers "
        "look *more* typical. A model trained on Fashion-MNIST gives MNIST digits a higher likelihood than "
        "its own garments (Nalisnick et al. 2019, \"Do deep generative models know what they don't know?\"): "
        "simple images with many black pixels are likely under any of these models, so a low threshold on "
        "log p(x) cannot reject them.",
        "由评估记录（checkpoints/manifest.json）。AUROC = 分布内图像得分高于异常值的概率：1 为完美，0.5 等于"
        "瞎猜，低于 0.5 表示异常值看起来*更*典型。在 Fashion-MNIST 上训练的模型给 MNIST 数字的似然比给它自己的"
        "服装还高（Nalisnick 等，2019，《深度生成模型知道它们不知道什么吗？》）："
        "黑色像素很多的简单图像在这些模型下都很可能出现，所以 log p(x) 上的下限阈值无法拒绝它们。"),
    "cond.ood": ("log p(x): in-distribution test images against the other data set", "log p(x)：分布内测试图像与另一数据集"),

    # ---- names in messages (errors.check_int writes "<name> must be a whole number ...")
    "cond.name.label": ("label y", "标签 y"),
    "cond.name.index": ("test image index", "测试图像序号"),
    "cond.name.n": ("number of samples", "样本数"),
    "cond.name.styles": ("rows of \"same z, every label\"", "“同一个 z，每个标签”的行数"),
    "cond.err.dataset": ("data set must be one of {allowed}, got {got}", "数据集必须是 {allowed} 之一，收到的是 {got}"),
    "cond.err.source": ("input x must come from one of {allowed}, got {got}",
                        "输入 x 必须来自 {allowed} 之一，收到的是 {got}"),
    "cond.err.no_record": ("model {name} has no recorded evaluation (threshold, gallery); run `python -m "
                           "explorer.training.evaluate --only {name}` to create it",
                           "模型 {name} 没有记录的评估（阈值、图库）；运行 `python -m explorer.training.evaluate "
                           "--only {name}` 来生成"),

    # ---- what the handlers write (views/conditional.py)
    "cond.ds.mnist": ("MNIST", "MNIST"),
    "cond.ds.fashion": ("Fashion-MNIST", "Fashion-MNIST"),
    "cond.md.samples": ("{n} samples of **{cls}** from `{model}` (seed {seed}); below, {styles} latent codes z, "
                        "each decoded with every label.",
                        "来自 `{model}` 的 {n} 个 **{cls}** 样本（随机种子 {seed}）；下方是 {styles} 个潜在编码 z，"
                        "每个都用每个标签解码。"),
    "cond.md.test_image": ("{ds} test image #{i} ({cls})", "{ds} 测试图像 #{i}（{cls}）"),
    "cond.md.noise": ("uniform noise (seed {seed})", "均匀噪声（随机种子 {seed}）"),
    "cond.md.input": ("Input: {what}.", "输入：{what}。"),
    "cond.md.accepted": ("**Generative model: accepted, label {cls}** (p(y|x) = {p:.1f} %): "
                         "log p(x) = {logpx:.1f} nats ≥ threshold {thr:.1f}.",
                         "**生成模型：接受，标签为 {cls}**（p(y|x) = {p:.1f} %）："
                         "log p(x) = {logpx:.1f} nats ≥ 阈值 {thr:.1f}。"),
    "cond.md.rejected": ("**Generative model: rejected as an outlier**: log p(x) = {logpx:.1f} nats < "
                         "threshold {thr:.1f}, so it assigns no label.",
                         "**生成模型：作为异常值拒绝**：log p(x) = {logpx:.1f} nats < 阈值 {thr:.1f}，"
                         "所以它不分配标签。"),
    "cond.md.discriminative": ("Discriminative model: **{cls}** with {p:.1f} % (it has no way to refuse).",
                               "判别模型：**{cls}**，概率 {p:.1f} %（它无法拒绝）。"),
    "cond.md.percentile": ("{pct:.1f} % of the held-out training images have a lower log p(x) "
                           "(k = {k} importance samples per label, as in the evaluation).",
                           "留出的训练图像中有 {pct:.1f} % 的 log p(x) 更低（每个标签 k = {k} 个重要性采样，"
                           "与评估时相同）。"),

    # ---- figures (plots/conditional.py)
    "cond.fig.discriminative": ("discriminative CNN p(y|x)", "判别模型 CNN p(y|x)"),
    "cond.fig.generative": ("generative p(x|y) p(y) / p(x)", "生成模型 p(x|y) p(y) / p(x)"),
    "cond.fig.bars_accepted": ("p(y|x): the generative model accepts x", "p(y|x)：生成模型接受 x"),
    "cond.fig.bars_rejected": ("p(y|x): the generative model rejects x", "p(y|x)：生成模型拒绝 x"),
    "cond.fig.in_dist": ("{ds} test images (in distribution)", "{ds} 测试图像（分布内）"),
    "cond.fig.outliers": ("{ds} test images (outliers)", "{ds} 测试图像（异常值）"),
    "cond.fig.far": ("log p(x) = {value:.0f}, far off this scale", "log p(x) = {value:.0f}，远在此刻度之外"),
    "cond.fig.threshold": ("threshold {thr:.1f} ", "阈值 {thr:.1f} "),
    "cond.fig.hist_title": ("This x among test images (shaded: rejected)", "此 x 在测试图像中的位置（阴影：拒绝）"),
    "cond.fig.log_px_axis": ("log p(x), nats (importance-sampled)", "log p(x)，nats（重要性采样）"),
    "cond.fig.log_px_model": ("log p(x) under the {ds} model, nats", "{ds} 模型下的 log p(x)，nats"),
    "cond.fig.share": ("share of images", "图像比例"),
    "cond.fig.auroc": ("<b>{model} model</b><br>AUROC of log p(x): {auc:.4f}<br>CNN max-softmax: {base:.4f}",
                       "<b>{model} 模型</b><br>log p(x) 的 AUROC：{auc:.4f}<br>CNN 最大 softmax：{base:.4f}"),
    "cond.fig.fails": ("outliers look more likely: detection fails", "异常值看起来更可能出现：检测失败"),
    "cond.fig.ood_title": ("Detecting outliers by log p(x), both directions (dashed: threshold)",
                           "用 log p(x) 检测异常值，两个方向（虚线：阈值）"),
})
