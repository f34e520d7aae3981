/// What sort of collaboration body it is; used for wording and for sensible defaults.
public enum BodyKind: String, Sendable, Hashable, CaseIterable {
    /// Politisk samverkansberedning: elected representatives.
    case political
    /// Länsstyrgrupp, LAKO-T: officials who steer.
    case steeringGroup = "steering_group"
    /// Arbetsutskott: prepares the steering group's meetings.
    case workingCommittee = "working_committee"
    /// Samverkansforum.
    case forum
    /// Länsdelssamverkan.
    case areaCollaboration = "area_collaboration"
    /// Local GSA/KSA collaboration in one municipality or city district.
    case localCollaboration = "local_collaboration"
    /// Strategigrupp.
    case strategyGroup = "strategy_group"
    /// Nätverk.
    case network
    /// A temporary working group with a single task.
    case workingGroup = "working_group"
    /// A theme day or other joint meeting of several bodies.
    case jointMeeting = "joint_meeting"
}

/// A member's place in a body: who sits there, for which party, and who stands in.
public struct Seat: Hashable, Sendable, Identifiable {
    /// Id within the body; by default the office id or the person id.
    public var id: String
    /// The office that fills the seat, if the seat follows an office.
    public var office: String?
    /// The person in the seat (the office's holder when `office` is set).
    public var person: String
    /// The party the seat represents.
    public var party: String
    /// The substitute (ersättare), a person id, if any.
    public var substitute: String?
    /// The substitute's office, if the substitute was named by office.
    public var substituteOffice: String?
    /// Co-opted (adjungerad): invited as needed, optional participant.
    public var coopted: Bool
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a seat.
    public init(
        id: String, office: String?, person: String, party: String, substitute: String? = nil,
        substituteOffice: String? = nil, coopted: Bool = false, location: SourceLocation? = nil
    ) {
        self.id = id
        self.office = office
        self.person = person
        self.party = party
        self.substitute = substitute
        self.substituteOffice = substituteOffice
        self.coopted = coopted
        self.location = location
    }
}

/// A role at a meeting.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// Sammankallande: calls the meeting and sends the summons.
    case convener
    /// Ordförande.
    case chair
    /// Sekreterare: keeps the minutes.
    case secretary
}

/// How often a rotation moves on.
public enum RotationPeriod: String, Sendable, Hashable {
    /// A new holder each calendar year (R6, R9).
    case year
    /// A new holder each meeting (R8).
    case meeting
}

/// Turn-taking among seats, each of which stands for a party.
public struct Rotation: Hashable, Sendable {
    /// When the turn passes.
    public var period: RotationPeriod
    /// The year in which `order[0]` holds the role (for meeting rotation: the first meeting of that year).
    public var anchorYear: Int
    /// The seats in turn.
    public var order: [String]

    /// Creates a rotation.
    public init(period: RotationPeriod, anchorYear: Int, order: [String]) {
        self.period = period
        self.anchorYear = anchorYear
        self.order = order
    }
}

/// Who holds a role at a body's meetings.
public indirect enum RoleRule: Hashable, Sendable {
    /// Always the same seat (R5 convener by office, R10 minutes by a named office).
    case seat(String)
    /// Turns among seats (R6, R8, R9).
    case rotation(Rotation)
    /// Whoever holds `role` in another body at the time (R7: the working committee follows the chair).
    case follows(body: String, role: Role)
    /// Whoever holds another role of the same meeting (the länsdel's närsjukvårdschef convenes, chairs and
    /// documents).
    case sameAs(Role)
    /// Named for each meeting by the holder of another role (R8: the convener appoints the secretary).
    case appointedBy(Role)
}

/// The unit a cadence counts in.
public enum CadencePeriod: String, Sendable, Hashable {
    /// A calendar year.
    case year
    /// A school term (spring, autumn).
    case term
}

/// A rule of the form "at least N meetings per year / per term" (R1).
public struct Cadence: Hashable, Sendable {
    /// The fewest meetings allowed.
    public var atLeast: Int
    /// The period counted in.
    public var period: CadencePeriod

    /// Creates a cadence.
    public init(atLeast: Int, period: CadencePeriod) {
        self.atLeast = atLeast
        self.period = period
    }
}

/// A rule that ties a body's meetings to another body's (R3, R4).
public struct RelativeConstraint: Hashable, Sendable {
    /// The other body.
    public var body: String
    /// At least this many days before each of the other body's meetings.
    public var minDaysBefore: Int
    /// And no earlier than the other body's previous meeting (so the meeting is "between two meetings of X").
    public var afterPrevious: Bool
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a constraint.
    public init(body: String, minDaysBefore: Int, afterPrevious: Bool = true, location: SourceLocation? = nil) {
        self.body = body
        self.minDaysBefore = minDaysBefore
        self.afterPrevious = afterPrevious
        self.location = location
    }
}

/// Meetings derived one for one from another body's meetings (R3: "antal arbetsutskott hålls i förhållande till
/// länsstyrgruppens möten").
public struct DerivedSchedule: Hashable, Sendable {
    /// The body whose meetings this one prepares.
    public var body: String
    /// Days before each of its meetings; moved earlier to a working day.
    public var daysBefore: Int

    /// Creates a derived schedule.
    public init(body: String, daysBefore: Int) {
        self.body = body
        self.daysBefore = daysBefore
    }
}

/// What to do when a rule lands on a weekend or holiday.
public enum HolidayShift: String, Sendable, Hashable {
    /// The next working day (the default).
    case next
    /// The working day before.
    case previous
    /// Leave the meeting out.
    case skip
}

