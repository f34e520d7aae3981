import Foundation
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladDaemon

@Suite("ConfigHolder")
struct ConfigHolderTests {
    /// A copy of Config/ with test secrets in a temporary folder.
    func workspace() throws -> (String, String) {
        let root = NSTemporaryDirectory() + "kallad-holder-\(UUID().uuidString)"
        let config = root + "/config"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Oracle.packageRoot.appendingPathComponent("Config").path, toPath: config)
        for name in ["kallad-webhook-arendesystem", "kallad-webhook-avvikelser"] {
            try Fixture.caseSecret.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
        }
        try Fixture.readToken.write(toFile: root + "/kallad-read-token", atomically: true, encoding: .utf8)
        return (root, config)
    }

    @Test("a valid folder is swapped in; a broken one is refused with the reason and the old one stays")
    func reload() async throws {
        let (root, config) = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let metrics = KalladMetrics.registry()
        let holder = ConfigHolder(
            directory: config, metrics: metrics, clock: { Fixture.now },
            readSecret: { SecretFiles.read($0, credentialsDirectory: root) })
        #expect(await holder.reload() == .applied(warnings: 0))
        let first = try #require(holder.current)
        #expect(first.systemSecrets["arendesystem-exempel"] == [Fixture.caseSecret])
        #expect(first.readToken == Fixture.readToken)
        #expect(metrics.value(KalladMetrics.configReloadSuccessful) == 1)

        let file = config + "/kallad.yaml"
        let good = try String(contentsOfFile: file, encoding: .utf8)
        try good.replacingOccurrences(of: "log_level: info", with: "log_level: loud")
            .write(toFile: file, atomically: true, encoding: .utf8)
        guard case .refused(let reason) = await holder.reload() else {
            Issue.record("a broken configuration was applied")
            return
        }
        #expect(reason.contains("kallad.yaml:") && reason.contains("log_level"))
        #expect(holder.current?.generation == first.generation)
        #expect(holder.lastRefusal == reason)
        #expect(metrics.value(KalladMetrics.configReloadSuccessful) == 0)

        try good.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: root + "/kallad-webhook-avvikelser")
        guard case .refused(let missing) = await holder.reload() else {
            Issue.record("a configuration with a missing secret was applied")
            return
        }
        #expect(missing.contains("secret.missing") && missing.contains("kallad-webhook-avvikelser"))
        #expect(!missing.contains(Fixture.caseSecret))

        try "not a secret".write(toFile: root + "/kallad-webhook-avvikelser", atomically: true, encoding: .utf8)
        guard case .refused(let format) = await holder.reload() else {
            Issue.record("a configuration with a malformed secret was applied")
            return
        }
        #expect(format.contains("secret.format"))

        try Fixture.deviationSecret.write(
            toFile: root + "/kallad-webhook-avvikelser", atomically: true, encoding: .utf8)
        #expect(await holder.reload() == .applied(warnings: 0))
        #expect(holder.current?.generation == first.generation + 1)
        #expect(holder.lastRefusal == nil)
    }
}
