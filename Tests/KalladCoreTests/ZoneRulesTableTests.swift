import Testing

@testable import KalladCore

@Suite("Zone rules: summer time bounds worked out once per year")
struct ZoneRulesTableTests {
    @Test("The tabulated bounds are the computed ones, and the offset around every change is the year's")
    func tableMatchesComputation() {
        let zone = ZoneRules.stockholm
        for year in ZoneRules.tabulatedYears {
            let bounds = ZoneRules.computedSummerBounds(year: year)
            #expect(zone.summerBounds(year: year) == bounds)
            // A second either side of each change, and the turns of the year.
            for (t, summer) in [
                (bounds.start - 1, false), (bounds.start, true), (bounds.end - 1, true), (bounds.end, false),
            ] {
                #expect(zone.offset(at: Instant(secondsSinceEpoch: t)) == (summer ? 7200 : 3600), "\(year) \(t)")
            }
            let newYear = Int64(LocalDate.firstOfYear(year).dayNumber) * 86_400
            #expect(zone.offset(at: Instant(secondsSinceEpoch: newYear)) == 3600)
            #expect(zone.offset(at: Instant(secondsSinceEpoch: newYear - 1)) == 3600)
        }
        // Outside the table: worked out when asked.
        let far = ZoneRules.computedSummerBounds(year: 2500)
        #expect(zone.offset(at: Instant(secondsSinceEpoch: far.start)) == 7200)
        #expect(zone.offset(at: Instant(secondsSinceEpoch: far.start - 1)) == 3600)
        let early = ZoneRules.computedSummerBounds(year: 1960)
        #expect(zone.offset(at: Instant(secondsSinceEpoch: early.end - 1)) == 7200)
    }
}
