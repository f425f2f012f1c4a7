import Foundation

/// The report's figures, built from the selected runs.
enum ReportFigures {
    /// `loss.svg`: train (dashed, hollow markers) and test (solid) loss of every main run, validation
    /// (dotted, not in the legend) when recorded, each run's lowest test loss ringed; log scale when the losses span more
    /// than a factor of 20.
    static func loss(_ runs: [RunMetrics]) -> SVGDocument {
        var series: [LineChart.Series] = []
        var legend: [LineChart.LegendRow] = []
        var highlights: [LineChart.Highlight] = []
        for (run, (color, marker)) in zip(runs, zip(RunStyle.colors(for: runs), RunStyle.markers(for: runs))) {
            let label = RunStyle.label(run)
            series.append(.init(name: "\(label) train", color: color, dashed: true, marker: marker,
                                points: run.epochs.map { (Double($0.epoch), $0.trainLoss) }))
            series.append(.init(name: "\(label) test", color: color, dashed: false, marker: marker,
                                points: run.epochs.map { (Double($0.epoch), $0.testLoss) }))
            let samples: [(color: String, dashed: Bool, marker: SVGDocument.Marker)] = [(color, true, marker), (color, false, marker)]
            let validation = run.epochs.compactMap { line in line.validationLoss.map { (Double(line.epoch), $0) } }
            if !validation.isEmpty {
                series.append(.init(name: "\(label) validation", color: color, dashed: false, dotted: true,
                                    marker: marker, points: validation))
            }
            let best = FittingSummary(run)
            legend.append(.init(label: label, samples: samples,
                                detail: "○ min test loss \(ReportTables.loss(best.bestTestLoss)), epoch \(best.bestEpoch)"))
            highlights.append(.init(x: Double(best.bestEpoch), y: best.bestTestLoss))
        }
        let losses = runs.flatMap { $0.epochs.flatMap { [$0.trainLoss, $0.testLoss] } }.filter { $0 > 0 }
        let logarithmic = (losses.max() ?? 1) / (losses.min() ?? 1) > 20
        return LineChart(title: "Loss per epoch" + (logarithmic ? " (log scale)" : ""), xTitle: "epoch",
                         yTitle: "mean cross-entropy loss", series: series,
                         legendColumns: ["train", "test"],
                         legend: legend, highlights: highlights, logarithmicY: logarithmic).document()
    }

    /// `accuracy.svg`: train (dashed), test (solid) and, when recorded, validation (dotted) accuracy in percent, binary detectors and
    /// multiclass models on separate panels; the detectors' majority baseline drawn on theirs.
    static func accuracy(_ runs: [RunMetrics]) -> SVGDocument {
        let styles = Dictionary(uniqueKeysWithValues: zip(runs.indices, zip(RunStyle.colors(for: runs),
                                                                              RunStyle.markers(for: runs))))
        func panel(_ title: String, _ indices: [Int], baseline: Bool) -> SVGDocument {
            var series: [LineChart.Series] = [], legend: [LineChart.LegendRow] = []
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
                legend.append(.init(label: label, samples: [(color, true, marker), (color, false, marker)]))
            }
            let baselines = baseline ? Set(indices.compactMap { DetectorScores(runs[$0])?.baseline }) : []
            let references = baselines.sorted().map {
                LineChart.ReferenceLine(y: $0 * 100, label: "baseline (always no) \(ReportTables.percent($0))")
            }
            return LineChart(title: title, xTitle: "epoch", yTitle: "accuracy (%)", series: series,
                             legendColumns: ["train", "test"], legend: legend, references: references).document()
        }
        let binary = runs.indices.filter { runs[$0].isBinary }, multiclass = runs.indices.filter { !runs[$0].isBinary }
        var panels: [SVGDocument] = []
        if !binary.isEmpty { panels.append(panel("Binary detectors: accuracy per epoch", binary, baseline: true)) }
        if !multiclass.isEmpty {
            let classes = runs[multiclass[0]].layerWidths.last ?? 10
            panels.append(panel("\(classes)-class models: accuracy per epoch", multiclass, baseline: false))
        }
        var svg = SVGDocument(width: panels.map(\.width).max() ?? 100, height: panels.map(\.height).reduce(0, +),
                              title: "Train and test accuracy per epoch")
        svg.cssClass = "chart"
        var top = 0.0
        for panel in panels {
            svg.place(panel, x: 0, y: top)
            top += panel.height
        }
        return svg
    }

    /// `confusion.svg`: the multiclass confusion matrix of the last epoch.
    static func confusion(_ run: RunMetrics) -> SVGDocument? {
        guard let counts = run.last.confusion, !counts.isEmpty else { return nil }
        let labels = run.last.classNames ?? counts.indices.map(String.init)
        return HeatMap(title: "Confusion matrix of \(RunStyle.label(run)) (test set, epoch \(run.last.epoch))",
                       counts: counts, rowLabels: labels, columnLabels: labels,
                       rowTitle: "true class", columnTitle: "predicted class").document()
    }

    /// `digits.svg`: per digit, the test accuracy and recall of each set's detector for that digit, and
    /// each main model's accuracy on that digit's test images.
    static func digits(_ selection: ReportSelection) -> SVGDocument? {
        guard selection.hasDigitData else { return nil }
        var series: [DotChart.Series] = []
        for (set, color) in zip(selection.detectorSets, ["#56B4E9", "#E69F00"]) {
            series.append(.init(name: "\(set.model) detectors: accuracy", color: color,
                                marker: .diamond, values: set.detectors.map { $0.map { $0.last.testAccuracy * 100 } }))
            series.append(.init(name: "\(set.model) detectors: recall", color: color,
                                marker: .diamond, hollow: true,
                                values: set.detectors.map { run in run.flatMap { DetectorScores($0)?.recall }.map { $0 * 100 } }))
        }
        let styles = zip(RunStyle.colors(for: selection.main), RunStyle.markers(for: selection.main))
        for (run, (color, marker)) in zip(selection.main, styles) {
            let values = run.isBinary ? run.last.digitAccuracy : run.last.perClassAccuracy
            guard let values else { continue }
            series.append(.init(name: RunStyle.label(run), color: color, marker: marker,
                                values: (0..<selection.classes).map { $0 < values.count ? values[$0] * 100 : nil }))
        }
        return DotChart(title: "Accuracy per digit d (test set, last epoch)", categories: selection.classNames,
                        xTitle: "digit d", yTitle: "percent", series: series).document()
    }
}
