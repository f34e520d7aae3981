import CCurl
import Foundation

/// One HTTP request to deliver: a webhook event or a chat message.
public struct OutgoingRequest: Hashable, Sendable {
    /// `POST` or `PUT` (Matrix sends with PUT and a transaction id in the path).
    public var method: String
    /// The receiver's URL.
    public var url: String
    /// Header lines, name and value.
    public var headers: [String: String]
    /// The body (JSON).
    public var body: String

    /// Creates a request.
    public init(method: String = "POST", url: String, headers: [String: String] = [:], body: String) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Timeouts and TLS for HTTP deliveries.
public struct HTTPSettings: Hashable, Sendable {
    /// Connect timeout in seconds.
    public var connectTimeout: Int
    /// Whole-request timeout in seconds.
    public var timeout: Int
    /// A CA bundle, if not the system's.
    public var caFile: String?

    /// Creates settings.
    public init(connectTimeout: Int = 10, timeout: Int = 30, caFile: String? = nil) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
    }
}

/// Delivers HTTP requests with libcurl, one easy handle reused (keep-alive) per batch, on its own thread.
/// Classifies each answer: 2xx delivered; 408/425/429/5xx transient with `Retry-After` kept; 410 receiver gone;
/// other 4xx permanent; 401/403 a configuration error.
public struct HTTPTransport: Sendable {
    /// The settings.
    public let settings: HTTPSettings

    /// Creates the transport.
    public init(settings: HTTPSettings = HTTPSettings()) { self.settings = settings }

    /// Sends the requests in order over reused connections.
    public func send(_ requests: [OutgoingRequest]) async -> [DeliveryOutcome] {
        let settings = self.settings
        return await withCheckedContinuation { continuation in
            Thread {
                let session = HTTPSession(settings: settings)
                continuation.resume(returning: requests.map { session.send($0) })
            }.start()
        }
    }
}

/// One libcurl easy handle and the current response. Used by one thread at a time.
final class HTTPSession {
    let settings: HTTPSettings
    let handle: UnsafeMutableRawPointer?
    var response: [UInt8] = []
    var headerLines: [String] = []

    init(settings: HTTPSettings) {
        self.settings = settings
        _ = Curl.initialised
        handle = curl_easy_init()
    }

    deinit { if let handle { curl_easy_cleanup(handle) } }

    func send(_ request: OutgoingRequest) -> DeliveryOutcome {
        guard let handle else { return .transient(nil, reason: "curl_easy_init failed", retryAfter: nil) }
        for (name, value) in request.headers {
            let bad = (name + value).unicodeScalars.contains { $0.value < 32 && $0 != "\t" } || name.contains(":")
            if bad { return .permanent(nil, reason: "header \(name.debugDescription) has a line break or colon") }
        }
        response = []
        headerLines = []
        var headers: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            headers = curl_slist_append(headers, "\(name): \(value)")
        }
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }
        kallad_curl_setopt_string(handle, CURLOPT_URL, request.url)
        kallad_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        kallad_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        kallad_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        kallad_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, request.body)
        kallad_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        kallad_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        kallad_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        if let caFile = settings.caFile { kallad_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        kallad_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        kallad_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let session = Unmanaged<HTTPSession>.fromOpaque(context).takeUnretainedValue()
            if session.response.count < 4096 {
                session.response += UnsafeRawBufferPointer(start: data, count: size * count).prefix(4096)
            }
            return size * count
        }
        kallad_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        kallad_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let session = Unmanaged<HTTPSession>.fromOpaque(context).takeUnretainedValue()
            session.headerLines.append(
                String(
                    decoding: UnsafeRawBufferPointer(start: data, count: size * count),
                    as: UTF8.self))
            return size * count
        }
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
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
        return DeliveryOutcome.http(reply, retryAfter: Self.retryAfter(headerLines))
    }

    /// `Retry-After` in seconds (the delta form; an HTTP date is read as 60 s, the server asked for a pause).
    static func retryAfter(_ lines: [String]) -> Int64? {
        for line in lines.reversed() where line.lowercased().hasPrefix("retry-after:") {
            let value = line.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            return Int64(value) ?? 60
        }
        return nil
    }
}
