"""Strings of the lecture map (the first tab): the lecture's taxonomy in its own words, each node
naming the tabs that show it live (see explorer/texts/__init__.py)."""
from ..i18n import add

add({
    "lec.title": ("### The lecture on one page: click a box to see it live",
                  "### 一页看懂本讲：点击方框，打开对应的实时演示"),
    "lec.intro": ("Each box is an idea of CS231n Lecture 11 (generative models); its buttons open the tab "
                  "that shows it with models this project trained. GAN and diffusion models belong to "
                  "the same family tree but are not part of this app.",
                  "每个方框是 CS231n 第 11 讲（生成模型）中的一个概念；方框里的按钮打开用本项目训练的模型"
                  "演示它的标签页。生成对抗网络和扩散模型属于同一族谱，但不在本应用之中。"),
    "lec.learning": ("#### 1 · Two kinds of learning", "#### 1 · 两种学习方式"),
    "lec.supervised": ("**Supervised learning**: data (x, y), x is data and y a label; learn a function "
                       "x → y (classification, regression, detection …).",
                       "**监督学习**：数据 (x, y)，x 是数据，y 是标签；学习一个从 x 到 y 的函数"
                       "（分类、回归、目标检测 …）。"),
    "lec.unsupervised": ("**Unsupervised learning**: data x only, no labels; learn the hidden structure of "
                         "the data (clustering, dimensionality reduction, density estimation, feature "
                         "learning).",
                         "**无监督学习**：只有数据 x，没有标签；学习数据的潜在结构"
                         "（聚类、降维、密度估计、特征学习）。"),
    "lec.unsup_live": ("A 2-D latent space is a learned dimensionality reduction: the map of 10,000 test "
                       "digits, coloured by the labels the model never saw.",
                       "二维潜在空间就是学到的降维：10,000 个测试数字的分布图，颜色是模型从未见过的标签。"),
    "lec.models": ("#### 2 · Three kinds of model", "#### 2 · 三种模型"),
    "lec.discriminative": ("**Discriminative model** p(y|x): a probability over labels for each input; "
                           "labels compete, inputs do not, so it cannot say \"this is not a digit\".",
                           "**判别模型** p(y|x)：对每个输入给出标签上的概率；标签之间相互竞争，输入之间不竞争，"
                           "所以它无法说出\"这不是一个数字\"。"),
    "lec.generative": ("**Generative model** p(x): a density over all possible inputs, normalised "
                       "(∫p(x)dx = 1), so inputs compete for probability mass; it can reject outliers and "
                       "sample new data.",
                       "**生成模型** p(x)：所有可能输入上的密度函数，归一化（∫p(x)dx = 1），因此输入之间竞争"
                       "概率质量；它可以检测异常值，并采样生成新数据。"),
    "lec.conditional": ("**Conditional generative model** p(x|y): a density over inputs for each label; "
                        "with Bayes' rule it assigns labels while rejecting outliers, and it samples data "
                        "from a label.",
                        "**条件生成模型** p(x|y)：每个标签下输入的密度函数；借助贝叶斯规则，它可以在拒绝异常值"
                        "的同时分配标签，也可以从标签中采样生成数据。"),
    "lec.taxonomy": ("#### 3 · The family tree of generative models", "#### 3 · 生成模型的族谱"),
    "lec.explicit": ("**Explicit density**: the model computes p(x)", "**显式密度**：模型可以计算 p(x)"),
    "lec.implicit": ("**Implicit density**: the model only samples from p(x)",
                     "**隐式密度**：模型只能从 p(x) 中采样"),
    "lec.tractable": ("**Tractable → autoregressive models.** The chain rule of probability, "
                      "p(x) = Πₜ p(xₜ | x<ₜ), gives the exact p(x): language modelling with an RNN or a "
                      "masked Transformer, and a PixelCNN on digits.",
                      "**可处理密度 → 自回归模型。** 概率链式法则 p(x) = Πₜ p(xₜ | x<ₜ) 给出精确的 p(x)："
                      "使用 RNN / 掩码 Transformer 的语言建模，以及在数字上训练的 PixelCNN。"),
    "lec.approximate": ("**Approximate → variational autoencoders.** An encoder q(z|x), a decoder p(x|z), "
                        "z = μ + σ ⊙ ε, trained by the ELBO, a lower bound on log p(x) whose two losses "
                        "fight each other.",
                        "**近似密度 → 变分自编码器。** 编码器网络 q(z|x)、解码器网络 p(x|z)、"
                        "z = μ + σ ⊙ ε，用证据下界（ELBO）训练：它是 log p(x) 的下界，其中两个损失项相互对抗。"),
    "lec.direct": ("**Direct sampling → generative adversarial networks (GAN).** *Not part of this app.*",
                   "**直接采样 → 生成对抗网络（GAN）。** *不在本应用之中。*"),
    "lec.indirect": ("**Indirect sampling → diffusion models.** *Not part of this app.*",
                     "**间接采样 → 扩散模型。** *不在本应用之中。*"),
})
