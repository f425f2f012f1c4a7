import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Threads from one `DispatchQueue.concurrentPerform` that stay together while a leader hands
/// them many rounds of phased work: the training steps of an epoch.
///
/// Dispatch parks its workers between calls, and waking one here takes ≈ 30 µs (measured: the
/// second iteration of a 2-iteration call starts a median 29 µs late when the calls are 80 µs
/// apart), as long as half a batch-64 training step. A team pays that once: its members spin
/// between rounds, waiting for the leader's next `runPhases`.
///
/// Member m runs item m of each phase when it can, so the same thread keeps working on the same
/// slice of the data from step to step (and finds it in its own cache), and takes over items
/// nobody has claimed once its own is done. Items are claimed only by running members, so the
/// team cannot deadlock whatever Dispatch does: if it runs the members one after another, the
/// leader does every item itself. Members spin while they wait, yielding now and then: keep
/// `threads` at or below the free cores.
public final class ThreadTeam: @unchecked Sendable {
    /// The most items a phase may have.
    public static let maximumItems = 32

    /// Runs `leader` on one member of a team of `threads` threads and returns its result once all
    /// members have left. `leader` hands work to the team with `runPhases`.
    public static func run<Result>(threads: Int, _ leader: (ThreadTeam) throws -> Result) throws -> Result {
        let team = ThreadTeam()
        guard threads > 1 else { return try leader(team) }
        var result: Swift.Result<Result, any Error>?
        withoutActuallyEscaping(leader) { leader in
            let shared = UncheckedSendable(leader)
            withUnsafeMutablePointer(to: &result) { slot in
                let slot = UncheckedSendable(slot)
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    let member = team.members.wrappingAdd(1, ordering: .relaxed).oldValue
                    if member == 0 {
                        slot.value.pointee = Swift.Result { try shared.value(team) }
                        team.finished.store(true, ordering: .releasing)
                    } else {
                        team.follow(as: member)
                    }
                }
            }
        }
        return try result!.get()
    }

    /// Runs `body(phase, item)` for each of `itemCounts[phase]` (at most `maximumItems`) items of
    /// each phase on the team's members, the leader among them; every item of a phase starts
    /// after all items of the phases before it have finished. Returns when all items have.
    /// Call from the leader only.
    public func runPhases(_ itemCounts: [Int], _ body: (_ phase: Int, _ item: Int) -> Void) {
        precondition(itemCounts.count <= Self.maximumPhases && itemCounts.allSatisfy { $0 <= Self.maximumItems })
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { body in
                let generation = published.load(ordering: .relaxed) + 1
                let job = Job(body: body, itemCounts: itemCounts)
                for phase in itemCounts.indices { claims[phase].store(generation << 32, ordering: .relaxed) }
                done.store(0, ordering: .relaxed)
                round.withLock { $0 = (generation, job) }
                published.store(generation, ordering: .releasing)
                work(on: job, generation: generation, as: 0)
                round.withLock { $0.job = nil }
            }
        }
    }

    // MARK: - Members

    private static let maximumPhases = 8

    /// One round's work. `body` is only called for claimed items, and the leader waits for all
    /// of them before it leaves the scope that `body` points into.
    private struct Job: @unchecked Sendable {
        let body: UnsafePointer<(Int, Int) -> Void>
        let itemCounts: [Int]
    }

    /// Members that have joined; the first is the leader.
    private let members = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    /// The current round's number, for members to watch without taking the lock.
    private let published = Atomic<Int>(0)
    /// The current round's number and job.
    private let round = Mutex<(generation: Int, job: Job?)>((0, nil))
    /// Per phase: the round's generation (high 32 bits) and a bit per claimed item.
    private let claims: UnsafeMutablePointer<Atomic<Int>>
    /// Items finished in the current round.
    private let done = Atomic<Int>(0)

    private init() {
        claims = .allocate(capacity: Self.maximumPhases)
        for phase in 0..<Self.maximumPhases { (claims + phase).initialize(to: Atomic(0)) }
    }

    deinit {
        claims.deinitialize(count: Self.maximumPhases)
        claims.deallocate()
    }

    /// Runs this member's share of round `generation`: phase by phase, its own item first, then
    /// any unclaimed ones, waiting before each phase until the phases before it are finished.
    /// Returns early if a newer round has started (only a late member can see that).
    private func work(on job: Job, generation: Int, as member: Int) {
        var finishedBefore = 0
        for (phase, count) in job.itemCounts.enumerated() {
            guard waitUntilDone(finishedBefore, generation: generation) else { return }
            if member < count, claim(member, phase: phase, generation: generation) {
                job.body.pointee(phase, member)
                done.wrappingAdd(1, ordering: .releasing)
            }
            for item in 0..<count where item != member {
                guard claim(item, phase: phase, generation: generation) else { continue }
                job.body.pointee(phase, item)
                done.wrappingAdd(1, ordering: .releasing)
            }
            finishedBefore += count
        }
        _ = waitUntilDone(finishedBefore, generation: generation)
    }

    /// Waits until `count` items of round `generation` have finished; false if another round
    /// started first.
    private func waitUntilDone(_ count: Int, generation: Int) -> Bool {
        var current = true
        spin(until: {
            current = published.load(ordering: .acquiring) == generation
            return !current || done.load(ordering: .acquiring) >= count
        })
        return current
    }

    /// Claims `item` of `phase` in round `generation`; false if it was taken or the round is over.
    private func claim(_ item: Int, phase: Int, generation: Int) -> Bool {
        var current = claims[phase].load(ordering: .relaxed)
        while current >> 32 == generation && current & (1 << item) == 0 {
            let (exchanged, original) = claims[phase].compareExchange(
                expected: current, desired: current | (1 << item), ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// A member other than the leader: joins each new round until the leader has finished.
    private func follow(as member: Int) {
        var seen = 0
        while true {
            spin(until: { published.load(ordering: .acquiring) != seen || finished.load(ordering: .acquiring) })
            let (generation, job) = round.withLock { ($0.generation, $0.job) }
            if generation == seen { return }    // finished
            seen = generation
            if let job { work(on: job, generation: generation, as: member) }
        }
    }

    /// Spins until `condition` holds, yielding the core every 1024 tries.
    private func spin(until condition: () -> Bool) {
        var tries = 0
        while !condition() {
            tries += 1
            if tries % 1024 == 0 { sched_yield() }
        }
    }
}
