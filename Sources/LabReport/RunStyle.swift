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

    /// The marker of each of `runs`, in the order of `colors(for:)`: single circle, hidden square,
    /// multiclass triangle, others diamond.
    static func markers(for runs: [RunMetrics]) -> [SVGDocument.Marker] {
        runs.map { run in
            switch run.model {
            case "single": .circle
            case "hidden": .square
            case "multiclass": .triangle
            default: .diamond
            }
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
        if run.isBinary, run.digit != nil { text += ": is it \(article(digitName(run))) \(digitName(run))?" }
        return text
    }

    /// The run as the subject of a sentence, e.g. "The single neuron (\"is it a 5?\")",
    /// "The hidden-layer detector (64 sigmoid units, \"is it a 5?\")", "The 10-class network (128 relu units)".
    static func subject(_ run: RunMetrics) -> String {
        let widths = run.layerWidths
        let hidden = widths.dropFirst().dropLast()
        var details: [String] = []
        if !hidden.isEmpty {
            details.append(hidden.map(String.init).joined(separator: ", ") + " " + (run.activation ?? "sigmoid") + " units")
        }
        if run.isBinary, run.digit != nil { details.append(question(run)) }
        let noun = run.isBinary ? (hidden.isEmpty ? "The single neuron" : "The hidden-layer detector")
            : "The \(widths.last ?? 10)-class network"
        return noun + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
    }

    /// The detected class of a binary run as written: its class name when recorded, else its number.
    static func digitName(_ run: RunMetrics) -> String {
        guard let digit = run.digit else { return "match" }
        if let names = run.last.classNames, digit < names.count { return names[digit] }
        return String(digit)
    }

    /// Images of a class, in the plural: "5s" for a digit, "images of Sandal" for a named class.
    static func plural(_ name: String) -> String {
        name.allSatisfy(\.isNumber) ? name + "s" : "images of \(name)"
    }

    /// The run's question in quotes, e.g. "\"is it an 8?\"".
    static func question(_ run: RunMetrics) -> String {
        "\"is it \(article(digitName(run))) \(digitName(run))?\""
    }

    /// "an" before a word or number said with a vowel sound (8, 11, 18, 80…, "eight", "apple"), else "a".
    static func article(_ word: String) -> String {
        guard let first = word.lowercased().first else { return "a" }
        if word.allSatisfy(\.isNumber) {
            let leadingGroup = word.count % 3 == 0 ? word.prefix(3) : word.prefix(word.count % 3)
            return first == "8" || leadingGroup == "11" || leadingGroup == "18" ? "an" : "a"
        }
        return "aeiou".contains(first) ? "an" : "a"
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
            let question = run.digit == nil ? "a yes/no question" : question(run)
            return "\(input) pixels\(hiddenText), one sigmoid output; binary cross-entropy; answers \(question)"
        }
        return "\(input) pixels\(hiddenText), \(widths.last ?? 10) softmax outputs; cross-entropy; names the class"
    }
}
