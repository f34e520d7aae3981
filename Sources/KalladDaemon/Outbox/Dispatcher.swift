public import KalladCore
public import KalladStore
import KalladTransport
import ServiceLifecycle
import Synchronization

/// Claims the deliveries that are due, sends them through the courier, and notes each outcome with the store the
/// moment the server has answered — before that connection takes its next message — so a crash repeats at most
/// the message each connection had in flight. The store journals a noted outcome at once and commits it with the
/// next group of writes, on a thread of its own, while the next messages are on the wire.
public struct Dispatcher: Sendable {
    /// Retries and deadlines.
    public let policy: RetryPolicy
    /// How deliveries travel.
    public let courier: any Courier
    /// Deliveries sent side by side (one per SMTP connection).
    public let lanes: Int

    /// Creates a dispatcher.
    public init(policy: RetryPolicy, courier: any Courier, lanes: Int = 1) {
        self.policy = policy
        self.courier = courier
        self.lanes = max(1, lanes)
    }

    /// What one round did.
    public struct Report: Hashable, Sendable {
        /// Deliveries claimed.
        public var claimed = 0
        /// Outcome name (`delivered`, `transient`, …, or `dropped` / `expired` when not sent) → count.
        public var outcomes: [String: Int] = [:]
        /// Per channel (`email`, `webhook`) and outcome → count, for metrics.
        public var byChannel: [String: Int] = [:]
        /// Seconds each send took.
        public var durations: [Double] = []
        /// Configuration errors met (TLS, credentials, a missing receiver): each is worth a loud log line.
        public var configurationErrors: [String] = []
    }

    /// Claims up to `limit` due deliveries at `now()` and sends them; with `batches` > 1, the next batch is claimed
    /// while the ones before are on the wire — as soon as fewer than `limit` are left unanswered — and joins them
    /// there, up to `batches` batches or until a claim finds nothing, so the connections neither wait for the
    /// database nor stop between batches. A batch is checked against the meeting's start (`RetryPolicy.shouldSend`)
    /// when it is handed over, so a check is never older than about two batches' time on the wire; `now` is read
    /// again when each outcome is decided. Outcomes noted in an earlier round and not yet committed (the store
    /// refused) are committed first — with the first claim, in its transaction; while the store refuses, nothing is
    /// claimed. No further batch is claimed once the round has run for `within` or graceful shutdown has begun, so
    /// the caller looks again at its configuration and at shutdown between rounds. Once the due time of `readAhead`
    /// (deliveries read before it) has come, batches are claimed from it while it lasts, then as usual.
    public func dispatch(
        store: any OutboxStore, now: @escaping @Sendable () -> Instant, limit: Int = 200, batches: Int = 1,
        within: Duration? = nil, readAhead: ReadAheadBatch? = nil
    ) async throws(StoreError) -> Report {
        let began = ContinuousClock.now
        let tally = Tally()
        // The first claim of a batch read ahead takes `limit`, so the wire starts after a small `UPDATE`.
        var batch = try await Self.claim(store: store, now: now(), limit: limit, readAhead: readAhead, first: true)
        guard !batch.isEmpty else { return tally.report }
        let unanswered = Unanswered()
        let (stream, feed) = AsyncStream.makeStream(of: [ClaimedDelivery].self)
        let policy = self.policy
        let courier = courier, lanes = lanes
        async let sent: Void = {
            await courier.send(stream, lanes: lanes, now: now) { delivery, outcome, seconds in
                Self.settle(
                    delivery, outcome: outcome, seconds: seconds, policy: policy, store: store, now: now, tally: tally)
                unanswered.settled()
            }
            // A courier that stopped early (cancelled) answers no more: the dispatcher must not wait for it.
            unanswered.close()
        }()
        var left = max(1, batches)
        var claimFailure: StoreError?
        while true {
            let sendable = vetted(batch, store: store, now: now(), tally: tally)
            unanswered.add(sendable.count)
            if !sendable.isEmpty { feed.yield(sendable) }
            left -= 1
            guard left > 0, !Task.isCancelled, !Task.isShuttingDownGracefully,
                within.map({ ContinuousClock.now - began < $0 }) ?? true
            else { break }
            // The next claim from a batch read ahead is bigger, and is asked for as soon as fewer than its size are
            // unanswered: the wire keeps that much queued while the claim's transaction runs.
            let next = Self.claimsReadAhead(readAhead, now: now()) ? max(limit, Self.readAheadClaim) : limit
            await withTaskCancellationHandler {
                await unanswered.fallen(below: next)
            } onCancel: {
                unanswered.close()
            }
            do throws(StoreError) {
                batch = try await Self.claim(store: store, now: now(), limit: limit, readAhead: readAhead)
            } catch {
                claimFailure = error
                break
            }
            if batch.isEmpty { break }
        }
        feed.finish()
        await sent
        try await store.flushNoted()
        if let claimFailure { throw claimFailure }
        return tally.report
    }

