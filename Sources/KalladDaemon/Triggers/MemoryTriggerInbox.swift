public import KalladCore

/// A trigger inbox in memory: what `kallad run` uses until the SQLite store is wired in. Nothing survives a
/// restart, so the daemon says so in its log.
public actor MemoryTriggerInbox: TriggerInbox {
    private var seen: Set<String> = []
    private var changes: [OverlayChange] = []

    /// An empty inbox.
    public init() {}

    /// Records the trigger unless its id was seen.
    public func record(_ trigger: InboundTrigger) -> TriggerAcceptance {
        guard seen.insert(trigger.id).inserted else { return .duplicate }
        changes += trigger.changes
        return .accepted
    }

    /// The changes so far.
    public func overlay() -> Overlay { Overlay(changes: changes) }

    /// No outbox here: no deliveries.
    public func deliveries(meeting: String) -> [DeliveryReport] { [] }
}
