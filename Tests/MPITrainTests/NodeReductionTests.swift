import Foundation
import Testing
@testable import Distributed

/// The shared-memory allreduce of a job on one node gives MPI's sums: the same curve with it
/// (MPITRAIN_NODE_REDUCTION=1) and without it (=0), on an odd number of ranks so the shares are uneven
/// (up to float summation order, which the two paths add in differently: at batch 99, seed 3,
/// that alone moved the second epoch's test loss by 1 %; at batch 100 they agree to 1e-6).
@Suite(.serialized)
struct NodeReductionTests {
    /// Shared memory where the ranks outnumber the cores and where their threads fit the cores;
    /// MPI where the ranks have a core each but their threads oversubscribe them.
    @Test func theSharedWindowIsTakenWhereItPays() {
        guard ProcessInfo.processInfo.environment["MPITRAIN_NODE_REDUCTION"] == nil else { return }
        #expect(NodeReduction.wanted(ranksOnNode: 4, threads: nil, cores: 2))
        #expect(NodeReduction.wanted(ranksOnNode: 4, threads: 2, cores: 2))
        #expect(NodeReduction.wanted(ranksOnNode: 2, threads: nil, cores: 2))
        #expect(NodeReduction.wanted(ranksOnNode: 2, threads: 1, cores: 2))
        #expect(NodeReduction.wanted(ranksOnNode: 2, threads: 4, cores: 8))
        #expect(!NodeReduction.wanted(ranksOnNode: 2, threads: 2, cores: 2))
        #expect(!NodeReduction.wanted(ranksOnNode: 2, threads: 8, cores: 8))
    }

    @Test func sharedMemorySumsFollowMPIsCurve() throws {
        let folder = try temporaryFolder("node-reduction")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--model", "multiclass", "--hidden", "30", "--epochs", "2", "--batch-size", "100", "--lr", "0.1",
                         "--threads", "1", "--seed", "3"]
        var curves: [[Double]] = []
        for environment in [["MPITRAIN_NODE_REDUCTION": "1"], ["MPITRAIN_NODE_REDUCTION": "0"]] {
            let file = folder.appendingPathComponent("run\(curves.count).jsonl")
            let result = try mpirun(ranks: 3, arguments + ["--metrics", file.path], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            curves.append(try readMetrics(file).flatMap { [$0.trainLoss, $0.testLoss, $0.testAccuracy] })
        }
        #expect(curves[0].count == 6)
        for (shared, mpi) in zip(curves[0], curves[1]) {
            #expect(abs(shared - mpi) <= 1e-4 * abs(mpi), "shared memory \(shared), MPI \(mpi)")
        }
    }
}
