import ArgumentParser
import KalladCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load and validate the configuration, then check every body's rules for some years.",
        discussion: "Exit 0 when all is well, 1 when a rule is not met, 2 when the configuration cannot be used."
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Years to check, as YYYY or YYYY-YYYY (default: this year and the next).")
    var years: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        MallocArenas.shareOne()
        let (registry, loadDiagnostics) = try options.load(quietWarnings: true)
        let range = try yearRange(registry)
        let scheduler = Scheduler(registry: registry, years: range)
        let schedule = scheduler.schedule(years: range)
        let checker = RuleChecker(registry: registry, calendar: scheduler.calendar)
        var diagnostics = loadDiagnostics + schedule.diagnostics
        diagnostics += checker.checkComposition()
        for year in range { diagnostics += checker.check(year: year, schedule: schedule) }
        var seen: Set<Diagnostic> = []
        diagnostics = diagnostics.filter { seen.insert($0).inserted }

        let errors = diagnostics.filter { $0.severity == .error }.count
        let violations = diagnostics.filter { $0.severity == .violation }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        switch format {
        case .text:
            for diagnostic in diagnostics { print(diagnostic.description) }
            var meetings = 0
            for meeting in schedule.meetings where range.contains(meeting.date.year) && meeting.status == .scheduled {
                meetings += 1
            }
            print(
                "\(options.config): \(registry.bodies.count) bodies, \(registry.people.count) people, "
                    + "\(meetings) meetings in \(range.lowerBound)–\(range.upperBound); "
                    + "\(errors) errors, \(violations) rule violations, \(warnings) warnings")
        case .json:
            for diagnostic in diagnostics { print(JSONLine.encode(DiagnosticJSON(diagnostic))) }
        }
        let status = errors > 0 ? ExitStatus.unusable : violations > 0 ? ExitStatus.violations : ExitStatus.ok
        ProcessEnd.exit(status, keeping: (registry, schedule, scheduler, checker, diagnostics))
    }

    func yearRange(_ registry: Registry) throws -> ClosedRange<Int> {
        guard let years else {
            let year = today(in: registry.settings.zone).year
            return year...(year + 1)
        }
        let parts = years.split(separator: "-").compactMap { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ (1990...2200).contains($0) }),
            parts[0] <= parts[parts.count - 1]
        else {
            throw ValidationError("--years takes YYYY or YYYY-YYYY between 1990 and 2200, e.g. 2026-2035")
        }
        return parts[0]...parts[parts.count - 1]
    }
}
