import Dispatch

/// Decides which notifications are due: a pure function of (registry, overlay, window). No clock, file or network.
///
/// For every meeting it lays out the timeline of its body's notification policy (convener prompt, agenda request,
/// summons, reminder, minutes reminder), each moved back to a working day and sent at the policy's time of day.
/// A change that became known at time T splits the timeline: what was due before T went out under the old plan;
/// a moved meeting whose summons already went gets an update at T, a cancelled one a cancellation at T to those
/// already told; anything a late-known meeting missed goes out at T if it still makes sense. Nothing is sent after
/// the meeting has begun, except the minutes reminder.
public struct Planner: Sendable {
    /// The registry.
    public let registry: Registry
    /// Working days.
    public let calendar: WorkingCalendar

    /// Creates a planner.
    public init(registry: Registry, calendar: WorkingCalendar) {
        self.registry = registry
        self.calendar = calendar
    }

    /// The notifications due in `window` (from inclusive, to exclusive), sorted by due time and key, with the
    /// meetings they were worked out from.
    public static func due(
        registry: Registry, overlay: Overlay = Overlay(), from: Instant, to: Instant
    ) -> (notifications: [DueNotification], schedule: MeetingSchedule) {
        let (planner, schedule) = prepare(registry: registry, overlay: overlay, from: from, to: to)
        return (planner.notifications(for: schedule, from: from, to: to), schedule)
    }

    /// A planner and the meetings whose timelines can reach `[from, to)`: up to ~100 days before a meeting and a
    /// few after. Callers that want the notifications of a long window piece by piece (to keep memory small) ask
    /// `notifications(for:from:to:)` for each piece.
    ///
    /// `trimmed`: the schedule is cut to what planning `[from, to)` needs (`trimmed(_:from:to:)`), for callers that
    /// only plan that window with it.
    public static func prepare(
        registry: Registry, overlay: Overlay = Overlay(), from: Instant, to: Instant, trimmed: Bool = false
    ) -> (planner: Planner, schedule: MeetingSchedule) {
        let zone = registry.settings.zone
        let firstYear = zone.local(from).date.adding(days: -30).year
        let lastYear = zone.local(to).date.adding(days: 400).year
        let years = firstYear...max(firstYear, min(lastYear, zone.local(to).date.year + 1))
        let scheduler = Scheduler(registry: registry, years: years)
        let planner = Planner(registry: registry, calendar: scheduler.calendar)
        guard trimmed else { return (planner, scheduler.schedule(years: years, overlay: overlay)) }
        // Only the meetings the cut keeps are made and listed (the years around the window are worked out for the
        // rules that look at neighbouring meetings): what `trimmed(_:from:to:)` of every meeting gives.
        let window = planner.window(from: from, to: to)
        let schedule = scheduler.schedule(years: years, overlay: overlay, window: window)
        var cut = schedule
        cut.byBody = Self.table(of: window.whole, in: schedule)
        // Planned in parts on several threads: their notifications are merged by key, in one key order.
        // The whole schedule (the meetings of the years around the window) is let go on another thread while this
        // one ranks the kept meetings' keys; both are done before the planning threads start, so they meet no
        // freeing.
        let whole = LetGo(consume schedule)
        let released = DispatchGroup()
        DispatchQueue.global().async(group: released) { whole.now() }
        cut.keyOrder = MeetingKeyOrder(meetings: cut.meetings)
        released.wait()
        return (planner, cut)
    }

    /// The notifications of every meeting in `schedule` that fall in `[from, to)`.
    public func notifications(for schedule: MeetingSchedule, from: Instant, to: Instant) -> [DueNotification] {
        var result: [DueNotification] = []
        notifications(for: schedule, from: from, to: to, pieceSeconds: to.secondsSinceEpoch - from.secondsSinceEpoch) {
            result += $0
        }
        return result
    }

