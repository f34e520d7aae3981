import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import Logging
import Testing

@Suite("The planner-tick service")
struct OutboxServiceTests {
    @Test("plans at once, rings the dispatcher, and purges what finished before the retention")
    func tickAndPurge() async throws {
        let folder = try FolderOutbox()
        defer { folder.outbox.remove() }
        let store = folder.outbox.store
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: try folder.courier)
        // Something finished a year ago: past the 180-day retention.
        let old = OutboxFixture.instant("2026-02-01T08:00")
        _ = try store.enqueue(
            [NewNotification(
                key: "old", kind: .summons, meeting: "natverk/2026-02-12", body: "natverk", sequence: 0, due: old,
                meetingStart: old.adding(seconds: 86_400 * 11),
                deliveries: [NewDelivery(channel: .email, recipient: "anna@example.se", message: "x")])],
            now: old)
        for claimed in try store.claimDue(now: old, limit: 10) {
            try store.record(
                claimed.id, attempt: AttemptRecord(started: old, milliseconds: 1, outcome: "delivered"),
                resolution: .delivered, now: old)
        }
        let now = OutboxFixture.instant("2027-02-25T08:00")
        let dispatcherBell = Doorbell()
        let service = PlannerTickService(
            store: store, runtime: { OutboxRuntime(tick: tick, dispatcher: dispatcher) }, doorbell: Doorbell(),
            dispatcherBell: dispatcherBell, clock: { now },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await service.run() }
        defer { running.cancel() }
        #expect(await dispatcherBell.wait(timeout: .seconds(60)), "the tick enqueued the summons and rang")
        let keys = Set(try store.deliveries(DeliveryFilter()).map(\.notificationKey))
        #expect(!keys.contains("old"), "purged")
        #expect(keys.contains("natverk/2027-03-11/summons/0"))
    }
}
