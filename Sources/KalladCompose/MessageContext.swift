import KalladCore

/// The values a template sees. Keys (all snake_case):
/// `recipient_name`, `body_name`, `body_purpose`, `meeting_id`, `date`, `start_time`, `end_time`, `location`,
/// `convener_name`, `convener_title`, `chair_name`, `secretary_name`, `secretary_appointed_by`,
/// `agenda_deadline`, `agenda` (list of `{title, submitted_by}`), `has_agenda`, `previous_date`,
/// `previous_start_time`, `reason`, `optional`, `substitute`, `extra`, `joint`, `requested_by`, and for
/// escalations `unreached` (list of `{name, email, reason, substitute}`).
enum MessageContext {
    static func make(
        _ n: DueNotification, recipient: Recipient, registry: Registry, language: String
    ) -> [String: Any] {
        let meeting = n.meeting
        let body = registry.body(meeting.body)
        func name(_ holder: RoleHolder?) -> String? { holder?.person.flatMap { registry.people[$0]?.name } }
        var context: [String: Any] = [
            "recipient_name": recipient.name,
            "body_name": body?.name ?? meeting.body,
            "body_purpose": body?.purpose ?? "",
            "meeting_id": meeting.id,
            "date": DateWording.date(meeting.date, language: language),
            "start_time": meeting.start.time.description,
            "end_time": meeting.end.time.description,
            "location": meeting.location,
            "convener_name": n.sender?.name ?? "",
            "convener_title": n.sender?.seat.flatMap { registry.offices[$0]?.title } ?? "",
            "chair_name": name(n.chair) ?? "",
            "optional": recipient.optional,
            "substitute": recipient.reason == .substitute || recipient.reason == .standIn,
            "extra": meeting.kind == .extra,
            "joint": meeting.kind == .joint,
            "reason": meeting.reason,
            "has_agenda": !meeting.agenda.isEmpty,
            "agenda": meeting.agenda.map { ["title": $0.title, "submitted_by": $0.submittedBy ?? ""] },
        ]
        if let secretary = name(n.secretary) { context["secretary_name"] = secretary }
        if let appointer = n.secretary?.appointer.flatMap({ registry.people[$0]?.name }) {
            context["secretary_appointed_by"] = appointer
        }
        if let deadline = n.agendaDeadline {
            context["agenda_deadline"] = DateWording.date(deadline, language: language)
        }
        if let previous = n.previousStart {
            context["previous_date"] = DateWording.date(previous.date, language: language)
            context["previous_start_time"] = previous.time.description
        }
        context["unreached"] = n.unreached.map {
            ["name": $0.name, "email": $0.email, "reason": $0.reason, "substitute": $0.substitute ?? ""]
        }
        if let party = meeting.requestedBy { context["requested_by"] = registry.parties[party]?.name ?? party }
        return context
    }
}
