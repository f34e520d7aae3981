import CCurl
import Foundation
import KalladCore

/// Where and how to send mail.
public struct SMTPSettings: Hashable, Sendable {
    /// `smtp://host:port` (STARTTLS) or `smtps://host:port` (implicit TLS).
    public var url: String
    /// The name Kallad gives in EHLO.
    public var heloName: String
    /// Require STARTTLS on `smtp://` (the default; never fall back to plain text silently).
    public var requireTLS: Bool
    /// A CA bundle to verify the server's certificate with, if not the system's.
    public var caFile: String?
    /// Verify the certificate (only a test may turn this off, and it says so in the outcome).
    public var verifyPeer: Bool
    /// AUTH user name, if any.
    public var username: String?
    /// The password, read by the caller from a file or a systemd credential — never from the YAML.
    public var password: String?
    /// Connect timeout in seconds.
    public var connectTimeout: Int
    /// Whole-transfer timeout in seconds.
    public var timeout: Int

    /// Creates settings.
    public init(
        url: String, heloName: String = "kallad.localhost", requireTLS: Bool = true, caFile: String? = nil,
        verifyPeer: Bool = true, username: String? = nil, password: String? = nil, connectTimeout: Int = 10,
        timeout: Int = 60
    ) {
        self.url = url
        self.heloName = heloName
        self.requireTLS = requireTLS
        self.caFile = caFile
        self.verifyPeer = verifyPeer
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// One message to send: the envelope and the RFC 5322 bytes (CRLF).
public struct OutgoingMail: Hashable, Sendable {
    /// MAIL FROM.
    public var from: String
    /// RCPT TO, one or more.
    public var recipients: [String]
    /// The message's bytes (UTF-8), as they go on the wire before dot-stuffing.
    public var messageBytes: [UInt8]

    /// The message.
    public var message: String {
        get { String(decoding: messageBytes, as: UTF8.self) }
        set { messageBytes = Array(newValue.utf8) }
    }

    /// Creates a mail.
    public init(from: String, recipients: [String], message: String) {
        self.init(from: from, recipients: recipients, messageBytes: Array(message.utf8))
    }

    /// Creates a mail from the message's bytes (UTF-8) as stored: nothing decodes them on the way to the wire.
    public init(from: String, recipients: [String], messageBytes: [UInt8]) {
        self.from = from
        self.recipients = recipients
        self.messageBytes = messageBytes
    }
}

/// The outcome of one mail: per recipient, as the server answered each RCPT and the final DATA.
public struct MailResult: Hashable, Sendable {
    /// Recipient address → outcome.
    public var recipients: [String: DeliveryOutcome]
    /// Seconds the transfer took.
    public var seconds: Double

    /// Creates a result.
    public init(recipients: [String: DeliveryOutcome], seconds: Double) {
        self.recipients = recipients
        self.seconds = seconds
    }
}

/// Sends mail over SMTP: libcurl makes each connection (TCP, STARTTLS required by default with the certificate
/// verified, or implicit TLS on `smtps://`; EHLO; AUTH) and Kallad carries the mail transactions over it through
/// libcurl (`CURLOPT_CONNECT_ONLY`, then `curl_easy_send` / `curl_easy_recv`, see session.h): with the server's
/// PIPELINING, MAIL FROM, the RCPTs and DATA go in one write and the message with its final dot in the next, so a
/// mail costs two round trips and four system calls. A result per recipient comes from the server's replies. A
/// cancelled task gets `transient` ("cancelled") for every mail not yet answered.
///
/// Each connection of a batch runs on a thread of its own (never on Swift's cooperative pool), taking the next mail
/// as soon as its last one is answered. Connections are kept for the transport's next batch; a kept one that the
/// server closed meanwhile is replaced, and a mail that found its kept connection dead before any answer goes
/// again on a fresh one.
///
/// Copies of a transport share its kept connections; they end (QUIT) when the last copy is gone. Connections are
/// never shared between transports, so settings (TLS, login) never mix.
public struct SMTPTransport: Sendable {
    /// The settings.
    public let settings: SMTPSettings
    private let kept = SMTPSessionPool()

    /// Creates the transport.
    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends the mails over at most `connections` connections in parallel, each reused for the next mail as soon
    /// as it is free; the results come back in the order of `mails`.
    ///
    /// `onResult` (index in `mails`, result) is called for each mail as soon as the server has answered it, on the
    /// thread that ran it and before that connection starts its next mail — so a caller can make the outcome safe
    /// first. Several threads may call it at once; keep it short, it holds up the wire.
    public func send(
        _ mails: [OutgoingMail], connections: Int = 1, onResult: (@Sendable (Int, MailResult) -> Void)? = nil
    ) async -> [MailResult] {
        await send(MailQueue(mails), connections: connections, onResult: onResult)
    }

    /// Sends the mails of `queue` as `send(_:connections:onResult:)` does; an open queue keeps its connections
    /// running, waiting for more, until it is finished — positions in `onResult` and the results are the queue's.
    /// Returns once the queue is finished and every mail in it answered (or the task was cancelled).
    public func send(
        _ queue: MailQueue, connections: Int = 1, onResult: (@Sendable (Int, MailResult) -> Void)? = nil
    ) async -> [MailResult] {
        let batch = SMTPBatch(queue: queue, settings: settings, connections: connections, onResult: onResult)
        let threads = queue.isOpen ? batch.connections : min(batch.connections, queue.unsent)
        guard threads > 0 else { return queue.results }
        let kept = kept
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let countdown = SMTPCountdown(threads, continuation)
                for _ in 0..<threads {
                    let thread = Thread {
                        SMTPConnectionRun(batch: batch, pool: kept).run()
                        countdown.done()
                    }
                    thread.name = "kallad-smtp"
                    thread.start()
                }
            }
        } onCancel: {
            batch.cancel()
        }
        return queue.results
    }
}

