import Foundation

/// The report's figures, built from the selected runs.
enum ReportFigures {
    /// `loss.svg`: train (dashed, hollow markers), test (solid) and, when recorded, validation (dotted)
    /// loss, binary detectors (binary cross-entropy) and multiclass models (K-class cross-entropy) on
    /// separate panels, each on its own scale (log when its losses span more than a factor of 20), each
    /// run's lowest test loss ringed in its colour; then, for a run whose test loss rises, a zoomed
    /// linear view of its test loss from before its minimum.
    static func loss(_ runs: [RunMetrics]) -> SVGDocument {
        let styles = zip(RunStyle.colors(for: runs), RunStyle.markers(for: runs)).map { $0 }
        func panel(_ title: String, _ indices: [Int], yTitle: String) -> SVGDocument {
            var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = [], highlights: [LineChart.Highlight] = []
            let hasValidation = indices.contains { runs[$0].epochs.contains { $0.validationLoss != nil } }
            for (position, index) in indices.enumerated() {
                let run = runs[index], (color, marker) = styles[index]
                let label = RunStyle.label(run)
                series.append(.init(name: "\(label) train", color: color, dashed: true, marker: marker,
                                    points: run.epochs.map { (Double($0.epoch), $0.trainLoss) }))
                series.append(.init(name: "\(label) test", color: color, dashed: false, marker: marker,
                                    points: run.epochs.map { (Double($0.epoch), $0.testLoss) }))
                var samples: [(color: String, dashed: Bool, marker: SVGDocument.Marker)] = [(color, true, marker), (color, false, marker)]
                let validation = run.epochs.compactMap { line in line.validationLoss.map { (Double(line.epoch), $0) } }
                if !validation.isEmpty {
                    series.append(.init(name: "\(label) validation", color: color, dashed: false, dotted: true,
                                        marker: marker, points: validation))
                }
                if hasValidation { samples.append((color, false, marker)) }
                let best = FittingSummary(run)
                let radius = 8.0 + 4 * Double(position)
                legend.append(.init(label: label, samples: samples,
                                    detail: "ring: lowest test loss \(ReportTables.loss(best.bestTestLoss)), epoch \(best.bestEpoch)"))
                highlights.append(.init(x: Double(best.bestEpoch), y: best.bestTestLoss, color: color, radius: radius))
            }
            let losses = indices.flatMap { runs[$0].epochs.flatMap { [$0.trainLoss, $0.testLoss] } }.filter { $0 > 0 }
            let logarithmic = (losses.max() ?? 1) / (losses.min() ?? 1) > 20
            return LineChart(title: title + (logarithmic ? " (log scale)" : ""), xTitle: "epoch", yTitle: yTitle,
                             series: series, legendColumns: hasValidation ? ["train", "test", "valid."] : ["train", "test"],
                             dottedColumns: hasValidation ? [2] : [], legend: legend, highlights: highlights,
                             logarithmicY: logarithmic).document()
        }
        let binary = runs.indices.filter { runs[$0].isBinary }, multiclass = runs.indices.filter { !runs[$0].isBinary }
        var panels: [SVGDocument] = []
        if !binary.isEmpty { panels.append(panel("Binary detectors: loss per epoch", binary, yTitle: "binary cross-entropy")) }
        if !multiclass.isEmpty {
            let classes = runs[multiclass[0]].layerWidths.last ?? 10
            panels.append(panel("\(classes)-class models: loss per epoch", multiclass, yTitle: "\(classes)-class cross-entropy"))
        }
        for index in runs.indices {
            let run = runs[index], summary = FittingSummary(run)
            guard [.overfitting, .overConfident].contains(summary.verdict) else { continue }
            panels.append(zoom(run, summary: summary, style: styles[index]))
        }
        return PixelFigures.stacked(panels, title: "Loss per epoch")
    }

