/// A failure on one or more ranks that every rank has agreed on, so all of them can stop
/// together with the same message instead of leaving the others waiting in a collective.
public struct AgreedFailure: Error, CustomStringConvertible, Sendable {
    /// The lowest rank that failed.
    public let rank: Int
    /// That rank's error, as text.
    public let message: String
    /// Ranks in the job (a rank is named in the message only when there are several).
    public let size: Int

    public var description: String { size > 1 ? "rank \(rank): \(message)" : message }
}

extension Communicator {
    /// Runs `body` on every rank and agrees on the outcome: if it throws on any rank, every rank
    /// throws the same `AgreedFailure` (the lowest failing rank's message); otherwise returns its value.
    /// Costs two small allreduces (and a broadcast on failure); meant for set-up phases, not steps.
    public func agree<T>(_ body: () throws -> T) throws -> T {
        var value: T?
        var failure: String?
        do { value = try body() } catch { failure = String(describing: error) }
        var firstFailing = [Double(failure == nil ? size : rank)]
        try allreduceMin(&firstFailing)
        let failingRank = Int(firstFailing[0])
        guard failingRank < size else { return value! }
        let message = try broadcast(Array((failure ?? "").utf8), root: failingRank)
        throw AgreedFailure(rank: failingRank, message: String(decoding: message, as: UTF8.self), size: size)
    }
}
