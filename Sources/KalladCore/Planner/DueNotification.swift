/// A notification the planner found due: what, when, from whom, to whom, about which meeting.
///
/// The meeting, sender, chair and secretary are the same for every notification of one meeting state, so they are
/// held once and shared (a year of a national registry has 220,000 notifications); setting one of them gives this
/// notification its own copy.
public struct DueNotification: Hashable, Sendable {
    /// What the notifications of one meeting state share.
    final class Shared: Sendable {
        let meeting: Meeting
        /// The meeting's id, held here too: writing a notification reads it without going through the meeting.
        let meetingID: String
        /// The sender, chair and secretary (and, from the planner, the recipient lists), shared by the meetings
        /// of a body with the same role holders.
        let people: MeetingPeople
        /// The meeting id is all ASCII, so keys made from it order as their bytes do.
        let idIsASCII: Bool
        /// The key order of the planner's schedule and the meeting's rank in it (-1: none).
        let keyOrder: MeetingKeyOrder?
        let keyRank: Int32

        init(meeting: Meeting, people: MeetingPeople, keyOrder: MeetingKeyOrder? = nil, keyRank: Int32 = -1) {
            self.meeting = meeting
            self.meetingID = meeting.id
            self.people = people
            self.keyOrder = keyOrder
            self.keyRank = keyOrder == nil ? -1 : keyRank
            var ascii = true
            for byte in meeting.id.utf8 where byte >= 0x80 {
                ascii = false
                break
            }
            self.idIsASCII = ascii
        }

        convenience init(
            meeting: Meeting, sender: Recipient?, chair: RoleHolder?, secretary: RoleHolder?,
            keyOrder: MeetingKeyOrder? = nil, keyRank: Int32 = -1
        ) {
            self.init(
                meeting: meeting, people: MeetingPeople(sender: sender, chair: chair, secretary: secretary),
                keyOrder: keyOrder, keyRank: keyRank)
        }

        var sender: Recipient? { people.sender }

        /// The meeting's id as UTF-8 appended to `out`, read in place.
        func appendMeetingID(to out: inout [UInt8]) { out.append(contentsOf: meetingID.utf8) }
        var chair: RoleHolder? { people.holders.chair }
        var secretary: RoleHolder? { people.holders.secretary }
    }

    /// Deterministic idempotency key: the same inputs give the same key, so nothing is sent twice.
    /// `<meeting id>/<kind>` or `<meeting id>/<kind>/<sequence>` for kinds that follow the meeting's time.
    ///
    /// The planner's notifications hold no key text: it is made from the meeting id, kind and sequence when asked
    /// for (a year of a national registry has 220,000 keys, each its own allocation). A key that is set, or given
    /// to the public initializer, is held as text.
    public var key: String {
        get {
            if let keyText { return keyText }
            let id = meetingID
            return keyIncludesSequence ? "\(id)/\(kind.rawValue)/\(sequence)" : "\(id)/\(kind.rawValue)"
        }
        set { keyText = newValue }
    }
    /// The key as text, or `nil` while it is the one made from the meeting id, kind and sequence.
    var keyText: String?
    /// The meeting's id (read from the shared state: held here too, it would be one more reference to retain for
    /// every copy of a notification).
    public var meetingID: String { shared.meetingID }
    /// The meeting id is all ASCII, so keys made from it order as their bytes do.
    var meetingIDIsASCII: Bool
    /// Whether the made key ends in the sequence.
    var keyIncludesSequence: Bool
    /// What kind.
    public var kind: NotificationKind {
        willSet { holdKey() }
    }
    /// When it should go out.
    public var due: Instant
    var shared: Shared
    /// Who receives it.
    public var recipients: [Recipient] {
        didSet { optionalRecipients = Self.optionalCount(recipients) }
    }
    /// How many of the recipients are optional (co-opted): counted once, not for every line written.
    public private(set) var optionalRecipients: Int
    /// For agenda requests: the last day for agenda items.
    public var agendaDeadline: LocalDate?
    /// The SEQUENCE of the calendar invitation.
    public var sequence: Int {
        willSet { holdKey() }
    }
    /// For updates: the start before the move.
    public var previousStart: LocalDateTime?
    /// For escalations: who could not be reached, and why.
    public var unreached: [UnreachedRecipient] = []

