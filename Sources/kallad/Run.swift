import ArgumentParser
import KalladDaemon
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: HTTP API and trigger inbox, systemd notifications, reload on SIGHUP.",
        discussion: """
            Listens where settings.service.listen says (default 127.0.0.1:8470). SIGHUP reloads the configuration \
            (a broken one is refused and the old one stays); SIGTERM or SIGINT stop gracefully with exit 0. \
            Logs are logfmt on standard output.
            """)

    @Option(name: .long, help: "The configuration folder.")
    var config: String = Environment.value("KALLAD_CONFIG") ?? "Config"

    func run() async throws {
        let control = LogLevelControl(.info)
        LoggingSystem.bootstrap { label in LogfmtHandler(label: label, control: control) }
        let status = await Daemon(directory: config, logLevel: control).run()
        throw ExitCode(status)
    }
}
