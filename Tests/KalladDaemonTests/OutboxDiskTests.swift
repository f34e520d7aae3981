import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import KalladTestSupport
import Logging
import Testing

/// A small tmpfs the test mounts (it runs as root in CI), so the disk can really fill up and turn read-only.
final class SmallDisk {
    let mountPoint: URL

    init?(kilobytes: Int) {
        mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-disk-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard Self.sh("mount -t tmpfs -o size=\(kilobytes)k tmpfs '\(mountPoint.path)'") == 0 else {
            try? FileManager.default.removeItem(at: mountPoint)
            return nil
        }
    }

    deinit {
        _ = Self.sh("umount '\(mountPoint.path)'")
        try? FileManager.default.removeItem(at: mountPoint)
    }

    /// Fills what is left with a file (removed by `free`).
    func fill() { _ = Self.sh("dd if=/dev/zero of='\(mountPoint.path)/filler' bs=4k 2>/dev/null; sync") }
    func free() { try? FileManager.default.removeItem(at: mountPoint.appendingPathComponent("filler")) }

    @discardableResult
    static func sh(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// What the dispatcher service said about its health, in order.
actor HealthLog {
    var states: [OutboxHealth] = []
    func add(_ health: OutboxHealth) { states.append(health) }
    var codes: [String] {
        states.map {
            switch $0 {
            case .ok: "ok"
            case .failing(let error, _): error.code
            }
        }
    }
}

func eventually(timeout: Double = 90, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}

@Suite("The outbox on a full and on a read-only disk", .serialized)
struct OutboxDiskTests {
    @Test("full, then read-only: the dispatcher reports it and stops claiming; when the disk is back it carries on")
    func fullAndReadOnly() async throws {
        guard let disk = SmallDisk(kilobytes: 8192) else {
            // Only root can mount; CI runs as root. Without it, SQLite's page limit stands in (see StoreTests).
            Issue.record("cannot mount a tmpfs here (not root?): the full-disk test did not run")
            return
        }
        let mail = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-disk-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: mail) }
        let store = try KalladDatabase(path: disk.mountPoint.appendingPathComponent("kallad.sqlite").path)
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let now = OutboxFixture.instant("2027-03-01T09:00")
        func batch(_ prefix: String) -> [NewNotification] {
            (0..<40).map { n in
                NewNotification(
                    key: "\(prefix)-\(n)", kind: .summons, meeting: "natverk/2027-03-11", body: "natverk", sequence: 0,
                    due: now, meetingStart: now.adding(seconds: 10 * 86_400),
                    deliveries: ["a", "b", "c"].map {
                        NewDelivery(
                            channel: .email, recipient: "\($0)@example.se", envelopeFrom: "kallad@example.se",
                            message: "Subject: \(prefix) \(n)\r\n\r\n" + String(repeating: "x", count: 2000))
                    })
            }
        }
        #expect(try store.enqueue(batch("first"), now: now) == 40)
        let total = try store.countsByState()[.queued] ?? 0
        #expect(total == 120)

        // With the log emptied, the next write needs new space (outcomes are committed in groups: without this
        // they could fit in log pages already on the disk).
        try store.checkpoint()
        disk.fill()
        let health = HealthLog()
        let bell = Doorbell()
        let dispatcher = Dispatcher(
            policy: .standard, courier: FolderCourier(folder: mail.path, receivers: try ReceiverDirectory(registry: registry, secretsOptional: true)))
        let service = DispatcherService(
            store: store, runtime: { OutboxRuntime(tick: tick, dispatcher: dispatcher) }, doorbell: bell,
            clock: { now }, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            health: { await health.add($0) })
        let running = Task { try await service.run() }
        defer { running.cancel() }

        let full = try await eventually { await health.codes.contains("store.full") }
        let codes = await health.codes
        #expect(full, "\(codes)")
        let stuck = try store.countsByState()
        #expect((stuck[.delivered] ?? 0) == 0, "nothing is recorded as delivered while the disk is full")

        disk.free()
        bell.ring()
        let carriedOn = try await eventually { (try store.countsByState()[.delivered] ?? 0) == total }
        #expect(carriedOn)
        let afterFull = try await eventually { await health.codes.last == "ok" }
        #expect(afterFull)
        #expect(try store.countsByState()[.sending] == nil)

        // Read-only: what is due is not claimed, and the reason is reported; once writable it goes out.
        #expect(try store.enqueue(batch("second"), now: now) == 40)
        let before = await health.states.count
        try store.refuseWrites(true)
        bell.ring()
        let reported = try await eventually {
            await health.states.dropFirst(before).contains { if case .failing = $0 { true } else { false } }
        }
        #expect(reported)
        let refused = await health.codes.dropFirst(before).first { $0 != "ok" } ?? ""
        #expect(refused == "store.readonly")
        #expect((try store.countsByState()[.queued] ?? 0) == 120, "nothing claimed while read-only")
        try store.refuseWrites(false)
        bell.ring()
        let drained = try await eventually { try store.countsByState() == [.delivered: 240] }
        #expect(drained)
        let afterReadOnly = try await eventually { await health.codes.last == "ok" }
        #expect(afterReadOnly)
        #expect(try store.integrityCheck())
    }
}
