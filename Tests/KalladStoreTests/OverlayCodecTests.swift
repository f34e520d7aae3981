import Foundation
import KalladCore
@testable import KalladStore
import Testing

@Suite("Overlay changes as stored JSON")
struct OverlayCodecTests {
    static let texts = [
        "Budget 2027", "åäö ÅÄÖ — €", "a/b \"quoted\" back\\slash", "tab\tnew\nline\r", "\u{1}\u{8}\u{C}\u{1F}",
        "emoji 🗓️", "",
    ]

    @Test("the hand-written document is byte for byte what JSONEncoder writes, and reads back the same")
    func sameAsJSONEncoder() throws {
        let start = LocalDateTime(try #require(LocalDate(iso: "2027-03-04")), try #require(LocalTime(iso: "09:30")))
        for text in Self.texts {
            let actions: [OverlayChange.Action] = [
                .extra(body: "b", start: start, end: LocalTime(iso: "11:00"), requestedBy: text, reason: text),
                .extra(body: "b", start: start, end: nil, requestedBy: nil, reason: text),
                .moved(meeting: "b/2027-03-04", start: start, end: nil),
                .cancelled(meeting: "b/2027-03-04", reason: text),
                .standIn(meeting: "b/2027-03-04", seat: "s", person: text),
                .absent(meeting: "b/2027-03-04", seat: text),
                .roleHolder(meeting: "b/2027-03-04", role: .chair, person: text),
                .agendaItem(meeting: "b/2027-03-04", title: text, submittedBy: text),
                .agendaItem(meeting: "b/2027-03-04", title: text, submittedBy: nil),
                .sendNow(meeting: "b/2027-03-04"),
            ]
            for action in actions {
                let json = OverlayCodec.encode(action)
                let reference = try #require(
                    try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
                let stored = try JSONDecoder.snakeCase.decode(OverlayCodec.Stored.self, from: Data(json.utf8))
                #expect(try JSONEncoder.storedOverlay.encode(stored) == Data(json.utf8))
                #expect(reference["type"] != nil)
                #expect(OverlayCodec.decode(json) == action)
            }
        }
    }
}

extension JSONEncoder {
    /// How the overlay was written before it was written by hand.
    static var storedOverlay: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
