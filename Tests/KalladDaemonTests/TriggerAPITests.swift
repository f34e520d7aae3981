import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KalladCore
import Testing

@testable import KalladDaemon

@Suite("POST /v1/triggers")
struct TriggerAPITests {
    /// Posts `body` with `headers` to a live server as `kallad run` serves it (the trigger channel handler in
    /// front of the router); returns the status and the answer's text.
    func post(
        _ services: DaemonServices, _ body: String, headers: HTTPFields
    ) async throws -> (HTTPResponse.Status, String) {
        try await Fixture.server(services).test(.live) { client in
            try await client.execute(
                uri: "/v1/triggers", method: .post, headers: headers, body: ByteBuffer(string: body)
            ) { response in (response.status, String(buffer: response.body)) }
        }
    }

    @Test("a signed trigger on an allowed meeting is recorded with its overlay change")
    func accepted() async throws {
        let inbox = RecordingInbox()
        let body = Fixture.agendaItem()
        let (status, text) = try await post(
            Fixture.services(inbox: inbox), body, headers: Fixture.signed(body, id: "t1"))
        #expect(status == .accepted)
        #expect(text.contains("\"meetings\":[\"norrbotten-lsg/2027-02-11\"]"))
        let recorded = await inbox.triggers
        #expect(recorded.count == 1)
        #expect(recorded.first?.system == "arende")
        #expect(recorded.first?.payload == body)
        #expect(
            recorded.first?.changes
                == [
                    OverlayChange(
                        id: "t1",
                        action: .agendaItem(meeting: Fixture.meeting, title: "Budget 2027", submittedBy: "arende"),
                        knownAt: Fixture.now)
                ])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var headers: HTTPFields
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { name }
    }

    static let body = Fixture.agendaItem()
    static var unsigned: HTTPFields {
        var fields = Fixture.signed(body)
        fields[HTTPField.Name("webhook-signature")!] = nil
        return fields
    }
    static var wrongSignature: HTTPFields {
        var fields = Fixture.signed(body)
        fields[HTTPField.Name("webhook-signature")!] = "v1," + Data(repeating: 1, count: 32).base64EncodedString()
        return fields
    }
    static let big = Fixture.trigger(
        "agenda.item.added",
        "{\"meeting\":\"\(Fixture.meeting)\",\"title\":\"\(String(repeating: "x", count: 70_000))\"}")

    static let cases: [Case] = [
        Case(name: "unsigned", body: body, headers: unsigned, status: .unauthorized, code: "trigger.unsigned"),
        Case(name: "no headers at all", body: body, headers: [:], status: .unauthorized, code: "trigger.unsigned"),
        Case(
            name: "wrong signature", body: body, headers: wrongSignature, status: .unauthorized,
            code: "trigger.signature"),
        Case(
            name: "another system's secret with this system named", body: body,
            headers: Fixture.signed(body, secret: Fixture.deviationSecret, system: "arende"), status: .unauthorized,
            code: "trigger.signature"),
        Case(
            name: "body changed after signing", body: body.replacingOccurrences(of: "Budget", with: "Bidget"),
            headers: Fixture.signed(body), status: .unauthorized, code: "trigger.signature"),
        Case(
            name: "stale timestamp", body: body,
            headers: Fixture.signed(body, timestamp: Fixture.now.secondsSinceEpoch - 301), status: .unauthorized,
            code: "trigger.stale"),
        Case(
            name: "future timestamp", body: body,
            headers: Fixture.signed(body, timestamp: Fixture.now.secondsSinceEpoch + 301), status: .unauthorized,
            code: "trigger.stale"),
        Case(
            name: "unknown system named", body: body, headers: Fixture.signed(body, system: "nobody"),
            status: .unauthorized, code: "trigger.unknown_system"),
        Case(
            name: "oversized", body: big, headers: Fixture.signed(big), status: .contentTooLarge,
            code: "trigger.too_large"),
        Case(
            name: "malformed JSON", body: "{\"type\": \"agenda.item.added\", ",
            headers: Fixture.signed("{\"type\": \"agenda.item.added\", "), status: .badRequest, code: "trigger.json"),
        Case(
            name: "missing fields", body: Fixture.trigger("agenda.item.added", "{\"meeting\": 3}"),
            headers: Fixture.signed(Fixture.trigger("agenda.item.added", "{\"meeting\": 3}")),
            status: .unprocessableContent, code: "trigger.fields"),
        Case(
            name: "unknown type", body: Fixture.trigger("meeting.exploded", "{}"),
            headers: Fixture.signed(Fixture.trigger("meeting.exploded", "{}")), status: .unprocessableContent,
            code: "trigger.fields"),
        Case(
            name: "a body the system may not touch", body: Fixture.agendaItem("jonkoping-natverk-trepart/2027-02-11"),
            headers: Fixture.signed(Fixture.agendaItem("jonkoping-natverk-trepart/2027-02-11")), status: .forbidden,
            code: "trigger.forbidden_body"),
        Case(
            name: "a meeting that does not exist", body: Fixture.agendaItem("norrbotten-lsg/2027-02-12"),
            headers: Fixture.signed(Fixture.agendaItem("norrbotten-lsg/2027-02-12")), status: .notFound,
            code: "trigger.unknown_meeting"),
        Case(
            name: "a meeting that has begun", body: Fixture.agendaItem("norrbotten-lsg/2026-04-09"),
            headers: Fixture.signed(Fixture.agendaItem("norrbotten-lsg/2026-04-09")), status: .unprocessableContent,
            code: "trigger.meeting_begun"),
    ]

    @Test("refused requests get the right 4xx, a problem document, and change nothing", arguments: cases)
    func refused(_ test: Case) async throws {
        let inbox = RecordingInbox()
        let (status, text) = try await post(Fixture.services(inbox: inbox), test.body, headers: test.headers)
        #expect(status == test.status)
        #expect(text.contains("\"code\":\"\(test.code)\""), "\(text)")
        #expect(await inbox.triggers.isEmpty)
    }

    @Test("a replayed webhook-id is refused with 409 and recorded once")
    func replay() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let body = Fixture.agendaItem()
        let headers = Fixture.signed(body, id: "same")
        let first = try await post(services, body, headers: headers)
        let second = try await post(services, body, headers: headers)
        #expect(first.0 == .accepted)
        #expect(second.0 == .conflict)
        #expect(second.1.contains("trigger.replay"))
        #expect(await inbox.triggers.count == 1)
    }

    @Test("each trigger type becomes the overlay change it documents")
    func types() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let m = Fixture.meeting
        let cases: [(String, String, String)] = [
            ("meeting.cancelled", "{\"meeting\":\"\(m)\",\"reason\":\"no quorum\"}", Fixture.caseSecret),
            ("meeting.moved", "{\"meeting\":\"\(m)\",\"start\":\"2027-02-18T13:00\"}", Fixture.caseSecret),
            ("summons.send_now", "{\"meeting\":\"\(m)\"}", Fixture.caseSecret),
            (
                "meeting.requested",
                "{\"body\":\"norrbotten-lsg\",\"date\":\"2027-01-20\",\"start\":\"09:00\",\"reason\":\"budget\"}",
                Fixture.caseSecret
            ),
            ("meeting.requested", "{\"body\":\"norrbotten-lsg-au\",\"reason\":\"no date given\"}", Fixture.caseSecret),
            ("deviation.reported", "{\"title\":\"Avvikelse 17\"}", Fixture.deviationSecret),
        ]
        for (index, (type, data, secret)) in cases.enumerated() {
            let body = Fixture.trigger(type, data)
            let (status, text) = try await post(
                services, body, headers: Fixture.signed(body, id: "id\(index)", secret: secret))
            #expect(status == .accepted, "\(type): \(text)")
        }
        let actions = await inbox.triggers.flatMap(\.changes).map(\.action)
        #expect(actions.count == 6)
        guard actions.count == 6 else { return }
        #expect(actions[0] == .cancelled(meeting: m, reason: "no quorum"))
        #expect(
            actions[1]
                == .moved(
                    meeting: m, start: LocalDateTime(LocalDate(iso: "2027-02-18")!, LocalTime(hour: 13, minute: 0)!),
                    end: nil))
        #expect(actions[2] == .sendNow(meeting: m))
        if case .extra(let body, let start, _, _, let reason) = actions[3] {
            #expect(body == "norrbotten-lsg" && start.description == "2027-01-20T09:00" && reason == "budget")
        } else {
            Issue.record("meeting.requested with a date is not an extra meeting: \(actions[3])")
        }
        if case .extra(let body, let start, _, _, _) = actions[4] {
            // At least the convener-prompt days (42) ahead of 2026-11-23, on a working day.
            #expect(body == "norrbotten-lsg-au" && start.date >= LocalDate(iso: "2027-01-04")!)
        } else {
            Issue.record("meeting.requested without a date is not an extra meeting: \(actions[4])")
        }
        if case .agendaItem(let meeting, let title, let by) = actions[5] {
            #expect(meeting.hasPrefix("jonkoping-natverk-trepart/") && title == "Avvikelse 17" && by == "avvikelser")
        } else {
            Issue.record("deviation.reported is not an agenda item: \(actions[5])")
        }
    }

    @Test("an extra meeting made by a trigger can be named by the next trigger")
    func extraMeetingIsKnown() async throws {
        let inbox = RecordingInbox()
        let services = Fixture.services(inbox: inbox)
        let request = Fixture.trigger(
            "meeting.requested", "{\"body\":\"norrbotten-lsg\",\"date\":\"2027-01-20\",\"reason\":\"extra\"}")
        let (status, _) = try await post(services, request, headers: Fixture.signed(request, id: "x1"))
        #expect(status == .accepted)
        let item = Fixture.agendaItem("norrbotten-lsg/2027-01-20-extra-x1")
        let (second, text) = try await post(services, item, headers: Fixture.signed(item, id: "x2"))
        #expect(second == .accepted, "\(text)")
    }

    @Test("without kallad-system, the system whose secret verifies is the sender")
    func systemBySecret() async throws {
        let inbox = RecordingInbox()
        let body = Fixture.trigger("deviation.reported", "{\"title\":\"Avvikelse\"}")
        let (status, _) = try await post(
            Fixture.services(inbox: inbox), body, headers: Fixture.signed(body, secret: Fixture.deviationSecret))
        #expect(status == .accepted)
        #expect(await inbox.triggers.first?.system == "avvikelser")
    }
}
