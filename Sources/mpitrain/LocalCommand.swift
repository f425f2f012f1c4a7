import Foundation

/// Runs the body of a command that works in this process alone (`export`, `predict`): an error is
/// printed as one line and the process exits with status 1, without the usage hint of a parse error.
func runLocally(_ body: () throws -> Void) -> Never {
    do {
        try body()
        exit(0)
    } catch {
        printError(String(describing: error))
        exit(1)
    }
}
