import GRDB

extension KalladDatabase {
    /// The schema, one migration per shipped change; a shipped migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE notification (
                        id INTEGER PRIMARY KEY,
                        key TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        meeting TEXT NOT NULL,
                        body TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        due INTEGER NOT NULL,
                        meeting_start INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX notification_meeting ON notification(meeting);
                    CREATE INDEX notification_due ON notification(due);
                    CREATE TABLE delivery (
                        id INTEGER PRIMARY KEY,
                        notification_id INTEGER NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
                        channel TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        person TEXT,
                        seat TEXT,
                        name TEXT,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt INTEGER NOT NULL,
                        envelope_from TEXT,
                        message TEXT,
                        last_code INTEGER,
                        last_reply TEXT,
                        reason TEXT,
                        escalation TEXT,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (notification_id, channel, recipient)
                    );
                    CREATE INDEX delivery_claim ON delivery(state, next_attempt);
                    CREATE INDEX delivery_escalation ON delivery(escalation) WHERE escalation IS NOT NULL;
                    CREATE TABLE attempt (
                        id INTEGER PRIMARY KEY,
                        delivery_id INTEGER NOT NULL REFERENCES delivery(id) ON DELETE CASCADE,
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        code INTEGER,
                        reply TEXT
                    );
                    CREATE INDEX attempt_delivery ON attempt(delivery_id);
                    CREATE TABLE trigger_log (
                        id TEXT PRIMARY KEY,
                        system TEXT NOT NULL,
                        type TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        payload TEXT NOT NULL
                    );
                    CREATE TABLE overlay_change (
                        seq INTEGER PRIMARY KEY,
                        change_id TEXT NOT NULL UNIQUE,
                        trigger_id TEXT REFERENCES trigger_log(id) ON DELETE SET NULL,
                        known_at INTEGER,
                        action TEXT NOT NULL
                    );
                    """)
        }
        // v2: messages move to a table of their own, so a delivery's row is small and changing its state rewrites
        // little; the claim reads due deliveries in order from an index of only the waiting ones, so claiming never
        // sorts and settling a delivery (sending → delivered) touches no index.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE delivery_message (
                        delivery_id INTEGER PRIMARY KEY REFERENCES delivery(id) ON DELETE CASCADE,
                        message TEXT NOT NULL
                    );
                    INSERT INTO delivery_message (delivery_id, message)
                        SELECT id, message FROM delivery WHERE message IS NOT NULL;
                    ALTER TABLE delivery DROP COLUMN message;
                    CREATE INDEX delivery_due ON delivery(next_attempt, id) WHERE state IN ('queued', 'deferred');
                    DROP INDEX delivery_claim;
                    """)
        }
        // v3: nothing reads notifications by due time alone (the claim goes by the deliveries' own index), so
        // the index only cost every enqueue a write.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "DROP INDEX notification_due")
        }
        registerOverlayWithoutIndexes(&migrator)
        registerDeliveredAttemptInRow(&migrator)
        return migrator
    }
}
