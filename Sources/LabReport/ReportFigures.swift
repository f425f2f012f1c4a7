import Foundation

/// The report's figures, built from the selected runs.
enum ReportFigures {
    /// `loss.svg`: train (dashed) and test (solid) loss of every main run; log scale when the losses
    /// span more than a factor of 20.
    static func loss(_ runs: [RunMetrics]) -> SVGDocument {
        let colors = RunStyle.colors(for: runs)
        var series: [LineChart.Series] = []
        var legend: [LineChart.LegendRow] = []
        for (run, color) in zip(runs, colors) {
            let label = RunStyle.label(run)
            series.append(.init(name: "\(label) train", color: color, dashed: true,
                                points: run.epochs.map { (Double($0.epoch), $0.trainLoss) }))
            series.append(.init(name: "\(label) test", color: color, dashed: false,
                                points: run.epochs.map { (Double($0.epoch), $0.testLoss) }))
            legend.append(.init(label: label, samples: [(color, true), (color, false)]))
        }
        let losses = runs.flatMap { $0.epochs.flatMap { [$0.trainLoss, $0.testLoss] } }.filter { $0 > 0 }
        let logarithmic = (losses.max() ?? 1) / (losses.min() ?? 1) > 20
        return LineChart(title: "Loss per epoch" + (logarithmic ? " (log scale)" : ""), xTitle: "epoch",
                         yTitle: "mean cross-entropy loss", series: series, legendColumns: ["train", "test"],
                         legend: legend, logarithmicY: logarithmic).document()
    }

    /// `accuracy.svg`: test accuracy in percent of every main run.
    static func accuracy(_ runs: [RunMetrics]) -> SVGDocument {
        let series = zip(runs, RunStyle.colors(for: runs)).map { run, color in
            LineChart.Series(name: RunStyle.label(run), color: color, dashed: false,
                             points: run.epochs.map { (Double($0.epoch), $0.testAccuracy * 100) })
        }
        return LineChart(title: "Test accuracy per epoch", xTitle: "epoch", yTitle: "test accuracy (%)",
                         series: series).document()
    }

    /// `confusion.svg`: the multiclass confusion matrix of the last epoch.
    static func confusion(_ run: RunMetrics) -> SVGDocument? {
        guard let counts = run.last.confusion, !counts.isEmpty else { return nil }
        let labels = run.last.classNames ?? counts.indices.map(String.init)
        return HeatMap(title: "Confusion matrix of \(RunStyle.label(run)) (test set, epoch \(run.last.epoch))",
                       counts: counts, rowLabels: labels, columnLabels: labels,
                       rowTitle: "true class", columnTitle: "predicted class").document()
    }

    /// `digits.svg`: per digit, the accuracy of that digit's own detector, and each model's accuracy on
    /// that digit's test images.
    static func digits(_ selection: ReportSelection) -> SVGDocument? {
        guard selection.hasDigitData else { return nil }
        var series: [BarChart.Series] = []
        if !selection.detectors.isEmpty {
            series.append(.init(name: "detector \"is it a d?\" — test accuracy on all images", color: "#56B4E9",
                                values: selection.detectors.map { $0.map { $0.last.testAccuracy * 100 } }))
        }
        let colors = RunStyle.colors(for: selection.main)
        for (run, color) in zip(selection.main, colors) {
            let values = run.isBinary ? run.last.digitAccuracy : run.last.perClassAccuracy
            guard let values else { continue }
            series.append(.init(name: "\(RunStyle.label(run)) — accuracy on images of d", color: color,
                                values: (0..<selection.classes).map { $0 < values.count ? values[$0] * 100 : nil }))
        }
        return BarChart(title: "Accuracy per digit d (test set, last epoch)",
                        categories: selection.classNames,
                        xTitle: "digit d", yTitle: "accuracy (%)", series: series).document()
    }
}
