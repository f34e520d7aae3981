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

/// Timeouts, TLS and parallelism for HTTP deliveries.
public struct HTTPSettings: Hashable, Sendable {
    /// Connect timeout in seconds.
    public var connectTimeout: Int
    /// Whole-request timeout in seconds.
    public var timeout: Int
    /// A CA bundle, if not the system's.
    public var caFile: String?
    /// How many requests of a batch are in flight at once (at most 64 connections go to one host; more requests
    /// wait inside libcurl for a free connection).
    public var maxInFlight: Int

    /// Creates settings.
    public init(connectTimeout: Int = 10, timeout: Int = 30, caFile: String? = nil, maxInFlight: Int = 50) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.maxInFlight = maxInFlight
    }
}

/// Delivers HTTP requests with libcurl's multi interface on a thread of the transport's own, `maxInFlight` at a
/// time over kept-alive connections. Classifies each answer: 2xx delivered; 408/425/429/5xx transient with
/// `Retry-After` kept; 410 receiver gone; other 4xx permanent; 401/403 a configuration error. A cancelled task
/// gets `transient` with the reason "cancelled" for every request not yet answered.
///
/// Copies of a transport share its engine and connections; the engine's thread ends when the last copy is gone.
public struct HTTPTransport: Sendable {
    /// The settings.
    public let settings: HTTPSettings
    private let engine = CurlEngine()

    /// Creates the transport.
    public init(settings: HTTPSettings = HTTPSettings()) { self.settings = settings }

    /// Sends the requests, `maxInFlight` at a time; the outcomes come back in the order of `requests`.
    public func send(_ requests: [OutgoingRequest]) async -> [DeliveryOutcome] {
        let batch = HTTPBatch(requests: requests, settings: settings)
        await engine.run(batch)
        return batch.outcomes
    }

    /// Sends one request.
    public func send(_ request: OutgoingRequest) async -> DeliveryOutcome {
        await send([request]).first ?? DeliveryOutcome.cancelled
    }
}

extension DeliveryOutcome {
    /// What a delivery that was cancelled before its answer came becomes: worth trying again.
    static let cancelled = DeliveryOutcome.transient(nil, reason: "cancelled", retryAfter: nil)
}
