/// A piece of a formula written once and rendered twice: as TeX (for `$$…$$` in Markdown) and as
/// Presentation MathML (for the HTML report: the browser renders it without scripts or network).
/// Pieces join with `+` into a row; leaf text is escaped.
struct Math {
    /// TeX source.
    var tex: String
    /// MathML markup (a sequence of elements).
    var mathML: String

    /// Two pieces side by side.
    static func + (left: Math, right: Math) -> Math {
        Math(tex: left.tex + (left.tex.last?.isLetter == true && right.tex.first?.isLetter == true ? " " : "") + right.tex,
             mathML: left.mathML + right.mathML)
    }

    /// Pieces side by side.
    static func row(_ parts: [Math]) -> Math { Math(tex: parts.map(\.tex).joined(separator: " "), mathML: "<mrow>" + parts.map(\.mathML).joined() + "</mrow>") }

    /// An identifier in italic (`x`, `ŷ`, `W`); `tex` when TeX spells it differently (`\hat{y}`).
    static func v(_ name: String, tex: String? = nil) -> Math {
        Math(tex: tex ?? name, mathML: "<mi>\(SVGDocument.escape(name))</mi>")
    }
    /// A function name set upright with a thin space on each side (`log`, `max`, `softmax`), so
    /// "y log ŷ" never runs together.
    static func function(_ name: String, tex: String? = nil) -> Math {
        Math(tex: (tex ?? "\\operatorname{\(name)}") + " ",
             mathML: "<mspace width=\"0.2em\"/><mi mathvariant=\"normal\">\(SVGDocument.escape(name))</mi><mspace width=\"0.1em\"/>")
    }
    /// A number.
    static func n(_ value: String) -> Math { Math(tex: value, mathML: "<mn>\(SVGDocument.escape(value))</mn>") }
    /// An operator, relation or fence.
    static func o(_ symbol: String, tex: String? = nil) -> Math {
        Math(tex: tex ?? symbol, mathML: "<mo>\(SVGDocument.escape(symbol))</mo>")
    }
    /// Words in a formula, upright, with spaces around them ("for", "if").
    static func text(_ words: String) -> Math {
        Math(tex: "\\text{ \(words) }", mathML: "<mspace width=\"0.4em\"/><mtext>\(SVGDocument.escape(words))</mtext><mspace width=\"0.4em\"/>")
    }
    /// A derivative's prime attached to a function: a full-size `f′`, not a superscript accent.
    static func prime(_ name: String, tex: String? = nil) -> Math {
        Math(tex: (tex ?? name) + "'", mathML: "<mi>\(SVGDocument.escape(name))′</mi>")
    }

    /// A fraction.
    static func frac(_ top: Math, _ bottom: Math) -> Math {
        Math(tex: "\\frac{\(top.tex)}{\(bottom.tex)}", mathML: "<mfrac><mrow>\(top.mathML)</mrow><mrow>\(bottom.mathML)</mrow></mfrac>")
    }
    /// `base` with a subscript.
    static func sub(_ base: Math, _ index: Math) -> Math {
        Math(tex: "{\(base.tex)}_{\(index.tex)}", mathML: "<msub><mrow>\(base.mathML)</mrow><mrow>\(index.mathML)</mrow></msub>")
    }
    /// `base` with a superscript.
    static func sup(_ base: Math, _ exponent: Math) -> Math {
        Math(tex: "{\(base.tex)}^{\(exponent.tex)}", mathML: "<msup><mrow>\(base.mathML)</mrow><mrow>\(exponent.mathML)</mrow></msup>")
    }
    /// `base` with a subscript and a superscript.
    static func subsup(_ base: Math, _ index: Math, _ exponent: Math) -> Math {
        Math(tex: "{\(base.tex)}_{\(index.tex)}^{\(exponent.tex)}",
             mathML: "<msubsup><mrow>\(base.mathML)</mrow><mrow>\(index.mathML)</mrow><mrow>\(exponent.mathML)</mrow></msubsup>")
    }
    /// A sum over `below` (and up to `above`) of `body`.
    static func sum(_ below: Math, _ above: Math? = nil, _ body: Math) -> Math {
        let tex = "\\sum_{\(below.tex)}" + (above.map { "^{\($0.tex)}" } ?? "") + " " + body.tex
        let sign = above.map { "<munderover><mo>∑</mo><mrow>\(below.mathML)</mrow><mrow>\($0.mathML)</mrow></munderover>" }
            ?? "<munder><mo>∑</mo><mrow>\(below.mathML)</mrow></munder>"
        return Math(tex: tex, mathML: "<mrow>" + sign + body.mathML + "</mrow>")
    }
    /// In parentheses, which grow only around a fraction or a sum (around a superscript they would
    /// stretch to twice the line's height).
    static func paren(_ inner: Math) -> Math { fenced(inner, "(", ")") }
    /// In brackets, which grow only around a fraction or a sum.
    static func brackets(_ inner: Math) -> Math { fenced(inner, "[", "]") }

    private static func fenced(_ inner: Math, _ open: String, _ close: String) -> Math {
        let grows = inner.mathML.contains("<mfrac") || inner.mathML.contains("∑")
        if grows {
            return Math(tex: "\\left\(open)\(inner.tex)\\right\(close)",
                        mathML: "<mrow><mo>\(open)</mo>\(inner.mathML)<mo>\(close)</mo></mrow>")
        }
        return Math(tex: "\(open)\(inner.tex)\(close)",
                    mathML: "<mrow><mo stretchy=\"false\">\(open)</mo>\(inner.mathML)<mo stretchy=\"false\">\(close)</mo></mrow>")
    }
    /// A partial derivative ∂`of`/∂`by`.
    static func partial(_ of: Math, _ by: Math) -> Math { frac(o("∂", tex: "\\partial ") + of, o("∂", tex: "\\partial ") + by) }
    /// Between two formulas: a wide space in TeX; in MathML each formula gets its own line (`lines`).
    static let gap = Math(tex: ", \\qquad ", mathML: lineBreak)
    /// The formula goes on in the next line (long rows on a narrow screen): nothing in TeX.
    static let continued = Math(tex: " ", mathML: lineBreak)
    /// Where `lines` splits the MathML markup.
    static let lineBreak = "<!--line-->"
    /// A layer's quantity, e.g. W⁽ˡ⁾ from `layered(v("W"), v("l"))`.
    static func layered(_ base: Math, _ layer: Math) -> Math { sup(base, paren(layer)) }
    /// A transpose, e.g. xᵀ.
    static func transposed(_ base: Math) -> Math {
        Math(tex: "{\(base.tex)}^{\\top}", mathML: "<msup><mrow>\(base.mathML)</mrow><mo>⊤</mo></msup>")
    }

    /// The formula as block `<math display="block">` elements, one per formula joined by `gap`, so
    /// long rows wrap on a narrow screen.
    var lines: [String] {
        mathML.components(separatedBy: Self.lineBreak).map { "<math display=\"block\"><mrow>" + $0 + "</mrow></math>" }
    }
}
