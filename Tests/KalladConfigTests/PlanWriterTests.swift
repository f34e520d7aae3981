import Foundation
import KalladCore
import Testing

@testable import KalladConfig

@Suite("kallad plan output written back")
struct PlanWriterTests {
    @Test("proposed dates, written back as an explicit plan, give the same meetings")
    func roundTrip() throws {
        let yaml = """
            parties: [{id: region, name: Regionen, kind: region}]
            people: [{id: anna, name: Anna Ek, email: anna@example.se}]
            offices: [{id: chef, title: Chef, party: region, holder: anna}]
            bodies:
              - id: grupp
                name: Gruppen
                kind: network
                members: [{office: chef}]
                convener: {seat: chef}
                chair: {same_as: convener}
                secretary: {same_as: convener}
                cadence: [{at_least: 2, per: term}]
                schedule:
                  weekdays: [WE]

            """
        let proposed = try #require(ConfigLoader.load(files: [(name: "a.yaml", data: Data(yaml.utf8))]).registry)
        let dates =
            Scheduler(registry: proposed, years: 2028...2028).schedule(years: 2028...2028)
            .byBody["grupp"]?.map(\.date) ?? []
        #expect(dates.count == 4)
        let written = yaml + PlanWriter.render(year: 2028, dates: dates, indent: 6)
        let loaded = ConfigLoader.load(files: [(name: "a.yaml", data: Data(written.utf8))])
        let explicit = try #require(loaded.registry, "\(loaded.diagnostics)")
        let meetings =
            Scheduler(registry: explicit, years: 2028...2028).schedule(years: 2028...2028)
            .byBody["grupp"] ?? []
        #expect(meetings.map(\.date) == dates)
        #expect(meetings.allSatisfy { $0.source == .plan })
    }
}
