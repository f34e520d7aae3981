import ArgumentParser
import KalladCore
import KalladDaemon
import KalladStore
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: planner tick, outbox dispatcher, HTTP API and trigger inbox, under systemd.",
        discussion: """
            Plans every minute, sends what is due from the SQLite outbox (settings.outbox.database, below \
            $STATE_DIRECTORY under systemd), and listens where settings.service.listen says (default \
            127.0.0.1:8470). SIGHUP reloads the configuration (a broken one is refused and the old one stays); \
            SIGTERM or SIGINT stop gracefully with exit 0. Logs are logfmt on standard output.
            """)

    @Option(name: .long, help: "The configuration folder.")
    var config: String = Environment.value("KALLAD_CONFIG") ?? "Config"

    func run() async throws {
        let control = LogLevelControl(.info)
        LoggingSystem.bootstrap { label in LogfmtHandler(label: label, control: control) }
        let directory = config
        let outbox = OutboxBox()
        let status = await Daemon(directory: directory, logLevel: control).run(
            inbox: { loaded in
                let assembly = try OutboxAssembly(registry: loaded.registry, configDirectory: directory)
                outbox.set(assembly)
                return assembly.inbox(zone: { loaded.registry.settings.zone })
            },
            services: { context in outbox.get()?.services(context) ?? [] },
            outboxProblem: { await outbox.get()?.health.problem },
            afterReload: { outbox.get()?.plannerBell.ring() })
        throw ExitCode(status)
    }
}
