import Foundation
import Synchronization
public import KalladCore

/// What one attempt settled, handed to the store as soon as the server has answered.
public struct SettledAttempt: Hashable, Sendable {
    /// The delivery.
    public var id: Int64
    /// Which attempt of it (the claim's `ClaimedDelivery.attempt`): an outcome only settles the attempt it is for.
    public var attempt: Int
    /// The attempt's record.
    public var record: AttemptRecord
    /// What it settled.
    public var resolution: Resolution
    /// When it was decided.
    public var now: Instant

    /// Creates a settled attempt.
    public init(id: Int64, attempt: Int, record: AttemptRecord, resolution: Resolution, now: Instant) {
        self.id = id
        self.attempt = attempt
        self.record = record
        self.resolution = resolution
        self.now = now
    }
}

/// Outcomes the server has answered but the database has not yet committed, one line each in
/// `<database>-outcomes`. The line is written (one `write(2)`, which a killed process cannot cut in half) before the
/// transport starts the connection's next message, and the file is emptied whenever every line in it has been
/// committed. After a crash, `KalladDatabase.recoverInterrupted` settles the deliveries still `sending` from it —
/// so a crash repeats at most the message each connection had in flight, while the database commits outcomes in
/// groups on a thread of its own. Like a commit with `synchronous=NORMAL`, a line survives the process, not the
/// machine's power: a power cut costs a duplicate, never a loss.
final class OutcomeJournal: Sendable {
    let path: String
    private let descriptor: Int32

    /// Opens (creating) the journal; nil when it cannot be opened (then outcomes are only as safe as their commit).
    init?(path: String) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    /// Appends one outcome; false when the write failed (a full disk).
    func append(_ outcome: SettledAttempt) -> Bool {
        var line = Self.encode(outcome)
        return line.withUTF8 { bytes in write(descriptor, bytes.baseAddress, bytes.count) == bytes.count }
    }

    /// Empties the journal: everything in it has been committed.
    func reset() { _ = ftruncate(descriptor, 0) }

    /// The outcomes in the journal at `path`, skipping a line that is not whole.
    static func read(path: String) -> [SettledAttempt] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .compactMap { decode(Substring($0)) }
    }

    // MARK: - Lines

    /// `id TAB attempt TAB started TAB ms TAB outcome TAB code TAB reply TAB resolution TAB detail TAB escalate TAB
    /// now TAB "end" LF`; text fields escape backslash, TAB and LF; an absent value is `-`.
    static func encode(_ o: SettledAttempt) -> String {
        let (kind, detail, escalate): (String, String, Bool) =
            switch o.resolution {
            case .delivered: ("delivered", "-", false)
            case .deferred(let until): ("deferred", "\(until.secondsSinceEpoch)", false)
            case .failed(let reason, let escalate): ("failed", escape(reason), escalate)
            case .dropped(let reason): ("dropped", escape(reason), false)
            }
        let fields = [
            "\(o.id)", "\(o.attempt)", "\(o.record.started.secondsSinceEpoch)", "\(o.record.milliseconds)",
            escape(o.record.outcome), o.record.code.map { "\($0)" } ?? "-", o.record.reply.map(escape) ?? "-",
            kind, detail, escalate ? "1" : "0", "\(o.now.secondsSinceEpoch)", "end",
        ]
        return fields.joined(separator: "\t") + "\n"
    }

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

    static func escape(_ text: String) -> String {
        if text == "-" { return "\\-" }
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
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
