import Foundation
import KalladCore
import KalladTestSupport
import Testing

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so a failing run can be repeated.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`; the small modulo bias does not matter here.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    /// `k` distinct values from `values`, in random order.
    mutating func distinct<T>(_ k: Int, of values: [T]) -> [T] {
        var pool = values
        var out: [T] = []
        for _ in 0..<min(k, pool.count) { out.append(pool.remove(at: int(0...pool.count - 1))) }
        return out
    }
}

/// Differential test of ``RecurrenceSet`` against python-dateutil over random rules (Tests/Oracles/rrule_oracle.py).
/// Set `KALLAD_SEED` to repeat a run; every failure message names the seed.
@Suite struct RecurrenceOracleTests {
    static let defaultSeed: UInt64 = 0x4B41_4C4C_4144_2027
    static let ruleCount = 1_200

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["KALLAD_SEED"] else { return defaultSeed }
        return UInt64(text) ?? UInt64(text.dropFirst(text.hasPrefix("0x") ? 2 : 0), radix: 16) ?? defaultSeed
    }

    struct Case: Encodable {
        var freq: String
        var interval: Int
        var bymonth: [Int]
        var bymonthday: [Int]
        var byday: [[Day]]
        var bysetpos: [Int]
        var count: Int?
        var until: String?
        var wkst: String
        var dtstart: String
        var rdates: [String]
        var exdates: [String]
        var from: String
        var through: String
        var norule: Bool

        /// `[ordinal or 0, "MO"]` in JSON.
        enum Day: Encodable {
            case ordinal(Int)
            case weekday(String)

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .ordinal(let n): try container.encode(n)
                case .weekday(let w): try container.encode(w)
                }
            }
        }

        enum CodingKeys: String, CodingKey {
            case freq, interval, bymonth, bymonthday, byday, bysetpos, count, until, wkst, dtstart, rdates, exdates
            case from, through, norule
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(freq, forKey: .freq)
            try c.encode(interval, forKey: .interval)
            try c.encode(bymonth, forKey: .bymonth)
            try c.encode(bymonthday, forKey: .bymonthday)
            try c.encode(byday, forKey: .byday)
            try c.encode(bysetpos, forKey: .bysetpos)
            try c.encode(count, forKey: .count)  // null when absent
            try c.encode(until, forKey: .until)
            try c.encode(wkst, forKey: .wkst)
            try c.encode(dtstart, forKey: .dtstart)
            try c.encode(rdates, forKey: .rdates)
            try c.encode(exdates, forKey: .exdates)
            try c.encode(from, forKey: .from)
            try c.encode(through, forKey: .through)
            try c.encode(norule, forKey: .norule)
        }
    }

    struct Input: Encodable { var cases: [Case] }
    struct Output: Decodable { var results: [Result] }
    struct Result: Decodable {
        var local: [String]
        var utc: [Int64]
        var first: String?
    }

    /// One generated set, with what Kallad computed for it.
    struct Generated {
        var text: String
        var set: RecurrenceSet
        var from: LocalDate
        var through: LocalDate
        var oracleCase: Case
        var ours: [LocalDateTime]
    }

    static let weekdays = Weekday.allCases.map(\.rawValue)

    /// A random rule's text, in the subset, avoiding one known dateutil difference: BYDAY mixing weekdays with and
    /// without ordinals (dateutil requires both, RFC 5545 either; see RecurrenceRuleTests).
    static func randomRuleText(_ rng: inout SplitMix64) -> String {
        let roll = rng.int(0...99)
        let frequency = roll < 35 ? "WEEKLY" : roll < 75 ? "MONTHLY" : "YEARLY"
        var parts = ["FREQ=" + frequency]
        if rng.chance(0.45) {
            parts.append("INTERVAL=\(rng.chance(0.9) ? rng.int(1...4) : rng.int(5...18))")
        }
        var byMonth: [Int] = []
        var byMonthDay: [Int] = []
        var byDay: [String] = []
        func plainDays(_ k: Int) -> [String] { rng.distinct(k, of: weekdays) }
        func monthDays() -> [Int] {
            (0..<rng.int(1...3)).map { _ in rng.chance(0.7) ? rng.int(1...31) : -rng.int(1...31) }
        }
        switch frequency {
        case "WEEKLY":
            if rng.chance(0.75) { byDay = plainDays(rng.int(1...4)) }
            if rng.chance(0.15) { byMonth = rng.distinct(rng.int(1...4), of: Array(1...12)) }
        case "MONTHLY":
            if rng.chance(0.15) { byMonth = rng.distinct(rng.int(2...6), of: Array(1...12)) }
            switch rng.int(0...99) {
            case 0..<25: byDay = plainDays(rng.int(1...5))
            case 25..<50:
                byDay = (0..<rng.int(1...2)).map { _ in
                    let n = rng.chance(0.9) ? rng.pick([1, 2, 3, 4, -1, -2]) : rng.pick([5, -5, 3, -3, -4])
                    return "\(n)" + rng.pick(weekdays)
                }
            case 50..<70: byMonthDay = monthDays()
            case 70..<82:
                let first = rng.int(1...25)
                byMonthDay = Array(first...(first + 6))
                byDay = plainDays(1)
            case 82..<87:
                byMonthDay = monthDays() + monthDays()
                byDay = ["\(rng.pick([1, 2, -1]))" + rng.pick(weekdays)]
            default: break
            }
        default:  // YEARLY
            if rng.chance(0.6) { byMonth = rng.distinct(rng.int(1...3), of: Array(1...12)) }
            switch rng.int(0...99) {
            case 0..<30: break
            case 30..<55:
                if rng.chance(0.3) {
                    byDay = plainDays(rng.int(1...2))
                } else if byMonth.isEmpty {
                    byDay = [
                        "\(rng.chance(0.5) ? rng.pick([1, 2, 20, -1, -2]) : rng.pick([-53, 53, 52, -52, 30]))"
                            + rng.pick(weekdays)
                    ]
                } else {
                    byDay = ["\(rng.pick([1, 2, 3, 4, 5, -1, -2, -5]))" + rng.pick(weekdays)]
                }
            case 55..<80: byMonthDay = monthDays()
            default:
                let first = rng.int(1...24)
                byMonthDay = Array(first...(first + rng.int(6...7)))
                byDay = plainDays(rng.int(1...2))
            }
        }
        if !byMonth.isEmpty { parts.append("BYMONTH=" + byMonth.map(String.init).joined(separator: ",")) }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=" + byMonthDay.map(String.init).joined(separator: ",")) }
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.joined(separator: ",")) }
        if (!byDay.isEmpty || !byMonthDay.isEmpty || !byMonth.isEmpty) && rng.chance(0.2) {
            parts.append(
                "BYSETPOS="
                    + (0..<rng.int(1...2)).map { _ in
                        String(rng.pick([1, 2, 3, -1, -2, -3]))
                    }.joined(separator: ","))
        }
        if frequency == "WEEKLY" && rng.chance(0.3) || rng.chance(0.05) { parts.append("WKST=" + rng.pick(weekdays)) }
        if rng.chance(0.25) { parts.append("COUNT=\(rng.int(1...40))") }
        return rng.distinct(parts.count, of: parts).joined(separator: ";")  // any order
    }

    static func randomTime(_ rng: inout SplitMix64) -> LocalTime {
        // Never 02:00-02:59: Kallad refuses such times (the spring gap and autumn overlap of Europe/Stockholm).
        let hour = rng.pick([0, 1] + Array(3...23))
        return LocalTime(hour: hour, minute: rng.chance(0.5) ? rng.pick([0, 15, 30, 45]) : rng.int(0...59))!
    }

    static func untilText(_ until: RecurrenceRule.Until) -> String {
        switch until {
        case .date(let d): return "\(d)"
        case .dateTime(let t, let s): return "\(t):\(s < 10 ? "0" : "")\(s)"
        }
    }

    /// Builds one case, or `nil` when the rule never produces a date. Failures of Kallad's own consistency are
    /// recorded through `problems`.
    static func generate(_ rng: inout SplitMix64, problems: inout [String]) -> Generated? {
        var text = randomRuleText(&rng)
        let anchorDay = LocalDate(year: 2025, month: 1, day: 1)!.dayNumber + rng.int(0...2190)
        let anchor = LocalDateTime(LocalDate(dayNumber: anchorDay), randomTime(&rng))
        let noRule = rng.chance(0.03)
        var rule: RecurrenceRule?
        var start = anchor
        if !noRule {
            guard case .success(let parsed) = RecurrenceRule.parse(text) else {
                problems.append("generated rule \(text) does not parse: \(RecurrenceRule.parse(text))")
                return nil
            }
            guard let first = parsed.firstOccurrence(onOrAfter: anchor) else { return nil }
            start = first
            rule = parsed
            if parsed.count == nil && rng.chance(0.3) {
                let days = rng.int(0...1500)
                let until: String
                if days == 0 || rng.chance(0.5) {
                    let d = start.date.adding(days: days)
                    until = String(format: "%04d%02d%02d", d.year, d.month, d.day)
                } else {
                    let d = start.date.adding(days: days)
                    let t = randomTime(&rng)
                    until = String(
                        format: "%04d%02d%02dT%02d%02d%02d", d.year, d.month, d.day, t.hour, t.minute,
                        rng.int(0...59))
                }
                text += ";UNTIL=" + until
                guard case .success(let withUntil) = RecurrenceRule.parse(text) else {
                    problems.append("generated rule \(text) does not parse")
                    return nil
                }
                rule = withUntil
            }
        }
        var set = RecurrenceSet(start: start, rule: rule)
        if let error = set.validate() {
            problems.append("rule \(text) with DTSTART \(start), its own first occurrence, fails validate(): \(error)")
            return nil
        }
        if let rule, case .success(let again) = RecurrenceRule.parse(rule.rfc5545), again != rule {
            problems.append("rule \(text) prints as \(rule.rfc5545), which parses to a different rule")
        }
        let from = start.date.adding(days: rng.int(-60...500))
        let through = from.adding(days: rng.int(730...2190))
        let plain = set.occurrences(from: from, through: through)
        if !plain.isEmpty && rng.chance(0.35) {
            set.exdates = (0..<rng.int(1...3)).map { _ in rng.pick(plain) }
        }
        if rng.chance(0.1) {
            set.exdates.append(LocalDateTime(from.adding(days: rng.int(0...700)), randomTime(&rng)))
        }
        if rng.chance(0.3) || noRule {
            set.rdates = (0..<rng.int(1...3)).map { _ in
                LocalDateTime(
                    from.adding(days: rng.int(-10...(through.dayNumber - from.dayNumber + 10))),
                    randomTime(&rng))
            }
        }
        if !plain.isEmpty && rng.chance(0.1) { set.rdates.append(rng.pick(plain)) }

        let oracleCase = Case(
            freq: rule?.frequency.rawValue ?? "WEEKLY",
            interval: rule?.interval ?? 1,
            bymonth: rule?.byMonth ?? [],
            bymonthday: rule?.byMonthDay ?? [],
            byday: (rule?.byDay ?? []).map { [.ordinal($0.ordinal ?? 0), .weekday($0.weekday.rawValue)] },
            bysetpos: rule?.bySetPos ?? [],
            count: rule?.count,
            until: rule?.until.map(untilText),
            wkst: rule?.weekStart.rawValue ?? "MO",
            dtstart: "\(start)",
            rdates: set.rdates.map(\.description),
            exdates: set.exdates.map(\.description),
            from: "\(from)",
            through: "\(through)",
            norule: noRule)
        return Generated(
            text: noRule ? "(no rule)" : text, set: set, from: from, through: through, oracleCase: oracleCase,
            ours: set.occurrences(from: from, through: through))
    }

    @Test func agreesWithDateutilOnRandomSets() throws {
        let seed = Self.seed
        var rng = SplitMix64(seed: seed)
        var problems: [String] = []
        var cases: [Generated] = []
        var attempts = 0
        while cases.count < Self.ruleCount && attempts < Self.ruleCount * 3 {
            attempts += 1
            if let generated = Self.generate(&rng, problems: &problems) { cases.append(generated) }
        }
        #expect(cases.count == Self.ruleCount, "only \(cases.count) usable rules in \(attempts) attempts, seed \(seed)")
        for problem in problems.prefix(10) { Issue.record("seed \(seed): \(problem)") }

        let input = try JSONEncoder().encode(Input(cases: cases.map(\.oracleCase)))
        let output = try JSONDecoder().decode(Output.self, from: Oracle.run("rrule_oracle.py", input: input))
        try #require(output.results.count == cases.count, "seed \(seed): oracle returned a different number of sets")

        var mismatches = 0
        var occurrences = 0
        for (index, (generated, expected)) in zip(cases, output.results).enumerated() {
            let ours = generated.ours.map(\.description)
            let utc = generated.ours.map { ZoneRules.stockholm.instant(of: $0).secondsSinceEpoch }
            occurrences += ours.count
            let context =
                "seed \(seed), case \(index): RRULE \(generated.text), DTSTART \(generated.set.start), "
                + "window \(generated.from)...\(generated.through), RDATE \(generated.set.rdates), "
                + "EXDATE \(generated.set.exdates)"
            if generated.set.rule != nil && expected.first != "\(generated.set.start)" {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(context): dateutil's first occurrence is \(expected.first ?? "none")")
                }
            }
            if ours != expected.local || utc != expected.utc {
                mismatches += 1
                guard mismatches <= 5 else { continue }
                let i =
                    (0..<min(ours.count, expected.local.count)).first { ours[$0] != expected.local[$0] }
                    ?? min(ours.count, expected.local.count)
                let mine = i < ours.count ? ours[i] : "nothing"
                let theirs = i < expected.local.count ? expected.local[i] : "nothing"
                let detail =
                    ours == expected.local
                    ? "same local times, UTC differs: \(utc.prefix(3)) vs \(expected.utc.prefix(3))"
                    : "first difference at #\(i): Kallad \(mine), dateutil \(theirs) "
                        + "(\(ours.count) vs \(expected.local.count) occurrences)"
                Issue.record("\(context): \(detail)")
            }
        }
        #expect(mismatches == 0, "seed \(seed): \(mismatches) of \(cases.count) sets differ from dateutil")

        // The mix must keep covering what the brief names.
        let rules = cases.compactMap(\.set.rule)
        let coverage: [(String, Int)] = [
            ("COUNT", rules.filter { $0.count != nil }.count),
            ("UNTIL", rules.filter { $0.until != nil }.count),
            ("BYSETPOS", rules.filter { !$0.bySetPos.isEmpty }.count),
            ("WEEKLY with BYSETPOS", rules.filter { $0.frequency == .weekly && !$0.bySetPos.isEmpty }.count),
            ("negative ordinal", rules.filter { $0.byDay.contains { ($0.ordinal ?? 0) < 0 } }.count),
            ("negative BYMONTHDAY", rules.filter { $0.byMonthDay.contains { $0 < 0 } }.count),
            ("INTERVAL > 1", rules.filter { $0.interval > 1 }.count),
            ("WKST", rules.filter { $0.weekStart != .monday }.count),
            ("EXDATE", cases.filter { !$0.set.exdates.isEmpty }.count),
            ("RDATE", cases.filter { !$0.set.rdates.isEmpty }.count),
            ("no rule", cases.filter { $0.set.rule == nil }.count),
        ]
        for (what, n) in coverage {
            #expect(n >= 15, "seed \(seed): only \(n) sets with \(what)")
        }
        #expect(occurrences > 10 * cases.count, "seed \(seed): too few occurrences (\(occurrences)) to mean much")
    }
}
