import Foundation
import Synchronization
public import KalladCore
public import KalladStore
public import Logging
public import ServiceLifecycle

/// The outbox's part of `kallad run`: the store, opened once; the trigger inbox on it; and the planner tick and
/// dispatcher services, which take each reloaded configuration's templates, transport and secrets as they come.
public struct OutboxAssembly: Sendable {
    /// The store.
    public let store: KalladDatabase
    /// Rung by accepted triggers and reloads: the planner runs at once.
    public let plannerBell = Doorbell()
    /// Rung when the planner enqueued something: the dispatcher looks at once.
    public let dispatcherBell = Doorbell()
    /// Whether the store takes writes.
    public let health = HealthBoard()
    let runtimes: RuntimeCache
    let clock: @Sendable () -> Instant

    /// Opens the store the configuration names (below `$STATE_DIRECTORY` under systemd).
    public init(
        registry: Registry, configDirectory: String,
        clock: @escaping @Sendable () -> Instant = ConfigHolder.systemClock
    ) throws(StoreError) {
        store = try KalladDatabase(path: OutboxSetup.databasePath(registry))
        runtimes = RuntimeCache(configDirectory: configDirectory)
        self.clock = clock
    }

    /// The trigger inbox on the store.
    public func inbox(zone: @escaping @Sendable () async -> ZoneRules) -> StoreTriggerInbox {
        StoreTriggerInbox(store: store, plannerBell: plannerBell, zone: zone)
    }

    /// The dispatcher (first, so it drains last) and the planner tick, feeding metrics and `STATUS=`.
    public func services(_ context: DaemonContext) -> [any Service] {
        let holder = context.holder
        let runtimes = self.runtimes
        let logger = context.logger
        let metrics = context.metrics
        let notifier = context.notifier
        let store = self.store
        let health = self.health
        let clock = self.clock
        let runtime: @Sendable () async -> OutboxRuntime? = {
            guard let config = holder.current else { return nil }
            return await runtimes.runtime(for: config, logger: logger)
        }
        let dispatcher = DispatcherService(
            store: store, runtime: runtime, doorbell: dispatcherBell, clock: clock, logger: logger,
            observe: { result in
                guard case .success(let report) = result else { return }
                for (key, count) in report.byChannel {
                    let parts = key.split(separator: "|").map(String.init)
                    guard parts.count == 2 else { continue }
                    metrics.increment(
                        KalladMetrics.deliveries, labels: ["channel": parts[0], "outcome": parts[1]],
                        by: Double(count))
                }
                for seconds in report.durations { metrics.observe(KalladMetrics.deliveryDuration, seconds) }
            },
            health: { state in await health.set(state) })
        let tick = PlannerTickService(
            store: store, runtime: runtime, doorbell: plannerBell, dispatcherBell: dispatcherBell, clock: clock,
            logger: logger,
            observe: { result, elapsed in
                metrics.observe(KalladMetrics.plannerTickDuration, elapsed.seconds)
                guard case .success = result else { return }
                let counts = (try? store.countsByState()) ?? [:]
                let waiting = (counts[.queued] ?? 0) + (counts[.deferred] ?? 0) + (counts[.sending] ?? 0)
                metrics.set(KalladMetrics.notificationsDue, to: Double(waiting))
                let zone = holder.current?.registry.settings.zone ?? .stockholm
                let next = ((try? store.nextAttempt()) ?? nil).map { zone.iso8601($0) } ?? "nothing"
                let problem = await health.problem
                notifier.status(
                    (problem.map { "OUTBOX REFUSES WRITES: \($0); " } ?? "")
                        + "\(waiting) deliveries waiting; next due \(next)")
            })
        return [dispatcher, tick]
    }
}

/// The outbox's health, for `/readyz` and `STATUS=`.
public actor HealthBoard {
    private var state: OutboxHealth = .ok

    /// Creates a board saying all is well.
    public init() {}

    /// Records the dispatcher's latest word.
    public func set(_ state: OutboxHealth) { self.state = state }

    /// Why the store refuses work, or nil.
    public var problem: String? {
        switch state {
        case .ok: nil
        case .failing(let error, let since): "\(error) (since \(since))"
        }
    }
}

/// The outbox runtime of each configuration generation, built once: templates read, transport and receiver
/// secrets set up. A generation whose runtime cannot be built keeps the one before, with an error in the log.
actor RuntimeCache {
    let configDirectory: String
    private var built: (generation: Int, runtime: OutboxRuntime)?
    private var failed: Int?

    init(configDirectory: String) { self.configDirectory = configDirectory }

    func runtime(for config: LoadedConfig, logger: Logger) -> OutboxRuntime? {
        if let built, built.generation == config.generation { return built.runtime }
        if failed == config.generation { return built?.runtime }
        do {
            let registry = config.registry
            let composer = try TemplateFiles.load(config: configDirectory)
            let runtime = OutboxRuntime(
                tick: PlannerTick(registry: registry, composer: composer),
                dispatcher: Dispatcher(
                    policy: registry.settings.outbox.retry, courier: try OutboxSetup.courier(registry),
                    lanes: registry.settings.outbox.connections))
            built = (config.generation, runtime)
            return runtime
        } catch {
            failed = config.generation
            logger.error(
                "the outbox cannot use this configuration; the previous one stays in use",
                metadata: ["config.generation": "\(config.generation)", "error": "\(error)"])
            return built?.runtime
        }
    }
}

/// Holds the assembly once the first configuration has opened the store, for the closures `Daemon.run` takes.
public final class OutboxBox: Sendable {
    private let value = Mutex<OutboxAssembly?>(nil)

    /// Creates an empty box.
    public init() {}

    /// Puts the assembly in.
    public func set(_ assembly: OutboxAssembly) { value.withLock { $0 = assembly } }

    /// The assembly, once set.
    public func get() -> OutboxAssembly? { value.withLock { $0 } }
}
