import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads a process's kernels split their work over: created once, on the first call that
/// asks for them, and kept for the rest of the run.
///
/// A call hands out parts 0..<parts to the caller and up to `threads − 1` workers. Part p belongs
/// to member p % threads (the caller is member 0), so from call to call the same thread takes the
/// same share of the data and finds it in its own cache; a member that is done with its own parts
/// takes the ones their owners have not started. Between calls workers spin for
/// `spinSeconds`, then park: waking a parked thread costs tens of microseconds, as long as a
/// batch-64 training step's middle, while kernels in a step follow each other within microseconds.
///
/// A call made while another is running (a kernel inside a part, or a second thread of the
/// process) runs its parts on the calling thread, one after another.
public final class WorkerPool: @unchecked Sendable {
    /// The process's pool.
    public static let shared = WorkerPool()

    /// How long an idle worker spins before it parks.
    static let spinSeconds = 0.000_2

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
                let generation = published.load(ordering: .relaxed) + 1
                for member in 0..<members { cursors[member].store(generation << 32, ordering: .relaxed) }
                remaining.store(parts, ordering: .relaxed)
                jobParts.store(parts, ordering: .releasing)
                jobMembers.store(members, ordering: .releasing)
                jobBody.store(Int(bitPattern: UnsafeRawPointer(body)), ordering: .releasing)
                published.store(generation, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(mutex)
                    pthread_cond_broadcast(condition)
                    pthread_mutex_unlock(mutex)
                }
                work(on: Job(generation: generation, parts: parts, members: members, body: body), as: 0)
                var tries = 0
                while remaining.load(ordering: .acquiring) > 0 {
                    tries += 1
                    if tries % 1024 == 0 { sched_yield() }
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
    }

    /// The most members a call can have.
    private static let maximumMembers = 1024

    /// The newest job's fields (see `Job`); the body as the bit pattern of its address.
    private let jobParts = Atomic<Int>(0), jobMembers = Atomic<Int>(0), jobBody = Atomic<Int>(0)
    /// The newest job's generation; workers watch it.
    private let published = Atomic<Int>(0)
    /// Per member: the generation (high bits) and how many of the member's parts have been claimed.
    private let cursors: UnsafeMutablePointer<Atomic<Int>>
    /// Parts of the current job not finished yet.
    private let remaining = Atomic<Int>(0)
    /// Whether a call is running.
    private let busy = Atomic<Bool>(false)
    /// Workers parked on `condition`.
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Workers started so far (members 1...workers).
    private var workers = 0

    init() {
        cursors = .allocate(capacity: Self.maximumMembers)
        for member in 0..<Self.maximumMembers { (cursors + member).initialize(to: Atomic(0)) }
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
                remaining.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    /// The next unclaimed part of member `owner` in `job`, claimed; nil when there is none or a
    /// newer job has started.
    private func claim(of owner: Int, in job: Job) -> Int? {
        let owned = (job.parts - owner + job.members - 1) / job.members
        var current = cursors[owner].load(ordering: .relaxed)
        while current >> 32 == job.generation, current & 0xFFFF_FFFF < owned {
            let (exchanged, original) = cursors[owner].compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return owner + (current & 0xFFFF_FFFF) * job.members }
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
        var seen = published.load(ordering: .acquiring)
        while true {
            seen = waitForJob(after: seen)
            let members = jobMembers.load(ordering: .acquiring), parts = jobParts.load(ordering: .acquiring)
            let address = jobBody.load(ordering: .acquiring)
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
            let current = published.load(ordering: .acquiring)
            if current != generation { return current }
            tries += 1
            if tries % 256 == 0,
               Double(DispatchTime.now().uptimeNanoseconds - start) > Self.spinSeconds * 1e9 { break }
        }
        pthread_mutex_lock(mutex)
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while published.load(ordering: .sequentiallyConsistent) == generation {
            pthread_cond_wait(condition, mutex)
        }
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return published.load(ordering: .acquiring)
    }
}
