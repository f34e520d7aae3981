public import KalladCore

/// A trigger from another system, accepted after its signature, timestamp, size and JSON were checked.
public struct InboundTrigger: Hashable, Sendable {
    /// The `webhook-id` it was signed with: unique per trigger, so a replay is recognised.
    public var id: String
    /// The sending system, as named in the configuration.
    public var system: String
    /// `meeting.requested`, `meeting.cancelled`, `meeting.moved`, `agenda.item.added`, `deviation.reported` or
    /// `summons.send_now`.
    public var type: String
    /// When Kallad received it; the changes it brings became known then.
    public var receivedAt: Instant
    /// What it changes, each with `knownAt == receivedAt`.
    public var changes: [OverlayChange]
    /// The body as received (JSON), kept in the trigger log.
    public var payload: String

    /// Creates a trigger.
    public init(
        id: String, system: String, type: String, receivedAt: Instant, changes: [OverlayChange], payload: String
    ) {
        self.id = id
        self.system = system
        self.type = type
        self.receivedAt = receivedAt
        self.changes = changes
        self.payload = payload
    }
}

/// What became of a trigger handed to the inbox.
public enum TriggerAcceptance: Hashable, Sendable {
    /// Recorded for the first time; the planner will act on it.
    case accepted
    /// A trigger with this id was recorded before: a replay, nothing changed.
    case duplicate
}

/// One delivery as the read API shows it.
public struct DeliveryReport: Hashable, Sendable, Codable {
    /// The delivery's id in the outbox.
    public var id: Int64
    /// The notification's idempotency key.
    public var notificationKey: String
    /// The meeting.
    public var meeting: String
    /// The body.
    public var body: String
    /// Notification kind (`summons`, `reminder`, …).
    public var kind: String
    /// `email`, or the receiver's name for webhooks and chat.
    public var channel: String
    /// The recipient's address (or the receiver's URL host for webhooks).
    public var recipient: String
    /// `queued`, `sending`, `delivered`, `deferred`, `failed`, `cancelled`, `superseded`, `dropped`, `escalated`.
    public var state: String
    /// Attempts so far.
    public var attempts: Int
    /// The last server reply (`550 5.1.1 no such user`), if any.
    public var lastReply: String?
    /// When it was due, ISO 8601 UTC.
    public var due: String
    /// When its state last changed, ISO 8601 UTC.
    public var updated: String

    /// Creates a report.
    public init(
        id: Int64, notificationKey: String, meeting: String, body: String, kind: String, channel: String,
        recipient: String, state: String, attempts: Int, lastReply: String?, due: String, updated: String
    ) {
        self.id = id
        self.notificationKey = notificationKey
        self.meeting = meeting
        self.body = body
        self.kind = kind
        self.channel = channel
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.lastReply = lastReply
        self.due = due
        self.updated = updated
    }
}

/// The durable side of the trigger API: the SQLite store implements it, tests may use an in-memory one.
public protocol TriggerInbox: Sendable {
    /// Records the trigger and its overlay changes in one transaction, unless its id was seen before.
    func record(_ trigger: InboundTrigger) async throws -> TriggerAcceptance
    /// The same, for a caller that cannot wait (a channel handler on its event loop): `then` is called once, on a
    /// thread of the inbox's choosing, when the trigger is recorded (durably) or refused.
    func record(_ trigger: InboundTrigger, then: @escaping @Sendable (Result<TriggerAcceptance, any Error>) -> Void)
    /// Every overlay change recorded so far, in the order they became known.
    func overlay() async throws -> Overlay
    /// The deliveries of one meeting.
    func deliveries(meeting: String) async throws -> [DeliveryReport]
}

extension TriggerInbox {
    /// By the asynchronous `record`, in a task of its own.
    public func record(
        _ trigger: InboundTrigger, then: @escaping @Sendable (Result<TriggerAcceptance, any Error>) -> Void
    ) {
        recordInTask(trigger, then: then)
    }

    /// The asynchronous `record` in a task of its own, its result given to `then`.
    public func recordInTask(
        _ trigger: InboundTrigger, then: @escaping @Sendable (Result<TriggerAcceptance, any Error>) -> Void
    ) {
        Task {
            do {
                then(.success(try await record(trigger)))
            } catch {
                then(.failure(error))
            }
        }
    }
}
