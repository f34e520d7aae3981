/// When to try a delivery again, and when to stop: the retry ladder, its jitter, and the deadlines that keep a
/// delivery from arriving too late to matter.
public struct RetryPolicy: Hashable, Sendable {
    /// Seconds to wait after the 1st, 2nd, … failed attempt; the last step repeats.
    public var ladder: [Int64]
    /// Each wait is moved by up to this fraction, up or down (decided from the delivery's key, so repeatable).
    public var jitter: Double
    /// A summons (or update) not delivered this many seconds before the meeting starts is escalated instead of
    /// retried: the member's substitute is summoned and the convener and secretary are told.
    public var summonsDeadline: Int64
    /// A minutes reminder is given up this many seconds after it was due.
    public var minutesReminderDeadline: Int64

    /// Creates a policy.
    public init(ladder: [Int64], jitter: Double, summonsDeadline: Int64, minutesReminderDeadline: Int64) {
        self.ladder = ladder
        self.jitter = jitter
        self.summonsDeadline = summonsDeadline
        self.minutesReminderDeadline = minutesReminderDeadline
    }

    /// 1 min, 5 min, 30 min, 2 h, 5 h, 10 h (then every 10 h), ±10 %; summonses escalated 3 days before the
    /// meeting; minutes reminders given up after 7 days.
    public static let standard = RetryPolicy(
        ladder: [60, 300, 1800, 7200, 18_000, 36_000], jitter: 0.1, summonsDeadline: 3 * 86_400,
        minutesReminderDeadline: 7 * 86_400)

    /// What to do with a delivery before it is sent: send it, or drop it because the meeting has begun.
    public func shouldSend(kind: NotificationKind, meetingStart: Instant, due: Instant, now: Instant) -> Decision? {
        switch kind {
        case .minutesReminder:
            if now >= due.adding(seconds: minutesReminderDeadline) {
                return .fail(reason: "the minutes reminder is more than \(Self.wording(minutesReminderDeadline)) late")
            }
        case .escalation:
            break
        default:
            if now >= meetingStart { return .drop(reason: "the meeting had begun before it could be sent") }
        }
        return nil
    }

    /// What an attempt's result means for the delivery.
    public enum Decision: Hashable, Sendable {
        /// Done.
        case delivered
        /// Try again at this time.
        case retry(at: Instant)
        /// Give up; `escalate` when the member's substitute and the convener must be told.
        case fail(reason: String, escalate: Bool = false)
        /// Not sent, and not worth telling anyone: it would have arrived after the meeting began.
        case drop(reason: String)
    }

    /// The decision after attempt number `attempt` (1 for the first) came to `result` at `now`. `key` seeds the
    /// jitter of a retry; it is only made for one (a delivered attempt, the common case, needs none).
    public func decide(
        _ result: AttemptResult, attempt: Int, kind: NotificationKind, key: @autoclosure () -> String, due: Instant,
        meetingStart: Instant, now: Instant
    ) -> Decision {
        let escalates = kind == .summons || kind == .update
        switch result {
        case .delivered:
            return .delivered
        case .permanent:
            return .fail(reason: "refused by the server", escalate: escalates)
        case .transient(let retryAfter):
            return retry(after: retryAfter, attempt: attempt, kind: kind, key: key(), due: due, meetingStart: meetingStart,
                         now: now, escalates: escalates)
        case .configuration:
            return retry(after: nil, attempt: attempt, kind: kind, key: key(), due: due, meetingStart: meetingStart,
                         now: now, escalates: escalates)
        }
    }

    func retry(
        after retryAfter: Int64?, attempt: Int, kind: NotificationKind, key: String, due: Instant,
        meetingStart: Instant, now: Instant, escalates: Bool
    ) -> Decision {
        let next = now.adding(seconds: max(wait(after: attempt, key: key), retryAfter ?? 0))
        switch kind {
        case .minutesReminder:
            if next >= due.adding(seconds: minutesReminderDeadline) {
                return .fail(reason: "not delivered within \(Self.wording(minutesReminderDeadline)) of its due time")
            }
        case .escalation:
            break
        default:
            if escalates && next >= meetingStart.adding(seconds: -summonsDeadline) {
                return .fail(
                    reason: "not delivered \(Self.wording(summonsDeadline)) before the meeting", escalate: true)
            }
            if next >= meetingStart { return .drop(reason: "the next attempt would be after the meeting began") }
        }
        return .retry(at: next)
    }

    /// The wait after attempt number `attempt`, with the key's jitter.
    public func wait(after attempt: Int, key: String) -> Int64 {
        guard !ladder.isEmpty else { return 60 }
        let base = ladder[min(max(attempt, 1), ladder.count) - 1]
        // FNV-1a of key and attempt → a fraction in [-1, 1].
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(key)#\(attempt)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let unit = Double(hash % 2001) / 1000 - 1
        return max(1, base + Int64((Double(base) * jitter * unit).rounded()))
    }

    static func wording(_ seconds: Int64) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400) d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        return "\(seconds / 60) min"
    }
}
