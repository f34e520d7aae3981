import ArgumentParser
import Foundation
import Glibc
import KalladCompose
import KalladCore
import KalladDaemon

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every notification that would be sent between two dates (a dry run: nothing is sent).")

    @OptionGroup var options: ConfigOptions

    @Option(help: "First day (YYYY-MM-DD, inclusive; default today).")
    var from: LocalDate?

    @Option(help: "Last day (YYYY-MM-DD, inclusive; default 90 days after --from).")
    var to: LocalDate?

    @Option(help: "Only this body.")
    var body: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(help: "Also write every message, exactly as it would be sent, as <key>.eml into this folder.")
    var eml: String?

    @Option(help: "The service's own address: envelope sender and From.")
    var serviceAddress = "kallad@example.se"

    func run() throws {
        MallocArenas.shareOne()
        let (registry, _) = try options.load()
        try requireBody(body, in: registry)
        let zone = registry.settings.zone
        let first = from ?? today(in: zone)
        let last = to ?? first.adding(days: 90)
        guard first <= last else { throw ValidationError("--from \(first) is after --to \(last)") }
        guard first.days(to: last) <= 3660 else { throw ValidationError("preview at most ten years at a time") }
        let start = zone.instant(of: LocalDateTime(first, .midnight))
        let end = zone.instant(of: LocalDateTime(last.adding(days: 1), .midnight))
        let (planner, schedule) = Planner.prepare(registry: registry, from: start, to: end, trimmed: true)
        for diagnostic in schedule.diagnostics { Console.error(diagnostic.description) }
        // A week at a time, so a year of a national registry is never all in memory at once; the text goes out
        // in large writes.
        var shown: [DueNotification] = []
        var count = 0
        let output = OutputBuffer()
        // The options as plain values: reading an option through its property wrapper per notification is slow.
        let body = self.body, format = self.format, keep = eml != nil
        // Two threads plan half of the bodies each, a week ahead at most, and write each week's notifications
        // (their memory still at hand there), while this one merges their weeks in order, line by line.
        let parts = (0..<2).map { part in
            PieceChannel.planning { put in
                planner.notifications(
                    for: schedule, from: start, to: end, pieceSeconds: 7 * 86_400, part: part, of: 2
                ) { notifications in
                    put(WrittenPiece(notifications, format: format, body: body, zone: zone))
                }
            }
        }
        func write(_ piece: WrittenPiece, _ index: Int) throws {
            let lineStart = index == 0 ? 0 : piece.ends[index - 1], lineEnd = piece.ends[index]
            // Another body's (`--body`): nothing written.
            guard lineEnd > lineStart else { return }
            count += 1
            output.bytes.append(contentsOf: piece.text[lineStart..<lineEnd])
            if keep { shown.append(piece.notifications[index]) }
            try output.flushIfFull()
        }
        while let first = parts[0].take(), let second = parts[1].take() {
            try Planner.inDueOrder(first.order, second.order) {
                part, index in
                if part == 0 { try write(first, index) } else { try write(second, index) }
            }
            parts[0].giveBack(consume first)
            parts[1].giveBack(consume second)
        }
        try output.flush()
        if let eml { try writeMessages(shown, registry: registry, to: eml) }
        if format == .text {
            output.append("\(count) notifications due \(first)–\(last); nothing was sent (dry run)\n")
            try output.flush()
        }
        ProcessEnd.exit(ExitStatus.ok, keeping: (registry, planner, schedule, shown))
    }

    /// Writes each recipient's message as `<delivery key>.eml`, `/` in the key replaced by `_`.
    func writeMessages(_ notifications: [DueNotification], registry: Registry, to folder: String) throws {
        let composer = try TemplateFiles.load(config: options.config)
        let domain = String(serviceAddress.split(separator: "@").last ?? "example.se")
        let settings = MailSettings(serviceAddress: serviceAddress, domain: domain)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var count = 0
        for notification in notifications {
            // The message is dated when it is due: what the dispatcher would send then.
            for mail in try composer.mails(
                for: notification, registry: registry, settings: settings,
                now: notification.due)
            {
                let name = mail.deliveryKey.replacingOccurrences(of: "/", with: "_") + ".eml"
                try Data(mail.message.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
                count += 1
            }
        }
        Console.error("wrote \(count) messages to \(folder)")
    }
}

