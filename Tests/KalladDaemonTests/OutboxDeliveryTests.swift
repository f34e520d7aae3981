import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import KalladTestSupport
import KalladTransport
import Testing

/// A fresh outbox in a temporary folder.
struct ScratchOutbox {
    let folder: URL
    let store: KalladDatabase

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try KalladDatabase(path: folder.appendingPathComponent("kallad.sqlite").path)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

@Suite("Outbox against a real SMTP server (aiosmtpd)", .serialized)
struct OutboxDeliveryTests {
    let meeting = "2027-03-11"  // a Thursday; summons due Thursday 2027-02-25 08:00

    func network(_ server: TestServer) -> NetworkCourier {
        NetworkCourier(
            smtp: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", requireTLS: false, timeout: 10),
            receivers: try! ReceiverDirectory(registry: Registry(), secretsOptional: true))  // safe: no receivers
    }

    @Test("550 for one member: no retry, the substitute is summoned, the convener and secretary are told")
    func refusedMember() async throws {
        let server = try TestServer(arguments: ["--rcpt", "bo@example.se=550"])
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: [meeting]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: network(server))
        try await drive(
            tick: tick, dispatcher: dispatcher, store: outbox.store,
            from: OutboxFixture.instant("2027-02-25T07:00"), to: OutboxFixture.instant("2027-02-26T00:00"))

        let summonses = try outbox.store.deliveries(DeliveryFilter(meeting: "natverk/\(meeting)"))
            .filter { $0.kind == .summons }
        let toBo = summonses.filter { $0.recipient == "bo@example.se" }
        #expect(toBo.count == 1)
        #expect(toBo.first?.state == .failed && toBo.first?.attempts == 1 && toBo.first?.lastCode == 550)
        #expect(toBo.first?.escalated == true)
        let toCia = summonses.filter { $0.recipient == "cia@example.se" }
        #expect(toCia.map(\.state) == [.delivered], "the substitute is summoned")
        #expect(toCia.first?.notificationKey.hasSuffix("/substitute/chef-kommun") == true)

        // What the server stored: the summons to anna, dan and cia, and one escalation each to anna and dan.
        let stored = try server.stored()
        let byRecipient = Dictionary(grouping: stored, by: { ($0.envelope["to"] as? [String])?.first ?? "" })
        #expect(byRecipient["bo@example.se"] == nil)
        let escalations = stored.filter {
            String(decoding: $0.message, as: UTF8.self).contains("X-Kallad-Key: natverk/\(meeting)/summons/0/escalation/")
        }
        #expect(Set(escalations.compactMap { ($0.envelope["to"] as? [String])?.first }) == ["anna@example.se", "dan@example.se"])
        let text = escalations.first.map { decodedParts($0.message) } ?? ""
        #expect(text.contains("bo@example.se") && text.contains("550"))
        let ciaMessage = byRecipient["cia@example.se"]?.first.map { decodedParts($0.message) } ?? ""
        #expect(ciaMessage.contains("METHOD:REQUEST"), "the substitute gets the calendar invitation")
    }

