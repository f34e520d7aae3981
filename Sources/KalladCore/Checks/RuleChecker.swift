import Dispatch

/// Checks a year of meetings against the bodies' rules: cadence (R1), hours (R2), ties to other bodies (R3, R4),
/// composition (R14), weekends and holidays, times that do not exist or occur twice at a DST change, and meetings
/// outside a temporary body's life (R17). Pure.
public struct RuleChecker: Sendable {
    /// The registry.
    public let registry: Registry
    /// Working days.
    public let calendar: WorkingCalendar

    /// Creates a checker.
    public init(registry: Registry, calendar: WorkingCalendar) {
        self.registry = registry
        self.calendar = calendar
    }

    /// The problems of `year` in `schedule` (which must cover the year), in body order.
    public func check(year: Int, schedule: MeetingSchedule) -> [Diagnostic] {
        // The bodies in two halves, each checked on a thread of its own (a body's checks read only the schedule);
        // the halves' problems are put together in body order.
        let count = registry.bodies.count
        let halves = count < 256 ? 1 : 2
        let found = DiagnosticLists(count: halves)
        DispatchQueue.concurrentPerform(iterations: halves) { half in
            var result: [Diagnostic] = []
            for index in (count * half / halves)..<(count * (half + 1) / halves) {
                let body = registry.bodies[index]
                let meetings = (schedule.byBody[body.id] ?? []).filter { $0.status == .scheduled }
                let inYear = meetings.filter { $0.date.year == year }
                result += checkCadence(body, year: year, meetings: inYear)
                result += checkMeetings(body, meetings: inYear)
                result += checkConstraints(body, year: year, meetings: meetings, schedule: schedule)
            }
            found.set(half, result)
        }
        return (0..<halves).flatMap { found.take($0) }
    }

    /// Composition rules (R14) and the registry-wide rules that do not depend on a year.
    public func checkComposition() -> [Diagnostic] {
        var result: [Diagnostic] = []
        for body in registry.bodies {
            for (party, required) in body.composition.sorted(by: { $0.key < $1.key }) {
                let count = body.seats.filter { !$0.coopted && registry.party($0.party, isWithin: party) }.count
                if count != required {
                    result.append(
                        Diagnostic(
                            .violation, code: "rule.composition",
                            message: "\(body.id) has \(count) members from \(party); its rules ask for \(required)",
                            hint: "add or remove seats, or correct `composition`", location: body.sourceLocation,
                            body: body.id))
                }
            }
        }
        return result
    }

    func checkCadence(_ body: Body, year: Int, meetings: [Meeting]) -> [Diagnostic] {
        var result: [Diagnostic] = []
        let terms = registry.terms(for: body)
        for cadence in body.cadences {
            switch cadence.period {
            case .year:
                guard let first = LocalDate(year: year, month: 1, day: 1),
                    let last = LocalDate(year: year, month: 12, day: 31),
                    body.isActive(on: first) && body.isActive(on: last)
                else { continue }
                if meetings.count < cadence.atLeast {
                    result.append(
                        Diagnostic(
                            .violation, code: "rule.cadence",
                            message: "\(body.id) has \(meetings.count) meetings in \(year); its rules ask for at least "
                                + "\(cadence.atLeast) a year",
                            hint: "add dates to the plan for \(year) or change the pattern",
                            location: body.sourceLocation,
                            body: body.id))
                }
            case .term:
                for term in terms.terms(in: year) where body.isActive(on: term.start) && body.isActive(on: term.end) {
                    let count = meetings.filter { $0.date >= term.start && $0.date <= term.end }.count
                    if count < cadence.atLeast {
                        result.append(
                            Diagnostic(
                                .violation, code: "rule.cadence",
                                message: "\(body.id) has \(count) meetings in \(term.id) (\(term.start)–\(term.end)); "
                                    + "its rules ask for at least \(cadence.atLeast) a term",
                                hint: "add dates within the term", location: body.sourceLocation, body: body.id))
                    }
                }
            }
        }
        return result
    }

