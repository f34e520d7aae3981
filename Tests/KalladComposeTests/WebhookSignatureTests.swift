import Foundation
import KalladTestSupport
import Testing
@testable import KalladCompose

@Suite("Standard Webhooks signatures")
struct WebhookSignatureTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test("the published test vector reproduces")
    func vector() throws {
        let signature = try WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                  body: "{\"test\": 2432232314}", secrets: [Self.secret])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("verification: rotation, tolerance, tampering")
    func verify() throws {
        let other = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let header = try WebhookSignature.sign(id: "m1", timestamp: 1000, body: "{}", secrets: [other, Self.secret])
        #expect(header.split(separator: " ").count == 2)
        #expect(WebhookSignature.verify(id: "m1", timestamp: 1000, body: "{}", header: header, secrets: [Self.secret],
                                        now: 1200))
        #expect(!WebhookSignature.verify(id: "m1", timestamp: 1000, body: "{ }", header: header,
                                         secrets: [Self.secret], now: 1000))
        #expect(!WebhookSignature.verify(id: "m1", timestamp: 1000, body: "{}", header: header,
                                         secrets: [Self.secret], now: 1301))
        #expect(throws: ComposeError.self) { try WebhookSignature.sign(id: "x", timestamp: 1, body: "", secrets: ["nope"]) }
    }

    @Test("signatures made here verify with the standardwebhooks package")
    func oracle() throws {
        var cases: [[String: Any]] = []
        for n in 0..<50 {
            let body = "{\"type\":\"meeting.summons\",\"id\":\"k\(n)\",\"data\":{\"title\":\"Länsstyrgruppen \(n)\"}}"
            let id = "msg_\(n)"
            let timestamp = Int64(Date().timeIntervalSince1970) - Int64(n)
            cases.append(["id": id, "timestamp": timestamp, "body": body,
                          "signature": try WebhookSignature.sign(id: id, timestamp: timestamp, body: body,
                                                                 secrets: [Self.secret])])
        }
        let input = try JSONSerialization.data(withJSONObject: ["secret": Self.secret, "cases": cases])
        let output = String(decoding: try Oracle.run("webhook_oracle.py", input: input), as: UTF8.self)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "50 verified")
    }
}
