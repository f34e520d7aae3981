import GRDB

extension KalladDatabase {
    /// The name of the migration that keeps a delivery's delivered attempt in its own row.
    static let deliveredAttemptMigration = "v5-delivered-attempt"

    /// v5 (`deliveredAttemptMigration`): a delivery settled as delivered keeps that attempt — its start and length
    /// beside the `last_code` and `last_reply` it already had — in its own row, instead of a row of its own in
    /// `attempt`. The delivered attempt is always a delivery's last, so nothing is lost: `attempts(_:)` reads the
    /// attempts that did not deliver from `attempt` and the delivered one from the delivery. Recording a delivered
    /// outcome then writes one row (the delivery's, which it rewrote anyway), not three (that row, an attempt's row
    /// and its entry in `attempt_delivery`, with the foreign key looked up). Deliveries delivered before keep their
    /// attempt rows (their new columns are NULL).
    static func registerDeliveredAttemptInRow(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(deliveredAttemptMigration) { db in
            try db.execute(
                sql: """
                    ALTER TABLE delivery ADD COLUMN delivered_started_at INTEGER;
                    ALTER TABLE delivery ADD COLUMN delivered_duration_ms INTEGER;
                    """)
        }
    }
}
