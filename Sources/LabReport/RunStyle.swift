/// How a run is named and coloured in every table and figure, so one model keeps one colour.
struct RunStyle {
    /// Okabe–Ito colours (distinguishable with colour-blindness) after the three models' own.
    private static let spareColors = ["#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// The colour of each of `runs`: single blue, hidden vermilion, multiclass green; a second run of
    /// the same model takes the next spare colour.
    static func colors(for runs: [RunMetrics]) -> [String] {
        var used: Set<String> = []
        var spare = spareColors.makeIterator()
        return runs.map { run in
            let own = switch run.model {
            case "single": "#0072B2"
            case "hidden": "#D55E00"
            case "multiclass": "#009E73"
            default: ""
            }
            if !own.isEmpty, used.insert(own).inserted { return own }
            return spare.next() ?? "#777777"
        }
    }

    /// A short legend label, e.g. "single: is it a 5?", "hidden 64 sigmoid: is it a 5?",
    /// "multiclass 64 sigmoid", "multiclass 256,128 relu".
    static func label(_ run: RunMetrics) -> String {
        var text = run.model
        let hidden = run.layerWidths.dropFirst().dropLast()
        if !hidden.isEmpty {
            text += " " + hidden.map(String.init).joined(separator: ",")
            if let activation = run.activation { text += " \(activation)" }
        }
        if run.isBinary, let digit = run.digit { text += ": is it a \(digit)?" }
        return text
    }

    /// One sentence saying what the model is.
    static func description(_ run: RunMetrics) -> String {
        let widths = run.layerWidths
        let input = widths.first ?? 784
        let hiddenLayers = widths.dropFirst().dropLast()
        let activation = run.activation ?? "sigmoid"
        let hiddenText = hiddenLayers.isEmpty ? ""
            : hiddenLayers.count == 1 ? ", hidden layer of \(hiddenLayers.first!) \(activation) units"
            : ", hidden layers of \(hiddenLayers.map(String.init).joined(separator: ", ")) units (\(activation))"
        if run.isBinary {
            let question = run.digit.map { "is it a \($0)?" } ?? "a yes/no question"
            return "\(input) pixels\(hiddenText), one sigmoid output; binary cross-entropy; answers \"\(question)\""
        }
        return "\(input) pixels\(hiddenText), \(widths.last ?? 10) softmax outputs; cross-entropy; names the class"
    }
}
