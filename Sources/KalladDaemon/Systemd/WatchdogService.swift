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

    /// Pings until shutdown; the first ping goes one interval after start, so `READY=1` comes first.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                notifier.watchdog()
            }
        }
    }
}
