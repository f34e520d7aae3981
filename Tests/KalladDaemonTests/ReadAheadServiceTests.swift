import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import KalladTransport
import Logging
import Synchronization
import Testing

/// A courier that sends nothing and notes the keys it was handed, in order.
final class KeyRecorder: Courier, Sendable {
    let keys = Mutex<[String]>([])

    func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome {
        keys.withLock { $0.append(delivery.notificationKey) }
        return .delivered(nil)
    }
}

@Suite("The dispatcher service reads a batch ahead of its due time")
struct ReadAheadServiceTests {
    @Test("a batch due within the wait is read ahead; at the due time it goes first, without what was cancelled")
    func readsAhead() async throws {
        let outbox = try ScratchOutbox()
        defer { outbox.remove() }
        let store = outbox.store
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let courier = KeyRecorder()
        let dispatcher = Dispatcher(policy: .standard, courier: courier)
        let start = Instant(secondsSinceEpoch: 1_800_000_000)
        let clock = Mutex(start)
        let due = start.adding(seconds: 2)
        #expect(try store.enqueue(OutboxDeliveryTests.summonses(30, named: "ahead", due: due), now: start) == 30)
        let bell = Doorbell()
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "test") { label in
            LogfmtHandler(label: label, level: .debug, sink: { line in lines.withLock { $0.append(line) } })
        }
        let service = DispatcherService(
            store: store, runtime: { OutboxRuntime(tick: tick, dispatcher: dispatcher) }, doorbell: bell,
            clock: { clock.withLock { $0 } }, logger: logger)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        // The service finds the batch due in 2 s (its clock stands still until the test moves it), reads it ahead
        // and waits. Meanwhile one of it is cancelled and a summons due sooner arrives: claimed in due order it
        // would go first, but the batch read ahead goes first. The wait is long because the service's task needs a
        // thread of the cooperative pool, which the suites that compute for seconds may hold for half a minute
        // when every test runs at once on 2 cores; when it is scheduled, the line comes at once.
        let read = try await eventually(timeout: 180) {
            lines.withLock { $0.contains { $0.contains("read ahead") && $0.contains("deliveries=30") } }
        }
        #expect(read, "\(lines.withLock { $0 })")
        #expect(courier.keys.withLock { $0 }.isEmpty, "nothing is due yet")
        let cancelled = try store.deliveries(DeliveryFilter(meeting: "ahead/7")).map(\.id)
        try store.settle(cancelled, as: .cancelled, reason: "meeting cancelled", now: start)
        #expect(
            try store.enqueue(OutboxDeliveryTests.summonses(1, named: "sooner", due: start.adding(seconds: 1)), now: start)
                == 1)
        clock.withLock { $0 = due }
        bell.ring()
        let sent = try await eventually(timeout: 180) { courier.keys.withLock { $0.count } == 30 }
        #expect(sent)
        #expect(courier.keys.withLock { $0 } == (0..<30).filter { $0 != 7 }.map { "ahead-\($0)" } + ["sooner-0"])
        let settled = try await eventually(timeout: 180) { try store.countsByState() == [.delivered: 30, .cancelled: 1] }
        #expect(settled)
    }
}
