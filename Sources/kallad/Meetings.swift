import ArgumentParser
import KalladConfig
import KalladCore

struct Meetings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every meeting of a year with its convener, chair and secretary.")

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: YearSelection

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let year = selection.year, body = selection.body
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
