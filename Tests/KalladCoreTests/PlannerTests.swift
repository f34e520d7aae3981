import Testing

@testable import KalladCore

@Suite("Planner: which notification is due to whom, when")
struct PlannerTests {
    typealias F = Fixture

    func local(_ n: DueNotification?) -> String { n.map { "\(F.zone.local($0.due))" } ?? "none" }

    @Test("The default timeline of one meeting: prompt, agenda request, summons, reminder, minutes reminder")
    func timeline() {
        let all = F.plan(F.registry()).filter { $0.meeting.id == "lsg/2026-09-10" }
        let byKind = Dictionary(grouping: all, by: \.kind)
        // 42 days before 2026-09-10 is Thursday 2026-07-30.
        #expect(local(byKind[.convenerPrompt]?.first) == "2026-07-30T08:00")
        // 28 days before is Thursday 2026-08-13; items due 21 days before, 2026-08-20.
        #expect(local(byKind[.agendaRequest]?.first) == "2026-08-13T08:00")
        #expect(byKind[.agendaRequest]?.first?.agendaDeadline == F.date("2026-08-20"))
        #expect(local(byKind[.summons]?.first) == "2026-08-27T08:00")
        #expect(local(byKind[.reminder]?.first) == "2026-09-08T08:00")
        // One working day after: Friday 2026-09-11, to the secretary (2026: samverkansledare).
        #expect(local(byKind[.minutesReminder]?.first) == "2026-09-11T08:00")
        #expect(byKind[.minutesReminder]?.first?.recipients.map(\.person) == ["p-samverkansledare"])
        #expect(byKind[.convenerPrompt]?.first?.recipients.map(\.person) == ["p-divisionschef"])
        #expect(byKind[.summons]?.first?.sender?.person == "p-divisionschef")
        #expect(byKind[.summons]?.first?.key == "lsg/2026-09-10/summons/0")
        #expect(all.count == 5)
    }

    @Test("Meetings of one body and year with the same role holders share one recipient list")
    func sharedRecipients() {
        let summonses = F.plan(F.registry()).filter { $0.kind == .summons && $0.meeting.body == "lsg" }
        let of2026 = summonses.filter { $0.meeting.date.year == 2026 }
        #expect(of2026.count >= 2)
        func storage(_ n: DueNotification) -> UnsafeRawPointer? {
            n.recipients.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        for n in of2026.dropFirst() {
            #expect(n.recipients == of2026[0].recipients)
            #expect(storage(n) == storage(of2026[0]))
            #expect(n.sender == of2026[0].sender && n.chair == of2026[0].chair)
        }
    }

    @Test("A summons due on a Sunday goes out on the Friday before; one due on a holiday the working day before")
    func workingDays() {
        // Meeting Sunday-14: 2026-11-12 (Thu) − 14 = Thu 2026-10-29, fine; pick a Monday meeting instead.
        let registry = F.registry(lsgDates: ["2026-03-16", "2026-04-20", "2026-06-22", "2026-12-21"])
        let summons = F.plan(registry).filter { $0.kind == .summons && $0.meeting.id.hasPrefix("lsg/2026") }
        // 2026-03-16 − 14 = Monday 03-02 (working); 2026-04-20 − 14 = Mon 04-06 = annandag påsk → Thu 04-02
        // (Good Friday 04-03 is a holiday too); 2026-06-22 − 14 = Mon 06-08; 2026-12-21 − 14 = Mon 12-07.
        #expect(
            summons.map(local) == [
                "2026-03-02T08:00", "2026-04-02T08:00", "2026-06-08T08:00",
                "2026-12-07T08:00",
            ])
        let reminders = F.plan(registry).filter { $0.kind == .reminder && $0.meeting.id.hasPrefix("lsg/2026") }
        // Two days before a Monday is Saturday → Friday.
        #expect(reminders.map(local).first == "2026-03-13T08:00")
    }

