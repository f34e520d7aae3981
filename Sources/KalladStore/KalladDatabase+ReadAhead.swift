import GRDB
import Synchronization
public import KalladCore

/// Deliveries read before their due time — the rows, their notifications' fields and the messages' bytes — so that
/// at the due time claiming them is one `UPDATE` over their ids (`KalladDatabase.claimReadAhead`) and reading them
/// is done. Reading ahead is read-only: it decides nothing. A delivery cancelled, superseded or claimed meanwhile is
/// not in `sending` after the claim, and is not sent; what is due and was not read ahead is claimed as usual once
/// the read-ahead batch is used up.
public final class ReadAheadBatch: Sendable {
    /// Every delivery in the batch is due at or before this time.
    public let dueBy: Instant
    private let waiting: Mutex<ArraySlice<ClaimedDelivery>>

    /// A batch of `deliveries`, in claim order, all due by `dueBy`.
    public init(dueBy: Instant, deliveries: [ClaimedDelivery]) {
        self.dueBy = dueBy
        waiting = Mutex(deliveries[...])
    }

    /// How many deliveries have not been taken yet.
    public var count: Int { waiting.withLock { $0.count } }

    /// Takes the next `limit` deliveries (fewer at the end).
    public func take(_ limit: Int) -> [ClaimedDelivery] {
        waiting.withLock { waiting in
            let taken = Array(waiting.prefix(max(0, limit)))
            waiting = waiting.dropFirst(taken.count)
            // The slice keeps the whole array (and every message) alive; let the taken part go once it is all taken.
            if waiting.isEmpty { waiting = [] }
            return taken
        }
    }
}

extension KalladDatabase {
    /// How much a read-ahead holds at most: deliveries, and bytes of their messages (a batch past either is read
    /// ahead in part; the rest is claimed as usual).
    public static let readAheadLimit = (deliveries: 50_000, messageBytes: 64 << 20)

    /// Reads, on a reader connection (beside the writer, which it never waits for), the queued and deferred
    /// deliveries due by `dueBy`, in claim order, up to `readAheadLimit`.
    public func readAhead(dueBy: Instant) async throws(StoreError) -> ReadAheadBatch {
        do {
            let deliveries = try await writer.read { db in try Self.due(by: dueBy, in: db) }
            return ReadAheadBatch(dueBy: dueBy, deliveries: deliveries)
        } catch {
            throw Self.storeError(error, path: path, operation: "read ahead")
        }
    }

    /// The queued and deferred deliveries due by `dueBy`, in claim order, as they would be claimed now.
    static func due(by dueBy: Instant, in db: Database) throws -> [ClaimedDelivery] {
        let due = try HotStatement(db, sql: dueSQL)
        due.bind(1, dueBy.secondsSinceEpoch)
        due.bind(2, readAheadLimit.deliveries)
        var found: [ClaimedDelivery] = []
        var bytes = 0
        while try due.next() {
            guard let delivery = Self.claimedDelivery(due) else { continue }
            found.append(delivery)
            bytes += delivery.messageBytes.count
            if bytes >= readAheadLimit.messageBytes {
                due.finish()
                break
            }
        }
        return found
    }

    /// Claims those of `batch` that are still queued or deferred and due at `now` — by their ids: all of them as
    /// read (`claimAsRead`), or else one `UPDATE … RETURNING` — and returns them, in the batch's order, each with its
    /// attempt number as claimed; the others (cancelled, superseded, claimed meanwhile) are left as they are.
    public func claimReadAhead(_ batch: [ClaimedDelivery], now: Instant) async throws(StoreError) -> [ClaimedDelivery] {
        guard !batch.isEmpty else { return [] }
        return try await batched.write(durable: false) { db in try Self.claim(batch, now: now, in: db) }
    }

    static func claim(_ batch: [ClaimedDelivery], now: Instant, in db: Database) throws -> [ClaimedDelivery] {
        if try claimAsRead(batch, now: now, in: db) { return batch }
        let marks = SQLRows.placeholders(batch.count, columns: 0)
        let flip = try HotStatement(
            db,
            sql: """
                UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = ?1
                WHERE id IN (\(marks)) AND state IN ('queued', 'deferred') AND next_attempt <= ?1
                RETURNING id, attempts
                """)
        flip.bind(1, now.secondsSinceEpoch)
        for (index, delivery) in batch.enumerated() { flip.bind(Int32(index + 2), delivery.id) }
        var attempts: [Int64: Int] = [:]
        attempts.reserveCapacity(batch.count)
        while try flip.next() { attempts[flip.int64(0)] = flip.int(1) }
        return batch.compactMap { delivery in
            guard let attempt = attempts[delivery.id] else { return nil }
            var claimed = delivery
            claimed.attempt = attempt
            return claimed
        }
    }

