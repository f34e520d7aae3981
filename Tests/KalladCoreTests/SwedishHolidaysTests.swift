import KalladCore
import Testing

/// A date written as `YYYY-MM-DD` in a test table.
private func date(_ text: String) throws -> LocalDate {
    try #require(LocalDate(iso: text), "not a date: \(text)")
}

// MARK: - SwedishHolidays

@Suite struct SwedishHolidaysTests {
    @Test(arguments: [
        (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
        (2038, "2038-04-25"), (2285, "2285-03-22"), (1818, "1818-03-22"), (1943, "1943-04-25"),
        (2000, "2000-04-23"), (2008, "2008-03-23"), (2011, "2011-04-24"), (1961, "1961-04-02"),
        (2019, "2019-04-21"), (1583, "1583-04-10"), (2100, "2100-03-28"), (9999, "9999-03-28"),
    ])
    func easterSunday(year: Int, expected: String) throws {
        let easter = SwedishHolidays.easterSunday(year: year)
        #expect(easter == (try date(expected)))
        #expect(easter.weekday == .sunday)
    }

    @Test func easterIsAlwaysASundayBetween22MarchAnd25April() throws {
        let earliest = try date("2000-03-22"), latest = try date("2000-04-25")
        for year in 1583...4099 {
            let easter = SwedishHolidays.easterSunday(year: year)
            #expect(easter.weekday == .sunday && easter.year == year, "\(easter)")
            let sameDayIn2000 = try #require(LocalDate(year: 2000, month: easter.month, day: easter.day))
            #expect(earliest <= sameDayIn2000 && sameDayIn2000 <= latest, "\(easter)")
        }
    }

    @Test func everyHolidayOf2026() throws {
        let expected: [(String, String, HolidayKind)] = [
            ("2026-01-01", "Nyårsdagen", .publicHoliday),
            ("2026-01-06", "Trettondedag jul", .publicHoliday),
            ("2026-04-03", "Långfredagen", .publicHoliday),
            ("2026-04-05", "Påskdagen", .publicHoliday),
            ("2026-04-06", "Annandag påsk", .publicHoliday),
            ("2026-05-01", "Första maj", .publicHoliday),
            ("2026-05-14", "Kristi himmelsfärdsdag", .publicHoliday),
            ("2026-05-24", "Pingstdagen", .publicHoliday),
            ("2026-06-06", "Nationaldagen", .publicHoliday),
            ("2026-06-19", "Midsommarafton", .deFacto),
            ("2026-06-20", "Midsommardagen", .publicHoliday),
            ("2026-10-31", "Alla helgons dag", .publicHoliday),
            ("2026-12-24", "Julafton", .deFacto),
            ("2026-12-25", "Juldagen", .publicHoliday),
            ("2026-12-26", "Annandag jul", .publicHoliday),
            ("2026-12-31", "Nyårsafton", .deFacto),
        ]
        let holidays = SwedishHolidays.holidays(in: 2026)
        #expect(holidays == (try expected.map { Holiday(date: try date($0.0), name: $0.1, kind: $0.2) }))
    }

    @Test(arguments: [
        (2026, "2026-06-20", "2026-10-31"), (2027, "2027-06-26", "2027-11-06"), (2020, "2020-06-20", "2020-10-31"),
        (2025, "2025-06-21", "2025-11-01"), (2022, "2022-06-25", "2022-11-05"), (2024, "2024-06-22", "2024-11-02"),
    ])
    func midsommarAndAllaHelgon(year: Int, midsommardagen: String, allaHelgon: String) throws {
        let byName = Dictionary(uniqueKeysWithValues: SwedishHolidays.holidays(in: year).map { ($0.name, $0.date) })
        let midsommar = try date(midsommardagen)
        #expect(byName["Midsommardagen"] == midsommar)
        #expect(byName["Midsommarafton"] == midsommar.adding(days: -1))
        #expect(byName["Alla helgons dag"] == (try date(allaHelgon)))
    }

    @Test func pingstAndNationaldagenSwapIn2005() throws {
        func names(_ year: Int) -> [LocalDate: String] {
            Dictionary(uniqueKeysWithValues: SwedishHolidays.holidays(in: year).map { ($0.date, $0.name) })
        }
        let y2004 = names(2004), y2005 = names(2005)
        #expect(y2004[try date("2004-05-31")] == "Annandag pingst")
        #expect(y2004[try date("2004-06-06")] == nil)
        #expect(!y2004.values.contains("Nationaldagen"))
        #expect(y2005[try date("2005-05-16")] == nil)
        #expect(y2005[try date("2005-06-06")] == "Nationaldagen")
        #expect(!y2005.values.contains("Annandag pingst"))
    }

    @Test func twoHolidaysOnOneDateAreBothListed() throws {
        let mayDay = try date("2008-05-01")
        let names = SwedishHolidays.holidays(in: 2008).filter { $0.date == mayDay }.map(\.name)
        #expect(names == ["Första maj", "Kristi himmelsfärdsdag"])
    }

    @Test func sortedAndSixteenPerYear() {
        for year in 1990...2100 {
            let holidays = SwedishHolidays.holidays(in: year)
            #expect(holidays.count == 16, "\(year)")
            #expect(holidays.map(\.date) == holidays.map(\.date).sorted(), "\(year)")
            #expect(
                holidays.filter { $0.kind == .deFacto }.map(\.name) == ["Midsommarafton", "Julafton", "Nyårsafton"])
        }
    }
}

