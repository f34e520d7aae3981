import Testing

@testable import KalladCore

@Suite("Planner: keys made on demand, their order, and role holders worked out once per year")
struct PlannerOrderTests {
    typealias F = Fixture

    /// A notification of a meeting with `id`, of `kind`, sequence `sequence`, as the planner makes them.
    func made(_ id: String, _ kind: NotificationKind, sequence: Int = 0, sequenced: Bool = true) -> DueNotification {
        var meeting = Meeting(
            id: id, body: "lsg", kind: .ordinary, source: .plan, start: F.at("2027-02-11", "10:00"),
            end: F.at("2027-02-11", "15:00"), location: "")
        meeting.sequence = sequence
        return DueNotification(
            sequenced: sequenced, kind: kind, due: Instant(secondsSinceEpoch: 0),
            shared: DueNotification.Shared(meeting: meeting, sender: nil, chair: nil, secretary: nil), recipients: [],
            agendaDeadline: nil, sequence: sequence, previousStart: nil)
    }

    @Test("A made key reads `<meeting id>/<kind>[/<sequence>]`, as bytes and as text")
    func madeKey() {
        let summons = made("lsg/2027-02-11", .summons, sequence: 2)
        let prompt = made("lsg/2027-02-11", .convenerPrompt, sequenced: false)
        #expect(summons.key == "lsg/2027-02-11/summons/2")
        #expect(prompt.key == "lsg/2027-02-11/convener_prompt")
        var bytes: [UInt8] = []
        summons.appendKey(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == summons.key)
        #expect(summons.meetingID == "lsg/2027-02-11")
    }

    @Test("A made key stays what it was when the meeting, kind or sequence of the notification is set")
    func keyHeldWhenChanged() {
        var n = made("lsg/2027-02-11", .summons, sequence: 1)
        n.sequence = 5
        n.kind = .update
        var meeting = n.meeting
        meeting.id = "lsg/2030-01-01"
        n.meeting = meeting
        #expect(n.key == "lsg/2027-02-11/summons/1")
        #expect(n.meetingID == "lsg/2030-01-01")
    }

    @Test("Comparing keys without making them orders as comparing the key texts does")
    func keyOrder() {
        let notifications = [
            made("lsg/2027-02-11", .summons, sequence: 10), made("lsg/2027-02-11", .summons, sequence: 9),
            made("lsg/2027-02-11", .reminder, sequence: 0), made("lsg/2027-02-11", .agendaRequest, sequenced: false),
            made("lsg/2027-02-11-2", .summons), made("lsg/2027-02-1", .summons), made("au/2027-02-11", .update),
            made("lsg/2027-02-11/x", .summons), made("lsg/2027-02-11-extra-å", .summons),
            made("lsg/2027-02-11-extra-a\u{30A}", .summons), made("lsg/2027-02-11", .minutesReminder, sequenced: false),
        ]
        var text = DueNotification(
            key: "lsg/2027-02-11/summons/3", kind: .summons, due: Instant(secondsSinceEpoch: 0),
            meeting: notifications[0].meeting, sender: nil, recipients: [], chair: nil, secretary: nil, sequence: 3)
        text.key = "lsg/2027-02-11/summons/3"
        let all = notifications + [text]
        for a in all {
            for b in all {
                #expect(DueNotification.keyPrecedes(a, b) == (a.key < b.key), "\(a.key) vs \(b.key)")
            }
        }
    }