/// glibc gives each thread that allocates its own malloc arena, and memory freed in one arena is not reused by
/// another: the meetings the scheduler's threads work out and the preview then frees would stay resident while the
/// planning threads fill arenas of their own. The commands that run briefly on a few threads share one arena instead
/// (the threads are few and spend little of their time in malloc).
enum MallocArenas {
    /// Before the command starts its threads.
    static func shareOne() {
        // `mallopt` is not in the Glibc module (malloc.h); it is looked up in the C library. M_ARENA_MAX is -8.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: MallOpt.self)(-8, 1)
    }
}

/// A piece of one planning thread: its notifications, sorted, what orders them, and each one's line (text or
/// JSON), written on that thread.
struct WrittenPiece: Sendable {
    /// The notifications, sorted, and what orders them.
    let order: PieceOrder
    var notifications: [DueNotification] { order.notifications }
    /// The lines one after another; line k ends at `ends[k]` (and starts where line k - 1 ends). A notification of
    /// another body than `--body` has an empty line.
    let text: [UInt8]
    let ends: [Int]

    init(_ notifications: [DueNotification], format: OutputFormat, body: String?, zone: ZoneRules) {
        var text: [UInt8] = []
        text.reserveCapacity(notifications.count * (format == .text ? 200 : 1_000))
        var ends: [Int] = []
        ends.reserveCapacity(notifications.count)
        // Read in place, from the array itself and borrowed: an element read through an unsafe pointer is copied
        // first, and a copy of a notification retains (and then releases) each of its references.
        for index in notifications.indices {
            if body == nil || notifications[index].meeting.body == body {
                switch format {
                case .json: NotificationJSON.append(notifications[index], zone: zone, to: &text)
                case .text: TextOutput.appendNotification(notifications[index], zone: zone, to: &text)
                }
            }
            ends.append(text.count)
        }
        self.order = PieceOrder(notifications)
        self.text = text
        self.ends = ends
    }
}

/// The pieces one planning thread hands over, in order, at most one waiting.
final class PieceChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [WrittenPiece] = []
    private var finished = false
    /// Pieces written out and handed back, for the planning thread to let go.
    private var done: [WrittenPiece] = []

    /// Starts a thread that runs `plan`, which hands each piece to the `put` it is given.
    static func planning(_ plan: @escaping @Sendable (_ put: (WrittenPiece) -> Void) -> Void) -> PieceChannel {
        let channel = PieceChannel()
        let thread = Thread {
            plan { channel.put($0) }
            channel.finish()
        }
        thread.start()
        return channel
    }

    private func put(_ piece: WrittenPiece) {
        var freed: [WrittenPiece] = []
        condition.lock()
        while !waiting.isEmpty { condition.wait() }
        waiting.append(piece)
        swap(&freed, &done)
        condition.broadcast()
        condition.unlock()
        // The pieces handed back are let go here, on the thread that made them: their notifications share
        // recipient lists with those this thread is still making, and freeing them on the writing thread would
        // write those lists' reference counts from two threads at once.
        freed.removeAll()
    }

    /// Hands a piece back once its lines are written, for the planning thread to let go.
    func giveBack(_ piece: consuming WrittenPiece) {
        condition.lock()
        done.append(piece)
        condition.unlock()
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next piece, or `nil` once the thread has handed over every piece.
    func take() -> WrittenPiece? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !finished { condition.wait() }
        guard !waiting.isEmpty else { return nil }
        condition.broadcast()
        return waiting.removeFirst()
    }
}
