/// Why a recurrence rule or recurrence set was refused: a stable code, a message that says what is wrong and what to
/// do, and where in the rule text the bad part starts.
public struct RecurrenceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, dotted identifier such as `rrule.unknown_part`; see ``Code`` for the list.
    public let code: String
    /// What is wrong and what to do about it, for a person editing the configuration.
    public let message: String
    /// The offset in `Character`s from the start of the rule text to the bad part, or `nil` when the error concerns
    /// the recurrence set as a whole (DTSTART, UNTIL against DTSTART) rather than a place in the text.
    public let offset: Int?

    /// Creates an error.
    public init(code: String, message: String, offset: Int?) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    /// The message, with the offset when there is one.
    public var description: String {
        if let offset { return "\(code) at offset \(offset): \(message)" }
        return "\(code): \(message)"
    }

    /// The codes, as constants; the strings are stable and may be matched by callers.
    public enum Code {
        /// The rule text is empty.
        public static let empty = "rrule.empty"
        /// A part is not `NAME=VALUE`.
        public static let syntax = "rrule.syntax"
        /// A part name that RFC 5545 does not define.
        public static let unknownPart = "rrule.unknown_part"
        /// A part or value that RFC 5545 defines but Kallad does not support (BYHOUR, FREQ=DAILY, UTC UNTIL...).
        public static let unsupported = "rrule.unsupported"
        /// A value that is malformed or out of range.
        public static let badValue = "rrule.bad_value"
        /// The same part given twice.
        public static let duplicatePart = "rrule.duplicate_part"
        /// No FREQ part.
        public static let missingFrequency = "rrule.missing_freq"
        /// Both COUNT and UNTIL, which RFC 5545 forbids.
        public static let countAndUntil = "rrule.count_and_until"
        /// Parts that RFC 5545 forbids together (an ordinal BYDAY with FREQ=WEEKLY, BYMONTHDAY with FREQ=WEEKLY,
        /// BYSETPOS alone).
        public static let invalidCombination = "rrule.invalid_combination"
        /// DTSTART is not itself an occurrence of the rule.
        public static let startNotOnRule = "rrule.start_not_on_rule"
        /// UNTIL is before DTSTART.
        public static let untilBeforeStart = "rrule.until_before_start"
        /// The rule can never produce a date (e.g. BYMONTH=2;BYMONTHDAY=30).
        public static let noOccurrences = "rrule.no_occurrences"
    }
}
