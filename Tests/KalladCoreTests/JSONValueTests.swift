import Foundation
@testable import KalladCore
import Testing

@Suite("Reading JSON strictly: trigger bodies and overlay changes")
struct JSONValueTests {
    struct Case: Sendable, CustomStringConvertible {
        var text: String
        var value: JSONValue?
        var description: String { text }
    }

    static let accepted: [Case] = [
        Case(text: "{}", value: .object([:])),
        Case(text: " \t\r\n{ \"a\" : [ 1 , -0.5e+3, true, false, null ] }\n", value: .object([
            "a": .array([.number("1"), .number("-0.5e+3"), .bool(true), .bool(false), .null])
        ])),
        Case(text: "{\"t\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e4\\ud83d\\ude00\"}", value: .object([
            "t": .string("\"\\/\u{8}\u{C}\n\r\t\u{E4}\u{1F600}")
        ])),
        Case(text: "{\"t\":\"åäö 😀\"}", value: .object(["t": .string("åäö 😀")])),
        Case(text: "[]", value: .array([])),
        Case(text: "\"x\"", value: .string("x")),
        Case(text: "0", value: .number("0")),
    ]

    static let refused: [String] = [
        "", " ", "{", "}", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\" 1}", "{\"a\":1}x", "{\"a\":1}{}", "01", "-", "1.",
        "1e", ".5", "+1", "tru", "nul", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"", "\"\\u12g4\"",
        "\"a\u{1}b\"", "\"open", "{\"a\":1,\"a\":2}", "/* c */{}", String(repeating: "[", count: 40)
            + String(repeating: "]", count: 40), "NaN", "{\"a\":Infinity}",
    ]

    @Test("well-formed JSON is read to the values it holds", arguments: accepted)
    func reads(_ example: Case) throws {
        #expect(try JSONValue.read(Array(example.text.utf8)).get() == example.value)
    }

    @Test("malformed JSON, duplicate keys and deep nesting are refused", arguments: refused)
    func refuses(_ text: String) {
        guard case .failure(let malformed) = JSONValue.read(Array(text.utf8)) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(!malformed.message.isEmpty && malformed.offset >= 0 && malformed.offset <= text.utf8.count)
    }

    @Test("bytes that are not UTF-8 are refused inside strings")
    func notUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.read(bytes).get() }
    }
}
