public import KalladCore
import Synchronization

/// Finds meetings for trigger validation: the registry's schedule with the inbox's overlay on top.
public protocol MeetingLookup: Sendable {
    /// The meeting with an id, cancelled ones included; `nil` if no such meeting exists.
    func meeting(_ id: String) async throws -> Meeting?
    /// The first scheduled meeting of `body` starting after `after`, within a year.
    func nextMeeting(of body: String, after: LocalDateTime) async throws -> Meeting?
}

/// Schedules computed from one loaded configuration and an inbox, cached per year while the configuration and
/// the overlay's length stay the same (a trigger that adds a change makes the next lookup recompute).
public final class ScheduleCache: Sendable {
    struct Key: Hashable {
        var generation: Int
        var years: ClosedRange<Int>
        var overlayCount: Int
    }

    private let entries = Mutex<[Key: MeetingSchedule]>([:])

    /// An empty cache.
    public init() {}

    /// The schedule of `years` for `config` with `overlay` on top.
    public func schedule(_ config: LoadedConfig, years: ClosedRange<Int>, overlay: Overlay) -> MeetingSchedule {
        let key = Key(generation: config.generation, years: years, overlayCount: overlay.changes.count)
        if let found = entries.withLock({ $0[key] }) { return found }
        let schedule = Scheduler(registry: config.registry, years: years).schedule(years: years, overlay: overlay)
        entries.withLock { entries in
            // Keep the cache small: entries of older configurations or shorter overlays are of no more use.
            if entries.count > 16 { entries.removeAll() }
            entries[key] = schedule
        }
        return schedule
    }
}

/// The lookup the daemon uses: the base schedule (registry changes only) answers most questions without asking
/// the inbox; extra meetings and "next meeting" decisions take the inbox's overlay into account.
public struct ScheduleLookup: MeetingLookup {
    /// The configuration.
    public let config: LoadedConfig
    /// The inbox (its overlay).
    public let inbox: any TriggerInbox
    /// The cache.
    public let cache: ScheduleCache

    /// Creates a lookup.
    public init(config: LoadedConfig, inbox: any TriggerInbox, cache: ScheduleCache) {
        self.config = config
        self.inbox = inbox
        self.cache = cache
    }

    /// The meeting with an id.
    public func meeting(_ id: String) async throws -> Meeting? {
        if let found = baseMeeting(id) { return found }
        guard Self.mayBeExtra(id), let year = Self.year(of: id) else { return nil }
        let overlay = try await inbox.overlay()
        return cache.schedule(config, years: year...year, overlay: overlay).meeting(id)
    }

    /// The meeting with an id in the registry's schedule, the overlay left out (no extra meetings, no changes).
    public func baseMeeting(_ id: String) -> Meeting? {
        guard let year = Self.year(of: id) else { return nil }
        return cache.schedule(config, years: year...year, overlay: Overlay()).meeting(id)
    }

    /// Whether a meeting id can name an extra meeting, which only the overlay knows.
    static func mayBeExtra(_ id: String) -> Bool { id.contains("-extra-") }

    /// The year of `<body>/<date>…`.
    static func year(of id: String) -> Int? {
        guard let slash = id.firstIndex(of: "/"), let date = LocalDate(iso: id[id.index(after: slash)...].prefix(10))
        else { return nil }
        return date.year
    }

    /// The next scheduled meeting of a body.
    public func nextMeeting(of body: String, after: LocalDateTime) async throws -> Meeting? {
        let overlay = try await inbox.overlay()
        let years = after.date.year...(after.date.year + 1)
        let schedule = cache.schedule(config, years: years, overlay: overlay)
        return schedule.byBody[body]?.first { $0.status == .scheduled && $0.start > after }
    }
}