    func checkMeetings(_ body: Body, meetings: [Meeting]) -> [Diagnostic] {
        var result: [Diagnostic] = []
        let zone = registry.settings.zone
        for meeting in meetings {
            let place = meeting.sourceLocation ?? body.sourceLocation
            if !calendar.isWorkingDay(meeting.date) {
                let what =
                    calendar.holiday(on: meeting.date).map { "\($0.name)" }
                    ?? (meeting.date.weekday.isWeekend ? "a weekend" : "a closed day")
                result.append(
                    Diagnostic(
                        meeting.allowHoliday ? .warning : .violation, code: "rule.holiday",
                        message: "\(meeting.id) falls on \(what) (\(meeting.date))",
                        hint: meeting.allowHoliday
                            ? "held on purpose (allow_holiday)"
                            : "move it, or mark the planned date `allow_holiday: true`",
                        location: place, body: body.id, meeting: meeting.id))
            }
            if meeting.start.time < body.startTime || meeting.end.time > body.endTime
                || meeting.end.time <= meeting.start.time
            {
                result.append(
                    Diagnostic(
                        .violation, code: "rule.hours",
                        message: "\(meeting.id) runs \(meeting.start.time)–\(meeting.end.time), outside \(body.id)'s "
                            + "hours \(body.startTime)–\(body.endTime)",
                        hint: "keep meetings within the body's `hours`", location: place, body: body.id,
                        meeting: meeting.id))
            }
            if zone.isAmbiguousOrMissing(meeting.start) || zone.isAmbiguousOrMissing(meeting.end) {
                result.append(
                    Diagnostic(
                        .violation, code: "rule.dst_time",
                        message: "\(meeting.id) starts or ends at a time that does not exist or occurs twice in "
                            + "\(zone.identifier) on \(meeting.date)",
                        hint: "meet outside 02:00–03:00 on the days the clocks change", location: place, body: body.id,
                        meeting: meeting.id))
            }
            if !body.isActive(on: meeting.date) {
                result.append(
                    Diagnostic(
                        .violation, code: "rule.inactive",
                        message: "\(meeting.id) is outside the life of \(body.id) "
                            + "(\(body.activeFrom.map(String.init(describing:)) ?? "…")–"
                            + "\(body.activeUntil.map(String.init(describing:)) ?? "…"))",
                        hint: "move the meeting or extend `active`", location: place, body: body.id, meeting: meeting.id
                    ))
            }
        }
        return result
    }

    func checkConstraints(_ body: Body, year: Int, meetings: [Meeting], schedule: MeetingSchedule) -> [Diagnostic] {
        var result: [Diagnostic] = []
        for constraint in body.constraints {
            let theirs = (schedule.byBody[constraint.body] ?? [])
                .filter { $0.status == .scheduled && $0.kind != .extra }
            for (index, other) in theirs.enumerated() where other.date.year == year && body.isActive(on: other.date) {
                let latest = other.date.adding(days: -constraint.minDaysBefore)
                let earliest = constraint.afterPrevious && index > 0 ? theirs[index - 1].date : nil
                let ok = meetings.contains { m in
                    m.date <= latest && (earliest.map { m.date > $0 } ?? true)
                        && (earliest != nil || m.date.days(to: other.date) <= 120)
                }
                if !ok {
                    let window = earliest.map { "after \($0) and " } ?? ""
                    result.append(
                        Diagnostic(
                            .violation, code: "rule.before",
                            message:
                                "\(body.id) has no meeting \(window)at least \(constraint.minDaysBefore) days before "
                                + "\(constraint.body)'s meeting on \(other.date)",
                            hint: "add a meeting on or before \(latest)",
                            location: constraint.location ?? body.sourceLocation,
                            body: body.id, meeting: other.id))
                }
            }
        }
        return result
    }
}

/// The problems each thread found, one list per thread, each written by its thread alone and read once all are done.
final class DiagnosticLists: @unchecked Sendable {
    private let count: Int
    /// Raw slots (not an array), so two threads writing their own slot share no array storage.
    private let lists: UnsafeMutablePointer<[Diagnostic]>

    init(count: Int) {
        self.count = count
        lists = .allocate(capacity: count)
        lists.initialize(repeating: [], count: count)
    }

    deinit {
        lists.deinitialize(count: count)
        lists.deallocate()
    }

    func set(_ index: Int, _ list: [Diagnostic]) { lists[index] = list }

    func take(_ index: Int) -> [Diagnostic] { lists[index] }
}