    @Test("Keys ranked by a schedule's key order order as their texts do, prefixes and non-ASCII ids included")
    func rankedKeyOrder() {
        let plain = [
            made("lsg/2027-02-11", .summons, sequence: 10), made("lsg/2027-02-11", .summons, sequence: 9),
            made("lsg/2027-02-11", .reminder, sequence: 0), made("lsg/2027-02-11", .agendaRequest, sequenced: false),
            made("lsg/2027-02-11-2", .summons), made("lsg/2027-02-1", .summons), made("au/2027-02-11", .update),
            made("lsg/2027-02-11/x", .summons), made("lsg/2027-02-11/x", .reminder),
            made("lsg/2027-02-11/x/y", .summons), made("lsg/2027-02-11-extra-å", .summons),
            made("lsg/2027-02-11-extra-a\u{30A}", .summons), made("lsg/2027-02-11.5", .minutesReminder),
            made("lsg", .summons), made("lsg/2027-02-11", .minutesReminder, sequenced: false),
        ]
        // The same meeting listed twice keeps one rank.
        let meetings = plain.map(\.meeting) + [plain[0].meeting]
        let order = MeetingKeyOrder(meetings: meetings)
        #expect(order.ranks(meetings))
        #expect(!order.ranks(Array(meetings.dropLast())))
        let ranked = plain.enumerated().map { index, n in
            DueNotification(
                sequenced: n.keyIncludesSequence, kind: n.kind, due: n.due,
                shared: DueNotification.Shared(
                    meeting: n.meeting, sender: nil, chair: nil, secretary: nil, keyOrder: order,
                    keyRank: order.ranks[index]),
                recipients: [], agendaDeadline: nil, sequence: n.sequence, previousStart: nil)
        }
        // Ids that others extend with `/` and non-ASCII ids have no rank; the rest have.
        #expect(order.ranks[meetings.count - 1] == order.ranks[0])
        #expect(order.ranks[0] < 0 && order.ranks[7] < 0 && order.ranks[13] < 0 && order.ranks[10] < 0)
        #expect(order.ranks[4] >= 0 && order.ranks[6] >= 0 && order.ranks[9] >= 0)
        for a in ranked {
            for b in ranked {
                #expect(DueNotification.keyPrecedes(a, b) == (a.key < b.key), "\(a.key) vs \(b.key)")
            }
        }
        var sorted = ranked.reversed() as [DueNotification]
        Planner.sortByDueAndKey(&sorted)
        #expect(sorted.map(\.key) == ranked.map(\.key).sorted())
    }

    @Test("The planner's notifications come sorted by due time and then key, every key once")
    func sorted() {
        let all = F.plan(F.registry())
        #expect(!all.isEmpty)
        for (a, b) in zip(all, all.dropFirst()) {
            #expect(a.due < b.due || (a.due == b.due && a.key < b.key), "\(a.key) before \(b.key)")
        }
        #expect(Set(all.map(\.key)).count == all.count)
    }

    @Test("Role holders worked out once per body and year are those the resolver gives each meeting")
    func holdersByYear() {
        let registry = F.registry(changes: [
            OverlayChange(
                id: "c1", action: .standIn(meeting: "lsg/2027-02-11", seat: "divisionschef", person: "p-vikarie"))
        ])
        let (notifications, schedule) = Planner.due(
            registry: registry, from: F.zone.instant(of: F.at("2025-10-01", "00:00")),
            to: F.zone.instant(of: F.at("2028-01-01", "00:00")))
        let roles = RoleResolver(registry: registry, schedule: schedule)
        #expect(!notifications.isEmpty)
        for n in notifications {
            let meeting = schedule.meeting(n.meeting.id) ?? n.meeting
            #expect(n.chair == roles.holder(of: .chair, at: meeting), "\(n.key)")
            #expect(n.secretary == roles.holder(of: .secretary, at: meeting), "\(n.key)")
            #expect(n.sender?.person == roles.holder(of: .convener, at: meeting)?.person, "\(n.key)")
        }
        #expect(roles.dependsOnYearOnly(.chair, in: registry.index(ofBody: "lsg")!))
        #expect(!roles.dependsOnYearOnly(.chair, in: registry.index(ofBody: "forum")!))
        #expect(!roles.dependsOnYearOnly(.chair, in: registry.index(ofBody: "au")!))
    }

    /// A registry with a moved and a cancelled meeting, so some timelines reach any piece.
    static let changed = Fixture.registry(changes: [
        OverlayChange(
            id: "m1",
            action: .moved(meeting: "lsg/2026-09-10", start: Fixture.at("2026-09-17", "10:00"), end: nil),
            knownAt: Fixture.zone.instant(of: Fixture.at("2026-09-01", "13:00"))),
        OverlayChange(
            id: "c1", action: .cancelled(meeting: "lsg/2027-04-15", reason: "test"),
            knownAt: Fixture.zone.instant(of: Fixture.at("2027-04-01", "10:00"))),
    ])

