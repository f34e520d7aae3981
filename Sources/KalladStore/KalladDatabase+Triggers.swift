import GRDB
import KalladCore

extension KalladDatabase {
    public func recordTrigger(_ entry: TriggerEntry) throws(StoreError) -> Bool {
        try write("trigger", durable: true) { db in try Self.insert(entry, in: db) }
    }

    public func logTrigger(_ entry: TriggerEntry) async throws(StoreError) -> Bool {
        try await batched.write(durable: true) { db in try Self.insert(entry, in: db) }
    }

    /// The trigger and its overlay changes; false when its id was logged before (a replay: nothing written). Bound
    /// and stepped through SQLite directly (`HotStatement`): it runs once per trigger, many to a group commit, where
    /// GRDB's argument arrays cost more than the insert.
    static func insert(_ entry: TriggerEntry, in db: Database) throws -> Bool {
        let trigger = try HotStatement(
            db,
            sql: """
                INSERT INTO trigger_log (id, system, type, received_at, payload) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """)
        trigger.bind(1, entry.id)
        trigger.bind(2, entry.system)
        trigger.bind(3, entry.type)
        trigger.bind(4, entry.receivedAt.secondsSinceEpoch)
        trigger.bind(5, entry.payload)
        guard try trigger.run() > 0 else { return false }
        guard !entry.changes.isEmpty else { return true }
        let change = try HotStatement(
            db,
            sql: """
                INSERT INTO overlay_change (change_id, trigger_id, known_at, action) VALUES (?, ?, ?, ?)
                ON CONFLICT(change_id) DO NOTHING
                """)
        for each in entry.changes {
            change.bind(1, each.id)
            change.bind(2, entry.id)
            if let knownAt = each.knownAt {
                change.bind(3, knownAt.secondsSinceEpoch)
            } else {
                change.bind(3, nil as Int?)
            }
            change.bind(4, OverlayCodec.encode(each.action))
            try change.run()
        }
        return true
    }
}
