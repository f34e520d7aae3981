import ArgumentParser
import Foundation
import KalladCore
import KalladDaemon
import KalladStore

/// `--database PATH`, for commands that read or change the outbox.
struct DatabaseOption: ParsableArguments {
    @Option(help: "The outbox database (default: settings.outbox.database, below $STATE_DIRECTORY when relative).")
    var database: String?

    /// Opens the outbox, or explains why it cannot be opened (exit 2).
    func open(_ registry: Registry) throws -> KalladDatabase {
        let path = OutboxSetup.databasePath(registry, override: database)
        do {
            return try KalladDatabase(path: path)
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitStatus.unusable)
        }
    }
}

/// The system clock, read only by the command line and the daemon.
func systemNow() -> Instant { Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }

struct Deliveries: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who got what, when, and what the server answered (from the outbox).")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var store: DatabaseOption

    @Option(help: "Only this meeting.")
    var meeting: String?

    @Option(help: "Only this body.")
    var body: String?

    @Option(help: "Only this state: \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", ")).")
    var state: String?

    @Option(help: "At most this many, newest first.")
    var limit = 1000

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func validate() throws {
        if let state, DeliveryState(rawValue: state) == nil {
            throw ValidationError(
                "--state \(state) is not a state; use one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let (registry, _) = try options.load(quietWarnings: true)
        let database = try store.open(registry)
        let zone = registry.settings.zone
        let rows = try database.deliveries(
            DeliveryFilter(meeting: meeting, body: body, state: state.flatMap(DeliveryState.init(rawValue:)), limit: limit))
        for row in rows {
            switch format {
            case .json: print(JSONLine.encode(DeliveryReport(row, zone: zone), snakeCase: true))
            case .text: print(TextOutput.delivery(row, zone: zone))
            }
        }
        if format == .text {
            let counts = Dictionary(grouping: rows, by: \.state).mapValues(\.count)
            let summary = DeliveryState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }
            print("\(rows.count) deliveries" + (summary.isEmpty ? "" : ": " + summary.joined(separator: ", ")))
        }
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue a failed, dropped, deferred, cancelled or superseded delivery again, to go out now.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var store: DatabaseOption

    @Argument(help: "The delivery's id (see `kallad deliveries`).")
    var id: Int64

    func run() throws {
        let (registry, _) = try options.load(quietWarnings: true)
        let database = try store.open(registry)
        do {
            try database.retry(id, now: systemNow())
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitStatus.unusable)
        }
        print("delivery \(id) queued again; the running daemon sends it within a minute")
    }
}

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete finished deliveries — with their addresses and message bodies — older than a retention.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var store: DatabaseOption

    @Option(name: .customLong("older-than"), help: "Retention, e.g. 180d (default: settings.outbox.retention).")
    var olderThan: String?

    func validate() throws {
        if let olderThan, OutboxSettings.seconds(olderThan) == nil {
            throw ValidationError("--older-than \(olderThan) is not a duration; write e.g. 180d, 12h or 30m")
        }
    }

    func run() throws {
        let (registry, _) = try options.load(quietWarnings: true)
        let database = try store.open(registry)
        let retention = olderThan.flatMap(OutboxSettings.seconds) ?? registry.settings.outbox.retention
        let count = try database.purge(finishedBefore: systemNow().adding(seconds: -retention))
        print(
            "purged \(count.notifications) notifications and \(count.deliveries) deliveries finished more than "
                + "\(retention / 86_400) days ago; \(count.triggers) trigger bodies emptied")
    }
}

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run planner → outbox → dispatch on a virtual clock through the folder transport.",
        discussion: """
            Every notification of the period is enqueued, sent into --out as .eml and .json files, and tracked in a \
            fresh outbox (--database, default a temporary file), exactly as the daemon would over those days. \
            Exit 0 when every delivery was delivered, 1 when some failed or were dropped, 2 for unusable input.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "First day (YYYY-MM-DD).")
    var from: LocalDate

    @Option(help: "Last day (YYYY-MM-DD, inclusive).")
    var to: LocalDate

    @Option(help: "Where the messages go.")
    var out = "out/simulate"

    @Option(help: "The outbox database (default: a new temporary file, removed afterwards).")
    var database: String?

    func validate() throws {
        guard from <= to else { throw ValidationError("--from \(from) is after --to \(to)") }
        guard from.days(to: to) <= 3660 else { throw ValidationError("simulate at most ten years at a time") }
    }

    func run() async throws {
        let (registry, _) = try options.load(quietWarnings: true)
        let composer = try TemplateFiles.load(config: options.config)
        let path = database ?? NSTemporaryDirectory() + "kallad-simulate-\(getpid()).sqlite"
        if database == nil {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        defer {
            if database == nil {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let store = try KalladDatabase(path: path)
        let courier = try OutboxSetup.courier(registry, folder: out)
        let zone = registry.settings.zone
        let simulation = Simulation(
            tick: PlannerTick(registry: registry, composer: composer),
            dispatcher: Dispatcher(policy: registry.settings.outbox.retry, courier: courier), store: store)
        let start = zone.instant(of: LocalDateTime(from, .midnight))
        let end = zone.instant(of: LocalDateTime(to.adding(days: 1), .midnight))
        let clock = ContinuousClock()
        let began = clock.now
        let summary = try await simulation.run(from: start, to: end)
        let elapsed = clock.now - began
        for problem in summary.problems { Console.error("problem: \(problem)") }
        let counts = try store.countsByState()
        let states = DeliveryState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }
        print(
            "simulated \(from)–\(to): \(summary.enqueued) notifications, "
                + "\(counts.values.reduce(0, +)) deliveries (\(states.joined(separator: ", "))), "
                + "\(summary.escalated) escalated; \(summary.ticks) planner ticks, \(summary.rounds) dispatch rounds "
                + "in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))); "
                + "messages in \(out)/")
        let bad = (counts[.failed] ?? 0) + (counts[.dropped] ?? 0) + summary.problems.count
        if bad > 0 { throw ExitCode(ExitStatus.violations) }
    }
}
