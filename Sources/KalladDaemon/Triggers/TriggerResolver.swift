public import KalladCore

/// Turns a parsed trigger into overlay changes after checking it against the registry: the body exists and the
/// system may touch it, the meeting exists and has not begun, named parties exist.
///
/// Decisions documented for the API:
/// - `meeting.requested` with a date becomes an extra meeting (`.extra`). Without a date Kallad proposes one: the
///   first working day on a preferred weekday of the body at least its convener-prompt days ahead, at the body's
///   usual time. The planner then prompts the convener for it as for any meeting, and the convener can move it.
/// - `deviation.reported` goes to an agenda item on the next scheduled meeting of the trigger's `body`, else the
///   system's `deviation_body`, else the service's `deviation_body`, else the one body the system may touch that
///   `handles_deviations`.
/// - `summons.send_now` becomes `OverlayChange.Action.sendNow`.
public struct TriggerResolver: Sendable {
    /// The configuration in use.
    public let config: LoadedConfig
    /// Meetings.
    public let lookup: any MeetingLookup

    /// Creates a resolver.
    public init(config: LoadedConfig, lookup: any MeetingLookup) {
        self.config = config
        self.lookup = lookup
    }

    /// The changes a trigger brings, each with id `<trigger id>` and `knownAt == now`.
    public func resolve(
        _ command: TriggerCommand, id: String, system: SendingSystem, now: Instant
    ) async throws -> Result<[OverlayChange], TriggerRejection> {
        if case .deviationReported(let title, let named, let reportedBy) = command {
            return try await deviation(
                title: title, named: named, reportedBy: reportedBy, id: id, system: system, now: now)
        }
        var meeting: Meeting?
        if let named = command.meeting { meeting = try await lookup.meeting(named) }
        return decide(command, id: id, system: system, now: now, meeting: meeting)
            ?? .failure(TriggerRejection(.invalid, code: "trigger.type", detail: "the trigger cannot be decided"))
    }

    /// The changes, decided without waiting for the inbox: for every trigger but a deviation (its next meeting
    /// takes the overlay into account), when the meeting it names is in the registry's schedule or is no extra
    /// meeting (`baseMeeting` looks in the schedule without the overlay, as `ScheduleLookup.meeting` does first).
    /// nil when the overlay is needed; the answer is then `resolve`'s.
    public func resolveAtOnce(
        _ command: TriggerCommand, id: String, system: SendingSystem, now: Instant,
        baseMeeting: (String) -> Meeting?
    ) -> Result<[OverlayChange], TriggerRejection>? {
        var meeting: Meeting?
        if let named = command.meeting {
            meeting = baseMeeting(named)
            if meeting == nil && ScheduleLookup.mayBeExtra(named) { return nil }
        }
        return decide(command, id: id, system: system, now: now, meeting: meeting)
    }

    /// Every trigger but a deviation (nil), given the meeting it names as looked up (nil: no such meeting).
    func decide(
        _ command: TriggerCommand, id: String, system: SendingSystem, now: Instant, meeting found: Meeting?
    ) -> Result<[OverlayChange], TriggerRejection>? {
        // The registry read in place: a copy of it costs a retain and a release of each of its parts.
        let local = config.registry.settings.zone.local(now)
        func change(_ action: OverlayChange.Action) -> Result<[OverlayChange], TriggerRejection> {
            .success([OverlayChange(id: id, action: action, knownAt: now)])
        }
        switch command {
        case .meetingRequested(let bodyID, let date, let start, let end, let requestedBy, let reason):
            if let rejection = check(body: bodyID, field: "data.body", system: system) { return .failure(rejection) }
            guard let body = config.registry.body(bodyID) else { return .failure(unknownBody(bodyID, field: "data.body")) }
            if let requestedBy, config.registry.parties[requestedBy] == nil {
                return .failure(
                    TriggerRejection(
                        .invalid, code: "trigger.unknown_party", detail: "no party '\(requestedBy)'",
                        fields: [FieldProblem(field: "data.requested_by", message: "is not a party in the registry")]))
            }
            let day: LocalDate
            if let date {
                guard date >= local.date else {
                    return .failure(
                        TriggerRejection(
                            .invalid, code: "trigger.past", detail: "the date has passed",
                            fields: [FieldProblem(field: "data.date", message: "must be today or later")]))
                }
                day = date
            } else {
                day = proposeDay(for: body, from: local.date)
            }
            let time = start ?? body.startTime
            if date == local.date && time <= local.time {
                return .failure(
                    TriggerRejection(
                        .invalid, code: "trigger.past", detail: "the start has passed",
                        fields: [FieldProblem(field: "data.start", message: "must be later than now")]))
            }
            return change(
                .extra(
                    body: bodyID, start: LocalDateTime(day, time), end: end, requestedBy: requestedBy, reason: reason))
        case .meetingCancelled(let meeting, let reason):
            return onMeeting(meeting, found: found, system: system, local: local).flatMap { _ in
                change(.cancelled(meeting: meeting, reason: reason))
            }
        case .meetingMoved(let meeting, let start, let end):
            guard start > local else {
                return .failure(
                    TriggerRejection(
                        .invalid, code: "trigger.past", detail: "the new start has passed",
                        fields: [FieldProblem(field: "data.start", message: "must be later than now")]))
            }
            return onMeeting(meeting, found: found, system: system, local: local).flatMap { _ in
                change(.moved(meeting: meeting, start: start, end: end))
            }
        case .agendaItemAdded(let meeting, let title, let submittedBy):
            return onMeeting(meeting, found: found, system: system, local: local).flatMap { _ in
                change(.agendaItem(meeting: meeting, title: title, submittedBy: submittedBy ?? system.name))
            }
        case .summonsSendNow(let meeting):
            return onMeeting(meeting, found: found, system: system, local: local).flatMap { _ in
                change(.sendNow(meeting: meeting))
            }
        case .deviationReported:
            return nil
        }
    }

