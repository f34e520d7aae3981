import CCurl
import Foundation

/// The requests of one `HTTPTransport.send` and their outcomes, filled in on the engine's thread.
final class HTTPBatch: CurlBatch, @unchecked Sendable {
    let requests: [OutgoingRequest]
    let settings: HTTPSettings
    private var results: [DeliveryOutcome?]
    private var nextIndex = 0

    init(requests: [OutgoingRequest], settings: HTTPSettings) {
        self.requests = requests
        self.settings = settings
        results = Array(repeating: nil, count: requests.count)
    }

    /// Every request's outcome, in order; those never answered are `cancelled`. Read after the batch finished.
    var outcomes: [DeliveryOutcome] { results.map { $0 ?? .cancelled } }

    override var limit: Int { max(1, settings.maxInFlight) }

    override func next() -> CurlTransfer? {
        while nextIndex < requests.count {
            let index = nextIndex
            nextIndex += 1
            if let refusal = Self.refusal(requests[index]) {
                results[index] = refusal
                continue
            }
            return HTTPTransfer(batch: self, index: index)
        }
        return nil
    }

    func record(_ outcome: DeliveryOutcome, at index: Int) { results[index] = outcome }

    /// A request that must not be sent: CR, LF or another control character in a header (header injection),
    /// or a colon in a header name.
    static func refusal(_ request: OutgoingRequest) -> DeliveryOutcome? {
        for (name, value) in request.headers {
            let bad =
                name.unicodeScalars.contains { $0.value < 32 || $0.value == 127 || $0 == ":" }
                || value.unicodeScalars.contains { ($0.value < 32 && $0 != "\t") || $0.value == 127 }
            if bad || name.isEmpty {
                return .permanent(nil, reason: "header \(name.debugDescription) has a line break, control or colon")
            }
        }
        if request.method.unicodeScalars.contains(where: { !(("A"..."Z").contains($0)) }) || request.method.isEmpty {
            return .permanent(nil, reason: "method \(request.method.debugDescription) is not a plain verb")
        }
        return nil
    }
}

/// One request on an easy handle: the header list it needs while it runs, and the answer as it arrives.
final class HTTPTransfer: CurlTransfer {
    private let batch: HTTPBatch
    private let index: Int
    private var headers: UnsafeMutablePointer<curl_slist>?
    /// The first 4 KiB of the response body (kept as the reply text).
    fileprivate var response: [UInt8] = []
    /// The last `Retry-After` seen, in seconds.
    fileprivate var retryAfter: Int64?

    init(batch: HTTPBatch, index: Int) {
        self.batch = batch
        self.index = index
    }

    deinit { curl_slist_free_all(headers) }

    /// Every transfer of an HTTP engine has the same settings (one engine per transport): a handle that ran one
    /// only needs this request's URL, method, headers, body and context.
    override var keepsOptions: Bool { true }

    override func configure(_ handle: UnsafeMutableRawPointer, fresh: Bool) {
        let request = batch.requests[index]
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            headers = curl_slist_append(headers, "\(name): \(value)")
        }
        headers = curl_slist_append(headers, "Expect:")
        if fresh { configureSettings(handle) }
        kallad_curl_setopt_string(handle, CURLOPT_URL, request.url)
        kallad_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        kallad_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.utf8.count))
        kallad_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, request.body)
        kallad_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        let context = Unmanaged.passUnretained(self).toOpaque()
        kallad_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        kallad_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    /// The options that come from the transport's settings, and the callbacks.
    private func configureSettings(_ handle: UnsafeMutableRawPointer) {
        let settings = batch.settings
        kallad_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        kallad_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        kallad_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        kallad_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        if let caFile = settings.caFile { kallad_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        kallad_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context).takeUnretainedValue()
            let room = 4096 - transfer.response.count
            if room > 0 {
                transfer.response += UnsafeRawBufferPointer(start: data, count: min(room, size * count))
            }
            return size * count
        }
        kallad_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context).takeUnretainedValue()
            let line = UnsafeRawBufferPointer(start: data, count: size * count)
            if let seconds = HTTPTransfer.retryAfter(line) { transfer.retryAfter = seconds }
            return size * count
        }
    }

    override func ended(_ handle: UnsafeMutableRawPointer?, code: CURLcode?) {
        batch.record(outcome(handle, code: code), at: index)
    }

    private func outcome(_ handle: UnsafeMutableRawPointer?, code: CURLcode?) -> DeliveryOutcome {
        guard let code else { return .cancelled }
        guard let handle, code == CURLE_OK else {
            let error = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR,
                CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
                return .configuration(reason: "\(error) (curl \(code.rawValue))")
            default:
                return .transient(nil, reason: "\(error) (curl \(code.rawValue))", retryAfter: nil)
            }
        }
        var status = 0
        kallad_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let reply = ServerReply(code: status, text: String(decoding: response, as: UTF8.self))
        return DeliveryOutcome.http(reply, retryAfter: retryAfter)
    }

    private static let retryAfterName = Array("retry-after:".utf8)

    /// `Retry-After` in seconds from a header line, when it is one (the delta form; an HTTP date is read as 60 s:
    /// the server asked for a pause). Reads bytes, so the other header lines cost no allocation.
    static func retryAfter(_ line: UnsafeRawBufferPointer) -> Int64? {
        let name = retryAfterName
        guard line.count > name.count else { return nil }
        for (offset, expected) in name.enumerated() where line[offset] | 0x20 != expected {
            // `| 0x20` lowers ASCII letters; '-' (0x2D) and ':' (0x3A) already have that bit set.
            return nil
        }
        var value: Int64 = 0
        var digits = 0
        for byte in line[name.count...] {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 12 else { return 60 }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            default:
                return 60
            }
        }
        return digits > 0 ? value : 60
    }
}
