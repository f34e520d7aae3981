import Testing

@testable import KalladDaemon

@Suite("Meeting ids in trigger bodies")
struct MeetingIDTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let valid: Bool
        var testDescription: String { "\(id) → \(valid ? "taken" : "refused")" }
    }

    static let cases = [
        Case(id: "norrbotten-lsg/2027-03-04", valid: true),
        Case(id: "norrbotten-lsg/2027-03-04-extra-msg_1", valid: true),
        Case(id: "a.b_c/2027-12-31", valid: true),
        Case(id: "norrbotten-lsg/2027-03-0", valid: false),
        Case(id: "norrbotten-lsg2027-03-04", valid: false),
        Case(id: "norrbotten-lsg/2027-03-04x", valid: false),
        Case(id: "norrbotten-lsg/2027-03-04-extra", valid: false),
        Case(id: "norrbotten-lsg/2027-03-04\u{301}", valid: false),
        Case(id: "norrbotten-lsg/2027-03-0ä", valid: false),
        Case(id: "norrbotten-lsg/2027-3-04xx", valid: false),
        Case(id: "bad id/2027-03-04", valid: false),
        Case(id: "/2027-03-04", valid: false),
        Case(id: "b/", valid: false),
        Case(id: "b", valid: false),
        Case(id: "", valid: false),
    ]

    @Test("<body>/<YYYY-MM-DD>, or an extra meeting's …-extra-<id>; anything else is refused, naming the field",
          arguments: cases)
    func meetingID(_ example: Case) {
        let body = #"{"type":"meeting.cancelled","data":{"meeting":"\#(example.id)","reason":"r"}}"#
        switch TriggerParser.parse(Array(body.utf8)) {
        case .success(let command):
            #expect(example.valid)
            #expect(command == .meetingCancelled(meeting: example.id, reason: "r"))
        case .failure(let rejection):
            #expect(!example.valid)
            #expect("\(rejection)".contains("data.meeting"))
        }
    }
}
