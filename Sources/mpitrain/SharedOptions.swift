import ArgumentParser

/// Where the data set is and how many threads each rank uses: every command that reads the data.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder with the four IDX files, as for MNIST (default: $MPITRAIN_DATA, then the project's data/).",
                               valueName: "dir"),
            completion: .directory)
    var data: String?

    @Option(help: "Worker threads per rank, 1 to 256 (default: cores on this node ÷ ranks on this node); the single neuron runs on one.")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...Self.maximumThreads).contains(threads) {
            throw ValidationError("--threads takes 1 to \(Self.maximumThreads) worker threads per rank, not \(threads)")
        }
    }

    /// The most threads per rank `--threads` takes.
    static let maximumThreads = 256
}

/// How long a run trains and from which seed: `train` and `report`.
struct RunLengthOptions: ParsableArguments {
    @Option(help: "Passes over the training set.")
    var epochs: Int = 100

    @Option(parsing: .unconditional, help: "Seed for the initial weights and the shuffled order of every epoch.",
            transform: seedValue)
    var seed: UInt64 = 1

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs \(epochs) must be at least 1") }
    }
}

/// `text` as a seed (read even when it looks like an option, as "-1" does), or an error that
/// says what a seed is.
func seedValue(_ text: String) throws -> UInt64 {
    guard let value = UInt64(text) else {
        throw ValidationError("--seed takes a whole number from 0 to \(UInt64.max)")
    }
    return value
}
