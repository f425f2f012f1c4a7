import ArgumentParser
import Foundation
import Distributed

/// `mpitrain mpi-selftest`: every rank runs the collectives on known values and prints
/// one JSON line with what it saw; the multi-rank tests start it under real `mpirun`.
struct SelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-selftest",
        abstract: "Check MPI: each rank prints its rank, size, an allreduce and a broadcast as JSON.",
        shouldDisplay: false
    )

    func run() throws {
        let communicator = try Communicator.start()
        defer { communicator.finalize() }
        // Rank r contributes [r + 1, 1]: the sums are size·(size+1)/2 and size.
        var sums: [Float] = [Float(communicator.rank + 1), 1]
        try communicator.allreduceSum(&sums)
        // Rank 0 holds [42, 7, -1]; every other rank starts with zeros.
        var broadcast: [Float] = communicator.isRoot ? [42, 7, -1] : [0, 0, 0]
        try communicator.broadcast(&broadcast)
        let text = try communicator.broadcast(communicator.isRoot ? Array("hello from rank 0".utf8) : [])
        try communicator.barrier()
        let line: [String: Any] = [
            "rank": communicator.rank, "size": communicator.size, "ranksOnNode": communicator.ranksOnNode,
            "usesMPI": communicator.usesMPI, "allreduce": sums.map(Double.init),
            "broadcast": broadcast.map(Double.init), "text": String(decoding: text, as: UTF8.self),
        ]
        let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
