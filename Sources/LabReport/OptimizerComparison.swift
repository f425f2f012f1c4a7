extension ReportTables {
    /// When one network was trained with more than one optimizer (`report --compare-optimizers`,
    /// or `--from` files of such runs): each of those runs with its optimizer, learning rate,
    /// weight decay, final and best test accuracy and time per epoch; nil otherwise.
    static func optimizers(_ runs: [RunMetrics]) -> ReportTable? {
        let compared = runs.filter { run in
            Set(runs.filter { $0.model == run.model && $0.digit == run.digit && $0.layerWidths == run.layerWidths }
                .map { $0.last.optimizer ?? "sgd" }).count > 1
        }
        guard !compared.isEmpty else { return nil }
        return ReportTable(
            headers: ["Model", "Optimizer", "Learning rate", "Weight decay", "Epochs", "Test loss", "Test accuracy",
                      "Best test accuracy (epoch)", "Seconds per epoch"],
            rows: compared.map { run in
                let best = run.epochs.max { $0.testAccuracy < $1.testAccuracy }!
                return [RunStyle.label(run), run.last.optimizer ?? "sgd", run.epochs[0].learningRate.map { "\($0)" } ?? "–",
                        run.last.weightDecay.map { "\($0)" } ?? "0", String(run.last.epoch), loss(run.last.testLoss),
                        percent(run.last.testAccuracy), "\(percent(best.testAccuracy)) (\(best.epoch))",
                        String(format: "%.3f", run.totalSeconds / Double(run.epochs.count))]
            },
            numericColumns: [2, 3, 4, 5, 6, 7, 8])
    }
}
