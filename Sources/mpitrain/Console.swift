import Foundation
import Distributed

/// Where the trainer speaks: only rank 0 writes to standard output (llm.c's `printf0`).
struct Console {
    let communicator: Communicator
    /// `--quiet`: `print` prints nothing (errors and `note`s still do).
    var quiet = false

    /// Prints `text` on rank 0 unless quiet; other ranks stay silent.
    func print(_ text: String) {
        guard communicator.isRoot, !quiet else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints `text` to standard error on rank 0, for what the user must see even when standard
    /// output goes to a file (an interrupted run and how to resume it).
    func note(_ text: String) {
        guard communicator.isRoot else { return }
        FileHandle.standardError.write(Data("mpitrain: \(text)\n".utf8))
    }
}

/// Writes one line to standard error (errors are printed by the rank that decides to print them).
func printError(_ line: String) {
    FileHandle.standardError.write(Data("mpitrain: error: \(line)\n".utf8))
}