// MARK: - WorkingCalendar

@Suite struct WorkingCalendarTests {
    let calendar = WorkingCalendar()

    @Test func summonsDueOnSundayGoesOutTheFridayBefore() throws {
        #expect(calendar.workingDay(onOrBefore: try date("2027-02-14")) == (try date("2027-02-12")))
        #expect(calendar.workingDay(onOrBefore: try date("2027-02-12")) == (try date("2027-02-12")))
        #expect(calendar.workingDay(onOrAfter: try date("2027-02-13")) == (try date("2027-02-15")))
    }

    @Test func easter() throws {
        #expect(calendar.isWorkingDay(try date("2027-03-25")))  // skärtorsdagen is a working day
        #expect(!calendar.isWorkingDay(try date("2027-03-26")))  // långfredagen
        #expect(!calendar.isWorkingDay(try date("2027-03-29")))  // annandag påsk
        #expect(calendar.holiday(on: try date("2027-03-26"))?.name == "Långfredagen")
        #expect(calendar.workingDay(onOrBefore: try date("2027-03-29")) == (try date("2027-03-25")))
        #expect(calendar.adding(workingDays: 1, to: try date("2027-03-25")) == (try date("2027-03-30")))
        #expect(calendar.adding(workingDays: -1, to: try date("2027-03-30")) == (try date("2027-03-25")))
    }

    @Test func christmasAndNewYear() throws {
        for closed in ["2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31", "2027-01-01", "2027-01-06"] {
            #expect(!calendar.isWorkingDay(try date(closed)), "\(closed)")
        }
        #expect(
            calendar.holiday(on: try date("2026-12-24"))
                == Holiday(
                    date: try date("2026-12-24"), name: "Julafton", kind: .deFacto
                ))
        #expect(calendar.adding(workingDays: 1, to: try date("2026-12-23")) == (try date("2026-12-28")))
        #expect(calendar.adding(workingDays: 3, to: try date("2026-12-28")) == (try date("2027-01-04")))
        #expect(calendar.isWorkingDay(try date("2027-01-05")))
        #expect(!calendar.isWorkingDay(try date("2026-06-19")))  // midsommarafton
        #expect(calendar.isWorkingDay(try date("2026-06-18")))
        #expect(calendar.holiday(on: try date("2026-06-18")) == nil)
    }

    @Test func countingRule() throws {
        let friday = try date("2026-03-06"), saturday = try date("2026-03-07"), monday = try date("2026-03-09")
        #expect(friday.weekday == .friday)
        #expect(calendar.adding(workingDays: 1, to: friday) == monday)
        #expect(calendar.adding(workingDays: 0, to: friday) == friday)
        #expect(calendar.adding(workingDays: 0, to: saturday) == monday)
        #expect(calendar.adding(workingDays: 1, to: saturday) == monday)
        #expect(calendar.adding(workingDays: -1, to: saturday) == friday)
        #expect(calendar.adding(workingDays: -1, to: monday) == friday)
        #expect(calendar.adding(workingDays: 5, to: friday) == (try date("2026-03-13")))
        #expect(calendar.adding(workingDays: -10, to: monday) == (try date("2026-02-23")))
        #expect(calendar.workingDays(from: friday, through: monday) == 2)
        #expect(calendar.workingDays(from: monday, through: friday) == 0)
    }

    @Test func addingThenSubtractingGivesTheWorkingDayOnOrBefore() {
        let start = LocalDate.firstOfYear(2026)
        for offset in 0..<730 {
            let day = start.adding(days: offset)
            for n in [1, 3, 10, 25] {
                let later = calendar.adding(workingDays: n, to: day)
                #expect(calendar.isWorkingDay(later))
                #expect(calendar.adding(workingDays: -n, to: later) == calendar.workingDay(onOrBefore: day))
                #expect(calendar.workingDays(from: day.adding(days: 1), through: later) == n)
            }
        }
    }

    @Test func extraClosedDays() throws {
        let closed = try date("2026-03-09")
        let municipal = WorkingCalendar(years: 2026...2026, extraClosedDays: [closed, try date("2031-03-10")])
        #expect(!municipal.isWorkingDay(closed))
        #expect(municipal.holiday(on: closed) == nil)
        #expect(municipal.adding(workingDays: 1, to: try date("2026-03-06")) == (try date("2026-03-10")))
        #expect(!municipal.isWorkingDay(try date("2031-03-10")))  // outside the precomputed years
        #expect(calendar.isWorkingDay(closed))
    }

    @Test func precomputedAndComputedAgree() {
        let narrow = WorkingCalendar(years: 2026...2026)
        var day = LocalDate.firstOfYear(2018)
        while day.year <= 2034 {
            #expect(narrow.isWorkingDay(day) == calendar.isWorkingDay(day), "\(day)")
            #expect(narrow.holidays(on: day) == calendar.holidays(on: day), "\(day)")
            day = day.adding(days: 1)
        }
    }

    @Test func workingDayMeansNoWeekendAndNoHoliday() {
        var closed = Set<LocalDate>()
        for year in 1990...2100 { closed.formUnion(SwedishHolidays.holidays(in: year).map(\.date)) }
        var day = LocalDate.firstOfYear(1990)
        while day.year <= 2100 {
            #expect(calendar.isWorkingDay(day) == (!day.weekday.isWeekend && !closed.contains(day)), "\(day)")
            day = day.adding(days: 1)
        }
    }

    @Test func edgesOfTheSupportedYears() throws {
        let all = WorkingCalendar(years: 1...9999)
        #expect(all.years == 1...9999)
        #expect(!all.isWorkingDay(try date("0001-01-01")))  // nyårsdagen
        #expect(all.isWorkingDay(try date("0001-01-02")))  // a Tuesday
        #expect(!all.isWorkingDay(try date("9999-12-31")))  // nyårsafton
        #expect(all.workingDay(onOrBefore: try date("9999-12-31")) == (try date("9999-12-30")))
    }
}

