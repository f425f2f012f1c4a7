/// One formula of the lab, written twice: as TeX for `$$…$$` in Markdown, and as MathML for the
/// HTML report (rendered by the browser: no script, no network).
struct Formula {
    /// What the formula says, in words.
    var caption: String
    /// TeX source, without the `$$` delimiters.
    var tex: String
    /// A `<math display="block">` element of the same formula.
    var mathML: String
}

// MARK: - The lab's formulas

extension Formula {
    private typealias M = MathML
    private static let yHat = M.i("ŷ"), y = M.i("y"), z = M.i("z"), L = M.i("L"), x = M.i("x")
    private static let wj = M.sub(M.i("w"), M.i("j")), xj = M.sub(M.i("x"), M.i("j"))
    private static let sigma = M.i("σ"), log = M.word("log"), eq = M.o("="), minus = M.o("−"), plus = M.o("+")
    private static let oneMinusYHat = M.paren(M.n("1"), M.o("−"), M.i("ŷ"))
    private static let yHatMinusY = M.paren(M.i("ŷ"), M.o("−"), M.i("y"))

    /// The single neuron and its loss: prediction, binary cross-entropy, its stable form from the logit.
    static let neuron: [Formula] = [
        Formula(caption: "A single sigmoid neuron weighs the pixels x into the logit z and squashes it into ŷ, the probability that the image is the digit:",
                tex: #"\hat{y} = \sigma(z) = \sigma(Wx + b), \qquad z = \sum_j w_j x_j + b, \qquad \sigma(z) = \frac{1}{1 + e^{-z}}"#,
                mathML: M.block(yHat, eq, sigma, M.paren(z), eq, sigma, M.paren(M.i("W"), x, plus, M.i("b")), M.gap,
                                z, eq, M.sum(M.i("j"), M.row(wj, xj)), plus, M.i("b"), M.gap,
                                sigma, M.paren(z), eq, M.frac(M.n("1"), M.row(M.n("1"), plus, M.sup(M.i("e"), M.row(minus, z)))))),
        Formula(caption: "Binary cross-entropy loss for a label y ∈ {0, 1} (1 when the image is the digit):",
                tex: #"L = -\left[\, y \log \hat{y} + (1 - y) \log (1 - \hat{y}) \,\right]"#,
                mathML: M.block(L, eq, minus, M.brackets(y, log, yHat, plus, M.paren(M.n("1"), minus, y), log, oneMinusYHat))),
        Formula(caption: "The trainer computes it from the logit z, not from ŷ: the same value rearranged, with no log 0 when ŷ rounds to 0 or 1 and no overflow of the exponential:",
                tex: #"L = \max(z, 0) - z\,y + \log\left(1 + e^{-|z|}\right)"#,
                mathML: M.block(L, eq, M.word("max"), M.paren(z, M.o(","), M.n("0")), minus, z, y, plus, log,
                                M.paren(M.n("1"), plus, M.sup(M.i("e"), M.row(minus, M.o("|"), z, M.o("|")))))),
    ]

    /// The derivative for one weight, step by step.
    static let gradient: [Formula] = [
        Formula(caption: "The derivative for one weight wⱼ (the weight of pixel xⱼ) follows from the chain rule, through ŷ and z:",
                tex: #"\frac{\partial L}{\partial w_j} = \frac{\partial L}{\partial \hat{y}} \cdot \frac{\partial \hat{y}}{\partial z} \cdot \frac{\partial z}{\partial w_j}"#,
                mathML: M.block(M.partial(L, wj), eq, M.partial(L, yHat), M.o("·"), M.partial(yHat, z), M.o("·"), M.partial(z, wj))),
        Formula(caption: "The three factors: the loss's derivative in ŷ, the sigmoid's σ′ = σ(1 − σ), and the pixel:",
                tex: #"\frac{\partial L}{\partial \hat{y}} = -\frac{y}{\hat{y}} + \frac{1 - y}{1 - \hat{y}} = \frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}, \qquad \frac{\partial \hat{y}}{\partial z} = \sigma(z)\,(1 - \sigma(z)) = \hat{y}(1 - \hat{y}), \qquad \frac{\partial z}{\partial w_j} = x_j"#,
                mathML: M.block(M.partial(L, yHat), eq, minus, M.frac(y, yHat), plus,
                                M.frac(M.row(M.n("1"), minus, y), M.row(M.n("1"), minus, yHat)), eq,
                                M.frac(M.row(yHat, minus, y), M.row(yHat, oneMinusYHat)), M.gap,
                                M.partial(yHat, z), eq, sigma, M.paren(z), M.paren(M.n("1"), minus, sigma, M.paren(z)), eq,
                                yHat, oneMinusYHat, M.gap, M.partial(z, wj), eq, xj)),
        Formula(caption: "σ′ = ŷ(1 − ŷ) cancels the denominator, which leaves the error times the input:",
                tex: #"\frac{\partial L}{\partial w_j} = (\hat{y} - y)\, x_j, \qquad \frac{\partial L}{\partial b} = \hat{y} - y"#,
                mathML: M.block(M.partial(L, wj), eq, yHatMinusY, xj, M.gap, M.partial(L, M.i("b")), eq, yHat, minus, y)),
        Formula(caption: "Over a minibatch of B images the gradients are averaged, and SGD steps against them with learning rate η:",
                tex: #"w_j \leftarrow w_j - \frac{\eta}{B} \sum_{i=1}^{B} \left(\hat{y}^{(i)} - y^{(i)}\right) x_j^{(i)}"#,
                mathML: M.block(wj, M.o("←"), wj, minus, M.frac(M.i("η"), M.i("B")),
                                "<munderover><mo>∑</mo>\(M.row(M.i("i"), eq, M.n("1")))\(M.i("B"))</munderover>",
                                M.paren(M.sup(yHat, M.paren(M.i("i"))), minus, M.sup(y, M.paren(M.i("i")))),
                                M.subsup(x, M.i("j"), M.paren(M.i("i"))))),
    ]

