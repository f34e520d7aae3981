import Foundation
import KalladCore
import KalladTestSupport
import Testing

/// Compares ``ZoneRules`` with the tz database (Python's `zoneinfo`) for 1996–2100, in one call.
@Suite struct ZoneRulesOracleTests {
    static let years = 1996...2100

    struct Request: Encodable {
        struct Zone: Encodable {
            let zone: String
            let transitionYears: [Int]
            let instants: [Int64]
            let locals: [[Int]]
        }

        let zones: [Zone]
    }

    struct Reply: Decodable {
        struct Zone: Decodable {
            let transitions: [[Int64]]
            let offsets: [Int]
            let walls: [[Int]]
            let instants: [Int64]
            let odd: [Bool]
        }

        let tzdata: String
        let zones: [Zone]
    }

    /// Where `rules.offset(at:)` changes, found by scanning day by day and bisecting to the second:
    /// `[instant of the change, offset before, offset after]`, the oracle's format.
    static func transitions(_ rules: ZoneRules, years: ClosedRange<Int>) -> [[Int64]] {
        var found: [[Int64]] = []
        var day = Int64(LocalDate.firstOfYear(years.lowerBound).dayNumber) * 86_400
        let end = Int64(LocalDate.firstOfYear(years.upperBound + 1).dayNumber) * 86_400
        func offset(_ t: Int64) -> Int { rules.offset(at: Instant(secondsSinceEpoch: t)) }
        var before = offset(day)
        while day < end {
            let after = offset(day + 86_400)
            if before != after {
                var low = day, high = day + 86_400
                while high - low > 1 {
                    let mid = (low + high) / 2
                    if offset(mid) == before { low = mid } else { high = mid }
                }
                found.append([high, Int64(before), Int64(after)])
            }
            before = after
            day += 86_400
        }
        return found
    }

    static func times(_ texts: [String]) -> [LocalTime] { texts.compactMap { LocalTime(iso: $0) } }

    /// Times checked on every day of the full years: around the 02:00–03:00 gap and overlap, and ordinary ones.
    static let everyDayTimes = times(["00:00", "01:59", "02:00", "02:30", "02:59", "03:00", "03:59", "12:00", "23:59"])
    /// Times checked on every transition day: each quarter hour to 05:00, the last minute of each hour, and more.
    static let transitionDayTimes: [LocalTime] =
        (0..<20).compactMap { LocalTime(hour: $0 / 4, minute: $0 % 4 * 15) }
        + (0..<5).compactMap { LocalTime(hour: $0, minute: 59) } + times(["05:00", "12:00", "23:59"])

    struct Case {
        let rules: ZoneRules
        let transitions: [[Int64]]
        let instants: [Int64]
        let locals: [LocalDateTime]
    }

    /// Instants and local times to ask about for one zone.
    static func makeCase(_ rules: ZoneRules, fullYears: [Int]) -> Case {
        var instants: [Int64] = []
        var locals: [LocalDateTime] = []
        var transitionDays = Set<LocalDate>()
        let transitions = transitions(rules, years: years)
        for transition in transitions {
            for delta: Int64 in [-3601, -3600, -1, 0, 1, 3599, 3600] { instants.append(transition[0] + delta) }
            let local = rules.local(Instant(secondsSinceEpoch: transition[0]))
            transitionDays.insert(local.date)
        }
        // The last Sundays of March and October, whether or not the zone changes on them.
        for year in years {
            for month in [3, 10] {
                let last = LocalDate(year: year, month: month, day: 31) ?? LocalDate.firstOfYear(year)
                transitionDays.insert(last.adding(days: -((last.weekday.index + 1) % 7)))
            }
        }
        for day in transitionDays.sorted() {
            locals += transitionDayTimes.map { LocalDateTime(day, $0) }
        }
        for year in fullYears {
            var day = LocalDate.firstOfYear(year)
            while day.year == year {
                locals += everyDayTimes.map { LocalDateTime(day, $0) }
                let midnight = Int64(day.dayNumber) * 86_400
                instants += [0, 3599, 3600, 43_200, 82_800, 86_399].map { midnight + $0 }
                day = day.adding(days: 1)
            }
        }
        return Case(rules: rules, transitions: transitions, instants: instants, locals: locals)
    }

    /// `1996-03-31T01:00:00Z 3600→7200`.
    static func transition(_ t: [Int64]) -> String {
        "\(Instant(secondsSinceEpoch: t[0])) \(t.dropFirst().map(String.init).joined(separator: "→"))"
    }

