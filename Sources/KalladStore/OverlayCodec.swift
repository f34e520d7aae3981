import Foundation
import KalladCore

/// Overlay changes as JSON in the `overlay_change` table: one object per change, `type` plus the fields it needs.
enum OverlayCodec {
    struct Stored: Codable {
        var type: String
        var body: String?
        var meeting: String?
        var start: String?
        var end: String?
        var requestedBy: String?
        var reason: String?
        var seat: String?
        var person: String?
        var role: String?
        var title: String?
        var submittedBy: String?

        /// Sorted snake_case keys, absent values left out, strings escaped as JSONEncoder escapes them (DEL aside): the
        /// same bytes, without its cost (a trigger is logged on the trigger API's hot path).
        var json: String {
            // Written as bytes: small appends to a String each pay for its checks.
            var out: [UInt8] = [UInt8(ascii: "{")]
            out.reserveCapacity(192)
            func field(_ key: StaticString, _ value: String?) {
                guard let value else { return }
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
                out.append(UInt8(ascii: "\""))
                out.append(UInt8(ascii: ":"))
                JSONString.append(value, toBytes: &out, escapingSlash: true)
            }
            field("body", body)
            field("end", end)
            field("meeting", meeting)
            field("person", person)
            field("reason", reason)
            field("requested_by", requestedBy)
            field("role", role)
            field("seat", seat)
            field("start", start)
            field("submitted_by", submittedBy)
            field("title", title)
            field("type", type)
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func encode(_ action: OverlayChange.Action) -> String {
        var s = Stored(type: "")
        switch action {
        case .extra(let body, let start, let end, let requestedBy, let reason):
            s = Stored(type: "extra", body: body, start: start.description, end: end?.description,
                       requestedBy: requestedBy, reason: reason)
        case .moved(let meeting, let start, let end):
            s = Stored(type: "moved", meeting: meeting, start: start.description, end: end?.description)
        case .cancelled(let meeting, let reason):
            s = Stored(type: "cancelled", meeting: meeting, reason: reason)
        case .standIn(let meeting, let seat, let person):
            s = Stored(type: "stand_in", meeting: meeting, seat: seat, person: person)
        case .absent(let meeting, let seat):
            s = Stored(type: "absent", meeting: meeting, seat: seat)
        case .roleHolder(let meeting, let role, let person):
            s = Stored(type: "role_holder", meeting: meeting, person: person, role: role.rawValue)
        case .agendaItem(let meeting, let title, let submittedBy):
            s = Stored(type: "agenda_item", meeting: meeting, title: title, submittedBy: submittedBy)
        case .sendNow(let meeting):
            s = Stored(type: "send_now", meeting: meeting)
        }
        return s.json
    }

    /// What `Stored(flat:)` does not read, as JSON in general.
    static func decodedByFoundation(_ json: String) -> Stored? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(Stored.self, from: Data(json.utf8))
    }

    static func decode(_ json: String) -> OverlayChange.Action? {
        guard let s = Stored(flat: json) ?? decodedByFoundation(json) else { return nil }
        func dateTime(_ text: String?) -> LocalDateTime? {
            guard let text else { return nil }
            let parts = text.split(separator: "T")
            guard parts.count == 2, let date = LocalDate(iso: parts[0]), let time = LocalTime(iso: parts[1]) else {
                return nil
            }
            return LocalDateTime(date, time)
        }
        let end = s.end.flatMap { LocalTime(iso: $0) }
        switch s.type {
        case "extra":
            guard let body = s.body, let start = dateTime(s.start) else { return nil }
            return .extra(body: body, start: start, end: end, requestedBy: s.requestedBy, reason: s.reason ?? "")
        case "moved":
            guard let meeting = s.meeting, let start = dateTime(s.start) else { return nil }
            return .moved(meeting: meeting, start: start, end: end)
        case "cancelled":
            guard let meeting = s.meeting else { return nil }
            return .cancelled(meeting: meeting, reason: s.reason ?? "")
        case "stand_in":
            guard let meeting = s.meeting, let seat = s.seat, let person = s.person else { return nil }
            return .standIn(meeting: meeting, seat: seat, person: person)
        case "absent":
            guard let meeting = s.meeting, let seat = s.seat else { return nil }
            return .absent(meeting: meeting, seat: seat)
        case "role_holder":
            guard let meeting = s.meeting, let role = s.role.flatMap(Role.init(rawValue:)), let person = s.person
            else { return nil }
            return .roleHolder(meeting: meeting, role: role, person: person)
        case "agenda_item":
            guard let meeting = s.meeting, let title = s.title else { return nil }
            return .agendaItem(meeting: meeting, title: title, submittedBy: s.submittedBy)
        case "send_now":
            guard let meeting = s.meeting else { return nil }
            return .sendNow(meeting: meeting)
        default:
            return nil
        }
    }
}
