import GRDB

extension KalladDatabase {
    /// v4: the overlay table loses its unique index on `change_id` and its foreign key to the trigger log. Both cost
    /// every trigger a write at a random place in a B-tree (and a lookup), in the commit the trigger waits for; a
    /// change's id is unique without them, because the store only takes a change whose id is its trigger's id or
    /// `<trigger id>/<suffix>` (trigger ids have no "/"), and the trigger log's key refuses a trigger id seen before.
    /// Nothing deletes from the trigger log, so the foreign key's `ON DELETE SET NULL` never ran.
    static func registerOverlayWithoutIndexes(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    CREATE TABLE overlay_change_v4 (
                        seq INTEGER PRIMARY KEY,
                        change_id TEXT NOT NULL,
                        trigger_id TEXT,
                        known_at INTEGER,
                        action TEXT NOT NULL
                    );
                    INSERT INTO overlay_change_v4 (seq, change_id, trigger_id, known_at, action)
                        SELECT seq, change_id, trigger_id, known_at, action FROM overlay_change ORDER BY seq;
                    DROP TABLE overlay_change;
                    ALTER TABLE overlay_change_v4 RENAME TO overlay_change;
                    """)
        }
    }
}
