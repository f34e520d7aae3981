public import KalladCore

/// A notification the planner decided is due, with one delivery per recipient and channel, ready to enqueue.
public struct NewNotification: Hashable, Sendable {
    /// The planner's idempotency key: enqueuing the same key twice does nothing.
    public var key: String
    /// What kind.
    public var kind: NotificationKind
    /// The meeting id.
    public var meeting: String
    /// The body id.
    public var body: String
    /// The calendar SEQUENCE it carries.
    public var sequence: Int
    /// When it is due.
    public var due: Instant
    /// When its meeting starts: nothing but a minutes reminder or an escalation is sent after that.
    public var meetingStart: Instant
    /// Its deliveries.
    public var deliveries: [NewDelivery]

    /// Creates a notification to enqueue.
    public init(
        key: String, kind: NotificationKind, meeting: String, body: String, sequence: Int, due: Instant,
        meetingStart: Instant, deliveries: [NewDelivery]
    ) {
        self.key = key
        self.kind = kind
        self.meeting = meeting
        self.body = body
        self.sequence = sequence
        self.due = due
        self.meetingStart = meetingStart
        self.deliveries = deliveries
    }
}

/// One delivery to enqueue: the message exactly as it will be sent.
public struct NewDelivery: Hashable, Sendable {
    /// E-mail or a receiver.
    public var channel: DeliveryChannel
    /// The e-mail address, or the receiver's name.
    public var recipient: String
    /// The person, for e-mail.
    public var person: String?
    /// The seat the person fills, if any (their substitute is summoned when they cannot be reached).
    public var seat: String?
    /// The person's name.
    public var name: String?
    /// Envelope sender, for e-mail.
    public var envelopeFrom: String?
    /// The RFC 5322 message, or the webhook request as JSON (signed when sent).
    public var message: String

    /// Creates a delivery to enqueue.
    public init(
        channel: DeliveryChannel, recipient: String, person: String? = nil, seat: String? = nil,
        name: String? = nil, envelopeFrom: String? = nil, message: String
    ) {
        self.channel = channel
        self.recipient = recipient
        self.person = person
        self.seat = seat
        self.name = name
        self.envelopeFrom = envelopeFrom
        self.message = message
    }
}

/// A delivery the dispatcher has claimed: everything needed to send it and decide what comes next.
public struct ClaimedDelivery: Hashable, Sendable {
    /// Its id.
    public var id: Int64
    /// The notification's key.
    public var notificationKey: String
    /// The notification's kind.
    public var kind: NotificationKind
    /// The meeting.
    public var meeting: String
    /// E-mail or a receiver.
    public var channel: DeliveryChannel
    /// Address or receiver name.
    public var recipient: String
    /// Envelope sender.
    public var envelopeFrom: String?
    /// The message's bytes (UTF-8) as stored, read without decoding: mail goes on the wire as it is.
    public var messageBytes: [UInt8]
    /// The message (or the webhook request as JSON).
    public var message: String {
        get { String(decoding: messageBytes, as: UTF8.self) }
        set { messageBytes = Array(newValue.utf8) }
    }
    /// This attempt's number (1 for the first).
    public var attempt: Int
    /// When the notification was due.
    public var due: Instant
    /// When the meeting starts.
    public var meetingStart: Instant
}

/// A failed delivery waiting for its escalation.
public struct FailedDelivery: Hashable, Sendable {
    /// Its id.
    public var id: Int64
    /// The notification's key.
    public var notificationKey: String
    /// The notification's kind.
    public var kind: NotificationKind
    /// The meeting.
    public var meeting: String
    /// The notification's SEQUENCE.
    public var sequence: Int
    /// The address.
    public var recipient: String
    /// The person.
    public var person: String?
    /// Their seat.
    public var seat: String?
    /// Their name.
    public var name: String?
    /// Why it failed, with the server's last answer.
    public var reason: String
}

/// One attempt's record: when, how long, what the server said.
public struct AttemptRecord: Hashable, Sendable {
    /// When it started.
    public var started: Instant
    /// How long it took, in milliseconds.
    public var milliseconds: Int
    /// `delivered`, `transient`, `permanent`, `configuration`.
    public var outcome: String
    /// The server's reply code, if any.
    public var code: Int?
    /// The server's reply text or the transport's reason (truncated to 500 characters when stored).
    public var reply: String?