/// Resumes a continuation when the last of `count` threads is done.
///
/// `@unchecked Sendable`: `left` and `continuation` are touched only while holding `lock`.
private final class SMTPCountdown: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    private var continuation: CheckedContinuation<Void, Never>?

    init(_ count: Int, _ continuation: CheckedContinuation<Void, Never>) {
        left = count
        self.continuation = continuation
    }

    func done() {
        let finished: CheckedContinuation<Void, Never>? = lock.withLock {
            left -= 1
            guard left == 0 else { return nil }
            defer { continuation = nil }
            return continuation
        }
        finished?.resume()
    }
}

/// A transport's sessions kept between batches; closed (QUIT) when the last copy of the transport is gone.
///
/// `@unchecked Sendable`: `idle` is only touched while holding `lock`.
final class SMTPSessionPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [SMTPSession] = []

    deinit { for session in idle { session.close(polite: true) } }

    /// A kept session, the most recently used first; nil when none is kept.
    func take() -> SMTPSession? { lock.withLock { idle.popLast() } }

    /// Keeps `session` for a later batch.
    func keep(_ session: SMTPSession) { lock.withLock { idle.append(session) } }
}

/// One connection's share of a batch, on its thread: takes the next mail, connects when it has no session, sends,
/// records the result, and so on until no mail is left; then keeps the session for the next batch.
struct SMTPConnectionRun {
    let batch: SMTPBatch
    let pool: SMTPSessionPool

    func run() {
        var session = pool.take()
        var reused = session != nil
        if let kept = session, !kept.idleUsable {
            kept.close(polite: false)
            session = nil
            reused = false
        }
        let settings = batch.settings
        // A connection that sat idle waiting for more mail counts as reused: if the server closed it meanwhile, the
        // mail goes again on a fresh one.
        while let (index, mail) = batch.next() {
            if let refused = SMTPBatch.refusal(of: mail) {
                batch.record(refused, at: index)
                continue
            }
            let started = kallad_session_now_ms()
            let deadline = started + Int64(settings.timeout) * 1000
            var outcomes: [String: DeliveryOutcome] = [:]
            while true {
                if session == nil {
                    switch SMTPSession.open(settings, url: batch.url, cancel: batch.cancelSignal) {
                    case .success(let opened):
                        session = opened
                        reused = false
                    case .failure(let refusal):
                        outcomes = SMTPBatch.all(mail.recipients, refusal.outcome)
                    }
                }
                guard let current = session else { break }
                let transaction = current.deliver(mail, cancel: batch.cancelSignal, deadline: deadline)
                outcomes = transaction.recipients
                if !transaction.keep {
                    current.close(polite: false)
                    session = nil
                }
                // A kept connection that turns out dead before the server said anything of this mail: once more on
                // a fresh one (unless the batch was cancelled).
                let cancelled = transaction.recipients.values.contains(.cancelled)
                if transaction.keep || transaction.answered || !reused || cancelled { break }
                reused = false
            }
            reused = session != nil
            let seconds = Double(kallad_session_now_ms() - started) / 1000
            batch.record(MailResult(recipients: outcomes, seconds: seconds), at: index)
        }
        if let session { pool.keep(session) }
    }
}