    /// The test (and validation) loss of `run` on a linear scale from a little before its minimum.
    private static func zoom(_ run: RunMetrics, summary: FittingSummary,
                             style: (color: String, marker: SVGDocument.Marker)) -> SVGDocument {
        let from = max(1, summary.bestEpoch - max(2, summary.bestEpoch / 2))
        let epochs = run.epochs.filter { $0.epoch >= from }
        var series = [LineChart.Series(name: "\(RunStyle.label(run)) test", color: style.color, dashed: false,
                                       marker: style.marker, points: epochs.map { (Double($0.epoch), $0.testLoss) })]
        var legend = [LineChart.LegendRow(label: "test loss", samples: [(style.color, false, style.marker)])]
        let validation = epochs.compactMap { line in line.validationLoss.map { (Double(line.epoch), $0) } }
        if !validation.isEmpty {
            series.append(.init(name: "\(RunStyle.label(run)) validation", color: "#555555", dashed: false, dotted: true,
                                marker: .none, points: validation))
            legend.append(.init(label: "validation loss", samples: [("#555555", false, .none)], dotted: true))
        }
        return LineChart(title: "Zoom: \(RunStyle.label(run)), epochs \(from)–\(run.last.epoch), linear", xTitle: "epoch",
                         yTitle: "test loss", series: series, legend: legend,
                         highlights: [.init(x: Double(summary.bestEpoch), y: summary.bestTestLoss, color: style.color)]).document()
    }

    /// `accuracy.svg`: train (dashed), test (solid) and, when recorded, validation (dotted) accuracy in percent, binary detectors and
    /// multiclass models on separate panels; the detectors' majority baseline drawn on theirs.
    static func accuracy(_ runs: [RunMetrics]) -> SVGDocument {
        let styles = Dictionary(uniqueKeysWithValues: zip(runs.indices, zip(RunStyle.colors(for: runs),
                                                                              RunStyle.markers(for: runs))))
        func panel(_ title: String, _ indices: [Int], baseline: Bool) -> SVGDocument {
            var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = []
            let hasValidation = indices.contains { runs[$0].epochs.contains { $0.validationAccuracy != nil } }
            for index in indices {
                let run = runs[index], (color, marker) = styles[index]!
                let label = RunStyle.label(run)
                series.append(.init(name: "\(label) train", color: color, dashed: true, marker: marker,
                                    points: run.epochs.map { (Double($0.epoch), $0.trainAccuracy * 100) }))
                series.append(.init(name: "\(label) test", color: color, dashed: false, marker: marker,
                                    points: run.epochs.map { (Double($0.epoch), $0.testAccuracy * 100) }))
                let validation = run.epochs.compactMap { line in line.validationAccuracy.map { (Double(line.epoch), $0 * 100) } }
                if !validation.isEmpty {
                    series.append(.init(name: "\(label) validation", color: color, dashed: false, dotted: true,
                                        marker: marker, points: validation))
                }
                legend.append(.init(label: label, samples: [(color, true, marker), (color, false, marker)]
                                        + (hasValidation ? [(color, false, marker)] : [])))
            }
            let baselines = baseline ? Set(indices.compactMap { DetectorScores(runs[$0])?.baseline }) : []
            let references = baselines.sorted().map {
                LineChart.ReferenceLine(y: $0 * 100, label: "baseline (always no) \(ReportTables.percent($0))")
            }
            return LineChart(title: title, xTitle: "epoch", yTitle: "accuracy (%)", series: series,
                             legendColumns: hasValidation ? ["train", "test", "valid."] : ["train", "test"],
                             dottedColumns: hasValidation ? [2] : [], legend: legend, references: references).document()
        }
        let binary = runs.indices.filter { runs[$0].isBinary }, multiclass = runs.indices.filter { !runs[$0].isBinary }
        var panels: [SVGDocument] = []
        if !binary.isEmpty { panels.append(panel("Binary detectors: accuracy per epoch", binary, baseline: true)) }
        if !multiclass.isEmpty {
            let classes = runs[multiclass[0]].layerWidths.last ?? 10
            panels.append(panel("\(classes)-class models: accuracy per epoch", multiclass, baseline: false))
        }
        return PixelFigures.stacked(panels, title: "Train and test accuracy per epoch")
    }

    /// `confusion.svg`: the multiclass confusion matrix of the last epoch.
    static func confusion(_ run: RunMetrics) -> SVGDocument? {
        guard let counts = run.last.confusion, !counts.isEmpty else { return nil }
        let labels = run.last.classNames ?? counts.indices.map(String.init)
        return HeatMap(title: "Confusion matrix of \(RunStyle.label(run)) (test set, epoch \(run.last.epoch))",
                       counts: counts, rowLabels: labels, columnLabels: labels,
                       rowTitle: "true class", columnTitle: "predicted class").document()
    }

    /// `recall.svg`: the multiclass model's recall on each class (the share of its test images named
    /// correctly), labelled with the class names; `nil` without per-class data.
    static func classRecall(_ run: RunMetrics, names: [String]) -> SVGDocument? {
        guard let values = run.last.perClassAccuracy else { return nil }
        let color = RunStyle.colors(for: [run])[0]
        return DotChart(title: "\(RunStyle.label(run)): recall per class (test set, epoch \(run.last.epoch))",
                        categories: (0..<values.count).map { $0 < names.count ? names[$0] : String($0) },
                        xTitle: "true class", yTitle: "recall (%)",
                        series: [.init(name: "share of the class's test images named correctly", color: color,
                                       marker: .triangle, values: values.map { $0 * 100 })]).document()
    }