    /// Creates a record.
    public init(started: Instant, milliseconds: Int, outcome: String, code: Int? = nil, reply: String? = nil) {
        self.started = started
        self.milliseconds = milliseconds
        self.outcome = outcome
        self.code = code
        self.reply = reply
    }
}

/// A delivery as `kallad deliveries` shows it.
public struct StoredDelivery: Hashable, Sendable {
    /// Its id.
    public var id: Int64
    /// The notification's key.
    public var notificationKey: String
    /// Kind.
    public var kind: NotificationKind
    /// Meeting.
    public var meeting: String
    /// Body.
    public var body: String
    /// Channel.
    public var channel: DeliveryChannel
    /// Address or receiver.
    public var recipient: String
    /// State.
    public var state: DeliveryState
    /// Attempts made.
    public var attempts: Int
    /// The next attempt, for queued and deferred ones.
    public var nextAttempt: Instant
    /// When it was due.
    public var due: Instant
    /// When it last changed.
    public var updated: Instant
    /// The last reply code.
    public var lastCode: Int?
    /// The last reply text.
    public var lastReply: String?
    /// Why it ended as it did (failed, dropped, cancelled, superseded).
    public var reason: String?
    /// Whether its failure was escalated.
    public var escalated: Bool
}

/// Which deliveries to list.
public struct DeliveryFilter: Hashable, Sendable {
    /// Only this meeting.
    public var meeting: String?
    /// Only this body.
    public var body: String?
    /// Only this state.
    public var state: DeliveryState?
    /// At most this many, newest first.
    public var limit: Int

    /// Creates a filter.
    public init(meeting: String? = nil, body: String? = nil, state: DeliveryState? = nil, limit: Int = 10_000) {
        self.meeting = meeting
        self.body = body
        self.state = state
        self.limit = limit
    }
}

/// What a dispatcher's attempt settled.
public enum Resolution: Hashable, Sendable {
    /// Delivered.
    case delivered
    /// Try again at a time.
    case deferred(until: Instant)
    /// Failed for good; `escalate` marks it for the planner tick to summon the substitute and tell the convener.
    case failed(reason: String, escalate: Bool)
    /// Not sent: too late to matter.
    case dropped(reason: String)
}

/// What `purge` removed.
public struct PurgeCount: Hashable, Sendable {
    /// Notifications removed (with their deliveries and attempts).
    public var notifications: Int
    /// Deliveries removed.
    public var deliveries: Int
    /// Trigger log entries removed (their overlay changes stay, without the request body).
    public var triggers: Int
}

/// A trigger written to the log, with the overlay changes it brings.
public struct TriggerEntry: Hashable, Sendable {
    /// The `webhook-id`.
    public var id: String
    /// The sending system.
    public var system: String
    /// The trigger type.
    public var type: String
    /// When it arrived.
    public var receivedAt: Instant
    /// The JSON body.
    public var payload: String
    /// Its changes.
    public var changes: [OverlayChange]

    /// Creates an entry.
    public init(
        id: String, system: String, type: String, receivedAt: Instant, payload: String, changes: [OverlayChange]
    ) {
        self.id = id
        self.system = system
        self.type = type
        self.receivedAt = receivedAt
        self.payload = payload
        self.changes = changes
    }
}

