public import KalladCore
public import KalladStore
import KalladTransport

/// Claims the deliveries that are due, sends each through its courier, and records each outcome as soon as it is
/// known — so a crash can repeat at most the message in flight on each lane.
public struct Dispatcher: Sendable {
    /// Retries and deadlines.
    public let policy: RetryPolicy
    /// How deliveries travel.
    public let courier: any Courier
    /// Deliveries sent side by side (one per SMTP connection).
    public let lanes: Int
    /// Outcomes sent but not yet written, because the store refused the write: written first next round.
    let unrecorded: UnrecordedOutcomes

    /// Creates a dispatcher; `unrecorded` carries over outcomes the store could not take (keep it across reloads).
    public init(
        policy: RetryPolicy, courier: any Courier, lanes: Int = 1, unrecorded: UnrecordedOutcomes = UnrecordedOutcomes()
    ) {
        self.policy = policy
        self.courier = courier
        self.lanes = max(1, lanes)
        self.unrecorded = unrecorded
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

    /// Claims up to `limit` due deliveries at `now()` and sends them. `now` is read when each outcome is decided.
    public func dispatch(
        store: any OutboxStore, now: @escaping @Sendable () -> Instant, limit: Int = 200
    ) async throws(StoreError) -> Report {
        try await unrecorded.flush(into: store)
        let claimed = try store.claimDue(now: now(), limit: limit)
        var report = Report()
        report.claimed = claimed.count
        guard !claimed.isEmpty else { return report }
        let lanes = min(self.lanes, claimed.count)
        let results: [Result<Report, StoreError>] = await withTaskGroup(of: Result<Report, StoreError>.self) { group in
            for lane in 0..<lanes {
                let share = stride(from: lane, to: claimed.count, by: lanes).map { claimed[$0] }
                group.addTask {
                    var partial = Report()
                    for delivery in share {
                        do throws(StoreError) {
                            try await self.deliver(delivery, store: store, now: now, into: &partial)
                        } catch {
                            return .failure(error)
                        }
                    }
                    return .success(partial)
                }
            }
            var all: [Result<Report, StoreError>] = []
            for await result in group { all.append(result) }
            return all
        }
        for result in results {
            switch result {
            case .success(let partial):
                report.outcomes.merge(partial.outcomes, uniquingKeysWith: +)
                report.byChannel.merge(partial.byChannel, uniquingKeysWith: +)
                report.durations += partial.durations
                report.configurationErrors += partial.configurationErrors
            case .failure(let error):
                throw error
            }
        }
        return report
    }

    func deliver(
        _ delivery: ClaimedDelivery, store: any OutboxStore, now: @Sendable () -> Instant, into report: inout Report
    ) async throws(StoreError) {
        let channel = delivery.channel == .email ? "email" : "webhook"
        let started = now()
        if let decision = policy.shouldSend(
            kind: delivery.kind, meetingStart: delivery.meetingStart, due: delivery.due, now: started)
        {
            let (resolution, name) = Self.resolution(decision)
            try await keep(
                delivery.id, AttemptRecord(started: started, milliseconds: 0, outcome: name, reply: nil), resolution,
                now: started, store: store)
            report.outcomes[name, default: 0] += 1
            return
        }
        let clock = ContinuousClock()
        let begin = clock.now
        let outcome = await courier.send(delivery, now: started)
        let elapsed = clock.now - begin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let finished = now()
        let (result, attempt) = Self.attempt(outcome, started: started, seconds: seconds)
        let decision = policy.decide(
            result, attempt: delivery.attempt, kind: delivery.kind, key: "\(delivery.id)", due: delivery.due,
            meetingStart: delivery.meetingStart, now: finished)
        let (resolution, _) = Self.resolution(decision)
        if case .configuration(let reason) = outcome {
            report.configurationErrors.append("delivery \(delivery.id) (\(delivery.notificationKey)): \(reason)")
        }
        try await keep(delivery.id, attempt, resolution, now: finished, store: store)
        report.outcomes[outcome.name, default: 0] += 1
        report.byChannel["\(channel)|\(outcome.name)", default: 0] += 1
        report.durations.append(seconds)
    }

    /// Records the outcome, or keeps it for the next round when the store refuses.
    func keep(
        _ id: Int64, _ attempt: AttemptRecord, _ resolution: Resolution, now: Instant, store: any OutboxStore
    ) async throws(StoreError) {
        do {
            try store.record(id, attempt: attempt, resolution: resolution, now: now)
        } catch {
            await unrecorded.add(UnrecordedOutcomes.Entry(id: id, attempt: attempt, resolution: resolution, now: now))
            throw error
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

/// Outcomes of sends the store could not record (a full disk, a read-only database). Kept in memory and written
/// before anything new is claimed; if the process dies first, the deliveries are still `sending` and go out again
/// after the restart — a duplicate, never a loss.
public actor UnrecordedOutcomes {
    struct Entry: Sendable {
        let id: Int64
        let attempt: AttemptRecord
        let resolution: Resolution
        let now: Instant
    }

    private var entries: [Entry] = []

    /// Creates an empty ledger.
    public init() {}

    /// How many outcomes wait to be written.
    public var count: Int { entries.count }

    func add(_ entry: Entry) { entries.append(entry) }

    func flush(into store: any OutboxStore) throws(StoreError) {
        while let entry = entries.first {
            try store.record(entry.id, attempt: entry.attempt, resolution: entry.resolution, now: entry.now)
            entries.removeFirst()
        }
    }
}
