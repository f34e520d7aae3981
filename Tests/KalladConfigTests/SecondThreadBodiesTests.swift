import Foundation
import KalladCore
import Testing

@testable import KalladConfig

/// A file's second half of bodies is read on a thread of its own (`RegistryReader.readBodiesNowOrLater`); whatever
/// the bodies say, loading must give what reading them one after the other gives: the same bodies in the same
/// order, and the same diagnostics.
@Suite("Bodies read on two threads load as read one after the other")
struct SecondThreadBodiesTests {
    static let declarations = """
        settings:
          time_zone: Europe/Stockholm
        parties:
          - {id: region, name: Regionen, kind: region}
        people:
          - {id: anna, name: Anna Ek, email: anna@example.se}
          - {id: bo, name: Bo Ek, email: bo@example.se}
        offices:
          - {id: chef, title: Chef, party: region, holder: anna}
          - {id: bitradande, title: Biträdande chef, party: region, holder: bo}

        """

    /// A body with id `id`, its only member holding `office`, and `extra` lines of its own.
    static func body(_ id: String, office: String = "chef", extra: String = "") -> String {
        """
          - id: \(id)
            name: Grupp \(id)
            kind: network
            members: [{office: \(office)}]
            convener: {seat: \(office)}
            chair: {same_as: convener}
            secretary: {same_as: convener}
            cadence: [{at_least: 4, per: year}]
        \(extra)
        """
    }

    /// A file of twelve bodies `g-0`…`g-11`, with `change` applied to the text of body number `at`.
    static func bodies(changing at: Int = -1, _ change: (String) -> String = { $0 }) -> String {
        "bodies:\n" + (0..<12).map { at == $0 ? change(body("g-\($0)")) : body("g-\($0)") }.joined(separator: "\n")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let files: [(name: String, text: String)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "every body reads cleanly", files: [("a.yaml", declarations + bodies())]),
        Case(
            name: "a body in the second half names an unknown office",
            files: [("a.yaml", declarations + bodies(changing: 9) { $0.replacingOccurrences(of: "chef", with: "chf") })]),
        Case(
            name: "a body in the second half repeats an id of the first half",
            files: [("a.yaml", declarations + bodies(changing: 8) { $0.replacingOccurrences(of: "g-8", with: "g-2") })]),
        Case(
            name: "a body in the second half repeats an id of an earlier file",
            files: [
                ("a.yaml", declarations + "bodies:\n" + body("g-10")),
                ("b.yaml", bodies()),
            ]),
        Case(
            name: "a body in the second half has an unknown key",
            files: [("a.yaml", declarations + bodies(changing: 7) { $0 + "    cadance: []\n" })]),
        Case(
            name: "a body in the second half names an office declared in a later file",
            files: [
                ("a.yaml", declarations + bodies(changing: 11) { $0.replacingOccurrences(of: "chef", with: "senare") }),
                ("b.yaml", "offices:\n  - {id: senare, title: Senare, party: region, holder: anna}\n"),
            ]),
        Case(
            name: "a body in the first half must wait, so every body after it waits too",
            files: [
                ("a.yaml", declarations + bodies(changing: 1) { $0.replacingOccurrences(of: "chef", with: "senare") }),
                ("b.yaml", "offices:\n  - {id: senare, title: Senare, party: region, holder: anna}\n"),
            ]),
    ]

    @Test("same bodies, same diagnostics", arguments: cases)
    func same(_ test: Case) {
        let files = test.files.map { (name: $0.name, data: Data($0.text.utf8)) }
        let oneThread = ConfigLoader.load(files: files, secondThreadFrom: .max)
        let twoThreads = ConfigLoader.load(files: files, secondThreadFrom: 4)
        #expect(twoThreads.diagnostics == oneThread.diagnostics)
        #expect(twoThreads.registry?.bodies == oneThread.registry?.bodies)
        #expect((twoThreads.registry == nil) == (oneThread.registry == nil))
    }

    @Test("the cases say what they claim: clean ones load, broken ones report")
    func casesBite() {
        func load(_ test: Case) -> LoadResult {
            ConfigLoader.load(files: test.files.map { (name: $0.name, data: Data($0.text.utf8)) }, secondThreadFrom: 4)
        }
        #expect(load(Self.cases[0]).registry?.bodies.count == 12, "\(load(Self.cases[0]).diagnostics)")
        #expect(load(Self.cases[1]).diagnostics.map(\.code).contains("config.unknown_id"))
        #expect(load(Self.cases[2]).diagnostics.map(\.code).contains("config.duplicate_id"))
        #expect(load(Self.cases[3]).diagnostics.map(\.code).contains("config.duplicate_id"))
        #expect(load(Self.cases[4]).diagnostics.map(\.code).contains("config.unknown_key"))
        #expect(load(Self.cases[5]).registry?.bodies.map(\.id) == (0..<12).map { "g-\($0)" })
        #expect(load(Self.cases[6]).registry?.bodies.map(\.id) == (0..<12).map { "g-\($0)" })
    }
}
