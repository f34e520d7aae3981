// Times the phases of Kallad on a configuration folder, in one process, and prints one JSON object:
// load, the year's raw rule expansion (what python-dateutil does in the peer), scheduling + rule checks, and the
// planner over the year. Used by scripts/bench/run.sh. Usage: kallad-bench CONFIG_DIR YEAR
import Foundation
import KalladConfig
import KalladCore
import KalladTransport

func seconds(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let arguments = CommandLine.arguments
// kallad-bench smtp URL COUNT CONNECTIONS: COUNT messages over CONNECTIONS reused connections; prints JSON.
if arguments.count == 5, arguments[1] == "smtp", let count = Int(arguments[3]), let lanes = Int(arguments[4]) {
    let body = String(repeating: "Kallelse till länsstyrgruppen. ", count: 30)
    let mails = (0..<count).map { n in
        OutgoingMail(
            from: "kallad@example.se", recipients: ["m\(n % 97)@example.se"],
            message: "From: <kallad@example.se>\r\nTo: <m\(n % 97)@example.se>\r\nSubject: n\(n)\r\n"
                + "Message-ID: <\(n)@bench.example.se>\r\n\r\n\(body)\r\n")
    }
    let transport = SMTPTransport(settings: SMTPSettings(url: arguments[2], requireTLS: false))
    let started = ContinuousClock.now
    let results = await transport.send(mails, connections: lanes)
    let elapsed = seconds(started)
    let delivered = results.filter { $0.recipients.values.allSatisfy { $0.name == "delivered" } }.count
    print(
        "{\"messages\": \(count), \"delivered\": \(delivered), \"seconds\": \(elapsed), "
            + "\"per_second\": \(Double(count) / elapsed)}")
    exit(0)
}
guard arguments.count == 3, let year = Int(arguments[2]),
    let first = LocalDate(year: year, month: 1, day: 1), let last = LocalDate(year: year, month: 12, day: 31)
else {
    FileHandle.standardError.write(Data("usage: kallad-bench CONFIG_DIR YEAR\n".utf8))
    exit(2)
}
var t = ContinuousClock.now
let loaded = ConfigLoader.load(directory: arguments[1])
let loadSeconds = seconds(t)
guard let registry = loaded.registry else {
    for d in loaded.diagnostics.prefix(10) { FileHandle.standardError.write(Data("\(d)\n".utf8)) }
    exit(2)
}
let sets = registry.bodies.compactMap(\.schedule.recurrence)
t = ContinuousClock.now
var occurrences = 0
for set in sets { occurrences += set.occurrences(from: first, through: last).count }
let expandSeconds = seconds(t)

t = ContinuousClock.now
let scheduler = Scheduler(registry: registry, years: year...year)
let schedule = scheduler.schedule(years: year...year)
let checker = RuleChecker(registry: registry, calendar: scheduler.calendar)
let problems = checker.check(year: year, schedule: schedule) + checker.checkComposition()
let checkSeconds = seconds(t)

t = ContinuousClock.now
let zone = registry.settings.zone
let due = Planner.due(
    registry: registry, from: zone.instant(of: LocalDateTime(first, .midnight)),
    to: zone.instant(of: LocalDateTime(last.adding(days: 1), .midnight)))
let planSeconds = seconds(t)
let recipients = due.notifications.reduce(0) { $0 + $1.recipients.count }

let result: [String: Any] = [
    "bodies": registry.bodies.count, "seats": registry.bodies.reduce(0) { $0 + $1.seats.count },
    "rule_sets": sets.count, "occurrences": occurrences, "meetings": schedule.meetings.count,
    "problems": problems.count, "notifications": due.notifications.count, "recipients": recipients,
    "load_s": loadSeconds, "expand_s": expandSeconds, "schedule_check_s": checkSeconds, "plan_s": planSeconds,
]
let data = (try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])) ?? Data()
print(String(decoding: data, as: UTF8.self))
