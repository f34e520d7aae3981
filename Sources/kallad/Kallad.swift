import ArgumentParser
import Foundation
import KalladConfig
import KalladCore
import Synchronization

/// Exit codes: 0 ok, 1 rule violations, 2 unusable input (bad configuration, bad arguments).
enum ExitStatus {
    static let ok: Int32 = 0
    static let violations: Int32 = 1
    static let unusable: Int32 = 2
}

@main
struct Kallad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kallad",
        abstract: "Summons, agenda requests and reminders for Swedish region–municipality collaboration bodies.",
        discussion: "Exit codes: 0 ok, 1 rule violations, 2 unusable input.",
        subcommands: [
            Check.self, Meetings.self, Plan.self, Preview.self, SendTest.self, Simulate.self, Deliveries.self,
            Retry.self, Purge.self, Run.self, Trigger.self,
        ]
    )

    /// Runs a subcommand; usage errors exit 2 like any other unusable input.
    static func main() {
        do {
            var command = try parseAsRoot()
            if let asyncCommand = command as? any AsyncParsableCommand {
                try AsyncSubcommand.run(asyncCommand)
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.unusable)
        }
    }
}

/// An `async` subcommand (`run`, `simulate`, `send-test`, `trigger`), run as a task while the main thread waits for
/// it. `kallad`'s `main` is not itself `async`: an async main hands the main thread to Dispatch's `dispatch_main`,
/// which ends it with `pthread_exit`, and unwinding its stack reads the binary's unwind tables — about 1 MB of a
/// daemon's idle memory for nothing. Kallad runs nothing on the main actor or the main queue. The other
/// subcommands run on the main thread, where they start (the malloc arena they share: `MallocArenas`).
enum AsyncSubcommand {
    /// What the task left: the error the subcommand threw, if it threw.
    private final class Outcome: Sendable {
        let error = Mutex<(any Error)?>(nil)
    }

    static func run(_ command: sending any AsyncParsableCommand) throws {
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            var command = command
            do {
                try await command.run()
            } catch {
                outcome.error.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error.withLock({ $0 }) { throw error }
    }
}

/// Options every command that reads the registry takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration folder.")
    var config: String = ProcessInfo.processInfo.environment["KALLAD_CONFIG"] ?? "Config"

    /// Loads the registry, or prints every problem and exits 2.
    func load(quietWarnings: Bool = false) throws -> (Registry, [Diagnostic]) {
        let result = ConfigLoader.load(directory: config)
        guard let registry = result.registry else {
            // Warnings that follow from the errors (a body left without a schedule by a misspelt key) would only
            // distract: show the errors.
            for diagnostic in result.diagnostics where diagnostic.severity == .error {
                Console.error(diagnostic.description)
            }
            let count = result.diagnostics.filter { $0.severity == .error }.count
            Console.error("\(config): \(count) error\(count == 1 ? "" : "s"); nothing was done")
            throw ExitCode(ExitStatus.unusable)
        }
        if !quietWarnings {
            for diagnostic in result.diagnostics where diagnostic.severity == .warning {
                Console.error(diagnostic.description)
            }
        }
        return (registry, result.diagnostics)
    }
}

/// Output format of listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum Console {
    static func error(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}

extension LocalDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

/// Today in the registry's zone, from the system clock (the only place the command line reads it).
func today(in zone: ZoneRules) -> LocalDate {
    zone.local(Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))).date
}

/// `--year` and `--body`, for commands about one year.
struct YearSelection: ParsableArguments {
    @Option(help: "The year.")
    var year: Int

    @Option(help: "Only this body.")
    var body: String?

    func validate() throws {
        guard (1990...2200).contains(year) else { throw ValidationError("--year must be between 1990 and 2200") }
    }
}
