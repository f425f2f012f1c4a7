import Foundation

/// Runs the body of a command that works in this process alone (`export`, `predict`): an error is
/// printed as one line and the process exits with status 1, without the usage hint of a parse error.
/// Under mpirun, rank 0 alone runs it (the others exit at once), so it prints and writes once.
func runLocally(_ body: () throws -> Void) -> Never {
    guard MPITrain.launchRank == 0 else { exit(0) }
    do {
        try body()
        exit(0)
    } catch {
        printError(String(describing: error))
        exit(1)
    }
}
