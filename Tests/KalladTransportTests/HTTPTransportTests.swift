import Foundation
import KalladTestSupport
import Testing

@testable import KalladTransport

@Suite("HTTP deliveries through libcurl against a local receiver", .serialized)
struct HTTPTransportTests {
    @Test("bodies and headers arrive as sent; each answer is classified")
    func outcomes() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let base = "http://127.0.0.1:\(server.port)"
        let body = "{\"type\":\"meeting.summons\",\"data\":{\"title\":\"Länsstyrgruppen\"}}"
        let paths = ["ok", "created", "gone", "busy", "fail", "bad", "auth"]
        let requests =
            paths.map {
                OutgoingRequest(
                    url: "\(base)/\($0)", headers: ["Content-Type": "application/json", "webhook-id": "msg_1"],
                    body: body)
            } + [
                OutgoingRequest(
                    method: "PUT", url: "\(base)/ok/_matrix/client/v3/rooms/r/send/m.room.message/k1",
                    body: "{}")
            ]
        let outcomes = await HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 10)).send(requests)
        #expect(
            outcomes.map(\.name) == [
                "delivered", "delivered", "permanent", "transient", "transient", "permanent",
                "configuration", "delivered",
            ])
        guard case .transient(let reply, _, let retryAfter) = outcomes[3] else {
            Issue.record("429 should be transient")
            return
        }
        #expect(reply?.code == 429)
        #expect(retryAfter == 30)
        // The requests are in flight together, so the receiver records them in any order.
        let recorded = try server.requests()
        #expect(recorded.count == 8)
        let ok = try #require(recorded.first { $0["path"] as? String == "/ok" })
        #expect(ok["body"] as? String == body)
        #expect((ok["headers"] as? [String: String])?["webhook-id"] == "msg_1")
        let matrix = recorded.first { ($0["path"] as? String)?.contains("_matrix") == true }
        #expect(matrix?["method"] as? String == "PUT")
    }

    @Test("a refused connection is transient; a line break in a header is refused before sending")
    func failures() async throws {
        let server = try TestServer(script: "http_receiver.py")
        let transport = HTTPTransport(settings: HTTPSettings(connectTimeout: 2, timeout: 5))
        let outcomes = await transport.send([
            OutgoingRequest(url: "http://127.0.0.1:1/ok", body: "{}"),
            OutgoingRequest(
                url: "http://127.0.0.1:\(server.port)/ok", headers: ["X-A": "b\r\nX-Injected: 1"],
                body: "{}"),
        ])
        #expect(outcomes.map(\.name) == ["transient", "permanent"])
        #expect(try server.requests().isEmpty)
    }
}
