/// The half of a school year: spring (January to June) or autumn (August to December).
public enum TermSeason: String, Hashable, Sendable, CaseIterable {
    /// Vårtermin.
    case spring
    /// Hösttermin.
    case autumn
}

/// A day of the year without the year, such as 15 August.
public struct MonthDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1...12.
    public let month: Int
    /// 1...31, at most the length of the month (29 for February).
    public let day: Int

    /// Creates a month and day if the day can exist in that month (29 February can), or `nil`.
    public init?(month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: 2000) else {
            return nil
        }
        self.month = month
        self.day = day
    }

    /// Parses `MM-DD`, or returns `nil`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let m = Int(parts[0]), let d = Int(parts[1])
        else { return nil }
        self.init(month: m, day: d)
    }

    /// The date in `year`; 29 February becomes 28 February in a common year.
    public func date(in year: Int) -> LocalDate {
        let clamped = min(day, LocalDate.daysIn(month: month, year: year))
        // safe: month is valid and the day is clamped to the month
        return LocalDate(year: year, month: month, day: clamped) ?? LocalDate.firstOfYear(year)
    }

    /// `MM-DD`.
    public var description: String {
        (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }

    /// Earlier in the year.
    public static func < (lhs: MonthDay, rhs: MonthDay) -> Bool { (lhs.month, lhs.day) < (rhs.month, rhs.day) }

    /// Builds a constant known to be valid.
    fileprivate init(constant month: Int, _ day: Int) {
        self.month = month
        self.day = day
    }
}

/// Why ``TermRules`` were rejected.
public struct TermRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in words for whoever wrote the configuration.
    public let message: String

    /// The message.
    public var description: String { message }
}

/// When a body's school terms run. Each term lies within one calendar year: the spring term first, then
/// the autumn term. Terms are set by each municipality, so these are configured per body or area.
public struct TermRules: Hashable, Sendable {
    /// The first day of the spring term.
    public let springStart: MonthDay
    /// The last day of the spring term.
    public let springEnd: MonthDay
    /// The first day of the autumn term.
    public let autumnStart: MonthDay
    /// The last day of the autumn term.
    public let autumnEnd: MonthDay

    /// Creates term rules, or throws when a term ends before it starts or the spring term does not end
    /// before the autumn term starts.
    public init(
        springStart: MonthDay, springEnd: MonthDay, autumnStart: MonthDay, autumnEnd: MonthDay
    ) throws(TermRulesError) {
        guard springStart <= springEnd else {
            throw TermRulesError(message: "the spring term ends (\(springEnd)) before it starts (\(springStart))")
        }
        guard autumnStart <= autumnEnd else {
            throw TermRulesError(message: "the autumn term ends (\(autumnEnd)) before it starts (\(autumnStart))")
        }
        guard springEnd < autumnStart else {
            throw TermRulesError(
                message: "the spring term must end (\(springEnd)) before the autumn term starts (\(autumnStart))"
            )
        }
        self.springStart = springStart
        self.springEnd = springEnd
        self.autumnStart = autumnStart
        self.autumnEnd = autumnEnd
    }

    /// The default: spring 8 January – 15 June, autumn 15 August – 20 December.
    public static let standard = TermRules(
        checked: MonthDay(constant: 1, 8), MonthDay(constant: 6, 15),
        MonthDay(constant: 8, 15), MonthDay(constant: 12, 20)
    )

    private init(
        checked springStart: MonthDay, _ springEnd: MonthDay, _ autumnStart: MonthDay, _ autumnEnd: MonthDay
    ) {
        self.springStart = springStart
        self.springEnd = springEnd
        self.autumnStart = autumnStart
        self.autumnEnd = autumnEnd
    }

    /// The spring and the autumn term of `year`, in that order.
    public func terms(in year: Int) -> [Term] {
        [
            Term(year: year, season: .spring, start: springStart.date(in: year), end: springEnd.date(in: year)),
            Term(year: year, season: .autumn, start: autumnStart.date(in: year), end: autumnEnd.date(in: year)),
        ]
    }

    /// The term that `date` falls in, or `nil` in a holiday between terms.
    public func term(containing date: LocalDate) -> Term? {
        terms(in: date.year).first { $0.contains(date) }
    }
}

/// One school term: the spring or autumn term of a year.
public struct Term: Hashable, Sendable, Identifiable, CustomStringConvertible {
    /// The calendar year the term lies in.
    public let year: Int
    /// Spring or autumn.
    public let season: TermSeason
    /// The first day, inclusive.
    public let start: LocalDate
    /// The last day, inclusive.
    public let end: LocalDate

    /// Creates a term.
    public init(year: Int, season: TermSeason, start: LocalDate, end: LocalDate) {
        self.year = year
        self.season = season
        self.start = start
        self.end = end
    }

    /// `2027-spring`.
    public var id: String { "\(year)-\(season.rawValue)" }

    /// Whether `date` is between `start` and `end`, both included.
    public func contains(_ date: LocalDate) -> Bool { start <= date && date <= end }

    /// `2027-spring (2027-01-08–2027-06-15)`.
    public var description: String { "\(id) (\(start)–\(end))" }
}
