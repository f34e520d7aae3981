/// One change to the meetings a body's rules produce: from the configuration's `changes:` or from a trigger.
public struct OverlayChange: Hashable, Sendable {
    /// What changes.
    public enum Action: Hashable, Sendable {
        /// An extra meeting (R12); `requestedBy` is the party that asked for it.
        case extra(body: String, start: LocalDateTime, end: LocalTime?, requestedBy: String?, reason: String)
        /// A meeting moved to another time.
        case moved(meeting: String, start: LocalDateTime, end: LocalTime?)
        /// A meeting cancelled.
        case cancelled(meeting: String, reason: String)
        /// A named stand-in for one seat at one meeting.
        case standIn(meeting: String, seat: String, person: String)
        /// A member who cannot come: the seat's substitute is summoned instead.
        case absent(meeting: String, seat: String)
        /// A named person holds a role at one meeting (e.g. the secretary the convener appointed).
        case roleHolder(meeting: String, role: Role, person: String)
        /// An agenda item for a meeting.
        case agendaItem(meeting: String, title: String, submittedBy: String?)
        /// Another system asked for the meeting's summons to go out now instead of on its usual day (a
        /// `summons.send_now` trigger). The scheduler marks the meeting (`MeetingAdjustments.sendNowRequestedAt`);
        /// the planner makes the summons due at the change's `knownAt`.
        case sendNow(meeting: String)
    }

    /// A stable id of the change (a trigger's id, or `config:<file>:<line>`).
    public var id: String
    /// What changes.
    public var action: Action
    /// When the change became known. Notifications due before it went out under the old plan; `nil` means it has
    /// always been known (a change written into the configuration before anything was sent).
    public var knownAt: Instant?
    /// Where it is declared, for changes from the configuration.
    public var location: SourceLocation?

    /// Creates a change.
    public init(id: String, action: Action, knownAt: Instant? = nil, location: SourceLocation? = nil) {
        self.id = id
        self.action = action
        self.knownAt = knownAt
        self.location = location
    }

    /// The meeting the change concerns, for all but extra meetings.
    public var meetingID: String? {
        switch action {
        case .extra: nil
        case .moved(let meeting, _, _), .cancelled(let meeting, _), .standIn(let meeting, _, _),
            .absent(let meeting, _), .roleHolder(let meeting, _, _), .agendaItem(let meeting, _, _),
            .sendNow(let meeting):
            meeting
        }
    }
}

/// The changes on top of the rules, in the order they became known.
public struct Overlay: Hashable, Sendable {
    /// The changes.
    public var changes: [OverlayChange]

    /// Creates an overlay.
    public init(changes: [OverlayChange] = []) { self.changes = changes }

    /// Both overlays, this one first.
    public func merged(with other: Overlay) -> Overlay { Overlay(changes: changes + other.changes) }

    /// The id an extra meeting gets: `<body>/<date>-extra-<change id>`.
    public static func extraMeetingID(body: String, date: LocalDate, changeID: String) -> String {
        "\(body)/\(date)-extra-\(changeID)"
    }
}
