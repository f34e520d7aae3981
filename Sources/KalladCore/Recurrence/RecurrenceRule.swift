/// A recurrence rule (RFC 5545 `RRULE`) in the subset Kallad supports, over floating local date-times.
///
/// Supported parts: `FREQ` (`YEARLY`, `MONTHLY`, `WEEKLY`), `INTERVAL`, `BYMONTH`, `BYMONTHDAY` (also negative),
/// `BYDAY` (with ordinals such as `2TH` or `-1FR` under `MONTHLY` and `YEARLY`), `BYSETPOS`, `COUNT`, `UNTIL` and
/// `WKST`. Every occurrence has the time of day of DTSTART: parts that would vary it (`BYHOUR`, `BYMINUTE`,
/// `BYSECOND`), other frequencies, `BYWEEKNO` and `BYYEARDAY` are refused by ``parse(_:)`` with a message.
///
/// The meaning is RFC 5545's. Where the RFC leaves room, Kallad decides:
/// - An ordinal `BYDAY` counts within the month under `MONTHLY`, and under `YEARLY` with `BYMONTH`; within the year
///   under `YEARLY` without `BYMONTH`.
/// - `BYDAY` together with `BYMONTHDAY` keeps the days that satisfy both (an ordinal `BYDAY` included).
/// - `BYDAY=MO,-1WE` is every Monday and the last Wednesday, as RFC 5545 says (python-dateutil keeps only days
///   that are both).
/// - `BYSETPOS` picks from the whole period, also in DTSTART's week (python-dateutil starts that week at DTSTART).
/// - `UNTIL` is inclusive. A date `UNTIL` (`20271231`) lets through every occurrence on that day. A UTC `UNTIL`
///   (`…Z`) is refused: the rule is in local time and the zone is applied elsewhere, so write the local date or
///   date-time instead.
///
/// Values are kept as written (duplicates dropped), so two rules are equal when they were written with the same
/// parts in the same order, apart from `INTERVAL=1` and `WKST=MO`, which are the defaults.
public struct RecurrenceRule: Hashable, Sendable {
    /// How often the rule's periods come round.
    public enum Frequency: String, Hashable, Sendable, CaseIterable {
        /// Periods of one calendar year.
        case yearly = "YEARLY"
        /// Periods of one calendar month.
        case monthly = "MONTHLY"
        /// Periods of one week, starting on the rule's ``RecurrenceRule/weekStart``.
        case weekly = "WEEKLY"
    }

    /// One `BYDAY` value: a weekday, optionally with an ordinal (`2TH` is the second Thursday, `-1FR` the last
    /// Friday of the month or year).
    public struct WeekdayNum: Hashable, Sendable, CustomStringConvertible {
        /// The weekday.
        public let weekday: Weekday
        /// The ordinal, ±1...±53, or `nil` for every such weekday in the period.
        public let ordinal: Int?

        /// Creates a `BYDAY` value.
        public init(_ weekday: Weekday, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        /// The RFC 5545 text, e.g. `-1FR`.
        public var description: String { (ordinal.map(String.init) ?? "") + weekday.rawValue }
    }

    /// The inclusive end of a rule.
    public enum Until: Hashable, Sendable, CustomStringConvertible {
        /// Through the end of this local date (`UNTIL=20271231`).
        case date(LocalDate)
        /// Through this local date-time and second (`UNTIL=20271231T235959`).
        case dateTime(LocalDateTime, second: Int)

        /// The RFC 5545 text, `YYYYMMDD` or `YYYYMMDDTHHMMSS`.
        public var description: String {
            func pad(_ n: Int, _ width: Int) -> String {
                let s = String(n)
                return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
            }
            func day(_ d: LocalDate) -> String { pad(d.year, 4) + pad(d.month, 2) + pad(d.day, 2) }
            switch self {
            case .date(let d):
                return day(d)
            case .dateTime(let t, let second):
                return day(t.date) + "T" + pad(t.time.hour, 2) + pad(t.time.minute, 2) + pad(second, 2)
            }
        }

        /// The day number of the last day on which an occurrence at `time` is still within the bound.
        func lastDay(at time: LocalTime) -> Int {
            switch self {
            case .date(let d):
                return d.dayNumber
            case .dateTime(let t, let second):
                let bound = t.time.minuteOfDay * 60 + second
                return time.minuteOfDay * 60 <= bound ? t.date.dayNumber : t.date.dayNumber - 1
            }
        }

        /// Whether a date-time is at or before the bound.
        public func includes(_ local: LocalDateTime) -> Bool { local.date.dayNumber <= lastDay(at: local.time) }
    }

    /// `FREQ`.
    public let frequency: Frequency
    /// `INTERVAL`, at least 1: every `interval`-th period counted from DTSTART's.
    public let interval: Int
    /// `BYMONTH`, months 1...12.
    public let byMonth: [Int]
    /// `BYMONTHDAY`, ±1...±31; -1 is the last day of the month.
    public let byMonthDay: [Int]
    /// `BYDAY`.
    public let byDay: [WeekdayNum]
    /// `BYSETPOS`, ±1...±366: positions within each period's set of days.
    public let bySetPos: [Int]
    /// `COUNT`: the number of occurrences counted from DTSTART, or `nil`.
    public let count: Int?
    /// `UNTIL`, inclusive, or `nil`.
    public let until: Until?
    /// `WKST`, Monday unless written.
    public let weekStart: Weekday

    init(
        frequency: Frequency, interval: Int = 1, byMonth: [Int] = [], byMonthDay: [Int] = [],
        byDay: [WeekdayNum] = [], bySetPos: [Int] = [], count: Int? = nil, until: Until? = nil,
        weekStart: Weekday = .monday
    ) {
        self.frequency = frequency
        self.interval = interval
        self.byMonth = byMonth
        self.byMonthDay = byMonthDay
        self.byDay = byDay
        self.bySetPos = bySetPos
        self.count = count
        self.until = until
        self.weekStart = weekStart
    }

    /// The rule as RFC 5545 text, without the `RRULE:` prefix; ``parse(_:)`` reads it back to an equal rule.
    public var rfc5545: String {
        var parts = ["FREQ=" + frequency.rawValue]
        if let until { parts.append("UNTIL=\(until)") }
        if let count { parts.append("COUNT=\(count)") }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func list(_ values: [some CustomStringConvertible]) -> String {
            values.map(\.description).joined(separator: ",")
        }
        if !byMonth.isEmpty { parts.append("BYMONTH=" + list(byMonth)) }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=" + list(byMonthDay)) }
        if !byDay.isEmpty { parts.append("BYDAY=" + list(byDay)) }
        if !bySetPos.isEmpty { parts.append("BYSETPOS=" + list(bySetPos)) }
        if weekStart != .monday { parts.append("WKST=" + weekStart.rawValue) }
        return parts.joined(separator: ";")
    }

    /// The first date-time at or after `start` that the rule produces when `start` is its DTSTART, ignoring
    /// `COUNT` and `UNTIL`; `nil` when the rule can never produce a date. A valid recurrence set has this equal
    /// to its DTSTART; when it is not, this is the DTSTART to suggest.
    public func firstOccurrence(onOrAfter start: LocalDateTime) -> LocalDateTime? {
        let plan = RuleExpansion(rule: self, start: start)
        var days = plan.days(fromUnit: plan.firstUnit, lastDay: Int.max)
        return days.next().map { LocalDateTime(LocalDate(dayNumber: $0), start.time) }
    }
}
