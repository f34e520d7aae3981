import Foundation
import KalladCore
@testable import KalladStore
import Testing

@Suite("Reading a batch ahead of its due time, and settling delivered outcomes in groups")
struct ReadAheadTests {
    func delivered(_ claimed: ClaimedDelivery, reply: String = "2.0.0 Ok") -> SettledAttempt {
        SettledAttempt(
            id: claimed.id, attempt: claimed.attempt,
            record: AttemptRecord(started: t0, milliseconds: 4, outcome: "delivered", code: 250, reply: reply),
            resolution: .delivered, now: t0.adding(seconds: 1))
    }

    @Test("a batch read ahead is what a claim would hand over, and reading it changes nothing")
    func readAheadMatchesClaim() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<5).map { notification("k\($0)", due: t0.adding(seconds: 60)) }, now: t0)
        let ahead = try await db.readAhead(dueBy: t0.adding(seconds: 60))
        #expect(ahead.count == 5)
        #expect(try await db.readAhead(dueBy: t0.adding(seconds: 59)).count == 0, "nothing is due by then")
        #expect(try db.countsByState() == [.queued: 5], "reading ahead claims nothing")
        let read = ahead.take(10)
        let claimed = try db.claimDue(now: t0.adding(seconds: 60), limit: 10)
        #expect(read == claimed)
        #expect(ahead.count == 0)
    }

    @Test("at the due time, only the deliveries still queued are claimed; cancelled or claimed ones are not")
    func claimSkipsChanged() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<6).map { notification("k\($0)") }, now: t0)
        let ahead = try await db.readAhead(dueBy: t0)
        let read = ahead.take(6)
        // Meanwhile: one cancelled, one claimed by another round.
        try db.settle([read[1].id], as: .cancelled, reason: "meeting cancelled", now: t0)
        let other = try db.claimDue(now: t0, limit: 1)
        #expect(other.map(\.id) == [read[0].id])
        #expect(try await db.claimReadAhead(read, now: t0.adding(seconds: -1)).isEmpty, "not due yet: nothing claimed")
        let claimed = try await db.claimReadAhead(read, now: t0)
        #expect(claimed.map(\.id) == read[2...].map(\.id))
        #expect(claimed.allSatisfy { $0.attempt == 1 })
        #expect(try db.countsByState() == [.sending: 5, .cancelled: 1])
        #expect(try await db.claimReadAhead(read, now: t0).isEmpty, "a second claim finds them sending")
    }

    @Test("a deferred delivery read ahead is claimed with its next attempt's number")
    func deferredAttempt() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("k1")], now: t0)
        let first = try db.claimDue(now: t0, limit: 1)[0]
        try db.record(
            first.id, attempt: AttemptRecord(started: t0, milliseconds: 5, outcome: "transient", code: 451),
            resolution: .deferred(until: t0.adding(seconds: 60)), now: t0)
        let ahead = try await db.readAhead(dueBy: t0.adding(seconds: 60))
        let claimed = try await db.claimReadAhead(ahead.take(1), now: t0.adding(seconds: 60))
        #expect(claimed.map(\.attempt) == [2])
        #expect(claimed.first?.message == first.message)
    }

    @Test("delivered outcomes settle in groups of any size, each with its own reply, among other outcomes")
    func groupedSettle() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<150).map { notification("k\($0)") }, now: t0)
        let claimed = try db.claimDue(now: t0, limit: 1_000)
        var outcomes = claimed.map { delivered($0, reply: "2.0.0 Ok: queued as Q\($0.id)") }
        // One deferred in the middle, one for an attempt that is not the delivery's (stale), one long reply.
        outcomes[70].resolution = .deferred(until: t0.adding(seconds: 300))
        outcomes[70].record.outcome = "transient"
        outcomes[71].attempt = 9
        outcomes[72].record.reply = String(repeating: "x", count: 700)
        for outcome in outcomes { db.note(outcome) }
        try await db.flushNoted()
        #expect(try db.countsByState() == [.delivered: 148, .deferred: 1, .sending: 1])
        #expect(try db.attempts(claimed[3].id).map(\.reply) == ["2.0.0 Ok: queued as Q\(claimed[3].id)"])
        #expect(try db.attempts(claimed[149].id).map(\.code) == [250])
        #expect(try db.attempts(claimed[71].id).isEmpty, "a stale outcome writes no attempt")
        #expect(try db.attempts(claimed[72].id).first?.reply?.count == 500)
        let stored = try db.deliveries(DeliveryFilter(state: .delivered)).first { $0.id == claimed[5].id }
        #expect(stored?.lastCode == 250)
        #expect(stored?.lastReply == "2.0.0 Ok: queued as Q\(claimed[5].id)")
        #expect(stored?.updated == t0.adding(seconds: 1))
        #expect(try db.integrityCheck())
    }

    @Test("readying the journal's next pages changes nothing it holds, and appends go on after them, across growth")
    func journalTouchAhead() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let path = temp.path + "-outcomes"
        let outcomes = (0..<30_000).map { n in
            SettledAttempt(
                id: Int64(n), attempt: 1,
                record: AttemptRecord(started: t0, milliseconds: 2, outcome: "delivered", code: 250,
                                      reply: "2.0.0 Ok: queued as \(n)"),
                resolution: .delivered, now: t0)
        }
        let journal = try #require(OutcomeJournal(path: path))
        journal.touchAhead(128 << 10)
        #expect(OutcomeJournal.read(path: path).isEmpty, "readied pages are still empty")
        for (n, outcome) in outcomes.enumerated() {
            #expect(journal.append(outcome))
            if n % 1_000 == 999 { journal.touchAhead(128 << 10) }
        }
        // 30,000 lines outgrow the first mapping: the journal was mapped again, larger, on the way.
        #expect(OutcomeJournal.read(path: path) == outcomes)
        journal.reset()
        journal.touchAhead(128 << 10)
        #expect(journal.append(outcomes[7]))
        #expect(OutcomeJournal.read(path: path) == [outcomes[7]])
    }
}
