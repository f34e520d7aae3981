/// Where one delivery (one notification to one recipient over one channel) stands in the outbox.
///
/// ```
/// queued ──claim──▶ sending ──▶ delivered
///   ▲                  │  ├───▶ deferred(next attempt) ──due──▶ sending …
///   │                  │  ├───▶ failed      (refused for good, or past its deadline; a summons is escalated)
///   └── crash ◀────────┘  └───▶ dropped     (it would arrive after the meeting began)
/// queued / deferred ──▶ cancelled (the meeting was cancelled) | superseded (the meeting moved; an update replaces it)
/// ```
public enum DeliveryState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its due time.
    case queued
    /// Claimed by the dispatcher; being sent now. A crash leaves it here, and the next start sends it again.
    case sending
    /// The server accepted it (or it was written to the folder).
    case delivered
    /// A transient failure; tried again at its next attempt time.
    case deferred
    /// Refused for good, or its deadline passed.
    case failed
    /// The meeting was cancelled before it went out.
    case cancelled
    /// The meeting moved before it went out; a newer notification replaces it.
    case superseded
    /// It would have arrived after the meeting began, so it was not sent.
    case dropped

    /// States a delivery leaves only by being claimed or replaced.
    public static let pending: [DeliveryState] = [.queued, .deferred]

    /// Whether nothing more will happen to it (unless a person retries it).
    public var isFinal: Bool { ![.queued, .sending, .deferred].contains(self) }
}

/// How a delivery travels.
public enum DeliveryChannel: Hashable, Sendable {
    /// E-mail to one recipient.
    case email
    /// A webhook or chat receiver, by name.
    case receiver(String)

    /// `email`, or `receiver:<name>`: how the store keeps it.
    public var storageName: String {
        switch self {
        case .email: "email"
        case .receiver(let name): "receiver:\(name)"
        }
    }

    /// The channel a stored name stands for.
    public init?(storageName: String) {
        if storageName == "email" {
            self = .email
        } else if storageName.hasPrefix("receiver:"), storageName.count > 9 {
            self = .receiver(String(storageName.dropFirst(9)))
        } else {
            return nil
        }
    }
}

/// What one attempt came to, as far as the outbox's decisions go (the transport's outcome, without the details).
public enum AttemptResult: Hashable, Sendable {
    /// Accepted.
    case delivered
    /// Worth trying again; `retryAfter` seconds when the server said so.
    case transient(retryAfter: Int64?)
    /// Refused for good.
    case permanent
    /// Our configuration is wrong (TLS, credentials): retried on the ladder, since an operator may fix it and
    /// reload, but reported loudly.
    case configuration
}
