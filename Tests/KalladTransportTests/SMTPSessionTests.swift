import Foundation
import KalladTestSupport
import Testing

@testable import KalladTransport

/// The mail transaction Kallad drives itself over libcurl's connection: pipelined where the server offers it, one
/// command per round trip where not, dot-stuffing, RSET after a refused mail, and kept connections that died.
@Suite("SMTP transactions over libcurl's connection", .serialized)
struct SMTPSessionTests {
    @Test("dot-stuffing: a line that begins with '.' gets another, a lone '.' line too; the message gets a line end")
    func wire() {
        let stuffed = SMTPSession.wire(".first\r\nmid.dle\r\n.\r\n..two\r\nlast")
        #expect(String(decoding: stuffed, as: UTF8.self) == "..first\r\nmid.dle\r\n..\r\n...two\r\nlast\r\n.\r\n")
        #expect(String(decoding: SMTPSession.wire("a\r\n"), as: UTF8.self) == "a\r\n.\r\n")
    }

    static let dotty =
        "From: <kallad@example.se>\r\nSubject: prickar\r\nMessage-ID: <dots@example.se>\r\n\r\n"
        + ".först\r\n..två\r\n.\r\nslut\r\n"

    @Test("Postfix smtp-sink (PIPELINING) takes the dot-stuffing off: the lines arrive as written")
    func dotsPostfix() async throws {
        let sink = try SMTPSink()
        let mail = OutgoingMail(from: "kallad@example.se", recipients: ["a@example.se"], message: Self.dotty)
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let result = await transport.send([mail])
        #expect(result.first?.recipients["a@example.se"]?.name == "delivered")
        #expect(sink.waitFor(1).count == 1)
        #expect(sink.dump().contains("\n.först\n..två\n.\nslut\n"), "\(sink.dump())")
    }

    @Test("aiosmtpd (no PIPELINING: one command per round trip) stores a dotty message byte for byte")
    func dotsAiosmtpd() async throws {
        let server = try TestServer()
        let mails = [
            OutgoingMail(from: "kallad@example.se", recipients: ["a@example.se"], message: Self.dotty),
            OutgoingMail(from: "kallad@example.se", recipients: ["b@example.se"], message: ".\r\n"),
        ]
        let settings = SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", requireTLS: false, timeout: 20)
        let results = await SMTPTransport(settings: settings).send(mails)
        #expect(results.map { $0.recipients.values.first?.name } == ["delivered", "delivered"])
        let stored = try server.stored()
        #expect(stored.map { String(decoding: $0.message, as: UTF8.self) } == [Self.dotty, ".\r\n"])
    }

    @Test("a mail whose every recipient is refused, then one that goes: RSET between them, on one connection")
    func resetAfterRefusal() async throws {
        let server = try TestServer(arguments: ["--rcpt", "gone@example.se=550"])
        let mails = ["gone@example.se", "ok@example.se", "gone@example.se", "ok2@example.se"].map {
            OutgoingMail(
                from: "kallad@example.se", recipients: [$0],
                message: SMTPTransportTests.message(to: $0))
        }
        let settings = SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", requireTLS: false, timeout: 20)
        let results = await SMTPTransport(settings: settings).send(mails)
        let names = results.map { $0.recipients.values.first?.name }
        #expect(names == ["permanent", "delivered", "permanent", "delivered"])
        guard case .permanent(let reply, _) = results[0].recipients["gone@example.se"] else {
            Issue.record("expected permanent: \(results[0])")
            return
        }
        #expect(reply?.code == 550)
        let stored = try server.stored()
        #expect(stored.compactMap { $0.envelope["to"] as? [String] } == [["ok@example.se"], ["ok2@example.se"]])
        #expect(Set(stored.compactMap { $0.envelope["peer_port"] as? Int }).count == 1)
    }

