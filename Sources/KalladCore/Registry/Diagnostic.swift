/// Where something stands in the configuration: a file, a line and a column (both 1-based).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file path as the user gave it (relative to the config folder where possible).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// How bad a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable {
    /// The input cannot be used (exit 2).
    case error
    /// A rule of a body is not met (exit 1).
    case violation
    /// Worth a look, not a failure.
    case warning

    var rank: Int {
        switch self {
        case .error: 0
        case .violation: 1
        case .warning: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in the configuration or in a year's meetings: a stable code, what is wrong, where, and what
/// to do about it.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// How bad it is.
    public var severity: Severity
    /// A stable, dotted code, e.g. `config.unknown_key` or `rule.cadence`.
    public var code: String
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it, or empty.
    public var hint: String
    /// Where it is, when known.
    public var location: SourceLocation?
    /// The body concerned, when there is one.
    public var body: String?
    /// The meeting concerned, when there is one.
    public var meeting: String?

    /// Creates a diagnostic.
    public init(
        _ severity: Severity, code: String, message: String, hint: String = "", location: SourceLocation? = nil,
        body: String? = nil, meeting: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.hint = hint
        self.location = location
        self.body = body
        self.meeting = meeting
    }

    /// `file:line:column: error: message (code)` and the hint on a second line.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message) [\(code)]"
        if !hint.isEmpty { text += "\n    hint: \(hint)" }
        return text
    }
}
