import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladDaemon

@Suite("Read endpoints, health, metrics, OpenAPI")
struct ReadAPITests {
    func get(
        _ services: DaemonServices, _ uri: String, token: String? = Fixture.readToken
    ) async throws
        -> (HTTPResponse.Status, String, String?)
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer " + token }
        let sent = headers
        return try await Fixture.app(services).test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: sent) { response in
                (response.status, String(buffer: response.body), response.headers[.contentType])
            }
        }
    }

    @Test("meetings: the schedule with roles, filtered by body and dates, with the inbox's overlay on top")
    func meetings() async throws {
        let inbox = RecordingInbox()
        _ = try await inbox.record(
            InboundTrigger(
                id: "c", system: "arende", type: "meeting.cancelled", receivedAt: Fixture.now,
                changes: [
                    OverlayChange(
                        id: "c", action: .cancelled(meeting: Fixture.meeting, reason: "x"), knownAt: Fixture.now)
                ],
                payload: "{}"))
        let services = Fixture.services(inbox: inbox)
        let (status, text, type) = try await get(
            services, "/v1/meetings?body=norrbotten-lsg&from=2027-01-01&to=2027-06-30")
        #expect(status == .ok)
        #expect(type == "application/json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(list.allSatisfy { $0["body"] as? String == "norrbotten-lsg" })
        let first = try #require(list.first { $0["id"] as? String == Fixture.meeting })
        #expect(first["status"] as? String == "cancelled")
        #expect((first["convener"] as? [String: Any])?["name"] != nil)
    }

    @Test("read endpoints need the Bearer token; bad queries get 400 or 404 with the field")
    func readAuth() async throws {
        let services = Fixture.services(inbox: RecordingInbox())
        #expect(try await get(services, "/v1/meetings", token: nil).0 == .unauthorized)
        #expect(try await get(services, "/v1/meetings", token: "wrong-token-0123456789").0 == .unauthorized)
        #expect(try await get(services, "/v1/deliveries?meeting=x", token: nil).0 == .unauthorized)
        let bad = try await get(services, "/v1/meetings?from=2027-13-01")
        #expect(bad.0 == .badRequest && bad.1.contains("\"field\":\"from\"") && bad.2 == "application/problem+json")
        #expect(try await get(services, "/v1/meetings?body=nobody").0 == .notFound)
        let long = try await get(services, "/v1/meetings?from=2027-01-01&to=2030-01-01")
        #expect(long.0 == .ok && long.1.contains("2028-") && !long.1.contains("\"start\":\"2029-01-0"))
        #expect(try await get(services, "/v1/meetings?from=2027-01-01&to=2026-01-01").1 == "[]")
        let deliveries = try await get(services, "/v1/deliveries?meeting=\(Fixture.meeting)")
        #expect(deliveries.0 == .ok && deliveries.1.contains("\"state\":\"delivered\""))
        #expect(try await get(services, "/v1/deliveries").0 == .badRequest)
    }

    @Test("healthz, readyz (503 while the store does not answer), metrics and the OpenAPI document")
    func operational() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        #expect(try await get(services, "/healthz").0 == .ok)
        #expect(try await get(services, "/readyz").0 == .ok)
        await inbox.setFailing(true)
        #expect(try await get(services, "/readyz").0 == .serviceUnavailable)
        let metrics = try await get(services, "/metrics")
        #expect(metrics.1.contains("kallad_http_requests_total{code=\"200\",route=\"/healthz\"} 1"))
        #expect(metrics.2?.hasPrefix("text/plain; version=0.0.4") == true)
        let openapi = try await get(services, "/openapi.yaml")
        let committed = try String(
            contentsOf: Oracle.packageRoot.appendingPathComponent("openapi/kallad.openapi.yaml"), encoding: .utf8)
        #expect(openapi.1 == committed, "run scripts/gen-openapi-swift.sh after editing openapi/kallad.openapi.yaml")
    }
}
