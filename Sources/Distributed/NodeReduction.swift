import CMPI
import Foundation

/// The gradient allreduce of a job whose ranks all share one node, through shared memory, with
/// waiting ranks asleep in the kernel (a futex) instead of polling MPI.
///
/// With more ranks than cores, MPI's polling ranks take turns on the cores with the ranks still
/// computing, and every round of its ring needs both ends scheduled: 4 ranks on 2 cores spent
/// 6.6–8.2× the single process's time per epoch (medians; 2.4–3.8× here). Here a step costs two
/// barriers, and a rank that waits gives its core to the others until the last one arrives
/// (docs/scaling.md).
///
/// One allreduce: each rank copies its buffer into its slot; barrier; each rank sums its share of
/// the elements over the slots in rank order (so every rank gets the same bits); barrier; every
/// rank reads the sums where they are (the trainer's update), or copies them back.
final class NodeReduction {
    private let rank: Int, size: Int
    private let comm: MPI_Comm
    private var window: MPI_Win?
    private var base: UnsafeMutableRawPointer?
    /// Floats summed per slot of the current window, and from one slot to the next (`count`
    /// rounded up to a 64-byte cache line).
    private var count = 0, stride = 0
    /// Whether a rank's slot holds its step's gradients (`slot(count:)`): then the window stays
    /// as it is, and only the sums of those gradients are taken here (`takes(_:)`).
    private var pinned = false

    /// Bytes before the slots: the arrival counter, the barrier's generation, each rank's last generation.
    private var headerBytes: Int { 64 + (size * 4 + 63) / 64 * 64 }