    /// Softmax, the multiclass loss in its stable form, and its gradient; the hidden layer's backward step.
    static let multiclass: [Formula] = [
        Formula(caption: "Softmax turns the logits z into probabilities p over the classes:",
                tex: #"p_k = \frac{e^{z_k}}{\sum_{j} e^{z_j}}"#,
                mathML: M.block(M.sub(M.i("p"), M.i("k")), eq,
                                M.frac(M.sup(M.i("e"), M.sub(z, M.i("k"))), M.sum(M.i("j"), M.sup(M.i("e"), M.sub(z, M.i("j"))))))),
        Formula(caption: "Cross-entropy loss for the true class y, computed with the largest logit m subtracted first (log-sum-exp, no overflow):",
                tex: #"L = -\log p_y = \log \sum_j e^{z_j - m} - (z_y - m), \qquad m = \max_j z_j"#,
                mathML: M.block(L, eq, minus, log, M.sub(M.i("p"), y), eq, log,
                                M.sum(M.i("j"), M.sup(M.i("e"), M.row(M.sub(z, M.i("j")), minus, M.i("m")))), minus,
                                M.paren(M.sub(z, y), minus, M.i("m")), M.gap, M.i("m"), eq,
                                M.sub(M.word("max"), M.i("j")), M.sub(z, M.i("j")))),
        Formula(caption: "Differentiating the log-sum-exp gives each logit its probability, and the true class's logit loses 1, so the gradient with respect to the logits is ([k = y] is 1 for the true class, else 0):",
                tex: #"\frac{\partial L}{\partial z_k} = p_k - [k = y], \qquad \frac{\partial L}{\partial z} = p - \operatorname{onehot}(y)"#,
                mathML: M.block(M.partial(L, M.sub(z, M.i("k"))), eq, M.sub(M.i("p"), M.i("k")), minus,
                                M.brackets(M.i("k"), eq, y), M.gap, M.partial(L, z), eq, M.i("p"), minus,
                                M.word("onehot"), M.paren(y))),
        Formula(caption: "With a hidden layer h = f(W₁x + b₁), the output error δ₂ (ŷ − y, or p − onehot(y)) flows back through W₂ and f′:",
                tex: #"\delta_1 = \left(W_2^\top \delta_2\right) \odot f'(W_1 x + b_1), \qquad \frac{\partial L}{\partial W_1} = \delta_1\, x^\top, \qquad \frac{\partial L}{\partial b_1} = \delta_1"#,
                mathML: M.block(M.sub(M.i("δ"), M.n("1")), eq,
                                M.paren(M.subsup(M.i("W"), M.n("2"), M.i("⊤")), M.sub(M.i("δ"), M.n("2"))), M.o("⊙"),
                                M.sup(M.i("f"), M.o("′")), M.paren(M.sub(M.i("W"), M.n("1")), x, plus, M.sub(M.i("b"), M.n("1"))),
                                M.gap, M.partial(L, M.sub(M.i("W"), M.n("1"))), eq, M.sub(M.i("δ"), M.n("1")),
                                M.sup(x, M.i("⊤")), M.gap, M.partial(L, M.sub(M.i("b"), M.n("1"))), eq, M.sub(M.i("δ"), M.n("1")))),
    ]
}
