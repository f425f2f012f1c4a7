import CMPI
import Foundation
import NetCore

/// The ranks of one training job and the collectives the trainer needs.
///
/// Started under `mpirun`, it initialises MPI (thread level *funneled*: only the main thread
/// calls MPI, the kernels' worker threads never do) and wraps `MPI_COMM_WORLD`. Started as a plain
/// process, it is a communicator of size 1 whose collectives are identities, so the
/// single-process trainer runs the very same code path without touching MPI.
/// Every MPI call is checked; a failure throws an `MPIError` naming the call, file and line.
/// A collective that waits longer than `stallTimeout` for the other ranks throws
/// `CollectiveStalled` naming the ranks that never arrived (Communicator+Stall.swift).
public final class Communicator: Collectives, @unchecked Sendable {
    /// This process's rank in the job, 0 ..< `size`.
    public let rank: Int
    /// Number of ranks in the job.
    public let size: Int
    /// Number of ranks of this job on this node (shared-memory neighbours), at least 1.
    public let ranksOnNode: Int
    /// Whether MPI was initialised (false in single-process mode).
    public let usesMPI: Bool
    private var finalized = false
    /// Seconds a collective may wait for the other ranks before the stall watchdog names the
    /// missing ones and throws `CollectiveStalled` (default 120).
    public var stallTimeout: Double = 120
    /// The watchdog's own channel, a duplicate of `MPI_COMM_WORLD`: its messages never meet a collective's.
    let watchdogChannel: MPI_Comm?
    /// Collectives this rank has started; every rank starts the same ones in the same order.
    var collectivesStarted: Int64 = 0
    /// The float allreduce through shared memory, when every rank of the job is on this node and
    /// `NodeReduction.wanted` says so.
    let nodeReduction: NodeReduction?
    /// How the gradients travel in `allreduceGradients` (`--allreduce-precision`; default fp32).
    public var allreducePrecision = AllreducePrecision.fp32
    /// The bfloat16 gradients on the wire, and the MPI reduction that sums them (made at first use).
    var wire: [UInt16] = []
    var bfloat16Sum: MPI_Op?

    /// Rank 0, the one that prints and writes files.
    public var isRoot: Bool { rank == 0 }

