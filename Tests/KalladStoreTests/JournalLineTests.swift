import Foundation
import KalladCore
@testable import KalladStore
import Testing

@Suite("Outcome journal lines, written straight into memory")
struct JournalLineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let outcome: SettledAttempt
        let line: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "delivered",
            outcome: SettledAttempt(
                id: 42, attempt: 1,
                record: AttemptRecord(
                    started: Instant(secondsSinceEpoch: 1_800_000_000), milliseconds: 3, outcome: "delivered", code: 250,
                    reply: "2.0.0 Ok: queued as 4Xyz"),
                resolution: .delivered, now: Instant(secondsSinceEpoch: 1_800_000_001)),
            line: "42\t1\t1800000000\t3\tdelivered\t250\t2.0.0 Ok: queued as 4Xyz\tdelivered\t-\t0\t1800000001\tend\n"),
        Case(
            name: "failed, escaped, escalated",
            outcome: SettledAttempt(
                id: 7, attempt: 3,
                record: AttemptRecord(
                    started: Instant(secondsSinceEpoch: -5), milliseconds: 0, outcome: "permanent", code: nil,
                    reply: "a\\b\tc\r\nd\0"),
                resolution: .failed(reason: "-", escalate: true), now: Instant(secondsSinceEpoch: 0)),
            line: "7\t3\t-5\t0\tpermanent\t-\ta\\\\b\\tc\\r\\nd\\0\tfailed\t\\-\t1\t0\tend\n"),
        Case(
            name: "deferred, the longest numbers",
            outcome: SettledAttempt(
                id: Int64.min, attempt: Int.max,
                record: AttemptRecord(
                    started: Instant(secondsSinceEpoch: Int64.max), milliseconds: Int.min, outcome: "transient",
                    code: 451, reply: nil),
                resolution: .deferred(until: Instant(secondsSinceEpoch: Int64.min)),
                now: Instant(secondsSinceEpoch: 9)),
            line: "-9223372036854775808\t9223372036854775807\t9223372036854775807\t-9223372036854775808\ttransient\t451\t-\t"
                + "deferred\t-9223372036854775808\t0\t9\tend\n"),
    ]

    @Test("a line is the journal's format, fits the room made for it, and reads back as written", arguments: cases)
    func line(_ c: Case) {
        #expect(OutcomeJournal.encode(c.outcome) == c.line)
        #expect(c.line.utf8.count <= JournalLine.room(for: c.outcome))
        #expect(OutcomeJournal.decode(c.line.dropLast()) == c.outcome)
    }

    @Test("a reply of nothing but escaped bytes fits the room made for it")
    func escapedRoom() {
        let outcome = SettledAttempt(
            id: 1, attempt: 1,
            record: AttemptRecord(
                started: Instant(secondsSinceEpoch: 1), milliseconds: 1, outcome: "\t\t", code: 1,
                reply: String(repeating: "\\\n", count: 300)),
            resolution: .dropped(reason: String(repeating: "\r", count: 50)), now: Instant(secondsSinceEpoch: 1))
        let line = OutcomeJournal.encode(outcome)
        #expect(line.utf8.count <= JournalLine.room(for: outcome))
        #expect(line.utf8.count > 1_200)
        #expect(OutcomeJournal.decode(line.dropLast()) == outcome)
    }
}
