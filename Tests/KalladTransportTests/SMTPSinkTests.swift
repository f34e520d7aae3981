import Foundation
import KalladTestSupport
import Testing

@testable import KalladTransport

/// Postfix's `smtp-sink` on 127.0.0.1 (a free port probed from the OS), appending every mail transaction it accepts
/// to a dump file; stopped when the value is released. Runs as `nobody` when the test runs as root.
final class SMTPSink {
    let process = Process()
    let folder: URL
    let port: Int

    /// A sink with smtp-sink's `options`, on `port` when given (a test that restarts a sink), else on a free one.
    init(options: [String] = [], port: Int? = nil) throws {
        let sink = "/usr/sbin/smtp-sink"
        guard FileManager.default.isExecutableFile(atPath: sink) else {
            throw TestServer.Failure(description: "no \(sink): run `make test` (scripts/setup.sh installs postfix)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        self.port = try port ?? Self.freePort()
        process.executableURL = URL(fileURLWithPath: sink)
        process.arguments =
            (getuid() == 0 ? ["-u", "nobody"] : []) + options + ["-D", folder.appendingPathComponent("dump").path]
            + ["127.0.0.1:\(self.port)", "100"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts a connection.
        for _ in 0..<100 {
            if Self.accepts(self.port) { return }
            usleep(20_000)
        }
        throw TestServer.Failure(description: "smtp-sink did not listen on \(self.port)")
    }

    deinit {
        // SIGKILL: the sink inherits the test process's blocked signals, SIGTERM among them.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The dump's transactions, as (envelope recipients, Message-ID).
    func transactions() -> [(recipients: [String], messageID: String)] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("dump"), encoding: .utf8) else {
            return []
        }
        var result: [(recipients: [String], messageID: String)] = []
        var recipients: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("X-Client-Addr:") { recipients = [] }
            if line.hasPrefix("X-Rcpt-Args: ") { recipients.append(String(line.dropFirst(13))) }
            if line.lowercased().hasPrefix("message-id: ") { result.append((recipients, String(line.dropFirst(12)))) }
        }
        return result
    }

    /// The dump as text (the sink takes the dot-stuffing off).
    func dump() -> String {
        (try? String(contentsOf: folder.appendingPathComponent("dump"), encoding: .utf8)) ?? ""
    }

    /// Waits until the dump holds `count` transactions (the sink writes as each ends), at most `seconds`.
    func waitFor(_ count: Int, seconds: Double = 5) -> [(recipients: [String], messageID: String)] {
        let deadline = Date().addingTimeInterval(seconds)
        var found = transactions()
        while found.count < count, Date() < deadline {
            usleep(50_000)
            found = transactions()
        }
        return found
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw TestServer.Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        guard let fd = Loopback.connect(port: port) else { return false }
        close(fd)
        return true
    }
}

@Suite("SMTP volume against Postfix smtp-sink", .serialized)
struct SMTPSinkTests {
    static func mail(_ n: Int, recipients: [String]? = nil) -> OutgoingMail {
        let to = recipients ?? ["m\(n % 50)@example.se"]
        return OutgoingMail(
            from: "kallad@example.se", recipients: to,
            message: "From: <kallad@example.se>\r\nTo: <\(to[0])>\r\nSubject: n\(n)\r\n"
                + "Message-ID: <\(n)@volume.example.se>\r\n\r\nKallelse nummer \(n).\r\n")
    }

