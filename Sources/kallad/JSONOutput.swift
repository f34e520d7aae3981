import Foundation
import KalladCore

/// One JSON object per line, keys sorted, snake_case.
enum JSONLine {
    static func encode(_ value: some Encodable, snakeCase: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

struct DiagnosticJSON: Encodable {
    let severity: String
    let code: String
    let message: String
    let hint: String
    let file: String?
    let line: Int?
    let column: Int?
    let body: String?
    let meeting: String?

    init(_ d: Diagnostic) {
        severity = d.severity.rawValue
        code = d.code
        message = d.message
        hint = d.hint
        file = d.location?.file
        line = d.location?.line
        column = d.location?.column
        body = d.body
        meeting = d.meeting
    }
}

struct RoleHolderJSON: Encodable {
    let person: String?
    let name: String?
    let email: String?
    let office: String?
    let officeTitle: String?
    let party: String?
    let appointedBy: String?
    let basis: String

    enum CodingKeys: String, CodingKey {
        case person, name, email, office, party, basis
        case officeTitle = "office_title"
        case appointedBy = "appointed_by"
    }

    init?(_ holder: RoleHolder?, registry: Registry) {
        guard let holder else { return nil }
        person = holder.person
        name = holder.person.flatMap { registry.people[$0]?.name }
        email = holder.person.flatMap { registry.people[$0]?.email }
        office = holder.office
        officeTitle = holder.office.flatMap { registry.offices[$0]?.title }
        party = holder.party
        appointedBy = holder.appointer
        basis = holder.basis
    }
}

struct MeetingJSON: Encodable {
    let id: String
    let body: String
    let bodyName: String
    let kind: String
    let status: String
    let source: String
    let start: String
    let end: String
    let location: String
    let sequence: Int
    let convener: RoleHolderJSON?
    let chair: RoleHolderJSON?
    let secretary: RoleHolderJSON?

    enum CodingKeys: String, CodingKey {
        case id, body, kind, status, source, start, end, location, sequence, convener, chair, secretary
        case bodyName = "body_name"
    }

    init(_ meeting: Meeting, registry: Registry, roles: RoleResolver) {
        let zone = registry.settings.zone
        id = meeting.id
        body = meeting.body
        bodyName = registry.body(meeting.body)?.name ?? meeting.body
        kind = meeting.kind.rawValue
        status = meeting.status.rawValue
        source = meeting.source.rawValue
        start = zone.iso8601(zone.instant(of: meeting.start))
        end = zone.iso8601(zone.instant(of: meeting.end))
        location = meeting.location
        sequence = meeting.sequence
        convener = RoleHolderJSON(roles.holder(of: .convener, at: meeting), registry: registry)
        chair = RoleHolderJSON(roles.holder(of: .chair, at: meeting), registry: registry)
        secretary = RoleHolderJSON(roles.holder(of: .secretary, at: meeting), registry: registry)
    }
}

struct RecipientJSON: Encodable {
    let person: String
    let name: String
    let email: String
    let reason: String
    let seat: String?
    let party: String?
    let optional: Bool

    init(_ r: Recipient) {
        person = r.person
        name = r.name
        email = r.email
        reason = r.reason.rawValue
        seat = r.seat
        party = r.party
        optional = r.optional
    }
}

struct NotificationJSON: Encodable {
    let key: String
    let kind: String
    let due: String
    let meeting: String
    let body: String
    let meetingStart: String
    let meetingStatus: String
    let sequence: Int
    let sender: RecipientJSON?
    let recipients: [RecipientJSON]
    let agendaDeadline: String?
    let previousStart: String?

    enum CodingKeys: String, CodingKey {
        case key, kind, due, meeting, body, sequence, sender, recipients
        case meetingStart = "meeting_start"
        case meetingStatus = "meeting_status"
        case agendaDeadline = "agenda_deadline"
        case previousStart = "previous_start"
    }

    init(_ n: DueNotification, zone: ZoneRules) {
        key = n.key
        kind = n.kind.rawValue
        due = zone.iso8601(n.due)
        meeting = n.meeting.id
        body = n.meeting.body
        meetingStart = zone.iso8601(zone.instant(of: n.meeting.start))
        meetingStatus = n.kind == .cancellation ? MeetingStatus.cancelled.rawValue : n.meeting.status.rawValue
        sequence = n.sequence
        sender = n.sender.map(RecipientJSON.init)
        recipients = n.recipients.map(RecipientJSON.init)
        agendaDeadline = n.agendaDeadline?.description
        previousStart = n.previousStart.map { zone.iso8601(zone.instant(of: $0)) }
    }
}
