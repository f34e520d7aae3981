// Drills the outbox against a real SMTP server, for `make chaos` and `make bench`:
//   kallad-drill fill DB COUNT            enqueue COUNT one-recipient summonses, due now
//   kallad-drill drain DB SMTP_URL [LANES] claim → send → record until nothing is left; prints JSON
//   kallad-drill bench SMTP_URL COUNT      the bare transport against the outbox, same messages; prints JSON
//   kallad-drill bare SMTP_URL COUNT       the bare transport alone, for profiling
//   kallad-drill line SMTP_URL COUNT       the whole line alone (enqueue, claim, send, record), for profiling
//   kallad-drill due SMTP_URL COUNT        a batch enqueued and read ahead, then claimed, sent and recorded, for profiling
//   kallad-drill pairs SMTP_URL COUNT N    bare and due batch back to back, N times, one JSON line each (A/B tests)
//   kallad-drill store COUNT               the outbox alone (enqueue, claim, record; nothing sent), for profiling
// Each message ends with a line `KALLAD-END <key>`, so a dump can tell a whole message from a cut one.
import Foundation
import Synchronization
import KalladCore
import KalladDaemon
import KalladStore
import KalladTransport

func now() -> Instant { Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kallad-drill: \(message)\n".utf8))
    exit(2)
}

