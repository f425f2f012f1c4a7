/// What the trainer needs from the other ranks of a job: the same calls on every rank, in the
/// same order. `Distributed`'s `Communicator` implements it over MPI; `SingleProcess` is the job
/// of one rank, whose collectives leave their arguments as they are.
public protocol Collectives: AnyObject {
    /// This process's rank in the job, 0 ..< `size`.
    var rank: Int { get }
    /// Number of ranks in the job.
    var size: Int { get }
    /// Sums `buffer` element-wise over all ranks, in place.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Sums the step's gradient buffer over all ranks: gradients first, then `statistics` floats
    /// (loss, counts) that are always summed exactly as floats. Returns where the sums are:
    /// `buffer` itself, or memory the node's ranks share, valid until the next collective call.
    func allreduceGradients(_ buffer: UnsafeMutableBufferPointer<Float>, statistics: Int) throws -> UnsafeBufferPointer<Float>
    /// Sums `buffer` element-wise over all ranks, in place, exactly (wrapping on overflow).
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws
    /// Sums `values` element-wise over all ranks, in place.
    func allreduceSum(_ values: inout [Double]) throws
    /// Element-wise maximum of `values` over all ranks, in place.
    func allreduceMax(_ values: inout [Double]) throws
    /// Element-wise minimum of `values` over all ranks, in place.
    func allreduceMin(_ values: inout [Double]) throws
    /// Memory for the step's gradient buffer of `count` floats that `allreduceGradients` sums
    /// without copying it first (memory the node's ranks share), or nil: the caller allocates its
    /// own. Valid while the job lasts, until the next call. A collective call.
    func gradientStorage(count: Int) throws -> UnsafeMutablePointer<Float>?
    /// Copies rank 0's `buffer` to every rank.
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Waits until every rank has arrived.
    func barrier() throws
}

extension Collectives {
    /// The gradients in fp32, like every other float: `allreduceSum(buffer)`, in place.
    public func allreduceGradients(_ buffer: UnsafeMutableBufferPointer<Float>, statistics: Int) throws -> UnsafeBufferPointer<Float> {
        try allreduceSum(buffer)
        return UnsafeBufferPointer(buffer)
    }

    /// None: the caller allocates its own gradient buffer.
    public func gradientStorage(count: Int) throws -> UnsafeMutablePointer<Float>? { nil }

    /// Copies rank 0's `values` to every rank.
    public func broadcast(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0) }
    }
}

/// A job of one rank: every collective is the identity.
public final class SingleProcess: Collectives {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) {}
    public func allreduceSum(_ values: inout [Double]) {}
    public func allreduceMax(_ values: inout [Double]) {}
    public func allreduceMin(_ values: inout [Double]) {}
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func barrier() {}
}
