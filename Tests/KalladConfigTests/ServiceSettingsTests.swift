import Foundation
import KalladCore
import Testing

@testable import KalladConfig

@Suite("settings.service")
struct ServiceSettingsTests {
    /// The bundled Config/ with kallad.yaml's `service:` block replaced by `service` (indented 4 spaces).
    func load(_ service: String) -> LoadResult {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config")
        var files: [(name: String, data: Data)] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.sorted() ?? []
        where name.hasSuffix(".yaml") {
            guard var text = try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8) else {
                continue
            }
            if name == "kallad.yaml" {
                var lines = text.components(separatedBy: "\n")
                if let start = lines.firstIndex(of: "  service:") {
                    var end = start + 1
                    while end < lines.count && (lines[end].hasPrefix("    ") || lines[end].isEmpty) { end += 1 }
                    lines.replaceSubrange((start + 1)..<end, with: service.components(separatedBy: "\n"))
                }
                text = lines.joined(separator: "\n")
            }
            files.append((name, Data(text.utf8)))
        }
        return ConfigLoader.load(files: files)
    }

    @Test("a full block is read into ServiceSettings")
    func reads() throws {
        let result = load(
            """
                listen: "[::1]:9000"
                log_level: debug
                read_token_file: token
                deviation_body: norrbotten-lsg
                systems:
                  - {name: arende, secret_files: [a, b], bodies: [norrbotten-lsg]}
                  - {name: all, secret_files: c, bodies: ["*"], deviation_body: norrbotten-lsg}
            """)
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
        let service = try #require(result.registry?.settings.service)
        #expect(service.host == "::1" && service.port == 9000)
        #expect(
            service.logLevel == "debug" && service.readTokenFile == "token" && service.deviationBody == "norrbotten-lsg"
        )
        #expect(service.systems.map(\.name) == ["arende", "all"])
        #expect(service.systems[0].secretFiles == ["a", "b"] && service.systems[0].bodies == ["norrbotten-lsg"])
        #expect(service.systems[1].bodies == nil && service.systems[1].mayTouch(body: "anything"))
        #expect(!service.systems[0].mayTouch(body: "other"))
    }

    @Test("defaults: 127.0.0.1:8470, info, no systems")
    func defaults() {
        let service = ServiceSettings()
        #expect(service.host == "127.0.0.1" && service.port == 8470 && service.logLevel == "info")
        #expect(service.systems.isEmpty && service.readTokenFile == nil)
    }

    @Test("problems are reported at file:line:column with a hint")
    func problems() {
        let result = load(
            """
                listen: localhost
                log_level: loud
                systems:
                  - {name: a, secret_files: [s], bodies: [norrbotten-lgs]}
                  - {name: a, secret_files: [s], bodies: ["*", norrbotten-lsg]}
                  - {name: b, bodies: [norrbotten-lsg]}
                  - {name: c, secret_files: [s], bodies: [norrbotten-lsg], colour: red}
            """)
        let text = result.diagnostics.map(\.description).joined(separator: "\n")
        #expect(result.registry == nil)
        #expect(text.contains(#/kallad\.yaml:\d+:13: error: settings\.service\.listen 'localhost' must be host:port/#))
        #expect(text.contains(#/kallad\.yaml:\d+:16: error: settings\.service\.log_level 'loud' is not one of/#))
        #expect(text.contains("names body 'norrbotten-lgs', which is not declared"))
        #expect(text.contains("did you mean 'norrbotten-lsg'?"))
        #expect(text.contains("sending system 'a' is declared twice"))
        #expect(text.contains("secret_files"))
        #expect(text.contains("colour"))
    }
}