/// A meeting date written into the plan by hand (a sammanträdesplan entry).
public struct PlannedDate: Hashable, Sendable {
    /// The day.
    public var date: LocalDate
    /// Start, if not the body's usual.
    public var start: LocalTime?
    /// End, if not the body's usual.
    public var end: LocalTime?
    /// Where, if not the body's usual.
    public var location: String?
    /// Held on a weekend or holiday on purpose (`check` warns instead of failing).
    public var allowHoliday: Bool
    /// Where it is declared.
    public var sourceLocation: SourceLocation?

    /// Creates a planned date.
    public init(
        date: LocalDate, start: LocalTime? = nil, end: LocalTime? = nil, location: String? = nil,
        allowHoliday: Bool = false, sourceLocation: SourceLocation? = nil
    ) {
        self.date = date
        self.start = start
        self.end = end
        self.location = location
        self.allowHoliday = allowHoliday
        self.sourceLocation = sourceLocation
    }
}

/// Where a body's meetings come from. Explicit dates for a year replace the standing pattern for that year.
public struct Schedule: Hashable, Sendable {
    /// A standing pattern (RRULE).
    public var recurrence: RecurrenceSet?
    /// One meeting per meeting of another body.
    public var derived: DerivedSchedule?
    /// Explicit dates by year (the sammanträdesplan), which override the pattern for that year.
    public var plan: [Int: [PlannedDate]]
    /// Weekdays preferred when Kallad proposes dates itself (bodies with only a cadence).
    public var preferredWeekdays: [Weekday]
    /// What to do when a pattern lands on a weekend or holiday.
    public var holidayShift: HolidayShift
    /// Where the schedule is declared.
    public var location: SourceLocation?

    /// Creates a schedule.
    public init(
        recurrence: RecurrenceSet? = nil, derived: DerivedSchedule? = nil, plan: [Int: [PlannedDate]] = [:],
        preferredWeekdays: [Weekday] = [.tuesday, .wednesday, .thursday], holidayShift: HolidayShift = .next,
        location: SourceLocation? = nil
    ) {
        self.recurrence = recurrence
        self.derived = derived
        self.plan = plan
        self.preferredWeekdays = preferredWeekdays
        self.holidayShift = holidayShift
        self.location = location
    }
}

/// A collaboration body (samverkansorgan): its members, its rules, and where its meetings come from.
public struct Body: Hashable, Sendable, Identifiable {
    /// Stable id, e.g. `norrbotten-lsg`.
    public var id: String
    /// Display name.
    public var name: String
    /// What sort of body it is.
    public var kind: BodyKind
    /// The area it serves, if any.
    public var area: String?
    /// The body it reports to (R15).
    public var reportsTo: String?
    /// The bodies whose joint meeting this is (R11); their members are summoned.
    public var jointOf: [String]
    /// Members by seat.
    public var seats: [Seat]
    /// Who convenes.
    public var convener: RoleRule
    /// Who chairs.
    public var chair: RoleRule
    /// Who keeps the minutes.
    public var secretary: RoleRule
    /// "At least N per year / term".
    public var cadences: [Cadence]
    /// Ties to other bodies' meetings.
    public var constraints: [RelativeConstraint]
    /// Meeting hours (start).
    public var startTime: LocalTime
    /// Meeting hours (end).
    public var endTime: LocalTime
    /// Where meetings are held.
    public var location: String
    /// Where the meetings come from.
    public var schedule: Schedule
    /// Required number of ordinary members per party (R14), e.g. 5 + 5.
    public var composition: [String: Int]
    /// First day the body exists (temporary bodies, R17).
    public var activeFrom: LocalDate?
    /// Last day the body exists (temporary bodies, R17).
    public var activeUntil: LocalDate?
    /// The body's school terms, if not the area's or the default.
    public var terms: TermRules?
    /// When notifications go out, per body.
    public var notifications: NotificationPolicy
    /// Deviation reports (avvikelser) go to this body.
    public var handlesDeviations: Bool
    /// Names of webhook or chat receivers that get the body's notifications.
    public var receivers: [String]
    /// Free text: the body's task, as the seed states it.
    public var purpose: String
    /// Where it is declared.
    public var sourceLocation: SourceLocation?

    /// Creates a body; most parts have the defaults a new body would have.
    public init(
        id: String, name: String, kind: BodyKind, seats: [Seat], convener: RoleRule, chair: RoleRule,
        secretary: RoleRule, startTime: LocalTime, endTime: LocalTime, location: String = "",
        schedule: Schedule = Schedule(), cadences: [Cadence] = [], constraints: [RelativeConstraint] = [],
        area: String? = nil, reportsTo: String? = nil, jointOf: [String] = [], composition: [String: Int] = [:],
        activeFrom: LocalDate? = nil, activeUntil: LocalDate? = nil, terms: TermRules? = nil,
        notifications: NotificationPolicy = .standard, handlesDeviations: Bool = false, receivers: [String] = [],
        purpose: String = "", sourceLocation: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.area = area
        self.reportsTo = reportsTo
        self.jointOf = jointOf
        self.seats = seats
        self.convener = convener
        self.chair = chair
        self.secretary = secretary
        self.cadences = cadences
        self.constraints = constraints
        self.startTime = startTime
        self.endTime = endTime
        self.location = location
        self.schedule = schedule
        self.composition = composition
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
        self.terms = terms
        self.notifications = notifications
        self.handlesDeviations = handlesDeviations
        self.receivers = receivers
        self.purpose = purpose
        self.sourceLocation = sourceLocation
    }

    /// The seat with an id, if any.
    public func seat(_ id: String) -> Seat? { seats.first { $0.id == id } }

    /// Whether the body exists on a date.
    public func isActive(on date: LocalDate) -> Bool {
        if let activeFrom, date < activeFrom { return false }
        if let activeUntil, date > activeUntil { return false }
        return true
    }
}
