import CCurl
import Foundation

/// One SMTP connection that libcurl set up (TCP, TLS, EHLO, AUTH, see session.h) and that carries mail
/// transactions Kallad writes and reads itself through `curl_easy_send` / `curl_easy_recv`.
///
/// Used by one thread at a time: a batch's thread while it sends, the transport's pool of kept sessions in between.
/// `@unchecked Sendable`: handed from thread to thread only through the pool's lock.
final class SMTPSession: @unchecked Sendable {
    private let session: UnsafeMutablePointer<kallad_session>
    /// What the server advertised in its last EHLO reply (KALLAD_SESSION_*).
    let extensions: Int32
    /// A transaction went wrong part way: the next one starts with RSET.
    var needsReset = false
    /// Bytes received and not yet read as reply lines: `inbox[inboxStart...]`.
    private var inbox: [UInt8] = []
    private var inboxStart = 0
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 16_384, alignment: 1)
    /// The last final reply line read: its code and text.
    private(set) var lastCode = 0
    private var lastText: [UInt8] = []

    /// Why a send or receive stopped: libcurl's code, or the batch was cancelled.
    struct Break: Error {
        /// A CURLcode, or KALLAD_SESSION_CANCELLED.
        let code: Int32
        var cancelled: Bool { code == Int32(KALLAD_SESSION_CANCELLED) }
    }

    private init(session: UnsafeMutablePointer<kallad_session>) {
        self.session = session
        extensions = Int32(session.pointee.extensions)
    }

    deinit { chunk.deallocate() }

    var pipelining: Bool { extensions & Int32(KALLAD_SESSION_PIPELINING) != 0 }
    var advertisesSize: Bool { extensions & Int32(KALLAD_SESSION_SIZE) != 0 }

    /// Connects with the transport's settings to `url` (`smtp://host:port/EHLO-NAME`): the session, or the outcome
    /// every recipient of the mail that needed it gets.
    static func open(_ settings: SMTPSettings, url: String, cancel: Int32) -> Result<SMTPSession, Refusal> {
        _ = Curl.initialised
        guard let session = kallad_session_create() else {
            return .failure(Refusal(outcome: .transient(nil, reason: "libcurl could not start", retryAfter: nil)))
        }
        kallad_session_setopt_string(session, CURLOPT_URL, url)
        kallad_session_setopt_long(session, CURLOPT_USE_SSL, settings.requireTLS ? Int(CURLUSESSL_ALL.rawValue) : 0)
        kallad_session_setopt_long(session, CURLOPT_SSL_VERIFYPEER, settings.verifyPeer ? 1 : 0)
        kallad_session_setopt_long(session, CURLOPT_SSL_VERIFYHOST, settings.verifyPeer ? 2 : 0)
        if let caFile = settings.caFile { kallad_session_setopt_string(session, CURLOPT_CAINFO, caFile) }
        if let username = settings.username { kallad_session_setopt_string(session, CURLOPT_USERNAME, username) }
        if let password = settings.password { kallad_session_setopt_string(session, CURLOPT_PASSWORD, password) }
        kallad_session_setopt_long(session, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        kallad_session_setopt_long(session, CURLOPT_TIMEOUT, settings.timeout)
        let code = kallad_session_connect(session, cancel)
        guard code == CURLE_OK.rawValue else {
            let lastCode = Int(session.pointee.last_code)
            let lastText = withUnsafeBytes(of: session.pointee.last_text) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            kallad_session_destroy(session, 0)
            if code == Int32(KALLAD_SESSION_CANCELLED) { return .failure(Refusal(outcome: .cancelled)) }
            let reply = lastCode == 0 ? nil : ServerReply(code: lastCode, text: lastText)
            return .failure(Refusal(outcome: Self.connectOutcome(CURLcode(UInt32(code)), reply: reply)))
        }
        return .success(SMTPSession(session: session))
    }

    /// Why a connection could not be had, as the outcome of the mail that needed it.
    struct Refusal: Error {
        let outcome: DeliveryOutcome
    }

    /// The outcome of a failed connect (TCP, TLS, EHLO or AUTH).
    static func connectOutcome(_ code: CURLcode, reply: ServerReply?) -> DeliveryOutcome {
        let error = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_LOGIN_DENIED:
            return .configuration(reason: "the mail server refused our login: \(error)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CONNECT_ERROR:
            return .configuration(reason: "TLS with the mail server failed: \(error)")
        case CURLE_USE_SSL_FAILED:
            return .configuration(reason: "the mail server does not offer STARTTLS, which is required")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .configuration(reason: "bad SMTP URL: \(error)")
        default:
            if let reply, reply.code >= 400 { return DeliveryOutcome.smtp(reply) }
            return .transient(nil, reason: "\(error) (curl \(code.rawValue))", retryAfter: nil)
        }
    }

    /// The outcome of a transaction that broke off (the connection failed or timed out, or the batch was
    /// cancelled) for the recipients still waiting for an answer.
    static func breakOutcome(_ stop: Break) -> DeliveryOutcome {
        if stop.cancelled { return .cancelled }
        if stop.code == CURLE_GOT_NOTHING.rawValue {
            return .transient(nil, reason: "the mail server closed the connection (curl \(stop.code))", retryAfter: nil)
        }
        let error = String(cString: curl_easy_strerror(CURLcode(UInt32(stop.code))))
        return .transient(nil, reason: "\(error) (curl \(stop.code))", retryAfter: nil)
    }

    /// Ends the session: QUIT when `polite` (the connection is between transactions), then closes it.
    func close(polite: Bool) { kallad_session_destroy(session, polite ? 1 : 0) }

    /// Whether a kept session can carry another transaction: the server has not said or closed anything since.
    var idleUsable: Bool { inboxStart == inbox.count && kallad_session_idle_usable(session) != 0 }

    /// Sends `bytes` whole.
    func send(_ bytes: ArraySlice<UInt8>, cancel: Int32, deadline: Int64) throws(Break) {
        let code = bytes.withUnsafeBytes { kallad_session_send(session, $0.baseAddress, $0.count, cancel, deadline) }
        guard code == CURLE_OK.rawValue else { throw Break(code: code) }
    }

    /// Reads the next whole reply (continuation lines `250-…` skipped, the final line `250 …` kept): its code.
    /// `lastReply` then holds its text.
    func readReply(cancel: Int32, deadline: Int64) throws(Break) -> Int {
        while true {
            while let newline = inbox[inboxStart...].firstIndex(of: 10) {
                let line = inbox[inboxStart..<newline]
                inboxStart = newline + 1
                if let code = finalLine(line) { return code }
            }
            if inboxStart > 0 {
                inbox.removeFirst(inboxStart)
                inboxStart = 0
            }
            var received = 0
            let code = kallad_session_receive(session, chunk.baseAddress, chunk.count, &received, cancel, deadline)
            guard code == CURLE_OK.rawValue else { throw Break(code: code) }
            inbox.append(contentsOf: chunk.prefix(received))
        }
    }

    /// A reply line's code when it ends the reply; nil for a continuation line. A line that is not a reply at all
    /// counts as a final one with code 0 (and so as an unexpected reply).
    private func finalLine(_ line: ArraySlice<UInt8>) -> Int? {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 13 { end -= 1 }
        let line = line[..<end]
        var code = 0
        for byte in line.prefix(3) {
            guard byte >= 48, byte <= 57 else {
                code = -1
                break
            }
            code = code * 10 + Int(byte - 48)
        }
        if code < 0 || line.count < 3 { code = 0 }
        if code != 0, line.count > 3, line[line.startIndex + 3] == 45 { return nil }  // "250-…"
        lastCode = code
        lastText.removeAll(keepingCapacity: true)
        lastText.append(contentsOf: line.dropFirst(4))
        return code
    }

    /// The last reply read.
    var lastReply: ServerReply { ServerReply(code: lastCode, text: String(decoding: lastText, as: UTF8.self)) }
}