// MARK: - Terms

@Suite struct TermsTests {
    @Test func standardTerms() throws {
        let terms = TermRules.standard.terms(in: 2027)
        #expect(terms.map(\.id) == ["2027-spring", "2027-autumn"])
        let spring = Term(year: 2027, season: .spring, start: try date("2027-01-08"), end: try date("2027-06-15"))
        let autumn = Term(year: 2027, season: .autumn, start: try date("2027-08-15"), end: try date("2027-12-20"))
        #expect(terms == [spring, autumn])
        #expect(spring.description == "2027-spring (2027-01-08–2027-06-15)")
    }

    @Test(
        arguments: [
            ("2027-01-07", nil), ("2027-01-08", "2027-spring"), ("2027-06-15", "2027-spring"), ("2027-06-16", nil),
            ("2027-08-14", nil), ("2027-08-15", "2027-autumn"), ("2027-12-20", "2027-autumn"), ("2027-12-21", nil),
        ] as [(String, String?)])
    func termContaining(day: String, termID: String?) throws {
        #expect(TermRules.standard.term(containing: try date(day))?.id == termID)
    }

    @Test func customRules() throws {
        let rules = try TermRules(
            springStart: try #require(MonthDay(iso: "01-10")), springEnd: try #require(MonthDay(iso: "06-12")),
            autumnStart: try #require(MonthDay(iso: "08-20")), autumnEnd: try #require(MonthDay(iso: "12-21"))
        )
        #expect(rules.term(containing: try date("2028-08-19")) == nil)
        #expect(rules.term(containing: try date("2028-08-20"))?.id == "2028-autumn")
        #expect(rules != TermRules.standard)
    }

    @Test func invalidRulesAreRejectedWithAMessage() throws {
        let jan8 = try #require(MonthDay(month: 1, day: 8)), jun15 = try #require(MonthDay(month: 6, day: 15))
        let aug15 = try #require(MonthDay(month: 8, day: 15)), dec20 = try #require(MonthDay(month: 12, day: 20))
        let overlap = #expect(throws: TermRulesError.self) {
            try TermRules(springStart: jan8, springEnd: aug15, autumnStart: jun15, autumnEnd: dec20)
        }
        #expect(overlap?.message.contains("spring term") == true)
        #expect(throws: TermRulesError.self) {
            try TermRules(springStart: jan8, springEnd: jun15, autumnStart: jun15, autumnEnd: dec20)
        }
        #expect(throws: TermRulesError.self) {
            try TermRules(springStart: jun15, springEnd: jan8, autumnStart: aug15, autumnEnd: dec20)
        }
        #expect(throws: TermRulesError.self) {
            try TermRules(springStart: jan8, springEnd: jun15, autumnStart: dec20, autumnEnd: aug15)
        }
    }

    @Test func monthDay() throws {
        #expect(MonthDay(month: 2, day: 30) == nil)
        #expect(MonthDay(month: 13, day: 1) == nil)
        #expect(MonthDay(iso: "8-15") == nil)
        let leap = try #require(MonthDay(iso: "02-29"))
        #expect(leap.date(in: 2027) == (try date("2027-02-28")))
        #expect(leap.date(in: 2028) == (try date("2028-02-29")))
        #expect(try #require(MonthDay(iso: "08-15")).description == "08-15")
        #expect(try #require(MonthDay(month: 1, day: 31)) < (try #require(MonthDay(month: 2, day: 1))))
    }
}
