public import KalladCore
public import KalladStore

extension DeliveryReport {
    /// The report of a stored delivery, times in `zone`.
    public init(_ d: StoredDelivery, zone: ZoneRules) {
        let channel: String =
            switch d.channel {
            case .email: "email"
            case .receiver(let name): name
            }
        self.init(
            id: d.id, notificationKey: d.notificationKey, meeting: d.meeting, body: d.body, kind: d.kind.rawValue,
            channel: channel, recipient: d.recipient, state: d.state.rawValue, attempts: d.attempts,
            lastReply: d.lastCode.map { "\($0) \(d.lastReply ?? "")" } ?? d.lastReply, due: zone.iso8601(d.due),
            updated: zone.iso8601(d.updated))
    }
}
