import Foundation
import KalladTestSupport
import Testing

@testable import KalladTransport

@Suite("HTTP over libcurl's multi interface: parallelism, cancellation, timeouts", .serialized)
struct HTTPEngineTests {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test("at most maxInFlight requests reach the receiver at once, and that many do")
    func inFlight() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 10, maxInFlight: 20))
        let requests = (0..<60).map {
            OutgoingRequest(url: "http://127.0.0.1:\(server.port)/slow/\($0)", body: "{\"n\":\($0)}")
        }
        let outcomes = await transport.send(requests)
        #expect(outcomes.allSatisfy { $0.name == "delivered" })
        let recorded = try server.requests()
        #expect(recorded.count == 60)
        #expect(Set(recorded.compactMap { $0["path"] as? String }) == Set((0..<60).map { "/slow/\($0)" }))
        let peak = recorded.compactMap { $0["in_flight"] as? Int }.max() ?? 0
        #expect(peak == 20)
        // Kept alive: three waves over the same 20 connections.
        #expect(Set(recorded.compactMap { $0["client_port"] as? Int }).count == 20)
        // Three waves of 0.4 s by the receiver's clock; one at a time would take 24 s. (Not the test's clock: when
        // other suites keep Swift's cooperative threads busy, this task resumes late, however fast the engine was.)
        let arrivals = recorded.compactMap { $0["t"] as? Double }.sorted()
        let span = (arrivals.last ?? 0) - (arrivals.first ?? 0)
        #expect(arrivals.count == 60 && span < 3, "the last of 60 requests arrived \(span) s after the first")
    }

    @Test("50 in flight by default; outcomes come back in the order of the requests")
    func defaultBatch() async throws {
        #expect(HTTPSettings().maxInFlight == 50)
        let server = try TestServer(script: "http_receiver.py")
        let paths = ["ok", "gone", "busy", "later", "fail", "bad", "auth", "created"]
        let requests = (0..<200).map { n in
            OutgoingRequest(url: "http://127.0.0.1:\(server.port)/\(paths[n % paths.count])/\(n)", body: "{}")
        }
        let outcomes = await HTTPTransport().send(requests)
        let expected = [
            "delivered", "permanent", "transient", "transient", "transient", "permanent", "configuration", "delivered",
        ]
        #expect(outcomes.map(\.name) == (0..<200).map { expected[$0 % expected.count] })
        #expect(try server.requests().count == 200)
        guard case .transient(let busy, _, let busyAfter) = outcomes[2],
            case .transient(let later, _, let laterAfter) = outcomes[3]
        else {
            Issue.record("429 and 503 should be transient")
            return
        }
        #expect(busy?.code == 429)
        #expect(busyAfter == 30)
        #expect(later?.code == 503)
        #expect(laterAfter == 60, "an HTTP date in Retry-After is read as a pause of 60 s")
        guard case .transient(_, _, let failAfter) = outcomes[4] else { return }
        #expect(failAfter == nil)
    }

    @Test("16 tasks sending at once on one transport run side by side, never holding Swift's cooperative threads")
    func concurrentTasks() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 10))
        let url = "http://127.0.0.1:\(server.port)/slow"
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
            for n in 0..<16 { group.addTask { await transport.send(OutgoingRequest(url: "\(url)/\(n)", body: "{}")) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 16)
        #expect(outcomes.allSatisfy { $0.name == "delivered" })
        // The cooperative pool has as many threads as cores (2 here): sends that blocked their thread would reach
        // the receiver two at a time.
        #expect(try server.requests().compactMap { $0["in_flight"] as? Int }.max() ?? 0 >= 8)
    }

    @Test("one request on its own")
    func single() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport()
        let outcome = await transport.send(
            OutgoingRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/created", body: "{\"a\":1}"))
        guard case .delivered(let reply) = outcome else {
            Issue.record("expected delivered, got \(outcome)")
            return
        }
        #expect(reply?.code == 201)
        #expect(try server.requests().first?["method"] as? String == "PUT")
    }

    @Test("cancelling the task ends a hanging request at once as transient 'cancelled'; the transport goes on")
    func cancellation() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 60))
        let hang = OutgoingRequest(url: "http://127.0.0.1:\(server.port)/hang", body: "{}")
        let started = ContinuousClock.now
        let task = Task { await transport.send([hang, hang, hang]) }
        // Wait until the receiver has the requests, then cancel.
        while try server.requests().count < 3, Self.seconds(since: started) < 10 {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        let outcomes = await task.value
        // The receiver holds /hang for 20 s; a generous bound, since this task may resume late when other suites
        // keep the cooperative threads busy.
        #expect(Self.seconds(since: started) < 15)
        #expect(
            outcomes == Array(repeating: DeliveryOutcome.transient(nil, reason: "cancelled", retryAfter: nil), count: 3)
        )
        let after = await transport.send(OutgoingRequest(url: "http://127.0.0.1:\(server.port)/ok", body: "{}"))
        #expect(after.name == "delivered")
    }

    @Test("a task cancelled before it sends sends nothing")
    func cancelledBefore() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport()
        let request = OutgoingRequest(url: "http://127.0.0.1:\(server.port)/ok", body: "{}")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await transport.send(request)
        }
        #expect(await task.value == .transient(nil, reason: "cancelled", retryAfter: nil))
        #expect(try server.requests().isEmpty)
    }

    @Test("a request that outlasts the timeout is transient, and ends when the timeout says")
    func timeout() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 1))
        let started = ContinuousClock.now
        let outcome = await transport.send(OutgoingRequest(url: "http://127.0.0.1:\(server.port)/hang", body: "{}"))
        let elapsed = Self.seconds(since: started)
        guard case .transient(nil, let reason, nil) = outcome else {
            Issue.record("expected transient, got \(outcome)")
            return
        }
        #expect(reason.contains("curl 28"), "\(reason)")
        // At least the timeout; well under the receiver's 20 s (generous: this task may resume late).
        #expect(elapsed >= 0.9 && elapsed < 15, "took \(elapsed) s")
    }

    @Test("Retry-After is read from header bytes: seconds, an HTTP date as 60, other headers not at all")
    func retryAfterParsing() {
        func parse(_ line: String) -> Int64? {
            Array(line.utf8).withUnsafeBytes { HTTPTransfer.retryAfter($0) }
        }
        #expect(parse("Retry-After: 120\r\n") == 120)
        #expect(parse("retry-after:7\r\n") == 7)
        #expect(parse("RETRY-AFTER: Wed, 21 Oct 2026 07:28:00 GMT\r\n") == 60)
        #expect(parse("Retry-Afterwards: 5\r\n") == nil)
        #expect(parse("Content-Length: 12\r\n") == nil)
        #expect(parse("HTTP/1.1 429 Too Many Requests\r\n") == nil)
    }
}