func elapsed(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// CPU seconds (user + system) this process has used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// CLOCK_MONOTONIC in seconds (libdispatch's uptime on Linux), the clock `perf record -k CLOCK_MONOTONIC` stamps its samples with.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// With KALLAD_DRILL_MARKS set, the monotonic times a timed part ran between, on standard error, so a profile can
/// be cut to it.
func mark(_ what: String, from start: Double) {
    guard ProcessInfo.processInfo.environment["KALLAD_DRILL_MARKS"] != nil else { return }
    FileHandle.standardError.write(Data(String(format: "mark %@ %.6f %.6f\n", what, start, monotonicSeconds()).utf8))
}

func message(_ key: String, to address: String) -> String {
    let body = String(repeating: "Kallelse till länsstyrgruppen. ", count: 30)
    return "From: <kallad@example.se>\r\nTo: <\(address)>\r\nSubject: \(key)\r\nX-Kallad-Key: \(key)\r\n"
        + "Message-ID: <\(key)@drill.example.se>\r\n\r\n\(body)\r\nKALLAD-END \(key)\r\n"
}

func notifications(_ count: Int, prefix: String, due: Instant) -> [NewNotification] {
    (0..<count).map { n in
        let key = "\(prefix)-\(n)"
        let address = "m\(n % 97)@example.se"
        return NewNotification(
            key: key, kind: .summons, meeting: "drill/\(n)", body: "drill", sequence: 0, due: due,
            meetingStart: due.adding(seconds: 30 * 86_400),
            deliveries: [
                NewDelivery(
                    channel: .email, recipient: address, envelopeFrom: "kallad@example.se",
                    message: message(key, to: address))
            ])
    }
}

/// The bare transport's batch: `count` one-recipient summonses as mails, after 500 of them sent untimed so the timed
/// batch does not pay for the process's first connection and its cold code and caches (which the outbox's runs
/// after it would not).
func bareMailsWarmedUp(_ count: Int, url: String) async -> [OutgoingMail] {
    let mails = notifications(count, prefix: "bare", due: now()).map {
        OutgoingMail(from: "kallad@example.se", recipients: [$0.deliveries[0].recipient], message: $0.deliveries[0].message)
    }
    _ = await SMTPTransport(settings: SMTPSettings(url: url, requireTLS: false)).send(Array(mails.prefix(500)), connections: 1)
    return mails
}

/// The bare transport's timed batch on one connection: mails delivered, seconds, CPU seconds of the process.
func bareBatch(_ mails: [OutgoingMail], url: String) async -> (Int, Double, Double) {
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    let bare = await SMTPTransport(settings: SMTPSettings(url: url, requireTLS: false)).send(mails, connections: 1)
    let seconds = elapsed(start)
    let cpu = cpuSeconds() - cpuStart
    return (bare.filter { $0.recipients.values.allSatisfy { $0.name == "delivered" } }.count, seconds, cpu)
}

func open(_ path: String) -> KalladDatabase {
    do { return try KalladDatabase(path: path) } catch { fail("\(error)") }
}

func courier(_ url: String) -> NetworkCourier {
    do {
        return NetworkCourier(
            smtp: SMTPSettings(url: url, requireTLS: false, timeout: 30),
            receivers: try ReceiverDirectory(registry: Registry()))
    } catch { fail("\(error)") }
}

/// A courier that notes when each outcome came, so the time the wire stood still shows (KALLAD_DRILL_THREADS):
/// the wait for the first outcome, and the pauses of more than a millisecond between two outcomes.
final class TimedCourier: Courier, Sendable {
    let inner: NetworkCourier
    let start = ContinuousClock.now
    let times = Mutex<[Double]>([])

    init(_ inner: NetworkCourier) { self.inner = inner }

    func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome { await inner.send(delivery, now: now) }

    func send(
        _ batches: AsyncStream<[ClaimedDelivery]>, lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (ClaimedDelivery, DeliveryOutcome, Double) -> Void
    ) async {
        let start = self.start
        await inner.send(batches, lanes: lanes, now: now) { [self] delivery, outcome, seconds in
            let t = elapsed(start)
            self.times.withLock { $0.append(t) }
            settled(delivery, outcome, seconds)
        }
    }

    func report() {
        guard ProcessInfo.processInfo.environment["KALLAD_DRILL_THREADS"] != nil else { return }
        times.withLock { times in
            guard let first = times.first else { return }
            let pauses = zip(times, times.dropFirst()).map { ($0, $1 - $0) }.filter { $0.1 > 0.001 }
            FileHandle.standardError.write(Data(String(
                format: "first outcome at %.3f s; %d pauses over 1 ms between outcomes, %.3f s in all\n",
                first, pauses.count, pauses.map(\.1).reduce(0, +)).utf8))
            // The longest, with the number of outcomes before each (a claim of 200 or a round of 2,000 shows there).
            let longest = zip(times.indices, zip(times, times.dropFirst()).map { $1 - $0 })
                .filter { $0.1 > 0.001 }.sorted { $0.1 > $1.1 }.prefix(12)
            FileHandle.standardError.write(Data(
                ("longest pauses (after outcome: ms): "
                    + longest.map { "\($0.0 + 1): \(String(format: "%.1f", $0.1 * 1000))" }.joined(separator: ", ")
                    + "\n").utf8))
            // When they came: the pauses' seconds in each tenth of the run.
            let last = times.last ?? 0
            var tenths = [Double](repeating: 0, count: 10)
            for (at, pause) in pauses { tenths[min(9, Int(at / max(last, 1e-9) * 10))] += pause }
            FileHandle.standardError.write(Data(
                ("pauses by tenth of the run (ms): " + tenths.map { String(Int($0 * 1000)) }.joined(separator: " ") + "\n").utf8))
        }
    }
}

/// The whole line, as the daemon runs it: the planner tick enqueues in chunks of 1,000 (each its own durable
/// transaction) and rings the dispatcher after each; the dispatcher claims 500 at a time (the next claim while the
/// batch before is on the wire), notes each outcome as the server answers, and commits them in groups. Returns the
/// number delivered.
func wholeLine(_ made: [NewNotification], store: KalladDatabase, url: String) async -> Int {
    let enqueueFinished = Atomic<Bool>(false)
    var delivered = 0
    do {
        let bell = Doorbell()
        let enqueuing = Task.detached { () throws -> Void in
            for piece in PlannerTick.pieces(of: made.count, chunk: 1_000) {
                _ = try await store.enqueueInBackground(Array(made[piece]), now: now())
                bell.ring()
            }
            enqueueFinished.store(true, ordering: .releasing)
            bell.ring()
        }
        // Batches are timed only when asked for: the timing sits on the sending thread's path.
        let timed = ProcessInfo.processInfo.environment["KALLAD_DRILL_THREADS"] != nil ? TimedCourier(courier(url)) : nil
        defer { timed?.report() }
        let dispatcher = Dispatcher(policy: .standard, courier: timed ?? courier(url) as any Courier)
        while true {
            let finished = enqueueFinished.load(ordering: .acquiring)
            let report = try await dispatcher.dispatch(store: store, now: now, limit: 500, batches: 10)
            delivered += report.outcomes["delivered"] ?? 0
            guard report.claimed == 0 else { continue }
            if finished { break }
            _ = await bell.wait(timeout: .milliseconds(100))
        }
        try await enqueuing.value
    } catch { fail("\(error)") }
    return delivered
}

/// A batch that came due, as the daemon meets one: its tick enqueued the batch ahead of its due time (the
/// planner's lookahead, 1–2 minutes), the write-ahead log was copied into the database while the store was quiet,
/// and at the due time the dispatcher claims, sends and records, as `DispatcherService` does (200 a claim, each
/// claim joining the running connection). Enqueues first and reads the batch ahead, as the service does in the
/// seconds before its due time (both untimed), then returns the number delivered and the seconds and CPU seconds
/// from the due time to the last outcome recorded.
func dueBatch(_ made: [NewNotification], store: KalladDatabase, url: String) async -> (Int, Double, Double) {
    await enqueueAhead(made, store: store)
    return await dueTime(store: store, url: url, readAhead: await readAhead(store))
}

/// What `DispatcherService` does in the seconds before a due time: the batch due then is read (read-only) so that at
/// the due time only the claims, the sending and the outcomes remain. Untimed, like the enqueue before it; nil with
/// KALLAD_DRILL_NO_READ_AHEAD set (each claim then reads its batch, for A/B comparisons).
func readAhead(_ store: KalladDatabase) async -> ReadAheadBatch? {
    guard ProcessInfo.processInfo.environment["KALLAD_DRILL_NO_READ_AHEAD"] == nil else { return nil }
    do { return try await store.readAhead(dueBy: now()) } catch { fail("\(error)") }
}

/// The planner's tick ahead of the due time: the batch enqueued in pieces of 1,000, then the store left quiet for
/// its checkpoint (in service a minute passes before the due time).
func enqueueAhead(_ made: [NewNotification], store: KalladDatabase) async {
    do {
        for piece in PlannerTick.pieces(of: made.count, chunk: 1_000) {
            _ = try store.enqueue(Array(made[piece]), now: now())
        }
    } catch { fail("\(error)") }
    // The store checkpoints once it has been quiet for a second.
    try? await Task.sleep(for: .milliseconds(1_500))
}

/// The due time of a batch enqueued ahead: claim, send, record until nothing is left; the number delivered, the
/// seconds and CPU seconds to the last outcome recorded.
func dueTime(store: KalladDatabase, url: String, readAhead: ReadAheadBatch?) async -> (Int, Double, Double) {
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    let marked = monotonicSeconds()
    defer { mark("due batch", from: marked) }
    var delivered = 0
    let timed = ProcessInfo.processInfo.environment["KALLAD_DRILL_THREADS"] != nil ? TimedCourier(courier(url)) : nil
    defer { timed?.report() }
    let dispatcher = Dispatcher(policy: .standard, courier: timed ?? courier(url) as any Courier)
    do {
        while true {
            let report = try await dispatcher.dispatch(
                store: store, now: now, limit: DispatcherService.claimLimit, batches: DispatcherService.claimsPerRound,
                within: DispatcherService.roundTime, readAhead: readAhead)
            delivered += report.outcomes["delivered"] ?? 0
            if report.claimed == 0 { break }
        }
        try await store.flushNoted()
    } catch { fail("\(error)") }
    return (delivered, elapsed(start), cpuSeconds() - cpuStart)
}

/// Per thread of this process: name, seconds on a CPU, seconds waiting for one, time slices
/// (`/proc/self/task/*/schedstat`), on standard error when KALLAD_DRILL_THREADS is set.
func reportThreads() {
    guard ProcessInfo.processInfo.environment["KALLAD_DRILL_THREADS"] != nil,
        let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
    else { return }
    for task in tasks.sorted() {
        let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? "?"
        let stat = (try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8)) ?? ""
        let f = stat.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard f.count == 3, f[0] > 5e6 else { continue }
        FileHandle.standardError.write(Data(String(
            format: "thread %@ run %.3f s wait %.3f s slices %.0f\n",
            name.trimmingCharacters(in: .whitespacesAndNewlines), f[0] / 1e9, f[1] / 1e9, f[2]).utf8))
    }
}