    /// Whether this process was started by an MPI launcher (`mpirun`, `srun`, ...).
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// Starts the communicator: MPI under a launcher, size 1 otherwise. `threads` is what each
    /// rank will run on (nil: `defaultThreads`), for the choice of the gradients' path.
    public static func start(threads: Int? = nil) throws -> Communicator {
        guard launchedByMPI else {
            return Communicator(rank: 0, size: 1, ranksOnNode: 1, watchdogChannel: nil, nodeReduction: nil)
        }
        // Collectives are non-blocking (for the stall watchdog); libnbc's ring allreduce is as fast
        // as the blocking MPI_Allreduce for the gradient buffer, its default choice slower
        // (docs/performance.md). A value set by the user wins.
        setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", 0)
        var provided: Int32 = 0
        try mpiCheck("MPI_Init_thread") { MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided) }
        try mpiCheck("MPI_Comm_set_errhandler") { MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()) }
        var rank: Int32 = 0, size: Int32 = 0
        try mpiCheck("MPI_Comm_rank") { MPI_Comm_rank(cmpi_comm_world(), &rank) }
        try mpiCheck("MPI_Comm_size") { MPI_Comm_size(cmpi_comm_world(), &size) }
        var node = cmpi_comm_null()
        try mpiCheck("MPI_Comm_split_type") {
            MPI_Comm_split_type(cmpi_comm_world(), cmpi_comm_type_shared(), rank, cmpi_info_null(), &node)
        }
        var onNode: Int32 = 1
        try mpiCheck("MPI_Comm_size") { MPI_Comm_size(node, &onNode) }
        var nodeReduction: NodeReduction?
        if size > 1, onNode == size, NodeReduction.wanted(ranksOnNode: Int(onNode), threads: threads) {
            nodeReduction = NodeReduction(comm: node!, rank: Int(rank), size: Int(size))
        } else {
            try mpiCheck("MPI_Comm_free") { MPI_Comm_free(&node) }
        }
        var watchdog = cmpi_comm_null()
        try mpiCheck("MPI_Comm_dup") { MPI_Comm_dup(cmpi_comm_world(), &watchdog) }
        return Communicator(rank: Int(rank), size: Int(size), ranksOnNode: Int(max(onNode, 1)), watchdogChannel: watchdog,
                            nodeReduction: nodeReduction)
    }

    private init(rank: Int, size: Int, ranksOnNode: Int, watchdogChannel: MPI_Comm?, nodeReduction: NodeReduction?) {
        self.rank = rank
        self.size = size
        self.ranksOnNode = ranksOnNode
        self.usesMPI = watchdogChannel != nil
        self.watchdogChannel = watchdogChannel
        self.nodeReduction = nodeReduction
    }

    /// Threads each rank should use by default: cores on this node ÷ ranks on this node, at least 1.
    public var defaultThreads: Int { Self.defaultThreads(ranksOnNode: ranksOnNode) }

    /// Threads each of `ranksOnNode` ranks uses by default on a node of `cores` cores: cores ÷ ranks, at least 1.
    static func defaultThreads(ranksOnNode: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores / ranksOnNode)
    }

    // MARK: - Collectives

    /// Sums `buffer` element-wise over all ranks, in place (`MPI_Allreduce` with `MPI_IN_PLACE`).
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard usesMPI, buffer.count > 0 else { return }
        if let nodeReduction, nodeReduction.takes(UnsafeBufferPointer(buffer)) {
            let sums = try nodeReduction.allreduceSum(UnsafeBufferPointer(buffer), stallTimeout: stallTimeout, meet: barrier)
            buffer.baseAddress!.update(from: sums.baseAddress!, count: buffer.count)
            return
        }
        try collective("MPI_Iallreduce") {
            MPI_Iallreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_float(), cmpi_op_sum(), cmpi_comm_world(), $0)
        }
    }

    /// Sums `buffer` element-wise over all ranks, in place: an integer sum, the same whichever
    /// order MPI adds in (the exact gradient sum's).
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {
        guard usesMPI, buffer.count > 0 else { return }
        try collective("MPI_Iallreduce") {
            MPI_Iallreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_int64(), cmpi_op_sum(), cmpi_comm_world(), $0)
        }
    }

    /// Sums `values` element-wise over all ranks, in place.
    public func allreduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allreduceSum($0) }
    }

    /// Sums `values` element-wise over all ranks, in place (loss sums, counts, timings).
    public func allreduceSum(_ values: inout [Double]) throws {
        try allreduce(&values, cmpi_double(), cmpi_op_sum())
    }

    /// Element-wise maximum of `values` over all ranks, in place.
    public func allreduceMax(_ values: inout [Double]) throws {
        try allreduce(&values, cmpi_double(), cmpi_op_max())
    }

    /// Element-wise minimum of `values` over all ranks, in place.
    public func allreduceMin(_ values: inout [Double]) throws {
        try allreduce(&values, cmpi_double(), cmpi_op_min())
    }

    private func allreduce(_ values: inout [Double], _ type: MPI_Datatype, _ op: MPI_Op) throws {
        guard usesMPI, !values.isEmpty else { return }
        let count = Int32(values.count)
        try values.withUnsafeMutableBufferPointer { buffer in
            try collective("MPI_Iallreduce") {
                MPI_Iallreduce(cmpi_in_place(), buffer.baseAddress, count, type, op, cmpi_comm_world(), $0)
            }
        }
    }

    /// Copies rank 0's `buffer` to every rank.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try broadcast(buffer, root: 0)
    }

    /// Copies `buffer` from rank `root` to every rank.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard usesMPI, buffer.count > 0 else { return }
        try collective("MPI_Ibcast") {
            MPI_Ibcast(buffer.baseAddress, Int32(buffer.count), cmpi_float(), Int32(root), cmpi_comm_world(), $0)
        }
    }

    /// Copies rank `root`'s bytes to every rank; the result has rank `root`'s length.
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        guard usesMPI else { return bytes }
        var length = [rank == root ? Double(bytes.count) : 0]
        try allreduce(&length, cmpi_double(), cmpi_op_max())
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        let count = Int32(result.count)
        try result.withUnsafeMutableBytes { raw in
            try collective("MPI_Ibcast") { MPI_Ibcast(raw.baseAddress, count, cmpi_byte(), Int32(root), cmpi_comm_world(), $0) }
        }
        return result
    }

    /// Every rank's `bytes`, in rank order, on every rank (each may have its own length).
    public func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        guard usesMPI else { return [bytes] }
        var longest = [Double(bytes.count)]
        try allreduce(&longest, cmpi_double(), cmpi_op_max())
        // Records of one width: the length (8 bytes, little-endian), then the bytes, then zeros.
        let width = 8 + Int(longest[0])
        var record = withUnsafeBytes(of: Int64(bytes.count).littleEndian, Array.init) + bytes
        record += [UInt8](repeating: 0, count: width - record.count)
        var records = [UInt8](repeating: 0, count: width * size)
        try record.withUnsafeBytes { send in
            try records.withUnsafeMutableBytes { receive in
                try collective("MPI_Iallgather") {
                    MPI_Iallgather(send.baseAddress, Int32(width), cmpi_byte(), receive.baseAddress, Int32(width), cmpi_byte(),
                                   cmpi_comm_world(), $0)
                }
            }
        }
        return (0..<size).map { rank in
            let start = rank * width
            let length = records[start..<start + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
            return Array(records[start + 8..<start + 8 + length])
        }
    }

    /// Waits until every rank has arrived.
    public func barrier() throws {
        guard usesMPI else { return }
        try collective("MPI_Ibarrier") { MPI_Ibarrier(cmpi_comm_world(), $0) }
    }

    /// Ends every rank of the job at once with `code` (`MPI_Abort`); in single-process mode, `exit`.
    public func abort(code: Int32) -> Never {
        if usesMPI { MPI_Abort(cmpi_comm_world(), code) }
        exit(code)
    }

    /// Finalises MPI; safe to call more than once and in single-process mode.
    public func finalize() {
        guard usesMPI, !finalized else { return }
        finalized = true
        MPI_Finalize()
    }
}
