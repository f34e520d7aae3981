import Foundation
import GRDB
import Synchronization
public import KalladCore

/// The SQLite outbox: notifications, their deliveries and attempts, the overlay of extra / moved / cancelled
/// meetings, and the log of inbound triggers. WAL; `synchronous=FULL` when a decision to send is written (a
/// notification enqueued, a trigger logged), `NORMAL` when outcomes are committed.
///
/// Outcomes are noted (`note`) as soon as the server answers: journalled at once (`OutcomeJournal`) and committed
/// in groups on a thread of the store's own (`BatchedWrites`), which triggers share too. A delivery is `sending`
/// only between its claim and its outcome: after a crash, `recoverInterrupted` settles those the journal knows and
/// queues the rest again — the only window for a duplicate, one message per connection in flight.
public final class KalladDatabase: OutboxStore {
    let writer: DatabasePool
    /// The database file.
    public let path: String
    /// The `synchronous` setting of the writer connection, so it is only changed when it must be.
    let durability = SynchronousSetting()
    /// The overlay read so far (it is append-only).
    let overlayCache = Mutex(OverlayCache())
    /// Outcomes noted and triggers logged, committed in groups.
    let batched: BatchedWrites
    /// Copies the write-ahead log into the database file, beside the writer.
    let checkpointer: WALCheckpointer

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Checkpoints run beside the writer, never inside one of its commits. The connections keep the
        // checkpointer (their hook's context) alive as long as any of them is open.
        let checkpointer = WALCheckpointer(path: path)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // What a write in a savepoint (every job of a group commit: a claim, an enqueue, a trigger) must keep to
            // roll back — the pages it changes, as they were — stays in memory: past 64 KB SQLite would otherwise
            // spill it into a temporary file made, written and deleted for each such transaction.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let connection = db.sqliteConnection { checkpointer.watch(connection) }
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw Self.storeError(error, path: path, operation: "open")
        }
        self.checkpointer = checkpointer
        batched = BatchedWrites(writer: writer, durability: durability, path: path, checkpointer: checkpointer)
    }

    // MARK: - Enqueue

    public func enqueue(_ notifications: [NewNotification], now: Instant) throws(StoreError) -> Int {
        guard !notifications.isEmpty else { return 0 }
        return try write("enqueue", durable: true) { db in try Self.insert(notifications, now: now, in: db) }
    }

    public func enqueueInBackground(_ notifications: [NewNotification], now: Instant) async throws(StoreError) -> Int {
        guard !notifications.isEmpty else { return 0 }
        return try await batched.write(durable: true) { db in try Self.insert(notifications, now: now, in: db) }
    }

    /// Inserts the notifications whose keys are new, with their deliveries and messages; how many were new.
    static func insert(_ notifications: [NewNotification], now: Instant, in db: Database) throws -> Int {
        var inserted = 0
        let insertNotification = try HotStatement(
            db,
            sql: """
                INSERT INTO notification (key, kind, meeting, body, sequence, due, meeting_start, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING
                """)
        let insertDelivery = try HotStatement(
            db,
            sql: """
                INSERT INTO delivery (notification_id, channel, recipient, person, seat, name, state,
                    attempts, next_attempt, envelope_from, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
                ON CONFLICT(notification_id, channel, recipient) DO NOTHING
                """)
        let insertMessage = try HotStatement(
            db, sql: "INSERT INTO delivery_message (delivery_id, message) VALUES (?, ?)")
        insertNotification.bind(8, now.secondsSinceEpoch)
        insertDelivery.bind(9, now.secondsSinceEpoch)
        for n in notifications {
            insertNotification.bind(1, n.key)
            insertNotification.bind(2, n.kind.rawValue)
            insertNotification.bind(3, n.meeting)
            insertNotification.bind(4, n.body)
            insertNotification.bind(5, n.sequence)
            insertNotification.bind(6, n.due.secondsSinceEpoch)
            insertNotification.bind(7, n.meetingStart.secondsSinceEpoch)
            guard try insertNotification.run() > 0 else { continue }
            inserted += 1
            insertDelivery.bind(1, insertNotification.lastInsertedRowID)
            insertDelivery.bind(7, n.due.secondsSinceEpoch)
            for d in n.deliveries {
                insertDelivery.bind(2, d.channel.storageName)
                insertDelivery.bind(3, d.recipient)
                insertDelivery.bind(4, d.person)
                insertDelivery.bind(5, d.seat)
                insertDelivery.bind(6, d.name)
                insertDelivery.bind(8, d.envelopeFrom)
                guard try insertDelivery.run() > 0 else { continue }
                insertMessage.bind(1, insertDelivery.lastInsertedRowID)
                insertMessage.bind(2, d.message)
                try insertMessage.run()
            }
        }
        return inserted
    }

    // MARK: - Reconcile and escalate

    public func pending(dueFrom from: Instant) throws(StoreError) -> [PendingDelivery] {
        try read("pending") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id, n.key, n.kind, n.meeting, n.sequence, n.due
                    FROM delivery d JOIN notification n ON n.id = d.notification_id
                    WHERE d.state IN ('queued', 'deferred') AND n.due >= ?
                    """,
                arguments: [from.secondsSinceEpoch]
            ).compactMap { row in
                guard let kind = NotificationKind(rawValue: row[2]) else { return nil }
                return PendingDelivery(
                    id: row[0], notificationKey: row[1], kind: kind, meeting: row[3], sequence: row[4],
                    due: Instant(secondsSinceEpoch: row[5]))
            }
        }
    }

    public func existingKeys(_ keys: [String]) throws(StoreError) -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try read("keys") { db in
            var found: Set<String> = []
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(keys.count, chunk + 500)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for key in try String.fetchAll(
                    db, sql: "SELECT key FROM notification WHERE key IN (\(marks))", arguments: StatementArguments(part))
                {
                    found.insert(key)
                }
            }
            return found
        }
    }

    public func toldPeople(meeting: String) throws(StoreError) -> [String] {
        try read("told") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT d.person FROM delivery d JOIN notification n ON n.id = d.notification_id
                    WHERE n.meeting = ? AND n.kind IN ('agenda_request', 'summons', 'update', 'reminder')
                    AND d.channel = 'email' AND d.person IS NOT NULL AND d.state IN ('delivered', 'sending')
                    ORDER BY d.person
                    """,
                arguments: [meeting])
        }
    }

    public func settle(_ ids: [Int64], as state: DeliveryState, reason: String, now: Instant) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try write("settle", durable: true) { db in
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE delivery SET state = ?, reason = ?, updated_at = ?
                        WHERE id = ? AND state IN ('queued', 'deferred')
                        """,
                    arguments: [state.rawValue, reason, now.secondsSinceEpoch, id])
            }
        }
    }

    public func failuresToEscalate() throws(StoreError) -> [FailedDelivery] {
        try read("escalations") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id, n.key, n.kind, n.meeting, n.sequence, d.recipient, d.person, d.seat, d.name,
                        d.reason, d.last_code, d.last_reply
                    FROM delivery d JOIN notification n ON n.id = d.notification_id
                    WHERE d.escalation = 'pending' ORDER BY d.id
                    """
            ).compactMap { row in
                guard let kind = NotificationKind(rawValue: row[2]) else { return nil }
                var reason: String = row[9] ?? "not delivered"
                if let code: Int = row[10] { reason += ": \(code) \((row[11] as String?) ?? "")" }
                return FailedDelivery(
                    id: row[0], notificationKey: row[1], kind: kind, meeting: row[3], sequence: row[4],
                    recipient: row[5], person: row[6], seat: row[7], name: row[8], reason: reason)
            }
        }
    }

    public func escalate(_ ids: [Int64], with notifications: [NewNotification], now: Instant) throws(StoreError) {
        _ = try enqueue(notifications, now: now)
        try write("escalate", durable: true) { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE delivery SET escalation = 'done', updated_at = ? WHERE id = ?",
                    arguments: [now.secondsSinceEpoch, id])
            }
        }
    }

    // MARK: - Tracking

    public func deliveries(_ filter: DeliveryFilter) throws(StoreError) -> [StoredDelivery] {
        try read("deliveries") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let meeting = filter.meeting {
                conditions.append("n.meeting = ?")
                arguments += [meeting]
            }
            if let body = filter.body {
                conditions.append("n.body = ?")
                arguments += [body]
            }
            if let state = filter.state {
                conditions.append("d.state = ?")
                arguments += [state.rawValue]
            }
            arguments += [filter.limit]
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id, n.key, n.kind, n.meeting, n.body, d.channel, d.recipient, d.state, d.attempts,
                        d.next_attempt, n.due, d.updated_at, d.last_code, d.last_reply, d.reason, d.escalation
                    FROM delivery d JOIN notification n ON n.id = d.notification_id
                    \(whereClause) ORDER BY n.due DESC, d.id DESC LIMIT ?
                    """,
                arguments: arguments
            ).compactMap { row in
                guard let kind = NotificationKind(rawValue: row[2]), let channel = DeliveryChannel(storageName: row[5]),
                    let state = DeliveryState(rawValue: row[7])
                else { return nil }
                return StoredDelivery(
                    id: row[0], notificationKey: row[1], kind: kind, meeting: row[3], body: row[4], channel: channel,
                    recipient: row[6], state: state, attempts: row[8], nextAttempt: Instant(secondsSinceEpoch: row[9]),
                    due: Instant(secondsSinceEpoch: row[10]), updated: Instant(secondsSinceEpoch: row[11]),
                    lastCode: row[12], lastReply: row[13], reason: row[14], escalated: (row[15] as String?) == "done")
            }
        }
    }

    public func retry(_ id: Int64, now: Instant) throws(StoreError) {
        try write("retry", durable: true) { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM delivery WHERE id = ?", arguments: [id])
            else {
                throw StoreError(
                    code: "store.not_found", message: "no delivery \(id)",
                    place: "\(path): retry")
            }
            guard ["failed", "dropped", "deferred", "cancelled", "superseded"].contains(state) else {
                throw StoreError(
                    code: "store.state", message: "delivery \(id) is \(state); only a failed, dropped, deferred, "
                        + "cancelled or superseded one can be retried", place: "\(path): retry")
            }
            let hasMessage =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM delivery_message WHERE delivery_id = ?)", arguments: [id])
                ?? false
            guard hasMessage else {
                throw StoreError(
                    code: "store.state", message: "delivery \(id) was purged; its message is no longer kept",
                    place: "\(path): retry")
            }
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'queued', next_attempt = ?, reason = 'retried by hand', updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now.secondsSinceEpoch, now.secondsSinceEpoch, id])
        }
    }

    public func purge(finishedBefore before: Instant) throws(StoreError) -> PurgeCount {
        try write("purge", durable: true) { db in
            let cutoff = before.secondsSinceEpoch
            // A notification goes once every delivery of it has finished before the cutoff.
            try db.execute(
                sql: """
                    DELETE FROM delivery WHERE updated_at < ?
                    AND state IN ('delivered', 'failed', 'cancelled', 'superseded', 'dropped')
                    AND (escalation IS NULL OR escalation = 'done')
                    """,
                arguments: [cutoff])
            let deliveries = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM notification WHERE created_at < ?
                    AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.notification_id = notification.id)
                    """,
                arguments: [cutoff])
            let notifications = db.changesCount
            try db.execute(
                sql: "UPDATE trigger_log SET payload = '' WHERE received_at < ? AND payload != ''",
                arguments: [cutoff])
            let triggers = db.changesCount
            return PurgeCount(notifications: notifications, deliveries: deliveries, triggers: triggers)
        }
    }

    // MARK: - Triggers and the overlay

    /// The overlay is only ever appended to: each call reads (and decodes) just the changes added since the last.
    public func overlay() throws(StoreError) -> Overlay {
        try overlayCache.withLock { (cache: inout OverlayCache) throws(StoreError) -> Overlay in
            let after = cache.lastSeq
            let rows = try read("overlay") { db in
                try Row.fetchAll(
                    db, sql: "SELECT seq, change_id, known_at, action FROM overlay_change WHERE seq > ? ORDER BY seq",
                    arguments: [after])
            }
            for row in rows {
                cache.lastSeq = row[0]
                guard let action = OverlayCodec.decode(row[3]) else { continue }
                let knownAt: Int64? = row[2]
                cache.changes.append(
                    OverlayChange(id: row[1], action: action, knownAt: knownAt.map(Instant.init(secondsSinceEpoch:))))
            }
            return Overlay(changes: cache.changes)
        }
    }

    // MARK: - Status

    public func nextAttempt() throws(StoreError) -> Instant? {
        try read("next") { db in
            try Int64.fetchOne(
                db, sql: "SELECT MIN(next_attempt) FROM delivery WHERE state IN ('queued', 'deferred')"
            ).map(Instant.init(secondsSinceEpoch:))
        }
    }

    public func countsByState() throws(StoreError) -> [DeliveryState: Int] {
        try read("counts") { db in
            var counts: [DeliveryState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM delivery GROUP BY state") {
                if let state = DeliveryState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    public func integrityCheck() throws(StoreError) -> Bool {
        try read("integrity_check") { db in
            try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok"
        }
    }

    // MARK: - Plumbing

    /// One transaction; `durable` writes it with `synchronous=FULL`, else `NORMAL`.
    func write<T>(_ operation: String, durable: Bool, _ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.transaction(writer, durability: durability, path: path, operation, durable: durable, body)
    }

    static func transaction<T>(
        _ writer: DatabasePool, durability: SynchronousSetting, path: String, _ operation: String, durable: Bool,
        _ body: (Database) throws -> T
    ) throws(StoreError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                if durability.current != durable {
                    try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                    durability.current = durable
                }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else {
                    throw StoreError(code: "store.io", message: "the transaction gave no result", place: operation)
                }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, operation: operation)
        }
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw Self.storeError(error, path: path, operation: operation)
        }
    }

    static func storeError(_ error: any Error, path: String, operation: String) -> StoreError {
        let place = "\(path): \(operation)"
        guard let error = error as? DatabaseError else {
            return StoreError(code: "store.io", message: "\(error)", place: place)
        }
        switch error.resultCode {
        case .SQLITE_FULL:
            return StoreError(
                code: "store.full", message: "the disk is full; free space and Kallad carries on", place: place)
        case .SQLITE_READONLY:
            return StoreError(
                code: "store.readonly",
                message: "the database is read-only; make it and its folder writable for Kallad's user", place: place)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(
                code: "store.corrupt", message: "the database is damaged: \(error.message ?? "")",
                place: place)
        case .SQLITE_CANTOPEN:
            return StoreError(
                code: "store.open", message: "cannot open the database; check the path and permissions",
                place: place)
        default:
            return StoreError(code: "store.io", message: error.message ?? "\(error)", place: place)
        }
    }
}