/// The outbox alone: enqueue + claim + record, with a courier that does nothing; the seconds it took.
func outboxAlone(_ made: [NewNotification], store: KalladDatabase) async -> Double {
    struct Nothing: Courier {
        func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome { .delivered(nil) }
    }
    let start = ContinuousClock.now
    do {
        _ = try store.enqueue(made, now: now())
        let dispatcher = Dispatcher(policy: .standard, courier: Nothing())
        while try await dispatcher.dispatch(store: store, now: now, limit: 500).claimed > 0 {}
        try await store.flushNoted()
    } catch { fail("\(error)") }
    return elapsed(start)
}

let arguments = CommandLine.arguments
switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
case (4, "fill"):
    guard let count = Int(arguments[3]) else { fail("COUNT must be a number") }
    let store = open(arguments[2])
    let start = ContinuousClock.now
    do {
        let added = try store.enqueue(notifications(count, prefix: "drill", due: now()), now: now())
        print("{\"enqueued\": \(added), \"seconds\": \(elapsed(start))}")
    } catch { fail("\(error)") }

case (4, "drain"), (5, "drain"):
    let store = open(arguments[2])
    let lanes = arguments.count == 5 ? Int(arguments[4]) ?? 1 : 1
    let dispatcher = Dispatcher(policy: .standard, courier: courier(arguments[3]), lanes: lanes)
    let start = ContinuousClock.now
    var sent = 0
    do {
        _ = try store.recoverInterrupted(now: now())
        // What is due is read ahead and claimed from there first, as the daemon does with a batch read before its
        // due time, so a kill also lands among claims of a batch read ahead.
        let ahead = try await store.readAhead(dueBy: now())
        while true {
            // As the daemon dispatches: a claim at a time, the next joining the wire while it still has work.
            let report = try await dispatcher.dispatch(
                store: store, now: now, limit: DispatcherService.claimLimit, batches: DispatcherService.claimsPerRound,
                within: DispatcherService.roundTime, readAhead: ahead)
            sent += report.claimed
            if report.claimed == 0 {
                let counts = try store.countsByState()
                if counts[.queued] == nil && counts[.sending] == nil && counts[.deferred] == nil { break }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        print("{\"sent\": \(sent), \"seconds\": \(elapsed(start))}")
    } catch { fail("\(error)") }

case (4, "line"):
    // The whole line alone (for profiling): prints seconds and CPU seconds.
    guard let count = Int(arguments[3]) else { fail("COUNT must be a number") }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-drill-line-\(getpid()).sqlite").path
    defer { for suffix in ["", "-wal", "-shm", "-outcomes"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let made = notifications(count, prefix: "line", due: now())
    let store = open(path)
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    let marked = monotonicSeconds()
    let delivered = await wholeLine(made, store: store, url: arguments[2])
    mark("whole line", from: marked)
    reportThreads()
    print("{\"delivered\": \(delivered), \"seconds\": \(elapsed(start)), \"cpu_seconds\": \(cpuSeconds() - cpuStart)}")

case (4, "due"):
    // A due batch alone (for profiling): enqueued ahead, then claimed, sent and recorded; prints the latter's
    // seconds and CPU seconds.
    guard let count = Int(arguments[3]) else { fail("COUNT must be a number") }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-drill-due-\(getpid()).sqlite").path
    defer { for suffix in ["", "-wal", "-shm", "-outcomes"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let (delivered, seconds, cpu) = await dueBatch(
        notifications(count, prefix: "due", due: now()), store: open(path), url: arguments[2])
    reportThreads()
    print("{\"delivered\": \(delivered), \"seconds\": \(seconds), \"cpu_seconds\": \(cpu)}")

case (3, "store"):
    // The outbox alone (for profiling): prints seconds and CPU seconds.
    guard let count = Int(arguments[2]) else { fail("COUNT must be a number") }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-drill-store-\(getpid()).sqlite").path
    defer { for suffix in ["", "-wal", "-shm", "-outcomes"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let made = notifications(count, prefix: "store", due: now())
    let cpuStart = cpuSeconds()
    let seconds = await outboxAlone(made, store: open(path))
    print("{\"rows_per_second\": \(Double(count) / seconds), \"seconds\": \(seconds), \"cpu_seconds\": \(cpuSeconds() - cpuStart)}")

case (4, "bare"):
    // The bare transport alone (for profiling): prints seconds and CPU seconds.
    guard let count = Int(arguments[3]) else { fail("COUNT must be a number") }
    let mails = notifications(count, prefix: "bare", due: now()).map {
        OutgoingMail(from: "kallad@example.se", recipients: [$0.deliveries[0].recipient], message: $0.deliveries[0].message)
    }
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    // KALLAD_DRILL_BATCH=N sends the mails in batches of N, one after the other, on the same transport.
    let batch = ProcessInfo.processInfo.environment["KALLAD_DRILL_BATCH"].flatMap { Int($0) } ?? mails.count
    let transport = SMTPTransport(settings: SMTPSettings(url: arguments[2], requireTLS: false))
    var results: [MailResult] = []
    for first in stride(from: 0, to: mails.count, by: max(1, batch)) {
        results += await transport.send(Array(mails[first..<min(mails.count, first + batch)]), connections: 1)
    }
    let delivered = results.filter { $0.recipients.values.allSatisfy { $0.name == "delivered" } }.count
    reportThreads()
    print("{\"delivered\": \(delivered), \"seconds\": \(elapsed(start)), \"cpu_seconds\": \(cpuSeconds() - cpuStart)}")

case (4, "bench"):
    guard let count = Int(arguments[3]) else { fail("COUNT must be a number") }
    let url = arguments[2]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-drill-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    // The bare transport: the same messages, one connection, no outbox.
    let (bareDelivered, bareSeconds, bareCPU) = await bareBatch(await bareMailsWarmedUp(count, url: url), url: url)
    let rowsSeconds = await outboxAlone(
        notifications(count, prefix: "rows", due: now()),
        store: open(folder.appendingPathComponent("store-only.sqlite").path))
    let store = open(folder.appendingPathComponent("outbox.sqlite").path)
    let made = notifications(count, prefix: "outbox", due: now())
    let start = ContinuousClock.now
    let cpuStart = cpuSeconds()
    let delivered = await wholeLine(made, store: store, url: url)
    let outboxSeconds = elapsed(start)
    let outboxCPU = cpuSeconds() - cpuStart
    let (dueDelivered, dueSeconds, dueCPU) = await dueBatch(
        notifications(count, prefix: "due", due: now()),
        store: open(folder.appendingPathComponent("due.sqlite").path), url: url)
    print(
        "{\"messages\": \(count), \"bare_seconds\": \(bareSeconds), \"bare_delivered\": \(bareDelivered), "
            + "\"store_rows_per_second\": \(Double(count) / rowsSeconds), \"store_seconds\": \(rowsSeconds), "
            + "\"outbox_seconds\": \(outboxSeconds), \"outbox_delivered\": \(delivered), "
            + "\"bare_cpu_seconds\": \(bareCPU), \"outbox_cpu_seconds\": \(outboxCPU), "
            + "\"due_seconds\": \(dueSeconds), \"due_delivered\": \(dueDelivered), \"due_cpu_seconds\": \(dueCPU)}")

case (5, "pairs"):
    // A/B comparisons on a shared machine: PAIRS times, a batch enqueued ahead, then the bare transport and that
    // batch's due time back to back (so a load that drifts moves both alike); one JSON line per pair.
    guard let count = Int(arguments[3]), let pairs = Int(arguments[4]) else { fail("COUNT and PAIRS must be numbers") }
    let url = arguments[2]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-drill-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    let mails = await bareMailsWarmedUp(count, url: url)
    for pair in 0..<pairs {
        let store = open(folder.appendingPathComponent("due-\(pair).sqlite").path)
        await enqueueAhead(notifications(count, prefix: "due\(pair)", due: now()), store: store)
        let ahead = await readAhead(store)
        let (bareDelivered, bareSeconds, bareCPU) = await bareBatch(mails, url: url)
        let (delivered, seconds, cpu) = await dueTime(store: store, url: url, readAhead: ahead)
        print(
            "{\"messages\": \(count), \"bare_seconds\": \(bareSeconds), \"bare_delivered\": \(bareDelivered), "
                + "\"bare_cpu_seconds\": \(bareCPU), \"due_seconds\": \(seconds), \"due_delivered\": \(delivered), "
                + "\"due_cpu_seconds\": \(cpu)}")
        fflush(nil)
    }

default:
    fail("usage: kallad-drill fill DB COUNT | drain DB SMTP_URL [LANES] | bench SMTP_URL COUNT | pairs SMTP_URL COUNT PAIRS | bare SMTP_URL COUNT | line SMTP_URL COUNT | due SMTP_URL COUNT | store COUNT")
}