    /// `digits.svg`: the detectors per digit d, on panels that say what each is: each "all digits"
    /// set's own "is it d?" detector (accuracy on all images, recall on the images of d); and each
    /// main detector's share of right answers on the images of each digit ("no" for the other
    /// digits: specificity; "yes" for its own: recall). `nil` without detector data.
    static func digits(_ selection: ReportSelection) -> SVGDocument? {
        let names = selection.classNames
        var panels: [SVGDocument] = []
        if !selection.detectorSets.isEmpty {
            var series: [DotChart.Series] = []
            for (set, color) in zip(selection.detectorSets, ["#56B4E9", "#E69F00"]) {
                let kind = set.model == "single" ? "single-neuron" : "hidden-layer"
                series.append(.init(name: "\(kind) \"is it d?\": accuracy on all test images", color: color,
                                    marker: .diamond, values: set.detectors.map { $0.map { $0.last.testAccuracy * 100 } }))
                series.append(.init(name: "\(kind) \"is it d?\": recall on the images of d", color: color,
                                    marker: .diamond, hollow: true,
                                    values: set.detectors.map { run in run.flatMap { DetectorScores($0)?.recall }.map { $0 * 100 } }))
            }
            panels.append(DotChart(title: "Each class d's own detector \"is it d?\"", categories: names,
                                   xTitle: "class d", yTitle: "percent", series: series).document())
        }
        let detectors = selection.main.filter { $0.isBinary && $0.last.digitAccuracy != nil }
        if !detectors.isEmpty {
            let styles = zip(RunStyle.colors(for: selection.main), RunStyle.markers(for: selection.main))
            var series: [DotChart.Series] = []
            for (run, (color, marker)) in zip(selection.main, styles) where run.isBinary {
                guard let values = run.last.digitAccuracy else { continue }
                series.append(.init(name: RunStyle.label(run), color: color, marker: marker,
                                     values: (0..<selection.classes).map { $0 < values.count ? values[$0] * 100 : nil }))
            }
            let target = detectors[0].digit.map { $0 < names.count ? names[$0] : String($0) } ?? "its class"
            panels.append(DotChart(title: "The \(target)-detectors on each class's images",
                                   categories: names, xTitle: "true class of the images (\(target): recall; others: specificity)",
                                   yTitle: "answered right (%)", series: series).document())
        }
        return panels.isEmpty ? nil : PixelFigures.stacked(panels, title: "Detectors per class")
    }

    /// `pr.svg`: each detector's precision–recall curve over all thresholds, the 0.5 threshold the
    /// report's numbers use ringed; `nil` without a detector's insight.
    static func precisionRecall(_ models: [(run: RunMetrics, insight: ModelInsight)], all runs: [RunMetrics]) -> SVGDocument? {
        let styles = Dictionary(zip(runs.map(\.source), zip(RunStyle.colors(for: runs), RunStyle.markers(for: runs))),
                                uniquingKeysWith: { first, _ in first })
        var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = [], highlights: [LineChart.Highlight] = []
        for (position, (run, insight)) in models.filter({ $0.run.isBinary && !$0.insight.scores.isEmpty }).enumerated() {
            let curve = PrecisionRecall(scores: insight.scores, positives: insight.positives)
            let (color, marker) = styles[run.source] ?? ("#000000", .circle)
            series.append(.init(name: RunStyle.label(run), color: color, dashed: position > 0, marker: .none,
                                points: curve.points.map { ($0.recall * 100, $0.precision * 100) }))
            var detail = "area under the curve \(String(format: "%.3f", curve.averagePrecision))"
            if let half = curve.at(threshold: 0.5) {
                highlights.append(.init(x: half.recall * 100, y: half.precision * 100, color: color, radius: 7 + 4 * Double(position)))
                detail += "; ring: threshold 0.5"
            }
            legend.append(.init(label: RunStyle.label(run), samples: [(color, position > 0, marker)], detail: detail))
        }
        guard !series.isEmpty else { return nil }
        return LineChart(title: "Detectors: precision against recall", xTitle: "recall (%)", yTitle: "precision (%)",
                         series: series, legend: legend, highlights: highlights, integerX: false).document()
    }
}
