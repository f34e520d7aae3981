public import ServiceLifecycle

/// Sends `WATCHDOG=1` every half watchdog period while the service group runs; stops at graceful shutdown.
public struct WatchdogService: Service {
    /// Where keep-alives go.
    public let notifier: SystemdNotifier
    /// How often (half of `WATCHDOG_USEC`).
    public let interval: Duration

    /// Creates the service.
    public init(notifier: SystemdNotifier, interval: Duration) {
        self.notifier = notifier
        self.interval = interval
    }

    /// Pings until shutdown.
    public func run() async throws {
        notifier.watchdog()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                notifier.watchdog()
            }
        }
    }
}
