import ArgumentParser
import Foundation

/// `mpitrain`: data-parallel training of the MNIST lab's networks on OpenMPI.
@main
struct MPITrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpitrain",
        abstract: "Data-parallel neural-network training on MNIST over MPI.",
        discussion: """
            Run as a single process (`mpitrain --model single`) or under MPI \
            (`scripts/mpirun -np 4 mpitrain --model multiclass`).
            """,
        version: Version.description,
        subcommands: [Train.self, Evaluate.self, Predict.self, Export.self, Report.self, ScalingSummary.self, BenchGEMM.self, SelfTest.self],
        defaultSubcommand: Train.self
    )

    /// Parses and runs the command. Under mpirun every rank parses the same arguments, so a usage
    /// error or `--help` is printed by rank 0 alone and every rank exits with the same status.
    /// A usage error is one line (what is wrong and the fix), without the usage summary.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard launchRank == 0 else { Foundation.exit(code.rawValue) }
            guard code != .success, code != .validationFailure || !message(for: error).isEmpty else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError(message + " (see mpitrain --help)")
            Foundation.exit(code.rawValue)
        }
    }

    /// This process's rank as the MPI launcher announced it (0 without a launcher), known before MPI starts.
    static var launchRank: Int {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"].lazy.compactMap { environment[$0].flatMap(Int.init) }.first ?? 0
    }
}
