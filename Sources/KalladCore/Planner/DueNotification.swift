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
    /// For escalations: who could not be reached, and why.
    public var unreached: [UnreachedRecipient] = []

    /// Creates a notification.
    public init(
        key: String, kind: NotificationKind, due: Instant, meeting: Meeting, sender: Recipient?,
        recipients: [Recipient], chair: RoleHolder?, secretary: RoleHolder?, agendaDeadline: LocalDate? = nil,
        sequence: Int, previousStart: LocalDateTime? = nil, unreached: [UnreachedRecipient] = []
    ) {
        self.key = key
        self.kind = kind
        self.due = due
        self.meeting = meeting
        self.sender = sender
        self.recipients = recipients
        self.chair = chair
        self.secretary = secretary
        self.agendaDeadline = agendaDeadline
        self.sequence = sequence
        self.previousStart = previousStart
        self.unreached = unreached
    }
}

/// Someone a summons did not reach: named in the escalation to the convener and the secretary.
public struct UnreachedRecipient: Hashable, Sendable {
    /// The person's name.
    public var name: String
    /// The address that failed.
    public var email: String
    /// Why, in a sentence (`refused by the server: 550 5.1.1 no such user`).
    public var reason: String
    /// The substitute summoned in their place, if any.
    public var substitute: String?

    /// Creates an entry.
    public init(name: String, email: String, reason: String, substitute: String? = nil) {
        self.name = name
        self.email = email
        self.reason = reason
        self.substitute = substitute
    }
}
