import Foundation
import GRDB
import Synchronization

/// The `synchronous` setting of the writer connection, so it is only changed when it must be.
final class SynchronousSetting: Sendable {
    private let value = Mutex<Bool?>(nil)

    var current: Bool? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// The writes that go in groups: outcomes noted by the dispatcher (journalled at once, committed with the next
/// round) and jobs that wait for their commit (triggers: many share one `fsync`).
final class BatchedWrites: Sendable {
    private let commits: GroupCommit
    private let noted: NotedOutcomes
    private let checkpointer: WALCheckpointer

    init(writer: DatabasePool, durability: SynchronousSetting, path: String, checkpointer: WALCheckpointer) {
        let noted = NotedOutcomes(journal: OutcomeJournal(path: path + "-outcomes"))
        self.noted = noted
        self.checkpointer = checkpointer
        // Outcomes alone are safe in the journal already: a round of only outcomes lets more gather (at most
        // `gatherFor`), since every commit rewrites whole pages however few rows it changes, and each round is a
        // burst on this thread that takes a core from the connections. A job (a trigger, a claim, a flush) ends the
        // wait.
        // Once the store has been quiet for a second, what the write-ahead log still holds is copied into the
        // database too (the checkpointer also runs whenever the log passes its threshold).
        commits = GroupCommit(
            label: "kallad.store.writes", gatherFor: Self.gatherFor, gather: { noted.count < Self.gatherUpTo },
            idleAfter: .seconds(1), idle: { checkpointer.soon() }, loadedPause: Self.loadedPause
        ) { jobs in
            let outcomes = noted.snapshot()
            guard !(outcomes.isEmpty && jobs.isEmpty) else { return [] }
            do throws(StoreError) {
                let results = try KalladDatabase.transaction(
                    writer, durability: durability, path: path, outcomes.isEmpty ? "write" : "record",
                    durable: jobs.contains(where: \.durable)
                ) { db in
                    try KalladDatabase.settle(outcomes, in: db)
                    guard !jobs.isEmpty else { return [StoreError?]() }
                    // Each job in a savepoint of its own, through cached statements (a round may hold many).
                    let begin = try HotStatement(db, sql: "SAVEPOINT kallad_job")
                    let release = try HotStatement(db, sql: "RELEASE kallad_job")
                    let rollBack = try HotStatement(db, sql: "ROLLBACK TO kallad_job")
                    return jobs.map { job -> StoreError? in
                        do {
                            try begin.run()
                            do {
                                try job.work(db)
                            } catch {
                                _ = try? rollBack.run()
                                _ = try? release.run()
                                throw error
                            }
                            try release.run()
                            return nil
                        } catch let error as StoreError {
                            return error
                        } catch {
                            return KalladDatabase.storeError(error, path: path, operation: "write")
                        }
                    }
                }
                noted.committed(outcomes.count)
                return results
            } catch {
                return Array(repeating: error, count: jobs.count)
            }
        }
    }

    /// How long a round waits after one of several jobs (triggers under load), so the next holds more. Signed
    /// triggers from 32 connections (A/B against no pause, same machine, four rounds each): 700 µs took 16–19 % less
    /// server CPU per trigger and gave 15 % more per second; 400 µs 8 %, 1,500 µs 9 % (and fewer per second).
    /// Measured again later (medians of four to eight 5 s runs each): 550 µs and 850 µs no better; a pause that ended
    /// as soon as a recent round's worth of triggers waited, or one counted from the round's start, gave smaller
    /// rounds and 3–15 % fewer per second.
    static let loadedPause: Duration = .microseconds(700)

    /// How many noted outcomes make a round start without waiting for more, and how long a round of outcomes alone
    /// waits for them at most. A batch of 10,000 read ahead (claims of 2,000; A/B against 256 and 20 ms, six runs
    /// each): 1,000 and 50 ms took about 1 µs less CPU per message (outbox's extra 10.7 → 9.6 µs); the batch's
    /// time did not move.
    static let gatherUpTo = 1_000
    static let gatherFor: Duration = .milliseconds(50)

    /// The journal's path.
    var journalPath: String? { noted.journal?.path }

    /// Journals the outcome and queues it for the next round, which it starts if none is under way.
    func note(_ outcome: SettledAttempt) {
        noted.add(outcome)
        checkpointer.sending()
        commits.kick()
    }

    /// Empties the journal after recovery has settled what it held.
    func forgetJournal() { noted.journal?.reset() }

    /// Outcomes noted and not yet committed.
    var notedCount: Int { noted.count }

    /// Waits until every outcome noted so far is committed; throws when the commit failed (they stay noted).
    func flush() async throws(StoreError) {
        guard noted.count > 0 else { return }
        try await write(durable: false) { _ in () }
    }

    /// Runs `work` in the next round, in a savepoint of its own, and returns once the round has committed.
    func write<T: Sendable>(
        durable: Bool, _ work: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            submit(durable: durable, work) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }
}

extension BatchedWrites {
    /// Runs `work` in the next round, in a savepoint of its own; `then` runs on the commit thread once the round has
    /// committed (or failed), for a caller that cannot wait (`write` waits for it).
    func submit<T: Sendable>(
        durable: Bool, _ work: @escaping @Sendable (Database) throws -> T,
        then: @escaping @Sendable (Result<T, StoreError>) -> Void
    ) {
        let result = WriteResult<T>()
        commits.submit(
            GroupCommit.Job(
                durable: durable,
                work: { db in result.set(try work(db)) },
                done: { failure in
                    if let failure {
                        then(.failure(failure))
                    } else if let value = result.value {
                        then(.success(value))
                    } else {
                        then(.failure(StoreError(code: "store.io", message: "the write gave no result", place: "write")))
                    }
                }))
    }
}

/// Outcomes noted and not yet committed, in the order they were noted, with their journal.
final class NotedOutcomes: Sendable {
    let journal: OutcomeJournal?
    private let outcomes = Mutex<[SettledAttempt]>([])

    init(journal: OutcomeJournal?) { self.journal = journal }

    var count: Int { outcomes.withLock { $0.count } }

    func add(_ outcome: SettledAttempt) {
        outcomes.withLock { list in
            _ = journal?.append(outcome)
            list.append(outcome)
        }
    }

    func snapshot() -> [SettledAttempt] { outcomes.withLock { $0 } }

    /// The first `count` are committed: forget them, and empty the journal once nothing is left uncommitted.
    func committed(_ count: Int) {
        guard count > 0 else { return }
        outcomes.withLock { list in
            list.removeFirst(count)
            if list.isEmpty { journal?.reset() }
        }
        // The pages the next outcomes will be journalled in are readied here, on the store's thread.
        journal?.touchAhead(Self.touchAhead)
    }

    /// How far past its last line the journal's pages are readied after a commit: more than a round of outcomes
    /// (`BatchedWrites.gatherUpTo`, about 80 bytes each) journals.
    static let touchAhead = 128 << 10
}

/// What a job's work gave, kept until its round has committed.
private final class WriteResult<T: Sendable>: Sendable {
    private let stored = Mutex<T?>(nil)

    var value: T? { stored.withLock { $0 } }

    func set(_ value: T) { stored.withLock { $0 = value } }
}
