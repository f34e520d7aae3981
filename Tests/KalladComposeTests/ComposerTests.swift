import Foundation
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladCompose

@Suite("Composer: every notification kind, through the bundled templates, parses as intended")
struct ComposerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func templates() throws -> [String: [String: String]] {
        var texts: [String: [String: String]] = [:]
        for language in ["sv", "en"] {
            let folder = root.appendingPathComponent("Config/templates/\(language)")
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                texts[language, default: [:]][String(file.dropLast(".mustache".count))] =
                    try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            }
        }
        return texts
    }

    static func registry(language: String) -> Registry {
        let d = { (s: String) in LocalDate(iso: s)! }
        let t = { (s: String) in LocalTime(iso: s)! }
        let zone = ZoneRules.stockholm
        let people = [
            Person(id: "asa", name: "Åsa Öberg", email: "asa@example.se"),
            Person(id: "per", name: "Per Nyström", email: "per@example.se"),
            Person(id: "eva", name: "Eva Ärlig", email: "eva@example.se"),
            Person(id: "ola", name: "Ola Adjungerad", email: "ola@example.se"),
        ]
        let seats = [
            Seat(id: "ordf", office: nil, person: "asa", party: "region"),
            Seat(id: "led", office: nil, person: "per", party: "kommun", substitute: "eva"),
            Seat(id: "adj", office: nil, person: "ola", party: "kommun", coopted: true),
        ]
        let body = Body(
            id: "lsg", name: "Länsstyrgruppen", kind: .steeringGroup, seats: seats, convener: .seat("ordf"),
            chair: .seat("ordf"), secretary: .appointedBy(.convener), startTime: t("10:00"), endTime: t("15:00"),
            location: "Luleå, Stadshuset",
            schedule: Schedule(plan: [
                2027: [
                    PlannedDate(date: d("2027-02-11")),
                    PlannedDate(date: d("2027-04-15")),
                ]
            ]))
        let at = { (date: String, time: String) in zone.instant(of: LocalDateTime(d(date), t(time))) }
        return Registry(
            settings: Settings(language: language),
            parties: [
                Party(id: "region", name: "Regionen", kind: .region),
                Party(id: "kommun", name: "Kommunen", kind: .municipality),
            ],
            people: people, bodies: [body],
            changes: Overlay(changes: [
                OverlayChange(
                    id: "a1",
                    action: .agendaItem(
                        meeting: "lsg/2027-02-11", title: "Barn & unga <budget>",
                        submittedBy: "Per")),
                OverlayChange(
                    id: "m1",
                    action: .moved(
                        meeting: "lsg/2027-02-11",
                        start: LocalDateTime(
                            d("2027-02-18"),
                            t("09:00")), end: nil), knownAt: at("2027-02-01", "12:00")),
                OverlayChange(id: "ab", action: .absent(meeting: "lsg/2027-02-11", seat: "led")),
                OverlayChange(
                    id: "c1", action: .cancelled(meeting: "lsg/2027-04-15", reason: "Få ärenden"),
                    knownAt: at("2027-04-05", "15:00")),
            ]))
    }

    @Test("every kind in Swedish and English", arguments: ["sv", "en"])
    func everyKind(language: String) throws {
        let registry = Self.registry(language: language)
        let zone = registry.settings.zone
        let due = Planner.due(
            registry: registry,
            from: zone.instant(
                of: LocalDateTime(
                    LocalDate(iso: "2026-12-01")!,
                    .midnight)), to: zone.instant(of: LocalDateTime(LocalDate(iso: "2027-06-01")!, .midnight)))
        // The outbox, not the planner, makes escalations: one for the first summons, naming who was not reached.
        let summons = try #require(due.notifications.first { $0.kind == .summons })
        var escalation = summons
        escalation.key = summons.key + "/escalation/1"
        escalation.kind = .escalation
        escalation.recipients = Array(summons.recipients.prefix(1))
        escalation.unreached = [
            UnreachedRecipient(
                name: "Örjan Å", email: "orjan@example.se", reason: "550 5.1.1 no such user", substitute: "Märta Ö")
        ]
        let notifications = due.notifications + [escalation]
        let kinds = Set(notifications.map(\.kind))
        #expect(kinds == Set(NotificationKind.allCases))
        let composer = try Composer(templates: try Self.templates())
        let settings = MailSettings(serviceAddress: "kallad@example.se", domain: "kallad.example.se")
        var mails: [(DueNotification, ComposedMail)] = []
        for n in notifications {
            for mail in try composer.mails(for: n, registry: registry, settings: settings, now: n.due) {
                mails.append((n, mail))
            }
        }
        #expect(Set(mails.map(\.1.messageID)).count == mails.count)
        let input = try JSONEncoder().encode(mails.map { Data($0.1.message.utf8).base64EncodedString() })
        let parsed = try #require(
            try JSONSerialization.jsonObject(
                with: Oracle.run(
                    "mime_oracle.py",
                    input: input))
                as? [[String: Any]])
        var requestSequence: Int?
        for ((n, mail), result) in zip(mails, parsed) {
            #expect((result["defects"] as? [String])?.isEmpty == true, "\(n.key): \(result["defects"] ?? "")")
            #expect(result["bare_lf"] as? Bool == false)
            #expect((result["to"] as? String)?.contains(mail.envelopeTo) == true)
            let text = result["text"] as? String ?? ""
            #expect(text.contains(registry.body("lsg")!.name), "\(n.key)")
            #expect(!text.contains("{{"))
            let calendars = result["calendars"] as? [[String: Any]] ?? []
            switch n.kind {
            case .summons, .update, .reminder:
                #expect(calendars.first?["method"] as? String == "REQUEST")
                if n.meeting.id == "lsg/2027-04-15" && n.kind == .summons {
                    requestSequence = (calendars.first?["events"] as? [[String: Any]])?.first?["sequence"] as? Int
                }
            case .cancellation:
                let event = (calendars.first?["events"] as? [[String: Any]])?.first
                #expect(calendars.first?["method"] as? String == "CANCEL")
                #expect(event?["uid"] as? String == "lsg/2027-04-15@kallad.example.se")
                #expect((event?["sequence"] as? Int ?? -1) > (requestSequence ?? Int.max))
            default:
                #expect(calendars.isEmpty)
            }
            if n.kind == .escalation {
                #expect(text.contains("Örjan Å <orjan@example.se>: 550 5.1.1 no such user"))
                #expect(text.contains("Märta Ö"))
            }
            if n.kind == .update {
                #expect(text.contains(language == "sv" ? "flyttat" : "moved"))
                #expect(((calendars.first?["events"] as? [[String: Any]])?.first?["sequence"] as? Int) == 1)
            }
            if n.kind == .summons && n.meeting.id == "lsg/2027-02-11" {
                #expect(text.contains("Barn & unga <budget>"))
                let events = (calendars.first?["events"] as? [[String: Any]])?.first
                let roles = (events?["attendees"] as? [[String: String]])?.compactMap { $0["role"] } ?? []
                #expect(roles.contains("CHAIR") && roles.contains("OPT-PARTICIPANT"))
            }
        }
        // The absent member's substitute is summoned as a substitute.
        let substitute = mails.first { $0.0.kind == .summons && $0.1.envelopeTo == "eva@example.se" }
        let substituteWord = language == "sv" ? "ersättare" : "substitute"
        #expect(substitute?.1.message.contains("X-Kallad-Key: lsg/2027-02-11/summons/0/eva") == true)
        #expect(parsed.contains { ($0["text"] as? String)?.contains(substituteWord) == true })
    }

    @Test("a missing template is reported by name")
    func missingTemplate() throws {
        var texts = try Self.templates()
        texts["sv"]?["summons.txt"] = nil
        #expect(throws: ComposeError.self) { try Composer(templates: texts) }
    }
}
