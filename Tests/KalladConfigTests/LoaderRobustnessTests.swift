import Foundation
import KalladCore
import Testing

@testable import KalladConfig

/// A small generator of random numbers that is the same on every machine for a seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// ≥ 10,000 malformed configurations, each made invalid on purpose in one way: every one must give an error with
/// a place — never a crash, never a registry. `KALLAD_SEED` reproduces a run.
@Suite("Loader robustness: malformed input always gives an error with a place")
struct LoaderRobustnessTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["KALLAD_SEED"] ?? "") ?? 20_261_123

    /// A valid document in block style that uses every part of the format.
    static let base = """
        settings:
          time_zone: Europe/Stockholm
          language: sv
          terms:
            spring: "01-08..06-15"
            autumn: "08-15..12-20"
          closed_days:
            - 2027-12-27
          notifications:
            summons_days: 14
            send_at: "08:00"
        parties:
          - id: region
            name: Regionen
            kind: region
          - id: kommuner
            name: Kommunerna
            kind: municipal_association
          - id: lulea
            name: Luleå kommun
            kind: municipality
            part_of: kommuner
            area: syd
        areas:
          - id: syd
            name: Södra länsdelen
            parties:
              - lulea
        people:
          - id: anna
            name: Anna Ek
            email: anna@example.se
          - id: bo
            name: Bo Åström
            email: bo@example.se
            handles:
              matrix: "@bo:example.org"
          - id: cia
            name: Cia Lind
            email: cia@example.se
        offices:
          - id: chef-region
            title: Divisionschef
            party: region
            holder: anna
          - id: chef-kommun
            title: Socialchef
            party: lulea
            holder: bo
            area: syd
          - id: samordnare
            title: Samordnare
            party: region
            holder: cia
        bodies:
          - id: lsg
            name: Länsstyrgruppen
            kind: steering_group
            hours: "10:00-15:00"
            location: Luleå
            members:
              - office: chef-region
              - office: chef-kommun
                substitute_office: samordnare
              - person: cia
                party: region
                seat: sekreterare
                coopted: true
            chair:
              rotate:
                every: year
                from: 2026
                order:
                  - chef-region
                  - chef-kommun
            convener:
              same_as: chair
            secretary:
              seat: sekreterare
            cadence:
              - at_least: 4
                per: year
            composition:
              region: 1
              kommuner: 1
            schedule:
              rrule: "FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=2TH"
              start: 2026-02-12
              exdates:
                - 2027-04-08
              rdates:
                - 2027-04-15
          - id: au
            name: Arbetsutskottet
            kind: working_committee
            reports_to: lsg
            members:
              - office: samordnare
            chair:
              follows:
                body: lsg
                role: chair
            convener:
              same_as: chair
            secretary:
              appointed_by: convener
            before:
              - body: lsg
                min_days: 10
            schedule:
              derived:
                from: lsg
                days_before: 14
          - id: natverk
            name: Nätverket
            kind: network
            active:
              from: 2026-09-01
              until: 2027-06-30
            members:
              - office: chef-kommun
            convener:
              seat: chef-kommun
            chair:
              same_as: convener
            secretary:
              same_as: convener
            cadence:
              - at_least: 2
                per: term
            schedule:
              weekdays:
                - TU
                - WE
              on_holiday: next
              plan:
                2027:
                  - 2027-02-10
                  - date: 2027-05-12
                    hours: "13:00-15:00"
        changes:
          - id: extra-1
            extra:
              body: lsg
              start: 2027-03-03T10:00
              requested_by: lulea
              reason: Brådskande
            known_at: 2027-02-20T09:00:00+01:00
          - id: flytt-1
            moved:
              meeting: lsg/2027-09-09
              to: 2027-09-16T10:00

        """

    struct Case {
        let kind: String
        let description: String
        let data: Data
        var expectedCode: String?
        var expectedLine: Int?
        var expectedColumn: Int?
    }

    static let lines = base.components(separatedBy: "\n")

    /// Lines of the form `key: value`, with the key, its column and the value.
    static let keyed: [(index: Int, key: String, column: Int, value: String)] = lines.enumerated().compactMap {
        i, line in
        var rest = Substring(line)
        var column = 0
        while rest.hasPrefix(" ") { rest = rest.dropFirst(); column += 1 }
        if rest.hasPrefix("- ") { rest = rest.dropFirst(2); column += 2 }
        let key = rest.prefix { ("a"..."z").contains($0) || $0 == "_" }
        guard !key.isEmpty, rest.dropFirst(key.count).hasPrefix(":") else { return nil }
        let value = rest.dropFirst(key.count + 1).drop { $0 == " " }
        return (i, String(key), column, String(value))
    }

    static let allKeys: Set<String> = Set(keyed.map(\.key))

    /// Keys of maps whose keys are free (handles: channel names; composition: party ids) or are years.
    static let freeKeys: Set<String> = ["matrix", "region", "kommuner"]

    /// Lines whose key is one of the format's own.
    static let formatKeys = keyed.filter { !freeKeys.contains($0.key) }

    static func text(_ lines: [String]) -> Data { Data(lines.joined(separator: "\n").utf8) }

    static func cases(count perKind: Int, seed: UInt64) -> [Case] {
        var rng = SplitMix64(state: seed)
        var result: [Case] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        func randomWord(_ n: Int) -> String { String((0..<n).map { _ in letters.randomElement(using: &rng)! }) }
        let references = keyed.filter {
            [
                "holder", "party", "office", "substitute_office", "area", "reports_to",
                "body", "from", "requested_by",
            ].contains($0.key)
                && !$0.value.isEmpty && Int($0.value) == nil && !$0.value.contains("-0")
        }
        let scalars = keyed.filter { !$0.value.isEmpty && !["composition", "handles"].contains($0.key) }
        let dates = keyed.filter { $0.value.range(of: #"^\d{4}-\d\d-\d\d$"#, options: .regularExpression) != nil }
        let listItems = keyed.filter {
            $0.key == "id" && lines[$0.index].contains("- id:")
                && !lines[$0.index].hasPrefix("      ")
        }

        for n in 0..<perKind {
            // 1. An unknown key next to a real one.
            do {
                // After a key with a scalar value, at its indentation: a sibling key.
                let line = formatKeys.filter { !$0.value.isEmpty }.randomElement(using: &rng)!
                var copy = lines
                let key = "zq" + randomWord(4)
                copy.insert(String(repeating: " ", count: line.column) + "\(key): 1", at: line.index + 1)
                result.append(
                    Case(
                        kind: "unknown_key", description: "\(key) after line \(line.index + 1)",
                        data: text(copy), expectedCode: "config.unknown_key", expectedLine: line.index + 2,
                        expectedColumn: line.column + 1))
            }
            // 2. A misspelt key: one letter changed.
            do {
                let line = formatKeys.filter { $0.key.count >= 5 }.randomElement(using: &rng)!
                var typo = Array(line.key)
                let position = Int.random(in: 1..<typo.count, using: &rng)
                var replacement = letters.randomElement(using: &rng)!
                while replacement == typo[position] { replacement = letters.randomElement(using: &rng)! }
                typo[position] = replacement
                let misspelt = String(typo)
                if allKeys.contains(misspelt) { continue }
                var copy = lines
                copy[line.index] = lines[line.index].replacingOccurrences(of: "\(line.key):", with: "\(misspelt):")
                result.append(
                    Case(
                        kind: "typo", description: "\(line.key) → \(misspelt) on line \(line.index + 1)",
                        data: text(copy), expectedCode: "config.unknown_key", expectedLine: line.index + 1))
            }
            // 3. A key cut in the middle.
            do {
                let line = keyed.filter { $0.key.count >= 3 }.randomElement(using: &rng)!
                let cut = Int.random(in: 1..<line.key.count, using: &rng)
                var copy = lines
                copy[line.index] = String(lines[line.index].prefix(line.column)) + String(line.key.prefix(cut))
                if lines[line.index].contains("- ") {
                    copy[line.index] = String(lines[line.index].prefix(line.column - 2)) + "- " + line.key.prefix(cut)
                }
                result.append(
                    Case(
                        kind: "truncated_key", description: "line \(line.index + 1) cut to \(copy[line.index])",
                        data: text(copy)))
            }
            // 4. A mapping where a scalar belongs.
            do {
                let line = scalars.randomElement(using: &rng)!
                var copy = lines
                copy[line.index] = lines[line.index].replacingOccurrences(of: ": \(line.value)", with: ": {zz: 1}")
                result.append(
                    Case(
                        kind: "wrong_type", description: "\(line.key) on line \(line.index + 1)",
                        data: text(copy)))
            }
            // 5. A duplicate id: an entry copied.
            do {
                let item = listItems.randomElement(using: &rng)!
                var end = item.index + 1
                while end < lines.count, lines[end].hasPrefix(String(repeating: " ", count: item.column + 1)) {
                    end += 1
                }
                var copy = lines
                copy.insert(contentsOf: lines[item.index..<end], at: end)
                result.append(Case(kind: "duplicate_id", description: "\(item.value) copied", data: text(copy)))
            }
            // 6. A reference to nothing.
            do {
                let line = references.randomElement(using: &rng)!
                var copy = lines
                copy[line.index] = lines[line.index].replacingOccurrences(
                    of: ": \(line.value)",
                    with: ": \(line.value)-\(randomWord(3))x")
                result.append(
                    Case(
                        kind: "unknown_reference", description: "\(line.key) on line \(line.index + 1)",
                        data: text(copy)))
            }
            // 7. A cycle: in follows, same_as, or derived schedules.
            do {
                let variant = n % 3
                var copy = lines
                let au = lines.firstIndex(of: "        days_before: 14")!
                switch variant {
                case 0:  // lsg's chair follows au's chair, which follows lsg's.
                    let at = lines.firstIndex(of: "    chair:")!
                    copy.replaceSubrange(
                        at..<(at + 7),
                        with: [
                            "    chair:", "      follows:", "        body: au",
                            "        role: chair", "", "", "",
                        ])
                    copy.removeAll { $0.isEmpty }
                case 1:  // lsg's schedule derived from au's, derived from lsg's.
                    let at = lines.firstIndex(of: "      rrule: \"FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=2TH\"")!
                    copy.replaceSubrange(
                        at..<(at + 6),
                        with: [
                            "      derived:", "        from: au",
                            "        days_before: \(Int.random(in: 1...30, using: &rng))",
                        ])
                default:  // the convener is the chair is the convener.
                    let at = lines.firstIndex(of: "      same_as: convener")!
                    _ = au
                    copy[at - 1] = "    chair:"
                    copy[at] = "      same_as: convener"
                    let convener = lines.firstIndex(of: "      seat: chef-kommun")!
                    copy[convener] = "      same_as: chair"
                }
                result.append(Case(kind: "cycle", description: "variant \(variant)", data: text(copy)))
            }
            // 8. A byte that is not UTF-8, at a known line and column.
            do {
                var bytes = Array(base.utf8)
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                // Move to the start of a character.
                var start = position
                while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
                bytes.insert(
                    contentsOf: [[0xFF], [0xC3, 0x28], [0x80], [0xED, 0xA0, 0x80]].randomElement(using: &rng)!,
                    at: start)
                let before = String(decoding: bytes[..<start], as: UTF8.self)
                let line = before.split(separator: "\n", omittingEmptySubsequences: false).count
                let column = (before.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0) + 1
                result.append(
                    Case(
                        kind: "encoding", description: "byte at \(start)", data: Data(bytes),
                        expectedCode: "config.encoding", expectedLine: line, expectedColumn: column))
            }
            // 9. A NUL.
            do {
                var bytes = Array(base.utf8)
                var at = Int.random(in: 0..<bytes.count, using: &rng)
                while at > 0, bytes[at] & 0xC0 == 0x80 { at -= 1 }
                bytes.insert(0, at: at)
                result.append(
                    Case(kind: "nul", description: "NUL at \(at)", data: Data(bytes), expectedCode: "config.nul"))
            }
            // 10. Dates and times that do not exist.
            do {
                var copy = lines
                if n % 2 == 0 {
                    let line = dates.randomElement(using: &rng)!
                    let bad = ["2027-02-30", "2027-13-01", "2026-00-10", "27-02-11", "2027-2-11"].randomElement(
                        using: &rng)!
                    copy[line.index] = lines[line.index].replacingOccurrences(of: line.value, with: bad)
                    result.append(
                        Case(
                            kind: "bad_date", description: "\(bad) on line \(line.index + 1)",
                            data: text(copy), expectedLine: line.index + 1))
                } else {
                    let bad = ["\"25:00-26:00\"", "\"10:00-09:00\"", "\"10-15\"", "\"10:60-11:00\""].randomElement(
                        using: &rng)!
                    let at = lines.firstIndex(of: "    hours: \"10:00-15:00\"")!
                    copy[at] = "    hours: \(bad)"
                    result.append(
                        Case(
                            kind: "bad_time", description: bad, data: text(copy),
                            expectedCode: "config.hours", expectedLine: at + 1))
                }
            }
            // 11. Rules that are not RFC 5545, or do not fit the start.
            do {
                let bad = [
                    "FREQ=DAILY", "FREQ=YEARLY;BYDAY=9MO;BYMONTH=2", "FREQ=WEEKLY;COUNT=2;UNTIL=20270101",
                    "FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=3TH", "FREQ=MONTHLY;BYHOUR=10", "BYDAY=MO",
                    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;INTERVAL=0;BYMONTH=2;BYDAY=2TH",
                    "FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=2TH;" + randomWord(3).uppercased() + "=1",
                ]
                .randomElement(using: &rng)!
                let at = lines.firstIndex(of: "      rrule: \"FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=2TH\"")!
                var copy = lines
                copy[at] = "      rrule: \"\(bad)\""
                result.append(Case(kind: "bad_rrule", description: bad, data: text(copy)))
            }
            // 12. E-mail addresses that cannot be used, header injection among them.
            do {
                let bad = [
                    "\"anna@example.se\\r\\nBcc: x@example.se\"", "anna", "anna@", "@example.se",
                    "\"anna ek@example.se\"", "anna@example", "\"anna@exa\\nmple.se\"", "\"<anna@example.se>\"",
                    "\"anna@example.se\\u0000\"",
                ].randomElement(using: &rng)!
                let at = lines.firstIndex(of: "    email: anna@example.se")!
                var copy = lines
                copy[at] = "    email: \(bad)"
                result.append(Case(kind: "bad_email", description: bad, data: text(copy), expectedLine: at + 1))
            }
        }
        return result
    }

    @Test("the base document is valid, so every error below comes from its mutation")
    func baseIsValid() {
        let result = ConfigLoader.load(files: [(name: "base.yaml", data: Data(Self.base.utf8))])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.registry?.bodies.count == 3)
    }

    @Test("≥ 10,000 malformed inputs: an error with a place every time")
    func malformed() {
        let cases = Self.cases(count: 860, seed: Self.seed)
        #expect(cases.count >= 10_000)
        var perKind: [String: Int] = [:]
        for item in cases {
            perKind[item.kind, default: 0] += 1
            let result = ConfigLoader.load(files: [(name: "base.yaml", data: item.data)])
            let errors = result.diagnostics.filter { $0.severity == .error }
            let placed = errors.filter { ($0.location?.line ?? 0) >= 1 && ($0.location?.column ?? 0) >= 1 }
            let noRegistry = result.registry == nil
            #expect(
                noRegistry && !placed.isEmpty,
                "seed \(Self.seed), \(item.kind): \(item.description) loaded without an error: \(String(decoding: item.data, as: UTF8.self).prefix(0))"
            )
            if let code = item.expectedCode {
                let found = errors.contains { $0.code == code }
                #expect(found, "seed \(Self.seed), \(item.kind): \(item.description): \(errors.map(\.description))")
            }
            if let line = item.expectedLine {
                let found = errors.contains { d in
                    d.location?.line == line && (item.expectedColumn.map { d.location?.column == $0 } ?? true)
                }
                let want = "line \(line) col \(item.expectedColumn ?? 0)"
                #expect(
                    found,
                    "seed \(Self.seed), \(item.kind): \(item.description): want \(want): \(errors.map(\.description))")
            }
        }
        print("loader robustness, seed \(Self.seed): \(cases.count) inputs", perKind.sorted { $0.key < $1.key })
    }
}
