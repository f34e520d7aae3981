import Foundation
import GRDB
import Synchronization

/// Writes that arrive while a transaction is being committed wait, and go together in the next one: many triggers
/// share one `fsync`, many outcomes one transaction. Rounds run one after another on a queue of their own (never on
/// Swift's cooperative pool, which a commit's `fsync` would block); whoever submits work while no round is running
/// starts one. A round with no job yet (noted outcomes only) may first gather for a while — `gather` says whether to
/// — and ends its wait as soon as a job arrives. Once the queue has been idle for `idleAfter`, `idle` runs on it
/// (the store asks for a checkpoint of its write-ahead log then).
final class GroupCommit: Sendable {
    /// One piece of work: run inside the round's transaction; `done` is called once the round has committed (nil)
    /// or failed (the error), or at once with the job's own error (its savepoint is rolled back, the others go on).
    struct Job: Sendable {
        /// Commit this round with `synchronous=FULL`.
        let durable: Bool
        let work: @Sendable (Database) throws -> Void
        let done: @Sendable (StoreError?) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        /// Work waits that is not a job (noted outcomes): run a round even without jobs.
        var kicked = false
        var running = false
        /// A round is gathering: a job ends its wait.
        var gathering = false
        /// Rounds run so far, so an idle check can tell whether any ran since it was scheduled.
        var rounds = 0
        /// An idle check is scheduled.
        var idleCheckPending = false
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    private let jobArrived = DispatchSemaphore(value: 0)
    /// How long a round without jobs may wait for more work, when `gather` says it should.
    private let gatherFor: Duration
    private let gather: @Sendable () -> Bool
    /// Runs one round: the store's transaction over every job; returns each job's error (all the same when the
    /// commit itself failed).
    private let commit: @Sendable ([Job]) -> [StoreError?]
    private let idleAfter: Duration
    private let idle: (@Sendable () -> Void)?
    /// How long the next round waits after a round of several jobs.
    private let loadedPause: Duration

    init(
        label: String, gatherFor: Duration = .zero, gather: @escaping @Sendable () -> Bool = { false },
        idleAfter: Duration = .seconds(1), idle: (@Sendable () -> Void)? = nil, loadedPause: Duration = .zero,
        commit: @escaping @Sendable ([Job]) -> [StoreError?]
    ) {
        self.loadedPause = loadedPause
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.gatherFor = gatherFor
        self.gather = gather
        self.idleAfter = idleAfter
        self.idle = idle
        self.commit = commit
    }

    /// Queues `job`; it goes in the round under way's successor (or the one gathering), or starts a round.
    func submit(_ job: Job) {
        let (start, wake) = state.withLock { state -> (Bool, Bool) in
            state.jobs.append(job)
            guard !state.running else {
                defer { state.gathering = false }
                return (false, state.gathering)
            }
            state.running = true
            return (true, false)
        }
        if wake { jobArrived.signal() }
        if start { queue.async { self.drain() } }
    }

    /// Starts a round for work that is not a job, unless one is under way (it will look again when it ends).
    func kick() {
        let start = state.withLock { state -> Bool in
            state.kicked = true
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            guard var jobs = take(endingIfIdle: true) else { return }
            if jobs.isEmpty && gatherFor > .zero && gather() {
                let gathering = state.withLock { state -> Bool in
                    guard state.jobs.isEmpty else { return false }
                    state.gathering = true
                    return true
                }
                if gathering {
                    _ = jobArrived.wait(timeout: .now() + Self.interval(gatherFor))
                    state.withLock { $0.gathering = false }
                }
                jobs += take(endingIfIdle: false) ?? []
            }
            for (job, failure) in zip(jobs, commit(jobs)) { job.done(failure) }
            // Under load (a round of several jobs), the next round waits a little for more: every round costs an
            // fsync and rewrites its pages whatever it holds, so fewer, fuller rounds take less CPU per job.
            if jobs.count >= 2 && loadedPause > .zero { usleep(UInt32(loadedPause / .microseconds(1))) }
        }
    }

    /// Looks, `idleAfter` from now, at whether any round ran meanwhile: if none did and none is under way, the
    /// queue is idle and `idle` runs; otherwise it looks again later. One look is pending at a time.
    private func scheduleIdleCheck(after rounds: Int) {
        queue.asyncAfter(deadline: .now() + Self.interval(idleAfter)) {
            let again = self.state.withLock { state -> Int? in
                guard state.rounds == rounds, !state.running else { return state.rounds }
                state.idleCheckPending = false
                return nil
            }
            if let again { self.scheduleIdleCheck(after: again) } else { self.idle?() }
        }
    }

    /// `duration` as Dispatch counts time.
    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }

    /// The jobs waiting (and the kick) taken for a round; nil when there is nothing and `endingIfIdle` (then the
    /// queue is idle until the next submit or kick).
    private func take(endingIfIdle: Bool) -> [Job]? {
        state.withLock { state -> [Job]? in
            let jobs = state.jobs
            let kicked = state.kicked
            state.jobs = []
            state.kicked = false
            if jobs.isEmpty && !kicked && endingIfIdle {
                state.running = false
                if idle != nil && !state.idleCheckPending {
                    state.idleCheckPending = true
                    let rounds = state.rounds
                    scheduleIdleCheck(after: rounds)
                }
                return nil
            }
            state.rounds += 1
            return jobs
        }
    }
}
