import Foundation
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladCompose

@Suite("Standard Webhooks signatures")
struct WebhookSignatureTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test("the published test vector reproduces")
    func vector() throws {
        let signature = try WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: "{\"test\": 2432232314}", secrets: [Self.secret])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("verification: rotation, tolerance, tampering")
    func verify() throws {
        let other = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let header = try WebhookSignature.sign(id: "m1", timestamp: 1000, body: "{}", secrets: [other, Self.secret])
        #expect(header.split(separator: " ").count == 2)
        #expect(
            WebhookSignature.verify(
                id: "m1", timestamp: 1000, body: "{}", header: header, secrets: [Self.secret],
                now: 1200))
        #expect(
            !WebhookSignature.verify(
                id: "m1", timestamp: 1000, body: "{ }", header: header,
                secrets: [Self.secret], now: 1000))
        #expect(
            !WebhookSignature.verify(
                id: "m1", timestamp: 1000, body: "{}", header: header,
                secrets: [Self.secret], now: 1301))
        #expect(throws: ComposeError.self) {
            try WebhookSignature.sign(id: "x", timestamp: 1, body: "", secrets: ["nope"])
        }
    }

    @Test("signatures made here verify with the standardwebhooks package")
    func oracle() throws {
        var cases: [[String: Any]] = []
        for n in 0..<50 {
            let body = "{\"type\":\"meeting.summons\",\"id\":\"k\(n)\",\"data\":{\"title\":\"Länsstyrgruppen \(n)\"}}"
            let id = "msg_\(n)"
            let timestamp = Int64(Date().timeIntervalSince1970) - Int64(n)
            cases.append([
                "id": id, "timestamp": timestamp, "body": body,
                "signature": try WebhookSignature.sign(
                    id: id, timestamp: timestamp, body: body,
                    secrets: [Self.secret]),
            ])
        }
        let input = try JSONSerialization.data(withJSONObject: ["secret": Self.secret, "cases": cases])
        let output = String(decoding: try Oracle.run("webhook_oracle.py", input: input), as: UTF8.self)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "50 verified")
    }
}

@Suite("Webhook and chat payloads")
struct WebhookPayloadTests {
    static let now = Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))

    static func notification() throws -> (DueNotification, Registry) {
        let registry = ComposerTests.registry(language: "sv")
        let zone = registry.settings.zone
        let due = Planner.due(
            registry: registry,
            from: zone.instant(
                of: LocalDateTime(
                    LocalDate(iso: "2027-01-01")!,
                    .midnight)), to: zone.instant(of: LocalDateTime(LocalDate(iso: "2027-02-01")!, .midnight)))
        let summons = try #require(due.notifications.first { $0.kind == .summons })
        return (summons, registry)
    }

    @Test("a Standard Webhooks event verifies with the standardwebhooks package")
    func standard() throws {
        let (n, registry) = try Self.notification()
        let receiver = WebhookReceiver(
            name: "intranat", kind: .standard, url: "http://127.0.0.1/hook",
            secrets: [WebhookSignatureTests.secret])
        let request = try WebhookPayloads.request(for: n, receiver: receiver, registry: registry, now: Self.now)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(event["type"] as? String == "meeting.summons")
        #expect(event["id"] as? String == "\(n.key)/intranat")
        #expect((event["data"] as? [String: Any])?["body_name"] as? String == "Länsstyrgruppen")
        let input = try JSONSerialization.data(withJSONObject: [
            "secret": WebhookSignatureTests.secret,
            "cases": [
                [
                    "id": request.headers["webhook-id"] ?? "", "timestamp": Self.now.secondsSinceEpoch,
                    "body": request.body, "signature": request.headers["webhook-signature"] ?? "",
                ]
            ],
        ])
        let output = String(decoding: try Oracle.run("webhook_oracle.py", input: input), as: UTF8.self)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "1 verified")
    }

    @Test("Slack, Teams and Matrix payloads have the shapes their receivers take")
    func chat() throws {
        let (n, registry) = try Self.notification()
        let slack = try WebhookPayloads.request(
            for: n, receiver: WebhookReceiver(name: "s", kind: .slack, url: "http://127.0.0.1/s"), registry: registry,
            now: Self.now)
        let text = (try JSONSerialization.jsonObject(with: Data(slack.body.utf8)) as? [String: Any])?["text"] as? String
        #expect(text?.hasPrefix("Kallelse: Länsstyrgruppen, torsdag 11 februari 2027 10:00–15:00") == true)
        let teams = try WebhookPayloads.request(
            for: n, receiver: WebhookReceiver(name: "t", kind: .teams, url: "http://127.0.0.1/t"), registry: registry,
            now: Self.now)
        #expect(teams.body.contains("\"contentType\":\"application/vnd.microsoft.card.adaptive\""))
        #expect(teams.body.contains("\"type\":\"AdaptiveCard\""))
        let matrix = try WebhookPayloads.request(
            for: n,
            receiver: WebhookReceiver(
                name: "m", kind: .matrix, url: "http://127.0.0.1:8008/", room: "!r:x.se",
                secrets: ["token"]), registry: registry, now: Self.now)
        #expect(matrix.method == "PUT")
        #expect(matrix.url.hasPrefix("http://127.0.0.1:8008/_matrix/client/v3/rooms/%21r%3Ax.se/send/m.room.message/"))
        #expect(matrix.url.hasSuffix("summons%2F0%2Fm"))
        #expect(matrix.headers["Authorization"] == "Bearer token")
        #expect(throws: ComposeError.self) {
            try WebhookPayloads.request(
                for: n, receiver: WebhookReceiver(name: "m", kind: .matrix, url: "http://x"),
                registry: registry, now: Self.now)
        }
    }
}
