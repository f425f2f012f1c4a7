import Foundation
import NetCore
import Distributed

/// What one rank read as its data set, for comparing the ranks at start.
private struct DataIdentity: Codable, Equatable {
    /// CRC-32 of the four files (`MNIST.filesCRC32`), as 8 hex digits.
    var crc32: String
    var trainingImages: Int
    var testImages: Int
    var host: String
    var folder: String

    /// The same data: same content, wherever it was read.
    func matches(_ other: DataIdentity) -> Bool {
        (crc32, trainingImages, testImages) == (other.crc32, other.trainingImages, other.testImages)
    }

    var summary: String {
        "\(folder) (CRC-32 \(crc32), \(trainingImages) training and \(testImages) test images)"
    }
}

extension Communicator {
    /// Fails on every rank, with one line naming the ranks and hosts, when the ranks' data sets
    /// differ (an MPMD launch with different --data, a node with a stale copy): the ranks would
    /// train on inconsistent data, or wait for each other forever when the sizes differ.
    func checkSameData(_ data: MNIST, folder: URL) throws {
        guard size > 1 else { return }
        let mine = DataIdentity(crc32: data.filesCRC32.map(hex8) ?? "none",
                                trainingImages: data.train.count + (data.validation?.count ?? 0),
                                testImages: data.test.count, host: hostName, folder: folder.path)
        let identities = try allgather(Array(try JSONEncoder().encode(mine))).map {
            try JSONDecoder().decode(DataIdentity.self, from: Data($0))
        }
        let reference = identities[0]
        let differing = identities.indices.filter { !identities[$0].matches(reference) }
        guard !differing.isEmpty else { return }
        // The differing ranks, grouped by the data they read.
        var groups: [(ranks: [Int], identity: DataIdentity)] = []
        for rank in differing {
            if let index = groups.firstIndex(where: { $0.identity.matches(identities[rank]) }) {
                groups[index].ranks.append(rank)
            } else {
                groups.append(([rank], identities[rank]))
            }
        }
        let agreeing = identities.indices.filter { identities[$0].matches(reference) }
        let reads = ([(agreeing, reference)] + groups).map { group in
            "\(ranksOnHosts(group.0, identities)) read \(group.1.summary)"
        }.joined(separator: ", ")
        throw JobError.failed("the ranks read different data: \(reads); give every rank the same data set (is one node's copy stale?)")
    }

    /// "rank 1 on host b" or "ranks 1, 3 on hosts b, d".
    private func ranksOnHosts(_ ranks: [Int], _ identities: [DataIdentity]) -> String {
        var hosts: [String] = []
        for rank in ranks where !hosts.contains(identities[rank].host) { hosts.append(identities[rank].host) }
        return (ranks.count == 1 ? "rank " : "ranks ") + ranks.map(String.init).joined(separator: ", ")
            + (hosts.count == 1 ? " on host " : " on hosts ") + hosts.joined(separator: ", ")
    }

    private var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `value` as 8 upper-case hex digits.
private func hex8(_ value: UInt32) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - text.count) + text
}
