import Foundation
import GRDB
import Synchronization

/// Writes that arrive while a transaction is being committed wait, and go together in the next one: many triggers
/// share one `fsync`, many outcomes one transaction. Rounds run one after another on a queue of their own (never on
/// Swift's cooperative pool, which a commit's `fsync` would block); whoever submits work while no round is running
/// starts one.
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
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    /// Runs one round: the store's transaction over every job; returns each job's error (all the same when the
    /// commit itself failed).
    private let commit: @Sendable ([Job]) -> [StoreError?]

    init(label: String, commit: @escaping @Sendable ([Job]) -> [StoreError?]) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.commit = commit
    }

    /// Queues `job`; it goes in the round under way's successor, or starts a round.
    func submit(_ job: Job) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(job)
            guard !state.running else { return false }
            state.running = true
            return true
        }
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
            let jobs = state.withLock { state -> [Job]? in
                let jobs = state.jobs
                let kicked = state.kicked
                state.jobs = []
                state.kicked = false
                if jobs.isEmpty && !kicked {
                    state.running = false
                    return nil
                }
                return jobs
            }
            guard let jobs else { return }
            for (job, failure) in zip(jobs, commit(jobs)) { job.done(failure) }
        }
    }
}
