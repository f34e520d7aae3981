/// A JSON value, read strictly from bytes: trigger bodies (the daemon's trigger parser) and the overlay changes the
/// store keeps.
public enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number, kept as written (no trigger field is a number; it is only ever reported as the wrong type).
    case number(String)
    case bool(Bool)
    case null

    /// Why a body is not JSON.
    public struct Malformed: Error, Equatable {
        /// What was wrong, and the byte offset where it was found.
        public var message: String
        public var offset: Int
    }

    /// Objects and arrays nested deeper than this are refused (no trigger or overlay change goes past 2).
    public static let maxDepth = 32

    /// The one JSON value `bytes` hold (RFC 8259, UTF-8): whitespace around it allowed, nothing after it. Strict:
    /// no comments, trailing commas, single quotes, lone surrogates, control characters in strings, or a key twice
    /// in one object (Foundation's reader lets trailing commas through, and refuses numbers a Double cannot hold,
    /// which this one keeps as text). Hand-written, since `JSONSerialization` was the larger part of taking a trigger.
    public static func read(_ bytes: some Collection<UInt8>) -> Result<JSONValue, Malformed> {
        var reader = Reader(bytes: Array(bytes))
        do throws(Malformed) {
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.index == reader.bytes.count else { throw reader.malformed("data after the JSON value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// The reader's position in the bytes.
    struct Reader {
        let bytes: [UInt8]
        var index = 0

        func malformed(_ message: String) -> Malformed { Malformed(message: message, offset: index) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Malformed) {
            guard current == byte else { throw malformed("expected \(what)") }
            index += 1
        }

        mutating func literal(_ word: StaticString, _ value: JSONValue) throws(Malformed) -> JSONValue {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw malformed("unknown literal") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for offset in 0..<count where bytes[index + offset] != expected[offset] {
                throw malformed("unknown literal")
            }
            index += count
            return value
        }

        mutating func value(depth: Int) throws(Malformed) -> JSONValue {
            guard let byte = current else { throw malformed("expected a value") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw malformed("expected a value")
            }
        }

        mutating func object(depth: Int) throws(Malformed) -> JSONValue {
            guard depth <= JSONValue.maxDepth else { throw malformed("nested too deeply") }
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                if current == UInt8(ascii: "}") && !members.isEmpty { throw malformed("a trailing comma") }
                guard current == UInt8(ascii: "\"") else { throw malformed("expected a key in quotes") }
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"), "':' after a key")
                skipSpace()
                let member = try value(depth: depth)
                guard members.updateValue(member, forKey: key) == nil else {
                    throw malformed("the key '\(key)' appears twice")
                }
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: throw malformed("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws(Malformed) -> JSONValue {
            guard depth <= JSONValue.maxDepth else { throw malformed("nested too deeply") }
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                if current == UInt8(ascii: "]") && !items.isEmpty { throw malformed("a trailing comma") }
                items.append(try value(depth: depth))
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: throw malformed("expected ',' or ']'")
                }
            }
        }

        mutating func digits() -> Int {
            let start = index
            while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
        mutating func number() throws(Malformed) -> JSONValue {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                throw malformed("expected digits")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw malformed("expected digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw malformed("expected digits in the exponent") }
            }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        /// A string; `index` is at its opening quote.
        mutating func string() throws(Malformed) -> String {
            index += 1
            let start = index
            // Most strings have no escapes: their bytes are the text.
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw malformed("a control character in a string") }
                index += 1
            }
            var text = Array(bytes[start..<index])
            while true {
                guard let byte = current else { throw malformed("a string without its closing quote") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let string = String(validating: text, as: UTF8.self) else {
                        throw malformed("a string that is not UTF-8")
                    }
                    return string
                case UInt8(ascii: "\\"):
                    try escape(into: &text)
                case ..<0x20:
                    index -= 1
                    throw malformed("a control character in a string")
                default:
                    text.append(byte)
                }
            }
        }

        /// The escape after a backslash, appended as UTF-8.
        mutating func escape(into text: inout [UInt8]) throws(Malformed) {
            guard let byte = current else { throw malformed("a string without its closing quote") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                    else { throw malformed("a lone surrogate in a string") }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw malformed("a lone surrogate in a string")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw malformed("a bad \\u escape") }
                text.append(contentsOf: Character(unicode).utf8)
            default:
                throw malformed("an unknown escape in a string")
            }
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard index + 4 <= bytes.count else { throw malformed("a bad \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = HexDigit.value(bytes[index]) else { throw malformed("a bad \\u escape") }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
