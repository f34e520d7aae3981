import GRDB
import KalladCore

extension KalladDatabase {
    public func recordTrigger(_ entry: TriggerEntry) throws(StoreError) -> Bool {
        try write("trigger", durable: true) { db in try Self.insert(entry, in: db) }
    }

    public func logTrigger(_ entry: TriggerEntry) async throws(StoreError) -> Bool {
        try await batched.write(durable: true) { db in try Self.insert(entry, in: db) }
    }

    /// The trigger and its overlay changes; false when its id was logged before (a replay: nothing written).
    static func insert(_ entry: TriggerEntry, in db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT INTO trigger_log (id, system, type, received_at, payload) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """
        ).execute(arguments: [entry.id, entry.system, entry.type, entry.receivedAt.secondsSinceEpoch, entry.payload])
        guard db.changesCount > 0 else { return false }
        for change in entry.changes {
            try db.cachedStatement(
                sql: """
                    INSERT INTO overlay_change (change_id, trigger_id, known_at, action) VALUES (?, ?, ?, ?)
                    ON CONFLICT(change_id) DO NOTHING
                    """
            ).execute(
                arguments: [
                    change.id, entry.id, change.knownAt?.secondsSinceEpoch, OverlayCodec.encode(change.action),
                ])
        }
        return true
    }
}
