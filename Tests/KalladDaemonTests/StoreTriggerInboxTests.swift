import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import Testing

@Suite("The trigger inbox on the SQLite outbox")
struct StoreTriggerInboxTests {
    @Test("accepted once, replay recognised, the planner rung, changes and deliveries readable")
    func inbox() async throws {
        let scratch = try ScratchOutbox()
        defer { scratch.remove() }
        let bell = Doorbell()
        let inbox = StoreTriggerInbox(store: scratch.store, plannerBell: bell)
        let at = Instant(secondsSinceEpoch: 1_800_000_000)
        let trigger = InboundTrigger(
            id: "msg_1", system: "journal", type: "meeting.cancelled", receivedAt: at,
            changes: [OverlayChange(id: "msg_1", action: .cancelled(meeting: "b/2027-03-04", reason: "x"), knownAt: at)],
            payload: #"{"meeting":"b/2027-03-04"}"#)
        #expect(try await inbox.record(trigger) == .accepted)
        #expect(await bell.wait(timeout: .milliseconds(10)), "an accepted trigger rings the planner")
        #expect(try await inbox.record(trigger) == .duplicate)
        #expect(await bell.wait(timeout: .milliseconds(10)) == false, "a replay does not")
        #expect(try await inbox.overlay().changes == trigger.changes)
        #expect(try await inbox.deliveries(meeting: "b/2027-03-04").isEmpty)
    }
}
