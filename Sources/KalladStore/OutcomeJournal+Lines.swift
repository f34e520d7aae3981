import Foundation
import KalladCore

/// One line of the outcome journal: `id TAB attempt TAB started TAB ms TAB outcome TAB code TAB reply TAB resolution
/// TAB detail TAB escalate TAB now TAB "end" LF`; text fields escape backslash, TAB, CR, LF and NUL; an absent value
/// is `-` (a text that is `-` itself is `\-`). Written straight into the memory it goes to — the journal's mapped
/// file, on the sending thread's path — one byte at a time, after making `room(for:)` bytes for it.
enum JournalLine {
    /// The most bytes the line for `o` can take: every number at its longest (20), every text byte escaped (2).
    static func room(for o: SettledAttempt) -> Int {
        var texts = o.record.outcome.utf8.count + (o.record.reply?.utf8.count ?? 0)
        switch o.resolution {
        case .failed(let reason, _), .dropped(let reason): texts += reason.utf8.count
        case .delivered, .deferred: break
        }
        // 7 numbers, 11 tabs, the resolution's word (9), the escalation flag, `end` and the line feed.
        return 7 * 20 + 11 + 9 + 1 + 4 + 2 * texts
    }

    /// Writes the line for `o` at `start`, which has `room(for: o)` bytes; the number of bytes written.
    static func write(_ o: SettledAttempt, at start: UnsafeMutablePointer<UInt8>) -> Int {
        var out = Cursor(at: start)
        out.number(o.id); out.byte(0x09)
        out.number(Int64(o.attempt)); out.byte(0x09)
        out.number(o.record.started.secondsSinceEpoch); out.byte(0x09)
        out.number(Int64(o.record.milliseconds)); out.byte(0x09)
        out.text(o.record.outcome); out.byte(0x09)
        if let code = o.record.code { out.number(Int64(code)) } else { out.byte(0x2D) }
        out.byte(0x09)
        if let reply = o.record.reply { out.text(reply) } else { out.byte(0x2D) }
        out.byte(0x09)
        var escalate = false
        switch o.resolution {
        case .delivered: out.bytes("delivered\t-")
        case .deferred(let until):
            out.bytes("deferred\t")
            out.number(until.secondsSinceEpoch)
        case .failed(let reason, let escalates):
            out.bytes("failed\t")
            out.text(reason)
            escalate = escalates
        case .dropped(let reason):
            out.bytes("dropped\t")
            out.text(reason)
        }
        out.byte(0x09)
        out.byte(escalate ? 0x31 : 0x30); out.byte(0x09)
        out.number(o.now.secondsSinceEpoch); out.byte(0x09)
        out.bytes("end\n")
        return out.position - start
    }

    /// Where the next byte of a line goes.
    private struct Cursor {
        var position: UnsafeMutablePointer<UInt8>

        init(at start: UnsafeMutablePointer<UInt8>) { position = start }

        mutating func byte(_ value: UInt8) {
            position.pointee = value
            position += 1
        }

        mutating func bytes(_ text: StaticString) {
            position.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
            position += text.utf8CodeUnitCount
        }

        mutating func number(_ value: Int64) {
            if value < 0 { byte(0x2D) }
            var magnitude = value.magnitude
            var digits = 0
            var rest = magnitude
            repeat {
                digits += 1
                rest /= 10
            } while rest > 0
            var at = position + digits
            repeat {
                at -= 1
                at.pointee = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
            } while magnitude > 0
            position += digits
        }

        mutating func text(_ value: String) {
            let units = value.utf8
            // A text that is `-` itself (told apart from an absent one); compared by its bytes, not as a String.
            if units.count == 1 && units.first == 0x2D {
                byte(0x5C)
                byte(0x2D)
                return
            }
            for unit in units {
                switch unit {
                case 0x5C: byte(0x5C); byte(0x5C)
                case 0x09: byte(0x5C); byte(0x74)
                case 0x0A: byte(0x5C); byte(0x6E)
                case 0x0D: byte(0x5C); byte(0x72)
                case 0x00: byte(0x5C); byte(0x30)
                default: byte(unit)
                }
            }
        }
    }
}

extension OutcomeJournal {
    /// The line for `o`, as the journal stores it.
    static func encode(_ o: SettledAttempt) -> String {
        let bytes = [UInt8](unsafeUninitializedCapacity: JournalLine.room(for: o)) { buffer, count in
            count = JournalLine.write(o, at: buffer.baseAddress!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The outcome on a journal line (without its line feed); nil for a line that is not whole or not understood.
    static func decode(_ line: Substring) -> SettledAttempt? {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == 12, f[11] == "end", let id = Int64(f[0]), let attempt = Int(f[1]),
            let started = Int64(f[2]), let ms = Int(f[3]), let now = Int64(f[10])
        else { return nil }
        let code = f[5] == "-" ? nil : Int(f[5])
        let reply = f[6] == "-" ? nil : unescape(f[6])
        let resolution: Resolution
        switch f[7] {
        case "delivered": resolution = .delivered
        case "deferred":
            guard let until = Int64(f[8]) else { return nil }
            resolution = .deferred(until: Instant(secondsSinceEpoch: until))
        case "failed": resolution = .failed(reason: unescape(f[8]), escalate: f[9] == "1")
        case "dropped": resolution = .dropped(reason: unescape(f[8]))
        default: return nil
        }
        return SettledAttempt(
            id: id, attempt: attempt,
            record: AttemptRecord(
                started: Instant(secondsSinceEpoch: started), milliseconds: ms, outcome: unescape(f[4]), code: code,
                reply: reply),
            resolution: resolution, now: Instant(secondsSinceEpoch: now))
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var escaped = false
        for c in text.unicodeScalars {
            if escaped {
                switch c {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                case "0": out += "\0"
                default: out.unicodeScalars.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
