/// A queued or deferred delivery, for reconciling the outbox with the current plan.
public struct PendingDelivery: Hashable, Sendable {
    /// Its id.
    public var id: Int64
    /// The notification's key.
    public var notificationKey: String
    /// The notification's kind.
    public var kind: NotificationKind
    /// The meeting.
    public var meeting: String
    /// The notification's SEQUENCE.
    public var sequence: Int
    /// When it was due.
    public var due: Instant

    /// Creates an entry.
    public init(id: Int64, notificationKey: String, kind: NotificationKind, meeting: String, sequence: Int, due: Instant) {
        self.id = id
        self.notificationKey = notificationKey
        self.kind = kind
        self.meeting = meeting
        self.sequence = sequence
        self.due = due
    }
}

/// Decides what becomes of deliveries still waiting when the plan has changed under them: a pure function of the
/// waiting deliveries and the current meetings.
public enum Reconciliation {
    /// What to do with one waiting delivery.
    public struct Verdict: Hashable, Sendable {
        /// The delivery.
        public var id: Int64
        /// `.cancelled` or `.superseded`.
        public var state: DeliveryState
        /// Why, for the record.
        public var reason: String
    }

    /// Kinds whose content follows the meeting's time: an older SEQUENCE is out of date.
    static let sequenced: Set<NotificationKind> = [.summons, .reminder, .update]

    /// Verdicts for the deliveries that must not go out as they are; those not named go out as planned.
    ///
    /// - a meeting that is cancelled: everything but the cancellation itself is cancelled;
    /// - a meeting that moved (a higher SEQUENCE): summonses, reminders and updates of the old time are superseded
    ///   (the planner's update and the new summons and reminder replace them);
    /// - a meeting no longer in the plan at all (its body was removed): superseded;
    /// - a notification whose due time lies in `window` but which the planner no longer plans: superseded (but a
    ///   cancellation of a cancelled meeting stands: the outbox may have sent it from what it knows was told).
    public static func verdicts(
        for pending: [PendingDelivery], meeting: (String) -> Meeting?, planned: Set<String>,
        window: Range<Instant>
    ) -> [Verdict] {
        var verdicts: [Verdict] = []
        for delivery in pending where delivery.kind != .escalation {
            guard let current = meeting(delivery.meeting) else {
                verdicts.append(Verdict(id: delivery.id, state: .superseded, reason: "the meeting is no longer planned"))
                continue
            }
            if current.status == .cancelled && delivery.kind != .cancellation {
                verdicts.append(Verdict(id: delivery.id, state: .cancelled, reason: "the meeting was cancelled"))
            } else if sequenced.contains(delivery.kind) && delivery.sequence < current.sequence {
                verdicts.append(
                    Verdict(
                        id: delivery.id, state: .superseded,
                        reason: "the meeting moved (sequence \(delivery.sequence) → \(current.sequence))"))
            } else if window.contains(delivery.due) && !planned.contains(delivery.notificationKey)
                && !delivery.notificationKey.contains("/substitute/")
                && !(delivery.kind == .cancellation && current.status == .cancelled)
            {
                verdicts.append(
                    Verdict(id: delivery.id, state: .superseded, reason: "the plan no longer has this notification"))
            }
        }
        return verdicts
    }
}