    /// `deviation.reported`: an agenda item on the next scheduled meeting of the body that takes it.
    func deviation(
        title: String, named: String?, reportedBy: String?, id: String, system: SendingSystem, now: Instant
    ) async throws -> Result<[OverlayChange], TriggerRejection> {
        let registry = config.registry
        let local = registry.settings.zone.local(now)
        let candidates = registry.bodies.filter { $0.handlesDeviations && system.mayTouch(body: $0.id) }
        guard
            let bodyID = named ?? system.deviationBody ?? config.service.deviationBody
                ?? (candidates.count == 1 ? candidates.first?.id : nil)
        else {
            return .failure(
                TriggerRejection(
                    .invalid, code: "trigger.no_deviation_body",
                    detail: "no body to take the deviation: name one in data.body, or configure deviation_body",
                    fields: [FieldProblem(field: "data.body", message: "is required for this system")]))
        }
        let field = named == nil ? "deviation_body" : "data.body"
        if let rejection = check(body: bodyID, field: field, system: system) { return .failure(rejection) }
        guard let next = try await lookup.nextMeeting(of: bodyID, after: local) else {
            return .failure(
                TriggerRejection(
                    .invalid, code: "trigger.no_meeting",
                    detail: "\(bodyID) has no meeting planned within a year to take the deviation"))
        }
        return .success([
            OverlayChange(
                id: id, action: .agendaItem(meeting: next.id, title: title, submittedBy: reportedBy ?? system.name),
                knownAt: now)
        ])
    }

    /// 404 for an unknown body, 403 for one the system may not touch.
    func check(body: String, field: String, system: SendingSystem) -> TriggerRejection? {
        guard config.registry.index(ofBody: body) != nil else { return unknownBody(body, field: field) }
        guard system.mayTouch(body: body) else {
            return TriggerRejection(
                .forbidden, code: "trigger.forbidden_body",
                detail: "system '\(system.name)' may not touch body '\(body)'",
                fields: [FieldProblem(field: field, message: "is not among the system's bodies")])
        }
        return nil
    }

    func unknownBody(_ body: String, field: String) -> TriggerRejection {
        TriggerRejection(
            .notFound, code: "trigger.unknown_body", detail: "no body '\(body)'",
            fields: [FieldProblem(field: field, message: "is not a body in the registry")])
    }

    /// The meeting, if it exists, the system may touch it, and it has not begun.
    func onMeeting(
        _ id: String, found: Meeting?, system: SendingSystem, local: LocalDateTime
    ) -> Result<Meeting, TriggerRejection> {
        let body = String(id.utf8.prefix { $0 != UInt8(ascii: "/") }) ?? id
        if let rejection = check(body: body, field: "data.meeting", system: system) { return .failure(rejection) }
        guard let meeting = found else {
            return .failure(
                TriggerRejection(
                    .notFound, code: "trigger.unknown_meeting", detail: "no meeting '\(id)'",
                    fields: [
                        FieldProblem(
                            field: "data.meeting", message: "is not a meeting of \(body); see GET /v1/meetings")
                    ]))
        }
        guard meeting.start > local else {
            return .failure(
                TriggerRejection(
                    .invalid, code: "trigger.meeting_begun", detail: "meeting '\(id)' has already begun",
                    fields: [FieldProblem(field: "data.meeting", message: "has already begun")]))
        }
        return .success(meeting)
    }

    /// A day for a requested meeting without a date.
    func proposeDay(for body: Body, from today: LocalDate) -> LocalDate {
        let calendar = WorkingCalendar(
            years: today.year...(today.year + 2), extraClosedDays: config.registry.settings.closedDays)
        var day = calendar.workingDay(onOrAfter: today.adding(days: max(1, body.notifications.convenerPromptDays)))
        let preferred = Set(body.schedule.preferredWeekdays)
        var steps = 0
        while !preferred.isEmpty && !preferred.contains(day.weekday) && steps < 14 {
            day = calendar.workingDay(onOrAfter: day.adding(days: 1))
            steps += 1
        }
        return day
    }
}
