import KalladCore

extension RegistryReader {
    static let outboxKeys = [
        "database", "retry_ladder", "jitter", "summons_deadline", "minutes_reminder_deadline", "retention",
        "catch_up", "connections",
    ]

    /// `settings.outbox`: the database, the retry ladder, deadlines and retention. Durations are `90s`, `5m`,
    /// `2h` or `3d`.
    func readOutbox(_ cursor: YAMLCursor) {
        guard let map = cursor.mapping(allowed: Self.outboxKeys) else { return }
        var outbox = OutboxSettings()
        if let v = map["database"]?.string() { outbox.database = v }
        if let steps = map["retry_ladder"]?.list() {
            let ladder = steps.compactMap { duration($0, atLeast: 1) }
            if ladder.count == steps.count {
                if ladder.isEmpty {
                    sink.error(
                        "config.outbox", "\(cursor.path).retry_ladder is empty",
                        hint: "e.g. [1m, 5m, 30m, 2h, 5h, 10h]", at: cursor.location)
                } else {
                    outbox.retry.ladder = ladder
                }
            }
        }
        if let c = map["jitter"], let text = c.scalarText {
            if let v = Double(text), (0...0.5).contains(v) {
                outbox.retry.jitter = v
            } else {
                sink.error(
                    "config.outbox", "\(c.path) '\(text)' is not a fraction between 0 and 0.5",
                    hint: "e.g. 0.1 for ±10 %", at: c.location)
            }
        }
        if let v = map["summons_deadline"].flatMap({ duration($0, atLeast: 0) }) { outbox.retry.summonsDeadline = v }
        if let v = map["minutes_reminder_deadline"].flatMap({ duration($0, atLeast: 3600) }) {
            outbox.retry.minutesReminderDeadline = v
        }
        if let v = map["retention"].flatMap({ duration($0, atLeast: 86_400) }) { outbox.retention = v }
        if let v = map["catch_up"].flatMap({ duration($0, atLeast: 0) }) { outbox.catchUp = v }
        if let v = map["connections"]?.int(in: 1...50) { outbox.connections = v }
        settings.outbox = outbox
    }

    /// A duration value, reported when it is not one or is below `atLeast` seconds.
    func duration(_ cursor: YAMLCursor, atLeast minimum: Int64) -> Int64? {
        guard let text = cursor.string() else { return nil }
        guard let seconds = OutboxSettings.seconds(text) else {
            sink.error(
                "config.duration", "\(cursor.path) '\(text)' is not a duration",
                hint: "write a whole number and a unit: 90s, 5m, 2h or 3d", at: cursor.location)
            return nil
        }
        guard seconds >= minimum else {
            sink.error(
                "config.duration", "\(cursor.path) '\(text)' is too short",
                hint: "at least \(minimum) seconds", at: cursor.location)
            return nil
        }
        return seconds
    }
}
