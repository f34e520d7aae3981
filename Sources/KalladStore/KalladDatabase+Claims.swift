import GRDB
public import KalladCore

/// Claims: due deliveries made `sending`, with what sending them needs.
extension KalladDatabase {
    public func claimDue(now: Instant, limit: Int) throws(StoreError) -> [ClaimedDelivery] {
        try write("claim", durable: false) { db in try Self.claim(now: now, limit: limit, in: db) }
    }

    public func claimDueInBackground(now: Instant, limit: Int) async throws(StoreError) -> [ClaimedDelivery] {
        try await batched.write(durable: false) { db in try Self.claim(now: now, limit: limit, in: db) }
    }

    /// Marks up to `limit` due deliveries `sending` and returns them, earliest first.
    static func claim(now: Instant, limit: Int, in db: Database) throws -> [ClaimedDelivery] {
        let due = try HotStatement(db, sql: dueSQL)
        due.bind(1, now.secondsSinceEpoch)
        due.bind(2, limit)
        var claimed: [ClaimedDelivery] = []
        claimed.reserveCapacity(min(limit, 1_000))
        var ids: [Int64] = []
        ids.reserveCapacity(min(limit, 1_000))
        while try due.next() {
            ids.append(due.int64(0))
            if let delivery = claimedDelivery(due) { claimed.append(delivery) }
        }
        try markSending(ids, now: now, in: db)
        return claimed
    }

    /// Makes the deliveries `ids` — just read in this transaction, so none has changed since — `sending` on their
    /// next attempt, in one `UPDATE` (by the first and last id when they follow one another: `IDMatch`).
    static func markSending(_ ids: [Int64], now: Instant, in db: Database) throws {
        guard !ids.isEmpty else { return }
        let match = IDMatch(ids, parametersFrom: 2)
        let mark = try HotStatement(
            db,
            sql: """
                UPDATE delivery SET state = 'sending', attempts = attempts + 1, updated_at = ?1
                WHERE id \(match.sql)
                """)
        mark.bind(1, now.secondsSinceEpoch)
        match.bind(to: mark)
        try mark.run()
    }

    /// Queued and deferred deliveries due by a time (parameter 1), earliest first, at most parameter 2 of them, with
    /// what sending them needs: read as `claimedDelivery` reads a row.
    static let dueSQL = """
        SELECT d.id, n.key, n.kind, n.meeting, d.channel, d.recipient, d.envelope_from, m.message,
            d.attempts, n.due, n.meeting_start
        FROM delivery d JOIN notification n ON n.id = d.notification_id
        LEFT JOIN delivery_message m ON m.delivery_id = d.id
        WHERE d.state IN ('queued', 'deferred') AND d.next_attempt <= ?
        ORDER BY d.next_attempt, d.id LIMIT ?
        """

    /// The delivery in a row of `dueSQL`, as claiming it makes it (its next attempt); nil when its kind or
    /// channel is not known to this version.
    static func claimedDelivery(_ row: HotStatement) -> ClaimedDelivery? {
        guard let kind = row.text(2).flatMap(NotificationKind.init(rawValue:)),
            let channel = row.text(4).flatMap(DeliveryChannel.init(storageName:))
        else { return nil }
        return ClaimedDelivery(
            id: row.int64(0), notificationKey: row.text(1) ?? "", kind: kind, meeting: row.text(3) ?? "",
            channel: channel, recipient: row.text(5) ?? "", envelopeFrom: row.text(6),
            messageBytes: row.bytes(7), attempt: row.int(8) + 1,
            due: Instant(secondsSinceEpoch: row.int64(9)),
            meetingStart: Instant(secondsSinceEpoch: row.int64(10)))
    }
}
