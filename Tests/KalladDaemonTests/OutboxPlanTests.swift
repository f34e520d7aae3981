import Foundation
import KalladCore
import KalladDaemon
import KalladStore
import KalladTestSupport
import Testing

/// Counts what a folder courier wrote, by kind, and keeps the files for inspection.
struct FolderOutbox {
    let outbox: ScratchOutbox
    let mail: URL

    init() throws {
        outbox = try ScratchOutbox()
        mail = outbox.folder.appendingPathComponent("mail")
    }

    var courier: FolderCourier {
        get throws { FolderCourier(folder: mail.path, receivers: try ReceiverDirectory(registry: Registry())) }
    }

    func files(containing part: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []).filter { $0.contains(part) }.sorted()
    }
}

@Suite("Outbox and the plan: idempotence, changes, DST")
struct OutboxPlanTests {
    @Test("running the planner twice, or after a restart, never enqueues twice")
    func idempotentTicks() throws {
        let scratch = try ScratchOutbox()
        defer { scratch.remove() }
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11", "2027-05-20"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let now = OutboxFixture.instant("2027-02-25T09:00")
        let first = try tick.run(store: scratch.store, now: now, lookahead: 86_400 * 60)
        #expect(first.enqueued > 0 && first.problems.isEmpty)
        #expect(try tick.run(store: scratch.store, now: now, lookahead: 86_400 * 60).enqueued == 0)
        let reopened = try KalladDatabase(path: scratch.store.path)
        let again = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        #expect(try again.run(store: reopened, now: now.adding(seconds: 60), lookahead: 86_400 * 60).enqueued == 0)
        let notifications = Set(try reopened.deliveries(DeliveryFilter()).map(\.notificationKey))
        #expect(notifications.count == first.enqueued)
    }