    @Test("smtp-sink without PIPELINING (-p): 100 mails of two recipients over three connections, each once")
    func withoutPipelining() async throws {
        let sink = try SMTPSink(options: ["-p"])
        let mails = (0..<100).map { SMTPSinkTests.mail($0, recipients: ["a\($0)@example.se", "b\($0)@example.se"]) }
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let results = await transport.send(mails, connections: 3)
        #expect(
            results.allSatisfy {
                $0.recipients.count == 2 && $0.recipients.values.allSatisfy { $0.name == "delivered" }
            })
        let received = sink.waitFor(100)
        #expect(received.count == 100)
        #expect(Set(received.map(\.messageID)).count == 100)
        #expect(received.allSatisfy { $0.recipients.count == 2 })
    }

    @Test("MAIL FROM refused (-f MAIL, pipelined): every recipient permanent with the server's reply, nothing stored")
    func mailRefused() async throws {
        let sink = try SMTPSink(options: ["-f", "MAIL"])
        let mails = (0..<5).map { SMTPSinkTests.mail($0, recipients: ["a\($0)@example.se", "b\($0)@example.se"]) }
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let results = await transport.send(mails)
        for result in results {
            for outcome in result.recipients.values {
                guard case .permanent(let reply, _) = outcome else {
                    Issue.record("expected permanent, got \(outcome)")
                    continue
                }
                #expect((500..<600).contains(reply?.code ?? 0))
            }
        }
        #expect(sink.transactions().isEmpty)
    }

    @Test("a server that hangs up after RCPT (-q RCPT): each mail transient, and the batch ends (no retry loop)")
    func hangUp() async throws {
        let sink = try SMTPSink(options: ["-q", "RCPT"])
        let mails = (0..<3).map { SMTPSinkTests.mail($0) }
        let transport = SMTPTransport(
            settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false, timeout: 10))
        let started = ContinuousClock.now
        let results = await transport.send(mails)
        #expect(HTTPEngineTests.seconds(since: started) < 5)
        for result in results {
            guard case .transient(nil, let reason, nil) = result.recipients.values.first else {
                Issue.record("expected transient without a reply, got \(result)")
                continue
            }
            // The sink closes with our DATA unread: the kernel may answer with a reset rather than a clean close.
            #expect(reason.contains("(curl 52)") || reason.contains("(curl 56)"), "\(reason)")
        }
        #expect(sink.transactions().isEmpty)
    }

    @Test("kept connections the server dropped between batches: the next batch connects afresh and delivers all")
    func keptConnectionDropped() async throws {
        var sink: SMTPSink? = try SMTPSink()
        let port = try #require(sink?.port)
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)", requireTLS: false))
        let first = await transport.send((0..<20).map { SMTPSinkTests.mail($0) }, connections: 3)
        #expect(first.allSatisfy { $0.recipients.values.first?.name == "delivered" })
        sink = nil  // killed: its connections close under the kept sessions
        let again = try SMTPSink(port: port)
        let second = await transport.send((20..<40).map { SMTPSinkTests.mail($0) }, connections: 3)
        #expect(second.allSatisfy { $0.recipients.values.first?.name == "delivered" }, "\(second)")
        #expect(again.waitFor(20).count == 20)
    }

    @Test("a STARTTLS + AUTH connection is kept too: the next batch reuses it (a TLS 1.3 ticket does not drop it)")
    func keptTLS() async throws {
        let (cert, key) = try SMTPTLSTests.certificate()
        let server = try TestServer(arguments: ["--tls", cert, key, "--auth", "kallad:hemligt"])
        let transport = SMTPTransport(
            settings: SMTPSettings(
                url: "smtp://127.0.0.1:\(server.port)", caFile: cert, username: "kallad", password: "hemligt",
                connectTimeout: 5, timeout: 20))
        let mails = (1...4).map {
            OutgoingMail(
                from: "kallad@example.se", recipients: ["t\($0)@example.se"],
                message: SMTPTransportTests.message(to: "t\($0)@example.se"))
        }
        let first = await transport.send(Array(mails[..<2]))
        let second = await transport.send(Array(mails[2...]))
        #expect((first + second).allSatisfy { $0.recipients.values.first?.name == "delivered" })
        let stored = try server.stored()
        #expect(stored.count == 4)
        #expect(stored.allSatisfy { $0.envelope["tls"] as? Bool == true })
        #expect(Set(stored.compactMap { $0.envelope["peer_port"] as? Int }).count == 1)
    }

    @Test("onResult: once per mail, before that connection's next mail, the same result as returned")
    func onResult() async throws {
        let sink = try SMTPSink()
        let mails = (0..<200).map { SMTPSinkTests.mail($0) }
        let heard = Heard()
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let results = await transport.send(mails, connections: 4) { index, result in heard.add(index, result) }
        let calls = heard.calls
        #expect(calls.count == 200)
        #expect(Set(calls.map(\.0)).count == 200)
        #expect(calls.allSatisfy { results[$0.0] == $0.1 })
    }
}

/// What `onResult` was told, from several threads.
final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(Int, MailResult)] = []
    func add(_ index: Int, _ result: MailResult) { lock.withLock { list.append((index, result)) } }
    var calls: [(Int, MailResult)] { lock.withLock { list } }
}
