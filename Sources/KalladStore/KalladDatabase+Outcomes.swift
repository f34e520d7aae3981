import GRDB
public import KalladCore

extension KalladDatabase {
    public func record(_ id: Int64, attempt: AttemptRecord, resolution: Resolution, now: Instant) throws(StoreError) {
        try write("record", durable: false) { db in
            try Self.settle(
                [SettledAttempt(id: id, attempt: 0, record: attempt, resolution: resolution, now: now)], in: db,
                anyAttempt: true)
        }
    }

    public func note(_ outcome: SettledAttempt) { batched.note(outcome) }

    public func flushNoted() async throws(StoreError) { try await batched.flush() }

    public var notedCount: Int { batched.notedCount }

    public func recoverInterrupted(now: Instant) throws(StoreError) -> Int {
        let journalled = batched.journalPath.map(OutcomeJournal.read) ?? []
        let requeued = try write("recover", durable: true) { db in
            // What the server answered before the crash is settled from the journal; the rest goes again.
            try Self.settle(journalled, in: db)
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'queued', next_attempt = ?, updated_at = ?,
                        reason = 'interrupted while sending; sent again (it may arrive twice)'
                    WHERE state = 'sending'
                    """,
                arguments: [now.secondsSinceEpoch, now.secondsSinceEpoch])
            return db.changesCount
        }
        batched.forgetJournal()
        return requeued
    }

    /// Writes what each attempt settled, if its delivery is still `sending` that attempt (`anyAttempt`:
    /// whichever): the delivery's new state and the attempt. A run of deliveries delivered one after the other (the
    /// common case) is written a group at a time — one `UPDATE` for the group's deliveries, which keeps each one's
    /// delivered attempt in its own row (migration v5); any other outcome through two statements of its own (the
    /// delivery, and the attempt's row in `attempt`), looked up once for all.
    static func settle(_ outcomes: [SettledAttempt], in db: Database, anyAttempt: Bool = false) throws {
        guard !outcomes.isEmpty else { return }
        var delivered: [SettledAttempt] = []
        delivered.reserveCapacity(min(outcomes.count, deliveredGroup))
        for outcome in outcomes {
            if !anyAttempt, case .delivered = outcome.resolution, outcome.record.outcome == "delivered" {
                delivered.append(outcome)
                if delivered.count == deliveredGroup {
                    try settleDelivered(delivered, in: db)
                    delivered.removeAll(keepingCapacity: true)
                }
                continue
            }
            try settleDelivered(delivered, in: db)
            delivered.removeAll(keepingCapacity: true)
            try settleOne(outcome, in: db, anyAttempt: anyAttempt)
        }
        try settleDelivered(delivered, in: db)
    }

    /// Deliveries settled as delivered in one statement, at most; a group is written in pieces of a power of two
    /// (64, 32, … 1), so the statements have few shapes and each is prepared once.
    static let deliveredGroup = 64

    /// Settles `group`, all delivered: the deliveries still `sending` that attempt become `delivered`, with the
    /// attempt (start, length, the server's answer) in their row.
    static func settleDelivered(_ group: [SettledAttempt], in db: Database) throws {
        var start = 0
        var size = deliveredGroup
        while start < group.count {
            while size > group.count - start { size /= 2 }
            try settleDelivered(group[start..<start + size], in: db)
            start += size
        }
    }

    private static func settleDelivered(_ group: ArraySlice<SettledAttempt>, in db: Database) throws {
        let update = try HotStatement(
            db,
            sql: """
                UPDATE delivery SET state = 'delivered', next_attempt = v.column3, last_code = v.column4,
                    last_reply = v.column5, reason = NULL, updated_at = v.column3,
                    delivered_started_at = v.column6, delivered_duration_ms = v.column7
                FROM (VALUES \(SQLRows.placeholders(group.count, columns: 7))) AS v
                WHERE delivery.id = v.column1 AND delivery.state = 'sending' AND delivery.attempts = v.column2
                """)
        var column: Int32 = 0
        for outcome in group {
            update.bind(column + 1, outcome.id)
            update.bind(column + 2, outcome.attempt)
            update.bind(column + 3, outcome.now.secondsSinceEpoch)
            update.bind(column + 4, outcome.record.code)
            update.bind(column + 5, outcome.record.reply.map { $0.utf8.count > 500 ? String($0.prefix(500)) : $0 })
            update.bind(column + 6, outcome.record.started.secondsSinceEpoch)
            update.bind(column + 7, outcome.record.milliseconds)
            column += 7
        }
        try update.run()
    }

    /// Settles one outcome of any kind (`anyAttempt`: whichever attempt its delivery is `sending`).
    static func settleOne(_ outcome: SettledAttempt, in db: Database, anyAttempt: Bool) throws {
        let update = try HotStatement(
            db,
            sql: """
                UPDATE delivery SET state = ?, next_attempt = ?, last_code = ?, last_reply = ?, reason = ?,
                    escalation = COALESCE(?, escalation), updated_at = ?
                WHERE id = ? AND state = 'sending' AND (? OR attempts = ?)
                """)
        let insert = try HotStatement(
            db,
            sql: """
                INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, code, reply)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        update.bind(9, anyAttempt)
        let reply = outcome.record.reply.map { String($0.prefix(500)) }
        let state: DeliveryState
        var next = outcome.now.secondsSinceEpoch
        var reason: String?
        var escalation: String?
        switch outcome.resolution {
        case .delivered:
            state = .delivered
        case .deferred(let until):
            state = .deferred
            next = until.secondsSinceEpoch
        case .failed(let why, let escalate):
            state = .failed
            reason = why
            escalation = escalate ? "pending" : nil
        case .dropped(let why):
            state = .dropped
            reason = why
        }
        update.bind(1, state.rawValue)
        update.bind(2, next)
        update.bind(3, outcome.record.code)
        update.bind(4, reply)
        update.bind(5, reason)
        update.bind(6, escalation)
        update.bind(7, outcome.now.secondsSinceEpoch)
        update.bind(8, outcome.id)
        update.bind(10, outcome.attempt)
        guard try update.run() > 0 || anyAttempt else { return }
        insert.bind(1, outcome.id)
        insert.bind(2, outcome.record.started.secondsSinceEpoch)
        insert.bind(3, outcome.record.milliseconds)
        insert.bind(4, outcome.record.outcome)
        insert.bind(5, outcome.record.code)
        insert.bind(6, reply)
        try insert.run()
    }
}
