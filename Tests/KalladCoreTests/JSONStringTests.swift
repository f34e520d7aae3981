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
}