    /// A planner's notification: its key is `<meeting id>/<kind>`, followed by `/<sequence>` when `sequenced`.
    init(
        sequenced: Bool, kind: NotificationKind, due: Instant, shared: Shared, recipients: [Recipient],
        agendaDeadline: LocalDate?, sequence: Int, previousStart: LocalDateTime?, optionalRecipients: Int? = nil
    ) {
        self.keyText = nil
        self.keyIncludesSequence = sequenced
        self.meetingIDIsASCII = shared.idIsASCII
        self.kind = kind
        self.due = due
        self.shared = shared
        self.recipients = recipients
        self.optionalRecipients = optionalRecipients ?? Self.optionalCount(recipients)
        self.agendaDeadline = agendaDeadline
        self.sequence = sequence
        self.previousStart = previousStart
    }

    /// The number of optional recipients in a list.
    static func optionalCount(_ recipients: [Recipient]) -> Int {
        recipients.withUnsafeBufferPointer { all in
            var count = 0
            for index in all.indices where all[index].optional { count += 1 }
            return count
        }
    }

    /// Keeps the key it has now as text, before a field it is made from changes.
    private mutating func holdKey() {
        if keyText == nil { keyText = key }
    }

    /// The meeting, as it stands when the notification goes out.
    public var meeting: Meeting {
        get { shared.meeting }
        set {
            holdKey()
            shared = Shared(meeting: newValue, people: shared.people)
            meetingIDIsASCII = shared.idIsASCII
        }
    }

    /// The convener, who sends it.
    public var sender: Recipient? {
        get { shared.sender }
        set { shared = Shared(meeting: meeting, sender: newValue, chair: chair, secretary: secretary) }
    }

    /// The sender's name, read without copying the sender.
    public var senderName: String? { shared.people.sender?.name }

    /// The sender's name as UTF-8 appended to `out`, or `fallback` when there is no sender: read in place, neither
    /// the sender nor its name copied.
    public func appendSenderName(orElse fallback: StaticString, to out: inout [UInt8]) {
        let people = shared.people
        if let name = people.senderName {
            out.append(contentsOf: name)
        } else if let name = people.sender?.name {
            out.append(contentsOf: name.utf8)
        } else {
            fallback.withUTF8Buffer { out.append(contentsOf: $0) }
        }
    }

    /// The meeting's id as UTF-8 appended to `out`: read in place, not copied.
    public func appendMeetingID(to out: inout [UInt8]) { shared.appendMeetingID(to: &out) }

    /// The chair at the meeting.
    public var chair: RoleHolder? {
        get { shared.chair }
        set { shared = Shared(meeting: meeting, sender: sender, chair: newValue, secretary: secretary) }
    }

    /// The secretary at the meeting.
    public var secretary: RoleHolder? {
        get { shared.secretary }
        set { shared = Shared(meeting: meeting, sender: sender, chair: chair, secretary: newValue) }
    }

    /// Equal when every field is, shared or not.
    public static func == (a: DueNotification, b: DueNotification) -> Bool {
        a.key == b.key && a.kind == b.kind && a.due == b.due && a.recipients == b.recipients
            && a.agendaDeadline == b.agendaDeadline && a.sequence == b.sequence && a.previousStart == b.previousStart
            && a.unreached == b.unreached
            && (a.shared === b.shared
                || (a.meeting == b.meeting && a.sender == b.sender && a.chair == b.chair
                    && a.secretary == b.secretary))
    }

    /// Hashes every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(kind)
        hasher.combine(due)
        hasher.combine(meeting)
        hasher.combine(sender)
        hasher.combine(recipients)
        hasher.combine(chair)
        hasher.combine(secretary)
        hasher.combine(agendaDeadline)
        hasher.combine(sequence)
        hasher.combine(previousStart)
        hasher.combine(unreached)
    }

    /// Creates a notification.
    public init(
        key: String, kind: NotificationKind, due: Instant, meeting: Meeting, sender: Recipient?,
        recipients: [Recipient], chair: RoleHolder?, secretary: RoleHolder?, agendaDeadline: LocalDate? = nil,
        sequence: Int, previousStart: LocalDateTime? = nil, unreached: [UnreachedRecipient] = []
    ) {
        self.init(
            sequenced: false, kind: kind, due: due,
            shared: Shared(meeting: meeting, sender: sender, chair: chair, secretary: secretary),
            recipients: recipients, agendaDeadline: agendaDeadline, sequence: sequence, previousStart: previousStart)
        self.keyText = key
        self.unreached = unreached
    }
}

extension DueNotification {
    /// The key as UTF-8, appended to `out` without making the key text.
    public func appendKey(to out: inout [UInt8]) {
        if let keyText {
            out.append(contentsOf: keyText.utf8)
            return
        }
        shared.appendMeetingID(to: &out)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: kind.rawValue.utf8)
        if keyIncludesSequence {
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: String(sequence).utf8)
        }
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
