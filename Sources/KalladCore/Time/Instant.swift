/// A point in time: whole seconds since 1970-01-01T00:00:00Z.
///
/// Kallad decides in whole seconds; Foundation's `Date` is used only at the edges.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public let secondsSinceEpoch: Int64

    /// Creates an instant.
    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// The instant `seconds` later.
    public func adding(seconds: Int64) -> Instant { Instant(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    /// The UTC date-time, as `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String {
        let (date, second) = utcParts
        return "\(date)T\(Self.clock(second))Z"
    }

    /// The UTC calendar date and the second of that day.
    public var utcParts: (date: LocalDate, secondOfDay: Int) {
        let s = Int(secondsSinceEpoch)
        let day = s >= 0 ? s / 86_400 : -((-s + 86_399) / 86_400)
        return (LocalDate(dayNumber: day), s - day * 86_400)
    }

    static func clock(_ secondOfDay: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }
}

/// The rules of a time zone that follows the European Union's summer time (since 1996):
/// summer time from the last Sunday of March to the last Sunday of October, both at 01:00 UTC.
///
/// Kallad's default is Europe/Stockholm (UTC+1, summer UTC+2). The rules are computed, not read
/// from the tz database, so the core stays pure; the tests compare them with the tz database.
public struct ZoneRules: Hashable, Sendable {
    /// The IANA name, e.g. `Europe/Stockholm`.
    public let identifier: String
    /// The standard offset from UTC in seconds (3600 for CET).
    public let standardOffset: Int
    /// How much summer time adds, in seconds (3600), or 0 for a zone without summer time.
    public let summerShift: Int

    /// Creates zone rules.
    public init(identifier: String, standardOffset: Int, summerShift: Int) {
        self.identifier = identifier
        self.standardOffset = standardOffset
        self.summerShift = summerShift
    }

    /// Europe/Stockholm: CET, CEST in summer.
    public static let stockholm = ZoneRules(identifier: "Europe/Stockholm", standardOffset: 3600, summerShift: 3600)

    /// The zones Kallad knows by name.
    public static let known: [String: ZoneRules] = [
        "Europe/Stockholm": stockholm,
        "Europe/Berlin": ZoneRules(identifier: "Europe/Berlin", standardOffset: 3600, summerShift: 3600),
        "Europe/Helsinki": ZoneRules(identifier: "Europe/Helsinki", standardOffset: 7200, summerShift: 3600),
        "Europe/London": ZoneRules(identifier: "Europe/London", standardOffset: 0, summerShift: 3600),
        "UTC": ZoneRules(identifier: "UTC", standardOffset: 0, summerShift: 0),
    ]

    /// The last Sunday of a month.
    static func lastSunday(year: Int, month: Int) -> LocalDate {
        let last =
            LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year))
            ?? LocalDate.firstOfYear(year)  // safe: the last day of a month exists
        return last.adding(days: -((last.weekday.index + 1) % 7))
    }

    /// Summer time starts and ends at 01:00 UTC, as seconds since the epoch.
    func summerBounds(year: Int) -> (start: Int64, end: Int64) {
        if Self.tabulatedYears.contains(year) { return Self.summerTable[year - Self.tabulatedYears.lowerBound] }
        return Self.computedSummerBounds(year: year)
    }

    static func computedSummerBounds(year: Int) -> (start: Int64, end: Int64) {
        let start = Int64(lastSunday(year: year, month: 3).dayNumber) * 86_400 + 3600
        let end = Int64(lastSunday(year: year, month: 10).dayNumber) * 86_400 + 3600
        return (start, end)
    }

    /// The years whose summer time bounds are worked out once (the planner and the output ask for them for every
    /// notification); other years are worked out when asked.
    static let tabulatedYears = 1970...2199
    static let summerTable: [(start: Int64, end: Int64)] = tabulatedYears.map { computedSummerBounds(year: $0) }

    /// The offset from UTC in seconds at an instant.
    public func offset(at instant: Instant) -> Int {
        guard summerShift != 0 else { return standardOffset }
        let t = instant.secondsSinceEpoch
        // Summer time lies inside its year, so the instant is in summer time if it is in that of its own year or
        // of either neighbour: the year from the average length of a year is off by at most one.
        let years = Self.tabulatedYears
        let guess = 1970 + Int(t >= 0 ? t / 31_556_952 : -1)
        if guess - 1 >= years.lowerBound && guess + 1 <= years.upperBound {
            let base = guess - 1 - years.lowerBound
            for index in base...(base + 2) {
                let (start, end) = Self.summerTable[index]
                if t >= start && t < end { return standardOffset + summerShift }
            }
            return standardOffset
        }
        let (start, end) = summerBounds(year: instant.utcParts.date.year)
        return t >= start && t < end ? standardOffset + summerShift : standardOffset
    }

    /// Whether a wall-clock time does not exist (spring gap) or occurs twice (autumn overlap).
    public func isAmbiguousOrMissing(_ local: LocalDateTime) -> Bool {
        guard summerShift != 0 else { return false }
        let wall = Self.wallSeconds(local)
        let (start, end) = summerBounds(year: local.date.year)
        let gapStart = start + Int64(standardOffset)
        let overlapStart = end + Int64(standardOffset)
        return (wall >= gapStart && wall < gapStart + Int64(summerShift))
            || (wall >= overlapStart && wall < overlapStart + Int64(summerShift))
    }

    /// The instant of a wall-clock time. In the autumn overlap the first (summer) one is taken and in the spring
    /// gap the offset from before the gap, as RFC 5545 says; Kallad's checks reject meetings at such times.
    public func instant(of local: LocalDateTime) -> Instant {
        let wall = Self.wallSeconds(local)
        guard summerShift != 0 else { return Instant(secondsSinceEpoch: wall - Int64(standardOffset)) }
        let (start, end) = summerBounds(year: local.date.year)
        // In wall-clock seconds: summer time holds from start+std+shift (after the gap) to end+std+shift.
        let summerFrom = start + Int64(standardOffset + summerShift)
        let summerUntil = end + Int64(standardOffset + summerShift)
        let inSummer = wall >= summerFrom && wall < summerUntil
        let offset = inSummer ? standardOffset + summerShift : standardOffset
        return Instant(secondsSinceEpoch: wall - Int64(offset))
    }

    /// The wall-clock time of an instant.
    public func local(_ instant: Instant) -> LocalDateTime {
        let shifted = instant.adding(seconds: Int64(offset(at: instant)))
        let (date, second) = shifted.utcParts
        return LocalDateTime(date, LocalTime(hour: second / 3600, minute: second / 60 % 60) ?? .midnight)
    }

    /// ISO 8601 with the local offset: `2027-02-11T10:00:00+01:00`.
    public func iso8601(_ instant: Instant) -> String {
        let offset = offset(at: instant)
        let (date, second) = instant.adding(seconds: Int64(offset)).utcParts
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(date)T\(Instant.clock(second))\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }

    static func wallSeconds(_ local: LocalDateTime) -> Int64 {
        Int64(local.date.dayNumber) * 86_400 + Int64(local.time.minuteOfDay) * 60
    }
}
