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
    /// The message.
    public var message: String

    /// Creates a mail.
    public init(from: String, recipients: [String], message: String) {
        self.from = from
        self.recipients = recipients
        self.message = message
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

/// Sends mail over SMTP with libcurl's multi interface, on threads of the transport's own (never on Swift's
/// cooperative pool): STARTTLS required by default with certificates verified, AUTH, timeouts, connections kept
/// and reused across a batch (and from one batch to the next), and a result per recipient read from the server's
/// reply lines. A cancelled task gets `transient` ("cancelled") for every mail not yet answered.
///
/// Every two connections of a batch get an engine (thread, multi handle, epoll set) of their own, up to
/// `laneLimit`: libcurl 7.88 sends a mail's end of data and then waits for the server's final reply inside the
/// transfer's last step (`smtp_done` blocks), so one thread driving ten sessions holds all ten while any one of
/// them waits. (Two per thread rather than one: as fast on ten connections to smtp-sink, and the threads sleep and
/// wake less, so about a seventh less CPU per mail.) Each engine keeps its own connections; a batch's connections
/// are split over the engines the same way every time, so the next batch reuses them.
///
/// Copies of a transport share its engines and connections; the engines' threads end (sending QUIT) when the last
/// copy is gone. Connections are never shared between transports, so settings (TLS, login) never mix.
public struct SMTPTransport: Sendable {
    /// The settings.
    public let settings: SMTPSettings
    private let engines = SMTPEngines()

    /// Connections per engine (thread).
    static let connectionsPerLane = 2
    /// At most this many engines (threads) run one transport's connections; more connections share them.
    static let laneLimit = 16

    /// Creates the transport.
    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends the mails over at most `connections` connections in parallel, each reused for the next mail as soon
    /// as it is free; the results come back in the order of `mails`.
    ///
    /// `onResult` (index in `mails`, result) is called for each mail as soon as the server has answered it, on the
    /// engine thread that ran it and before that connection starts its next mail — so a caller can make the outcome
    /// safe first. Several engines may call it at once; keep it short, it holds up the wire.
    public func send(
        _ mails: [OutgoingMail], connections: Int = 1, onResult: (@Sendable (Int, MailResult) -> Void)? = nil
    ) async -> [MailResult] {
        let batch = SMTPBatch(mails: mails, settings: settings, connections: connections, onResult: onResult)
        let wanted = (batch.connections + Self.connectionsPerLane - 1) / Self.connectionsPerLane
        let lanes = batch.lanes(min(Self.laneLimit, wanted, max(1, mails.count)))
        let engines = engines.first(lanes.count)
        if lanes.count == 1 {
            await engines[0].run(lanes[0])
        } else {
            await withTaskGroup(of: Void.self) { group in
                for (lane, engine) in zip(lanes, engines) { group.addTask { await engine.run(lane) } }
            }
        }
        return batch.results
    }
}

/// A transport's SMTP engines, made as batches first need them and kept (with their connections) for the next.
///
/// `@unchecked Sendable`: `engines` is only touched while holding `lock`.
private final class SMTPEngines: @unchecked Sendable {
    private let lock = NSLock()
    private var engines: [CurlEngine] = []

    /// The first `count` engines, made if missing.
    func first(_ count: Int) -> [CurlEngine] {
        lock.withLock {
            while engines.count < count { engines.append(CurlEngine(kind: .smtp)) }
            return Array(engines.prefix(count))
        }
    }
}
