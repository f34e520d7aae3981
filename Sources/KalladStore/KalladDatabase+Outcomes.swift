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
    /// whichever): the attempt's row and the delivery's new state. The two statements are looked up once for all.
    static func settle(_ outcomes: [SettledAttempt], in db: Database, anyAttempt: Bool = false) throws {
        guard !outcomes.isEmpty else { return }
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
        for outcome in outcomes {
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
            guard try update.run() > 0 || anyAttempt else { continue }
            insert.bind(1, outcome.id)
            insert.bind(2, outcome.record.started.secondsSinceEpoch)
            insert.bind(3, outcome.record.milliseconds)
            insert.bind(4, outcome.record.outcome)
            insert.bind(5, outcome.record.code)
            insert.bind(6, reply)
            try insert.run()
        }
    }
}
