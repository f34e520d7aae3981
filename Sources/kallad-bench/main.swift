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

/// `VmRSS` and `VmHWM` (peak) of this process in MB, from /proc/self/status.
func memory() -> (rss: Double, peak: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
    return (field("VmRSS"), field("VmHWM"))
}

func benchMails(_ range: Range<Int>) -> [OutgoingMail] {
    let body = String(repeating: "Kallelse till länsstyrgruppen. ", count: 30)
    return range.map { n in
        OutgoingMail(
            from: "kallad@example.se", recipients: ["m\(n % 97)@example.se"],
            message: "From: <kallad@example.se>\r\nTo: <m\(n % 97)@example.se>\r\nSubject: n\(n)\r\n"
                + "Message-ID: <\(n)@bench.example.se>\r\n\r\n\(body)\r\n")
    }
}

/// The webhook body of the HTTP benchmarks (scripts/bench/transport.sh sends the same with curl).
let hookBody =
    "{\"type\":\"meeting.summons\",\"id\":\"evt_2Yb7\",\"timestamp\":\"2026-11-23T08:00:00Z\","
    + "\"data\":{\"body\":\"Länsstyrgruppen\",\"starts\":\"2026-12-01T13:00:00+01:00\"}}"

func hooks(_ url: String, _ count: Int) -> [OutgoingRequest] {
    (0..<count).map { _ in
        OutgoingRequest(url: url, headers: ["Content-Type": "application/json", "webhook-id": "msg_1"], body: hookBody)
    }
}

let arguments = CommandLine.arguments
// kallad-bench smtp-size: the body length of a benchmark mail (for smtp-source -l); hook-body: the webhook body.
if arguments.count == 2, arguments[1] == "smtp-size" {
    let message = benchMails(0..<1)[0].message
    let headerEnd = message.utf8.firstRange(of: "\r\n\r\n".utf8)?.upperBound ?? message.utf8.startIndex
    print(message.utf8[headerEnd...].count)
    exit(0)
}
// kallad-bench leak-probe: leaks on purpose (a reference cycle), to show that the leak check sees leaks.
if arguments.count == 2, arguments[1] == "leak-probe" {
    final class Node {
        var other: Node?
    }
    for _ in 0..<10 {
        let first = Node(), second = Node()
        first.other = second
        second.other = first
    }
    exit(0)
}
if arguments.count == 2, arguments[1] == "hook-body" {
    print(hookBody, terminator: "")
    exit(0)
}
/// Sends `count` benchmark mails over `lanes` connections on a transport of its own, released on return (so its
/// engine's thread ends and frees what it held): (seconds, delivered).
func sendMails(_ url: String, _ count: Int, _ lanes: Int) async -> (Double, Int) {
    let mails = benchMails(0..<count)
    let transport = SMTPTransport(settings: SMTPSettings(url: url, requireTLS: false))
    let started = ContinuousClock.now
    let results = await transport.send(mails, connections: lanes)
    return (seconds(started), results.filter { $0.recipients.values.allSatisfy { $0.name == "delivered" } }.count)
}

/// Sends `count` webhooks, `inFlight` at a time, on a transport of its own: (seconds, delivered).
func sendHooks(_ url: String, _ count: Int, _ inFlight: Int) async -> (Double, Int) {
    let requests = hooks(url, count)
    let transport = HTTPTransport(settings: HTTPSettings(maxInFlight: inFlight))
    let started = ContinuousClock.now
    let outcomes = await transport.send(requests)
    return (seconds(started), outcomes.filter { $0.name == "delivered" }.count)
}

// kallad-bench smtp URL COUNT CONNECTIONS: COUNT messages over CONNECTIONS reused connections;
// kallad-bench http URL COUNT IN_FLIGHT: COUNT webhook POSTs, IN_FLIGHT at a time. Both print JSON.
if arguments.count == 5, arguments[1] == "smtp" || arguments[1] == "http", let count = Int(arguments[3]),
    let parallel = Int(arguments[4])
{
    let (elapsed, delivered) =
        arguments[1] == "smtp"
        ? await sendMails(arguments[2], count, parallel) : await sendHooks(arguments[2], count, parallel)
    // Let the released transport's engine thread close its connections and free its handles before the leak check
    // at exit.
    try? await Task.sleep(for: .milliseconds(300))
    report(kind: arguments[1] == "smtp" ? "messages" : "requests", count: count, elapsed, delivered)
    exit(0)
}

/// Prints a rate as JSON (synchronous, so no string outlives it in an async frame when the process exits).
func report(kind: String, count: Int, _ elapsed: Double, _ delivered: Int) {
    print(
        "{\"\(kind)\": \(count), \"delivered\": \(delivered), \"seconds\": \(elapsed), "
            + "\"per_second\": \(Double(count) / elapsed)}")
}
// kallad-bench memory http|smtp URL TOTAL: TOTAL sends in batches of 1,000 (as a dispatcher sends them), RSS
// after 10,000 and after TOTAL; prints JSON.
if arguments.count == 5, arguments[1] == "memory", let total = Int(arguments[4]) {
    let http = HTTPTransport(settings: HTTPSettings(maxInFlight: 50))
    let smtp = SMTPTransport(settings: SMTPSettings(url: arguments[3], requireTLS: false))
    var sent = 0, delivered = 0
    var at10k = (rss: 0.0, peak: 0.0)
    let started = ContinuousClock.now
    while sent < total {
        let n = min(1000, total - sent)
        if arguments[2] == "smtp" {
            let results = await smtp.send(benchMails(sent..<(sent + n)), connections: 10)
            delivered += results.filter { $0.recipients.values.allSatisfy { $0.name == "delivered" } }.count
        } else {
            delivered += await http.send(hooks(arguments[3], n)).filter { $0.name == "delivered" }.count
        }
        sent += n
        if sent == 10_000 { at10k = memory() }
    }
    let end = memory()
    print(
        "{\"sends\": \(sent), \"delivered\": \(delivered), \"seconds\": \(seconds(started)), "
            + "\"rss_10k_mb\": \(at10k.rss), \"peak_10k_mb\": \(at10k.peak), \"rss_end_mb\": \(end.rss), "
            + "\"peak_end_mb\": \(end.peak)}")
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
