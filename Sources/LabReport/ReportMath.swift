/// One formula of the lab with what it says in words, in TeX (for `$$…$$` in Markdown) and in
/// MathML (for the HTML report).
struct Formula {
    /// What the formula says, in words.
    var caption: String
    /// TeX source, without the `$$` delimiters.
    var tex: String
    /// The same formula as `<math display="block">` elements, one per line.
    var mathMLLines: [String]

    /// A formula from its caption and its `Math`.
    init(_ caption: String, _ math: Math) {
        self.caption = caption
        tex = math.tex
        mathMLLines = math.lines
    }
}

/// The formulas of the models the report trained, in one notation: layer l has weights W⁽ˡ⁾, bias
/// b⁽ˡ⁾, pre-activation z⁽ˡ⁾ and activation a⁽ˡ⁾ (a⁽⁰⁾ = x, the image); the output layer is L.
/// Formulas for a kind of model the report did not train are left out.
struct ReportMath {
    /// Which kinds of model were trained.
    var binary = false, multiclass = false, hiddenLayers = false
    /// The hidden activations used (`sigmoid`, `relu`, `tanh`).
    var activations: Set<String> = []
    /// The depth of the deepest network (weight layers).
    var deepest = 1

    /// What `runs` trained.
    init(_ runs: [RunMetrics]) {
        for run in runs {
            if run.isBinary { binary = true } else { multiclass = true }
            let hidden = run.layerWidths.count - 2
            if hidden > 0 {
                hiddenLayers = true
                activations.formUnion(run.last.activations ?? (run.activation ?? "sigmoid").split(separator: ",").map(String.init))
            }
            deepest = max(deepest, run.layerWidths.count - 1)
        }
    }

    // MARK: - Notation

    private typealias M = Math
    private static let x = M.v("x"), y = M.v("y"), yHat = M.v("ŷ", tex: "\\hat{y}"), p = M.v("p")
    private static let l = M.v("l"), L = M.v("L"), eq = M.o("="), minus = M.o("−", tex: "-"), plus = M.o("+")
    private static let sigma = M.v("σ", tex: "\\sigma"), log = M.function("log", tex: "\\log")
    private static let loss = M.v("ℒ", tex: "\\mathcal{L}")
    private static func W(_ layer: Math) -> Math { .layered(M.v("W"), layer) }
    private static func b(_ layer: Math) -> Math { .layered(M.v("b"), layer) }
    private static func z(_ layer: Math) -> Math { .layered(M.v("z"), layer) }
    private static func a(_ layer: Math) -> Math { .layered(M.v("a"), layer) }
    private static func delta(_ layer: Math) -> Math { .layered(M.v("δ", tex: "\\delta"), layer) }
    private static let lMinus1 = l + minus + M.n("1"), one = M.n("1")
    private static func oneMinus(_ value: Math) -> Math { .paren(one + minus + value) }

    // MARK: - Sections

    /// The sections in reading order: a title and its formulas.
    var sections: [(title: String, formulas: [Formula])] {
        var sections: [(String, [Formula])] = [("The forward pass", forward)]
        if binary { sections.append(("The detectors' output and loss", binaryLoss)) }
        if multiclass { sections.append(("Softmax and cross-entropy", softmaxLoss)) }
        sections.append(("Backpropagation", backward))
        sections.append(("The update", update))
        return sections
    }

    /// Every formula, in reading order.
    var formulas: [Formula] { sections.flatMap(\.formulas) }

    private typealias S = ReportMath

    private var forward: [Formula] {
        var outputs: [String] = []
        if binary { outputs.append("a detector's output is one probability ŷ = σ(z⁽ᴸ⁾) that the image shows its class") }
        if multiclass { outputs.append("the multiclass output is p = softmax(z⁽ᴸ⁾), one probability per class") }
        let said = outputs.joined(separator: "; ")
        let single = binary ? " The single neuron is the case L = 1: W⁽¹⁾ is one row of weights, one per pixel." : ""
        return [Formula(
            "Every layer l = 1 … L weighs the previous layer's activations (a⁽⁰⁾ = x, the image's pixels scaled to 0…1) "
                + "with a matrix and adds a bias; the hidden layers apply an activation f element by element. "
                + said.prefix(1).uppercased() + said.dropFirst() + "." + single,
            S.z(S.l) + S.eq + S.W(S.l) + S.a(S.lMinus1) + S.plus + S.b(S.l) + M.gap + S.a(S.l) + S.eq
                + M.v("f") + M.paren(S.z(S.l)) + M.text("for") + S.l + M.o("<") + S.L)]
    }

