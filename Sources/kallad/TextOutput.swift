import ArgumentParser
import Foundation
import KalladCore
import KalladStore

/// Human-readable lines for the listing commands.
enum TextOutput {
    static func meeting(_ meeting: Meeting, registry: Registry, roles: RoleResolver) -> String {
        let zone = registry.settings.zone
        func who(_ role: Role) -> String {
            guard let holder = roles.holder(of: role, at: meeting) else { return "—" }
            if let person = holder.person.flatMap({ registry.people[$0] }) {
                let office = holder.office.flatMap { registry.offices[$0]?.title }
                let party = holder.party.flatMap { registry.parties[$0]?.name } ?? holder.party
                let details = [office, party].compactMap { $0 }.joined(separator: ", ")
                return details.isEmpty ? person.name : "\(person.name) (\(details))"
            }
            if let appointer = holder.appointer.flatMap({ registry.people[$0] }) {
                return "appointed by \(appointer.name)"
            }
            return holder.basis
        }
        var line = "\(zone.iso8601(zone.instant(of: meeting.start)))–\(meeting.end.time)  \(meeting.id)"
        if meeting.kind != .ordinary { line += " [\(meeting.kind.rawValue)]" }
        if meeting.status == .cancelled { line += " [cancelled]" }
        line += "\n    convener:  \(who(.convener))\n    chair:     \(who(.chair))\n    secretary: \(who(.secretary))"
        return line
    }

    static func notification(_ n: DueNotification, registry: Registry) -> String {
        let zone = registry.settings.zone
        let kind = n.kind.rawValue.padding(16)
        let from = n.sender?.name ?? "—"
        let optional = n.recipients.filter(\.optional).count
        let count =
            "\(n.recipients.count) recipient\(n.recipients.count == 1 ? "" : "s")"
            + (optional > 0 ? " (\(optional) optional)" : "")
        var line = "\(zone.iso8601(n.due))  \(kind) \(n.meeting.id)  from \(from) to \(count)"
        if let deadline = n.agendaDeadline { line += ", items by \(deadline)" }
        if let previous = n.previousStart { line += ", moved from \(previous)" }
        return line + "\n    key \(n.key)"
    }
}

extension TextOutput {
    /// `notification(_:registry:)` and its line break, appended to `out` as UTF-8 without making strings.
    static func appendNotification(_ n: borrowing DueNotification, zone: ZoneRules, to out: inout [UInt8]) {
        zone.appendISO8601(n.due, to: &out)
        out.append(contentsOf: "  ".utf8)
        let kind = n.kind.rawValue.utf8
        out.append(contentsOf: kind)
        if kind.count < 16 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 16 - kind.count)) }
        out.append(UInt8(ascii: " "))
        n.appendMeetingID(to: &out)
        out.append(contentsOf: "  from ".utf8)
        n.appendSenderName(orElse: "—", to: &out)
        out.append(contentsOf: " to ".utf8)
        let optional = n.optionalRecipients
        out.append(contentsOf: String(n.recipients.count).utf8)
        out.append(contentsOf: (n.recipients.count == 1 ? " recipient" : " recipients").utf8)
        if optional > 0 {
            out.append(contentsOf: " (".utf8)
            out.append(contentsOf: String(optional).utf8)
            out.append(contentsOf: " optional)".utf8)
        }
        if let deadline = n.agendaDeadline {
            out.append(contentsOf: ", items by ".utf8)
            deadline.appendISO(to: &out)
        }
        if let previous = n.previousStart { out.append(contentsOf: ", moved from \(previous)".utf8) }
        out.append(contentsOf: "\n    key ".utf8)
        n.appendKey(to: &out)
        out.append(UInt8(ascii: "\n"))
    }
}

/// Standard output written in large pieces (one `write` per 256 KiB) instead of one `print` per line.
final class OutputBuffer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 18) }

    func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func flushIfFull() throws {
        if bytes.count >= 1 << 18 { try flush() }
    }

    func flush() throws {
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(1, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ExitCode(ExitStatus.unusable)
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }

}

extension TextOutput {
    /// `#12 delivered summons norrbotten-lsg/2027-02-11 → anna@example.se (1 attempt) — 250 2.0.0 Queued`.
    static func delivery(_ d: StoredDelivery, zone: ZoneRules) -> String {
        let to: String =
            switch d.channel {
            case .email: d.recipient
            case .receiver(let name): "receiver \(name)"
            }
        var line =
            "#\(d.id) \(d.state.rawValue) \(d.kind.rawValue) \(d.meeting) → \(to), due \(zone.iso8601(d.due)), "
            + "\(d.attempts) attempt\(d.attempts == 1 ? "" : "s")"
        if d.state == .deferred || d.state == .queued { line += ", next \(zone.iso8601(d.nextAttempt))" }
        if let code = d.lastCode { line += " — \(code) \(d.lastReply ?? "")" } else if let reply = d.lastReply {
            line += " — \(reply)"
        }
        if let reason = d.reason, d.state != .delivered { line += " (\(reason)\(d.escalated ? "; escalated" : ""))" }
        return line
    }
}

/// Ends the process at the end of a command that built large structures: freeing a national registry and years of
/// meetings object by object takes longer than the operating system takes to drop the whole process.
enum ProcessEnd {
    /// Flushes standard output and exits with `status`, `values` still alive (so nothing is freed first).
    static func exit<T>(_ status: Int32, keeping values: T) -> Never {
        withExtendedLifetime(values) {
            fflush(nil)
            Foundation.exit(status)
        }
    }
}
