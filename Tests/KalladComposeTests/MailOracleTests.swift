import Foundation
import KalladCore
import KalladTestSupport
import Testing

@testable import KalladCompose

@Suite("Messages and invitations parse with Python's email and icalendar")
struct MailOracleTests {
    static let zone = ZoneRules.stockholm

    static func invitation(method: CalendarInvitation.Method, sequence: Int, description: String) -> CalendarInvitation
    {
        CalendarInvitation(
            method: method, uid: "norrbotten-lsg/2027-02-11@kallad.example.se", sequence: sequence,
            stamp: Instant(secondsSinceEpoch: 1_800_000_000),
            start: LocalDateTime(LocalDate(year: 2027, month: 2, day: 11)!, LocalTime(hour: 10, minute: 0)!),
            end: LocalDateTime(LocalDate(year: 2027, month: 2, day: 11)!, LocalTime(hour: 15, minute: 0)!),
            zone: zone, summary: "Länsstyrgruppen; möte, 11 februari", location: "Kommunförbundet Norrbotten, Luleå",
            description: description,
            organizer: .init(name: "Helena Isaksson", email: "helena.isaksson@lulea.example.se", role: "CHAIR"),
            attendees: [
                .init(name: "Helena Isaksson", email: "helena.isaksson@lulea.example.se", role: "CHAIR"),
                .init(name: "Åsa Öberg-Ärlig", email: "asa.oberg@example.se", role: "REQ-PARTICIPANT"),
                .init(name: "Dr. Per \"Pelle\" Nyström, MAS", email: "per@example.se", role: "OPT-PARTICIPANT"),
            ])
    }

    static func message(_ invitation: CalendarInvitation, subject: String) throws -> String {
        try MailMessage(
            from: .init(name: "Kallad", address: "kallad@example.se"),
            sender: nil,
            replyTo: .init(name: "Helena Isaksson", address: "helena.isaksson@lulea.example.se"),
            to: invitation.attendees.map { .init(name: $0.name, address: $0.email) },
            subject: subject, date: Instant(secondsSinceEpoch: 1_800_000_000), zone: zone,
            messageID: "\(MailHeader.stableHash(invitation.uid))@kallad.example.se",
            text: "Hej!\r\nVälkommen till länsstyrgruppens möte. Dagordning: ärenden från länsdelarna.",
            html: "<p>Välkommen till länsstyrgruppens möte.</p>",
            calendar: (invitation.method.rawValue, invitation.render())
        ).render()
    }

    @Test("summons and cancellation: headers decode to the same Unicode, the calendar parses and matches")
    func roundTrip() throws {
        let long =
            String(
                repeating: "Gemensamma frågor om skola, socialtjänst och hälso- och sjukvård – förmiddag. ",
                count: 6) + "Ärenden: 1) Barn och unga; 2) Äldre\\vård, 3) Psykisk hälsa.\nSlut."
        let subject = "Kallelse: Länsstyrgruppen för socialtjänst, skola och hälso- och sjukvård – 11 februari 2027"
        let request = Self.invitation(method: .request, sequence: 0, description: long)
        let cancel = Self.invitation(method: .cancel, sequence: 1, description: "Inställt")
        let messages = [try Self.message(request, subject: subject), try Self.message(cancel, subject: "Inställt: ö")]
        let input = try JSONEncoder().encode(messages.map { Data($0.utf8).base64EncodedString() })
        let output = try Oracle.run("mime_oracle.py", input: input)
        let parsed = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        #expect(parsed.count == 2)
        let first = parsed[0]
        #expect(first["subject"] as? String == subject)
        #expect((first["defects"] as? [String])?.isEmpty == true, "\(first["defects"] ?? "")")
        #expect(first["bare_lf"] as? Bool == false)
        #expect(first["long_lines"] as? Int == 0)
        #expect((first["to"] as? String)?.contains("Åsa Öberg-Ärlig <asa.oberg@example.se>") == true)
        #expect(
            (first["to"] as? String)?.contains("\"Dr. Per \\\"Pelle\\\" Nyström, MAS\" <per@example.se>") == true
                || (first["to"] as? String)?.contains("Pelle") == true)
        #expect(
            first["parts"] as? [String] == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                "text/calendar", "application/ics",
            ])
        #expect((first["text"] as? String)?.contains("Välkommen") == true)
        let calendars = try #require(first["calendars"] as? [[String: Any]])
        #expect(calendars.count == 2)
        for calendar in calendars {
            #expect(calendar["method"] as? String == "REQUEST")
            #expect((calendar["line_problems"] as? [String])?.isEmpty == true, "\(calendar["line_problems"] ?? "")")
            let event = try #require((calendar["events"] as? [[String: Any]])?.first)
            #expect(event["uid"] as? String == "norrbotten-lsg/2027-02-11@kallad.example.se")
            #expect(event["summary"] as? String == "Länsstyrgruppen; möte, 11 februari")
            #expect(event["description"] as? String == long)
            #expect(event["dtstart_utc"] as? String == "2027-02-11T09:00:00+00:00")
            #expect(event["dtend_utc"] as? String == "2027-02-11T14:00:00+00:00")
            #expect(event["status"] as? String == "CONFIRMED")
            let attendees = try #require(event["attendees"] as? [[String: String]])
            #expect(attendees.map { $0["role"] } == ["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"])
            #expect(attendees[1]["cn"] == "Åsa Öberg-Ärlig")
        }
        let cancelCalendar = try #require((parsed[1]["calendars"] as? [[String: Any]])?.first)
        #expect(cancelCalendar["method"] as? String == "CANCEL")
        let cancelled = try #require((cancelCalendar["events"] as? [[String: Any]])?.first)
        #expect(cancelled["status"] as? String == "CANCELLED")
        #expect(cancelled["uid"] as? String == "norrbotten-lsg/2027-02-11@kallad.example.se")
        #expect((cancelled["sequence"] as? Int ?? 0) > 0)
    }

    @Test("a summer meeting's times carry the summer offset")
    func summer() throws {
        var invitation = Self.invitation(method: .request, sequence: 0, description: "")
        invitation.start = LocalDateTime(LocalDate(year: 2027, month: 6, day: 10)!, LocalTime(hour: 10, minute: 0)!)
        invitation.end = LocalDateTime(LocalDate(year: 2027, month: 6, day: 10)!, LocalTime(hour: 12, minute: 0)!)
        let input = try JSONEncoder().encode([
            Data(try Self.message(invitation, subject: "x").utf8).base64EncodedString()
        ])
        let parsed = try JSONSerialization.jsonObject(with: try Oracle.run("mime_oracle.py", input: input))
        let event =
            ((((parsed as? [[String: Any]])?.first?["calendars"] as? [[String: Any]])?.first?["events"])
            as? [[String: Any]])?.first
        #expect(event?["dtstart_utc"] as? String == "2027-06-10T08:00:00+00:00")
    }
}
