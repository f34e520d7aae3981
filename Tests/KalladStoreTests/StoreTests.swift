import Foundation
import KalladCore
import KalladStore
import Testing

/// A fresh database file in a temporary folder, removed with the folder.
struct TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("kallad.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func open() throws -> KalladDatabase { try KalladDatabase(path: path) }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

let t0 = Instant(secondsSinceEpoch: 1_800_000_000)

func notification(
    _ key: String, kind: NotificationKind = .summons, meeting: String = "b/2027-03-04", sequence: Int = 0,
    due: Instant = t0, start: Instant = t0.adding(seconds: 14 * 86_400), recipients: [String] = ["a@example.se"]
) -> NewNotification {
    NewNotification(
        key: key, kind: kind, meeting: meeting, body: "b", sequence: sequence, due: due, meetingStart: start,
        deliveries: recipients.map {
            NewDelivery(
                channel: .email, recipient: $0, person: String($0.prefix { $0 != "@" }), seat: "seat-\($0.prefix(1))",
                name: $0.uppercased(), envelopeFrom: "kallad@example.se", message: "Subject: \(key)\r\n\r\nbody\r\n")
        })
}

@Suite("SQLite outbox")
struct StoreTests {
    @Test("enqueue is idempotent by key, also across a reopened database")
    func idempotentEnqueue() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let batch = [notification("k1", recipients: ["a@x.se", "b@x.se"]), notification("k2")]
        #expect(try db.enqueue(batch, now: t0) == 2)
        #expect(try db.enqueue(batch, now: t0) == 0)
        let reopened = try temp.open()
        #expect(try reopened.enqueue(batch + [notification("k3")], now: t0) == 1)
        #expect(try reopened.countsByState() == [.queued: 4])
        #expect(try reopened.existingKeys(["k1", "k3", "nope"]) == ["k1", "k3"])
        #expect(try reopened.integrityCheck())
    }

    @Test("a claimed message comes back byte for byte, non-ASCII text and all, as bytes and as text")
    func claimedMessageBytes() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let text = "Subject: Kallelse\r\n\r\nLänsstyrgruppen möts på fredag — välkommen.\r\n.\r\n"
        var made = notification("bytes-1")
        made.deliveries[0].message = text
        #expect(try db.enqueue([made], now: t0) == 1)
        let claimed = try db.claimDue(now: t0, limit: 1)
        #expect(claimed.map(\.messageBytes) == [Array(text.utf8)])
        #expect(claimed.map(\.message) == [text])
    }

    @Test("claim → record walks the state machine; nothing is claimed before it is due or twice")
    func stateMachine() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue(
            [notification("k1", recipients: ["a@x.se", "b@x.se", "c@x.se", "d@x.se"]),
             notification("later", due: t0.adding(seconds: 3600))], now: t0)
        #expect(try db.claimDue(now: t0.adding(seconds: -1), limit: 10).isEmpty)
        let claimed = try db.claimDue(now: t0, limit: 10)
        #expect(claimed.count == 4)
        #expect(claimed.allSatisfy { $0.attempt == 1 && $0.notificationKey == "k1" })
        #expect(try db.claimDue(now: t0, limit: 10).isEmpty, "sending deliveries are not claimed again")
        let attempt = AttemptRecord(started: t0, milliseconds: 12, outcome: "delivered", code: 250, reply: "OK")
        try db.record(claimed[0].id, attempt: attempt, resolution: .delivered, now: t0)
        try db.record(
            claimed[1].id, attempt: AttemptRecord(started: t0, milliseconds: 3, outcome: "transient", code: 451),
            resolution: .deferred(until: t0.adding(seconds: 60)), now: t0)
        try db.record(
            claimed[2].id, attempt: AttemptRecord(started: t0, milliseconds: 3, outcome: "permanent", code: 550),
            resolution: .failed(reason: "refused by the server", escalate: true), now: t0)
        try db.record(
            claimed[3].id, attempt: AttemptRecord(started: t0, milliseconds: 0, outcome: "dropped"),
            resolution: .dropped(reason: "too late"), now: t0)
        #expect(try db.countsByState() == [.delivered: 1, .deferred: 1, .failed: 1, .dropped: 1, .queued: 1])
        #expect(try db.nextAttempt() == t0.adding(seconds: 60))
        let again = try db.claimDue(now: t0.adding(seconds: 60), limit: 10)
        #expect(again.map(\.id) == [claimed[1].id])
        #expect(again.first?.attempt == 2)
        let failures = try db.failuresToEscalate()
        #expect(failures.map(\.id) == [claimed[2].id])
        #expect(failures.first?.reason == "refused by the server: 550 ")
        try db.escalate(failures.map(\.id), with: [notification("k1/escalation/3")], now: t0)
        #expect(try db.failuresToEscalate().isEmpty)
        let listed = try db.deliveries(DeliveryFilter(state: .failed))
        #expect(listed.count == 1 && listed[0].escalated && listed[0].lastCode == 550)
    }

    @Test("a delivery left in `sending` by a crash is queued again")
    func recovery() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        do {
            let db = try temp.open()
            _ = try db.enqueue([notification("k1", recipients: ["a@x.se", "b@x.se"])], now: t0)
            _ = try db.claimDue(now: t0, limit: 1)
        }
        let db = try temp.open()
        #expect(try db.countsByState() == [.sending: 1, .queued: 1])
        #expect(try db.recoverInterrupted(now: t0.adding(seconds: 5)) == 1)
        #expect(try db.claimDue(now: t0.adding(seconds: 5), limit: 10).count == 2)
    }

    @Test("pending deliveries are settled as cancelled or superseded; finished ones are left alone")
    func settle() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("k1", recipients: ["a@x.se", "b@x.se"])], now: t0)
        let first = try db.claimDue(now: t0, limit: 1)[0]
        try db.record(
            first.id, attempt: AttemptRecord(started: t0, milliseconds: 1, outcome: "delivered"), resolution: .delivered,
            now: t0)
        let pending = try db.pending(dueFrom: Instant(secondsSinceEpoch: 0))
        #expect(pending.count == 1)
        try db.settle(pending.map(\.id) + [first.id], as: .cancelled, reason: "the meeting was cancelled", now: t0)
        #expect(try db.countsByState() == [.delivered: 1, .cancelled: 1])
    }

    @Test("retry by hand, and its refusals")
    func retryByHand() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("k1")], now: t0)
        let claimed = try db.claimDue(now: t0, limit: 1)[0]
        #expect(throws: StoreError.self) { try db.retry(claimed.id, now: t0) }
        try db.record(
            claimed.id, attempt: AttemptRecord(started: t0, milliseconds: 1, outcome: "permanent", code: 550),
            resolution: .failed(reason: "refused", escalate: false), now: t0)
        try db.retry(claimed.id, now: t0.adding(seconds: 10))
        #expect(try db.claimDue(now: t0.adding(seconds: 10), limit: 1).first?.attempt == 2)
        do {
            try db.retry(9999, now: t0)
            Issue.record("retry of an unknown delivery succeeded")
        } catch {
            #expect(error.code == "store.not_found")
        }
    }

    @Test("purge removes finished deliveries and notifications past the retention, nothing else")
    func purge() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        _ = try db.enqueue([notification("old", recipients: ["a@x.se", "b@x.se"])], now: t0)
        for claimed in try db.claimDue(now: t0, limit: 10) {
            try db.record(
                claimed.id, attempt: AttemptRecord(started: t0, milliseconds: 1, outcome: "delivered"),
                resolution: .delivered, now: t0)
        }
        _ = try db.enqueue([notification("new", due: t0.adding(seconds: 86_400 * 200))], now: t0)
        _ = try db.recordTrigger(
            TriggerEntry(id: "msg_1", system: "s", type: "meeting.cancelled", receivedAt: t0, payload: "{}", changes: []))
        let count = try db.purge(finishedBefore: t0.adding(seconds: 1))
        #expect(count.notifications == 1 && count.deliveries == 2 && count.triggers == 1)
        #expect(try db.countsByState() == [.queued: 1])
        #expect(try db.recordTrigger(
            TriggerEntry(id: "msg_1", system: "s", type: "meeting.cancelled", receivedAt: t0, payload: "{}", changes: []))
            == false, "a purged trigger's id still counts as seen")
    }

    @Test("triggers are recorded once; their overlay changes come back as they went in")
    func triggersAndOverlay() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let db = try temp.open()
        let date = LocalDate(year: 2027, month: 5, day: 6)!
        let ten = LocalTime(hour: 10, minute: 0)!
        let actions: [OverlayChange.Action] = [
            .extra(body: "b", start: LocalDateTime(date, ten), end: LocalTime(hour: 12, minute: 0), requestedBy: "p",
                   reason: "brådskande ärende"),
            .extra(body: "b", start: LocalDateTime(date, ten), end: nil, requestedBy: nil, reason: ""),
            .moved(meeting: "b/2027-05-06", start: LocalDateTime(date.adding(days: 1), ten), end: nil),
            .cancelled(meeting: "b/2027-05-06", reason: "sjukdom"),
            .standIn(meeting: "m", seat: "s", person: "p"),
            .absent(meeting: "m", seat: "s"),
            .roleHolder(meeting: "m", role: .secretary, person: "p"),
            .agendaItem(meeting: "m", title: "Avvikelse: ”läkemedel” & <rutiner>", submittedBy: nil),
            .sendNow(meeting: "m"),
        ]
        let changes = actions.enumerated().map {
            OverlayChange(id: "msg_1/\($0.offset)", action: $0.element, knownAt: t0.adding(seconds: Int64($0.offset)))
        }
        let entry = TriggerEntry(
            id: "msg_1", system: "journal", type: "meeting.moved", receivedAt: t0, payload: "{}", changes: changes)
        #expect(try db.recordTrigger(entry))
        #expect(try db.recordTrigger(entry) == false)
        #expect(try db.overlay().changes == changes)
    }

    @Test("a read-only database and a full one give errors with a code and the place, never a crash")
    func unwritable() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        do {
            let db = try temp.open()
            _ = try db.enqueue([notification("k1")], now: t0)
        }
        // Full: SQLite's own page limit gives the real SQLITE_FULL.
        let full = try temp.open()
        try full.limitPages(toCurrentPlus: 0)
        let many = (0..<200).map { notification("n\($0)", recipients: (0..<20).map { "r\($0)@example.se" }) }
        do {
            _ = try full.enqueue(many, now: t0)
            Issue.record("enqueue into a full database succeeded")
        } catch {
            #expect(error.code == "store.full")
            #expect(error.place.hasSuffix("kallad.sqlite: enqueue"))
        }
        #expect(try full.countsByState() == [.queued: 1], "the failed transaction left nothing behind")
        try full.limitPages(toCurrentPlus: 100_000)
        #expect(try full.enqueue(many, now: t0) == 200)
        #expect(try full.integrityCheck())
    }
}
