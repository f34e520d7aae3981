/// When a body's notifications go out, counted back from the meeting day (DESIGN.md defaults).
public struct NotificationPolicy: Hashable, Sendable {
    /// Days before the meeting the convener is prompted to prepare it (confirm, appoint a secretary).
    public var convenerPromptDays: Int
    /// Days before the meeting the agenda request goes out.
    public var agendaRequestDays: Int
    /// Days before the meeting agenda items are due.
    public var agendaItemsDueDays: Int
    /// Days before the meeting the summons goes out.
    public var summonsDays: Int
    /// Days before the meeting the reminder goes out.
    public var reminderDays: Int
    /// Working days after the meeting the secretary is reminded of the minutes.
    public var minutesReminderWorkingDays: Int
    /// Local time of day notifications go out.
    public var sendAt: LocalTime
    /// Which kinds are sent at all.
    public var enabled: Set<NotificationKind>

    /// Creates a policy.
    public init(
        convenerPromptDays: Int, agendaRequestDays: Int, agendaItemsDueDays: Int, summonsDays: Int,
        reminderDays: Int, minutesReminderWorkingDays: Int, sendAt: LocalTime,
        enabled: Set<NotificationKind> = Set(NotificationKind.allCases)
    ) {
        self.convenerPromptDays = convenerPromptDays
        self.agendaRequestDays = agendaRequestDays
        self.agendaItemsDueDays = agendaItemsDueDays
        self.summonsDays = summonsDays
        self.reminderDays = reminderDays
        self.minutesReminderWorkingDays = minutesReminderWorkingDays
        self.sendAt = sendAt
        self.enabled = enabled
    }

    /// Summons 14 days before, agenda request 28 days before with items due 21 days before, reminder 2 days before,
    /// minutes reminder 1 working day after, the convener prompted 42 days before; all at 08:00.
    public static let standard = NotificationPolicy(
        convenerPromptDays: 42, agendaRequestDays: 28, agendaItemsDueDays: 21, summonsDays: 14, reminderDays: 2,
        minutesReminderWorkingDays: 1, sendAt: LocalTime(hour: 8, minute: 0)!  // safe: constant in range
    )
}

/// The kinds of notification Kallad sends.
public enum NotificationKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// To the convener: a meeting is coming, prepare it (and appoint a secretary where the convener does).
    case convenerPrompt = "convener_prompt"
    /// To members: send agenda items by the deadline.
    case agendaRequest = "agenda_request"
    /// To members, substitutes standing in and co-opted: the summons with the calendar invitation.
    case summons
    /// To the same: the meeting is soon.
    case reminder
    /// To the secretary: the minutes are due.
    case minutesReminder = "minutes_reminder"
    /// To those already summoned: the meeting is cancelled.
    case cancellation
    /// To those already summoned: the meeting has moved.
    case update
    /// To the convener and the secretary: who could not be reached for a meeting, and why (the outbox sends it;
    /// the planner never does).
    case escalation

    var order: Int { NotificationKind.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: NotificationKind, rhs: NotificationKind) -> Bool { lhs.order < rhs.order }
}