    /// The notifications of `[from, to)` handed to `each` a piece of at most `pieceSeconds` at a time, in order, so
    /// a long window of a large registry is never all in memory at once. What does not depend on the piece (each
    /// body's attendees and reach) is worked out once.
    ///
    /// With `part` of `parts` only the meetings of every `parts`-th body (by index in `registry.bodies`, from
    /// `part`) are planned: callers on several threads each plan one part, and the pieces with the same number
    /// merged by `inDueOrder` give what one call for all parts gives (the pieces' bounds do not depend on the part).
    /// A part outside `0..<parts` plans nothing.
    public func notifications(
        for schedule: MeetingSchedule, from: Instant, to: Instant, pieceSeconds: Int64,
        part: Int = 0, of parts: Int = 1,
        each: ([DueNotification]) throws -> Void
    ) rethrows {
        guard parts >= 1, (0..<parts).contains(part) else { return }
        let roles = RoleResolver(registry: registry, schedule: schedule)
        let zone = registry.settings.zone
        let meetings = schedule.meetings
        // The key order the schedule brings (shared by the planners of every part), or one of this call's own.
        let keyOrder =
            schedule.keyOrder.flatMap { $0.ranks(meetings) ? $0 : nil } ?? MeetingKeyOrder(meetings: meetings)
        // Worked out once for every piece: each meeting's body (index in `registry.bodies`, -1 when unknown) and
        // the days its timeline can reach (up to the longest lead before it and the minutes reminder after it), or
        // `Int.min...Int.max` when a change that became known at some moment may put a notification anywhere.
        // The bodies the scheduler knew each meeting by, or found by id (once per body).
        let knownBodies = schedule.meetingBodies.flatMap { $0.belong(to: meetings) ? $0.indexes : nil }
        var bodyByID: [String: Int] = [:]
        var reachOf = [(lead: Int, trail: Int)?](repeating: nil, count: registry.bodies.count)
        var bodyOf = [Int](repeating: -1, count: meetings.count)
        var reach = [ClosedRange<Int>](repeating: 0...0, count: meetings.count)
        var longestLead = 0
        for index in meetings.indices {
            let bodyIndex: Int
            if let knownBodies {
                bodyIndex = Int(knownBodies[index])
            } else if let found = bodyByID[meetings[index].body] {
                bodyIndex = found
            } else {
                bodyIndex = registry.index(ofBody: meetings[index].body) ?? -1
                bodyByID[meetings[index].body] = bodyIndex
            }
            guard bodyIndex >= 0, bodyIndex % parts == part else { continue }
            let own: (lead: Int, trail: Int)
            if let found = reachOf[bodyIndex] {
                own = found
            } else {
                own = self.reach(ofBodyAt: bodyIndex)
                reachOf[bodyIndex] = own
            }
            bodyOf[index] = bodyIndex
            reach[index] = Self.days(of: meetings[index], lead: own.lead, trail: own.trail)
            longestLead = max(longestLead, own.lead)
        }
        // For meetings without stand-ins or absences: their body's attendees, worked out once, and the recipient
        // lists of the last role holders its meetings had (most meetings of a body and year share them).
        var attendeesByBody: [Int: [Recipient]] = [:]
        var peopleByBody = [MeetingPeople?](repeating: nil, count: registry.bodies.count)
        // The year those lists are of, for bodies whose role holders the year alone decides (`Int.min`: none).
        var peopleYear = [Int](repeating: Int.min, count: registry.bodies.count)
        var roleHolders = YearRoleHolders(bodies: registry.bodies.count)
        // Each meeting's timeline is worked out once, in the first piece its reach meets; what falls in a later
        // piece waits in that piece's bucket of `later` (a meeting's timeline spans a few months, so it often reaches
        // several pieces). Piece k starts `k * step` seconds after `from`, so a notification's piece is worked out
        // from its due time and it is moved once, not carried from piece to piece.
        let step = max(1, pieceSeconds)
        // Meetings of other parts, and those whose timelines end before the window, need no work: done from the
        // start. The meetings are sorted by start, so a piece looks at them from the first not done (`pending`) up
        // to the first that starts more than the longest lead after the piece, and at the few whose timelines reach
        // further back than their lead (`early`: changes that became known at some moment), wherever they are.
        let windowFirstDay = zone.local(from).date.dayNumber
        var done = [Bool](repeating: false, count: meetings.count)
        var early: [Int] = []
        for index in meetings.indices {
            if bodyOf[index] < 0 || reach[index].upperBound < windowFirstDay {
                done[index] = true
            } else if reach[index].lowerBound < meetings[index].start.date.dayNumber - longestLead {
                early.append(index)
            }
        }
        var pending = 0
        // One bucket per piece, by number (a notification's piece is worked out from its due time, which is in the
        // window): no hashing of piece numbers.
        let window = to.secondsSinceEpoch - from.secondsSinceEpoch
        var later = [[DueNotification]](repeating: [], count: window > 0 ? Int((window - 1) / step) + 1 : 0)
        var pieceStart = from
        var pieceNumber = 0
        var lastCount = 0
        while pieceStart < to {
            let pieceEnd = min(to, pieceStart.adding(seconds: step))
            let firstDay = zone.local(pieceStart).date.dayNumber, lastDay = zone.local(pieceEnd).date.dayNumber
            var result: [DueNotification] = []
            if pieceNumber < later.count { swap(&result, &later[pieceNumber]) }
            // About as many as the piece before: no growing by doubling, which briefly holds two copies.
            result.reserveCapacity(lastCount + lastCount / 8)
            func work(_ index: Int) {
                // A meeting whose whole timeline lies outside the piece waits.
                let bodyIndex = bodyOf[index]
                guard reach[index].lowerBound <= lastDay, reach[index].upperBound >= firstDay else { return }
                done[index] = true
                let meeting = meetings[index]
                // Most meetings have no stand-ins or absences: their attendees are the body's, worked out once.
                let attendees: [Recipient]
                let plain = meeting.adjustments == MeetingAdjustments()
                if plain {
                    if let found = attendeesByBody[bodyIndex] {
                        attendees = found
                    } else {
                        attendees = registry.attendees(of: meeting)
                        attendeesByBody[bodyIndex] = attendees
                    }
                } else {
                    attendees = registry.attendees(of: meeting)
                }
                // A meeting of the same year as the body's last, with holders the year decides, has its people:
                // the holders are not even looked up.
                let year = meeting.date.year
                let people: MeetingPeople
                if plain, peopleYear[bodyIndex] == year, let known = peopleByBody[bodyIndex] {
                    people = known
                } else {
                    let holders = roleHolders.holders(at: meeting, body: bodyIndex, plain: plain, roles: roles)
                    if plain, let known = peopleByBody[bodyIndex], known.holders == holders {
                        people = known
                    } else {
                        people = MeetingPeople(registry: registry, members: attendees, holders: holders)
                        if plain { peopleByBody[bodyIndex] = people }
                    }
                    if plain {
                        peopleYear[bodyIndex] =
                            roleHolders.decidedByYear(body: bodyIndex, roles: roles) ? year : Int.min
                    }
                }
                var planned = self.timeline(
                    of: meeting, policy: registry.bodies[bodyIndex].notifications, people: people,
                    keyOrder: keyOrder, keyRank: keyOrder.ranks[index])
                // Moved out from the end, not copied: every piece is sorted by due time and key (each key once)
                // before it is handed over, so the order they are added in does not matter.
                while let notification = planned.popLast() {
                    guard notification.due >= pieceStart && notification.due < to else { continue }
                    if notification.due < pieceEnd {
                        result.append(notification)
                    } else {
                        let piece = Int(
                            (notification.due.secondsSinceEpoch - from.secondsSinceEpoch) / step)
                        later[piece].append(notification)
                    }
                }
            }
            for index in early where !done[index] { work(index) }
            while pending < meetings.count && done[pending] { pending += 1 }
            for index in pending..<meetings.count where !done[index] {
                if meetings[index].start.date.dayNumber - longestLead > lastDay { break }
                work(index)
            }
            Self.sortByDueAndKey(&result)
            lastCount = result.count
            try each(result)
            pieceStart = pieceEnd
            pieceNumber += 1
        }
    }

