/// How the outbox keeps and retries deliveries (`settings.outbox`).
public struct OutboxSettings: Hashable, Sendable {
    /// The SQLite database; relative paths are below the state directory (`$STATE_DIRECTORY` under systemd,
    /// else the working directory).
    public var database: String
    /// Retries and deadlines.
    public var retry: RetryPolicy
    /// Delivered, failed and other finished deliveries — with their addresses and message bodies — are deleted
    /// this many seconds after they finished (`kallad purge`, and the daemon once a day).
    public var retention: Int64
    /// Notifications that fell due while Kallad was not running are still sent if they are at most this many
    /// seconds old (and their meeting has not begun).
    public var catchUp: Int64
    /// SMTP connections used in parallel. A crash can send the message in flight on each once more, so 1 keeps
    /// the duplicate window to one message per crash.
    public var connections: Int

    /// Creates settings.
    public init(
        database: String = "kallad.sqlite", retry: RetryPolicy = .standard, retention: Int64 = 180 * 86_400,
        catchUp: Int64 = 7 * 86_400, connections: Int = 1
    ) {
        self.database = database
        self.retry = retry
        self.retention = retention
        self.catchUp = catchUp
        self.connections = connections
    }

    /// A duration such as `90s`, `5m`, `2h`, `3d` in seconds, or `nil`.
    public static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, let number = Int64(text.dropLast()), number >= 0 else { return nil }
        let scale: Int64? =
            switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86_400
            default: nil
            }
        guard let scale, number <= Int64.max / scale / 2 else { return nil }
        return number * scale
    }
}
