/// A server's reply: the code and the text, as the server sent them (text truncated to 500 characters).
public struct ServerReply: Hashable, Sendable, CustomStringConvertible {
    /// SMTP reply code or HTTP status.
    public var code: Int
    /// The reply text.
    public var text: String

    /// Creates a reply.
    public init(code: Int, text: String) {
        self.code = code
        self.text = String(text.prefix(500))
    }

    /// `550 5.1.1 no such user`.
    public var description: String { "\(code) \(text)" }
}

/// What became of one delivery, the same for every channel.
public enum DeliveryOutcome: Hashable, Sendable {
    /// Accepted by the server (or written to the folder).
    case delivered(ServerReply?)
    /// Worth trying again: connection refused or timed out, SMTP 4xx, HTTP 408/429/5xx. `retryAfter` in seconds
    /// when the server said.
    case transient(ServerReply?, reason: String, retryAfter: Int64?)
    /// Never worth trying again: SMTP 5xx, HTTP 4xx other than 408/429 (410: the receiver is gone).
    case permanent(ServerReply?, reason: String)
    /// Our configuration is wrong (TLS verification failed, authentication refused): report it loudly.
    case configuration(reason: String)

    /// Short name: `delivered`, `transient`, `permanent`, `configuration`.
    public var name: String {
        switch self {
        case .delivered: "delivered"
        case .transient: "transient"
        case .permanent: "permanent"
        case .configuration: "configuration"
        }
    }

    /// An SMTP reply classified. SMTP's 4xx means "try later" and 5xx "never": the opposite way round from what a
    /// notifier that treats 5xx as a server error would do.
    public static func smtp(_ reply: ServerReply) -> DeliveryOutcome {
        switch reply.code {
        case 200..<400: .delivered(reply)
        case 400..<500: .transient(reply, reason: "the mail server deferred it", retryAfter: nil)
        case 500..<600: .permanent(reply, reason: "the mail server refused it")
        default: .transient(reply, reason: "unexpected reply", retryAfter: nil)
        }
    }

    /// An HTTP status classified.
    public static func http(_ reply: ServerReply, retryAfter: Int64?) -> DeliveryOutcome {
        switch reply.code {
        case 200..<300: .delivered(reply)
        case 408, 425, 429: .transient(reply, reason: "the receiver asked to try later", retryAfter: retryAfter)
        case 410: .permanent(reply, reason: "the receiver is gone")
        case 401, 403: .configuration(reason: "the receiver refused our credentials (\(reply.code))")
        case 300..<500: .permanent(reply, reason: "the receiver refused it")
        default: .transient(reply, reason: "the receiver failed", retryAfter: retryAfter)
        }
    }
}
