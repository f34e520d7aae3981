import CCurl
import Foundation
import KalladCore

/// One mail on an easy handle: the recipient list and message bytes it needs while it runs, and the server's
/// replies as they arrive (read from libcurl's debug callback: each command sent, each reply line received).
final class SMTPTransfer: CurlTransfer {
    private let batch: SMTPBatch
    private let index: Int
    private let message: String
    private var offset = 0
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    /// The last command sent was RCPT: the next final reply line answers it.
    private var awaitingRCPT = false
    /// RCPT replies seen so far, and the refused ones by recipient position.
    private var rcptReplies = 0
    private var refusals: [Int: ServerReply] = [:]
    /// The last final reply line: its code and text (bytes, turned into a String only when it is reported).
    private var lastCode = 0
    private var lastText: [UInt8] = []

    init(batch: SMTPBatch, index: Int) {
        self.batch = batch
        self.index = index
        var message = batch.mails[index].message
        message.makeContiguousUTF8()
        self.message = message
    }

    deinit { curl_slist_free_all(recipientList) }

    /// The same outcome for each recipient.
    static func all(_ recipients: [String], _ outcome: DeliveryOutcome) -> [String: DeliveryOutcome] {
        Dictionary(recipients.map { ($0, outcome) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every transfer of an SMTP engine has the same settings (one engine per transport): a handle that ran one
    /// only needs this mail's envelope, size and context.
    override var keepsOptions: Bool { true }

    override func configure(_ handle: UnsafeMutableRawPointer, fresh: Bool) {
        let mail = batch.mails[index]
        for address in mail.recipients { recipientList = curl_slist_append(recipientList, "<\(address)>") }
        if fresh { configureSettings(handle) }
        kallad_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>")
        kallad_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList)
        kallad_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.utf8.count))
        let context = Unmanaged.passUnretained(self).toOpaque()
        kallad_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        kallad_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context)
    }

    /// The options that come from the transport's settings, and the callbacks.
    private func configureSettings(_ handle: UnsafeMutableRawPointer) {
        let settings = batch.settings
        kallad_curl_setopt_string(handle, CURLOPT_URL, batch.url)
        kallad_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        kallad_curl_setopt_long(handle, CURLOPT_USE_SSL, settings.requireTLS ? Int(CURLUSESSL_ALL.rawValue) : 0)
        kallad_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, settings.verifyPeer ? 1 : 0)
        kallad_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, settings.verifyPeer ? 2 : 0)
        if let caFile = settings.caFile { kallad_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let username = settings.username { kallad_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = settings.password { kallad_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        kallad_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        kallad_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        kallad_curl_setopt_long(handle, kallad_curl_opt_rcpt_allowfails(), 1)
        kallad_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        kallad_curl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let transfer = Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.read(into: buffer, capacity: size * count)
        }
        kallad_curl_setopt_long(handle, CURLOPT_VERBOSE, 1)
        kallad_curl_setopt_debug(handle) { _, type, data, size, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<SMTPTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size)
            if type == CURLINFO_HEADER_IN {
                transfer.heard(bytes)
            } else if type == CURLINFO_HEADER_OUT {
                transfer.awaitingRCPT = bytes.count >= 4 && bytes.prefix(4).map { $0 & 0xDF } == [82, 67, 80, 84]
            }
            return 0
        }
    }

    /// See `CurlTransfer.shutsConnectionOnCancel`: removing an SMTP transfer mid-way must not wait for the server.
    override var shutsConnectionOnCancel: Bool { true }

    private func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let copied = message.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            let n = min(capacity, bytes.count - offset)
            if n > 0, let base = bytes.baseAddress { memcpy(buffer, base + offset, n) }
            return max(n, 0)
        }
        guard let copied else { return kallad_curl_readfunc_abort() }
        offset += copied
        return copied
    }

    /// Reply lines from the server (`250-…` continues a reply, `250 …` ends it).
    private func heard(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            var stop = end
            while stop > start, bytes[stop - 1] == 13 || bytes[stop - 1] == 10 { stop -= 1 }
            line(bytes[start..<stop])
            start = end + 1
        }
    }

    private func line(_ line: Slice<UnsafeRawBufferPointer>) {
        guard line.count >= 3 else { return }
        var code = 0
        for byte in line.prefix(3) {
            guard byte >= 48, byte <= 57 else { return }
            code = code * 10 + Int(byte - 48)
        }
        guard line.count == 3 || line[line.startIndex + 3] == 32 else { return }
        lastCode = code
        lastText.removeAll(keepingCapacity: true)
        lastText.append(contentsOf: line.dropFirst(4))
        if awaitingRCPT {
            if code >= 400 { refusals[rcptReplies] = lastReply }
            rcptReplies += 1
            awaitingRCPT = false
        }
    }

    private var lastReply: ServerReply { ServerReply(code: lastCode, text: String(decoding: lastText, as: UTF8.self)) }

    override func ended(_ handle: UnsafeMutableRawPointer?, code: CURLcode?) {
        let recipients = batch.mails[index].recipients
        guard let code else {
            batch.record(MailResult(recipients: Self.all(recipients, .cancelled), seconds: 0), at: index)
            return
        }
        var seconds = 0.0
        if let handle { kallad_curl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &seconds) }
        let error = code == CURLE_OK ? "" : String(cString: curl_easy_strerror(code))
        let common = outcome(code: code, error: error)
        var result: [String: DeliveryOutcome] = [:]
        result.reserveCapacity(recipients.count)
        for (position, address) in recipients.enumerated() {
            result[address] = refusals[position].map(DeliveryOutcome.smtp) ?? common
        }
        batch.record(MailResult(recipients: result, seconds: seconds), at: index)
    }

    /// The outcome of every recipient the server did not refuse at RCPT.
    private func outcome(code: CURLcode, error: String) -> DeliveryOutcome {
        switch code {
        case CURLE_OK:
            return .delivered(lastCode == 0 ? nil : lastReply)
        case CURLE_LOGIN_DENIED:
            return .configuration(reason: "the mail server refused our login: \(error)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CONNECT_ERROR:
            return .configuration(reason: "TLS with the mail server failed: \(error)")
        case CURLE_USE_SSL_FAILED:
            return .configuration(reason: "the mail server does not offer STARTTLS, which is required")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .configuration(reason: "bad SMTP URL: \(error)")
        default:
            if lastCode >= 400 { return DeliveryOutcome.smtp(lastReply) }
            return .transient(nil, reason: "\(error) (curl \(code.rawValue))", retryAfter: nil)
        }
    }
}
