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

/// A notification as one JSON line, written as bytes: what `JSONLine.encode` writes for these fields (keys sorted,
/// `nil` fields left out, `/` not escaped), without an encoder (a year of a national registry is 220,000 lines).
/// Keys: `agenda_deadline`, `body`, `due`, `key`, `kind`, `meeting`, `meeting_start`, `meeting_status`,
/// `previous_start`, `recipients`, `sender`, `sequence`; a recipient has `email`, `name`, `optional`, `party`,
/// `person`, `reason`, `seat`.
enum NotificationJSON {
    /// Appends the notification's line, line break included, to `out`.
    static func append(_ n: borrowing DueNotification, zone: ZoneRules, to out: inout [UInt8]) {
        let meeting = n.meeting
        out.append(UInt8(ascii: "{"))
        if let deadline = n.agendaDeadline {
            out.append(contentsOf: #""agenda_deadline":""#.utf8)
            deadline.appendISO(to: &out)
            out.append(contentsOf: #"","#.utf8)
        }
        field("body", meeting.body, to: &out)
        out.append(contentsOf: #","due":""#.utf8)
        zone.appendISO8601(n.due, to: &out)
        out.append(contentsOf: #"","key":"#.utf8)
        var key: [UInt8] = []
        n.appendKey(to: &key)
        JSONString.append(utf8: key, toBytes: &out)
        out.append(UInt8(ascii: ","))
        field("kind", n.kind.rawValue, to: &out)
        out.append(UInt8(ascii: ","))
        field("meeting", meeting.id, to: &out)
        out.append(contentsOf: #","meeting_start":""#.utf8)
        zone.appendISO8601(zone.instant(of: meeting.start), to: &out)
        out.append(contentsOf: #"","#.utf8)
        let status = n.kind == .cancellation ? MeetingStatus.cancelled : meeting.status
        field("meeting_status", status.rawValue, to: &out)
        if let previous = n.previousStart {
            out.append(contentsOf: #","previous_start":""#.utf8)
            zone.appendISO8601(zone.instant(of: previous), to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: #","recipients":["#.utf8)
        n.recipients.withUnsafeBufferPointer { recipients in
            for index in recipients.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(recipients[index], to: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
        if let sender = n.sender {
            out.append(contentsOf: #","sender":"#.utf8)
            append(sender, to: &out)
        }
        out.append(contentsOf: #","sequence":"#.utf8)
        out.append(contentsOf: String(n.sequence).utf8)
        out.append(contentsOf: "}\n".utf8)
    }

    static func append(_ r: Recipient, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        field("email", r.email, to: &out)
        out.append(UInt8(ascii: ","))
        field("name", r.name, to: &out)
        out.append(contentsOf: (r.optional ? #","optional":true"# : #","optional":false"#).utf8)
        if let party = r.party {
            out.append(UInt8(ascii: ","))
            field("party", party, to: &out)
        }
        out.append(UInt8(ascii: ","))
        field("person", r.person, to: &out)
        out.append(UInt8(ascii: ","))
        field("reason", r.reason.rawValue, to: &out)
        if let seat = r.seat {
            out.append(UInt8(ascii: ","))
            field("seat", seat, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `"name":"value"`, the value escaped (names are plain).
    static func field(_ name: StaticString, _ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: #"":"#.utf8)
        JSONString.append(value, toBytes: &out)
    }
}
