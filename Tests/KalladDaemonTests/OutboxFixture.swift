import Foundation
import KalladCompose
import KalladConfig
import KalladCore
import KalladDaemon
import KalladStore
import KalladTestSupport

/// A small network with a convener, two members (one with a substitute) and a secretary, meeting on explicit
/// dates, loaded through the real configuration loader.
enum OutboxFixture {
    static func yaml(dates: [String], sendAt: String = "08:00", reminderDays: Int = 2, extra: String = "") -> String {
        """
        settings:
          time_zone: Europe/Stockholm
          language: sv
          notifications: {send_at: "\(sendAt)", reminder_days: \(reminderDays)}
          delivery: {transport: folder, folder: out/test, service_address: kallad@example.se}
        \(extra)
        parties:
          - {id: region, name: Regionen, kind: region}
          - {id: kommun, name: Kommunen, kind: municipality}
        people:
          - {id: anna, name: Anna Andersson, email: anna@example.se}
          - {id: bo, name: Bo Berg, email: bo@example.se}
          - {id: cia, name: Cia Ek, email: cia@example.se}
          - {id: dan, name: Dan Dahl, email: dan@example.se}
        offices:
          - {id: chef-region, title: Närsjukvårdschef, party: region, holder: anna}
          - {id: chef-kommun, title: Socialchef, party: kommun, holder: bo}
          - {id: chef-kommun-ers, title: Biträdande socialchef, party: kommun, holder: cia}
          - {id: samordnare, title: Samordnare, party: region, holder: dan}
        bodies:
          - id: natverk
            name: Testnätverket
            kind: network
            hours: "10:00-12:00"
            location: Regionhuset
            members:
              - {office: chef-region}
              - {office: chef-kommun, substitute_office: chef-kommun-ers}
              - {office: samordnare}
            convener: {seat: chef-region}
            chair: {seat: chef-region}
            secretary: {seat: samordnare}
            schedule:
              plan:
                2027: [\(dates.joined(separator: ", "))]
        """
    }

    /// The registry of `yaml`, or the loader's errors as a thrown failure.
    static func registry(_ text: String) throws -> Registry {
        let result = ConfigLoader.load(files: [(name: "test.yaml", data: Data(text.utf8))])
        guard let registry = result.registry else {
            throw TestServer.Failure(description: result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return registry
    }

    static var composer: Composer {
        get throws { try TemplateFiles.load(config: Oracle.packageRoot.appendingPathComponent("Config").path) }
    }

    static func instant(_ local: String, zone: ZoneRules = .stockholm) -> Instant {
        let parts = local.split(separator: "T")
        let date = LocalDate(iso: parts[0])!  // safe: test literal
        let time = parts.count > 1 ? LocalTime(iso: parts[1])! : .midnight  // safe: test literal
        return zone.instant(of: LocalDateTime(date, time))
    }
}

/// A virtual clock the test moves, shared with the dispatcher's `now` closure.
final class VirtualClock: @unchecked Sendable {
    // Safe: only the test's own task reads and moves it (the dispatcher calls `now` from that task's children,
    // which run while the test awaits them).
    var now: Instant
    init(_ now: Instant) { self.now = now }
}

/// Drives a planner tick and a dispatcher on a virtual clock from `from` to `to`: a tick every `step` seconds, and
/// the dispatcher at each delivery's next attempt time in between. `between` runs before each step.
func drive(
    tick: PlannerTick, dispatcher: Dispatcher, store: any OutboxStore, from: Instant, to: Instant,
    step: Int64 = 3600, between: (Instant) -> Void = { _ in }
) async throws {
    let clock = VirtualClock(from)
    while clock.now < to {
        between(clock.now)
        let end = min(to, clock.now.adding(seconds: step))
        _ = try tick.run(store: store, now: clock.now, lookahead: step)
        while let next = try store.nextAttempt(), next < end {
            clock.now = max(clock.now, next)
            between(clock.now)
            let report = try await dispatcher.dispatch(store: store, now: { [clock] in clock.now })
            if report.outcomes.keys.contains(where: { $0 != "delivered" && $0 != "transient" }) {
                _ = try tick.run(store: store, now: clock.now, lookahead: end.secondsSinceEpoch - clock.now.secondsSinceEpoch)
            }
        }
        clock.now = end
    }
}
