import ArgumentParser
import KalladConfig
import KalladCore

struct Meetings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every meeting of a year with its convener, chair and secretary.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "The year.")
    var year: Int

    @Option(help: "Only this body.")
    var body: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func validate() throws {
        guard (1990...2200).contains(year) else { throw ValidationError("--year must be between 1990 and 2200") }
    }

    func run() throws {
        let (registry, _) = try options.load()
        try requireBody(body, in: registry)
        let schedule = Scheduler(registry: registry, years: year...year).schedule(years: year...year)
        let roles = RoleResolver(registry: registry, schedule: schedule)
        let meetings = schedule.meetings.filter { body == nil || $0.body == body }
        for meeting in meetings {
            switch format {
            case .json: print(JSONLine.encode(MeetingJSON(meeting, registry: registry, roles: roles)))
            case .text: print(TextOutput.meeting(meeting, registry: registry, roles: roles))
            }
        }
        if format == .text {
            print("\(meetings.filter { $0.status == .scheduled }.count) meetings in \(year)")
        }
    }
}

/// Exits 2 with a suggestion when `--body` names no body.
func requireBody(_ id: String?, in registry: Registry) throws {
    guard let id, registry.body(id) == nil else { return }
    let close = Suggest.closest(to: id, in: registry.bodies.map(\.id))
    throw ValidationError("no body '\(id)'" + (close.map { "; did you mean '\($0)'?" } ?? ""))
}
