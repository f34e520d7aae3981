// Temporary stand-ins until the calendar and recurrence branches merge. Deleted at merge.
public struct MonthDay: Hashable, Sendable, Comparable {
    public var month: Int
    public var day: Int
    public init(month: Int, day: Int) { self.month = month; self.day = day }
    public static func < (l: MonthDay, r: MonthDay) -> Bool { (l.month, l.day) < (r.month, r.day) }
}
public enum TermSeason: String, Sendable { case spring, autumn }
public struct Term: Hashable, Sendable {
    public var year: Int
    public var season: TermSeason
    public var start: LocalDate
    public var end: LocalDate
    public var id: String { "\(year)-\(season.rawValue)" }
}
public struct TermRules: Hashable, Sendable {
    public var springStart = MonthDay(month: 1, day: 8)
    public var springEnd = MonthDay(month: 6, day: 15)
    public var autumnStart = MonthDay(month: 8, day: 15)
    public var autumnEnd = MonthDay(month: 12, day: 20)
    public static let standard = TermRules()
    public func terms(in year: Int) -> [Term] {
        [Term(year: year, season: .spring, start: LocalDate(year: year, month: 1, day: 8)!,
              end: LocalDate(year: year, month: 6, day: 15)!),
         Term(year: year, season: .autumn, start: LocalDate(year: year, month: 8, day: 15)!,
              end: LocalDate(year: year, month: 12, day: 20)!)]
    }
    public func term(containing date: LocalDate) -> Term? {
        terms(in: date.year).first { $0.start <= date && date <= $0.end }
    }
}
public struct Holiday: Hashable, Sendable { public var date: LocalDate; public var name: String }
public struct WorkingCalendar: Sendable {
    public init(years: ClosedRange<Int>, extraClosedDays: [LocalDate] = []) {}
    public func isWorkingDay(_ d: LocalDate) -> Bool { !d.weekday.isWeekend }
    public func holiday(on d: LocalDate) -> Holiday? { nil }
    public func workingDay(onOrBefore d: LocalDate) -> LocalDate {
        var x = d; while !isWorkingDay(x) { x = x.adding(days: -1) }; return x
    }
    public func workingDay(onOrAfter d: LocalDate) -> LocalDate {
        var x = d; while !isWorkingDay(x) { x = x.adding(days: 1) }; return x
    }
    public func adding(workingDays n: Int, to d: LocalDate) -> LocalDate {
        var x = d; var left = abs(n); let step = n < 0 ? -1 : 1
        while left > 0 { x = x.adding(days: step); if isWorkingDay(x) { left -= 1 } }
        return x
    }
}
public struct RecurrenceError: Error, Hashable, Sendable { public var code: String; public var message: String; public var offset: Int }
public struct RecurrenceRule: Hashable, Sendable {
    public static func parse(_ text: String) -> Result<RecurrenceRule, RecurrenceError> { .success(RecurrenceRule()) }
}
public struct RecurrenceSet: Hashable, Sendable {
    public var start: LocalDateTime
    public var rule: RecurrenceRule?
    public var rdates: [LocalDateTime]
    public var exdates: [LocalDateTime]
    public init(start: LocalDateTime, rule: RecurrenceRule?, rdates: [LocalDateTime] = [], exdates: [LocalDateTime] = []) {
        self.start = start; self.rule = rule; self.rdates = rdates; self.exdates = exdates
    }
    public func validate() -> RecurrenceError? { nil }
    public func occurrences(from: LocalDate, through: LocalDate) -> [LocalDateTime] { [start] }
}
extension TermRules {
    public static func make(springStart: MonthDay, springEnd: MonthDay, autumnStart: MonthDay, autumnEnd: MonthDay) -> Result<TermRules, TermError> {
        .success(TermRules())
    }
}
public struct TermError: Error { public var message: String }