/// The outbox as the daemon uses it. `KalladDatabase` is the SQLite one; another (a shared database) can take its
/// place.
public protocol OutboxStore: Sendable {
    /// Inserts the notifications whose keys are new, with their deliveries queued until their due time; returns
    /// how many notifications were new.
    func enqueue(_ notifications: [NewNotification], now: Instant) throws(StoreError) -> Int
    /// `enqueue` on the store's own thread, committed with the writes waiting there: for async callers, so a
    /// commit's `fsync` never holds a thread of Swift's cooperative pool.
    func enqueueInBackground(_ notifications: [NewNotification], now: Instant) async throws(StoreError) -> Int
    /// Claims up to `limit` queued or deferred deliveries that are due at `now`: they become `sending`.
    func claimDue(now: Instant, limit: Int) throws(StoreError) -> [ClaimedDelivery]
    /// `claimDue` on the store's own thread: for async callers, so a claim that waits for the database never holds
    /// a thread of Swift's cooperative pool (which the dispatcher needs to hand the next batch to the transport).
    func claimDueInBackground(now: Instant, limit: Int) async throws(StoreError) -> [ClaimedDelivery]
    /// Reads the queued and deferred deliveries due by `dueBy` ahead of that time, read-only and beside the writer:
    /// what claiming them will hand over, so that at the due time only `claimReadAhead` remains.
    func readAhead(dueBy: Instant) async throws(StoreError) -> ReadAheadBatch
    /// Claims, on the store's own thread, those of `batch` (read ahead) still queued or deferred and due at `now`;
    /// returns them with their attempt numbers as claimed. Those cancelled, superseded or claimed meanwhile are not.
    func claimReadAhead(_ batch: [ClaimedDelivery], now: Instant) async throws(StoreError) -> [ClaimedDelivery]
    /// Records an attempt and what it settled.
    func record(_ id: Int64, attempt: AttemptRecord, resolution: Resolution, now: Instant) throws(StoreError)
    /// Notes what an attempt settled: kept safe from a crash of the process at once, committed with the next group
    /// of writes (on a thread of the store's own); `flushNoted` waits for that commit.
    func note(_ outcome: SettledAttempt)
    /// Waits until every outcome noted so far is committed; throws, keeping them noted, when the store refuses.
    func flushNoted() async throws(StoreError)
    /// Outcomes noted and not yet committed.
    var notedCount: Int { get }
    /// Settles deliveries left in `sending` by a crash from the outcomes noted before it, and puts the others back
    /// in the queue; returns how many went back.
    func recoverInterrupted(now: Instant) throws(StoreError) -> Int
    /// Queued and deferred deliveries whose notification was due at or after `from`.
    func pending(dueFrom from: Instant) throws(StoreError) -> [PendingDelivery]
    /// Which of `keys` are already in the outbox.
    func existingKeys(_ keys: [String]) throws(StoreError) -> Set<String>
    /// The people an agenda request, summons, update or reminder of `meeting` reached (or may have: `sending`).
    func toldPeople(meeting: String) throws(StoreError) -> [String]
    /// Ends pending deliveries as cancelled or superseded, with the reason.
    func settle(_ ids: [Int64], as state: DeliveryState, reason: String, now: Instant) throws(StoreError)
    /// Failed deliveries marked for escalation and not yet escalated.
    func failuresToEscalate() throws(StoreError) -> [FailedDelivery]
    /// Enqueues the escalation notifications and marks the failures escalated, in one transaction.
    func escalate(_ ids: [Int64], with notifications: [NewNotification], now: Instant) throws(StoreError)
    /// Deliveries matching the filter, newest first.
    func deliveries(_ filter: DeliveryFilter) throws(StoreError) -> [StoredDelivery]
    /// A failed, dropped or deferred delivery queued again for `now`.
    func retry(_ id: Int64, now: Instant) throws(StoreError)
    /// Deletes what finished before `before`, and trigger payloads older than that.
    func purge(finishedBefore before: Instant) throws(StoreError) -> PurgeCount
    /// Records a trigger and its changes, unless its id is known; returns once it is on disk (`synchronous=FULL`),
    /// committed together with the triggers that arrived meanwhile.
    func logTrigger(_ entry: TriggerEntry) async throws(StoreError) -> Bool
    /// Records a trigger and its changes, unless its id is known.
    func recordTrigger(_ entry: TriggerEntry) throws(StoreError) -> Bool
    /// Every overlay change recorded, in the order they became known.
    func overlay() throws(StoreError) -> Overlay
    /// The earliest time a queued or deferred delivery may be claimed.
    func nextAttempt() throws(StoreError) -> Instant?
    /// Deliveries per state.
    func countsByState() throws(StoreError) -> [DeliveryState: Int]
    /// `PRAGMA integrity_check` answered "ok".
    func integrityCheck() throws(StoreError) -> Bool
}
