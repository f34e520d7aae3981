import Foundation
import HTTPTypes
import Hummingbird
import KalladCompose
import KalladConfig
import KalladCore
import KalladTestSupport
import Logging
import Synchronization

@testable import KalladDaemon

/// A trigger inbox in memory that counts what it recorded, for checking that refused requests change nothing.
actor RecordingInbox: TriggerInbox {
    private(set) var triggers: [InboundTrigger] = []
    private var ids: Set<String> = []
    var failing = false

    func record(_ trigger: InboundTrigger) throws -> TriggerAcceptance {
        guard ids.insert(trigger.id).inserted else { return .duplicate }
        triggers.append(trigger)
        return .accepted
    }

    func overlay() throws -> Overlay {
        if failing { throw DaemonError(code: "test.down", message: "store down", place: "test") }
        return Overlay(changes: triggers.flatMap(\.changes))
    }

    func deliveries(meeting: String) -> [DeliveryReport] {
        [
            DeliveryReport(
                id: 1, notificationKey: "\(meeting)/summons/0", meeting: meeting, body: "norrbotten-lsg",
                kind: "summons", channel: "email", recipient: "a@example.se", state: "delivered", attempts: 1,
                lastReply: "250 ok", due: "2027-01-28T07:00:00Z", updated: "2027-01-28T07:00:01Z")
        ]
    }

    func setFailing(_ value: Bool) { failing = value }
}

/// Log lines kept in memory (tests never bootstrap logging).
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func logger() -> Logger {
        Logger(label: "test") { label in LogfmtHandler(label: label, level: .debug, sink: { line in self.append(line) })
        }
    }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

enum Fixture {
    /// 2026-11-23T09:00:00Z.
    static let now = Instant(secondsSinceEpoch: 1_795_424_400)
    static let caseSecret = "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()
    static let deviationSecret = "whsec_" + Data(repeating: 9, count: 24).base64EncodedString()
    static let readToken = "read-token-0123456789"
    /// A meeting of norrbotten-lsg after `now`.
    static let meeting = "norrbotten-lsg/2027-02-11"

    static let registry: Registry = {
        let result = ConfigLoader.load(directory: Oracle.packageRoot.appendingPathComponent("Config").path)
        return result.registry ?? Registry()
    }()

    static func config() -> LoadedConfig {
        var registry = registry
        registry.settings.service = ServiceSettings(
            host: "127.0.0.1", port: 0,
            systems: [
                SendingSystem(name: "arende", secretFiles: ["case"], bodies: ["norrbotten-lsg", "norrbotten-lsg-au"]),
                SendingSystem(
                    name: "avvikelser", secretFiles: ["deviation"], bodies: ["jonkoping-natverk-trepart"],
                    deviationBody: "jonkoping-natverk-trepart"),
            ], readTokenFile: "token")
        let secrets = ["case": caseSecret, "deviation": deviationSecret, "token": readToken]
        let made = LoadedConfig.make(registry: registry, now: now) { name in
            secrets[name].map { .success($0) } ?? .failure(DaemonError(code: "x", message: "missing", place: name))
        }
        guard case .success(var loaded) = made else {
            return LoadedConfig(registry: registry, systemSecrets: [:], readToken: nil, loadedAt: now)
        }
        loaded.generation = 1
        return loaded
    }

    static func services(inbox: RecordingInbox, clock: Instant = now, logs: LogCapture = LogCapture()) -> DaemonServices
    {
        DaemonServices(
            config: ConfigHolder(loaded: config()), inbox: inbox, metrics: KalladMetrics.registry(),
            clock: { clock }, logger: logs.logger())
    }

    static func app(_ services: DaemonServices) -> some ApplicationProtocol {
        Application(router: DaemonRouter.build(services))
    }

    /// The app as `kallad run` serves it: triggers answered on the event loop where they can be (test it `.live`).
    static func server(_ services: DaemonServices) -> some ApplicationProtocol {
        Application(
            router: DaemonRouter.build(services), server: DaemonRouter.server(services),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Headers of a request signed with `secret`.
    static func signed(
        _ body: String, id: String = UUID().uuidString, secret: String = caseSecret, timestamp: Int64? = nil,
        system: String? = nil
    ) -> HTTPFields {
        let time = timestamp ?? now.secondsSinceEpoch
        var fields: HTTPFields = [.contentType: "application/json"]
        fields[HTTPField.Name("webhook-id")!] = id
        fields[HTTPField.Name("webhook-timestamp")!] = String(time)
        fields[HTTPField.Name("webhook-signature")!] =
            (try? WebhookSignature.sign(id: id, timestamp: time, body: body, secrets: [secret])) ?? ""
        if let system { fields[HTTPField.Name("kallad-system")!] = system }
        return fields
    }

    static func trigger(_ type: String, _ data: String) -> String {
        "{\"type\":\"\(type)\",\"timestamp\":\"2026-11-23T09:00:00Z\",\"data\":\(data)}"
    }

    static func agendaItem(_ meeting: String = meeting) -> String {
        trigger("agenda.item.added", "{\"meeting\":\"\(meeting)\",\"title\":\"Budget 2027\"}")
    }
}
