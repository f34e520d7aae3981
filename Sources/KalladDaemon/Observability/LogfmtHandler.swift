public import Logging
import KalladCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log handler writing one logfmt line per event (`ts=… level=info msg="…" meeting.id=…`), for journald.
/// Nested metadata becomes dotted keys. Values under keys that name secrets or message contents are replaced by
/// `[redacted]`, so a careless call site cannot leak them.
public struct LogfmtHandler: LogHandler {
    /// Where finished lines go.
    public typealias Sink = @Sendable (String) -> Void

    /// The handler's metadata.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written: the shared control's when there is one (so a reload changes every logger).
    public var logLevel: Logger.Level {
        get { control?.level ?? ownLevel }
        set { ownLevel = newValue }
    }
    var ownLevel: Logger.Level
    let control: LogLevelControl?
    /// The logger's label, written as `logger=`.
    public let label: String
    let sink: Sink
    let clock: @Sendable () -> Double

    /// A handler writing to `sink` (standard output when omitted).
    public init(
        label: String, level: Logger.Level = .info, control: LogLevelControl? = nil,
        sink: @escaping Sink = LogfmtHandler.standardOutput,
        clock: @escaping @Sendable () -> Double = LogfmtHandler.wallClock
    ) {
        self.label = label
        self.ownLevel = level
        self.control = control
        self.sink = sink
        self.clock = clock
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line: `ts`, `level`, `msg`, `logger`, the metadata by key, and `source` from warnings up; written
    /// as bytes into one buffer (a line is written for every trigger taken, and small appends to a String each pay
    /// for its checks).
    public func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        Self.append("ts=", to: &line)
        Self.appendTimestamp(clock(), to: &line)
        Self.append(" level=", to: &line)
        line.append(contentsOf: event.level.rawValue.utf8)
        Self.append(" msg=", to: &line)
        Self.appendQuoted(event.message.description, to: &line)
        Self.append(" logger=", to: &line)
        Self.appendQuoted(label, to: &line)
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged = metadata.merging(merged) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { Self.append(key, value, to: &line) }
        if event.level >= .warning {
            Self.append(" source=", to: &line)
            Self.appendQuoted("\(event.file):\(event.line)", to: &line)
        }
        sink(String(decoding: line, as: UTF8.self))
    }

    /// ` key=value` for one metadata value; nested ones become dotted keys, redacted where the key says so.
    static func append(_ key: String, _ value: Logger.MetadataValue, to line: inout [UInt8]) {
        let text: String
        switch value {
        case .string(let string): text = string
        case .stringConvertible(let item): text = item.description
        case .array(let items): text = items.map(\.description).joined(separator: ",")
        case .dictionary(let map):
            for (inner, item) in map.sorted(by: { $0.key < $1.key }) { append(key + "." + inner, item, to: &line) }
            return
        }
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: key.utf8)
        line.append(UInt8(ascii: "="))
        appendQuoted(redacted(key, text), to: &line)
    }

    static func append(_ text: StaticString, to line: inout [UInt8]) {
        line.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Keys whose values are never written (matched case-insensitively anywhere in the key).
    static let secretWords: [[UInt8]] = [
        "secret", "password", "token", "authorization", "signature", "payload", "content",
    ]
    .map { Array($0.utf8) }

    static func redacted(_ key: String, _ value: String) -> String {
        mentionsSecret(key) ? "[redacted]" : value
    }

    /// Whether `key` contains one of `secretWords`, ignoring ASCII case; a byte scan, since it runs for every field
    /// of every line.
    static func mentionsSecret(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            guard bytes.count >= 5 else { return false }
            for word in secretWords where word.count <= bytes.count {
                var start = 0
                while start + word.count <= bytes.count {
                    var index = 0
                    while index < word.count && (bytes[start + index] | 0x20) == word[index] { index += 1 }
                    if index == word.count { return true }
                    start += 1
                }
            }
            return false
        }
    }

    /// Appends a logfmt value to `out`: bare when it is a plain token, else in quotes with `"`, `\` and control
    /// characters escaped.
    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        let plain = value.withUTF8 { bytes in
            // A byte scan: every byte of a multi-byte character is above 127, and so plain, as its scalar is.
            guard
                !bytes.isEmpty
                    && bytes.allSatisfy({
                        $0 > 32 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\\")
                            && $0 != 127
                    })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain { JSONString.append(value, toBytes: &out) }
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ seconds: Double) -> String {
        var bytes: [UInt8] = []
        appendTimestamp(seconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `timestamp(seconds)`, appended to `bytes`.
    static func appendTimestamp(_ seconds: Double, to bytes: inout [UInt8]) {
        let whole = Int64(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = Int(whole - days * 86_400)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            let rest = value
            // Years past 9999 keep all their digits.
            while rest / divisor >= 10 { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                divisor /= 10
            }
        }
        if year < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(Int(abs(year)), 1)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(month), 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(day), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(max(0, min(999, millis)), 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Writes a line to standard output at once (journald reads it as it comes).
    public static let standardOutput: Sink = { line in
        var text = line
        text += "\n"
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            standardOutputLock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let written = write(1, base + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }

    static let standardOutputLock = Mutex(())

    /// Seconds since 1970 from the system clock.
    public static let wallClock: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// The log level every handler made with it follows; the daemon sets it from `settings.service.log_level`.
public final class LogLevelControl: Sendable {
    private let current: Mutex<Logger.Level>

    /// A control starting at `level`.
    public init(_ level: Logger.Level = .info) { current = Mutex(level) }

    /// The level.
    public var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
