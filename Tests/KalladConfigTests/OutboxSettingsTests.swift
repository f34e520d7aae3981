import Foundation
import KalladConfig
import KalladCore
import Testing

@Suite("settings.outbox")
struct OutboxSettingsTests {
    func load(_ outbox: String) -> LoadResult {
        let text = """
            settings:
              outbox:
            \(outbox)
            parties:
              - {id: region, name: Regionen, kind: region}

            """
        return ConfigLoader.load(files: [(name: "kallad.yaml", data: Data(text.utf8))])
    }

    @Test("every key read, durations in seconds")
    func valid() throws {
        let result = load(
            """
                database: /var/lib/kallad/outbox.sqlite
                retry_ladder: [30s, 2m, 1h, 1d]
                jitter: 0.2
                summons_deadline: 2d
                minutes_reminder_deadline: 5d
                retention: 90d
                catch_up: 12h
                connections: 3
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let outbox = try #require(result.registry).settings.outbox
        #expect(outbox.database == "/var/lib/kallad/outbox.sqlite")
        #expect(outbox.retry.ladder == [30, 120, 3600, 86_400])
        #expect(outbox.retry.jitter == 0.2)
        #expect(outbox.retry.summonsDeadline == 172_800 && outbox.retry.minutesReminderDeadline == 432_000)
        #expect(outbox.retention == 7_776_000 && outbox.catchUp == 43_200 && outbox.connections == 3)
    }

    @Test("a bad value names its place and what to write instead", arguments: [
        ("    retry_ladder: [1m, soon]", "kallad.yaml:3:24", "not a duration"),
        ("    retry_ladder: []", "kallad.yaml:3:5", "empty"),
        ("    jitter: 2", "kallad.yaml:3:13", "fraction"),
        ("    retention: 1h", "kallad.yaml:3:16", "too short"),
        ("    connections: 0", "kallad.yaml:3:18", "must be 1–50"),
        ("    retry: [1m]", "kallad.yaml:3:5", "unknown key"),
    ])
    func invalid(line: String, place: String, words: String) {
        let result = load(line)
        #expect(result.registry == nil)
        let error = result.diagnostics.first { $0.severity == .error }
        #expect(error.map { "\($0.location?.file ?? ""):\($0.location?.line ?? 0):\($0.location?.column ?? 0)" } == place,
                "\(result.diagnostics)")
        #expect(error?.description.contains(words) == true, "\(String(describing: error?.description))")
    }
}
