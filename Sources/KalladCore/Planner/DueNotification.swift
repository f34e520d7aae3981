/// A notification the planner found due: what, when, from whom, to whom, about which meeting.
public struct DueNotification: Hashable, Sendable {
    /// Deterministic idempotency key: the same inputs give the same key, so nothing is sent twice.
    /// `<meeting id>/<kind>` or `<meeting id>/<kind>/<sequence>` for kinds that follow the meeting's time.
    public var key: String
    /// What kind.
    public var kind: NotificationKind
    /// When it should go out.
    public var due: Instant
    /// The meeting, as it stands when the notification goes out.
    public var meeting: Meeting
    /// The convener, who sends it.
    public var sender: Recipient?
    /// Who receives it.
    public var recipients: [Recipient]
    /// The chair at the meeting.
    public var chair: RoleHolder?
    /// The secretary at the meeting.
    public var secretary: RoleHolder?
    /// For agenda requests: the last day for agenda items.
    public var agendaDeadline: LocalDate?
    /// The SEQUENCE of the calendar invitation.
    public var sequence: Int
    /// For updates: the start before the move.
    public var previousStart: LocalDateTime?
}