    /// Claims every delivery of `batch` exactly as it was read ahead — still queued or deferred, due, and on the
    /// attempt before the one read (`ClaimedDelivery.attempt` − 1) — and says so; or, when any one of them is not
    /// (cancelled, superseded or claimed meanwhile), claims none (its savepoint is rolled back) and says that. One
    /// `UPDATE` per attempt number in the batch (a batch that comes due is usually all first attempts: one), by a
    /// range of ids where they follow one another, which returns no rows: a claim that took every row took each on
    /// the attempt read, since an attempt count only grows. Returning the rows (`RETURNING`, which SQLite gathers in
    /// a table of its own first) cost about as much as the rest of the claim.
    static func claimAsRead(_ batch: [ClaimedDelivery], now: Instant, in db: Database) throws -> Bool {
        var byAttempt: [Int: [Int64]] = [:]
        for delivery in batch { byAttempt[delivery.attempt, default: []].append(delivery.id) }
        let begin = try HotStatement(db, sql: "SAVEPOINT kallad_claim")
        let release = try HotStatement(db, sql: "RELEASE kallad_claim")
        try begin.run()
        for (attempt, ids) in byAttempt {
            let match = IDMatch(ids, parametersFrom: 3)
            let flip = try HotStatement(
                db,
                sql: """
                    UPDATE delivery SET state = 'sending', attempts = ?2, updated_at = ?1
                    WHERE id \(match.sql)
                    AND attempts = ?2 - 1 AND state IN ('queued', 'deferred') AND next_attempt <= ?1
                    """)
            flip.bind(1, now.secondsSinceEpoch)
            flip.bind(2, attempt)
            match.bind(to: flip)
            guard try flip.run() == ids.count else {
                try HotStatement(db, sql: "ROLLBACK TO kallad_claim").run()
                try release.run()
                return false
            }
        }
        try release.run()
        return true
    }
}

/// A condition on `id` for a list of ids, with its parameters numbered from `first` on. Ids one after the other
/// (deliveries enqueued together have such ids) are matched by the first and last, `BETWEEN ?n AND ?n+1`, which
/// spares SQLite sorting a list into a table of its own first; others by the list, `IN (?, ?, …)` (bare
/// placeholders: the statement's numbered parameters before them must end at `first` − 1).
struct IDMatch {
    let ids: [Int64]
    let first: Int32
    /// The ids follow one another.
    let isRun: Bool

    init(_ ids: [Int64], parametersFrom first: Int32) {
        self.ids = ids
        self.first = first
        isRun = zip(ids, ids.indices).allSatisfy { id, index in id == ids[0] + Int64(index) }
    }

    /// What follows `id` in the statement.
    var sql: String {
        isRun ? "BETWEEN ?\(first) AND ?\(first + 1)" : "IN (\(SQLRows.placeholders(ids.count, columns: 0)))"
    }

    /// Binds the condition's parameters.
    func bind(to statement: HotStatement) {
        guard let start = ids.first else { return }
        if isRun {
            statement.bind(first, start)
            statement.bind(first + 1, ids[ids.count - 1])
        } else {
            for (index, id) in ids.enumerated() { statement.bind(first + Int32(index), id) }
        }
    }
}

/// Lists of placeholders for statements over many rows, made once per shape.
enum SQLRows {
    private static let made = Mutex<[Int: String]>([:])

    /// `count` rows of `columns` placeholders each — `(?, ?), (?, ?)` — or, with `columns` 0, `count` bare ones
    /// (`?, ?, ?`, for `IN`).
    static func placeholders(_ count: Int, columns: Int) -> String {
        let key = count << 8 | columns
        if let known = made.withLock({ $0[key] }) { return known }
        let row = columns == 0 ? "?" : "(" + repeatElement("?", count: columns).joined(separator: ", ") + ")"
        let list = repeatElement(row, count: count).joined(separator: ", ")
        made.withLock { $0[key] = list }
        return list
    }
}
