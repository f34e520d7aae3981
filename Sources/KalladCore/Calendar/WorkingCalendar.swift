/// Which days are working days in Sweden: not Saturday or Sunday, not a public holiday, not midsommarafton,
/// julafton or nyårsafton (see ``SwedishHolidays``), and not one of the extra closed days given in `init`.
///
/// The answers for the years given in `init` are precomputed into a bitset, so ``isWorkingDay(_:)`` is a
/// constant-time lookup. Dates outside those years are still answered correctly, but by computing the
/// year's holidays on every call, which is much slower: choose the years to cover the hot path.
public struct WorkingCalendar: Sendable {
    /// The years that are precomputed.
    public let years: ClosedRange<Int>
    /// The extra closed days given in `init`, as day numbers.
    private let extraClosed: Set<Int>
    /// The day number of 1 January of `years.lowerBound`.
    private let firstDay: Int
    /// How many days the bitset covers.
    private let dayCount: Int
    /// Bit `i` is set when day `firstDay + i` is not a working day.
    private let closedBits: [UInt64]
    /// The holidays in `years`, by day number.
    private let holidaysByDay: [Int: [Holiday]]

    /// Precomputes the working days of `years`; `extraClosedDays` are closed as well, in any year
    /// (a municipality's own closing days, say). Years are clamped to 1...9999.
    public init(years: ClosedRange<Int> = 1990...2100, extraClosedDays: [LocalDate] = []) {
        let low = min(max(years.lowerBound, 1), 9999)
        let high = min(max(years.upperBound, 1), 9999)
        self.years = low...high
        self.extraClosed = Set(extraClosedDays.map(\.dayNumber))
        let first = LocalDate.firstOfYear(low).dayNumber
        // safe: 31 December exists in every year
        let end = (LocalDate(year: high, month: 12, day: 31) ?? LocalDate.firstOfYear(high)).dayNumber + 1
        self.firstDay = first
        self.dayCount = end - first

        var bits = [UInt64](repeating: 0, count: (end - first + 63) / 64)
        func close(_ day: Int) {
            let i = day - first
            guard i >= 0, i < end - first else { return }
            bits[i >> 6] |= 1 << UInt64(i & 63)
        }
        // From the Saturday on or before `first`, every Saturday and Sunday.
        var saturday = first - (LocalDate(dayNumber: first).weekday.index - Weekday.saturday.index + 7) % 7
        while saturday < end {
            close(saturday)
            close(saturday + 1)
            saturday += 7
        }
        var byDay: [Int: [Holiday]] = [:]
        for year in low...high {
            for holiday in SwedishHolidays.holidays(in: year) {
                let day = holiday.date.dayNumber
                byDay[day, default: []].append(holiday)
                close(day)
            }
        }
        for day in extraClosed { close(day) }
        self.closedBits = bits
        self.holidaysByDay = byDay
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: LocalDate) -> Bool { isWorking(dayNumber: date.dayNumber) }

    /// The holiday on `date`, or `nil`. When two share the date, the first of ``holidays(on:)``.
    /// Extra closed days and ordinary weekends are not holidays.
    public func holiday(on date: LocalDate) -> Holiday? { holidays(on: date).first }

    /// All holidays on `date` (usually none or one; Kristi himmelsfärdsdag can fall on första maj).
    public func holidays(on date: LocalDate) -> [Holiday] {
        if years.contains(date.year) { return holidaysByDay[date.dayNumber] ?? [] }
        return SwedishHolidays.holidays(in: date.year).filter { $0.date == date }
    }

    /// `date` if it is a working day, else the closest working day before it.
    public func workingDay(onOrBefore date: LocalDate) -> LocalDate {
        var day = date.dayNumber
        while !isWorking(dayNumber: day) { day -= 1 }
        return LocalDate(dayNumber: day)
    }

    /// `date` if it is a working day, else the closest working day after it (as Lag 1930:173 moves a deadline
    /// that falls on a day off).
    public func workingDay(onOrAfter date: LocalDate) -> LocalDate {
        var day = date.dayNumber
        while !isWorking(dayNumber: day) { day += 1 }
        return LocalDate(dayNumber: day)
    }

    /// Counts `n` working days from `date`, the way a spreadsheet's WORKDAY does:
    /// - `n > 0`: the `n`th working day after `date`, not counting `date` itself. From a Friday, 1 gives the
    ///   Monday (or later if that is a holiday); from a Saturday, 1 also gives the Monday.
    /// - `n < 0`: the `|n|`th working day before `date`. From a Monday, −1 gives the Friday before.
    /// - `n == 0`: `date` if it is a working day, else the next working day (``workingDay(onOrAfter:)``).
    public func adding(workingDays n: Int, to date: LocalDate) -> LocalDate {
        if n == 0 { return workingDay(onOrAfter: date) }
        let step = n > 0 ? 1 : -1
        var remaining = abs(n)
        var day = date.dayNumber
        while remaining > 0 {
            day += step
            if isWorking(dayNumber: day) { remaining -= 1 }
        }
        return LocalDate(dayNumber: day)
    }

    /// The working days from `start` through `end` (none when `end` is before `start`).
    public func workingDays(from start: LocalDate, through end: LocalDate) -> Int {
        guard start <= end else { return 0 }
        var count = 0
        for day in start.dayNumber...end.dayNumber where isWorking(dayNumber: day) { count += 1 }
        return count
    }

    /// The lookup behind every method: a bit test inside `years`, computed outside them.
    @inline(__always)
    private func isWorking(dayNumber day: Int) -> Bool {
        let i = day - firstDay
        if i >= 0, i < dayCount { return closedBits[i >> 6] & (1 << UInt64(i & 63)) == 0 }
        let date = LocalDate(dayNumber: day)
        if date.weekday.isWeekend || extraClosed.contains(day) { return false }
        return !SwedishHolidays.holidays(in: date.year).contains { $0.date == date }
    }
}
