import Foundation
import Synchronization
import KalladCore
@testable import KalladStore
import Testing

@Suite("Noted outcomes, the outcome journal and group commits")
struct NotedOutcomeTests {
    func delivered(_ claimed: ClaimedDelivery, at now: Instant = t0) -> SettledAttempt {
        SettledAttempt(
            id: claimed.id, attempt: claimed.attempt,
            record: AttemptRecord(started: now, milliseconds: 3, outcome: "delivered", code: 250, reply: "2.0.0 Ok"),
            resolution: .delivered, now: now)
    }

    @Test("noted outcomes are committed in groups; flush waits for them and the journal is emptied")
    func groupCommit() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue((0..<300).map { notification("k\($0)") }, now: t0)
        let claimed = try db.claimDue(now: t0, limit: 1_000)
        #expect(claimed.count == 300)
        for delivery in claimed { db.note(delivered(delivery)) }
        try await db.flushNoted()
        #expect(db.notedCount == 0)
        #expect(try db.countsByState() == [.delivered: 300])
        #expect(try db.attempts(claimed[17].id).map(\.code) == [250])
        #expect(OutcomeJournal.read(path: temp.path + "-outcomes").isEmpty)
        #expect(try db.integrityCheck())
    }

    @Test("after a crash, what the journal holds settles its deliveries; the rest is sent again")
    func recoveryFromJournal() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        var claimed: [ClaimedDelivery] = []
        do {
            let db = try temp.open()
            _ = try db.enqueue([notification("k1", recipients: ["a@x.se", "b@x.se", "c@x.se"])], now: t0)
            claimed = try db.claimDue(now: t0, limit: 10)
        }
        #expect(claimed.count == 3)
        // What a killed process leaves: two whole lines, a stale line for another attempt, and a torn last line.
        let failed = SettledAttempt(
            id: claimed[1].id, attempt: claimed[1].attempt,
            record: AttemptRecord(started: t0, milliseconds: 9, outcome: "permanent", code: 550, reply: "5.1.1 no\tsuch"),
            resolution: .failed(reason: "refused", escalate: true), now: t0)
        var stale = delivered(claimed[0])
        stale.attempt = 7
        stale.resolution = .deferred(until: t0.adding(seconds: 60))
        let torn = String(OutcomeJournal.encode(delivered(claimed[2])).dropLast(6))
        let text = OutcomeJournal.encode(delivered(claimed[0])) + OutcomeJournal.encode(stale)
            + OutcomeJournal.encode(failed) + torn
        try Data(text.utf8).write(to: URL(fileURLWithPath: temp.path + "-outcomes"))

        let db = try temp.open()
        #expect(try db.recoverInterrupted(now: t0.adding(seconds: 5)) == 1)
        let states = Dictionary(
            uniqueKeysWithValues: try db.deliveries(DeliveryFilter()).map { ($0.recipient, $0.state) })
        #expect(states == ["a@x.se": .delivered, "b@x.se": .failed, "c@x.se": .queued])
        #expect(try db.attempts(claimed[0].id).count == 1)
        #expect(try db.attempts(claimed[1].id).first?.reply == "5.1.1 no\tsuch")
        #expect(try db.failuresToEscalate().map(\.recipient) == ["b@x.se"])
        #expect(OutcomeJournal.read(path: temp.path + "-outcomes").isEmpty)
    }

    @Test("journal lines keep every field, whatever the text holds")
    func journalLines() {
        let texts: [String?] = [nil, "-", "", "a\\b", "tab\there", "two\nlines\r\n", "åäö 250 2.0.0 Ok: queued", "nul\u{0}inside"]
        for text in texts {
            for resolution in [
                Resolution.delivered, .deferred(until: t0.adding(seconds: 300)),
                .failed(reason: text ?? "x", escalate: true), .dropped(reason: text ?? "-"),
            ] {
                let outcome = SettledAttempt(
                    id: 42, attempt: 3,
                    record: AttemptRecord(started: t0, milliseconds: 12, outcome: "transient", code: nil, reply: text),
                    resolution: resolution, now: t0.adding(seconds: 1))
                let line = OutcomeJournal.encode(outcome)
                #expect(line.filter { $0 == "\n" }.count == 1)
                #expect(OutcomeJournal.decode(Substring(line.dropLast())) == outcome)
            }
        }
    }

    @Test("the mapped journal keeps its lines across a reopen, grows past its first step, skips a torn line")
    func mappedJournal() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let path = temp.path + "-journal-only"
        defer { unlink(path) }
        let outcomes = (0..<25_000).map { n in
            SettledAttempt(
                id: Int64(n), attempt: 1,
                record: AttemptRecord(started: t0, milliseconds: n % 900, outcome: "delivered", code: 250,
                                      reply: "2.0.0 Ok: queued as \(n)"),
                resolution: .delivered, now: t0)
        }
        do {
            let journal = try #require(OutcomeJournal(path: path))
            for outcome in outcomes { #expect(journal.append(outcome)) }
        }
        // 25,000 lines are more than one step of the file: it grew, and every line is there after a "crash".
        #expect(OutcomeJournal.read(path: path) == outcomes)
        // A reopened journal appends after what it holds; a torn line in the middle is skipped.
        do {
            let journal = try #require(OutcomeJournal(path: path))
            let extra = SettledAttempt(
                id: 99_999, attempt: 2, record: AttemptRecord(started: t0, milliseconds: 1, outcome: "permanent",
                                                             code: 550, reply: "5.1.1 no such user"),
                resolution: .failed(reason: "550", escalate: true), now: t0)
            #expect(journal.append(extra))
            #expect(OutcomeJournal.read(path: path).last == extra)
            journal.reset()
            #expect(OutcomeJournal.read(path: path).isEmpty)
            #expect(journal.append(extra))
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            let line = Array(OutcomeJournal.encode(outcomes[0]).utf8)
            try handle.seek(toOffset: UInt64(OutcomeJournal.encode(extra).utf8.count))
            try handle.write(contentsOf: line.dropLast(5))
            // The journal ends at its first zero: a whole line beyond a gap of zeros is not part of it.
            try handle.seek(toOffset: UInt64(OutcomeJournal.encode(extra).utf8.count + line.count + 16))
            try handle.write(contentsOf: line)
            try handle.close()
            #expect(OutcomeJournal.read(path: path) == [extra])
        }
    }

    @Test("while the store refuses writes, noted outcomes wait; once it takes them, they are committed")
    func refusedThenAccepted() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("k1", recipients: ["a@x.se", "b@x.se"])], now: t0)
        let claimed = try db.claimDue(now: t0, limit: 10)
        try db.refuseWrites(true)
        for delivery in claimed { db.note(delivered(delivery)) }
        await #expect(throws: StoreError.self) { try await db.flushNoted() }
        #expect(db.notedCount == 2)
        try db.refuseWrites(false)
        try await db.flushNoted()
        #expect(db.notedCount == 0)
        #expect(try db.countsByState() == [.delivered: 2])
    }

    @Test("triggers logged at the same time share commits; each id is accepted once")
    func triggerGroupCommit() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<200 {
                group.addTask {
                    try await db.logTrigger(
                        TriggerEntry(
                            id: "msg_\(n % 100)", system: "s", type: "agenda.item.added", receivedAt: t0,
                            payload: "{}", changes: []))
                }
            }
            var count = 0
            for try await fresh in group where fresh { count += 1 }
            return count
        }
        #expect(accepted == 100)
        #expect(try db.recordTrigger(
            TriggerEntry(id: "msg_5", system: "s", type: "x", receivedAt: t0, payload: "{}", changes: [])) == false)
    }

    @Test("a quiet store runs its idle work once per quiet spell, never while rounds keep coming")
    func idleWorkAfterQuiet() async throws {
        let idled = Mutex(0)
        let commits = GroupCommit(
            label: "test.idle", idleAfter: .milliseconds(600), idle: { idled.withLock { $0 += 1 } }
        ) { jobs in Array(repeating: nil, count: jobs.count) }
        // Rounds from a thread of their own (not the cooperative pool, which busy tests can hold up), one every
        // 20 ms for about half a second: never quiet for 600 ms.
        let rounds = { @Sendable (count: Int) in
            for _ in 0..<count {
                let done = DispatchSemaphore(value: 0)
                commits.submit(GroupCommit.Job(durable: false, work: { _ in }, done: { _ in done.signal() }))
                done.wait()
                usleep(20_000)
            }
        }
        // What the idle count was right after the last round, read on the same thread (the test's own task may
        // resume late on a busy machine).
        let afterRounds = Mutex(-1)
        let busy = Thread {
            rounds(25)
            afterRounds.withLock { $0 = idled.withLock { $0 } }
        }
        busy.start()
        while !busy.isFinished { try await Task.sleep(for: .milliseconds(10)) }
        #expect(afterRounds.withLock { $0 } == 0)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(idled.withLock { $0 } == 1)
        // Quiet again after one more round: once more, and only once.
        rounds(1)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(idled.withLock { $0 } == 2)
    }
}
