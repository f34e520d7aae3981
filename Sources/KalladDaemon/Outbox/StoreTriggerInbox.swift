public import KalladCore
public import KalladStore

/// The trigger API's inbox on the outbox store: a trigger and its overlay changes in one transaction, replays
/// recognised by id; every accepted trigger rings the planner's doorbell so it is acted on at once.
public struct StoreTriggerInbox: TriggerInbox {
    let store: any OutboxStore
    /// The store when it is the SQLite one (found once: a cast from an existential per trigger costs a lookup).
    let database: KalladDatabase?
    let zone: @Sendable () async -> ZoneRules
    let plannerBell: Doorbell?

    /// Creates the inbox; `zone` gives the current configuration's time zone (for delivery times).
    public init(
        store: any OutboxStore, plannerBell: Doorbell? = nil,
        zone: @escaping @Sendable () async -> ZoneRules = { .stockholm }
    ) {
        self.store = store
        database = store as? KalladDatabase
        self.plannerBell = plannerBell
        self.zone = zone
    }

    public func record(_ trigger: InboundTrigger) async throws -> TriggerAcceptance {
        let fresh = try await store.logTrigger(Self.entry(trigger))
        if fresh { plannerBell?.ring() }
        return fresh ? .accepted : .duplicate
    }

    /// Straight into the store's group commit when the store is the SQLite one: `then` runs on its commit thread
    /// once the round holding the trigger is on disk.
    public func record(
        _ trigger: InboundTrigger, then: @escaping @Sendable (Result<TriggerAcceptance, any Error>) -> Void
    ) {
        guard let database else {
            recordInTask(trigger, then: then)
            return
        }
        let bell = plannerBell
        database.logTrigger(Self.entry(trigger)) { result in
            switch result {
            case .success(let fresh):
                if fresh { bell?.ring() }
                then(.success(fresh ? .accepted : .duplicate))
            case .failure(let error):
                then(.failure(error))
            }
        }
    }

    static func entry(_ trigger: InboundTrigger) -> TriggerEntry {
        TriggerEntry(
            id: trigger.id, system: trigger.system, type: trigger.type, receivedAt: trigger.receivedAt,
            payload: trigger.payload, changes: trigger.changes)
    }

    public func overlay() async throws -> Overlay { try store.overlay() }

    public func deliveries(meeting: String) async throws -> [DeliveryReport] {
        let zone = await zone()
        return try store.deliveries(DeliveryFilter(meeting: meeting)).map { DeliveryReport($0, zone: zone) }
    }
}
