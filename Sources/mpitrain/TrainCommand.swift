import ArgumentParser

/// `mpitrain train`: trains one of the lab's models.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model on MNIST (the default command).")

    @Option(help: "Model: single, hidden or multiclass.")
    var model: String = "multiclass"

    func run() throws {
        throw ValidationError("training is not implemented yet")
    }
}
