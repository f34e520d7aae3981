import Foundation
import KalladTestSupport
import Testing

@testable import KalladConfig

/// The fast YAML parser against Yams as a differential oracle: wherever the fast parser gives a tree, Yams gives the
/// same tree (kinds, styles, line:column of every node, texts); where Yams reports an error, the fast parser gives
/// up, so the loader's diagnostics stay Yams'.
@Suite("Fast YAML parser agrees with Yams")
struct YAMLFastParserTests {
    /// Both parsers' dumps; the fast one is `nil` when it gave up, Yams' is `nil` when it threw.
    static func both(_ text: String, file: String = "t.yaml") -> (fast: String?, yams: String?) {
        let bytes = Array(text.utf8)
        let fast = YAMLFastParser.parse(file: file, bytes: bytes)?.dump()
        let yams = try? ConfigLoader.parseWithYams(file: file, bytes: bytes).dump()
        return (fast, yams)
    }

    static func yamlFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test("every bundled configuration file: the fast parser takes it and its tree is Yams' tree")
    func bundled() throws {
        let files = Self.yamlFiles(in: Oracle.packageRoot.appendingPathComponent("Config"))
        #expect(files.count >= 5)
        for url in files {
            let (fast, yams) = Self.both(try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
            let taken = fast != nil
            #expect(taken, "fast parser gave up on \(url.lastPathComponent)")
            #expect(fast == yams, "trees differ for \(url.lastPathComponent)")
        }
    }

    @Test("every file of the generated national registry (the benchmark's input): same tree as Yams")
    func generated() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-fastyaml-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Oracle.python)
        process.arguments = [
            Oracle.packageRoot.appendingPathComponent("scripts/bench/gen_registry.py").path, folder.path, "3",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let files = Self.yamlFiles(in: folder)
        #expect(files.count == 22)
        for url in files {
            let (fast, yams) = Self.both(try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
            let taken = fast != nil
            #expect(taken, "fast parser gave up on \(url.lastPathComponent)")
            #expect(fast == yams, "trees differ for \(url.lastPathComponent)")
        }
    }

    @Test("the robustness test's malformed inputs: when the fast parser takes one, Yams reads the same tree")
    func malformed() {
        var taken = 0, agreed = 0
        for item in LoaderRobustnessTests.cases(count: 860, seed: LoaderRobustnessTests.seed) {
            guard let text = String(data: item.data, encoding: .utf8), !text.utf8.contains(0) else { continue }
            let (fast, yams) = Self.both(text)
            guard let fast else { continue }
            taken += 1
            if fast == yams { agreed += 1 }
            #expect(fast == yams, "\(item.kind): \(item.description)")
        }
        #expect(taken > 5_000)
        #expect(agreed == taken)
    }

    /// Inputs in the subset, each with a feature the parser must read exactly like Yams.
    static let accepted = [
        "a: b\n",
        "a: b",
        "# comment\n\na: b  # trailing\nc: 'it''s'\nd: \"x\\ty\\u00e9\\\"\"\n",
        "list:\n- a\n- b\nnext: c\n",
        "list:\n  - a\n  -   b\n  - {x: 1, y: [2, 3]}\n",
        "m:\n  n:\n    o: p\n  q: r\ns: t\n",
        "seq:\n  - id: a\n    name: Å å\n  - id: b\n    more: {k: v, w: \"ä\"}\n",
        "flow: {a: b,\n   c: [d,\n      e]}\nx: y\n",
        "text: >-\n  one\n  two\n\n  three\nz: 1\n",
        "text: |\n  one\n   two\n\n  three\nz: 1\n",
        "text: >\n  one\n  two\n",
        "text: |-\n  one\n",
        "url: https://example.se/a#b\nmail: a@b.se\ntime: 10:00\n",
        "name: Åsa Öberg, Lule\u{e5}  # comment\nk: v\n",
        "e: {}\nf: []\n",
        "\"quoted key\": 1\n'single': 2\n",
        "deep:\n  - - a\n",
        "a: b\n\n\n# end\n",
        "",
        "# only a comment\n",
    ]

    @Test("constructs in the subset give Yams' tree", arguments: accepted)
    func subset(_ text: String) {
        let (fast, yams) = Self.both(text)
        if text.contains("- - ") {
            #expect(fast == nil)
        } else {
            #expect(fast != nil, "gave up on \(text.debugDescription)")
            #expect(fast == yams, "\(text.debugDescription)\nfast:\n\(fast ?? "-")\nyams:\n\(yams ?? "-")")
        }
    }

    /// Inputs outside the subset or with errors: the fast parser must give up (Yams then decides).
    static let refused = [
        "a:\tb\n", "a: b\r\n", "\u{feff}a: b\n", "a: &x b\nc: *x\n", "a: !tag b\n", "%YAML 1.1\n---\na: b\n",
        "---\na: b\n", "a: b\n...\n", "? a\n: b\n", "a:\nb: c\n", "a: one\n  two\n", "a: \"one\n  two\"\n",
        "a: b\na: c\n", "{a: b}\n", "- a\n", "a: b: c\n", "a: [b\n", "a: {b: c,}\n", "a: [b, , c]\n", "a:  b\n c: d\n",
        "a:\n  - b\n  c: d\n", "a: |+\n  x\n\n", "a: |2\n  x\n", "a: >\n  x\n    y\n", "a: |\n  x", "a: -1\n",
        "a: {b: c} d\n", "a: \"x\"y\n", "a: b #c\n  d: e\n", "a: {b:c}\n", "a: {b: c:}\n", "a: [b: c]\n",
        "a : b\n", "a: @b\n", "a: `b\n", "a: \"\\q\"\n", "a:\n b: 1\n  c: 2\n", "a: x\u{85}y\n",
    ]

    @Test("constructs outside the subset and syntax errors make the fast parser give up", arguments: refused)
    func givesUp(_ text: String) {
        let (fast, _) = Self.both(text)
        #expect(fast == nil, "took \(text.debugDescription)")
    }
}
