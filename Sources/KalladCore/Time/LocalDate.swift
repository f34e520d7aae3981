/// A calendar date without a time zone (proleptic Gregorian), the way a meeting plan names a day.
///
/// All arithmetic is on the day number (days since 1970-01-01), so it is pure and fast.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Stored small (8 bytes instead of 24): a national registry's schedule holds hundreds of thousands of dates.
    private let storedYear: Int32
    private let storedMonth: UInt8
    private let storedDay: UInt8

    /// The year, e.g. 2027.
    public var year: Int { Int(storedYear) }
    /// The month, 1...12.
    public var month: Int { Int(storedMonth) }
    /// The day of the month, 1...31.
    public var day: Int { Int(storedDay) }

    /// Creates a date if the parts name a real day, or `nil`.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.storedYear = Int32(year)
        self.storedMonth = UInt8(month)
        self.storedDay = UInt8(day)
    }

    /// Creates the date with the given day number (days since 1970-01-01).
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        // A day number past ±2 billion years keeps the nearest year that fits.
        self.storedYear = Int32(clamping: yoe + era * 400 + (m <= 2 ? 1 : 0))
        self.storedMonth = UInt8(m)
        self.storedDay = UInt8(d)
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday.allCases[index]
    }

    /// The day of the year, 1...366.
    public var dayOfYear: Int { dayNumber - LocalDate.firstOfYear(year).dayNumber + 1 }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// The date `months` later, with the day clamped to the end of the month.
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12
        let m = total % 12 + 1
        let d = min(day, LocalDate.daysIn(month: m, year: y))
        return LocalDate(year: y, month: m, day: d) ?? self  // safe: day clamped to the month
    }

    /// ISO 8601, `YYYY-MM-DD`.
    public var description: String {
        if (0...9999).contains(year) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(10)
            appendISO(to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses `YYYY-MM-DD`, or returns `nil`.
    public init?(iso text: some StringProtocol) {
        // `YYYY-MM-DD` in ASCII digits, read from the bytes; anything else the long way.
        let digits = text.utf8.withContiguousStorageIfAvailable { b -> (Int, Int, Int)? in
            guard b.count == 10, b[4] == 45, b[7] == 45 else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for i in range {
                    guard b[i] >= 48 && b[i] <= 57 else { return nil }
                    value = value * 10 + Int(b[i] - 48)
                }
                return value
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return (y, m, d)
        }
        if let (y, m, d) = digits ?? nil {
            self.init(year: y, month: m, day: d)
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.storedYear, lhs.storedMonth, lhs.storedDay) < (rhs.storedYear, rhs.storedMonth, rhs.storedDay)
    }

    /// Whether `year` has a 29 February.
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// The number of days in a month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 1 January of `year`.
    public static func firstOfYear(_ year: Int) -> LocalDate {
        LocalDate(year: year, month: 1, day: 1) ?? LocalDate(dayNumber: 0)  // safe: 1 January always exists
    }
}

/// A day of the week, Monday first as in ISO 8601 and in Sweden.
public enum Weekday: String, CaseIterable, Sendable, Hashable, Codable {
    case monday = "MO", tuesday = "TU", wednesday = "WE", thursday = "TH", friday = "FR"
    case saturday = "SA", sunday = "SU"

    /// 0 for Monday ... 6 for Sunday.
    public var index: Int { Weekday.allCases.firstIndex(of: self) ?? 0 }

    /// Saturday or Sunday.
    public var isWeekend: Bool { self == .saturday || self == .sunday }
}

/// A wall-clock time of day, to the minute.
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// 0...23.
    public var hour: Int { Int(storedHour) }
    /// 0...59.
    public var minute: Int { Int(storedMinute) }
    // Stored in two bytes instead of sixteen.
    private let storedHour: UInt8
    private let storedMinute: UInt8

    /// Creates a time if the parts are in range, or `nil`.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.storedHour = UInt8(hour)
        self.storedMinute = UInt8(minute)
    }

    /// Minutes since midnight.
    public var minuteOfDay: Int { hour * 60 + minute }

    /// Parses `HH:MM`, or returns `nil`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        self.init(hour: h, minute: m)
    }

    /// `HH:MM`.
    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minuteOfDay < rhs.minuteOfDay }

    /// Midnight.
    public static let midnight = LocalTime(hour: 0, minute: 0)!  // safe: constant in range
}

/// A date and wall-clock time in the registry's time zone.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The date.
    public let date: LocalDate
    /// The time of day.
    public let time: LocalTime

    /// Creates a local date-time.
    public init(_ date: LocalDate, _ time: LocalTime) {
        self.date = date
        self.time = time
    }

    /// `YYYY-MM-DDTHH:MM`.
    public var description: String { "\(date)T\(time)" }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.time) < (rhs.date, rhs.time)
    }
}
