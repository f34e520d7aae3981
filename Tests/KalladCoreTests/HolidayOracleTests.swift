import Foundation
import KalladCore
import KalladTestSupport
import Testing

/// Compares ``SwedishHolidays`` with the Python `holidays` package, every year 1990–2100, in one call.
@Suite struct HolidayOracleTests {
    struct Reply: Decodable {
        struct Entry: Decodable {
            let date: String
            let name: String
            let kind: String
        }

        let version: String
        let holidays: [Entry]
    }

    /// One holiday as both sides can print it.
    struct Key: Hashable, Comparable, CustomStringConvertible {
        let date: String
        let kind: String
        let name: String

        var description: String { "\(date) \(kind) \(name)" }

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.date, lhs.kind, lhs.name) < (rhs.date, rhs.kind, rhs.name) }
    }

    @Test func everyYear1990Through2100MatchesThePythonHolidaysPackage() throws {
        let years = Array(1990...2100)
        let input = try JSONSerialization.data(withJSONObject: ["years": years])
        let reply = try JSONDecoder().decode(Reply.self, from: try Oracle.run("holidays_oracle.py", input: input))

        var theirs: [Int: Set<Key>] = [:]
        for entry in reply.holidays {
            let year = try #require(Int(entry.date.prefix(4)))
            theirs[year, default: []].insert(Key(date: entry.date, kind: entry.kind, name: entry.name))
        }
        var mismatches: [String] = []
        for year in years {
            let ours = Set(
                SwedishHolidays.holidays(in: year).map {
                    Key(date: $0.date.description, kind: $0.kind.rawValue, name: $0.name)
                })
            let other = theirs[year] ?? []
            if ours != other {
                let onlyOurs = ours.subtracting(other).sorted().map(\.description)
                let onlyTheirs = other.subtracting(ours).sorted().map(\.description)
                mismatches.append("\(year): only Kallad \(onlyOurs), only holidays \(reply.version) \(onlyTheirs)")
            }
        }
        #expect(theirs.keys.sorted() == years, "the oracle answered for other years")
        #expect(reply.holidays.count >= 16 * years.count)
        if !mismatches.isEmpty {
            Issue.record("\(mismatches.count) years differ:\n\(mismatches.joined(separator: "\n"))")
        }
    }
}