    /// One state of a meeting between two changes that became known.
    struct State {
        var meeting: Meeting
        var validFrom: Instant?
        var validUntil: Instant?
    }

    /// Every notification of one meeting, over its whole life.
    func timeline(
        of meeting: Meeting, policy: NotificationPolicy, people: MeetingPeople,
        keyOrder: MeetingKeyOrder? = nil, keyRank: Int32 = -1
    )
        -> [DueNotification]
    {
        let zone = registry.settings.zone
        let states = self.states(of: meeting)
        let attendees = people.attendees
        let attendeesOptional = people.optionalAttendees

        var result: [DueNotification] = []
        // Room for the five kinds of one state and an update or cancellation: one allocation, not four.
        result.reserveCapacity(6 * states.count)
        var sentKinds = KindSet()
        // The policy's kinds as bits: looked up for every notification.
        var enabled = KindSet()
        for kind in policy.enabled { enabled.insert(kind) }
        var lastSummonsSequence: Int?
        func emit(
            _ kind: NotificationKind, _ due: Instant, _ state: DueNotification.Shared, to recipients: [Recipient],
            sequenced: Bool, deadline: LocalDate? = nil, previous: LocalDateTime? = nil, optional: Int? = nil
        ) {
            guard enabled.contains(kind) || kind == .update || kind == .cancellation,
                !recipients.isEmpty
            else { return }
            // The key (`<meeting id>/<kind>[/<sequence>]`) is made from these when asked for; a state's meeting has
            // the meeting's id.
            result.append(
                DueNotification(
                    sequenced: sequenced, kind: kind, due: due, shared: state, recipients: recipients,
                    agendaDeadline: deadline, sequence: state.meeting.sequence, previousStart: previous,
                    optionalRecipients: optional))
            sentKinds.insert(kind)
        }

        for (index, state) in states.enumerated() {
            let m = state.meeting
            let shared = DueNotification.Shared(meeting: m, people: people, keyOrder: keyOrder, keyRank: keyRank)
            let start = zone.instant(of: m.start)
            let begin = state.validFrom
            let end = state.validUntil
            func at(_ date: LocalDate) -> Instant { zone.instant(of: LocalDateTime(date, policy.sendAt)) }
            func inState(_ due: Instant) -> Bool { (begin.map { due >= $0 } ?? true) && (end.map { due < $0 } ?? true) }

            // A move that became known after the summons went: an update now.
            if index > 0, let begin, lastSummonsSequence != nil, begin < start {
                emit(
                    .update, begin, shared, to: attendees, sequenced: true, previous: states[index - 1].meeting.start,
                    optional: attendeesOptional)
                lastSummonsSequence = m.sequence
            }

            let promptDue = at(calendar.workingDay(onOrBefore: m.date.adding(days: -policy.convenerPromptDays)))
            let agendaDue = at(calendar.workingDay(onOrBefore: m.date.adding(days: -policy.agendaRequestDays)))
            let itemsDue = calendar.workingDay(onOrBefore: m.date.adding(days: -policy.agendaItemsDueDays))
            var summonsDue = at(calendar.workingDay(onOrBefore: m.date.adding(days: -policy.summonsDays)))
            // Another system asked for the summons now (`summons.send_now`): it goes out then, unless it went.
            if let asked = m.adjustments.sendNowRequestedAt, asked < summonsDue { summonsDue = asked }
            let reminderDue = at(calendar.workingDay(onOrBefore: m.date.adding(days: -policy.reminderDays)))

            // What a late-known state missed goes out when it becomes known, if it still makes sense.
            func catchUp(_ due: Instant, latest: Instant) -> Instant? {
                if inState(due) { return due < start ? due : nil }
                if let begin, due < begin, begin < latest, end.map({ begin < $0 }) ?? true { return begin }
                return nil
            }
            if !sentKinds.contains(.convenerPrompt), let due = catchUp(promptDue, latest: start) {
                emit(.convenerPrompt, due, shared, to: people.convener, sequenced: false)
            }
            if !sentKinds.contains(.agendaRequest), let due = catchUp(agendaDue, latest: at(itemsDue)) {
                emit(
                    .agendaRequest, due, shared, to: attendees, sequenced: false, deadline: itemsDue,
                    optional: attendeesOptional)
            }
            if lastSummonsSequence == nil, let due = catchUp(summonsDue, latest: start) {
                emit(.summons, due, shared, to: attendees, sequenced: true, optional: attendeesOptional)
                lastSummonsSequence = m.sequence
            }
            if inState(reminderDue), reminderDue < start, reminderDue >= (begin ?? reminderDue) {
                emit(.reminder, reminderDue, shared, to: attendees, sequenced: true, optional: attendeesOptional)
            }
            if index == states.count - 1, meeting.status == .scheduled {
                let minutesDue = at(calendar.adding(workingDays: policy.minutesReminderWorkingDays, to: m.date))
                emit(.minutesReminder, minutesDue, shared, to: people.minutesKeeper, sequenced: false)
            }
        }

        // Cancelled: those already told get a cancellation when it became known.
        if meeting.status == .cancelled, let cancelledAt = meeting.cancelledAt,
            cancelledAt < registry.settings.zone.instant(of: meeting.start)
        {
            let told = result.contains { $0.kind == .agendaRequest || $0.kind == .summons || $0.kind == .update }
            if told {
                let shared = DueNotification.Shared(
                    meeting: meeting, people: people, keyOrder: keyOrder, keyRank: keyRank)
                emit(.cancellation, cancelledAt, shared, to: attendees, sequenced: true, optional: attendeesOptional)
            }
        }
        return result
    }

