import Foundation
public import Hummingbird
import KalladCore
public import Logging
public import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `kallad run`: loads the configuration, then runs the services in one `ServiceGroup` — the watchdog, the
/// services given (the planner tick and dispatcher, listed first so they drain last), the SIGHUP reloader, the HTTP
/// server, and the STOPPING notifier (last, so it is told first). SIGTERM/SIGINT shut down gracefully: the server
/// stops taking requests, in-flight work finishes, then the process exits 0 (bounded by `shutdownBound`).
public struct Daemon: Sendable {
    /// The configuration folder.
    public let directory: String
    /// Where systemd hears about us.
    public let notifier: SystemdNotifier
    /// The level every logger follows.
    public let logLevel: LogLevelControl
    /// The longest graceful shutdown before the rest is cancelled.
    public let shutdownBound: Duration

    /// Creates a daemon.
    public init(
        directory: String, notifier: SystemdNotifier = SystemdNotifier(), logLevel: LogLevelControl,
        shutdownBound: Duration = .seconds(10)
    ) {
        self.directory = directory
        self.notifier = notifier
        self.logLevel = logLevel
        self.shutdownBound = shutdownBound
    }

    /// Runs until shut down; returns the exit status (0 after a graceful shutdown, 2 when the first configuration
    /// is unusable, 1 when a service failed).
    public func run(
        inbox makeInbox: @Sendable (LoadedConfig) async throws -> any TriggerInbox = { _ in MemoryTriggerInbox() },
        services makeServices: @Sendable (DaemonContext) async throws -> [any Service] = { _ in [] },
        outboxProblem: @escaping @Sendable () async -> String? = { nil },
        afterReload: @escaping @Sendable () -> Void = {}
    ) async -> Int32 {
        // SIGHUP's default action ends the process; ignore it until the reloader listens.
        signal(SIGHUP, SIG_IGN)
        let logger = Logger(label: "kallad")
        let metrics = KalladMetrics.registry()
        let holder = ConfigHolder(directory: directory, metrics: metrics)
        if case .refused(let reason) = await holder.reload() {
            logger.critical(
                "configuration refused; not starting", metadata: ["config.dir": "\(directory)", "reason": "\(reason)"])
            return 2
        }
        guard let config = holder.current else { return 2 }
        logLevel.level = Logger.Level(rawValue: config.service.logLevel) ?? .info
        for warning in config.warnings { logger.warning("configuration", metadata: ["diagnostic": "\(warning)"]) }
        do {
            let inbox = try await makeInbox(config)
            if inbox is MemoryTriggerInbox {
                logger.warning("triggers are kept in memory only until the store is configured; a restart forgets them")
            }
            let services = DaemonServices(
                config: holder, inbox: inbox, metrics: metrics, logger: logger, outboxProblem: outboxProblem)
            let router = DaemonRouter.build(services)
            let address = "\(config.service.host):\(config.service.port)"
            let notifier = self.notifier
            let app = Application(
                router: router,
                server: DaemonRouter.server(services),
                configuration: ApplicationConfiguration(
                    address: .hostname(config.service.host, port: config.service.port), serverName: nil),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? config.service.port
                    logger.info("listening", metadata: ["http.address": "\(config.service.host):\(port)"])
                    notifier.ready(status: "listening on \(config.service.host):\(port)")
                },
                logger: logger)
            var list: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let interval = SystemdNotifier.watchdogInterval() {
                list.append(.init(service: WatchdogService(notifier: notifier, interval: interval)))
            }
            let context = DaemonContext(
                holder: holder, inbox: inbox, metrics: metrics, notifier: notifier, logger: logger)
            for service in try await makeServices(context) { list.append(.init(service: service)) }
            list.append(
                .init(
                    service: ReloadService(
                        holder: holder, notifier: notifier, logLevel: logLevel, logger: logger,
                        afterReload: afterReload)))
            list.append(.init(service: app))
            list.append(.init(service: StoppingNotifier(notifier: notifier, logger: logger)))
            var configuration = ServiceGroupConfiguration(services: list, logger: logger)
            configuration.gracefulShutdownSignals = [.sigterm, .sigint]
            configuration.maximumGracefulShutdownDuration = shutdownBound
            configuration.maximumCancellationDuration = .seconds(2)
            logger.info("starting", metadata: ["config.dir": "\(directory)", "http.address": "\(address)"])
            try await ServiceGroup(configuration: configuration).run()
            logger.info("stopped")
            return 0
        } catch {
            logger.critical("stopped by an error", metadata: ["error": "\(error)"])
            notifier.status("stopped by an error: \(error)")
            return 1
        }
    }
}

/// What the services `kallad run` adds (the planner tick and the dispatcher) are built from.
public struct DaemonContext: Sendable {
    /// The configuration in use, swapped on reload.
    public let holder: ConfigHolder
    /// The trigger inbox.
    public let inbox: any TriggerInbox
    /// Metrics.
    public let metrics: MetricsRegistry
    /// systemd.
    public let notifier: SystemdNotifier
    /// The daemon's logger.
    public let logger: Logger
}

/// SIGHUP: reload the configuration. `RELOADING=1`, then `READY=1` with a `STATUS=` saying what happened; a broken
/// configuration is refused with the reason (log and status) and the old one keeps running.
public struct ReloadService: Service {
    let holder: ConfigHolder
    let notifier: SystemdNotifier
    let logLevel: LogLevelControl
    let logger: Logger
    let afterReload: @Sendable () -> Void

    /// Creates the service; `afterReload` runs after a configuration was applied (it wakes the planner).
    public init(
        holder: ConfigHolder, notifier: SystemdNotifier, logLevel: LogLevelControl, logger: Logger,
        afterReload: @escaping @Sendable () -> Void = {}
    ) {
        self.holder = holder
        self.notifier = notifier
        self.logLevel = logLevel
        self.logger = logger
        self.afterReload = afterReload
    }

    /// Waits for SIGHUP until shutdown.
    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            notifier.reloading()
            switch await holder.reload() {
            case .applied(let warnings):
                if let config = holder.current {
                    logLevel.level = Logger.Level(rawValue: config.service.logLevel) ?? .info
                }
                logger.info("configuration reloaded", metadata: ["config.warnings": "\(warnings)"])
                notifier.ready(status: "configuration reloaded")
                afterReload()
            case .refused(let reason):
                logger.error("configuration refused; the previous one stays in use", metadata: ["reason": "\(reason)"])
                notifier.ready(status: "reload refused, previous configuration in use: \(reason)")
            }
        }
    }
}

/// Says `STOPPING=1` as soon as graceful shutdown begins (it is the last service, so it hears first).
public struct StoppingNotifier: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    /// Creates the service.
    public init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    /// Waits for graceful shutdown.
    public func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping")
        notifier.stopping()
    }
}