    @Test("451 for a whole day, then up: everything delivered, on the ladder, nothing after the meeting began")
    func deferredForADay() async throws {
        let flip = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-451-\(UUID().uuidString)")
        try "451".write(to: flip, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: flip) }
        let server = try TestServer(arguments: ["--data-file", flip.path])
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        // The server defers everything from 2027-02-24 07:00 to 2027-02-26 12:00. Two meetings: one whose summons
        // (due 2027-02-25 08:00) meets the outage, and one on 2027-02-26 at 10:00, inside it.
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: [meeting, "2027-02-26"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: network(server))
        let outageEnds = OutboxFixture.instant("2027-02-26T12:00")
        try await drive(
            tick: tick, dispatcher: dispatcher, store: outbox.store,
            from: OutboxFixture.instant("2027-02-24T07:00"), to: OutboxFixture.instant("2027-03-13T00:00")
        ) { now in
            if now >= outageEnds { try? FileManager.default.removeItem(at: flip) }
        }
        let all = try outbox.store.deliveries(DeliveryFilter())
        let first = all.filter { $0.meeting == "natverk/\(meeting)" && $0.kind != .minutesReminder }
        #expect(!first.isEmpty && first.allSatisfy { $0.state == .delivered }, "\(first.map(\.state))")
        let summons = first.filter { $0.kind == .summons }
        #expect(summons.count == 3 && summons.allSatisfy { $0.attempts >= 6 })
        // The ladder: each wait at least the step's base less its jitter.
        let ladder = RetryPolicy.standard.ladder
        for delivery in summons {
            let attempts = try outbox.store.attempts(delivery.id)
            #expect(attempts.last?.outcome == "delivered")
            for (index, pair) in zip(attempts, attempts.dropFirst()).enumerated() {
                let wait = pair.1.started.secondsSinceEpoch - pair.0.started.secondsSinceEpoch
                let base = ladder[min(index, ladder.count - 1)]
                #expect(wait >= base - base / 10, "attempt \(index + 2) after \(wait) s")
            }
            #expect(attempts.allSatisfy { $0.started < outageEnds || $0.outcome == "delivered" })
        }
        // The meeting on 2027-02-26 began during the outage: nothing of it went out after 10:00 that day.
        let start = OutboxFixture.instant("2027-02-26T10:00")
        let second = all.filter { $0.meeting == "natverk/2027-02-26" && $0.kind != .minutesReminder }
        for delivery in second {
            for attempt in try outbox.store.attempts(delivery.id) where attempt.outcome == "delivered" {
                #expect(attempt.started < start)
            }
        }
        #expect(second.contains { $0.kind == .reminder } && second.allSatisfy { $0.state == .dropped })
        // Every message the server took arrived before its meeting began (minutes reminders excepted).
        for (message, _) in try server.stored() {
            let text = String(decoding: message, as: UTF8.self)
            #expect(!text.contains("X-Kallad-Key: natverk/2027-02-26/reminder"))
        }
    }

    /// `count` one-recipient summonses due at `due`, a month before their meetings: keys `<name>-<n>`, meetings
    /// `<name>/<n>` of body `<name>`, recipients `<name><n>@example.se`.
    static func summonses(_ count: Int, named name: String, due: Instant) -> [NewNotification] {
        (0..<count).map { n in
            NewNotification(
                key: "\(name)-\(n)", kind: .summons, meeting: "\(name)/\(n)", body: name, sequence: 0, due: due,
                meetingStart: due.adding(seconds: 30 * 86_400),
                deliveries: [
                    NewDelivery(
                        channel: .email, recipient: "\(name)\(n)@example.se", envelopeFrom: "kallad@example.se",
                        message: "Subject: \(name) \(n)\r\n\r\nKallelse \(n)\r\n")
                ])
        }
    }

    @Test("a round claims no more once it has run its time: one claim of 10 of 35, the next round takes the rest")
    func roundTime() async throws {
        let server = try TestServer()
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        let due = Instant(secondsSinceEpoch: 1_800_000_000)
        #expect(try outbox.store.enqueue(Self.summonses(35, named: "time", due: due), now: due) == 35)
        let dispatcher = Dispatcher(policy: .standard, courier: network(server))
        let first = try await dispatcher.dispatch(store: outbox.store, now: { due }, limit: 10, batches: 10, within: .zero)
        #expect(first.claimed == 10)
        #expect(try outbox.store.countsByState() == [.delivered: 10, .queued: 25])
        let rest = try await dispatcher.dispatch(store: outbox.store, now: { due }, limit: 10, batches: 10)
        #expect(rest.claimed == 25)
        #expect(try outbox.store.countsByState() == [.delivered: 35])
        #expect(try server.stored().count == 35)
    }

    @Test("a round of several claims: 35 summonses claimed 10 at a time all go, in claim order, over one SMTP session")
    func streamedBatches() async throws {
        let server = try TestServer()
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        let due = Instant(secondsSinceEpoch: 1_800_000_000)
        #expect(try outbox.store.enqueue(Self.summonses(35, named: "stream", due: due), now: due) == 35)
        let dispatcher = Dispatcher(policy: .standard, courier: network(server))
        let report = try await dispatcher.dispatch(store: outbox.store, now: { due }, limit: 10, batches: 10)
        #expect(report.claimed == 35)
        #expect(report.outcomes == ["delivered": 35])
        let stored = try server.stored()
        #expect(stored.compactMap { ($0.envelope["to"] as? [String])?.first } == (0..<35).map { "stream\($0)@example.se" })
        #expect(Set(stored.compactMap { $0.envelope["peer_port"] as? Int }).count == 1, "one session throughout")
        let states = try outbox.store.countsByState()
        #expect(states == [.delivered: 35])
    }

    @Test("a batch read ahead: what was cancelled meanwhile is not sent, what was enqueued since goes after it")
    func readAheadBatch() async throws {
        let server = try TestServer()
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        let due = Instant(secondsSinceEpoch: 1_800_000_000)
        #expect(try outbox.store.enqueue(Self.summonses(25, named: "ahead", due: due), now: due.adding(seconds: -90)) == 25)
        let ahead = try await outbox.store.readAhead(dueBy: due)
        #expect(ahead.count == 25)
        // Before the due time: a meeting is cancelled, and one more summons comes due.
        let cancelled = try outbox.store.deliveries(DeliveryFilter(meeting: "ahead/3")).map(\.id)
        try outbox.store.settle(cancelled, as: .cancelled, reason: "meeting cancelled", now: due.adding(seconds: -10))
        #expect(try outbox.store.enqueue(Self.summonses(1, named: "late", due: due), now: due.adding(seconds: -5)) == 1)
        let dispatcher = Dispatcher(policy: .standard, courier: network(server))
        let early = try await dispatcher.dispatch(
            store: outbox.store, now: { due.adding(seconds: -1) }, limit: 10, batches: 10, readAhead: ahead)
        #expect(early.claimed == 0, "before its due time the batch read ahead is kept, not claimed")
        #expect(ahead.count == 25)
        let report = try await dispatcher.dispatch(
            store: outbox.store, now: { due }, limit: 10, batches: 10, readAhead: ahead)
        #expect(report.claimed == 25)
        #expect(ahead.count == 0)
        let recipients = try server.stored().compactMap { ($0.envelope["to"] as? [String])?.first }
        #expect(recipients == (0..<25).filter { $0 != 3 }.map { "ahead\($0)@example.se" } + ["late0@example.se"])
        #expect(try outbox.store.countsByState() == [.delivered: 25, .cancelled: 1])
    }
}

/// The message's headers and every base64 part decoded, as one text to search.
func decodedParts(_ message: Data) -> String {
    let text = String(decoding: message, as: UTF8.self)
    var out = ""
    var base64 = "", inBase64 = false, inBody = false
    for line in text.components(separatedBy: "\r\n") {
        if line.hasPrefix("Content-Transfer-Encoding: base64") {
            inBase64 = true
            inBody = false
        } else if inBase64 && line.isEmpty && !inBody {
            inBody = true
        } else if inBase64 && inBody {
            if line.isEmpty || line.hasPrefix("--") {
                out += String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self) + "\n"
                base64 = ""
                inBase64 = false
                inBody = false
            } else {
                base64 += line
            }
        } else {
            out += line + "\n"
        }
    }
    return out
}
