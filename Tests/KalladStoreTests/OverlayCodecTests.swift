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
                #expect(OverlayCodec.Stored(flat: json)?.json == stored.json)
            }
        }
    }

    @Test("the flat reader reads what JSONDecoder reads, and leaves what it does not know to JSONDecoder")
    func flatReader() throws {
        let read = [
            #"{ "type" : "agenda_item", "meeting":"b/2027-03-04","# + "\n\t"
                + #""title":"\u00e5\ud83d\uddd3 \/ \b\f" }"# + "\r\n",
            #"{"type":"send_now","meeting":"b\u002f2027-03-04"}"#,
            #"{"meeting":"b/2027-03-04","type":"cancelled","reason":"tab\there"}"#,
        ]
        for json in read {
            let stored = try JSONDecoder.snakeCase.decode(OverlayCodec.Stored.self, from: Data(json.utf8))
            #expect(OverlayCodec.Stored(flat: json)?.json == stored.json, "\(json)")
        }
        // JSON the reader refuses; JSONDecoder still reads the first two.
        let refused = [
            #"{"type":"send_now","meeting":"m","submitted_by":null}"#,
            #"{"type":"send_now","meeting":"m","unknown":"x"}"#,
            #"{"type":"send_now","meeting":"m","type":"absent"}"#,
            #"{"type":"send_now","meeting":"m\ud83d"}"#,
            #"{"type":"send_now","meeting":"m"#,
            #"{"type":"send_now","meeting":"m"}x"#,
            #"["type"]"#,
        ]
        for json in refused.prefix(2) {
            #expect(OverlayCodec.Stored(flat: json) == nil, "\(json)")
            #expect(OverlayCodec.decode(json) == .sendNow(meeting: "m"), "\(json)")
        }
        for json in refused.dropFirst(2) {
            #expect(OverlayCodec.Stored(flat: json) == nil, "\(json)")
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