    /// How many deliveries of a batch read ahead one claim takes (at least `limit`; the first takes `limit`, so the
    /// wire starts at once). Such a claim is one `UPDATE` and reads nothing, and each claim is a burst of work on
    /// the store's thread that takes a core from the connection's thread or the server's for its length: a batch
    /// of 10,000 goes in six claims, not fifty. (1,000 and 4,000 were no better: A/B, eight runs each.)
    public static let readAheadClaim = 2_000

    /// Whether the next claim comes from `readAhead`: its due time has come and it is not used up.
    static func claimsReadAhead(_ readAhead: ReadAheadBatch?, now: Instant) -> Bool {
        guard let readAhead else { return false }
        return now >= readAhead.dueBy && readAhead.count > 0
    }

    /// Claims the next batch: from `readAhead` while it lasts, once its due time has come (a batch of it whose
    /// deliveries were all cancelled or claimed meanwhile gives way to the next), then what is due, as usual.
    static func claim(
        store: any OutboxStore, now: Instant, limit: Int, readAhead: ReadAheadBatch?, first: Bool = false
    ) async throws(StoreError) -> [ClaimedDelivery] {
        if let readAhead, claimsReadAhead(readAhead, now: now) {
            while readAhead.count > 0 {
                let claimed = try await store.claimReadAhead(
                    readAhead.take(first ? limit : max(limit, Self.readAheadClaim)), now: now)
                if !claimed.isEmpty { return claimed }
            }
        }
        return try await store.claimDueInBackground(now: now, limit: limit)
    }

    /// The claimed deliveries that may still go at `now`; the others (the meeting has begun, or is too close for
    /// this kind) are noted as dropped or expired at once.
    func vetted(_ claimed: [ClaimedDelivery], store: any OutboxStore, now: Instant, tally: Tally) -> [ClaimedDelivery] {
        tally.update { $0.claimed += claimed.count }
        // Usually every one may go: then the batch is handed over as it is, not copied.
        let goes = { (delivery: ClaimedDelivery) in
            policy.shouldSend(kind: delivery.kind, meetingStart: delivery.meetingStart, due: delivery.due, now: now) == nil
        }
        if claimed.allSatisfy(goes) { return claimed }
        var sendable: [ClaimedDelivery] = []
        sendable.reserveCapacity(claimed.count)
        for delivery in claimed {
            guard let decision = policy.shouldSend(
                kind: delivery.kind, meetingStart: delivery.meetingStart, due: delivery.due, now: now)
            else {
                sendable.append(delivery)
                continue
            }
            let (resolution, name) = Self.resolution(decision)
            store.note(
                SettledAttempt(
                    id: delivery.id, attempt: delivery.attempt,
                    record: AttemptRecord(started: now, milliseconds: 0, outcome: name, reply: nil),
                    resolution: resolution, now: now))
            tally.update { $0.outcomes[name, default: 0] += 1 }
        }
        return sendable
    }

    /// Notes a sent delivery's outcome with the store, as the retry policy decides it.
    static func settle(
        _ delivery: ClaimedDelivery, outcome: DeliveryOutcome, seconds: Double, policy: RetryPolicy,
        store: any OutboxStore, now: @Sendable () -> Instant, tally: Tally
    ) {
        let finished = now()
        let started = Instant(secondsSinceEpoch: finished.secondsSinceEpoch - Int64(seconds.rounded(.down)))
        let (result, attempt) = Self.attempt(outcome, started: started, seconds: seconds)
        let decision = policy.decide(
            result, attempt: delivery.attempt, kind: delivery.kind, key: "\(delivery.id)", due: delivery.due,
            meetingStart: delivery.meetingStart, now: finished)
        store.note(
            SettledAttempt(
                id: delivery.id, attempt: delivery.attempt, record: attempt,
                resolution: Self.resolution(decision).0, now: finished))
        tally.add(outcome, email: delivery.channel == .email, seconds: seconds) {
            "delivery \(delivery.id) (\(delivery.notificationKey))"
        }
    }