    @Test(
        "Two parts of the bodies, planned apart a piece at a time and merged piece by piece, give what one call gives",
        arguments: [7, 31, 400])
    func partsMerged(pieceDays: Int) {
        let registry = Self.changed
        let from = F.zone.instant(of: F.at("2025-10-01", "00:00"))
        let to = F.zone.instant(of: F.at("2028-01-01", "00:00"))
        let (planner, schedule) = Planner.prepare(registry: registry, from: from, to: to)
        let whole = planner.notifications(for: schedule, from: from, to: to)
        var parts: [[[DueNotification]]] = [[], []]
        for part in 0..<2 {
            planner.notifications(
                for: schedule, from: from, to: to, pieceSeconds: Int64(pieceDays) * 86_400, part: part, of: 2
            ) { parts[part].append($0) }
        }
        #expect(parts[0].count == parts[1].count)
        #expect(!parts[0].joined().isEmpty && !parts[1].joined().isEmpty)
        var merged: [DueNotification] = []
        for (first, second) in zip(parts[0], parts[1]) {
            Planner.inDueOrder(first, second) { merged.append(copy $0) }
        }
        #expect(merged.map(\.key) == whole.map(\.key))
        #expect(merged == whole)
        #expect(whole.contains { $0.kind == .update } && whole.contains { $0.kind == .cancellation })
    }

    /// A window to plan, by its first and last day.
    struct Window: Sendable, CustomStringConvertible {
        var first: String
        var last: String
        var description: String { "\(first)…\(last)" }
    }

    @Test(
        "The schedule cut to a window plans what the whole schedule plans for that window, with fewer meetings",
        arguments: [
            Window(first: "2027-01-01", last: "2027-12-31"), Window(first: "2027-03-01", last: "2027-03-31"),
            Window(first: "2026-09-01", last: "2026-09-30"), Window(first: "2026-12-20", last: "2027-01-10"),
        ])
    func trimmedSchedule(window: Window) {
        let registry = Self.changed
        let from = F.zone.instant(of: F.at(window.first, "00:00"))
        let to = F.zone.instant(of: F.at(window.last, "00:00")).adding(seconds: 86_400)
        let (planner, whole) = Planner.prepare(registry: registry, from: from, to: to)
        let (_, cut) = Planner.prepare(registry: registry, from: from, to: to, trimmed: true)
        let expected = planner.notifications(for: whole, from: from, to: to)
        #expect(!expected.isEmpty)
        #expect(planner.notifications(for: cut, from: from, to: to) == expected)
        #expect(cut.meetings.count < whole.meetings.count)
        // The scheduler made only the meetings the cut keeps (of the other bodies none outside the window), with
        // the ids and fields cutting the whole schedule gives.
        #expect(cut.meetings == planner.trimmed(whole, from: from, to: to).meetings)
        // Bodies whose roles count or look up meetings keep all of theirs: the forum rotates its chair per
        // meeting, the AU follows the LSG's chair.
        #expect(cut.byBody["forum"] == whole.byBody["forum"])
        #expect(cut.byBody["lsg"] == whole.byBody["lsg"])
        #expect(cut.diagnostics == whole.diagnostics)
    }

    @Test("A part outside 0..<parts plans nothing (no crash)", arguments: [(2, 2), (-1, 2), (0, 0)])
    func partOutside(part: Int, parts: Int) {
        let registry = Self.changed
        let from = F.zone.instant(of: F.at("2026-01-01", "00:00"))
        let to = F.zone.instant(of: F.at("2027-01-01", "00:00"))
        let (planner, schedule) = Planner.prepare(registry: registry, from: from, to: to)
        var pieces: [[DueNotification]] = []
        planner.notifications(
            for: schedule, from: from, to: to, pieceSeconds: 31 * 86_400, part: part, of: parts
        ) { pieces.append($0) }
        #expect(pieces.isEmpty)
    }
}