    /// Whether a job whose ranks all share this node sums through shared memory: where the ranks
    /// outnumber the cores (MPI's polling costs most there), and where each rank's threads have
    /// cores of their own (ranks × threads ≤ cores: faster than MPI's ring); not where the ranks
    /// have a core each but their threads oversubscribe them (docs/scaling.md says why).
    /// `threads` is each rank's (nil: `Communicator.defaultThreads`) on this node's `cores`. The
    /// environment variable MPITRAIN_NODE_REDUCTION=1 or 0 forces it on or off (tests, comparisons).
    static func wanted(ranksOnNode: Int, threads: Int?,
                       cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Bool {
        switch ProcessInfo.processInfo.environment["MPITRAIN_NODE_REDUCTION"] {
        case "1": true
        case "0": false
        default: ranksOnNode > cores
            || ranksOnNode * (threads ?? Communicator.defaultThreads(ranksOnNode: ranksOnNode, cores: cores)) <= cores
        }
    }

    /// Starts on `comm`, the node's communicator (every rank of the job); takes ownership of it.
    init(comm: MPI_Comm, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
    }

    // MARK: - Allreduce

    /// Sums `buffer` over the ranks and returns the sums, in the window the ranks share: valid
    /// until the next call, whose sums overwrite them only after every rank has arrived in it.
    /// `stallTimeout`: seconds a rank may wait for the others before the lowest waiting rank
    /// throws `CollectiveStalled` naming the ranks that never arrived. `meet` is a barrier of every
    /// rank under the same watchdog (the communicator's), for (re)allocating the window, whose MPI
    /// calls block without one.
    func allreduceSum(_ buffer: UnsafeBufferPointer<Float>, stallTimeout: Double,
                      meet: () throws -> Void) throws -> UnsafeBufferPointer<Float> {
        if buffer.count != count { try allocate(count: buffer.count, meet: meet) }
        guard base != nil else { return buffer }
        let sums = slot(size), mine = slot(rank)
        if buffer.baseAddress != UnsafePointer(mine) { mine.update(from: buffer.baseAddress!, count: count) }
        try barrier(stallTimeout: stallTimeout)
        sumSlots(into: sums, share: count * rank / size..<count * (rank + 1) / size)
        try barrier(stallTimeout: stallTimeout)
        return UnsafeBufferPointer(start: sums, count: count)
    }

    /// Slot `index` of the window: a rank's (0 ..< size), or the sums (`size`).
    private func slot(_ index: Int) -> UnsafeMutablePointer<Float> {
        (base! + headerBytes).assumingMemoryBound(to: Float.self) + index * stride
    }

    /// sums[i] = slot 0's + slot 1's + … in slot order, for i in `share`: each element summed in
    /// registers over the slots and written once, a block of elements at a time.
    private func sumSlots(into sums: UnsafeMutablePointer<Float>, share: Range<Int>) {
        let block = 1024
        for start in Swift.stride(from: share.lowerBound, to: share.upperBound, by: block) {
            let elements = start..<min(start + block, share.upperBound)
            (sums + elements.lowerBound).update(from: slot(0) + elements.lowerBound, count: elements.count)
            for index in 1..<size {
                let values = slot(index)
                for i in elements { sums[i] += values[i] }
            }
        }
    }

    /// This rank's slot for `count` floats, to hold the step's gradients where the others read them
    /// (`allreduceSum` then copies nothing in); allocates the window when its slots are of another
    /// size. Until the next call, the window stays, and sums of other buffers are not taken here.
    func slot(count: Int, meet: () throws -> Void) throws -> UnsafeMutablePointer<Float> {
        if count != self.count || base == nil { try allocate(count: count, meet: meet) }
        pinned = true
        return slot(rank)
    }

    /// Whether the sum of `buffer` is taken here: any, unless a slot holds gradients; then only
    /// the gradients in this rank's slot (another buffer would overwrite them, or the window).
    func takes(_ buffer: UnsafeBufferPointer<Float>) -> Bool {
        guard pinned, base != nil else { return true }
        return buffer.count == count && buffer.baseAddress == UnsafePointer(slot(rank))
    }

    /// (Re)allocates the shared window for slots of `count` floats: a collective over the node.
    /// `MPI_Win_free` and `MPI_Win_allocate_shared` wait for every rank with no watchdog, so the
    /// ranks first `meet` (a watched barrier): a stopped or hung rank is named there within the
    /// stall timeout instead of keeping the others in the allocation forever.
    private func allocate(count: Int, meet: () throws -> Void) throws {
        try meet()
        try free()
        let stride = (count + 15) / 16 * 16
        let bytes = headerBytes + (size + 1) * stride * MemoryLayout<Float>.stride
        var pointer: UnsafeMutableRawPointer?
        var window = cmpi_win_null()
        try mpiCheck("MPI_Win_allocate_shared") {
            MPI_Win_allocate_shared(rank == 0 ? MPI_Aint(bytes) : 0, 1, cmpi_info_null(), comm, &pointer, &window)
        }
        var size: MPI_Aint = 0, unit: Int32 = 0
        try mpiCheck("MPI_Win_shared_query") { MPI_Win_shared_query(window, 0, &size, &unit, &pointer) }
        self.window = window
        self.base = pointer
        self.count = count
        self.stride = stride
        if rank == 0 { pointer!.initializeMemory(as: UInt8.self, repeating: 0, count: headerBytes) }
        try meet()  // rank 0 has zeroed the header before any rank uses it
    }

    /// Frees the shared window (a collective over the node).
    func free() throws {
        guard window != nil else { return }
        try mpiCheck("MPI_Win_free") { MPI_Win_free(&window) }
        window = nil
        base = nil
        count = 0
        stride = 0
    }

    // MARK: - Barrier

    /// Waits until every rank of the node has arrived: the last one to arrive starts the next
    /// generation and wakes the others, who yield a short while, then sleep on the generation word.
    private func barrier(stallTimeout: Double) throws {
        let header = base!.assumingMemoryBound(to: UInt32.self)
        let arrived = header, generation = header + 1, arrivals = (base! + 64).assumingMemoryBound(to: UInt32.self)
        let current = cmpi_atomic_load(generation)
        cmpi_atomic_store(arrivals + rank, current &+ 1)
        if cmpi_atomic_add(arrived, 1) == UInt32(size - 1) {
            cmpi_atomic_store(arrived, 0)
            _ = cmpi_atomic_add(generation, 1)
            cmpi_futex_wake(generation)
            return
        }
        // A short while yielding first: a rank still computing on this core takes it, and an
        // otherwise idle core stays awake to see the last arrival (waking a halted vCPU is slow).
        let spinUntil = DispatchTime.now().uptimeNanoseconds + Self.yieldingNanoseconds
        while cmpi_atomic_load(generation) == current, DispatchTime.now().uptimeNanoseconds < spinUntil {
            sched_yield()
        }
        let begin = monotonicSeconds()
        var deadline = begin + stallTimeout
        while cmpi_atomic_load(generation) == current {
            cmpi_futex_wait(generation, current, 50_000_000)
            guard monotonicSeconds() >= deadline, cmpi_atomic_load(generation) == current else { continue }
            let waiting = (0..<size).filter { cmpi_atomic_load(arrivals + $0) == current &+ 1 }
            if waiting.first == rank {
                let missing = (0..<size).filter { !waiting.contains($0) }
                throw CollectiveStalled(missingRanks: missing, timeout: stallTimeout)
            }
            deadline = monotonicSeconds() + stallTimeout
        }
    }

    /// How long a waiting rank yields before it sleeps on the futex.
    static let yieldingNanoseconds: UInt64 = 300_000

    private func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