    private var binaryLoss: [Formula] {
        let zL = S.z(S.L)
        return [
            Formula("The sigmoid squashes the output layer's value into a probability, and binary cross-entropy "
                        + "measures it against the label y ∈ {0, 1} (1 when the image shows the class):",
                    S.yHat + S.eq + S.sigma + M.paren(zL) + S.eq + M.frac(S.one, S.one + S.plus + M.sup(M.v("e"), S.minus + zL))
                        + M.gap + S.loss + S.eq + S.minus + M.brackets(S.y + S.log + S.yHat + S.plus + S.oneMinus(S.y) + S.log + S.oneMinus(S.yHat))),
            Formula("The trainer computes it from z = z⁽ᴸ⁾, not from ŷ: the same value rearranged, with no log 0 when ŷ "
                        + "rounds to 0 or 1 and no overflow of the exponential:",
                    S.loss + S.eq + M.function("max", tex: "\\max") + M.paren(M.v("z") + M.o(",") + M.n("0")) + S.minus + M.v("z") + S.y + S.plus
                        + S.log + M.paren(S.one + S.plus + M.sup(M.v("e"), S.minus + M.o("|") + M.v("z") + M.o("|")))),
            Formula("Its derivative in z, by the chain rule through ŷ: the sigmoid's derivative σ′(z) = ŷ(1 − ŷ) cancels "
                        + "the denominator of ∂ℒ/∂ŷ, which leaves the output error δ⁽ᴸ⁾, prediction minus label:",
                    M.partial(S.loss, S.yHat) + S.eq + M.frac(S.yHat + S.minus + S.y, S.yHat + S.oneMinus(S.yHat)) + M.gap
                        + M.prime("σ", tex: "\\sigma") + M.paren(M.v("z")) + S.eq + S.yHat + S.oneMinus(S.yHat) + M.gap
                        + S.delta(S.L) + S.eq + M.partial(S.loss, zL) + S.eq + M.partial(S.loss, S.yHat) + M.o("·", tex: "\\cdot ")
                        + M.prime("σ", tex: "\\sigma") + M.paren(M.v("z")) + S.eq + S.yHat + S.minus + S.y),
        ]
    }

    private var softmaxLoss: [Formula] {
        let k = M.v("k"), j = M.v("j"), zk = M.sub(M.v("z"), k), zj = M.sub(M.v("z"), j), pk = M.sub(S.p, k), pj = M.sub(S.p, j)
        let yk = M.sub(S.y, k), yj = M.sub(S.y, j)
        let isK = M.brackets(k + S.eq + j)
        return [
            Formula("Softmax turns the output layer's values z = z⁽ᴸ⁾ into probabilities; cross-entropy with the one-hot "
                        + "label y (yₖ = 1 for the true class c, else 0) is minus the log-probability of the true class:",
                    pk + S.eq + M.frac(M.sup(M.v("e"), zk), M.sum(j, nil, M.sup(M.v("e"), zj))) + M.gap
                        + S.loss + S.eq + S.minus + M.sum(k, nil, yk + S.log + pk) + S.eq + S.minus + S.log + M.sub(S.p, M.v("c"))),
            Formula("Computed stably with the largest value m subtracted first (log-sum-exp: no overflow):",
                    S.loss + S.eq + S.log + M.sum(j, nil, M.sup(M.v("e"), zj + S.minus + M.v("m"))) + S.minus
                        + M.paren(M.sub(M.v("z"), M.v("c")) + S.minus + M.v("m")) + M.gap + M.v("m") + S.eq
                        + M.sub(M.function("max", tex: "\\max"), j) + zj),
            Formula("The softmax Jacobian: each probability depends on every value ([k = j] is 1 when k = j, else 0):",
                    M.partial(pk, zj) + S.eq + pk + M.paren(isK + S.minus + pj)),
            Formula("With ∂ℒ/∂pₖ = −yₖ/pₖ the Jacobian collapses, since the yₖ sum to 1: the output error is probabilities "
                        + "minus the one-hot label:",
                    M.sub(S.delta(S.L), j) + S.eq + M.partial(S.loss, zj) + S.eq
                        + M.sum(k, nil, M.paren(S.minus + M.frac(yk, pk)) + pk + M.paren(isK + S.minus + pj)) + M.continued
                        + S.eq + S.minus + yj + S.plus + pj + M.sum(k, nil, yk) + S.eq + pj + S.minus + yj),
        ]
    }

