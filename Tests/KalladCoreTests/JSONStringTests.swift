import Foundation
import KalladCore
import Testing

@Suite("JSON string literals written by hand")
struct JSONStringTests {
    @Test("every string, control characters and all, reads back the same through a JSON parser")
    func roundTrip() throws {
        var texts = ["", "plain", "åäö 🗓️", "a/b", "\"q\" \\ back", "\u{7F}del"]
        texts.append(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))
        for text in texts {
            for slash in [false, true] {
                let literal = JSONString.quoted(text, escapingSlash: slash)
                let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
                #expect(parsed == [text])
                #expect(!literal.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
                #expect(literal.contains("a\\/b") == (slash && text == "a/b"))
            }
        }
    }

    @Test("the byte writer writes what the text writer writes")
    func bytes() {
        var texts = ["", "plain", "åäö 🗓️", "a/b", "\"q\" \\ back", "\u{7F}del", "mid\u{1}dle/end\\"]
        texts.append(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))
        for text in texts {
            for slash in [false, true] {
                var out: [UInt8] = [UInt8(ascii: "x")]
                JSONString.append(text, toBytes: &out, escapingSlash: slash)
                #expect(out == [UInt8(ascii: "x")] + Array(JSONString.quoted(text, escapingSlash: slash).utf8))
                var fromBytes: [UInt8] = []
                JSONString.append(utf8: Array(text.utf8), toBytes: &fromBytes, escapingSlash: slash)
                #expect(fromBytes == Array(JSONString.quoted(text, escapingSlash: slash).utf8))
            }
        }
    }
}
