import Foundation
import KalladCore
import Testing

@testable import KalladConfig

@Suite("Loader diagnostics point at file:line:column with a hint")
struct LoaderDiagnosticsTests {
    static let base = """
        parties:
          - {id: region, name: Regionen, kind: region}
        people:
          - {id: anna, name: Anna Ek, email: anna@example.se}
        offices:
          - {id: chef, title: Chef, party: region, holder: anna}

        """

    func load(_ body: String) -> [Diagnostic] {
        ConfigLoader.load(files: [(name: "test.yaml", data: Data((Self.base + body).utf8))]).diagnostics
    }

    func body(_ extra: String) -> String {
        """
        bodies:
          - id: grupp
            name: Gruppen
            kind: network
            members: [{office: chef}]
            convener: {seat: chef}
            chair: {same_as: convener}
            secretary: {same_as: convener}
            cadence: [{at_least: 4, per: year}]
        \(extra)
        """
    }

    @Test("a valid file loads")
    func valid() {
        #expect(load(body("")).isEmpty)
    }

    @Test("an unknown key is reported where it stands, with the likely key")
    func unknownKey() throws {
        let found = try #require(load(body("    cadance: []")).first)
        #expect(found.code == "config.unknown_key")
        #expect(found.location == SourceLocation(file: "test.yaml", line: 16, column: 5))
        #expect(found.hint.hasPrefix("did you mean 'cadence'?"))
    }

    @Test("an unknown id gets the closest known id")
    func unknownID() throws {
        let found = try #require(load(body("").replacingOccurrences(of: "{seat: chef}", with: "{seat: chf}")).first)
        #expect(found.code == "config.unknown_seat")
        #expect(found.hint == "did you mean 'chef'?")
    }

    @Test("YAML syntax errors carry the parser's line and column")
    func syntax() throws {
        let found = try #require(load("bodies:\n  - id: [x\n").first)
        #expect(found.code == "config.yaml")
        #expect(found.location?.file == "test.yaml")
        #expect((found.location?.line ?? 0) >= 8)
    }

    @Test("a follows cycle is reported")
    func cycle() {
        let yaml = body("").replacingOccurrences(
            of: "chair: {same_as: convener}", with: "chair: {follows: {body: grupp, role: chair}}")
        #expect(load(yaml).contains { $0.code == "config.role_cycle" })
    }

    @Test("header injection in an e-mail address is refused")
    func injection() {
        let yaml = Self.base.replacingOccurrences(
            of: "email: anna@example.se", with: "email: \"anna@example.se\\r\\nBcc: x@example.se\"")
        let found = ConfigLoader.load(files: [(name: "t.yaml", data: Data(yaml.utf8))]).diagnostics
        #expect(found.contains { $0.code == "config.email" && $0.message.contains("line break") })
    }

    @Test("non-UTF-8 bytes are reported at their line and column")
    func encoding() throws {
        var data = Data("parties:\n  - {id: r\u{e9}".utf8)
        data.append(contentsOf: [0xC3, 0x28])
        let found = try #require(ConfigLoader.load(files: [(name: "bad.yaml", data: data)]).diagnostics.first)
        #expect(found.code == "config.encoding")
        #expect(found.location == SourceLocation(file: "bad.yaml", line: 2, column: 12))
    }
}
