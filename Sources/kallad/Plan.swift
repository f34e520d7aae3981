import ArgumentParser
import KalladConfig
import KalladCore

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose dates for the bodies that have a cadence but no pattern or plan for a year.",
        discussion: """
            Prints a `plan:` block per body, in YAML, that can be pasted under the body's `schedule:` to make the \
            dates explicit; rules that cannot be met are reported with the reason. Exit 1 if any cannot be met.
            """)

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: YearSelection

    @Flag(help: "Also list bodies whose dates come from a pattern, a derived schedule or an explicit plan.")
    var all = false

    func run() throws {
        let year = selection.year, body = selection.body
        let (registry, _) = try options.load()
        try requireBody(body, in: registry)
        let scheduler = Scheduler(registry: registry, years: year...year)
        let schedule = scheduler.schedule(years: year...year)
        var unmet = 0
        for diagnostic in schedule.diagnostics where body == nil || diagnostic.body == body {
            Console.error(diagnostic.description)
            if diagnostic.severity <= .violation { unmet += 1 }
        }
        for candidate in registry.bodies where body == nil || candidate.id == body {
            let proposed = (schedule.byBody[candidate.id] ?? []).filter { $0.source == .proposed }
            let isProposed =
                candidate.schedule.recurrence == nil && candidate.schedule.derived == nil
                && candidate.schedule.plan[year] == nil && !candidate.cadences.isEmpty
            guard isProposed || all else { continue }
            let meetings = isProposed ? proposed : (schedule.byBody[candidate.id] ?? []).filter { $0.kind != .extra }
            print("# \(candidate.id): \(candidate.name)")
            let why =
                candidate.cadences.map { "at least \($0.atLeast) per \($0.period.rawValue)" }
                + candidate.constraints.map { "\($0.minDaysBefore)+ days before \($0.body)" }
            print("# \(isProposed ? "proposed" : "from its rules"): \(why.joined(separator: ", "))")
            print(PlanWriter.render(year: year, dates: meetings.map(\.date)))
        }
        if unmet > 0 { throw ExitCode(ExitStatus.violations) }
    }
}
