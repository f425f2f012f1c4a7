import Foundation
import Testing

/// The first multi-rank check: real `mpirun -np 4` on `mpitrain mpi-selftest`.
@Suite(.serialized)
struct MPISelfTestTests {
    struct RankReport: Decodable {
        var rank: Int
        var size: Int
        var ranksOnNode: Int
        var usesMPI: Bool
        var allreduce: [Double]
        var broadcast: [Double]
        var text: String
    }

    private func reports(_ result: RunResult) throws -> [RankReport] {
        try result.stdoutLines.map { try JSONDecoder().decode(RankReport.self, from: Data($0.utf8)) }
    }

    @Test func fourRanksAgreeOnAllreduceAndBroadcast() throws {
        let result = try mpirun(ranks: 4, ["mpi-selftest"], timeout: 60)
        #expect(result.status == 0, "mpirun failed: \(result.stderr)")
        let ranks = try reports(result)
        #expect(ranks.map(\.rank).sorted() == [0, 1, 2, 3])
        for report in ranks {
            #expect(report.size == 4)
            #expect(report.usesMPI)
            #expect(report.ranksOnNode == 4)
            #expect(report.allreduce == [10, 4], "rank \(report.rank): 1+2+3+4 and 1·4")
            #expect(report.broadcast == [42, 7, -1], "rank \(report.rank) did not receive rank 0's values")
            #expect(report.text == "hello from rank 0")
        }
    }

    @Test func withoutMpirunItIsOneProcessOfSizeOne() throws {
        let result = try mpitrain(["mpi-selftest"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let ranks = try reports(result)
        #expect(ranks.count == 1)
        #expect(ranks.first?.size == 1)
        #expect(ranks.first?.usesMPI == false)
        #expect(ranks.first?.allreduce == [1, 1])
    }

    @Test func helpPrintsUsageUnderMpirun() throws {
        let result = try mpirun(ranks: 2, ["--help"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: mpitrain"))
    }
}