    static func parts(_ local: LocalDateTime) -> [Int] {
        [local.date.year, local.date.month, local.date.day, local.time.hour, local.time.minute]
    }

    @Test func knownZonesMatchTheTzDatabase() throws {
        let cases = ZoneRules.known.keys.sorted().compactMap { name -> Case? in
            guard let rules = ZoneRules.known[name] else { return nil }
            let full = name == "Europe/Stockholm" ? [1996, 2000, 2027, 2038, 2100] : [2027]
            return Self.makeCase(rules, fullYears: full)
        }
        let request = Request(
            zones: cases.map {
                Request.Zone(
                    zone: $0.rules.identifier, transitionYears: [Self.years.lowerBound, Self.years.upperBound],
                    instants: $0.instants, locals: $0.locals.map(Self.parts)
                )
            })
        let output = try Oracle.run("zone_oracle.py", input: try JSONEncoder().encode(request))
        let reply = try JSONDecoder().decode(Reply.self, from: output)
        try #require(reply.zones.count == cases.count)

        for (test, tz) in zip(cases, reply.zones) {
            let rules = test.rules, name = rules.identifier
            var mismatches: [String] = []
            func note(_ text: String) { if mismatches.count < 20 { mismatches.append(text) } }

            let ours = test.transitions
            let onlyOurs = ours.filter { !tz.transitions.contains($0) }.prefix(5).map(Self.transition)
            let onlyTheirs = tz.transitions.filter { !ours.contains($0) }.prefix(5).map(Self.transition)
            if ours != tz.transitions {
                Issue.record("\(name) transitions: only Kallad \(onlyOurs), only tz \(onlyTheirs)")
            }
            if name != "UTC" { #expect(ours.count == 2 * Self.years.count, "\(name): two a year") }

            for (i, t) in test.instants.enumerated() {
                let instant = Instant(secondsSinceEpoch: t)
                if rules.offset(at: instant) != tz.offsets[i] {
                    note("offset at \(instant): Kallad \(rules.offset(at: instant)), tz \(tz.offsets[i])")
                }
                if Self.parts(rules.local(instant)) != tz.walls[i] {
                    note("wall clock at \(instant): Kallad \(rules.local(instant)), tz \(tz.walls[i])")
                }
            }
            for (i, local) in test.locals.enumerated() {
                let instant = rules.instant(of: local)
                if instant.secondsSinceEpoch != tz.instants[i] {
                    note("\(local): Kallad \(instant), tz \(Instant(secondsSinceEpoch: tz.instants[i]))")
                }
                if rules.isAmbiguousOrMissing(local) != tz.odd[i] {
                    note("\(local): Kallad isAmbiguousOrMissing \(rules.isAmbiguousOrMissing(local)), tz \(tz.odd[i])")
                }
            }
            #expect(test.locals.count == tz.instants.count && test.instants.count == tz.offsets.count)
            if !mismatches.isEmpty {
                Issue.record("\(name) vs tzdata \(reply.tzdata):\n\(mismatches.joined(separator: "\n"))")
            }
        }
    }

    @Test func skippedAndRepeatedTimesIn2027() throws {
        let stockholm = ZoneRules.stockholm
        func at(_ day: String, _ time: String) throws -> LocalDateTime {
            LocalDateTime(try #require(LocalDate(iso: day)), try #require(LocalTime(iso: time)))
        }
        #expect(stockholm.isAmbiguousOrMissing(try at("2027-03-28", "02:30")))
        #expect(stockholm.isAmbiguousOrMissing(try at("2027-10-31", "02:30")))
        #expect(stockholm.isAmbiguousOrMissing(try at("2027-03-28", "02:00")))
        #expect(stockholm.isAmbiguousOrMissing(try at("2027-10-31", "02:59")))
        for (day, time) in [
            ("2027-03-28", "01:59"), ("2027-03-28", "03:00"), ("2027-10-31", "01:59"),
            ("2027-10-31", "03:00"), ("2027-03-27", "02:30"), ("2027-10-30", "02:30"),
        ] {
            #expect(!stockholm.isAmbiguousOrMissing(try at(day, time)), "\(day) \(time)")
        }
        // The first of the repeated 02:30 (summer time), and the skipped 02:30 read with the winter offset.
        #expect(stockholm.iso8601(stockholm.instant(of: try at("2027-10-31", "02:30"))) == "2027-10-31T02:30:00+02:00")
        #expect(stockholm.instant(of: try at("2027-10-31", "02:30")).description == "2027-10-31T00:30:00Z")
        #expect(stockholm.instant(of: try at("2027-03-28", "02:30")).description == "2027-03-28T01:30:00Z")
    }
}
