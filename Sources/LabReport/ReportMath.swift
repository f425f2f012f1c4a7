/// One formula of the lab, written twice: as TeX for `$$…$$` in Markdown, and as plain HTML
/// (italic variables, `<sub>`/`<sup>`, Unicode symbols) so the HTML report needs no script or network.
struct Formula {
    /// What the formula says, in words.
    var caption: String
    /// TeX source, without the `$$` delimiters.
    var tex: String
    /// Trusted HTML markup of the same formula.
    var html: String

    /// The formulas of the lab, in the order the report explains them.
    static let lab: [Formula] = [
        Formula(caption: "A single sigmoid neuron predicts the probability that the image is the digit:",
                tex: #"\hat{y} = \sigma(Wx + b), \qquad \sigma(z) = \frac{1}{1 + e^{-z}}"#,
                html: "<i>ŷ</i> = σ(<i>W</i><i>x</i> + <i>b</i>),&emsp; σ(<i>z</i>) = 1 / (1 + <i>e</i><sup>−<i>z</i></sup>)"),
        Formula(caption: "Binary cross-entropy loss for a label y ∈ {0, 1}:",
                tex: #"L = -\left[\, y \log \hat{y} + (1 - y) \log (1 - \hat{y}) \,\right]"#,
                html: "<i>L</i> = −[ <i>y</i> log <i>ŷ</i> + (1 − <i>y</i>) log(1 − <i>ŷ</i>) ]"),
        Formula(caption: "Its gradient with respect to the weights and the bias (the sigmoid's derivative cancels):",
                tex: #"\frac{\partial L}{\partial w} = (\hat{y} - y)\, x, \qquad \frac{\partial L}{\partial b} = \hat{y} - y"#,
                html: "∂<i>L</i>/∂<i>w</i> = (<i>ŷ</i> − <i>y</i>) <i>x</i>,&emsp; ∂<i>L</i>/∂<i>b</i> = <i>ŷ</i> − <i>y</i>"),
        Formula(caption: "Softmax turns the ten logits z into probabilities:",
                tex: #"p_k = \frac{e^{z_k}}{\sum_{j} e^{z_j}}"#,
                html: "<i>p</i><sub><i>k</i></sub> = <i>e</i><sup><i>z</i><sub><i>k</i></sub></sup> / Σ<sub><i>j</i></sub> <i>e</i><sup><i>z</i><sub><i>j</i></sub></sup>"),
        Formula(caption: "Multiclass cross-entropy loss for the true digit y:",
                tex: #"L = -\log p_y"#,
                html: "<i>L</i> = −log <i>p</i><sub><i>y</i></sub>"),
        Formula(caption: "Its gradient with respect to the logits:",
                tex: #"\frac{\partial L}{\partial z} = p - \operatorname{onehot}(y)"#,
                html: "∂<i>L</i>/∂<i>z</i> = <i>p</i> − onehot(<i>y</i>)"),
        Formula(caption: "With a hidden layer h = f(W₁x + b₁), the output error δ₂ (ŷ − y, or p − onehot(y)) flows back through W₂ and f′:",
                tex: #"\delta_1 = \left(W_2^\top \delta_2\right) \odot f'(W_1 x + b_1), \qquad \frac{\partial L}{\partial W_1} = \delta_1\, x^\top, \qquad \frac{\partial L}{\partial b_1} = \delta_1"#,
                html: "<i>δ</i><sub>1</sub> = (<i>W</i><sub>2</sub><sup>T</sup> <i>δ</i><sub>2</sub>) ⊙ <i>f</i>′(<i>W</i><sub>1</sub><i>x</i> + <i>b</i><sub>1</sub>),&emsp; ∂<i>L</i>/∂<i>W</i><sub>1</sub> = <i>δ</i><sub>1</sub> <i>x</i><sup>T</sup>,&emsp; ∂<i>L</i>/∂<i>b</i><sub>1</sub> = <i>δ</i><sub>1</sub>"),
    ]
}
