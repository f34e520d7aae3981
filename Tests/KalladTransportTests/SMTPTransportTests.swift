import Foundation
import KalladTestSupport
import Synchronization
import Testing

@testable import KalladTransport

@Suite("SMTP through libcurl against aiosmtpd on 127.0.0.1", .serialized)
struct SMTPTransportTests {
    static func message(to: String, subject: String = "Kallelse") -> String {
        "From: Kallad <kallad@example.se>\r\nTo: <\(to)>\r\nSubject: \(subject)\r\nDate: Mon, 23 Nov 2026 08:00:00 "
            + "+0100\r\nMessage-ID: <\(UUID().uuidString)@example.se>\r\n\r\nHej!\r\n.Punkt först på raden.\r\n"
    }

    static func settings(_ server: TestServer) -> SMTPSettings {
        SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", requireTLS: false, connectTimeout: 5, timeout: 20)
    }

    @Test("a batch over one connection: every message stored byte for byte")
    func batch() async throws {
        let server = try TestServer()
        let mails = (1...5).map {
            OutgoingMail(
                from: "kallad@example.se", recipients: ["m\($0)@example.se"],
                message: Self.message(to: "m\($0)@example.se"))
        }
        let results = await SMTPTransport(settings: Self.settings(server)).send(mails)
        #expect(results.map { $0.recipients.values.first?.name } == Array(repeating: "delivered", count: 5))
        let stored = try server.stored()
        #expect(stored.count == 5)
        for (mail, (bytes, envelope)) in zip(mails, stored) {
            // aiosmtpd keeps the content with CRLF and undoes the dot-stuffing curl did.
            #expect(String(decoding: bytes, as: UTF8.self) == mail.message)
            #expect(envelope["from"] as? String == "kallad@example.se")
            #expect(envelope["to"] as? [String] == mail.recipients)
        }
    }

    @Test("four connections in parallel: every message arrives once, results in order")
    func parallel() async throws {
        let server = try TestServer()
        let mails = (1...40).map {
            OutgoingMail(
                from: "kallad@example.se", recipients: ["p\($0)@example.se"],
                message: Self.message(to: "p\($0)@example.se", subject: "n\($0)"))
        }
        let results = await SMTPTransport(settings: Self.settings(server)).send(mails, connections: 4)
        #expect(results.count == 40)
        #expect(zip(mails, results).allSatisfy { $1.recipients[$0.recipients[0]]?.name == "delivered" })
        let stored = try server.stored().compactMap { ($0.envelope["to"] as? [String])?.first }
        #expect(Set(stored) == Set(mails.map { $0.recipients[0] }))
        #expect(stored.count == 40)
    }

    @Test("connections are kept: 40 mails over 4 connections use 4 SMTP sessions, and the next batch reuses them")
    func connectionReuse() async throws {
        let server = try TestServer()
        let transport = SMTPTransport(settings: Self.settings(server))
        let mails = (1...40).map {
            OutgoingMail(
                from: "kallad@example.se", recipients: ["r\($0)@example.se"],
                message: Self.message(to: "r\($0)@example.se", subject: "n\($0)"))
        }
        let first = await transport.send(Array(mails[..<20]), connections: 4)
        let second = await transport.send(Array(mails[20...]), connections: 4)
        #expect((first + second).allSatisfy { $0.recipients.values.first?.name == "delivered" })
        let stored = try server.stored()
        #expect(stored.count == 40)
        let ports = stored.compactMap { $0.envelope["peer_port"] as? Int }
        #expect(ports.count == 40)
        #expect(Set(ports.prefix(20)).count == 4, "the first batch: \(Set(ports.prefix(20)))")
        #expect(Set(ports).count == 4, "the second batch reused the first batch's connections")
        let single = try TestServer()
        let one = SMTPTransport(settings: Self.settings(single))
        _ = await one.send(Array(mails[..<10]))
        #expect(Set(try single.stored().compactMap { $0.envelope["peer_port"] as? Int }).count == 1)
    }

    @Test("an open queue: mails added while the connection runs go over the same session, results by position")
    func openQueue() async throws {
        let server = try TestServer()
        let transport = SMTPTransport(settings: Self.settings(server))
        let mails = (1...12).map {
            OutgoingMail(
                from: "kallad@example.se", recipients: ["q\($0)@example.se"],
                message: Self.message(to: "q\($0)@example.se", subject: "n\($0)"))
        }
        let queue = MailQueue(Array(mails[..<4]), open: true)
        let answered = Mutex<[Int]>([])
        async let sent = transport.send(queue) { position, _ in answered.withLock { $0.append(position) } }
        // The connection answers the first four, then waits for more instead of ending.
        while answered.withLock({ $0.count }) < 4 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(queue.append(Array(mails[4..<8])) == 4)
        #expect(queue.append(Array(mails[8...])) == 8)
        queue.finish()
        let results = await sent
        #expect(results.count == 12)
        #expect(zip(mails, results).allSatisfy { $1.recipients[$0.recipients[0]]?.name == "delivered" })
        #expect(answered.withLock { $0 } == Array(0..<12))
        let stored = try server.stored()
        #expect(stored.compactMap { ($0.envelope["to"] as? [String])?.first } == mails.map { $0.recipients[0] })
        #expect(Set(stored.compactMap { $0.envelope["peer_port"] as? Int }).count == 1, "one session throughout")
    }