    /// The transport's outcome as the retry policy sees it, and as the attempt log keeps it.
    static func attempt(_ outcome: DeliveryOutcome, started: Instant, seconds: Double) -> (AttemptResult, AttemptRecord) {
        let ms = Int((seconds * 1000).rounded())
        switch outcome {
        case .delivered(let reply):
            return (.delivered, AttemptRecord(started: started, milliseconds: ms, outcome: "delivered", code: reply?.code,
                                              reply: reply?.text))
        case .transient(let reply, let reason, let retryAfter):
            return (.transient(retryAfter: retryAfter),
                    AttemptRecord(started: started, milliseconds: ms, outcome: "transient", code: reply?.code,
                                  reply: reply.map { "\($0.text) (\(reason))" } ?? reason))
        case .permanent(let reply, let reason):
            return (.permanent,
                    AttemptRecord(started: started, milliseconds: ms, outcome: "permanent", code: reply?.code,
                                  reply: reply.map { "\($0.text) (\(reason))" } ?? reason))
        case .configuration(let reason):
            return (.configuration, AttemptRecord(started: started, milliseconds: ms, outcome: "configuration",
                                                  reply: reason))
        }
    }

    static func resolution(_ decision: RetryPolicy.Decision) -> (Resolution, String) {
        switch decision {
        case .delivered: (.delivered, "delivered")
        case .retry(let at): (.deferred(until: at), "deferred")
        case .fail(let reason, let escalate): (.failed(reason: reason, escalate: escalate), "expired")
        case .drop(let reason): (.dropped(reason: reason), "dropped")
        }
    }
}

/// A round's report, added to from the transport's thread as outcomes arrive. Sent outcomes are counted in a few
/// integers there (the transport's thread waits for this); the report's dictionaries are built when it is read.
final class Tally: Sendable {
    private struct State {
        var report = Dispatcher.Report()
        /// Sent outcomes: [email, webhook] × [delivered, transient, permanent, configuration].
        var sent = [Int](repeating: 0, count: 8)
    }

    private static let outcomeNames = ["delivered", "transient", "permanent", "configuration"]

    private let state = Mutex(State())

    var report: Dispatcher.Report {
        state.withLock { state in
            var report = state.report
            for (slot, count) in state.sent.enumerated() where count > 0 {
                let name = Self.outcomeNames[slot % 4]
                report.outcomes[name, default: 0] += count
                report.byChannel[(slot < 4 ? "email|" : "webhook|") + name, default: 0] += count
            }
            return report
        }
    }

    func update(_ change: (inout Dispatcher.Report) -> Void) { state.withLock { change(&$0.report) } }

    /// One sent delivery's outcome; `which` names it for a configuration error's log line.
    func add(_ outcome: DeliveryOutcome, email: Bool, seconds: Double, which: () -> String) {
        let slot: Int
        var problem: String?
        switch outcome {
        case .delivered: slot = 0
        case .transient: slot = 1
        case .permanent: slot = 2
        case .configuration(let reason):
            slot = 3
            problem = "\(which()): \(reason)"
        }
        state.withLock { state in
            state.sent[(email ? 0 : 4) + slot] += 1
            state.report.durations.append(seconds)
            if let problem { state.report.configurationErrors.append(problem) }
        }
    }
}

/// How many deliveries handed to the courier are still unanswered, so the dispatcher claims the next batch only when
/// the wire is about to need it. The count and the level waited for are atomics, so an answer — on the transport's
/// thread, once per message — takes no lock unless the count has fallen below the level and someone may wait.
final class Unanswered: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        /// No more answers will come (the courier is done, or the round was cancelled): nobody waits.
        var closed = false
    }

    private let count = Atomic<Int>(0)
    /// The level a waiter waits for the count to fall below (0: nobody waits).
    private let below = Atomic<Int>(0)
    private let state = Mutex(State())

    func add(_ added: Int) { count.add(added, ordering: .sequentiallyConsistent) }

    /// One more answered (called on the transport's thread).
    func settled() {
        let left = count.subtract(1, ordering: .sequentiallyConsistent).newValue
        guard left < below.load(ordering: .sequentiallyConsistent) else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, count.load(ordering: .sequentiallyConsistent) < below.load(
                ordering: .sequentiallyConsistent)
            else { return nil }
            state.waiter = nil
            below.store(0, ordering: .sequentiallyConsistent)
            return waiter
        }
        waiter?.resume()
    }

    /// Ends any wait, now and later.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            below.store(0, ordering: .sequentiallyConsistent)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once fewer than `limit` are unanswered, or at once when closed.
    func fallen(below limit: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard !state.closed else { return true }
                // The level is set before the count is looked at, and an answer lowers the count before it looks at
                // the level: whichever comes second sees the other, so a fall below the level is never missed.
                below.store(limit, ordering: .sequentiallyConsistent)
                guard count.load(ordering: .sequentiallyConsistent) >= limit else {
                    below.store(0, ordering: .sequentiallyConsistent)
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}
