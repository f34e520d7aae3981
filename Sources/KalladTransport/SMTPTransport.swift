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
}

/// Sends mail over SMTP with libcurl: STARTTLS required by default with certificates verified, AUTH, timeouts,
/// one connection reused across a batch, and a result per recipient read from the server's reply lines.
///
/// A batch runs on its own thread (libcurl's easy interface blocks), never on Swift's cooperative pool.
public struct SMTPTransport: Sendable {
    /// The settings.
    public let settings: SMTPSettings

    /// Creates the transport.
    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends the mails over `connections` connections in parallel (each reused for its share, in order); the
    /// results come back in the order of `mails`.
    public func send(_ mails: [OutgoingMail], connections: Int = 1) async -> [MailResult] {
        let settings = self.settings
        let lanes = max(1, min(connections, mails.count))
        return await withTaskGroup(of: [(Int, MailResult)].self) { group in
            for lane in 0..<lanes {
                let share = stride(from: lane, to: mails.count, by: lanes).map { ($0, mails[$0]) }
                group.addTask {
                    await withCheckedContinuation { continuation in
                        Thread {
                            let session = SMTPSession(settings: settings)
                            continuation.resume(returning: share.map { ($0.0, session.send($0.1)) })
                        }.start()
                    }
                }
            }
            var results = [MailResult?](repeating: nil, count: mails.count)
            for await lane in group { for (index, result) in lane { results[index] = result } }
            return results.map { $0 ?? MailResult(recipients: [:], seconds: 0) }
        }
    }
}

/// One libcurl easy handle and what the current transfer has read and seen. Used by one thread at a time.
final class SMTPSession {
    let settings: SMTPSettings
    let handle: UnsafeMutableRawPointer?
    var body: [UInt8] = []
    var offset = 0
    /// Commands sent and reply lines received, in order.
    var dialogue: [(sent: Bool, line: String)] = []

    init(settings: SMTPSettings) {
        self.settings = settings
        _ = Curl.initialised
        handle = curl_easy_init()
    }

    deinit { if let handle { curl_easy_cleanup(handle) } }

    func send(_ mail: OutgoingMail) -> MailResult {
        let started = Date()
        func all(_ outcome: DeliveryOutcome) -> MailResult {
            MailResult(
                recipients: Dictionary(uniqueKeysWithValues: mail.recipients.map { ($0, outcome) }),
                seconds: Date().timeIntervalSince(started))
        }
        guard let handle else { return all(.transient(nil, reason: "curl_easy_init failed", retryAfter: nil)) }
        // Refuse CR, LF and NUL before libcurl sees an address: 7.88 passes them to the server.
        for address in [mail.from] + mail.recipients {
            if let problem = EmailAddress.problem(address) {
                return all(.permanent(nil, reason: "address '\(address.debugDescription)' \(problem)"))
            }
        }
        body = Array(mail.message.utf8)
        offset = 0
        dialogue = []
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in mail.recipients { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }

        let base = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        kallad_curl_setopt_string(handle, CURLOPT_URL, "\(base)/\(settings.heloName)")
        kallad_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        kallad_curl_setopt_long(handle, CURLOPT_USE_SSL, settings.requireTLS ? Int(CURLUSESSL_ALL.rawValue) : 0)
        kallad_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, settings.verifyPeer ? 1 : 0)
        kallad_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, settings.verifyPeer ? 2 : 0)
        if let caFile = settings.caFile { kallad_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let username = settings.username { kallad_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = settings.password { kallad_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        kallad_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        kallad_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        kallad_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>")
        kallad_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        kallad_curl_setopt_long(handle, kallad_curl_opt_rcpt_allowfails(), 1)
        kallad_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        kallad_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count))
        let context = Unmanaged.passUnretained(self).toOpaque()
        kallad_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        kallad_curl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let session = Unmanaged<SMTPSession>.fromOpaque(context).takeUnretainedValue()
            let n = min(size * count, session.body.count - session.offset)
            session.body.withUnsafeBytes { raw in
                if let base = raw.baseAddress, n > 0 {
                    memcpy(buffer, base.advanced(by: session.offset), n)
                }
            }
            session.offset += n
            return n
        }
        kallad_curl_setopt_long(handle, CURLOPT_VERBOSE, 1)
        kallad_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context)
        kallad_curl_setopt_debug(handle) { _, type, data, size, context in
            guard let data, let context, type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT else { return 0 }
            let session = Unmanaged<SMTPSession>.fromOpaque(context).takeUnretainedValue()
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
            for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
                session.dialogue.append((type == CURLINFO_HEADER_OUT, String(line)))
            }
            return 0
        }

        let code = curl_easy_perform(handle)
        var last: Int = 0
        kallad_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &last)
        let outcomes = Self.outcomes(
            dialogue: dialogue, recipients: mail.recipients, curlCode: code,
            lastReply: last, error: String(cString: curl_easy_strerror(code)))
        return MailResult(recipients: outcomes, seconds: Date().timeIntervalSince(started))
    }

    /// Per recipient: its RCPT reply if refused, else the reply after DATA; transport failures for all.
    static func outcomes(
        dialogue: [(sent: Bool, line: String)], recipients: [String], curlCode: CURLcode, lastReply: Int,
        error: String
    ) -> [String: DeliveryOutcome] {
        // Pair each command we sent with the final line of the reply that follows it.
        var replies: [(command: String, reply: ServerReply)] = []
        var pending: String?
        for (sent, line) in dialogue {
            if sent {
                pending = line
                continue
            }
            guard line.count >= 3, let code = Int(line.prefix(3)) else { continue }
            let isFinal = line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " "
            if isFinal {
                replies.append((pending ?? "", ServerReply(code: code, text: String(line.dropFirst(4)))))
                pending = nil
            }
        }
        let finalReply = replies.last { $0.command.isEmpty || $0.command.hasPrefix("DATA") == false }?.reply
        var result: [String: DeliveryOutcome] = [:]
        for address in recipients {
            let rcpt = replies.last { $0.command.uppercased().hasPrefix("RCPT TO:<\(address.uppercased())>") }?.reply
            if let rcpt, rcpt.code >= 400 {
                result[address] = DeliveryOutcome.smtp(rcpt)
                continue
            }
            switch curlCode {
            case CURLE_OK:
                result[address] = .delivered(finalReply)
            case CURLE_LOGIN_DENIED:
                result[address] = .configuration(reason: "the mail server refused our login: \(error)")
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
                CURLE_SSL_CONNECT_ERROR:
                result[address] = .configuration(reason: "TLS with the mail server failed: \(error)")
            case CURLE_USE_SSL_FAILED:
                result[address] = .configuration(reason: "the mail server does not offer STARTTLS, which is required")
            case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
                result[address] = .configuration(reason: "bad SMTP URL: \(error)")
            default:
                if lastReply >= 400, let reply = replies.last?.reply {
                    result[address] = DeliveryOutcome.smtp(reply)
                } else {
                    result[address] = .transient(nil, reason: "\(error) (curl \(curlCode.rawValue))", retryAfter: nil)
                }
            }
        }
        return result
    }
}