    @Test("an open queue that is never finished: cancelling the send ends the waiting connection")
    func openQueueCancelled() async throws {
        let server = try TestServer()
        let transport = SMTPTransport(settings: Self.settings(server))
        let queue = MailQueue(
            [OutgoingMail(from: "kallad@example.se", recipients: ["c@example.se"], message: Self.message(to: "c@example.se"))],
            open: true)
        let answered = Atomic<Int>(0)
        let sending = Task { await transport.send(queue) { _, _ in answered.add(1, ordering: .relaxed) } }
        // Cancelled once the first mail is answered and the connection waits for more (not after a fixed time: on
        // a busy machine the first mail may take longer than any such time).
        let deadline = ContinuousClock.now + .seconds(20)
        while answered.load(ordering: .relaxed) < 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))
        sending.cancel()
        let results = await sending.value
        #expect(results.map { $0.recipients["c@example.se"]?.name } == ["delivered"])
        // Mail added after the end is not sent: it comes back cancelled.
        #expect(queue.append([OutgoingMail(from: "kallad@example.se", recipients: ["d@example.se"], message: "x")]) == 1)
        #expect(queue.results.last?.recipients["d@example.se"] == .cancelled)
        #expect(try server.stored().count == 1)
    }

    @Test("one refused recipient (550) does not fail the others; 451 is transient")
    func perRecipient() async throws {
        let server = try TestServer(arguments: ["--rcpt", "gone@example.se=550", "--rcpt", "full@example.se=451"])
        let mail = OutgoingMail(
            from: "kallad@example.se",
            recipients: ["ok@example.se", "gone@example.se", "full@example.se"],
            message: Self.message(to: "ok@example.se"))
        let result = try #require(await SMTPTransport(settings: Self.settings(server)).send([mail]).first)
        #expect(result.recipients["ok@example.se"]?.name == "delivered")
        guard case .permanent(let reply, _) = result.recipients["gone@example.se"] else {
            Issue.record("550 should be permanent: \(String(describing: result.recipients["gone@example.se"]))")
            return
        }
        #expect(reply?.code == 550)
        #expect(result.recipients["full@example.se"]?.name == "transient")
        #expect(try server.stored().first?.envelope["to"] as? [String] == ["ok@example.se"])
    }

    @Test(
        "554 after DATA is permanent, 451 after DATA transient",
        arguments: [
            ("554", "permanent"),
            ("451", "transient"),
        ])
    func afterData(code: String, outcome: String) async throws {
        let server = try TestServer(arguments: ["--data", code])
        let mail = OutgoingMail(
            from: "kallad@example.se", recipients: ["a@example.se"],
            message: Self.message(to: "a@example.se"))
        let result = await SMTPTransport(settings: Self.settings(server)).send([mail])
        #expect(result.first?.recipients["a@example.se"]?.name == outcome)
    }

    @Test("a refused connection is transient; STARTTLS required against a server without it is a configuration error")
    func failures() async throws {
        let server = try TestServer()
        var settings = Self.settings(server)
        settings.requireTLS = true
        let mail = OutgoingMail(
            from: "kallad@example.se", recipients: ["a@example.se"],
            message: Self.message(to: "a@example.se"))
        let plain = await SMTPTransport(settings: settings).send([mail])
        #expect(plain.first?.recipients["a@example.se"]?.name == "configuration")
        #expect(try server.stored().isEmpty)
        // A port nobody listens on: bind one, note it, close it.
        let closed = SMTPSettings(url: "smtp://127.0.0.1:1", requireTLS: false, connectTimeout: 2, timeout: 5)
        let refused = await SMTPTransport(settings: closed).send([mail])
        #expect(refused.first?.recipients["a@example.se"]?.name == "transient")
    }

    @Test("CR or LF in an envelope address is refused before libcurl sees it")
    func injection() async throws {
        let server = try TestServer()
        let mail = OutgoingMail(
            from: "kallad@example.se", recipients: ["b@x.se>\r\nRCPT TO:<other@x.se"],
            message: Self.message(to: "b@x.se"))
        let result = await SMTPTransport(settings: Self.settings(server)).send([mail])
        #expect(result.first?.recipients.values.first?.name == "permanent")
        #expect(try server.stored().isEmpty)
    }
}

@Suite("SMTP with STARTTLS and AUTH against aiosmtpd", .serialized)
struct SMTPTLSTests {
    /// A self-signed certificate for 127.0.0.1, made for this test with openssl.
    static func certificate() throws -> (cert: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestServer.Failure(description: "openssl failed") }
        return (cert, key)
    }

    @Test("STARTTLS with the certificate verified against a CA file, AUTH, and the failures that are ours")
    func tls() async throws {
        let (cert, key) = try Self.certificate()
        let server = try TestServer(arguments: ["--tls", cert, key, "--auth", "kallad:hemligt"])
        let mail = OutgoingMail(
            from: "kallad@example.se", recipients: ["a@example.se"],
            message: SMTPTransportTests.message(to: "a@example.se"))
        var settings = SMTPSettings(
            url: "smtp://127.0.0.1:\(server.port)", caFile: cert, username: "kallad",
            password: "hemligt", connectTimeout: 5, timeout: 20)
        let ok = await SMTPTransport(settings: settings).send([mail])
        #expect(ok.first?.recipients["a@example.se"]?.name == "delivered")
        let stored = try server.stored()
        #expect(stored.count == 1)
        #expect(stored.first?.envelope["tls"] as? Bool == true)

        settings.password = "fel"
        let refused = await SMTPTransport(settings: settings).send([mail])
        #expect(
            refused.first?.recipients["a@example.se"]?.name == "configuration", "\(String(describing: refused.first))")

        settings.password = "hemligt"
        settings.caFile = nil  // the self-signed certificate cannot be verified against the system's CAs
        let unverified = await SMTPTransport(settings: settings).send([mail])
        #expect(unverified.first?.recipients["a@example.se"]?.name == "configuration")
        #expect(try server.stored().count == 1)
    }
}