    /// The meeting's states between changes that became known; a change with no time replaces the state before.
    func states(of meeting: Meeting) -> [State] {
        // Most meetings never changed: one state, from when it became known.
        if meeting.history.isEmpty && meeting.status == .scheduled {
            return [State(meeting: meeting, validFrom: meeting.knownAt, validUntil: nil)]
        }
        var states: [State] = []
        var revisions = meeting.history.map { revision -> (Meeting, Instant?) in
            var m = meeting
            m.start = revision.start
            m.end = revision.end
            m.sequence = revision.sequence
            m.status = .scheduled
            return (m, revision.movedAt)
        }
        var current = meeting
        // Set only when it changes: setting a field of a shared meeting copies it.
        if current.status != .scheduled { current.status = .scheduled }
        // The cancellation raised the sequence; what went out before it carried the one before.
        if meeting.status == .cancelled && meeting.cancelledAt != nil { current.sequence -= 1 }
        revisions.append((current, nil))
        // revisions[i] held until history[i].movedAt; the last holds until cancellation.
        var validFrom = meeting.knownAt
        for (index, (state, _)) in revisions.enumerated() {
            let until: Instant? = index < meeting.history.count ? meeting.history[index].movedAt : nil
            if index < meeting.history.count && until == nil { continue }  // replaced before anything was sent
            states.append(State(meeting: state, validFrom: validFrom, validUntil: until))
            validFrom = until
        }
        if meeting.status == .cancelled {
            guard let cancelledAt = meeting.cancelledAt else { return [] }
            if let last = states.indices.last { states[last].validUntil = cancelledAt }
        }
        return states
    }
}

/// A set of notification kinds in one word.
struct KindSet {
    private var bits: UInt8 = 0

    private static func bit(_ kind: NotificationKind) -> UInt8 {
        switch kind {
        case .convenerPrompt: 1
        case .agendaRequest: 2
        case .summons: 4
        case .reminder: 8
        case .minutesReminder: 16
        case .cancellation: 32
        case .update: 64
        case .escalation: 128
        }
    }

    mutating func insert(_ kind: NotificationKind) { bits |= Self.bit(kind) }

    func contains(_ kind: NotificationKind) -> Bool { bits & Self.bit(kind) != 0 }
}

/// A value held until `now()`, then let go on the thread that calls it (freeing a large value there instead of on
/// the thread that made it). `@unchecked Sendable`: after `init` only the one thread that calls `now()` touches the
/// value, and whoever waits for that call (a `DispatchGroup`) sees it done.
final class LetGo<Value>: @unchecked Sendable {
    private var value: Value?

    init(_ value: consuming Value) { self.value = value }

    func now() { value = nil }
}
