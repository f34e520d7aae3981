import Foundation
import KalladCore
import Testing

@testable import KalladConfig

@Suite("The bundled Config/")
struct ShippedConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let loaded = ConfigLoader.load(directory: root.appendingPathComponent("Config").path)

    @Test("loads without errors or warnings")
    func loads() throws {
        let errors = Self.loaded.diagnostics.map(\.description)
        #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
        #expect(Self.loaded.registry != nil)
    }

    @Test("ships every body of the seeds with the ids the issue names")
    func ids() throws {
        let registry = try #require(Self.loaded.registry)
        let required = [
            "norrbotten-psb", "norrbotten-lsg", "norrbotten-lsg-au", "norrbotten-samverkansforum",
            "norrbotten-lansdel-boden-lulea", "norrbotten-lansdel-norra", "norrbotten-lansdel-pite-alvdal",
            "norrbotten-lansdel-ostra", "kiruna-gallivare-lansdelssamverkan", "stockholm-lokal-norrtalje",
            "jonkoping-lako-t", "jonkoping-strategi-aldreomsorg", "jonkoping-strategi-psykiatri",
            "jonkoping-natverk-trepart",
        ]
        // (A Bool first: `#expect(optionalStruct != nil)` crashed in Swift Testing's expansion here.)
        let missing = required.filter { registry.body($0) == nil }
        #expect(missing.isEmpty, "missing \(missing)")
        let stockholm = registry.bodies.filter { $0.id.hasPrefix("stockholm-lokal-") }
        #expect(stockholm.count >= 4)
        // R16: in Norrtälje the joint authority convenes.
        let norrtalje = try #require(registry.body("stockholm-lokal-norrtalje"))
        guard case .seat(let seat) = norrtalje.convener else { Issue.record("KSON should convene"); return }
        #expect(registry.parties[norrtalje.seat(seat)?.party ?? ""]?.kind == .jointAuthority)
        // R18: the four länsdelar and their municipalities.
        #expect(
            registry.areas.values.filter { $0.id.hasPrefix("norrbotten-") }.map(\.parties.count).sorted()
                == [2, 4, 4, 4])
        // Fictitious addresses only.
        #expect(
            registry.people.values.allSatisfy { $0.email.hasSuffix(".example.se") || $0.email.hasSuffix("example.org") }
        )
    }

    @Test("meets every rule in every year 2026–2035", arguments: 2026...2035)
    func everyYear(year: Int) throws {
        let registry = try #require(Self.loaded.registry)
        let scheduler = Scheduler(registry: registry, years: year...year)
        let schedule = scheduler.schedule(years: year...year)
        let checker = RuleChecker(registry: registry, calendar: scheduler.calendar)
        let problems = schedule.diagnostics + checker.check(year: year, schedule: schedule) + checker.checkComposition()
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
        // Every body meets in every year (the temporary working group only while it exists).
        for body in registry.bodies where body.isActive(on: LocalDate(year: year, month: 6, day: 1)!) {
            #expect(!(schedule.byBody[body.id] ?? []).isEmpty, "\(body.id) has no meetings in \(year)")
        }
        // The steering group alternates its chair between region and municipalities year by year (R6).
        let lsg = try #require(schedule.byBody["norrbotten-lsg"]?.first)
        let chair = RoleResolver(registry: registry, schedule: schedule).holder(of: .chair, at: lsg)
        #expect(chair?.party == (year % 2 == 0 ? "region-norrbotten" : "lulea"))
    }
}