    private var backward: [Formula] {
        var formulas: [Formula] = []
        let error = [binary ? "ŷ − y" : nil, multiclass ? "p − y" : nil].compactMap { $0 }.joined(separator: " or ")
        formulas.append(Formula(
            "Every layer's gradients come from its error δ⁽ˡ⁾ = ∂ℒ/∂z⁽ˡ⁾ and its input; the output layer's error is "
                + "\(error), derived above:",
            M.partial(S.loss, S.W(S.l)) + S.eq + S.delta(S.l) + M.transposed(S.a(S.lMinus1)) + M.gap
                + M.partial(S.loss, S.b(S.l)) + S.eq + S.delta(S.l)))
        if hiddenLayers {
            formulas.append(Formula(
                "The error flows back one layer at a time, through the transposed weights and the activation's derivative "
                    + "(⊙ multiplies element by element), for any number of layers:",
                S.delta(S.lMinus1) + S.eq + M.paren(M.transposed(S.W(S.l)) + S.delta(S.l)) + M.o("⊙", tex: "\\odot ")
                    + M.prime("f") + M.paren(S.z(S.lMinus1)) + M.continued + M.text("for") + S.l + S.eq + S.L + M.o(",") + S.L + S.minus
                    + S.one + M.o(",") + M.o("…", tex: "\\ldots") + M.o(",") + M.n("2")))
            let two = M.n("2"), first = M.n("1"), h = M.v("h")
            formulas.append(Formula(
                "Written out for one hidden layer h = a⁽¹⁾ (L = 2), the lab's hidden network:",
                M.partial(S.loss, S.W(two)) + S.eq + S.delta(two) + M.transposed(h) + M.gap + M.partial(S.loss, S.b(two)) + S.eq
                    + S.delta(two) + M.gap + S.delta(first) + S.eq + M.paren(M.transposed(S.W(two)) + S.delta(two))
                    + M.o("⊙", tex: "\\odot ") + M.prime("f") + M.paren(S.z(first)) + M.gap
                    + M.partial(S.loss, S.W(first)) + S.eq + S.delta(first) + M.transposed(S.x) + M.gap
                    + M.partial(S.loss, S.b(first)) + S.eq + S.delta(first)))
            var derivatives: [Math] = []
            let zv = M.v("z")
            if activations.contains("sigmoid") {
                derivatives.append(M.prime("σ", tex: "\\sigma") + M.paren(zv) + S.eq + S.sigma + M.paren(zv) + S.oneMinus(S.sigma + M.paren(zv)))
            }
            if activations.contains("tanh") {
                derivatives.append(M.prime("tanh", tex: "\\tanh") + M.paren(zv) + S.eq + S.one + S.minus
                                   + M.sup(M.function("tanh", tex: "\\tanh"), M.n("2")) + M.paren(zv))
            }
            if activations.contains("relu") {
                derivatives.append(M.prime("relu", tex: "\\operatorname{relu}") + M.paren(zv) + S.eq + M.brackets(zv + M.o(">") + M.n("0")))
            }
            if !derivatives.isEmpty {
                let names = activations.sorted().joined(separator: ", ")
                formulas.append(Formula(
                    "The derivatives f′ of the hidden activations used here (\(names); [z > 0] is 1 for z > 0, else 0):",
                    derivatives.dropFirst().reduce(derivatives[0]) { $0 + M.gap + $1 }))
            }
        } else {
            formulas.append(Formula(
                "For the single neuron (L = 1, a⁽⁰⁾ = x) that is one line: each weight moves with the error times its pixel:",
                M.partial(S.loss, S.W(S.one)) + S.eq + M.paren(S.yHat + S.minus + S.y) + M.transposed(S.x) + M.gap
                    + M.partial(S.loss, S.b(S.one)) + S.eq + S.yHat + S.minus + S.y))
        }
        return formulas
    }

    private var update: [Formula] {
        let i = M.v("i"), B = M.v("B"), eta = M.v("η", tex: "\\eta")
        return [Formula(
            "Over a minibatch of B images (split across the ranks, summed in one allreduce) the gradients are averaged, "
                + "and SGD steps against them with learning rate η; the biases likewise:",
            S.W(S.l) + M.o("←", tex: "\\leftarrow ") + S.W(S.l) + S.minus + M.frac(eta, B)
                + M.sum(i + S.eq + S.one, B, M.partial(M.sup(S.loss, M.paren(i)), S.W(S.l))))]
    }
}