/// The overlay changes read so far, and the last row read.
struct OverlayCache {
    var lastSeq: Int64 = 0
    var changes: [OverlayChange] = []
}

extension KalladDatabase {
    /// Caps the database at its current size plus `pages` (SQLite's `max_page_count`): what a full disk looks like
    /// to SQLite, for tests and for an operator who wants a hard ceiling.
    public func limitPages(toCurrentPlus pages: Int) throws(StoreError) {
        do {
            try writer.writeWithoutTransaction { db in
                let count = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(count + pages)")
            }
        } catch {
            throw Self.storeError(error, path: path, operation: "max_page_count")
        }
    }
}

extension KalladDatabase {
    /// The attempts of one delivery, oldest first: those in `attempt`, then the delivered one kept in the
    /// delivery's row (migration v5), which is always the last.
    public func attempts(_ id: Int64) throws(StoreError) -> [AttemptRecord] {
        do {
            return try writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT started_at, duration_ms, outcome, code, reply FROM (
                            SELECT 0 AS source, id AS n, started_at, duration_ms, outcome, code, reply FROM attempt
                            WHERE delivery_id = ?1
                            UNION ALL
                            SELECT 1, 0, delivered_started_at, delivered_duration_ms, 'delivered', last_code,
                                last_reply
                            FROM delivery WHERE id = ?1 AND delivered_started_at IS NOT NULL)
                        ORDER BY source, n
                        """,
                    arguments: [id]
                ).map { row in
                    AttemptRecord(
                        started: Instant(secondsSinceEpoch: row[0]), milliseconds: row[1], outcome: row[2],
                        code: row[3], reply: row[4])
                }
            }
        } catch {
            throw Self.storeError(error, path: path, operation: "attempts")
        }
    }
}

extension KalladDatabase {
    /// Copies everything in the write-ahead log into the database and empties the log file (`wal_checkpoint` with
    /// `TRUNCATE`): before a backup with plain file tools, and in tests that need the next write to want new space.
    public func checkpoint() throws(StoreError) {
        do {
            try writer.writeWithoutTransaction { db in
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw Self.storeError(error, path: path, operation: "checkpoint")
        }
    }
}

extension KalladDatabase {
    /// Makes the database refuse every write, as a read-only one does (`PRAGMA query_only`), or take them again:
    /// for maintenance (a backup copy) and for tests of how the daemon copes.
    public func refuseWrites(_ refuse: Bool) throws(StoreError) {
        do {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA query_only = \(refuse ? "ON" : "OFF")")
            }
            checkpointer.pause(refuse)
        } catch {
            throw Self.storeError(error, path: path, operation: "query_only")
        }
    }
}
