import Foundation
import GRDB
import KalladCore
@testable import KalladStore
import Testing

@Suite("A delivered attempt kept in its delivery's row, and claims of a batch exactly as it was read ahead")
struct DeliveredAttemptTests {
    func outcome(
        _ claimed: ClaimedDelivery, _ name: String, code: Int, reply: String, resolution: Resolution, at seconds: Int64
    ) -> SettledAttempt {
        SettledAttempt(
            id: claimed.id, attempt: claimed.attempt,
            record: AttemptRecord(
                started: t0.adding(seconds: seconds), milliseconds: Int(seconds) + 3, outcome: name, code: code,
                reply: reply),
            resolution: resolution, now: t0.adding(seconds: seconds + 1))
    }

    @Test("a delivery's attempts list those that did not deliver, then the delivered one from its row")
    func attemptsInOrder() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("k1"), notification("k2")], now: t0)
        let first = try db.claimDue(now: t0, limit: 2)
        db.note(outcome(first[0], "transient", code: 451, reply: "4.3.0 busy", resolution: .deferred(until: t0), at: 0))
        db.note(outcome(first[1], "delivered", code: 250, reply: "2.0.0 Ok: one", resolution: .delivered, at: 0))
        try await db.flushNoted()
        let second = try db.claimDue(now: t0.adding(seconds: 10), limit: 2)
        #expect(second.map(\.id) == [first[0].id])
        db.note(outcome(second[0], "delivered", code: 250, reply: "2.0.0 Ok: two", resolution: .delivered, at: 10))
        try await db.flushNoted()
        let retried = try db.attempts(first[0].id)
        #expect(retried.map(\.outcome) == ["transient", "delivered"])
        #expect(retried.map(\.code) == [451, 250])
        #expect(retried.map(\.reply) == ["4.3.0 busy", "2.0.0 Ok: two"])
        #expect(retried.map(\.started) == [t0, t0.adding(seconds: 10)])
        #expect(retried.map(\.milliseconds) == [3, 13])
        #expect(try db.attempts(first[1].id).map(\.reply) == ["2.0.0 Ok: one"])
        let rows = try await db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM attempt") }
        #expect(rows == 1, "only the attempt that did not deliver has a row of its own")
    }

    @Test("a database from before v5 keeps its delivered attempts' rows, listed once")
    func migrationKeepsAttemptRows() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        do {
            let queue = try DatabaseQueue(path: temp.path)
            try KalladDatabase.migrator.migrate(queue, upTo: "v4")
            try await queue.write { db in
                for sql in [
                    """
                    INSERT INTO notification (id, key, kind, meeting, body, sequence, due, meeting_start, created_at)
                    VALUES (1, 'k1', 'summons', 'b/2027-03-04', 'b', 0, ?1, ?1, ?1)
                    """,
                    """
                    INSERT INTO delivery (id, notification_id, channel, recipient, state, attempts, next_attempt,
                        last_code, last_reply, updated_at)
                    VALUES (1, 1, 'email', 'a@example.se', 'delivered', 1, ?1, 250, '2.0.0 Ok', ?1)
                    """,
                    """
                    INSERT INTO attempt (delivery_id, started_at, duration_ms, outcome, code, reply)
                    VALUES (1, ?1, 7, 'delivered', 250, '2.0.0 Ok')
                    """,
                ] {
                    try db.execute(sql: sql, arguments: [t0.secondsSinceEpoch])
                }
            }
        }
        let db = try temp.open()
        let attempts = try db.attempts(1)
        #expect(attempts.map(\.outcome) == ["delivered"])
        #expect(attempts.map(\.milliseconds) == [7])
        let columns = try await db.writer.read { db in try db.columns(in: "delivery").map(\.name) }
        #expect(columns.contains("delivered_started_at") && columns.contains("delivered_duration_ms"))
        #expect(try db.integrityCheck())
    }

    @Test("a batch read ahead with first and later attempts is claimed as read, each on its own attempt")
    func claimAsReadMixedAttempts() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<4).map { notification("k\($0)") }, now: t0)
        let early = try db.claimDue(now: t0, limit: 1)[0]
        db.note(outcome(early, "transient", code: 451, reply: "4.3.0 busy", resolution: .deferred(until: t0), at: 0))
        try await db.flushNoted()
        let read = try await db.readAhead(dueBy: t0).take(10)
        #expect(read.count == 4)
        let claimed = try await db.claimReadAhead(read, now: t0)
        #expect(claimed == read, "taken as read: same deliveries, same attempt numbers")
        #expect(claimed.first { $0.id == early.id }?.attempt == 2)
        #expect(claimed.filter { $0.id != early.id }.allSatisfy { $0.attempt == 1 })
        #expect(try db.countsByState() == [.sending: 4])
    }

    @Test("a delivery that went through an attempt after it was read ahead is claimed on its own next attempt")
    func claimAfterAttemptMovedOn() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<3).map { notification("k\($0)") }, now: t0)
        let read = try await db.readAhead(dueBy: t0).take(10)
        // Meanwhile another round claims the first, and the server defers it to a time already come.
        let other = try db.claimDue(now: t0, limit: 1)[0]
        #expect(other.id == read[0].id)
        db.note(outcome(other, "transient", code: 451, reply: "4.3.0 busy", resolution: .deferred(until: t0), at: 0))
        try await db.flushNoted()
        let claimed = try await db.claimReadAhead(read, now: t0)
        #expect(claimed.map(\.id) == read.map(\.id))
        #expect(claimed.map(\.attempt) == [2, 1, 1], "its attempt as claimed, not as read")
        let attempts = try await db.writer.read {
            try Int.fetchAll($0, sql: "SELECT attempts FROM delivery ORDER BY id")
        }
        #expect(attempts == [2, 1, 1])
    }
}