    @Test("a cancellation trigger cancels what waits and tells those already summoned")
    func cancelled() async throws {
        let folder = try FolderOutbox()
        defer { folder.outbox.remove() }
        let store = folder.outbox.store
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: try folder.courier)
        // Up to the day after the summons went out.
        try await drive(
            tick: tick, dispatcher: dispatcher, store: store, from: OutboxFixture.instant("2027-01-20T00:00"),
            to: OutboxFixture.instant("2027-02-26T00:00"))
        #expect(folder.files(containing: "_summons_0_").count == 3)
        let known = OutboxFixture.instant("2027-03-01T12:00")
        let trigger = TriggerEntry(
            id: "msg_cancel", system: "test", type: "meeting.cancelled", receivedAt: known, payload: "{}",
            changes: [
                OverlayChange(
                    id: "msg_cancel", action: .cancelled(meeting: "natverk/2027-03-11", reason: "sjukdom"),
                    knownAt: known)
            ])
        #expect(try store.recordTrigger(trigger))
        try await drive(
            tick: tick, dispatcher: dispatcher, store: store, from: OutboxFixture.instant("2027-02-26T00:00"),
            to: OutboxFixture.instant("2027-03-12T00:00"))
        #expect(folder.files(containing: "_cancellation_").count == 3, "\(folder.files(containing: "cancel"))")
        #expect(folder.files(containing: "_reminder_").isEmpty)
        let reminders = try store.deliveries(DeliveryFilter()).filter { $0.kind == .reminder }
        #expect(reminders.isEmpty || reminders.allSatisfy { $0.state == .cancelled })
        let cancellation = try String(
            contentsOf: folder.mail.appendingPathComponent(folder.files(containing: "_cancellation_")[0]),
            encoding: .utf8)
        #expect(decodedParts(Data(cancellation.utf8)).contains("METHOD:CANCEL"))
    }

    @Test("requested and cancelled in the same second: those the outbox told get the cancellation")
    func cancelledInTheSameSecond() async throws {
        let folder = try FolderOutbox()
        defer { folder.outbox.remove() }
        let store = folder.outbox.store
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-05-20"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: try folder.courier)
        let t = OutboxFixture.instant("2027-03-01T09:30")
        let start = LocalDateTime(LocalDate(year: 2027, month: 3, day: 9)!, LocalTime(hour: 10, minute: 0)!)
        #expect(try store.recordTrigger(
            TriggerEntry(
                id: "x1", system: "test", type: "meeting.requested", receivedAt: t, payload: "{}",
                changes: [
                    OverlayChange(
                        id: "x1", action: .extra(body: "natverk", start: start, end: nil, requestedBy: nil, reason: "r"),
                        knownAt: t)
                ])))
        _ = try tick.run(store: store, now: t, lookahead: 120)
        _ = try await dispatcher.dispatch(store: store, now: { t })
        let meeting = Overlay.extraMeetingID(body: "natverk", date: start.date, changeID: "x1")
        #expect(try store.toldPeople(meeting: meeting) == ["anna", "bo", "dan"])
        #expect(try store.recordTrigger(
            TriggerEntry(
                id: "x2", system: "test", type: "meeting.cancelled", receivedAt: t, payload: "{}",
                changes: [OverlayChange(id: "x2", action: .cancelled(meeting: meeting, reason: "r"), knownAt: t)])))
        for _ in 0..<2 {
            _ = try tick.run(store: store, now: t, lookahead: 120)
            _ = try await dispatcher.dispatch(store: store, now: { t })
        }
        let cancellations = try store.deliveries(DeliveryFilter(meeting: meeting)).filter { $0.kind == .cancellation }
        #expect(cancellations.count == 3 && cancellations.allSatisfy { $0.state == .delivered }, "\(cancellations)")
    }

    @Test("a move supersedes the old reminder, sends an update to those summoned, and reminds at the new time")
    func moved() async throws {
        let folder = try FolderOutbox()
        defer { folder.outbox.remove() }
        let store = folder.outbox.store
        let registry = try OutboxFixture.registry(OutboxFixture.yaml(dates: ["2027-03-11"]))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: try folder.courier)
        try await drive(
            tick: tick, dispatcher: dispatcher, store: store, from: OutboxFixture.instant("2027-02-20T00:00"),
            to: OutboxFixture.instant("2027-03-08T00:00"))
        // The reminder (due 2027-03-09 08:00) is enqueued a day ahead, so there is one waiting to be superseded.
        _ = try tick.run(store: store, now: OutboxFixture.instant("2027-03-08T12:00"), lookahead: 86_400 * 2)
        #expect(try store.deliveries(DeliveryFilter()).filter { $0.kind == .reminder && $0.state == .queued }.count == 3)
        let known = OutboxFixture.instant("2027-03-08T13:00")
        let newStart = LocalDateTime(LocalDate(year: 2027, month: 3, day: 18)!, LocalTime(hour: 10, minute: 0)!)
        #expect(try store.recordTrigger(
            TriggerEntry(
                id: "msg_move", system: "test", type: "meeting.moved", receivedAt: known, payload: "{}",
                changes: [
                    OverlayChange(
                        id: "msg_move", action: .moved(meeting: "natverk/2027-03-11", start: newStart, end: nil),
                        knownAt: known)
                ])))
        try await drive(
            tick: tick, dispatcher: dispatcher, store: store, from: known, to: OutboxFixture.instant("2027-03-19T00:00"))
        let all = try store.deliveries(DeliveryFilter())
        #expect(all.filter { $0.kind == .reminder && $0.notificationKey.hasSuffix("/reminder/0") }.allSatisfy {
            $0.state == .superseded
        })
        #expect(all.filter { $0.kind == .update }.count == 3 && all.filter { $0.kind == .update }.allSatisfy {
            $0.state == .delivered
        })
        #expect(all.filter { $0.notificationKey.hasSuffix("/reminder/1") && $0.state == .delivered }.count == 3)
    }

    // 2027: summer time from 28 March (Easter Sunday; Good Friday 26 March is a holiday), winter time from 31 October.
    @Test("DST: a reminder due at 09:00 local goes out at 09:00 local on both sides of the change",
          arguments: [("2027-03-30", "2027-03-25", 8), ("2027-04-01", "2027-03-30", 7),
                      ("2027-11-02", "2027-10-29", 7), ("2027-11-04", "2027-11-02", 8)])
    func daylightSaving(meeting: String, reminderDay: String, utcHour: Int) async throws {
        let folder = try FolderOutbox()
        defer { folder.outbox.remove() }
        let store = folder.outbox.store
        let registry = try OutboxFixture.registry(
            OutboxFixture.yaml(dates: [meeting], sendAt: "09:00", reminderDays: 2))
        let tick = PlannerTick(registry: registry, composer: try OutboxFixture.composer)
        let dispatcher = Dispatcher(policy: .standard, courier: try folder.courier)
        let day = OutboxFixture.instant("\(reminderDay)T00:00")
        try await drive(tick: tick, dispatcher: dispatcher, store: store, from: day, to: day.adding(seconds: 86_400))
        let reminders = try store.deliveries(DeliveryFilter()).filter { $0.kind == .reminder }
        #expect(reminders.count == 3)
        for reminder in reminders {
            #expect(reminder.state == .delivered)
            let sent = try store.attempts(reminder.id).first?.started
            #expect(sent.map { ($0.secondsSinceEpoch % 86_400) / 3600 } == Int64(utcHour), "\(meeting): \(String(describing: sent))")
            #expect(sent.map { ZoneRules.stockholm.local($0).time.description } == "09:00")
        }
    }
}
