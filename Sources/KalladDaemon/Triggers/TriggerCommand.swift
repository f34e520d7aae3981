public import KalladCore

/// A trigger's body, read and checked field by field but not yet matched against the registry.
public enum TriggerCommand: Hashable, Sendable {
    /// A party asks for an extra meeting; without a date Kallad proposes one (see `TriggerResolver`).
    case meetingRequested(
        body: String, date: LocalDate?, start: LocalTime?, end: LocalTime?, requestedBy: String?, reason: String)
    /// A meeting is cancelled.
    case meetingCancelled(meeting: String, reason: String)
    /// A meeting moves.
    case meetingMoved(meeting: String, start: LocalDateTime, end: LocalTime?)
    /// An agenda item for a meeting.
    case agendaItemAdded(meeting: String, title: String, submittedBy: String?)
    /// A deviation (avvikelse) to be handled at the next meeting of the body that handles deviations.
    case deviationReported(title: String, body: String?, reportedBy: String?)
    /// The summons of a meeting should go out now.
    case summonsSendNow(meeting: String)

    /// The trigger types, as `type` spells them.
    public static let types = [
        "meeting.requested", "meeting.cancelled", "meeting.moved", "agenda.item.added", "deviation.reported",
        "summons.send_now",
    ]

    /// The meeting it names, if any.
    public var meeting: String? {
        switch self {
        case .meetingCancelled(let meeting, _), .meetingMoved(let meeting, _, _), .agendaItemAdded(let meeting, _, _),
            .summonsSendNow(let meeting):
            meeting
        case .meetingRequested, .deviationReported: nil
        }
    }
}

/// One thing wrong with one field of a trigger.
public struct FieldProblem: Hashable, Sendable, Codable {
    /// A JSON path: `data.meeting`.
    public var field: String
    /// What is wrong.
    public var message: String

    /// Creates a problem.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Why a trigger was refused, and with which HTTP status class.
public struct TriggerRejection: Error, Hashable, Sendable {
    /// The kind of refusal.
    public enum Kind: String, Hashable, Sendable {
        /// Not JSON, or fields missing or wrong (422; 400 for what is not JSON at all).
        case malformed
        /// Fields are well-formed but their values do not make sense (422).
        case invalid
        /// The system may not touch this body (403).
        case forbidden
        /// The meeting or body does not exist (404).
        case notFound
    }

    /// The kind.
    public var kind: Kind
    /// A stable code (`trigger.unknown_meeting`).
    public var code: String
    /// One sentence.
    public var detail: String
    /// Field-level problems.
    public var fields: [FieldProblem]

    /// Creates a rejection.
    public init(_ kind: Kind, code: String, detail: String, fields: [FieldProblem] = []) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.fields = fields
    }
}
