/// Whether a day off is a public holiday by law or only treated as one.
public enum HolidayKind: String, Hashable, Sendable, CaseIterable {
    /// An allmän helgdag under Lag (1989:253) om allmänna helgdagar.
    case publicHoliday
    /// A day that is not a holiday by law but is treated as one (Semesterlagen 1977:480 §7 puts
    /// midsommarafton, julafton and nyårsafton on a par with Sundays): midsommarafton, julafton, nyårsafton.
    case deFacto
}

/// One Swedish holiday on one date.
public struct Holiday: Hashable, Sendable, CustomStringConvertible {
    /// The date.
    public let date: LocalDate
    /// The Swedish name, spelled as the `holidays` Python package spells it, e.g. `Långfredagen`.
    public let name: String
    /// Public holiday by law, or a de-facto day off.
    public let kind: HolidayKind

    /// Creates a holiday.
    public init(date: LocalDate, name: String, kind: HolidayKind) {
        self.date = date
        self.name = name
        self.kind = kind
    }

    /// `2027-03-26 Långfredagen`.
    public var description: String { "\(date) \(name)" }
}

/// Swedish public holidays, computed from the rules of Lag (1989:253) om allmänna helgdagar, plus the
/// three de-facto days off (midsommarafton, julafton, nyårsafton).
///
/// The rules are the ones in force since 1990, with the 2005 change (nationaldagen 6 June became a holiday
/// and annandag pingst stopped being one). They are applied to any year the same way: before 1990 Swedish law
/// differed (for example Marie bebådelsedag was a holiday), and this type does not model that.
public enum SwedishHolidays {
    /// Påskdagen: the Sunday after the first ecclesiastical full moon on or after 21 March, by the
    /// Gregorian computus (the anonymous algorithm of Meeus, Jones and Butcher), for any year 1...9999.
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100, c = year % 100
        let d = b / 4, e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        // safe: the computus always yields a day between 22 March and 25 April
        return LocalDate(year: year, month: month, day: day) ?? LocalDate.firstOfYear(year)
    }

    /// Every holiday of `year`, public and de facto, sorted by date. Two holidays can share a date
    /// (Kristi himmelsfärdsdag falls on första maj when Easter is on 23 March, as in 2008): both are listed.
    /// Sundays are not listed; a holiday that falls on a weekend is listed all the same.
    public static func holidays(in year: Int) -> [Holiday] {
        let easter = easterSunday(year: year)
        func on(_ month: Int, _ day: Int) -> LocalDate {
            // safe: only called with dates that exist in every year
            LocalDate(year: year, month: month, day: day) ?? LocalDate.firstOfYear(year)
        }
        func saturday(from first: LocalDate) -> LocalDate {
            first.adding(days: (Weekday.saturday.index - first.weekday.index + 7) % 7)
        }
        let midsommardagen = saturday(from: on(6, 20))
        var list: [Holiday] = [
            Holiday(date: on(1, 1), name: "Nyårsdagen", kind: .publicHoliday),
            Holiday(date: on(1, 6), name: "Trettondedag jul", kind: .publicHoliday),
            Holiday(date: easter.adding(days: -2), name: "Långfredagen", kind: .publicHoliday),
            Holiday(date: easter, name: "Påskdagen", kind: .publicHoliday),
            Holiday(date: easter.adding(days: 1), name: "Annandag påsk", kind: .publicHoliday),
            Holiday(date: on(5, 1), name: "Första maj", kind: .publicHoliday),
            Holiday(date: easter.adding(days: 39), name: "Kristi himmelsfärdsdag", kind: .publicHoliday),
            Holiday(date: easter.adding(days: 49), name: "Pingstdagen", kind: .publicHoliday),
            Holiday(date: midsommardagen.adding(days: -1), name: "Midsommarafton", kind: .deFacto),
            Holiday(date: midsommardagen, name: "Midsommardagen", kind: .publicHoliday),
            Holiday(date: saturday(from: on(10, 31)), name: "Alla helgons dag", kind: .publicHoliday),
            Holiday(date: on(12, 24), name: "Julafton", kind: .deFacto),
            Holiday(date: on(12, 25), name: "Juldagen", kind: .publicHoliday),
            Holiday(date: on(12, 26), name: "Annandag jul", kind: .publicHoliday),
            Holiday(date: on(12, 31), name: "Nyårsafton", kind: .deFacto),
        ]
        if year >= 2005 {
            list.append(Holiday(date: on(6, 6), name: "Nationaldagen", kind: .publicHoliday))
        } else {
            list.append(Holiday(date: easter.adding(days: 50), name: "Annandag pingst", kind: .publicHoliday))
        }
        // Stable: holidays on the same date keep the order above.
        return list.enumerated()
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)
    }
}