    @Test("DST: a notification due at 08:00 local goes out at 08:00 local on both sides of the change")
    func daylightSaving() {
        // Summer time begins 2027-03-28 (also Easter Sunday) and ends 2027-10-31. Two days before 2027-03-31 is
        // annandag påsk; Good Friday is a holiday too, so that reminder goes out on Thursday 03-25.
        let registry = F.registry(lsgDates: ["2027-03-31", "2027-04-01", "2027-11-02", "2027-11-03"])
        let reminders = F.plan(registry).filter { $0.kind == .reminder && $0.meeting.id.hasPrefix("lsg/2027") }
        #expect(
            reminders.map(local) == [
                "2027-03-25T08:00", "2027-03-30T08:00", "2027-10-29T08:00",
                "2027-11-01T08:00",
            ])
        #expect(
            reminders.map { F.zone.iso8601($0.due) } == [
                "2027-03-25T08:00:00+01:00", "2027-03-30T08:00:00+02:00", "2027-10-29T08:00:00+02:00",
                "2027-11-01T08:00:00+01:00",
            ])
    }

    @Test("The same inputs give the same notifications and keys")
    func deterministic() {
        let a = F.plan(F.registry()), b = F.plan(F.registry())
        #expect(a == b)
        #expect(Set(a.map(\.key)).count == a.count)
    }

    @Test("Recipients: members, the substitute for an absent member, co-opted as optional, joint meetings")
    func recipients() {
        let registry = F.registry(changes: [
            OverlayChange(id: "c1", action: .absent(meeting: "lsg/2026-09-10", seat: "socialchef-lulea"))
        ])
        let summons = F.plan(registry).first { $0.key == "lsg/2026-09-10/summons/0" }
        let people = Set(summons?.recipients.map(\.person) ?? [])
        #expect(people.contains("p-socialchef-boden"))
        #expect(!people.contains("p-socialchef-lulea"))
        #expect(summons?.recipients.first { $0.person == "p-socialchef-boden" }?.reason == .substitute)
        let network = F.plan(registry).first { $0.meeting.body == "natverk" && $0.kind == .summons }
        #expect(network?.recipients.first { $0.person == "p-dsk" }?.optional == true)
        // R11: the theme day summons everyone in both bodies, once each.
        let joint = F.plan(registry).first { $0.meeting.body == "temadag" && $0.kind == .summons }
        #expect(
            Set(joint?.recipients.map(\.person) ?? []) == [
                "p-divisionschef", "p-socialchef-lulea", "p-samordnare",
                "p-samverkansledare", "p-konv-region", "p-konv-kommun",
            ])
    }

    @Test("A meeting moved after its summons went: an update then, new reminders with a higher sequence")
    func moved() {
        let knownAt = F.zone.instant(of: F.at("2026-09-01", "13:00"))
        let registry = F.registry(changes: [
            OverlayChange(
                id: "m1",
                action: .moved(
                    meeting: "lsg/2026-09-10", start: F.at("2026-09-17", "10:00"),
                    end: nil), knownAt: knownAt)
        ])
        let all = F.plan(registry).filter { $0.meeting.id == "lsg/2026-09-10" }
        #expect(
            all.map(\.key) == [
                "lsg/2026-09-10/convener_prompt", "lsg/2026-09-10/agenda_request",
                "lsg/2026-09-10/summons/0", "lsg/2026-09-10/update/1",
                "lsg/2026-09-10/reminder/1", "lsg/2026-09-10/minutes_reminder",
            ])
        let update = all.first { $0.kind == .update }
        #expect(update?.due == knownAt)
        #expect(update?.previousStart == F.at("2026-09-10", "10:00"))
        #expect(update?.meeting.start == F.at("2026-09-17", "10:00"))
        #expect(local(all.first { $0.kind == .reminder }) == "2026-09-15T08:00")
    }

    @Test("A moved meeting whose summons had not gone yet: no update, the summons for the new date")
    func movedEarly() {
        let registry = F.registry(changes: [
            OverlayChange(
                id: "m1",
                action: .moved(
                    meeting: "lsg/2026-09-10", start: F.at("2026-09-24", "10:00"),
                    end: nil), knownAt: F.zone.instant(of: F.at("2026-08-20", "09:00")))
        ])
        let all = F.plan(registry).filter { $0.meeting.id == "lsg/2026-09-10" }
        #expect(!all.contains { $0.kind == .update })
        #expect(local(all.first { $0.kind == .summons }) == "2026-09-10T08:00")
        #expect(all.first { $0.kind == .summons }?.key == "lsg/2026-09-10/summons/1")
    }

    @Test("Cancelled after the summons: a cancellation to those already summoned, nothing after it")
    func cancelled() {
        let knownAt = F.zone.instant(of: F.at("2026-09-02", "10:30"))
        let registry = F.registry(changes: [
            OverlayChange(
                id: "x", action: .cancelled(meeting: "lsg/2026-09-10", reason: "Få ärenden"), knownAt: knownAt)
        ])
        let all = F.plan(registry).filter { $0.meeting.id == "lsg/2026-09-10" }
        #expect(all.map(\.kind) == [.convenerPrompt, .agendaRequest, .summons, .cancellation])
        #expect(all.last?.due == knownAt)
        #expect(all.last?.recipients.count == all.first { $0.kind == .summons }?.recipients.count)
    }

    @Test("summons.send_now: the summons goes out when asked, once; asked after it went, nothing new")
    func sendNow() {
        let asked = F.zone.instant(of: F.at("2026-08-18", "13:45"))
        let early = F.plan(F.registry(changes: [
            OverlayChange(id: "s", action: .sendNow(meeting: "lsg/2026-09-10"), knownAt: asked)
        ])).filter { $0.meeting.id == "lsg/2026-09-10" }
        #expect(early.filter { $0.kind == .summons }.map(\.due) == [asked])
        #expect(early.first { $0.kind == .summons }?.key == "lsg/2026-09-10/summons/0")
        let late = F.zone.instant(of: F.at("2026-09-01", "09:00"))
        let after = F.plan(F.registry(changes: [
            OverlayChange(id: "s", action: .sendNow(meeting: "lsg/2026-09-10"), knownAt: late)
        ])).filter { $0.meeting.id == "lsg/2026-09-10" && $0.kind == .summons }
        #expect(after.map { local($0) } == ["2026-08-27T08:00"])
    }

    @Test("Cancelled before anyone was told, or in the configuration: no cancellation")
    func cancelledQuietly() {
        let early = F.registry(changes: [
            OverlayChange(
                id: "x", action: .cancelled(meeting: "lsg/2026-09-10", reason: ""),
                knownAt: F.zone.instant(of: F.at("2026-08-01", "10:00")))
        ])
        #expect(F.plan(early).filter { $0.meeting.id == "lsg/2026-09-10" }.map(\.kind) == [.convenerPrompt])
        let configured = F.registry(changes: [
            OverlayChange(id: "x", action: .cancelled(meeting: "lsg/2026-09-10", reason: ""))
        ])
        #expect(F.plan(configured).filter { $0.meeting.id == "lsg/2026-09-10" }.isEmpty)
    }

    @Test("An extra meeting known at short notice: prompt and summons at once, no late reminder (R12)")
    func extra() {
        let knownAt = F.zone.instant(of: F.at("2026-10-05", "14:10"))
        let registry = F.registry(changes: [
            OverlayChange(
                id: "e1",
                action: .extra(
                    body: "lsg", start: F.at("2026-10-07", "13:00"), end: F.time("15:00"),
                    requestedBy: "lulea", reason: "Brådskande"), knownAt: knownAt)
        ])
        let all = F.plan(registry).filter { $0.meeting.kind == .extra }
        // The reminder (due 08:00 the same day) would come before anyone knew of the meeting: left out.
        #expect(all.map(\.kind) == [.convenerPrompt, .summons, .minutesReminder])
        #expect(all.first { $0.kind == .summons }?.due == knownAt)
        #expect(all.first { $0.kind == .summons }?.meeting.requestedBy == "lulea")
        #expect(all.first?.meeting.id == "lsg/2026-10-07-extra-e1")
    }

    @Test("Nothing but the minutes reminder is ever due after the meeting has begun")
    func nothingAfterStart() {
        let registry = F.registry(changes: [
            OverlayChange(
                id: "e1",
                action: .extra(
                    body: "lsg", start: F.at("2026-10-07", "10:00"), end: nil,
                    requestedBy: nil, reason: ""),
                knownAt: F.zone.instant(of: F.at("2026-10-07", "11:00")))
        ])
        let all = F.plan(registry).filter { $0.meeting.kind == .extra }
        #expect(all.map(\.kind) == [.minutesReminder])
        for n in F.plan(F.registry()) where n.kind != .minutesReminder {
            #expect(n.due < F.zone.instant(of: n.meeting.start))
        }
    }
}
