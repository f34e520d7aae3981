import Dispatch

/// Service-wide settings that the registry carries.
public struct Settings: Hashable, Sendable {
    /// The time zone meetings are planned in.
    public var zone: ZoneRules
    /// Default school terms.
    public var terms: TermRules
    /// Default notification policy; bodies override parts of it.
    public var notifications: NotificationPolicy
    /// Template language (`sv` or `en`).
    public var language: String
    /// Extra non-working days for everyone (e.g. a county-wide closure).
    public var closedDays: [LocalDate]
    /// How notifications leave.
    public var delivery: DeliverySettings
    /// How `kallad run` serves the API and whom it takes triggers from.
    public var service: ServiceSettings
    /// How the outbox keeps and retries deliveries.
    public var outbox: OutboxSettings = OutboxSettings()

    /// Creates settings.
    public init(
        zone: ZoneRules = .stockholm, terms: TermRules = .standard, notifications: NotificationPolicy = .standard,
        language: String = "sv", closedDays: [LocalDate] = [], delivery: DeliverySettings = DeliverySettings(),
        service: ServiceSettings = ServiceSettings()
    ) {
        self.delivery = delivery
        self.service = service
        self.zone = zone
        self.terms = terms
        self.notifications = notifications
        self.language = language
        self.closedDays = closedDays
    }
}

/// The whole body registry: parties, areas, people, offices and bodies, as loaded and validated.
public struct Registry: Sendable {
    /// Service-wide settings.
    public var settings: Settings
    /// Parties by id.
    public var parties: [String: Party]
    /// Areas by id.
    public var areas: [String: Area]
    /// People by id.
    public var people: [String: Person]
    /// Offices by id.
    public var offices: [String: Office]
    /// Bodies in a stable order (declaration order).
    public var bodies: [Body]
    /// Changes written into the configuration (extra, moved and cancelled meetings, stand-ins).
    public var changes: Overlay
    /// Webhook and chat receivers by name.
    public var receivers: [String: ReceiverSettings]

    private var bodyIndex: [String: Int]

    /// Creates a registry.
    public init(
        settings: Settings = Settings(), parties: [Party] = [], areas: [Area] = [], people: [Person] = [],
        offices: [Office] = [], bodies: [Body] = [], changes: Overlay = Overlay(), receivers: [ReceiverSettings] = []
    ) {
        // The tables of a large registry (tens of thousands of people, offices and bodies) are made on two threads:
        // people, parties, areas and receivers on one, offices and bodies on the other.
        let tables = RegistryTables()
        let parts = people.count + offices.count + bodies.count >= 4096 ? 2 : 1
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            if part == 0 {
                tables.receivers = Dictionary(receivers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                tables.parties = Dictionary(parties.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                tables.areas = Dictionary(areas.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                tables.people = Dictionary(people.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            }
            if part == 1 || parts == 1 {
                tables.offices = Dictionary(offices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                // By index: enumerating the bodies would copy each one.
                tables.bodyIndex = Dictionary(
                    bodies.indices.map { (bodies[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
            }
        }
        self.receivers = tables.receivers
        self.settings = settings
        self.parties = tables.parties
        self.areas = tables.areas
        self.people = tables.people
        self.offices = tables.offices
        self.bodies = bodies
        self.changes = changes
        self.bodyIndex = tables.bodyIndex
    }

    /// The body with an id, if any.
    public func body(_ id: String) -> Body? { bodyIndex[id].map { bodies[$0] } }

    /// The index of a body in `bodies`, for reading a field without copying the whole body.
    public func index(ofBody id: String) -> Int? { bodyIndex[id] }

    /// Whether `party` is `ancestor` or belongs to it, directly or through larger parties.
    public func party(_ party: String, isWithin ancestor: String) -> Bool {
        var seen: Set<String> = []
        var queue = [party]
        while let next = queue.popLast() {
            if next == ancestor { return true }
            guard seen.insert(next).inserted, let found = parties[next] else { continue }
            queue.append(contentsOf: found.partOf)
        }
        return false
    }

    /// The terms that apply to a body: its own, its area's, or the default.
    public func terms(for body: Body) -> TermRules {
        body.terms ?? body.area.flatMap { areas[$0]?.terms } ?? settings.terms
    }
}

/// The tables `Registry.init` makes, each written by one thread and read once both are done. `@unchecked Sendable`:
/// no table is written by two threads, and `concurrentPerform` returns only when both are done.
private final class RegistryTables: @unchecked Sendable {
    var receivers: [String: ReceiverSettings] = [:]
    var parties: [String: Party] = [:]
    var areas: [String: Area] = [:]
    var people: [String: Person] = [:]
    var offices: [String: Office] = [:]
    var bodyIndex: [String: Int] = [:]
}
