import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads a rank's kernels split their work over: the thread that opens a parallel region
/// (the leader) and the iterations of one `DispatchQueue.concurrentPerform` that stay in it for
/// the whole region (the followers), like an OpenMP parallel region around a training epoch.
///
/// Inside a region the leader runs the program as usual; each kernel call (`run`) is a job that
/// the present members share: member m (the leader is 0, follower iteration i is i + 1) first
/// takes the parts it owns — a contiguous run, m·parts/members on, so the same thread finds the
/// same rows in its cache from call to call — then any part nobody has taken. The leader returns
/// from `run` when every part has finished. Followers spin between jobs, then park.
///
/// Why it is correct (read this before changing anything below):
/// 1. A job's counters (per member, parts claimed from its run; parts not finished) start each
///    call at 0 and `parts`: the leader reuses a job only when its own list is the only reference
///    (no follower holds it, the region publishes another). A claim counter ends at most `members`
///    past its run (a member stops at its first failed claim): no counter outlives its call.
/// 2. A part runs only after a successful claim, so exactly once; `run` returns only when the
///    finished count says all parts are done, so `work` (in `run`'s frame) is never called later.
/// 3. The newest job and whether the region is open change under `lock` only; `newest` is a hint
///    for spinning followers. A follower holds the job it last saw, which is not reused while
///    held, so no newer call's job has that address (no ABA).
/// 4. The leader waits for no particular member, not even when the region ends: it takes every
///    part no one else has, so the team finishes whatever Dispatch does (libdispatch runs at most
///    as many iterations at once as there are active CPUs; a late one finds nothing to claim).
/// 5. The leader is the thread that opened the region, never a Dispatch thread: MPI runs with
///    MPI_THREAD_FUNNELED, and `concurrentPerform` does not promise which iteration its caller runs.
public final class Team: @unchecked Sendable {
    /// The process's team: one region at a time.
    public static let shared = Team()

    /// Runs `body` on the calling thread as the leader of a region with up to `threads − 1`
    /// followers. Kernels called by the leader inside `body` share their parts with the
    /// followers; a region opened inside a region, or by another thread while one is open, adds
    /// no followers. Followers still on their way out when `body` returns touch nothing of it.
    public func region<Result>(threads: Int, _ body: () throws -> Result) rethrows -> Result {
        guard threads > 1,
              leader.compareExchange(expected: 0, desired: Self.currentThread, ordering: .acquiringAndReleasing).exchanged
        else { return try body() }
        let region = Region(), followers = threads - 1
        current = region
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: followers) { iteration in region.follow(as: iteration + 1) }
        }
        defer {
            region.close()
            current = nil
            leader.store(0, ordering: .releasing)
        }
        return try body()
    }

    /// Runs `work(part)` for every part in 0..<parts on up to `threads` members, the caller's
    /// thread among them, and returns when all have finished. Parts must write disjoint memory.
    /// Called by a region's leader (outside any part), the work goes to the region's members;
    /// called outside a region, it opens one for this call; otherwise (inside a part, or from a
    /// thread that is not the leader) the parts run on the caller's thread, in order.
    public func run(parts: Int, threads: Int, _ work: (_ part: Int) -> Void) {
        let members = Self.members(parts: parts, threads: threads)
        if members > 1, let region = leadersRegion {
            region.share(parts: parts, members: members, work)
        } else if members > 1, leader.load(ordering: .relaxed) == 0 {
            region(threads: members) {
                if let region = leadersRegion {
                    region.share(parts: parts, members: members, work)
                } else {
                    for part in 0..<parts { work(part) }
                }
            }
        } else {
            for part in 0..<parts { work(part) }
        }
    }

    /// The members a call of `parts` parts on up to `threads` threads is shared by.
    public static func members(parts: Int, threads: Int) -> Int { min(parts, max(1, threads)) }

    /// Each member's own run of a call's parts, the ones it takes first: member m's is
    /// `evenPart(m, of: members, count: parts)`, so a caller can lay out data by member.
    public static func runs(parts: Int, threads: Int) -> [Range<Int>] {
        let members = members(parts: parts, threads: threads)
        return (0..<members).map { evenPart($0, of: members, count: parts) }
    }

    /// The leader's thread while a region is open, 0 otherwise.
    private let leader = Atomic<UInt>(0)
    /// The open region; read and written by its leader only.
    private var current: Region?

    /// The open region, when the calling thread leads it and is not inside one of its parts.
    private var leadersRegion: Region? {
        guard leader.load(ordering: .relaxed) == Self.currentThread, let current, !current.leaderIsWorking else { return nil }
        return current
    }

    private static var currentThread: UInt { UInt(pthread_self()) }
}

/// One parallel region: whether it is open and its newest job, for its followers.
private final class Region: @unchecked Sendable {
    /// Whether the leader is inside `share` (read and written by the leader only).
    var leaderIsWorking = false
    /// Whether the region is open and its newest job; guarded by `lock`.
    private var open = true
    private var job: Job?
    private let lock = NSCondition()
    /// The address of `job` (0 before the first, `closed` once the region has closed): read
    /// without the lock by spinning followers, which then take the lock.
    private let newest = Atomic<UInt>(0)
    private static let closed: UInt = 1

