/// A few constructors for Presentation MathML, which browsers render without scripts or network.
/// Arguments are trusted markup (built by these functions); leaf text is escaped.
enum MathML {
    /// An identifier, italic when one letter (`x`, `ŷ`).
    static func i(_ name: String) -> String { "<mi>\(SVGDocument.escape(name))</mi>" }
    /// An identifier set upright (`log`, `max`).
    static func word(_ name: String) -> String { "<mi mathvariant=\"normal\">\(SVGDocument.escape(name))</mi>" }
    /// A number.
    static func n(_ value: String) -> String { "<mn>\(SVGDocument.escape(value))</mn>" }
    /// An operator or fence.
    static func o(_ symbol: String) -> String { "<mo>\(SVGDocument.escape(symbol))</mo>" }
    /// Parts in a row.
    static func row(_ parts: String...) -> String { "<mrow>" + parts.joined() + "</mrow>" }
    /// A fraction.
    static func frac(_ numerator: String, _ denominator: String) -> String {
        "<mfrac>\(numerator)\(denominator)</mfrac>"
    }
    /// `base` with a subscript.
    static func sub(_ base: String, _ index: String) -> String { "<msub>\(base)\(index)</msub>" }
    /// `base` with a superscript.
    static func sup(_ base: String, _ exponent: String) -> String { "<msup>\(base)\(exponent)</msup>" }
    /// `base` with a subscript and a superscript.
    static func subsup(_ base: String, _ index: String, _ exponent: String) -> String {
        "<msubsup>\(base)\(index)\(exponent)</msubsup>"
    }
    /// A sum over `index` of `body`.
    static func sum(_ index: String, _ body: String) -> String { row("<munder><mo>∑</mo>\(index)</munder>", body) }
    /// Parts in parentheses.
    static func paren(_ parts: String...) -> String { row(o("("), row(parts.joined()), o(")")) }
    /// Parts in brackets.
    static func brackets(_ parts: String...) -> String { row(o("["), row(parts.joined()), o("]")) }
    /// A wide space between two formulas on one line.
    static let gap = "<mspace width=\"2em\"/>"
    /// A partial derivative ∂`of`/∂`by`.
    static func partial(_ of: String, _ by: String) -> String { frac(row(o("∂"), of), row(o("∂"), by)) }
    /// A block formula: `<math display="block">`.
    static func block(_ parts: String...) -> String { "<math display=\"block\">" + row(parts.joined()) + "</math>" }
}
