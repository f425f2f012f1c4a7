import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads a process's kernels split their work over: created once, on the first call that
/// asks for them, and kept for the rest of the run.
///
/// A call hands out parts 0..<parts to the caller and up to `threads − 1` workers. Each member
/// (the caller is member 0) owns a contiguous run of the parts, member m the parts from
/// m·parts/members on, so from call to call the same thread takes the same share of the data and
/// finds it in its own cache, also when the calls cut the data into different numbers of parts
/// (a GEMM's rows, then the update of the same parameters); a member that is done with its own
/// parts takes the ones their owners have not started. Between calls workers spin for
/// `spinSeconds`, then park: waking a parked thread costs tens of microseconds, as long as a
/// batch-64 training step's middle, while kernels in a step follow each other within microseconds.
///
/// A call made while another is running (a kernel inside a part, or a second thread of the
/// process) runs its parts on the calling thread, one after another.
public final class WorkerPool: @unchecked Sendable {
    /// The process's pool.
    public static let shared = WorkerPool()

    /// How long an idle worker waits for the next call before it parks.
    static let spinSeconds = 0.000_2
    /// Tries (a few nanoseconds each) a waiting thread spins before it starts yielding its core,
    /// once every `spinsBetweenYields` tries: a thread that waits longer than that most likely
    /// waits for one that is not running, because the node has more busy threads than cores.
    static let spinsBeforeYielding = 4096, spinsBetweenYields = 256

    /// Runs `body(part)` for every part in 0..<parts on up to `threads` threads, the caller's
    /// among them, and returns when all parts have finished. Parts must write disjoint memory.
    public func run(parts: Int, threads: Int, _ body: (_ part: Int) -> Void) {
        let members = min(parts, max(1, threads))
        guard members > 1, !busy.exchange(true, ordering: .acquiring) else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        hire(members - 1)
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { body in
                let generation = lines[Self.published].load(ordering: .relaxed) + 1
                for member in 0..<members { lines[Self.cursor(member)].store(generation << 32, ordering: .relaxed) }
                lines[Self.remaining].store(parts, ordering: .relaxed)
                lines[Self.jobParts].store(parts, ordering: .releasing)
                lines[Self.jobMembers].store(members, ordering: .releasing)
                lines[Self.jobBody].store(Int(bitPattern: UnsafeRawPointer(body)), ordering: .releasing)
                lines[Self.published].store(generation, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(mutex)
                    pthread_cond_broadcast(condition)
                    pthread_mutex_unlock(mutex)
                }
                work(on: Job(generation: generation, parts: parts, members: members, body: body), as: 0)
                var tries = 0
                while lines[Self.remaining].load(ordering: .acquiring) > 0 {
                    tries += 1
                    if tries > Self.spinsBeforeYielding, tries % Self.spinsBetweenYields == 0 { sched_yield() }
                }
            }
        }
    }

    // MARK: - Jobs

    /// One call's work as a member saw it.
    ///
    /// The caller resets the cursors, then stores the job's fields, then publishes its generation.
    /// A worker reads the generation, then the fields, each with acquire ordering, so a field it
    /// reads from a newer job makes that job's cursors visible, and its claims (for the older
    /// generation) fail; and a job's fields change only once all its parts are claimed. A member
    /// can therefore claim a part only with a consistent view of that part's job.
    private struct Job {
        let generation: Int, parts: Int, members: Int
        let body: UnsafePointer<(Int) -> Void>

        /// The first of member `member`'s parts: each member owns a contiguous run of them.
        func firstPart(of member: Int) -> Int { member * parts / members }
    }

    /// The most members a call can have.
    private static let maximumMembers = 1024

    /// The shared counters, each on a cache line of its own so that the threads writing one do
    /// not take the others' lines away: the newest job's generation (workers watch it); its
    /// fields (see `Job`; the body as the bit pattern of its address); the parts not finished
    /// yet; then per member the generation (high bits) and how many of its parts are claimed.
    private let lines: UnsafeMutablePointer<Atomic<Int>>
    private static let published = 0, jobParts = stride, jobMembers = stride + 1, jobBody = stride + 2
    private static let remaining = 2 * stride
    private static func cursor(_ member: Int) -> Int { (3 + member) * stride }
    /// Atomics per cache line.
    private static let stride = 8
    private static var lineCount: Int { (3 + maximumMembers) * stride }
    /// Whether a call is running.
    private let busy = Atomic<Bool>(false)
    /// Workers parked on `condition`.
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Workers started so far (members 1...workers).
    private var workers = 0

    init() {
        lines = UnsafeMutableRawPointer.allocate(byteCount: Self.lineCount * 8, alignment: 64)
            .bindMemory(to: Atomic<Int>.self, capacity: Self.lineCount)
        for index in 0..<Self.lineCount { (lines + index).initialize(to: Atomic(0)) }
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    /// Runs the parts of `job` that member `member` can claim: its own first, then others'.
    private func work(on job: Job, as member: Int) {
        let body = job.body
        for offset in 0..<job.members {
            let owner = (member + offset) % job.members
            while let part = claim(of: owner, in: job) {
                body.pointee(part)
                lines[Self.remaining].wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    /// The next unclaimed part of member `owner` in `job`, claimed; nil when there is none or a
    /// newer job has started.
    private func claim(of owner: Int, in job: Job) -> Int? {
        let first = job.firstPart(of: owner), owned = job.firstPart(of: owner + 1) - first
        var current = lines[Self.cursor(owner)].load(ordering: .relaxed)
        while current >> 32 == job.generation, current & 0xFFFF_FFFF < owned {
            let (exchanged, original) = lines[Self.cursor(owner)].compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return first + current & 0xFFFF_FFFF }
            current = original
        }
        return nil
    }

    // MARK: - Workers

    /// Starts workers until there are at least `count`.
    private func hire(_ count: Int) {
        precondition(count < Self.maximumMembers, "at most \(Self.maximumMembers) threads")
        while workers < count {
            workers += 1
            let member = workers
            let thread = Thread { [unowned self] in self.serve(as: member) }
            thread.name = "mpitrain worker \(member)"
            thread.start()
        }
    }

    /// A worker's life: waits for each new job and takes its parts, if it is one of its members.
    private func serve(as member: Int) {
        var seen = lines[Self.published].load(ordering: .acquiring)
        while true {
            seen = waitForJob(after: seen)
            let members = lines[Self.jobMembers].load(ordering: .acquiring)
            let parts = lines[Self.jobParts].load(ordering: .acquiring)
            let address = lines[Self.jobBody].load(ordering: .acquiring)
            guard member < members, let body = UnsafeRawPointer(bitPattern: address) else { continue }
            work(on: Job(generation: seen, parts: parts, members: members,
                         body: body.assumingMemoryBound(to: ((Int) -> Void).self)), as: member)
        }
    }

    /// Spins, then parks, until a job newer than `generation` is published; returns its generation.
    private func waitForJob(after generation: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var tries = 0
        while true {
            let current = lines[Self.published].load(ordering: .acquiring)
            if current != generation { return current }
            tries += 1
            if tries > Self.spinsBeforeYielding, tries % Self.spinsBetweenYields == 0 { sched_yield() }
            if tries % 256 == 0,
               Double(DispatchTime.now().uptimeNanoseconds - start) > Self.spinSeconds * 1e9 { break }
        }
        pthread_mutex_lock(mutex)
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while lines[Self.published].load(ordering: .sequentiallyConsistent) == generation {
            pthread_cond_wait(condition, mutex)
        }
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return lines[Self.published].load(ordering: .acquiring)
    }
}
