import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KalladCore
import KalladStore
import KalladTestSupport
import Testing

@testable import KalladDaemon

@Suite("POST /v1/triggers on the event loop")
struct TriggerChannelHandlerTests {
    @Test("on one connection: a trigger taken at once, a route, a replay the router refuses, another trigger")
    func orderOnOneConnection() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let first = Fixture.agendaItem()
        let second = Fixture.trigger(
            "meeting.cancelled", "{\"meeting\":\"\(Fixture.meeting)\",\"reason\":\"no quorum\"}")
        try await Fixture.server(services).test(.live) { client in
            try await client.execute(
                uri: "/v1/triggers", method: .post, headers: Fixture.signed(first, id: "a1"),
                body: ByteBuffer(string: first)
            ) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[.contentType] == "application/json")
                #expect(
                    String(buffer: response.body)
                        == TriggerEndpoint.accepted(
                            id: "a1", type: "agenda.item.added", system: "arende", meetings: [Fixture.meeting]))
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(
                uri: "/v1/triggers", method: .post, headers: Fixture.signed(first, id: "a1"),
                body: ByteBuffer(string: first)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("\"code\":\"trigger.replay\""))
            }
            try await client.execute(
                uri: "/v1/triggers", method: .post, headers: Fixture.signed(second, id: "a2"),
                body: ByteBuffer(string: second)
            ) { response in
                #expect(response.status == .accepted)
            }
        }
        #expect(await inbox.triggers.map(\.id) == ["a1", "a2"])
        let metrics = services.metrics
        #expect(metrics.value(KalladMetrics.httpRequests, labels: ["route": "/v1/triggers", "code": "202"]) == 2)
        #expect(metrics.value(KalladMetrics.httpRequests, labels: ["route": "/v1/triggers", "code": "409"]) == 1)
        #expect(metrics.value(KalladMetrics.httpRequests, labels: ["route": "/healthz", "code": "200"]) == 1)
        #expect(
            metrics.value(
                KalladMetrics.triggers,
                labels: ["system": "arende", "type": "agenda.item.added", "outcome": "accepted"]) == 1)
        #expect(
            metrics.value(
                KalladMetrics.triggers,
                labels: ["system": "arende", "type": "agenda.item.added", "outcome": "trigger.replay"]) == 1)
    }

    @Test("a body over the limit and a GET on the trigger route still get the router's answers")
    func notForTheHandler() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let big = Fixture.trigger(
            "agenda.item.added",
            "{\"meeting\":\"\(Fixture.meeting)\",\"title\":\"\(String(repeating: "x", count: 70_000))\"}")
        try await Fixture.server(services).test(.live) { client in
            try await client.execute(
                uri: "/v1/triggers", method: .post, headers: Fixture.signed(big), body: ByteBuffer(string: big)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("\"code\":\"trigger.too_large\""))
            }
            try await client.execute(uri: "/v1/triggers", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
        #expect(await inbox.triggers.isEmpty)
    }

    @Test("pipelined requests are answered in the order they came, whoever answers them")
    func pipelined() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        func post(_ id: String) -> String {
            let body = Fixture.agendaItem()
            var text = "POST /v1/triggers HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n"
            for field in Fixture.signed(body, id: id) { text += "\(field.name.canonicalName): \(field.value)\r\n" }
            return text + "\r\n" + body
        }
        let health = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
        let last = "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
        // A trigger, a route while it is recorded, a route before a trigger, a replay, a trigger: all in one write.
        let requests = post("p1") + health + health + post("p2") + post("p1") + post("p3") + last
        let answers = try await Fixture.server(services).test(.live) { client in
            try await Self.exchangeOffThePool(port: client.port ?? 0, requests)
        }
        // Each answer starts with a status line; a body does not end in a line break.
        let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["202", "200", "200", "202", "409", "202", "200"], "\(answers)")
        #expect(await inbox.triggers.map(\.id) == ["p1", "p2", "p3"])
    }

    @Test("a client pipelining more triggers than may wait is read again once they are answered, all in order")
    func pipelinedPastTheHeldLimit() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let count = 3 * TriggerChannelHandler.heldLimit
        var requests = ""
        for index in 0..<count {
            let body = Fixture.agendaItem()
            requests += "POST /v1/triggers HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n"
            for field in Fixture.signed(body, id: "h\(index)") {
                requests += "\(field.name.canonicalName): \(field.value)\r\n"
            }
            requests += "\r\n" + body
        }
        requests += "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
        let all = requests
        let answers = try await Fixture.server(services).test(.live) { client in
            try await Self.exchangeOffThePool(port: client.port ?? 0, all)
        }
        let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == Array(repeating: "202", count: count) + ["200"], "\(answers)")
        #expect(await inbox.triggers.map(\.id) == (0..<count).map { "h\($0)" })
    }

    /// `exchange` on a thread of its own: its blocking reads must not hold one of the cooperative pool's threads,
    /// which the inbox needs to answer (on 2 cores the pool has 2, and other suites run beside this one).
    static func exchangeOffThePool(port: Int, _ text: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try exchange(port: port, text) }) }.start()
        }
    }

    /// Sends `text` on one connection and reads until the server closes it (or 20 s pass without a byte).
    static func exchange(port: Int, _ text: String) throws -> String {
        guard let fd = Loopback.connect(port: port) else {
            throw DaemonError(code: "test.connect", message: "no connection", place: "\(port)")
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += buffer[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test("the decision taken at once agrees with the one taken with the overlay, or defers to it")
    func atOnceAgrees() async throws {
        let config = Fixture.config()
        let inbox = RecordingInbox()
        let lookup = ScheduleLookup(config: config, inbox: inbox, cache: ScheduleCache())
        let resolver = TriggerResolver(config: config, lookup: lookup)
        guard let arende = config.service.system("arende"), let avvikelser = config.service.system("avvikelser")
        else {
            Issue.record("the fixture's systems are missing")
            return
        }
        let m = Fixture.meeting
        let commands: [(TriggerCommand, SendingSystem, Bool)] = [
            (.agendaItemAdded(meeting: m, title: "t", submittedBy: nil), arende, true),
            (.meetingCancelled(meeting: m, reason: "r"), arende, true),
            (.summonsSendNow(meeting: "norrbotten-lsg/2027-02-12"), arende, true),
            (.summonsSendNow(meeting: "jonkoping-natverk-trepart/2027-02-11"), arende, true),
            (.agendaItemAdded(meeting: "norrbotten-lsg/2027-01-20-extra-x1", title: "t", submittedBy: nil), arende, false),
            (.deviationReported(title: "d", body: nil, reportedBy: nil), avvikelser, false),
        ]
        for (command, system, atOnce) in commands {
            let quick = resolver.resolveAtOnce(
                command, id: "q", system: system, now: Fixture.now, baseMeeting: lookup.baseMeeting)
            #expect((quick != nil) == atOnce, "\(command)")
            if let quick {
                let full = try await resolver.resolve(command, id: "q", system: system, now: Fixture.now)
                #expect(quick == full, "\(command)")
            }
        }
    }

    @Test("the store inbox's completion: accepted once, then a replay, the planner rung once")
    func storeCompletion() async throws {
        let scratch = try ScratchOutbox()
        defer { scratch.remove() }
        let bell = Doorbell()
        let inbox = StoreTriggerInbox(store: scratch.store, plannerBell: bell)
        let at = Instant(secondsSinceEpoch: 1_800_000_000)
        let trigger = InboundTrigger(
            id: "msg_2", system: "journal", type: "summons.send_now", receivedAt: at,
            changes: [OverlayChange(id: "msg_2", action: .sendNow(meeting: "b/2027-03-04"), knownAt: at)],
            payload: #"{"meeting":"b/2027-03-04"}"#)
        func record() async -> TriggerAcceptance? {
            await withCheckedContinuation { continuation in
                inbox.record(trigger) { continuation.resume(returning: try? $0.get()) }
            }
        }
        #expect(await record() == .accepted)
        #expect(await bell.wait(timeout: .milliseconds(10)), "an accepted trigger rings the planner")
        #expect(await record() == .duplicate)
        #expect(await bell.wait(timeout: .milliseconds(10)) == false, "a replay does not")
        #expect(try await inbox.overlay().changes == trigger.changes)
    }
}
