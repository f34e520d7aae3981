/// What sort of meeting it is.
public enum MeetingKind: String, Sendable, Hashable {
    /// One of the body's planned meetings.
    case ordinary
    /// An extra meeting a party asked for (R12).
    case extra
    /// A joint meeting of several bodies, e.g. a theme day (R11).
    case joint
}

/// Where a meeting's date came from.
public enum MeetingSource: String, Sendable, Hashable {
    /// The body's standing pattern (RRULE).
    case rule
    /// An explicit date in the plan.
    case plan
    /// Derived from another body's meeting (the working committee before the steering group).
    case derived
    /// Proposed by Kallad from the cadence.
    case proposed
    /// An extra meeting from a change or trigger.
    case change
}

/// Whether a meeting is on.
public enum MeetingStatus: String, Sendable, Hashable {
    /// Planned and on.
    case scheduled
    /// Cancelled.
    case cancelled
}

/// One meeting of one body: when, where, and what has happened to it.
public struct Meeting: Hashable, Sendable, Identifiable {
    /// Stable id: `<body>/<original date>` (kept when the meeting moves), or an extra meeting's id.
    public var id: String
    /// The body.
    public var body: String
    /// Ordinary, extra or joint.
    public var kind: MeetingKind
    /// Where the date came from.
    public var source: MeetingSource
    /// Start, local.
    public var start: LocalDateTime
    /// End, local.
    public var end: LocalDateTime
    /// Where.
    public var location: String
    /// On or cancelled.
    public var status: MeetingStatus
    /// Raised by every move; the calendar invitation's SEQUENCE.
    public var sequence: Int
    /// Earlier starts, oldest first, each with when the move became known.
    public var history: [MeetingRevision]
    /// When the meeting became known (extra meetings), or `nil` for planned ones.
    public var knownAt: Instant?
    /// When the cancellation became known, if cancelled.
    public var cancelledAt: Instant?
    /// Explicitly allowed on a weekend or holiday.
    public var allowHoliday: Bool
    /// The party that asked for it (extra meetings).
    public var requestedBy: String?
    /// Why (extra or cancelled meetings).
    public var reason: String
    /// Agenda items sent in so far.
    public var agenda: [AgendaItem]
    /// Stand-ins, absences and appointed role holders for this meeting.
    public var adjustments: MeetingAdjustments
    /// Where the date is declared, when it comes from the configuration.
    public var sourceLocation: SourceLocation?

    /// Creates a meeting.
    public init(
        id: String, body: String, kind: MeetingKind, source: MeetingSource, start: LocalDateTime, end: LocalDateTime,
        location: String, allowHoliday: Bool = false, sourceLocation: SourceLocation? = nil
    ) {
        self.id = id
        self.body = body
        self.kind = kind
        self.source = source
        self.start = start
        self.end = end
        self.location = location
        self.status = .scheduled
        self.sequence = 0
        self.history = []
        self.knownAt = nil
        self.cancelledAt = nil
        self.allowHoliday = allowHoliday
        self.requestedBy = nil
        self.reason = ""
        self.agenda = []
        self.adjustments = MeetingAdjustments()
        self.sourceLocation = sourceLocation
    }

    /// The meeting's day.
    public var date: LocalDate { start.date }
}

/// An earlier time of a moved meeting.
public struct MeetingRevision: Hashable, Sendable {
    /// The start before the move.
    public var start: LocalDateTime
    /// The end before the move.
    public var end: LocalDateTime
    /// The SEQUENCE it had.
    public var sequence: Int
    /// When the move became known (`nil`: always).
    public var movedAt: Instant?
}

/// An agenda item (ärende).
public struct AgendaItem: Hashable, Sendable {
    /// Title.
    public var title: String
    /// Who sent it in, if known.
    public var submittedBy: String?
    /// When it came in.
    public var addedAt: Instant?
}

/// Per-meeting changes to who attends and who holds a role.
public struct MeetingAdjustments: Hashable, Sendable {
    /// Seat → the person standing in.
    public var standIns: [String: String] = [:]
    /// Seats whose member is absent (their substitute is summoned).
    public var absent: Set<String> = []
    /// Role → the person named for this meeting.
    public var roleHolders: [Role: String] = [:]
    /// Another system asked for the summons to go out now (`OverlayChange.Action.sendNow`).
    public var sendNowRequested = false
    /// When that request became known (`nil`: always, a change in the configuration).
    public var sendNowRequestedAt: Instant?
}
