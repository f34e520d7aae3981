import GRDB
import KalladCore

extension KalladDatabase {
    public func recordTrigger(_ entry: TriggerEntry) throws(StoreError) -> Bool {
        try checkIDs(entry)
        let actions = entry.changes.map { OverlayCodec.encode($0.action) }
        return try write("trigger", durable: true) { db in try Self.insert(entry, actions: actions, in: db) }
    }

    public func logTrigger(_ entry: TriggerEntry) async throws(StoreError) -> Bool {
        let result: Result<Bool, StoreError> = await withCheckedContinuation { continuation in
            logTrigger(entry) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// `logTrigger` for a caller that cannot wait: `then` runs on the group commit's thread once the round holding
    /// the trigger has committed (`synchronous=FULL`: on disk), or with the error. The changes are encoded here, on
    /// the caller's thread: the commit's thread runs one round at a time, and every trigger waits for its round.
    public func logTrigger(_ entry: TriggerEntry, then: @escaping @Sendable (Result<Bool, StoreError>) -> Void) {
        do throws(StoreError) {
            try checkIDs(entry)
        } catch {
            then(.failure(error))
            return
        }
        let actions = entry.changes.map { OverlayCodec.encode($0.action) }
        batched.submit(durable: true, { db in try Self.insert(entry, actions: actions, in: db) }, then: then)
    }

    /// What keeps overlay change ids unique without an index (migration v4): a trigger id has no "/", and each of
    /// its changes is named by the trigger id itself or `<trigger id>/<suffix>`, no two alike. The trigger log's key
    /// then refuses a second trigger with the same id, and so a second change with the same id.
    func checkIDs(_ entry: TriggerEntry) throws(StoreError) {
        let place = "\(path): trigger"
        guard !entry.id.isEmpty, !entry.id.utf8.contains(UInt8(ascii: "/")) else {
            throw StoreError(
                code: "store.state", message: "trigger id '\(entry.id)' is empty or has a '/'", place: place)
        }
        for (index, change) in entry.changes.enumerated() {
            let own =
                change.id == entry.id
                || (change.id.utf8.count > entry.id.utf8.count + 1 && change.id.hasPrefix(entry.id + "/"))
            guard own, !entry.changes[..<index].contains(where: { $0.id == change.id }) else {
                throw StoreError(
                    code: "store.state",
                    message:
                        "overlay change id '\(change.id)' is not '\(entry.id)' or '\(entry.id)/…', or comes twice",
                    place: place)
            }
        }
    }

    /// The trigger and its overlay changes (their ids checked by `checkIDs`, `actions` their actions encoded by
    /// `OverlayCodec`, in order); false when its id was logged before (a
    /// replay: nothing written). Bound
    /// and stepped through SQLite directly (`HotStatement`): it runs once per trigger, many to a group commit, where
    /// GRDB's argument arrays cost more than the insert.
    static func insert(_ entry: TriggerEntry, actions: [String], in db: Database) throws -> Bool {
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
                """)
        for (each, action) in zip(entry.changes, actions) {
            change.bind(1, each.id)
            change.bind(2, entry.id)
            if let knownAt = each.knownAt {
                change.bind(3, knownAt.secondsSinceEpoch)
            } else {
                change.bind(3, nil as Int?)
            }
            change.bind(4, action)
            try change.run()
        }
        return true
    }
}
