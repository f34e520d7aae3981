public import KalladCore
public import KalladStore

/// The whole line — planner tick → outbox → dispatcher — on a virtual clock: a year of a configuration in
/// seconds. Days are planned one at a time; within a day the clock jumps from one due delivery to the next.
public struct Simulation: Sendable {
    /// The planner tick.
    public let tick: PlannerTick
    /// The dispatcher.
    public let dispatcher: Dispatcher
    /// The outbox.
    public let store: any OutboxStore

    /// Creates a simulation.
    public init(tick: PlannerTick, dispatcher: Dispatcher, store: any OutboxStore) {
        self.tick = tick
        self.dispatcher = dispatcher
        self.store = store
    }

    /// What a simulation did.
    public struct Summary: Hashable, Sendable {
        /// Notifications enqueued.
        public var enqueued = 0
        /// Attempts by outcome.
        public var outcomes: [String: Int] = [:]
        /// Deliveries escalated.
        public var escalated = 0
        /// Planner ticks run.
        public var ticks = 0
        /// Dispatcher rounds run.
        public var rounds = 0
        /// Compose problems met.
        public var problems: [String] = []
    }

    /// Runs from `from` to `to`; `progress` is told the start of each day.
    public func run(
        from: Instant, to: Instant, progress: (Instant) -> Void = { _ in }
    ) async throws(StoreError) -> Summary {
        var summary = Summary()
        let day: Int64 = 86_400
        var t = from
        while t < to {
            progress(t)
            let end = min(to, t.adding(seconds: day))
            try plan(at: t, until: end, into: &summary)
            while let next = try store.nextAttempt(), next < end {
                let now = max(t, next)
                let report = try await dispatcher.dispatch(store: store, now: { now }, limit: 1000)
                summary.rounds += 1
                summary.outcomes.merge(report.outcomes, uniquingKeysWith: +)
                // A failure may need escalating: plan again at once, as the daemon's next tick would.
                if report.outcomes.keys.contains(where: { $0 != "delivered" && $0 != "transient" }) {
                    try plan(at: now, until: end, into: &summary)
                }
                if report.claimed == 0 { break }
            }
            t = end
        }
        return summary
    }

    func plan(at now: Instant, until end: Instant, into summary: inout Summary) throws(StoreError) {
        let report = try tick.run(store: store, now: now, lookahead: end.secondsSinceEpoch - now.secondsSinceEpoch)
        summary.ticks += 1
        summary.enqueued += report.enqueued
        summary.escalated += report.escalated
        summary.problems += report.problems
    }
}
