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
    /// The fields, held once and shared by every copy until one is changed (copy on write): a schedule holds each
    /// meeting twice (in order and by body) and the planner passes meetings around, so a copy costs one reference.
    /// What only changes from the overlay bring (history, cancellation, agenda, stand-ins …) is held apart, in
    /// `Changes`, present only on meetings that have any: most meetings have none, and a national schedule holds
    /// hundreds of thousands.
    ///
    /// `@unchecked Sendable` is safe: a `Storage` (and its `Changes`) is only changed through `Meeting`'s setters,
    /// which first make their own copy unless this value is its only holder (`isKnownUniquelyReferenced`), so a
    /// `Storage` or `Changes` reachable from more than one value (or thread) is never written.
    final class Storage: @unchecked Sendable {
        var id: String
        var body: String
        var kind: MeetingKind
        var source: MeetingSource
        var status: MeetingStatus
        var allowHoliday: Bool
        var start: LocalDateTime
        var end: LocalDateTime
        var location: String
        var sequence: Int
        var sourceLocation: SourceLocation?
        var changes: Changes?

        init(
            id: String, body: String, kind: MeetingKind, source: MeetingSource, status: MeetingStatus,
            allowHoliday: Bool, start: LocalDateTime, end: LocalDateTime, location: String, sequence: Int,
            sourceLocation: SourceLocation?, changes: Changes?
        ) {
            self.id = id
            self.body = body
            self.kind = kind
            self.source = source
            self.status = status
            self.allowHoliday = allowHoliday
            self.start = start
            self.end = end
            self.location = location
            self.sequence = sequence
            self.sourceLocation = sourceLocation
            self.changes = changes
        }

        func copy() -> Storage {
            Storage(
                id: id, body: body, kind: kind, source: source, status: status, allowHoliday: allowHoliday,
                start: start, end: end, location: location, sequence: sequence, sourceLocation: sourceLocation,
                changes: changes)
        }
    }

    /// The fields only changes set; shared between copies of a `Storage` until one is changed.
    final class Changes: @unchecked Sendable {
        var history: [MeetingRevision] = []
        var knownAt: Instant?
        var cancelledAt: Instant?
        var requestedBy: String?
        var reason = ""
        var agenda: [AgendaItem] = []
        var adjustments = MeetingAdjustments()

        init() {}

        func copy() -> Changes {
            let other = Changes()
            other.history = history
            other.knownAt = knownAt
            other.cancelledAt = cancelledAt
            other.requestedBy = requestedBy
            other.reason = reason
            other.agenda = agenda
            other.adjustments = adjustments
            return other
        }
    }

    var storage: Storage

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// This value's own `Changes`, made on first use, for a setter to write.
    private mutating func uniqueChanges() -> Changes {
        unique()
        if storage.changes == nil {
            storage.changes = Changes()
        } else if !isKnownUniquelyReferenced(&storage.changes) {
            storage.changes = storage.changes?.copy()
        }
        return storage.changes ?? Changes()  // safe: set just above
    }

    /// Stable id: `<body>/<original date>` (kept when the meeting moves), or an extra meeting's id.
    public var id: String {
        get { storage.id }
        _modify {
            unique()
            yield &storage.id
        }
    }

    /// The body.
    public var body: String {
        get { storage.body }
        _modify {
            unique()
            yield &storage.body
        }
    }

    /// Ordinary, extra or joint.
    public var kind: MeetingKind {
        get { storage.kind }
        _modify {
            unique()
            yield &storage.kind
        }
    }

    /// Where the date came from.
    public var source: MeetingSource {
        get { storage.source }
        _modify {
            unique()
            yield &storage.source
        }
    }

    /// Start, local.
    public var start: LocalDateTime {
        get { storage.start }
        _modify {
            unique()
            yield &storage.start
        }
    }

    /// End, local.
    public var end: LocalDateTime {
        get { storage.end }
        _modify {
            unique()
            yield &storage.end
        }
    }

    /// Where.
    public var location: String {
        get { storage.location }
        _modify {
            unique()
            yield &storage.location
        }
    }

    /// On or cancelled.
    public var status: MeetingStatus {
        get { storage.status }
        _modify {
            unique()
            yield &storage.status
        }
    }

    /// Raised by every move; the calendar invitation's SEQUENCE.
    public var sequence: Int {
        get { storage.sequence }
        _modify {
            unique()
            yield &storage.sequence
        }
    }

    /// Earlier starts, oldest first, each with when the move became known.
    public var history: [MeetingRevision] {
        get { storage.changes?.history ?? [] }
        _modify {
            let changes = uniqueChanges()
            yield &changes.history
        }
    }

    /// When the meeting became known (extra meetings), or `nil` for planned ones.
    public var knownAt: Instant? {
        get { storage.changes?.knownAt }
        _modify {
            let changes = uniqueChanges()
            yield &changes.knownAt
        }
    }

    /// When the cancellation became known, if cancelled.
    public var cancelledAt: Instant? {
        get { storage.changes?.cancelledAt }
        _modify {
            let changes = uniqueChanges()
            yield &changes.cancelledAt
        }
    }

    /// Explicitly allowed on a weekend or holiday.
    public var allowHoliday: Bool {
        get { storage.allowHoliday }
        _modify {
            unique()
            yield &storage.allowHoliday
        }
    }

    /// The party that asked for it (extra meetings).
    public var requestedBy: String? {
        get { storage.changes?.requestedBy }
        _modify {
            let changes = uniqueChanges()
            yield &changes.requestedBy
        }
    }

    /// Why (extra or cancelled meetings).
    public var reason: String {
        get { storage.changes?.reason ?? "" }
        _modify {
            let changes = uniqueChanges()
            yield &changes.reason
        }
    }

    /// Agenda items sent in so far.
    public var agenda: [AgendaItem] {
        get { storage.changes?.agenda ?? [] }
        _modify {
            let changes = uniqueChanges()
            yield &changes.agenda
        }
    }

    /// Stand-ins, absences and appointed role holders for this meeting.
    public var adjustments: MeetingAdjustments {
        get { storage.changes?.adjustments ?? MeetingAdjustments() }
        _modify {
            let changes = uniqueChanges()
            yield &changes.adjustments
        }
    }

    /// Where the date is declared, when it comes from the configuration.
    public var sourceLocation: SourceLocation? {
        get { storage.sourceLocation }
        _modify {
            unique()
            yield &storage.sourceLocation
        }
    }

    /// Creates a meeting.
    public init(
        id: String, body: String, kind: MeetingKind, source: MeetingSource, start: LocalDateTime, end: LocalDateTime,
        location: String, allowHoliday: Bool = false, sourceLocation: SourceLocation? = nil
    ) {
        storage = Storage(
            id: id, body: body, kind: kind, source: source, status: .scheduled, allowHoliday: allowHoliday,
            start: start, end: end, location: location, sequence: 0, sourceLocation: sourceLocation, changes: nil)
    }

    /// Equal when every field is.
    public static func == (a: Meeting, b: Meeting) -> Bool {
        if a.storage === b.storage { return true }
        return a.id == b.id
            && a.body == b.body
            && a.kind == b.kind
            && a.source == b.source
            && a.start == b.start
            && a.end == b.end
            && a.location == b.location
            && a.status == b.status
            && a.sequence == b.sequence
            && a.history == b.history
            && a.knownAt == b.knownAt
            && a.cancelledAt == b.cancelledAt
            && a.allowHoliday == b.allowHoliday
            && a.requestedBy == b.requestedBy
            && a.reason == b.reason
            && a.agenda == b.agenda
            && a.adjustments == b.adjustments
            && a.sourceLocation == b.sourceLocation
    }

    /// Hashes every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(body)
        hasher.combine(kind)
        hasher.combine(source)
        hasher.combine(start)
        hasher.combine(end)
        hasher.combine(location)
        hasher.combine(status)
        hasher.combine(sequence)
        hasher.combine(history)
        hasher.combine(knownAt)
        hasher.combine(cancelledAt)
        hasher.combine(allowHoliday)
        hasher.combine(requestedBy)
        hasher.combine(reason)
        hasher.combine(agenda)
        hasher.combine(adjustments)
        hasher.combine(sourceLocation)
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
