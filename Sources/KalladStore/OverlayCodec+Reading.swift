import KalladCore

extension OverlayCodec.Stored {
    /// Reads what `json` writes — one flat object of string values — byte by byte; nil for anything else (a null,
    /// a number, nesting, a key twice, bad escapes), which the caller then hands to JSONDecoder. Every change is read
    /// once per process, on the planner's path after each trigger, where JSONDecoder cost more than the insert.
    init?(flat json: String) {
        var fields: [String: String] = [:]
        var copy = json
        let complete = copy.withUTF8 { bytes -> Bool in
            var reader = FlatObjectReader(bytes: bytes)
            return reader.readObject { key, value in
                guard fields.updateValue(value, forKey: key) == nil else { return false }
                return true
            }
        }
        guard complete, let type = fields["type"] else { return nil }
        for key in fields.keys where !Self.keys.contains(key) { return nil }
        self.init(
            type: type, body: fields["body"], meeting: fields["meeting"], start: fields["start"], end: fields["end"],
            requestedBy: fields["requested_by"], reason: fields["reason"], seat: fields["seat"],
            person: fields["person"], role: fields["role"], title: fields["title"],
            submittedBy: fields["submitted_by"])
    }

    /// The keys `json` writes.
    static let keys: Set<String> = [
        "type", "body", "meeting", "start", "end", "requested_by", "reason", "seat", "person", "role", "title",
        "submitted_by",
    ]
}

/// `{"key":"value",...}` with JSON string escapes, optional whitespace between tokens.
private struct FlatObjectReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Calls `field` for each member in order; false when the text is not such an object or `field` said stop.
    mutating func readObject(_ field: (String, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return atEnd() }
        while true {
            guard let key = string(), take(UInt8(ascii: ":")), let value = string(), field(key, value) else {
                return false
            }
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}")) && atEnd()
        }
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        // The common case: no escapes, the bytes as they are.
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            at += 1
        }
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case 0..<0x20:
                return nil
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let escape = bytes[at]
                at += 1
                if let simple = JSONEscape.simple(escape) {
                    out.append(simple)
                } else if escape == UInt8(ascii: "u"), let scalar = unicodeScalar() {
                    out.append(contentsOf: String(Character(scalar)).utf8)
                } else {
                    return nil
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair.
    private mutating func unicodeScalar() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                return nil
            }
            at += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = HexDigit.value(bytes[at]) else { return nil }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