    /// How long an idle follower spins for the next job before it parks: kernels in a training
    /// step follow each other within microseconds, an allreduce or an evaluation takes longer.
    static let spinNanoseconds: UInt64 = 200_000

    /// Hands `parts` to the members as one job; the leader takes its share and waits for the rest.
    func share(parts: Int, members: Int, _ work: (Int) -> Void) {
        leaderIsWorking = true
        defer { leaderIsWorking = false }
        withoutActuallyEscaping(work) { work in
            withUnsafePointer(to: work) { work in
                let job = unusedJob(members: members)
                job.prepare(parts: parts, members: members, work: work)
                publish(job, newest: job.address)
                job.take(as: 0)
                job.waitUntilFinished()
            }
        }
    }

    /// The region's jobs, for reuse (read and written by the leader only).
    private var jobs: [Job] = []

    /// A job no follower holds, nor the region as its newest: one of `jobs` that only this list
    /// references, or a new one.
    private func unusedJob(members: Int) -> Job {
        for index in jobs.indices where jobs[index].capacity >= members && isKnownUniquelyReferenced(&jobs[index]) {
            // Followers release a job after their last touch of it; see those touches before reusing it.
            atomicMemoryFence(ordering: .acquiring)
            return jobs[index]
        }
        let job = Job(capacity: members)
        jobs.append(job)
        return job
    }

    /// Ends the region: followers leave at their next look.
    func close() {
        lock.lock()
        open = false
        lock.unlock()
        publish(nil, newest: Self.closed)
    }

    private func publish(_ next: Job?, newest address: UInt) {
        lock.lock()
        if next != nil { job = next }
        newest.store(address, ordering: .releasing)
        lock.broadcast()
        lock.unlock()
    }

    /// A follower's life: takes part in each new job until the region closes.
    func follow(as member: Int) {
        var seen: Job?
        while let job = nextJob(after: seen) {
            seen = job
            job.take(as: member)
        }
    }

    /// The newest job other than `seen`, waited for (spinning, then parked); nil once the
    /// region has closed.
    private func nextJob(after seen: Job?) -> Job? {
        let seenAddress = seen?.address ?? 0
        let start = DispatchTime.now().uptimeNanoseconds
        var tries = 0
        while newest.load(ordering: .acquiring) == seenAddress {
            tries += 1
            guard tries % 256 == 0 else { continue }
            if DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds { break }
            if tries > 4096 { sched_yield() }
        }
        lock.lock()
        defer { lock.unlock() }
        while open && job === seen { lock.wait() }
        return open ? job : nil
    }
}

// MARK: - Jobs

/// One `run` call at a time: its parts, how they are cut into members' runs, and its counters.
private final class Job: @unchecked Sendable {
    private(set) var parts = 0, members = 0
    private(set) var work: UnsafePointer<(Int) -> Void>?
    /// Members the counters have room for.
    let capacity: Int
    /// Cache lines of counters: line 0 the parts not finished yet, line 1 + m how many parts of
    /// member m's run have been claimed.
    private let lines: UnsafeMutablePointer<Atomic<Int>>
    private static let stride = 8

    init(capacity: Int) {
        self.capacity = capacity
        let count = (1 + capacity) * Self.stride
        lines = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Atomic<Int>>.stride, alignment: 64)
            .bindMemory(to: Atomic<Int>.self, capacity: count)
        for index in 0..<count { (lines + index).initialize(to: Atomic(0)) }
    }

    /// Makes the job a new call's, its counters at their start: only while no follower holds it.
    func prepare(parts: Int, members: Int, work: UnsafePointer<(Int) -> Void>) {
        self.parts = parts
        self.members = members
        self.work = work
        lines[0].store(parts, ordering: .relaxed)
        for member in 0..<members { lines[(1 + member) * Self.stride].store(0, ordering: .relaxed) }
    }

    deinit { UnsafeMutableRawPointer(lines).deallocate() }

    /// The job's identity for the spinning followers.
    var address: UInt { UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()) }

    /// Member `member`'s share: the parts of its own run, then those of the others' runs that
    /// nobody has claimed. Members past `members` take no part.
    func take(as member: Int) {
        guard member < members else { return }
        for offset in 0..<members {
            let owner = (member + offset) % members
            let first = owner * parts / members, owned = (owner + 1) * parts / members - first
            while true {
                let index = lines[(1 + owner) * Self.stride].wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
                guard index < owned else { break }
                work!.pointee(first + index)
                lines[0].wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    /// Waits (spinning, yielding the core after a while) until every part has finished.
    func waitUntilFinished() {
        var tries = 0
        while lines[0].load(ordering: .acquiring) > 0 {
            tries += 1
            if tries > 4096, tries % 256 == 0 { sched_yield() }
        }
    }
}