    @Test("3,000 mails over ten connections: each arrives once, with its envelope; every result delivered")
    func volume() async throws {
        let sink = try SMTPSink()
        let mails = (0..<3000).map { Self.mail($0) }
        let transport = SMTPTransport(
            settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false, timeout: 30))
        let results = await transport.send(mails, connections: 10)
        #expect(results.count == 3000)
        #expect(results.filter { $0.recipients.values.first?.name == "delivered" }.count == 3000)
        let received = sink.waitFor(3000)
        #expect(received.count == 3000)
        let ids = received.map(\.messageID)
        #expect(Set(ids) == Set((0..<3000).map { "<\($0)@volume.example.se>" }))
        #expect(ids.count == Set(ids).count, "no message twice")
        #expect(received.allSatisfy { $0.recipients.count == 1 })
        let byID = Dictionary(received.map { ($0.messageID, $0.recipients[0]) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["<7@volume.example.se>"] == "<m7@example.se>")
        // A second batch on the same transport reuses what the first left open, and still arrives whole.
        let again = await transport.send((3000..<3500).map { Self.mail($0) }, connections: 10)
        #expect(again.allSatisfy { $0.recipients.values.first?.name == "delivered" })
        #expect(sink.waitFor(3500).count == 3500)
    }

    @Test("several recipients per mail over one connection")
    func recipients() async throws {
        let sink = try SMTPSink()
        let mails = (0..<200).map { Self.mail($0, recipients: ["a\($0)@example.se", "b\($0)@example.se"]) }
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let results = await transport.send(mails)
        #expect(
            results.allSatisfy {
                $0.recipients.count == 2 && $0.recipients.values.allSatisfy { $0.name == "delivered" }
            })
        let received = sink.waitFor(200)
        #expect(received.count == 200)
        #expect(received.first?.recipients == ["<a0@example.se>", "<b0@example.se>"])
    }

    @Test("a sink that defers every RCPT (-r RCPT): every recipient transient, nothing stored")
    func deferred() async throws {
        let sink = try SMTPSink(options: ["-r", "RCPT"])
        let mails = (0..<20).map { Self.mail($0, recipients: ["a\($0)@example.se", "b\($0)@example.se"]) }
        let transport = SMTPTransport(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false))
        let results = await transport.send(mails, connections: 3)
        for result in results {
            for outcome in result.recipients.values {
                guard case .transient(let reply, _, _) = outcome else {
                    Issue.record("expected transient, got \(outcome)")
                    continue
                }
                #expect((400..<500).contains(reply?.code ?? 0))
            }
        }
        #expect(sink.transactions().isEmpty)
    }

    @Test("a server that stalls after DATA: the timeout ends the mail as transient (curl 28)")
    func timeout() async throws {
        let sink = try SMTPSink(options: ["-w", "10"])
        let transport = SMTPTransport(
            settings: SMTPSettings(
                url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false, connectTimeout: 5, timeout: 1))
        let result = try #require(await transport.send([Self.mail(1)]).first)
        guard case .transient(nil, let reason, nil) = result.recipients["m1@example.se"] else {
            Issue.record("expected transient, got \(result)")
            return
        }
        #expect(reason.contains("curl 28"), "\(reason)")
        // libcurl's own clock for the transfer: the timeout, not the sink's 10 s.
        #expect(result.seconds >= 0.9 && result.seconds < 3, "took \(result.seconds) s")
    }

    @Test("cancelling a batch stuck on a stalling server returns at once, every recipient 'cancelled'")
    func cancellation() async throws {
        let sink = try SMTPSink(options: ["-w", "30"])
        let transport = SMTPTransport(
            settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", requireTLS: false, timeout: 60))
        let mails = (0..<6).map { Self.mail($0, recipients: ["a\($0)@example.se", "b\($0)@example.se"]) }
        let started = ContinuousClock.now
        let task = Task { await transport.send(mails, connections: 2) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let results = await task.value
        // The sink stalls for 30 s; a generous bound, since this task may resume late when other suites keep the
        // cooperative threads busy.
        #expect(HTTPEngineTests.seconds(since: started) < 20)
        #expect(results.count == 6)
        let cancelled = DeliveryOutcome.transient(nil, reason: "cancelled", retryAfter: nil)
        #expect(results.allSatisfy { $0.recipients.count == 2 && $0.recipients.values.allSatisfy { $0 == cancelled } })
    }
}
