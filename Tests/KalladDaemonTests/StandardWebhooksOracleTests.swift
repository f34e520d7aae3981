import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladDaemon

@Suite("Signatures made by the Python standardwebhooks package")
struct StandardWebhooksOracleTests {
    @Test("triggers signed by standardwebhooks (current time) are accepted")
    func pythonSigned() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let bodies = (0..<5).map { index in
            Fixture.trigger(
                "agenda.item.added", "{\"meeting\":\"\(Fixture.meeting)\",\"title\":\"Ärende \(index) – åäö\"}")
        }
        let request: [String: Any] = [
            "secret": Fixture.caseSecret, "timestamp": now,
            "cases": bodies.enumerated().map { ["id": "py-\($0.offset)", "body": $0.element] },
        ]
        let output = try Oracle.run("webhook_sign.py", input: try JSONSerialization.data(withJSONObject: request))
        let signatures = try #require(try JSONSerialization.jsonObject(with: output) as? [String])
        #expect(signatures.count == bodies.count)
        let inbox = RecordingInbox()
        let config = Fixture.config()
        let services = DaemonServices(
            config: ConfigHolder(loaded: config), inbox: inbox, metrics: KalladMetrics.registry(),
            clock: { .init(secondsSinceEpoch: now) }, logger: LogCapture().logger())
        try await Fixture.app(services).test(.router) { client in
            for (index, body) in bodies.enumerated() {
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPField.Name("webhook-id")!] = "py-\(index)"
                headers[HTTPField.Name("webhook-timestamp")!] = String(now)
                headers[HTTPField.Name("webhook-signature")!] = signatures[index]
                try await client.execute(
                    uri: "/v1/triggers", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .accepted, "\(String(buffer: response.body))")
                }
            }
        }
        #expect(await inbox.triggers.count == bodies.count)
    }
}
